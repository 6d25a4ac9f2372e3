"""Node identity: the ed25519 node key and the libp2p-style peer id derived from it.

A node signs its session handshakes with an ed25519 *node key* (not an account or session
key). Its peer id is what libp2p and Substrate print (``12D3KooW…``):

* the public key in libp2p's protobuf ``PublicKey`` message: field 1 ``Type`` = 1 (Ed25519),
  field 2 ``Data`` = the 32 key bytes, i.e. ``08 01 12 20 <key>`` (36 bytes);
* wrapped in the *identity* multihash (code ``0x00``, length ``0x24``), as keys of at most
  42 encoded bytes are;
* written in base58btc.

The node key is given as 64 hex digits (``--node-key``, like Substrate's), read from a file
holding the hex or the 32 raw bytes (``--node-key-file``), or generated and kept in the node's
base path on first start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import base58
import nacl.exceptions
import nacl.signing

__all__ = [
    "NodeKeyError",
    "PeerId",
    "NodeKey",
    "PUBLIC_KEY_PREFIX",
]

PUBLIC_KEY_PREFIX: Final = bytes((0x00, 0x24, 0x08, 0x01, 0x12, 0x20))
"""Identity multihash (code, length 36) then the protobuf tag/type/tag/length of an Ed25519 key."""

_SEED_LENGTH: Final = 32


class NodeKeyError(ValueError):
    """A node key or a peer id is malformed; the message says how."""


@dataclass(frozen=True, slots=True, order=True)
class PeerId:
    """A peer's identity: the multihash of its ed25519 node public key."""

    public_key: bytes
    """The 32-byte ed25519 public key."""

    def __post_init__(self) -> None:
        if len(self.public_key) != _SEED_LENGTH:
            raise NodeKeyError("an ed25519 public key is 32 bytes")

    def to_bytes(self) -> bytes:
        """The multihash bytes (38 bytes)."""
        return PUBLIC_KEY_PREFIX + self.public_key

    def to_base58(self) -> str:
        """The printed form, ``12D3KooW…``."""
        return base58.b58encode(self.to_bytes()).decode("ascii")

    def __str__(self) -> str:
        return self.to_base58()

    def __repr__(self) -> str:
        return f"PeerId({self.to_base58()})"

    @classmethod
    def from_bytes(cls, raw: bytes) -> PeerId:
        """Parse the multihash bytes.

        Raises:
            NodeKeyError: not the identity multihash of an ed25519 key.
        """
        if len(raw) != len(PUBLIC_KEY_PREFIX) + _SEED_LENGTH or not raw.startswith(
            PUBLIC_KEY_PREFIX
        ):
            raise NodeKeyError("not the peer id of an ed25519 node key")
        return cls(raw[len(PUBLIC_KEY_PREFIX) :])

    @classmethod
    def from_base58(cls, text: str) -> PeerId:
        """Parse a printed peer id.

        Raises:
            NodeKeyError: not base58, or not the identity multihash of an ed25519 key.
        """
        try:
            raw = base58.b58decode(text.strip())
        except ValueError as error:
            raise NodeKeyError(f"{text!r} is not base58: {error}") from error
        try:
            return cls.from_bytes(raw)
        except NodeKeyError as error:
            raise NodeKeyError(f"{text!r} is not the peer id of an ed25519 node key") from error

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` is this peer's ed25519 signature of `message`."""
        try:
            nacl.signing.VerifyKey(self.public_key).verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, TypeError):
            return False
        return True


class NodeKey:
    """An ed25519 node key (secret seed and public key)."""

    __slots__ = ("_signing", "peer_id")

    def __init__(self, seed: bytes) -> None:
        """Wrap a 32-byte secret seed.

        Raises:
            NodeKeyError: the seed is not 32 bytes.
        """
        if len(seed) != _SEED_LENGTH:
            raise NodeKeyError(f"a node key is 32 bytes, not {len(seed)}")
        self._signing = nacl.signing.SigningKey(seed)
        self.peer_id = PeerId(bytes(self._signing.verify_key))
        """The peer id of this key."""

    @classmethod
    def generate(cls) -> NodeKey:
        """A fresh random node key."""
        return cls(os.urandom(_SEED_LENGTH))

    @classmethod
    def from_hex(cls, text: str) -> NodeKey:
        """Parse 64 hex digits (an optional ``0x`` prefix is allowed).

        Raises:
            NodeKeyError: not 32 bytes of hex.
        """
        digits = text.strip().removeprefix("0x")
        try:
            seed = bytes.fromhex(digits)
        except ValueError as error:
            raise NodeKeyError(f"the node key is not hex: {error}") from error
        return cls(seed)

    @classmethod
    def from_file(cls, path: Path) -> NodeKey:
        """Read a key file: 64 hex digits (optionally ``0x``-prefixed) or 32 raw bytes.

        Raises:
            NodeKeyError: the file is missing or holds neither form.
        """
        try:
            content = path.read_bytes()
        except OSError as error:
            raise NodeKeyError(f"{path}: cannot read the node key: {error}") from error
        if len(content) == _SEED_LENGTH:
            return cls(content)
        try:
            return cls.from_hex(content.decode("ascii"))
        except (UnicodeDecodeError, NodeKeyError) as error:
            raise NodeKeyError(f"{path}: not a node key (64 hex digits or 32 bytes)") from error

    @classmethod
    def load_or_create(cls, path: Path) -> NodeKey:
        """Read the key at `path`, or create it there (owner-only permissions) if absent.

        Raises:
            NodeKeyError: the file exists but is not a node key, or cannot be written.
        """
        if path.exists():
            return cls.from_file(path)
        key = cls.generate()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(key.secret_hex())
        except OSError as error:
            raise NodeKeyError(f"{path}: cannot store the node key: {error}") from error
        return key

    def secret_hex(self) -> str:
        """The secret seed as 64 hex digits (what ``--node-key`` takes)."""
        return bytes(self._signing).hex()

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte ed25519 signature of `message`."""
        return bytes(self._signing.sign(message).signature)
