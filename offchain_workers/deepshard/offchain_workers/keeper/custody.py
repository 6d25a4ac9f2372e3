"""Key custody with no single trusted keeper.

Encryption
----------
A version's weights are encrypted once, under a fresh random 32-byte content key, with
XChaCha20-Poly1305 (libsodium's IETF AEAD, through PyNaCl), streamed in chunks so that a
multi-GiB file never sits in memory. The stream is::

    header  = MAGIC (5) ‖ chunk_size (u32 LE) ‖ nonce_prefix (16 random bytes)
    chunk i = length (u32 LE) ‖ AEAD(key, nonce = nonce_prefix ‖ i (u64 LE),
                                     aad = header ‖ i (u64 LE) ‖ final flag (1 byte))

Binding the header, the index and a final flag into each chunk's associated data means a
reordered, truncated, extended or spliced stream fails authentication, not just a bit-flipped
one.

Key sharing
-----------
The content key (an integer below 2²⁵⁶) is split with Shamir's scheme over the prime field
GF(2⁵²¹ - 1): a random polynomial of degree t - 1 whose constant term is the key, evaluated at
x = 1 … n, one point per bonded keeper. Any t points determine the polynomial (Lagrange
interpolation at 0); any t - 1 points are consistent with *every* possible key, each equally
likely, so t - 1 colluding keepers learn nothing about it (information-theoretic secrecy; the
ciphertext is then only as weak as XChaCha20-Poly1305). A wrong or missing share yields a wrong
key, which the AEAD rejects on the first chunk.

Delivery
--------
On a purchase each keeper posts its share sealed to the buyer's X25519 public key
(`nacl.public.SealedBox`: an ephemeral key pair and XSalsa20-Poly1305), so only the buyer can
open it, and the chain only ever stores opaque sealed bytes.

Trust model: the key is safe while fewer than t keepers collude (or leak); a buyer is served
while at least t keepers are honest and online. The keeper who encrypted a version knows its
key until it discards it after splitting; the keeper worker must do so.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Final

from nacl import bindings
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

__all__ = [
    "KEY_SIZE",
    "MAGIC",
    "PRIME",
    "DEFAULT_CHUNK_SIZE",
    "CustodyError",
    "Share",
    "encrypt_stream",
    "decrypt_stream",
    "key_opens",
    "split_key",
    "combine_shares",
    "seal_share",
    "open_share",
]

KEY_SIZE: Final = 32
"""Bytes in a content key."""
MAGIC: Final = b"DSKW\x01"
"""The first bytes of an encrypted weights stream (format version 1)."""
PRIME: Final = 2**521 - 1
"""The Mersenne prime whose field the key is shared over (larger than any 32-byte key)."""
DEFAULT_CHUNK_SIZE: Final = 1 << 20
"""Plaintext bytes per chunk (1 MiB)."""
_MAX_CHUNK_SIZE: Final = 1 << 26
_NONCE_PREFIX_SIZE: Final = 16
_HEADER_SIZE: Final = len(MAGIC) + 4 + _NONCE_PREFIX_SIZE
_TAG_SIZE: Final = 16
_Y_SIZE: Final = 66
_SHARE_SIZE: Final = 2 + _Y_SIZE


class CustodyError(Exception):
    """A stream, share or key that cannot be used: malformed, tampered with, or not enough."""


@dataclass(frozen=True, slots=True)
class Share:
    """One keeper's point (x, y) on the key's polynomial."""

    x: int
    """The keeper's evaluation point, 1 … 65535."""
    y: int
    """The polynomial's value there, in GF(`PRIME`)."""

    def to_bytes(self) -> bytes:
        """The share's 68-byte encoding: x (u16 big-endian) ‖ y (66 bytes big-endian)."""
        return self.x.to_bytes(2, "big") + self.y.to_bytes(_Y_SIZE, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> Share:
        """Decode a share.

        Raises:
            CustodyError: not 68 bytes, x is zero, or y is not in the field.
        """
        # Verify the length and the ranges.
        if len(data) != _SHARE_SIZE:
            raise CustodyError(f"a share is {_SHARE_SIZE} bytes, not {len(data)}")
        x, y = int.from_bytes(data[:2], "big"), int.from_bytes(data[2:], "big")
        if x == 0 or y >= PRIME:
            raise CustodyError("share out of range")
        return cls(x, y)


# --- streamed encryption ----------------------------------------------------------------------


def _chunk_nonce_and_aad(header: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
    counter = struct.pack("<Q", index)
    nonce = header[len(MAGIC) + 4 :] + counter
    return nonce, header + counter + (b"\x01" if final else b"\x00")


def _read_full(source: BinaryIO, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        piece = source.read(size - len(data))
        if not piece:
            break
        data += piece
    return bytes(data)


def encrypt_stream(
    source: BinaryIO, sink: BinaryIO, key: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> int:
    """Encrypt everything readable from `source` into `sink`; return the bytes written.

    Raises:
        CustodyError: the key is not 32 bytes or the chunk size is out of range.
    """
    # Verify the key and the chunk size.
    if len(key) != KEY_SIZE:
        raise CustodyError(f"a content key is {KEY_SIZE} bytes")
    if not 1 <= chunk_size <= _MAX_CHUNK_SIZE:
        raise CustodyError(f"chunk size must be 1 … {_MAX_CHUNK_SIZE}")
    header = MAGIC + struct.pack("<I", chunk_size) + secrets.token_bytes(_NONCE_PREFIX_SIZE)
    sink.write(header)
    written = len(header)
    index = 0
    chunk = _read_full(source, chunk_size)
    while True:
        following = _read_full(source, chunk_size) if len(chunk) == chunk_size else b""
        final = not following
        nonce, aad = _chunk_nonce_and_aad(header, index, final)
        sealed = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(chunk, aad, nonce, key)
        sink.write(struct.pack("<I", len(sealed)) + sealed)
        written += 4 + len(sealed)
        if final:
            return written
        chunk, index = following, index + 1


def _iter_chunks(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    header = _read_full(source, _HEADER_SIZE)
    # Verify the header.
    if len(header) != _HEADER_SIZE or not header.startswith(MAGIC):
        raise CustodyError("not an encrypted weights stream")
    (chunk_size,) = struct.unpack("<I", header[len(MAGIC) : len(MAGIC) + 4])
    if not 1 <= chunk_size <= _MAX_CHUNK_SIZE:
        raise CustodyError("chunk size out of range")
    index = 0
    prefix = _read_full(source, 4)
    while True:
        # Verify the stream did not end before its final chunk.
        if len(prefix) != 4:
            raise CustodyError("stream truncated")
        (length,) = struct.unpack("<I", prefix)
        if not _TAG_SIZE <= length <= chunk_size + _TAG_SIZE:
            raise CustodyError("chunk length out of range")
        sealed = _read_full(source, length)
        if len(sealed) != length:
            raise CustodyError("stream truncated")
        prefix = _read_full(source, 4)
        final = not prefix
        nonce, aad = _chunk_nonce_and_aad(header, index, final)
        # Verify the chunk authenticates under the key, at its place, with its final flag.
        try:
            yield bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(sealed, aad, nonce, key)
        except CryptoError as error:
            raise CustodyError(
                f"chunk {index} failed authentication (wrong key, tampered, cut or extended)"
            ) from error
        if final:
            return
        index += 1


def decrypt_stream(source: BinaryIO, sink: BinaryIO, key: bytes) -> int:
    """Decrypt a stream written by `encrypt_stream` into `sink`; return the plaintext bytes.

    Nothing is trusted before it authenticates, but chunks are written as they authenticate:
    on a `CustodyError` the sink holds a prefix and must be discarded.

    Raises:
        CustodyError: the key is not 32 bytes, or the stream is malformed, tampered with,
            truncated or extended, or was encrypted under another key.
    """
    # Verify the key.
    if len(key) != KEY_SIZE:
        raise CustodyError(f"a content key is {KEY_SIZE} bytes")
    total = 0
    for plain in _iter_chunks(source, key):
        sink.write(plain)
        total += len(plain)
    return total


def key_opens(source: BinaryIO, key: bytes) -> bool:
    """Return whether `key` authenticates the first chunk of the stream in `source`.

    A cheap test of a candidate key (one chunk, not the whole stream); `source` is left
    positioned after that chunk.

    Raises:
        CustodyError: the stream is malformed or truncated before its first chunk ends.
    """
    # Verify the key, then authenticate one chunk.
    if len(key) != KEY_SIZE:
        raise CustodyError(f"a content key is {KEY_SIZE} bytes")
    try:
        next(_iter_chunks(source, key))
    except CustodyError as error:
        if "failed authentication" in str(error):
            return False
        raise
    return True


# --- Shamir t-of-n ----------------------------------------------------------------------------


def split_key(key: bytes, threshold: int, count: int) -> list[Share]:
    """Split a 32-byte key into `count` shares, any `threshold` of which rebuild it.

    Raises:
        CustodyError: the key is not 32 bytes or not 1 ≤ threshold ≤ count ≤ 65535.
    """
    # Verify the key and the parameters.
    if len(key) != KEY_SIZE:
        raise CustodyError(f"a content key is {KEY_SIZE} bytes")
    if not 1 <= threshold <= count <= 0xFFFF:
        raise CustodyError("need 1 ≤ threshold ≤ count ≤ 65535")
    coefficients = [int.from_bytes(key, "big")]
    coefficients += [secrets.randbelow(PRIME) for _ in range(threshold - 1)]
    shares = []
    for x in range(1, count + 1):
        y = 0
        for coefficient in reversed(coefficients):
            y = (y * x + coefficient) % PRIME
        shares.append(Share(x, y))
    return shares


def combine_shares(shares: Sequence[Share]) -> bytes:
    """Rebuild the key from shares by Lagrange interpolation at zero.

    With fewer than the threshold the result is a wrong key (which the AEAD then rejects) or,
    most often, a value that is no 32-byte key at all.

    Raises:
        CustodyError: no shares, repeated or invalid x, or the result is not a 32-byte key.
    """
    # Verify the points are distinct and in range.
    xs = [s.x for s in shares]
    if not shares or len(set(xs)) != len(xs):
        raise CustodyError("need at least one share, with distinct x")
    if any(not 0 < s.x <= 0xFFFF or not 0 <= s.y < PRIME for s in shares):
        raise CustodyError("share out of range")
    secret = 0
    for i, share in enumerate(shares):
        numerator, denominator = 1, 1
        for j, other in enumerate(shares):
            if i != j:
                numerator = numerator * other.x % PRIME
                denominator = denominator * (other.x - share.x) % PRIME
        secret = (secret + share.y * numerator * pow(denominator, -1, PRIME)) % PRIME
    # Verify the result is a key.
    if secret >= 1 << (8 * KEY_SIZE):
        raise CustodyError("the shares do not rebuild a key (too few, or not of one key)")
    return secret.to_bytes(KEY_SIZE, "big")


# --- sealed delivery --------------------------------------------------------------------------


def seal_share(share: Share, buyer_public_key: bytes) -> bytes:
    """Seal a share to the buyer's X25519 public key (only the buyer can open it).

    Raises:
        CustodyError: the public key is not 32 bytes.
    """
    # Verify the public key.
    if len(buyer_public_key) != 32:
        raise CustodyError("an X25519 public key is 32 bytes")
    return bytes(SealedBox(PublicKey(buyer_public_key)).encrypt(share.to_bytes()))


def open_share(sealed: bytes, buyer_private_key: bytes) -> Share:
    """Open a sealed share with the buyer's X25519 private key.

    Raises:
        CustodyError: the private key is not 32 bytes, the box does not open, or the share is
            malformed.
    """
    # Verify the private key, then the box.
    if len(buyer_private_key) != 32:
        raise CustodyError("an X25519 private key is 32 bytes")
    try:
        plain = SealedBox(PrivateKey(buyer_private_key)).decrypt(sealed)
    except CryptoError as error:
        raise CustodyError("the sealed share does not open with this key") from error
    return Share.from_bytes(plain)
