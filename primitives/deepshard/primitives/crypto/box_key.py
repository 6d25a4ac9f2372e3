"""The X25519 box key of an account: what licence key shares are sealed to.

Introduction
------------
A Deepshard account signs with sr25519 or ed25519; the key shares of a weight licence are
sealed (libsodium ``crypto_box_seal``) to an X25519 key. Rather than make a user keep a second
secret, the box key is derived from the signing key, so ``--key //Alice`` names both::

    box secret = blake2_256(DOMAIN ‖ key type (1 byte) ‖ secret material)
    box public = X25519(box secret, base point)     (the secret clamped, as libsodium does)

The secret material is the 32-byte seed of an ed25519 pair and the 32-byte scalar half of an
sr25519 expanded secret (its nonce half is not stable across equal pairs, the scalar is). The
domain string keeps the derived key independent of every other use of the same secret; the
hash is one-way, so publishing the box public key reveals nothing about the signing key.
"""

from __future__ import annotations

from typing import Final

from nacl.public import PrivateKey

from deepshard.primitives.crypto.keypair import Keypair
from deepshard.primitives.hashing import blake2_256

__all__ = ["BOX_KEY_DOMAIN", "BOX_KEY_LENGTH", "licence_box_keypair", "licence_box_public_key"]

BOX_KEY_DOMAIN: Final = b"deepshard/licence-box-key/v1"
"""The domain separator hashed before the secret material."""
BOX_KEY_LENGTH: Final = 32
"""Bytes in an X25519 secret or public key."""


def _secret_material(keypair: Keypair) -> bytes:
    """The stable 32 secret bytes of a key pair: the ed25519 seed or the sr25519 scalar.

    Both are the first 32 bytes of `Keypair.secret_key` (the whole ed25519 seed; the scalar
    half of the sr25519 expanded secret).
    """
    return bytes(keypair.secret_key[:32])


def licence_box_keypair(keypair: Keypair) -> tuple[bytes, bytes]:
    """The ``(secret, public)`` X25519 box key pair of an account's signing key pair.

    Deterministic: the same account always gets the same box key; different accounts get
    different ones.
    """
    material = _secret_material(keypair)
    secret = blake2_256(BOX_KEY_DOMAIN + bytes([int(keypair.key_type)]) + material)
    public = bytes(PrivateKey(secret).public_key)
    return secret, public


def licence_box_public_key(keypair: Keypair) -> bytes:
    """The X25519 public box key of an account (what `bond_keeper` and `buy` publish)."""
    return licence_box_keypair(keypair)[1]
