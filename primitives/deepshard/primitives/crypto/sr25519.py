"""sr25519: Schnorr signatures over Ristretto25519 (schnorrkel), as Substrate uses them.

Introduction
------------
Thin, typed wrappers over `py-sr25519-bindings` (schnorrkel), fixing Substrate's choices:

* a 32-byte seed is a `MiniSecretKey` expanded in *Ed25519 mode*; the secret key is 64 bytes
  (32-byte scalar ++ 32-byte nonce);
* signatures use the signing context ``b"substrate"`` and carry schnorrkel's marker bit, so
  pre-0.8 ("deprecated") signatures are refused, as sp-core `sr25519::Pair::verify` does;
* a hard junction is `SecretKey::hard_derive_mini_secret_key(chain_code, b"")` expanded in
  Ed25519 mode; a soft junction is `derived_key_simple(chain_code, b"")`, which also works on
  the public key alone. Schnorrkel draws a fresh random *nonce* half for soft-derived secret
  keys, so two soft derivations of one key have equal public keys but different secret bytes.

Signing is randomised (schnorrkel adds fresh randomness), so signatures are not reproducible.
"""

from __future__ import annotations

from typing import Final

import sr25519

from deepshard.primitives.crypto.errors import InvalidPublicKey, InvalidSecretKey, InvalidSeed
from deepshard.primitives.crypto.key_type import PUBLIC_KEY_LENGTH, SEED_LENGTH, SIGNATURE_LENGTH

__all__ = [
    "SECRET_KEY_LENGTH",
    "SIGNING_CONTEXT",
    "pair_from_seed",
    "public_from_secret",
    "sign",
    "verify",
    "derive_hard",
    "derive_soft",
    "derive_public_soft",
    "secret_to_ed25519_expanded",
    "secret_from_ed25519_expanded",
]

SECRET_KEY_LENGTH: Final = 64
"""Bytes in an expanded schnorrkel secret key: scalar (32) ++ nonce (32)."""

SIGNING_CONTEXT: Final = b"substrate"
"""The schnorrkel signing context of every Substrate sr25519 signature (sp-core `SIGNING_CTX`)."""

_sr_sign = sr25519.sign
_sr_verify = sr25519.verify
_NO_MESSAGE: Final = b""


def pair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """Return ``(public_key, secret_key)`` for a 32-byte mini-secret seed.

    Raises:
        InvalidSeed: `seed` is not 32 bytes.
    """
    if len(seed) != SEED_LENGTH:
        raise InvalidSeed(f"an sr25519 seed is {SEED_LENGTH} bytes, got {len(seed)}")
    public, secret = sr25519.pair_from_seed(bytes(seed))
    return bytes(public), bytes(secret)


def public_from_secret(secret_key: bytes) -> bytes:
    """Return the public key of a 64-byte secret key.

    Raises:
        InvalidSecretKey: `secret_key` is not a valid 64-byte schnorrkel secret key.
    """
    if len(secret_key) != SECRET_KEY_LENGTH:
        raise InvalidSecretKey(
            f"an sr25519 secret key is {SECRET_KEY_LENGTH} bytes, got {len(secret_key)}"
        )
    try:
        return bytes(sr25519.public_from_secret_key(bytes(secret_key)))
    except ValueError:
        raise InvalidSecretKey("not a valid sr25519 secret key") from None


def sign(public_key: bytes, secret_key: bytes, message: bytes) -> bytes:
    """Sign `message` in the ``substrate`` context; return the 64-byte signature."""
    return bytes(_sr_sign((public_key, secret_key), bytes(message)))


def verify(signature: bytes, message: bytes, public_key: bytes) -> bool:
    """Whether `signature` is a valid signature of `message` by `public_key`.

    Never raises: wrong lengths, unmarked (deprecated) signatures and invalid points are
    simply invalid. Arguments must be `bytes` (callers convert other buffers).
    """
    if len(signature) != SIGNATURE_LENGTH or len(public_key) != PUBLIC_KEY_LENGTH:
        return False
    try:
        return bool(_sr_verify(signature, message, public_key))
    except (ValueError, TypeError):
        return False


def derive_hard(public_key: bytes, secret_key: bytes, chain_code: bytes) -> tuple[bytes, bytes]:
    """Apply one hard junction; return the child ``(public_key, secret_key)``."""
    extended = (chain_code, public_key, secret_key)
    _, public, secret = sr25519.hard_derive_keypair(extended, _NO_MESSAGE)
    return bytes(public), bytes(secret)


def derive_soft(public_key: bytes, secret_key: bytes, chain_code: bytes) -> tuple[bytes, bytes]:
    """Apply one soft junction; return the child ``(public_key, secret_key)``."""
    extended = (chain_code, public_key, secret_key)
    _, public, secret = sr25519.derive_keypair(extended, _NO_MESSAGE)
    return bytes(public), bytes(secret)


def derive_public_soft(public_key: bytes, chain_code: bytes) -> bytes:
    """Apply one soft junction to a public key alone; return the child public key.

    Raises:
        InvalidPublicKey: `public_key` is not a 32-byte encoding of a Ristretto point.
    """
    if len(public_key) != PUBLIC_KEY_LENGTH:
        raise InvalidPublicKey(
            f"an sr25519 public key is {PUBLIC_KEY_LENGTH} bytes, got {len(public_key)}"
        )
    try:
        _, public = sr25519.derive_pubkey((chain_code, bytes(public_key)), _NO_MESSAGE)
    except ValueError:
        raise InvalidPublicKey("not a valid sr25519 public key") from None
    return bytes(public)


def secret_to_ed25519_expanded(secret_key: bytes) -> bytes:
    """The "ed25519-expanded" form of a 64-byte secret key, as polkadot.js keystores store it.

    Schnorrkel keeps the scalar divided by the cofactor; the expanded form multiplies it back
    (`SecretKey::to_ed25519_bytes`). The nonce half is unchanged.

    Raises:
        InvalidSecretKey: `secret_key` is not a valid 64-byte schnorrkel secret key.
    """
    public_from_secret(secret_key)  # validates
    return bytes(sr25519.convert_secret_key_to_ed25519(bytes(secret_key)))


def secret_from_ed25519_expanded(expanded: bytes) -> tuple[bytes, bytes]:
    """Return ``(public_key, secret_key)`` from the ed25519-expanded form (a keystore's secret).

    Raises:
        InvalidSecretKey: `expanded` is not 64 bytes or not a valid expanded key.
    """
    if len(expanded) != SECRET_KEY_LENGTH:
        raise InvalidSecretKey(
            f"an expanded sr25519 secret key is {SECRET_KEY_LENGTH} bytes, got {len(expanded)}"
        )
    try:
        public, secret = sr25519.pair_from_ed25519_secret_key(bytes(expanded))
    except ValueError:
        raise InvalidSecretKey("not a valid ed25519-expanded sr25519 secret key") from None
    return bytes(public), bytes(secret)
