"""The licence box key: derived from the signing key, deterministic, per account, sealable."""

from __future__ import annotations

import pytest
from nacl.bindings import crypto_scalarmult_base
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from deepshard.primitives.crypto import Keypair, KeyType
from deepshard.primitives.crypto.box_key import (
    BOX_KEY_LENGTH,
    licence_box_keypair,
    licence_box_public_key,
)

DEV_URIS = ("//Alice", "//Bob", "//Charlie", "//Alice//stash")
SOFT_URIS = ("//Alice/soft", "//Alice/other")


@pytest.mark.parametrize("key_type", [KeyType.SR25519, KeyType.ED25519])
def test_a_box_sealed_to_the_public_key_opens_with_the_secret(key_type: KeyType) -> None:
    secret, public = licence_box_keypair(Keypair.from_uri("//Alice", key_type))
    assert len(secret) == len(public) == BOX_KEY_LENGTH
    sealed = SealedBox(PublicKey(public)).encrypt(b"a key share")
    assert SealedBox(PrivateKey(secret)).decrypt(sealed) == b"a key share"
    # The public key is the X25519 base-point multiple of the clamped secret (libsodium).
    assert crypto_scalarmult_base(secret) == public


def test_another_accounts_secret_does_not_open_the_box() -> None:
    _, alice_public = licence_box_keypair(Keypair.from_uri("//Alice"))
    bob_secret, _ = licence_box_keypair(Keypair.from_uri("//Bob"))
    sealed = SealedBox(PublicKey(alice_public)).encrypt(b"share")
    with pytest.raises(CryptoError):
        SealedBox(PrivateKey(bob_secret)).decrypt(sealed)


def test_different_accounts_and_schemes_get_different_keys() -> None:
    keys = {
        licence_box_public_key(Keypair.from_uri(uri, key_type))
        for uri in DEV_URIS
        for key_type in (KeyType.SR25519, KeyType.ED25519)
    }
    soft = {licence_box_public_key(Keypair.from_uri(uri)) for uri in SOFT_URIS}
    assert len(keys) == 2 * len(DEV_URIS)
    assert len(soft) == len(SOFT_URIS)
    assert not soft & keys


def test_a_soft_derived_sr25519_pair_keeps_its_box_key() -> None:
    # Soft derivation draws a fresh nonce half; the box key depends on the scalar only.
    first, again = Keypair.from_uri("//Alice/soft"), Keypair.from_uri("//Alice/soft")
    assert licence_box_keypair(first) == licence_box_keypair(again)


@pytest.mark.parametrize("key_type", [KeyType.SR25519, KeyType.ED25519])
def test_the_box_key_is_deterministic(key_type: KeyType) -> None:
    first = Keypair.from_uri("//Alice", key_type)
    again = Keypair.from_uri("//Alice", key_type)
    from_secret = Keypair.from_secret_key(first.secret_key, key_type)
    assert licence_box_keypair(first) == licence_box_keypair(again)
    assert licence_box_keypair(first) == licence_box_keypair(from_secret)


def test_the_box_key_is_not_the_signing_key() -> None:
    pair = Keypair.from_uri("//Alice", KeyType.ED25519)
    secret, public = licence_box_keypair(pair)
    assert secret != pair.secret_key[:32]
    assert public != pair.public_key
