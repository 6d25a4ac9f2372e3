"""Hash functions of Substrate and the storage hashers built on them.

Introduction
------------
Substrate uses two hash families:

* **blake2b** at 128, 256 and 512 bits of output, unkeyed (`sp_core::hashing::blake2_*`);
* **twox**, i.e. xxHash64 run with seeds 0, 1, 2, 3 and the little-endian digests concatenated
  (`sp_core::hashing::twox_*`). It is fast and *not* collision resistant, so FRAME uses it only
  for keys that users cannot choose.

Storage keys are ``twox128(pallet) ++ twox128(item) ++ hasher(SCALE(key))...``. The "concat"
hashers append the encoded key after its hash, which is what makes maps iterable: a client can
strip the hash and decode the key.
"""

from __future__ import annotations

import enum
from hashlib import blake2b
from typing import Final

import xxhash

__all__ = [
    "blake2_128",
    "blake2_256",
    "blake2_512",
    "twox_64",
    "twox_128",
    "twox_256",
    "StorageHasher",
    "storage_prefix",
    "storage_key",
]

_xxh64_intdigest = xxhash.xxh64_intdigest


def blake2_128(data: bytes) -> bytes:
    """Return the 16-byte blake2b digest of `data`."""
    return blake2b(data, digest_size=16).digest()


def blake2_256(data: bytes) -> bytes:
    """Return the 32-byte blake2b digest of `data` (Substrate's `BlakeTwo256`)."""
    return blake2b(data, digest_size=32).digest()


def blake2_512(data: bytes) -> bytes:
    """Return the 64-byte blake2b digest of `data`."""
    return blake2b(data, digest_size=64).digest()


def twox_64(data: bytes) -> bytes:
    """Return xxHash64(seed 0) of `data`, little-endian, 8 bytes."""
    return _xxh64_intdigest(data, 0).to_bytes(8, "little")


def twox_128(data: bytes) -> bytes:
    """Return xxHash64 with seeds 0 and 1 of `data`, each little-endian, 16 bytes."""
    return _xxh64_intdigest(data, 0).to_bytes(8, "little") + _xxh64_intdigest(data, 1).to_bytes(
        8, "little"
    )


def twox_256(data: bytes) -> bytes:
    """Return xxHash64 with seeds 0 to 3 of `data`, each little-endian, 32 bytes."""
    return b"".join(_xxh64_intdigest(data, seed).to_bytes(8, "little") for seed in range(4))


class StorageHasher(enum.IntEnum):
    """The storage hashers of FRAME, numbered as in V14 metadata (`StorageHasher`)."""

    BLAKE2_128 = 0
    BLAKE2_256 = 1
    BLAKE2_128_CONCAT = 2
    TWOX_128 = 3
    TWOX_256 = 4
    TWOX_64_CONCAT = 5
    IDENTITY = 6

    @property
    def metadata_name(self) -> str:
        """The hasher's name as it appears in metadata and in scalecodec (`Blake2_128Concat`)."""
        return _METADATA_NAMES[self]

    @property
    def is_concat(self) -> bool:
        """Whether the hashed key ends with the encoded key itself (so maps can be iterated)."""
        return self in (
            StorageHasher.BLAKE2_128_CONCAT,
            StorageHasher.TWOX_64_CONCAT,
            StorageHasher.IDENTITY,
        )

    @property
    def hash_length(self) -> int:
        """How many bytes of hash precede the encoded key (0 for `Identity`)."""
        return _HASH_LENGTHS[self]

    def hash(self, encoded_key: bytes) -> bytes:
        """Hash an already SCALE-encoded key the way this hasher does inside a storage key."""
        if self is StorageHasher.BLAKE2_128_CONCAT:
            return blake2b(encoded_key, digest_size=16).digest() + encoded_key
        if self is StorageHasher.TWOX_64_CONCAT:
            return _xxh64_intdigest(encoded_key, 0).to_bytes(8, "little") + encoded_key
        if self is StorageHasher.IDENTITY:
            return encoded_key
        if self is StorageHasher.BLAKE2_128:
            return blake2_128(encoded_key)
        if self is StorageHasher.BLAKE2_256:
            return blake2_256(encoded_key)
        if self is StorageHasher.TWOX_128:
            return twox_128(encoded_key)
        return twox_256(encoded_key)


_METADATA_NAMES: Final = {
    StorageHasher.BLAKE2_128: "Blake2_128",
    StorageHasher.BLAKE2_256: "Blake2_256",
    StorageHasher.BLAKE2_128_CONCAT: "Blake2_128Concat",
    StorageHasher.TWOX_128: "Twox128",
    StorageHasher.TWOX_256: "Twox256",
    StorageHasher.TWOX_64_CONCAT: "Twox64Concat",
    StorageHasher.IDENTITY: "Identity",
}

_HASH_LENGTHS: Final = {
    StorageHasher.BLAKE2_128: 16,
    StorageHasher.BLAKE2_256: 32,
    StorageHasher.BLAKE2_128_CONCAT: 16,
    StorageHasher.TWOX_128: 16,
    StorageHasher.TWOX_256: 32,
    StorageHasher.TWOX_64_CONCAT: 8,
    StorageHasher.IDENTITY: 0,
}


def storage_prefix(pallet: str, item: str) -> bytes:
    """Return ``twox128(pallet) ++ twox128(item)``, the 32-byte prefix of a storage item."""
    return twox_128(pallet.encode()) + twox_128(item.encode())


def storage_key(
    pallet: str,
    item: str,
    keys: tuple[tuple[StorageHasher, bytes], ...] = (),
) -> bytes:
    """Build a full storage key from the item's names and its hashed, SCALE-encoded keys.

    Args:
        pallet: The pallet's storage prefix (usually its name, e.g. ``"System"``).
        item: The storage item's name (e.g. ``"Account"``).
        keys: One ``(hasher, encoded_key)`` pair per key of the map, in declaration order;
            empty for a plain storage value.

    Returns:
        ``twox128(pallet) ++ twox128(item) ++ hasher_1(key_1) ++ ... ++ hasher_n(key_n)``.
    """
    return storage_prefix(pallet, item) + b"".join(hasher.hash(key) for hasher, key in keys)
