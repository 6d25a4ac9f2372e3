"""SS58: known addresses, agreement with scalecodec for every prefix, and the typed errors."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scalecodec.utils.ss58 import ss58_decode as sc_ss58_decode
from scalecodec.utils.ss58 import ss58_encode as sc_ss58_encode

from deepshard.primitives.crypto import (
    MAX_SS58_PREFIX,
    InvalidAddressLength,
    InvalidBase58,
    InvalidChecksum,
    InvalidPrefix,
    PrefixMismatch,
    ReservedPrefix,
    Ss58Address,
    Ss58Error,
    decode_account_id,
    is_valid_ss58_address,
    ss58_decode,
    ss58_encode,
)
from deepshard.primitives.hashing import blake2_512

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
ALICE_42 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"

prefixes = st.integers(0, MAX_SS58_PREFIX).filter(lambda p: p not in (46, 47))
account_ids = st.binary(min_size=32, max_size=32)


def test_alice_on_well_known_networks() -> None:
    assert ss58_encode(ALICE) == ALICE_42
    # Polkadot (0), Kusama (2): the published addresses of //Alice.
    assert ss58_encode(ALICE, 0) == "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"
    assert ss58_encode(ALICE, 2) == "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F"
    decoded = ss58_decode(ALICE_42)
    assert decoded == Ss58Address(42, ALICE)
    assert decode_account_id(ALICE_42, expected_prefix=42) == ALICE


@given(prefixes, account_ids)
def test_account_ids_agree_with_scalecodec(prefix: int, account_id: bytes) -> None:
    address = ss58_encode(account_id, prefix)
    assert address == sc_ss58_encode(account_id, ss58_format=prefix)
    assert sc_ss58_decode(address, valid_ss58_format=prefix) == account_id.hex()
    assert ss58_decode(address, expected_prefix=prefix) == Ss58Address(prefix, account_id)


@given(
    st.integers(0, 63).filter(lambda p: p not in (46, 47)), st.sampled_from([1, 2, 4, 8]), st.data()
)
def test_account_indices_agree_with_scalecodec(
    prefix: int, length: int, data: st.DataObject
) -> None:
    payload = data.draw(st.binary(min_size=length, max_size=length))
    address = ss58_encode(payload, prefix)
    assert address == sc_ss58_encode(payload, ss58_format=prefix)
    assert sc_ss58_decode(address) == payload.hex()
    assert ss58_decode(address) == Ss58Address(prefix, payload)


@given(prefixes, st.sampled_from([1, 2, 4, 8, 32, 33]), st.data())
def test_roundtrip_every_prefix_and_payload_length(
    prefix: int, length: int, data: st.DataObject
) -> None:
    payload = data.draw(st.binary(min_size=length, max_size=length))
    assert ss58_decode(ss58_encode(payload, prefix)) == Ss58Address(prefix, payload)


def test_prefix_boundaries_use_one_or_two_bytes() -> None:
    for prefix, prefix_length in ((0, 1), (63, 1), (64, 2), (255, 2), (256, 2), (16383, 2)):
        raw = base58.b58decode(ss58_encode(ALICE, prefix))
        assert len(raw) == prefix_length + 32 + 2
        assert ss58_decode(ss58_encode(ALICE, prefix)).prefix == prefix


def test_two_byte_form_of_a_small_prefix_is_accepted_like_substrate() -> None:
    # 01aaaaaa bbcccccc with aaaaaabb = 5, cccccc = 0: prefix 5 written in the two-byte form.
    body = bytes((0b0100_0001, 0b0100_0000)) + ALICE
    address = base58.b58encode(body + blake2_512(b"SS58PRE" + body)[:2]).decode()
    assert ss58_decode(address) == Ss58Address(5, ALICE)


def test_is_valid() -> None:
    assert is_valid_ss58_address(ALICE_42)
    assert is_valid_ss58_address(ALICE_42, 42)
    assert not is_valid_ss58_address(ALICE_42, 0)
    assert not is_valid_ss58_address("not an address")


# --- one test per typed error --------------------------------------------------------------------


def _with_body(body: bytes, checksum_length: int = 2) -> str:
    return base58.b58encode(body + blake2_512(b"SS58PRE" + body)[:checksum_length]).decode()


def test_invalid_base58() -> None:
    with pytest.raises(InvalidBase58, match="'0' is not a base-58 character"):
        ss58_decode("0" + ALICE_42[1:])
    with pytest.raises(InvalidBase58):
        ss58_decode(ALICE_42 + " ")  # bs58 does not strip whitespace; neither do we


def test_invalid_address_length() -> None:
    with pytest.raises(InvalidAddressLength, match="empty"):
        ss58_decode("")
    with pytest.raises(InvalidAddressLength, match="decodes to 34 bytes"):
        ss58_decode(_with_body(bytes((42,)) + ALICE[:31]))
    with pytest.raises(InvalidAddressLength, match="only 1 byte"):
        ss58_decode("2")
    with pytest.raises(InvalidAddressLength, match="1, 2, 4, 8, 32 or 33 bytes"):
        ss58_encode(ALICE[:31])
    with pytest.raises(InvalidAddressLength, match="not a 32-byte account id"):
        decode_account_id(ss58_encode(b"\x01\x02"))


def test_invalid_prefix() -> None:
    with pytest.raises(InvalidPrefix, match=r"outside 0\.\.16383"):
        ss58_encode(ALICE, 16384)
    with pytest.raises(InvalidPrefix):
        ss58_encode(ALICE, -1)
    with pytest.raises(InvalidPrefix, match=">= 0x80"):
        ss58_decode(_with_body(bytes((0x80, 0)) + ALICE))


def test_reserved_prefix() -> None:
    for prefix in (46, 47):
        with pytest.raises(ReservedPrefix, match=f"{prefix} is reserved"):
            ss58_encode(ALICE, prefix)
        with pytest.raises(ReservedPrefix):
            ss58_decode(_with_body(bytes((prefix,)) + ALICE))


def test_invalid_checksum() -> None:
    raw = bytearray(base58.b58decode(ALICE_42))
    raw[-1] ^= 1
    with pytest.raises(InvalidChecksum, match="bad checksum"):
        ss58_decode(base58.b58encode(bytes(raw)).decode())


def test_prefix_mismatch() -> None:
    with pytest.raises(PrefixMismatch, match="prefix 42, expected 0") as info:
        decode_account_id(ALICE_42, expected_prefix=0)
    assert (info.value.expected, info.value.found) == (0, 42)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (the point is the base class)
        ss58_decode("0")
    assert issubclass(Ss58Error, ValueError)
