"""ed25519 (RFC 8032) as Substrate uses it: ed25519-zebra keys and ZIP-215 verification.

Introduction
------------
Thin, typed wrappers over `py-ed25519-zebra-bindings`, the same `ed25519-zebra` crate that
sp-core uses, so verification follows the same (ZIP-215) rules: non-canonical point encodings
are accepted and the cofactored equation is checked. The secret key *is* the 32-byte seed.

Derivation is hard only (sp-core `ed25519::Pair::derive`): the child seed is
``blake2_256(SCALE(("Ed25519HDKD", seed, chain_code)))``, i.e. the hash of
``compact(11) ++ b"Ed25519HDKD" ++ seed ++ chain_code``. Soft junctions are an error.
"""

from __future__ import annotations

from typing import Final

import ed25519_zebra

from deepshard.primitives.codec import encode_compact
from deepshard.primitives.crypto.errors import InvalidSeed
from deepshard.primitives.crypto.key_type import PUBLIC_KEY_LENGTH, SEED_LENGTH, SIGNATURE_LENGTH
from deepshard.primitives.hashing import blake2_256

__all__ = [
    "HDKD_TAG",
    "pair_from_seed",
    "sign",
    "verify",
    "derive_hard",
]

HDKD_TAG: Final = b"Ed25519HDKD"
"""The domain tag of ed25519 hard derivation, SCALE-encoded as a string before the seed."""

_HDKD_PREFIX: Final = encode_compact(len(HDKD_TAG)) + HDKD_TAG
_ed_sign = ed25519_zebra.ed_sign
_ed_verify = ed25519_zebra.ed_verify


def pair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """Return ``(public_key, secret_key)`` for a 32-byte seed; the secret key is the seed.

    Raises:
        InvalidSeed: `seed` is not 32 bytes.
    """
    if len(seed) != SEED_LENGTH:
        raise InvalidSeed(f"an ed25519 seed is {SEED_LENGTH} bytes, got {len(seed)}")
    secret, public = ed25519_zebra.ed_from_seed(bytes(seed))
    return bytes(public), bytes(secret)


def sign(secret_key: bytes, message: bytes) -> bytes:
    """Sign `message` (RFC 8032, deterministic); return the 64-byte signature."""
    return bytes(_ed_sign(secret_key, bytes(message)))


def verify(signature: bytes, message: bytes, public_key: bytes) -> bool:
    """Whether `signature` is a valid signature of `message` by `public_key` (ZIP-215 rules).

    Never raises: wrong lengths and invalid points are simply invalid. Arguments must be
    `bytes` (callers convert other buffers).
    """
    if len(signature) != SIGNATURE_LENGTH or len(public_key) != PUBLIC_KEY_LENGTH:
        return False
    try:
        return bool(_ed_verify(signature, message, public_key))
    except (ValueError, TypeError):
        return False


def derive_hard(seed: bytes, chain_code: bytes) -> bytes:
    """Apply one hard junction to a seed; return the child seed."""
    return blake2_256(_HDKD_PREFIX + seed + chain_code)
