"""SS58 addresses: Substrate's base-58 check encoding of account ids.

Introduction
------------
An address is ``base58(prefix ++ payload ++ checksum)`` where

* ``prefix`` names the network (42 is the generic Substrate prefix). Prefixes 0..63 take one
  byte; 64..16383 take two: ``01aaaaaa bbcccccc`` holds the 14-bit number ``aaaaaabb 00cccccc``
  (sp-core `Ss58Codec::to_ss58check_with_version`). 46 and 47 are reserved and refused.
* ``payload`` is a 32-byte account id (or a 33-byte compressed ECDSA key), or a 1, 2, 4 or
  8-byte little-endian account index as polkadot.js writes them.
* ``checksum`` is the first bytes of ``blake2b-512(b"SS58PRE" ++ prefix ++ payload)``: two
  for 32/33-byte payloads, one for account indices.

Decoding checks, in order: the alphabet, the length, the prefix (first byte below 128, not
reserved), the checksum, and finally the prefix the caller expects, so a `PrefixMismatch`
always means a well-formed address of another network. As in Substrate, a two-byte prefix
form of a number below 64 is accepted when decoding although it is never produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import base58

from deepshard.primitives.crypto.errors import (
    InvalidAddressLength,
    InvalidBase58,
    InvalidChecksum,
    InvalidPrefix,
    PrefixMismatch,
    ReservedPrefix,
    Ss58Error,
)
from deepshard.primitives.hashing import blake2_512

__all__ = [
    "DEFAULT_SS58_PREFIX",
    "MAX_SS58_PREFIX",
    "RESERVED_SS58_PREFIXES",
    "Ss58Address",
    "ss58_encode",
    "ss58_decode",
    "decode_account_id",
    "is_valid_ss58_address",
]

DEFAULT_SS58_PREFIX: Final = 42
"""The generic Substrate network prefix (addresses starting with ``5``)."""

MAX_SS58_PREFIX: Final = 16383
"""The largest prefix the two-byte form can carry (14 bits)."""

RESERVED_SS58_PREFIXES: Final = frozenset({46, 47})
"""Prefixes the SS58 registry reserves; Substrate refuses addresses that use them."""

_CHECKSUM_PREFIX: Final = b"SS58PRE"
_ALPHABET: Final = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_CHECKSUM_LENGTHS: Final = {1: 1, 2: 1, 4: 1, 8: 1, 32: 2, 33: 2}
"""Checksum length by payload length: account indices carry one byte, keys two."""
_BODY_LENGTHS: Final = {n + c: (n, c) for n, c in _CHECKSUM_LENGTHS.items()}
"""(payload length, checksum length) by the length of payload plus checksum."""


@dataclass(frozen=True, slots=True)
class Ss58Address:
    """A decoded SS58 address."""

    prefix: int
    """The network prefix, 0..16383 (never 46 or 47)."""
    payload: bytes
    """The account id (32 bytes), compressed key (33 bytes) or account index (1/2/4/8 bytes)."""


def _check_prefix(prefix: int) -> None:
    if not 0 <= prefix <= MAX_SS58_PREFIX:
        raise InvalidPrefix(f"SS58 prefix {prefix} is outside 0..{MAX_SS58_PREFIX}")
    if prefix in RESERVED_SS58_PREFIXES:
        raise ReservedPrefix(f"SS58 prefix {prefix} is reserved")


def _prefix_bytes(prefix: int) -> bytes:
    if prefix < 64:
        return bytes((prefix,))
    # 01aaaaaa bbcccccc carries the 14-bit number aaaaaabb 00cccccc (sp-core `to_ss58check`)
    first = ((prefix & 0b1111_1100) >> 2) | 0b0100_0000
    second = (prefix >> 8) | ((prefix & 0b0000_0011) << 6)
    return bytes((first, second))


def ss58_encode(payload: bytes, prefix: int = DEFAULT_SS58_PREFIX) -> str:
    """Encode an account id (or account index bytes) as an SS58 address.

    Args:
        payload: 32-byte account id, 33-byte compressed key, or a 1/2/4/8-byte account index.
        prefix: Network prefix, 0..16383 except 46 and 47.

    Raises:
        InvalidPrefix: `prefix` is outside 0..16383.
        ReservedPrefix: `prefix` is 46 or 47.
        InvalidAddressLength: `payload` is not 1, 2, 4, 8, 32 or 33 bytes long.
    """
    _check_prefix(prefix)
    checksum_length = _CHECKSUM_LENGTHS.get(len(payload))
    if checksum_length is None:
        raise InvalidAddressLength(
            f"SS58 payload must be 1, 2, 4, 8, 32 or 33 bytes, got {len(payload)}"
        )
    body = _prefix_bytes(prefix) + bytes(payload)
    checksum = blake2_512(_CHECKSUM_PREFIX + body)[:checksum_length]
    return base58.b58encode(body + checksum).decode("ascii")


def ss58_decode(address: str, *, expected_prefix: int | None = None) -> Ss58Address:
    """Decode an SS58 address into its prefix and payload.

    Args:
        address: The address text.
        expected_prefix: If given, the prefix the address must carry.

    Raises:
        InvalidBase58: `address` has a character outside the base-58 alphabet.
        InvalidAddressLength: the decoded bytes have no valid SS58 length.
        InvalidPrefix: the first byte is 128 or more.
        ReservedPrefix: the prefix is 46 or 47.
        InvalidChecksum: the checksum does not match.
        PrefixMismatch: the address is valid but its prefix is not `expected_prefix`.
    """
    if not address:
        raise InvalidAddressLength("empty SS58 address")
    bad = next((ch for ch in address if ch not in _ALPHABET), None)
    if bad is not None:
        raise InvalidBase58(f"{bad!r} is not a base-58 character (in SS58 address {address!r})")
    data = base58.b58decode(address)
    if len(data) < 2:
        raise InvalidAddressLength(f"SS58 address {address!r} decodes to only {len(data)} byte(s)")
    first = data[0]
    if first < 64:
        prefix, prefix_length = first, 1
    elif first < 128:
        lower = ((first << 2) | (data[1] >> 6)) & 0xFF
        prefix, prefix_length = lower | ((data[1] & 0b0011_1111) << 8), 2
    else:
        raise InvalidPrefix(f"SS58 address {address!r} starts with byte {first:#04x} (>= 0x80)")
    lengths = _BODY_LENGTHS.get(len(data) - prefix_length)
    if lengths is None:
        raise InvalidAddressLength(
            f"SS58 address {address!r} decodes to {len(data)} bytes, "
            "not a prefix plus a 1/2/4/8/32/33-byte payload and its checksum"
        )
    payload_length, checksum_length = lengths
    if prefix in RESERVED_SS58_PREFIXES:
        raise ReservedPrefix(f"SS58 address {address!r} uses reserved prefix {prefix}")
    body_end = prefix_length + payload_length
    expected_checksum = blake2_512(_CHECKSUM_PREFIX + data[:body_end])[:checksum_length]
    if data[body_end:] != expected_checksum:
        raise InvalidChecksum(f"SS58 address {address!r} has a bad checksum")
    if expected_prefix is not None and prefix != expected_prefix:
        raise PrefixMismatch(expected_prefix, prefix)
    return Ss58Address(prefix, data[prefix_length:body_end])


def decode_account_id(address: str, *, expected_prefix: int | None = None) -> bytes:
    """Decode an SS58 address that must hold a 32-byte account id; return the id.

    Raises:
        InvalidAddressLength: the address is valid but holds something other than 32 bytes.
        Ss58Error: any error of `ss58_decode`.
    """
    decoded = ss58_decode(address, expected_prefix=expected_prefix)
    if len(decoded.payload) != 32:
        raise InvalidAddressLength(
            f"SS58 address {address!r} holds {len(decoded.payload)} bytes, not a 32-byte account id"
        )
    return decoded.payload


def is_valid_ss58_address(address: str, expected_prefix: int | None = None) -> bool:
    """Whether `address` decodes as SS58 (with the expected prefix, if one is given)."""
    try:
        ss58_decode(address, expected_prefix=expected_prefix)
    except Ss58Error:
        return False
    return True
