"""`verify`: correct answers, and never an exception whatever the input."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from deepshard.primitives.crypto import Keypair, KeyType, verify

SR = KeyType.SR25519
ED = KeyType.ED25519
ALICE = Keypair.from_uri("//Alice")
ALICE_ED = Keypair.from_uri("//Alice", ED)


def test_valid_signatures() -> None:
    assert verify(SR, ALICE.sign(b"m"), b"m", ALICE.public_key)
    assert verify(1, ALICE.sign(b"m"), b"m", ALICE.public_key)
    assert verify(ED, ALICE_ED.sign(b"m"), b"m", ALICE_ED.public_key)
    assert verify(0, ALICE_ED.sign(b"m"), b"m", ALICE_ED.public_key)


def test_byte_buffers_are_accepted() -> None:
    signature = ALICE.sign(b"m")
    assert verify(SR, bytearray(signature), memoryview(b"m"), bytearray(ALICE.public_key))
    assert verify(ED, memoryview(ALICE_ED.sign(b"m")), bytearray(b"m"), ALICE_ED.public_key)


def test_wrong_key_message_scheme_or_lengths() -> None:
    signature = ALICE.sign(b"m")
    assert not verify(SR, signature, b"n", ALICE.public_key)
    assert not verify(SR, signature, b"m", Keypair.from_uri("//Bob").public_key)
    assert not verify(ED, signature, b"m", ALICE.public_key)
    assert not verify(2, signature, b"m", ALICE.public_key)  # ECDSA: not implemented
    assert not verify(SR, signature[:63], b"m", ALICE.public_key)
    assert not verify(SR, signature + b"\x00", b"m", ALICE.public_key)
    assert not verify(SR, signature, b"m", ALICE.public_key[:31])
    assert not verify(SR, signature, b"m", b"\xff" * 32)  # not a Ristretto point


def test_deprecated_sr25519_signatures_are_refused_like_sp_core() -> None:
    # sp-core `verify_known_old_message_should_work`: a schnorrkel 0.1.1 signature, no marker bit.
    public = bytes.fromhex("b4bfa1f7a5166695eb75299fd1c4c03ea212871c342f2c5dfea0902b2c246918")
    signature = bytes.fromhex(
        "5a9755f069939f45d96aaf125cf5ce7ba1db998686f87f2fb3cbdea922078741"
        "a73891ba265f70c31436e18a9acd14d189d73c12317ab6c313285cd938453202"
    )
    message = (
        b"Verifying that I am the owner of 5G9hQLdsKQswNPgB499DeA5PkFBbgkLPJWkkS6FAM6xGQ8xD. "
        b"Hash: 221455a3\n"
    )
    assert not verify(SR, signature, message, public)
    # sp-core `verify_from_old_wasm_works`.
    zero_seed_public = Keypair.from_seed(bytes(32)).public_key
    js_signature = bytes.fromhex(
        "28a854d54903e056f89581c691c1f7d2ff39f8f896c9e9c22475e60902cc2b35"
        "47199e0e91fa32902028f2ca2355e8cdd16cfe19ba5e8b658c94aa80f3b81a00"
    )
    assert not verify(SR, js_signature, b"SUBSTRATE", zero_seed_public)


def test_ed25519_follows_zip215_like_sp_core() -> None:
    # sp-core verifies with ed25519-zebra (ZIP-215): the identity as public key and as R, with
    # s = 0, satisfies the cofactored equation for every message. Substrate accepts it; so do we.
    identity = b"\x01" + bytes(31)
    assert verify(ED, identity + bytes(32), b"any message", identity)
    # The same holds for the all-zero key (a point of order 4) with an all-zero signature.
    assert verify(ED, bytes(64), b"any message", bytes(32))
    assert not verify(SR, bytes(64), b"any message", bytes(32))


junk = st.one_of(
    st.binary(max_size=80),
    st.text(max_size=80),
    st.none(),
    st.integers(),
    st.lists(st.integers(0, 255), max_size=70),
    st.builds(bytearray, st.binary(max_size=70)),
)


@given(st.one_of(st.integers(-3, 5), st.sampled_from(list(KeyType)), junk), junk, junk, junk)
def test_never_raises(scheme: Any, signature: Any, message: Any, public_key: Any) -> None:
    assert verify(scheme, signature, message, public_key) in (True, False)


@given(
    st.binary(min_size=64, max_size=64), st.binary(max_size=40), st.binary(min_size=32, max_size=32)
)
def test_random_signatures_do_not_verify(signature: bytes, message: bytes, seed: bytes) -> None:
    # Public keys of real key pairs: a small-order key (such as all zeros) would accept the
    # degenerate signatures of `test_ed25519_follows_zip215_like_sp_core`.
    assert not verify(SR, signature, message, Keypair.from_seed(seed).public_key)
    assert not verify(ED, signature, message, Keypair.from_seed(seed, ED).public_key)
