"""Key pairs: published vectors, and agreement with py-substrate-interface and polkadot.js."""

from __future__ import annotations

from typing import Any

import bip39
import pytest
from hypothesis import given
from hypothesis import strategies as st
from substrateinterface import Keypair as SiKeypair
from substrateinterface import KeypairType as SiKeypairType

from deepshard.primitives.crypto import (
    DEV_ADDRESS,
    DEV_PHRASE,
    MAX_SS58_PREFIX,
    MNEMONIC_WORD_COUNTS,
    DeriveJunction,
    HardDerivationOfPublicKey,
    InvalidPublicKey,
    InvalidSecretKey,
    InvalidSeed,
    Keypair,
    KeyType,
    SoftDerivationUnsupported,
    UnsupportedKeyType,
    derive_public_key,
    generate_mnemonic,
    sr25519,
    verify,
)

SR = KeyType.SR25519
ED = KeyType.ED25519
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")

seeds = st.binary(min_size=32, max_size=32)
prefixes = st.integers(0, MAX_SS58_PREFIX).filter(lambda p: p not in (46, 47))
messages = st.binary(max_size=300)
# Junction names py-substrate-interface handles as Substrate does: ASCII u64 numbers, and
# strings it does not mistake for numbers (`str.isnumeric`).
names = st.one_of(
    st.integers(0, 2**64 - 1).map(str),
    st.text(
        st.characters(exclude_characters="/", exclude_categories=["Cs"]),
        min_size=1,
        max_size=48,
    ).filter(lambda n: not n.isnumeric()),
)
junctions = st.tuples(st.sampled_from(["/", "//"]), names).map("".join)
hard_junctions = names.map(lambda n: "//" + n)
paths = st.lists(junctions, min_size=1, max_size=4).map("".join)


def si_type(key_type: KeyType) -> int:
    return int(SiKeypairType.SR25519 if key_type is SR else SiKeypairType.ED25519)


# --- published vectors (sp-core tests, subkey, polkadot.js) ---------------------------------------


def test_sp_core_seed_vectors() -> None:
    sr = Keypair.from_seed(RFC8032_SEED)
    assert sr.public_key.hex() == "44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f"
    ed = Keypair.from_seed(RFC8032_SEED, ED)
    assert ed.public_key.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    # RFC 8032 test 1: the empty message.
    assert ed.sign(b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
        "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    seed = b"12345678901234567890123456789012"
    assert Keypair.from_seed(seed).public_key.hex().startswith("741c08a06f41c596608f6774259bd904")
    assert (
        Keypair.from_seed(seed, ED).public_key.hex().startswith("2f8c6129d816cf51c374bc7f08c3e63e")
    )


def test_sp_core_derivation_vectors() -> None:
    # ed25519 `seed_and_derive_should_work`: a hard junction with an all-zero chain code.
    derived = Keypair.from_seed(RFC8032_SEED, ED).derive([DeriveJunction(bytes(32), is_hard=True)])
    assert derived.seed is not None
    assert derived.seed.hex() == "ede3354e133f9c8e337ddd6ee5415ed4b4ffe5fc7d21e933f4930a3730e5b21c"
    # sr25519 `derive_soft_known_pair_should_work` / `derive_hard_known_pair_should_work`.
    soft = Keypair.from_uri(f"{DEV_PHRASE}/Alice")
    assert (
        soft.public_key.hex() == "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e"
    )
    hard = Keypair.from_uri(f"{DEV_PHRASE}//Alice")
    assert (
        hard.public_key.hex() == "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
    )
    assert Keypair.from_uri("/Alice") == soft
    assert Keypair.from_uri("").ss58_address() == DEV_ADDRESS
    assert Keypair.from_uri(DEV_PHRASE).ss58_address() == DEV_ADDRESS


def test_alice_in_both_schemes() -> None:
    alice = Keypair.from_uri("//Alice")
    assert alice.ss58_address() == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    alice_ed = Keypair.from_uri("//Alice", ED)
    assert alice_ed.public_key.hex() == (
        "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee"
    )
    assert alice_ed.ss58_address() == "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu"


def test_password_is_the_bip39_salt() -> None:
    # sp-core `default_phrase_should_be_used`.
    with_uri_password = Keypair.from_uri("//Alice///password")
    with_override = Keypair.from_uri(f"{DEV_PHRASE}//Alice", password="password")
    assert with_uri_password == with_override
    assert with_uri_password != Keypair.from_uri("//Alice")
    assert Keypair.from_uri("//Alice///other", password="password") == with_override
    # An empty password is no password.
    assert Keypair.from_uri(f"{DEV_PHRASE}///") == Keypair.from_uri(DEV_PHRASE)


def test_polkadot_js_keyring_vectors(polkadot_js_vectors: dict[str, Any]) -> None:
    checked = 0
    for vector in polkadot_js_vectors["keys"]:
        key_type = SR if vector["key_type"] == "sr25519" else ED
        pair = Keypair.from_uri(vector["suri"], key_type)
        assert "0x" + pair.public_key.hex() == vector["public_key"], vector["suri"]
        assert pair.ss58_address() == vector["address"], vector["suri"]
        checked += 1
    assert checked == 70


# --- agreement with py-substrate-interface ------------------------------------------------------


@given(seeds, prefixes, st.sampled_from([SR, ED]))
def test_from_seed_agrees_with_substrate_interface(
    seed: bytes, prefix: int, key_type: KeyType
) -> None:
    ours = Keypair.from_seed(seed, key_type)
    theirs = SiKeypair.create_from_seed(
        seed.hex(), ss58_format=prefix, crypto_type=si_type(key_type)
    )
    assert ours.public_key == theirs.public_key
    assert ours.ss58_address(prefix) == theirs.ss58_address
    if key_type is ED:
        assert ours.secret_key == theirs.private_key


@pytest.mark.parametrize("key_type", [SR, ED])
@pytest.mark.parametrize("words", MNEMONIC_WORD_COUNTS)
def test_from_mnemonic_agrees_with_substrate_interface(key_type: KeyType, words: int) -> None:
    for _ in range(8):
        phrase = generate_mnemonic(words)
        ours = Keypair.from_mnemonic(phrase, key_type=key_type)
        theirs = SiKeypair.create_from_mnemonic(phrase, crypto_type=si_type(key_type))
        assert ours.public_key == theirs.public_key, phrase
        assert ours.ss58_address() == theirs.ss58_address, phrase


@given(st.sampled_from(["", DEV_PHRASE, generate_mnemonic(12), generate_mnemonic(24)]), paths)
def test_sr25519_uris_agree_with_substrate_interface(phrase: str, path: str) -> None:
    uri = phrase + path
    ours = Keypair.from_uri(uri)
    theirs = SiKeypair.create_from_uri(uri)
    assert ours.public_key == theirs.public_key, uri
    # Signatures of the derived pair verify on both sides.
    assert theirs.verify(b"payload", ours.sign(b"payload"))
    assert ours.verify(theirs.sign(b"payload"), b"payload")


@given(
    st.sampled_from([DEV_PHRASE, generate_mnemonic(15)]),
    paths,
    st.text(min_size=1).filter(lambda p: "\n" not in p),
)
def test_sr25519_uri_passwords_salt_the_phrase(phrase: str, path: str, password: str) -> None:
    # substrate-interface refuses passwords in URIs, so its oracle is the salted seed alone;
    # the polkadot.js vectors cover passwords together with paths.
    ours = Keypair.from_uri(f"{phrase}{path}///{password}")
    assert ours == Keypair.from_uri(phrase + path, password=password)
    root = Keypair.from_uri(f"{phrase}///{password}")
    theirs = SiKeypair.create_from_seed(bip39.bip39_to_mini_secret(phrase, password).hex())
    assert root.public_key == theirs.public_key


@given(seeds, st.lists(hard_junctions, min_size=1, max_size=3).map("".join))
def test_hex_seed_uris_are_the_seed_then_the_path(seed: bytes, path: str) -> None:
    for key_type in (SR, ED):
        ours = Keypair.from_uri("0x" + seed.hex() + path, key_type)
        assert ours == Keypair.from_seed(seed, key_type).derive(path)


# --- signatures, both ways --------------------------------------------------------------------


@given(seeds, messages)
def test_sr25519_signatures_cross_verify(seed: bytes, message: bytes) -> None:
    ours = Keypair.from_seed(seed)
    theirs = SiKeypair.create_from_seed(seed.hex())
    ours_signature = ours.sign(message)
    assert len(ours_signature) == 64
    assert theirs.verify(message, ours_signature)
    assert ours.verify(theirs.sign(message), message)
    assert verify(SR, theirs.sign(message), message, ours.public_key)
    assert not ours.verify(ours_signature, message + b"!")


@given(seeds, messages)
def test_ed25519_signatures_cross_verify(seed: bytes, message: bytes) -> None:
    ours = Keypair.from_seed(seed, ED)
    theirs = SiKeypair.create_from_seed(seed.hex(), crypto_type=SiKeypairType.ED25519)
    ours_signature = ours.sign(message)
    assert ours_signature == theirs.sign(message)  # RFC 8032 is deterministic
    assert theirs.verify(message, ours_signature)
    assert verify(ED, ours_signature, message, ours.public_key)
    assert not verify(SR, ours_signature, message, ours.public_key)
    assert not ours.verify(ours_signature, message + b"!")


# --- value semantics, derivation and secrecy -----------------------------------------------------


def test_frozen_value_and_repr_hides_secrets() -> None:
    pair = Keypair.from_uri("//Alice")
    with pytest.raises(AttributeError):
        pair.public_key = bytes(32)  # type: ignore[misc]
    text = repr(pair)
    assert pair.secret_key.hex() not in text
    assert pair.seed is None or pair.seed.hex() not in text
    assert "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" in text
    seeded = Keypair.from_seed(RFC8032_SEED, ED)
    assert RFC8032_SEED.hex() not in repr(seeded)
    assert len({pair, Keypair.from_uri("//Alice"), Keypair.from_uri("//Alice", ED)}) == 2


def test_soft_derivation_is_stable_and_matches_public_derivation() -> None:
    root = Keypair.from_uri(DEV_PHRASE)
    child = root.derive("/1/Alice")
    assert child == root.derive([DeriveJunction.soft(1), DeriveJunction.soft("Alice")])
    assert child.secret_key != root.derive("/1/Alice").secret_key  # schnorrkel's random nonce
    assert derive_public_key(root.public_key, "/1/Alice") == child.public_key
    assert derive_public_key(root.public_key, "") == root.public_key
    assert root.derive("") is root


def test_secret_key_roundtrip() -> None:
    pair = Keypair.from_uri("//Bob")
    again = Keypair.from_secret_key(pair.secret_key, SR)
    assert again == pair
    assert again.verify(pair.sign(b"x"), b"x")
    ed = Keypair.from_uri("//Bob", ED)
    assert Keypair.from_secret_key(ed.secret_key, ED) == ed


def test_generate() -> None:
    for key_type in (SR, ED):
        pair = Keypair.generate(key_type)
        assert pair.key_type is key_type
        assert pair.verify(pair.sign(b"m"), b"m")
        restored, phrase = Keypair.generate_with_mnemonic(key_type, words=24, password="pw")
        assert Keypair.from_mnemonic(phrase, "pw", key_type) == restored


def test_key_type_accepts_multisignature_indices() -> None:
    assert Keypair.from_seed(RFC8032_SEED, 0) == Keypair.from_seed(RFC8032_SEED, ED)
    assert Keypair.from_seed(RFC8032_SEED, 1).key_type is SR
    assert SR.label == "sr25519"


# --- one test per typed error --------------------------------------------------------------------


def test_soft_derivation_unsupported() -> None:
    with pytest.raises(SoftDerivationUnsupported, match="hard derivation"):
        Keypair.from_uri("//Alice/soft", ED)
    with pytest.raises(SoftDerivationUnsupported):
        Keypair.from_uri("//Alice", ED).derive("/1")
    with pytest.raises(SoftDerivationUnsupported):
        derive_public_key(bytes(32), "/1", ED)


def test_hard_derivation_of_public_key() -> None:
    with pytest.raises(HardDerivationOfPublicKey):
        derive_public_key(Keypair.from_uri("//Alice").public_key, "/soft//hard")


def test_invalid_seed_length() -> None:
    for key_type in (SR, ED):
        with pytest.raises(InvalidSeed, match="32 bytes, got 31"):
            Keypair.from_seed(bytes(31), key_type)


def test_invalid_secret_key() -> None:
    with pytest.raises(InvalidSecretKey, match="64 bytes, got 32"):
        Keypair.from_secret_key(bytes(32), SR)
    with pytest.raises(InvalidSecretKey, match="32 bytes, got 64"):
        Keypair.from_secret_key(bytes(64), ED)
    with pytest.raises(InvalidSecretKey):
        Keypair(SR, bytes(32), bytes(10))


def test_invalid_public_key() -> None:
    with pytest.raises(InvalidPublicKey, match="32 bytes, got 31"):
        Keypair(ED, bytes(31), bytes(32))
    with pytest.raises(InvalidPublicKey, match="not a valid sr25519 public key"):
        derive_public_key(b"\xff" * 32, "/1")


def test_unsupported_key_type() -> None:
    with pytest.raises(UnsupportedKeyType, match="is not supported"):
        Keypair.from_seed(RFC8032_SEED, 2)


def test_sr25519_keystore_form_matches_polkadot_js() -> None:
    # The 64 secret bytes of @polkadot/keyring 13.5.9 `addFromUri("//Alice").encodePkcs8()`.
    expanded = bytes.fromhex(
        "98319d4ff8a9508c4bb0cf0b5a78d760a0b2082c02775e6e82370816fedfff48"
        "925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011"
    )
    alice = Keypair.from_uri("//Alice")
    assert sr25519.secret_to_ed25519_expanded(alice.secret_key) == expanded
    public, secret = sr25519.secret_from_ed25519_expanded(expanded)
    assert (public, secret) == (alice.public_key, alice.secret_key)
    with pytest.raises(InvalidSecretKey, match="64 bytes, got 63"):
        sr25519.secret_from_ed25519_expanded(expanded[:63])
