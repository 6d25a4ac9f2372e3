"""Header and digest against Substrate's own vectors and Polkadot's published genesis hash."""

from __future__ import annotations

import pytest

from deepshard.primitives.codec import H256, InvalidVariant, decode, encode
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import (
    Consensus,
    Digest,
    DigestItem,
    Header,
    Other,
    PreRuntime,
    RuntimeEnvironmentUpdated,
    Seal,
)
from deepshard.primitives.numeric import U32

EMPTY_TRIE_ROOT = bytes.fromhex("03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314")
POLKADOT_STATE_ROOT = bytes.fromhex(
    "29d0d972cd27cbc511e9589fcb7a4506d5eb6a9e8df205f00472e5ab354a4e17"
)
POLKADOT_GENESIS_HASH = bytes.fromhex(
    "91b171bb158e2d3848fa23a9f1c25182fb8e20313b2c1eb49219da7a70ce90c3"
)


def test_empty_trie_root_is_blake2_of_zero_byte() -> None:
    assert blake2_256(b"\x00") == EMPTY_TRIE_ROOT


def test_polkadot_genesis_hash() -> None:
    header = Header(
        parent_hash=H256(bytes(32)),
        number=U32(0),
        state_root=H256(POLKADOT_STATE_ROOT),
        extrinsics_root=H256(EMPTY_TRIE_ROOT),
    )
    assert header.hash() == POLKADOT_GENESIS_HASH
    assert isinstance(header.hash(), H256)
    assert Header.decode(header.encode()) == header


def test_ensure_format_is_unchanged_vector() -> None:
    # polkadot-sdk substrate/primitives/runtime/src/generic/header.rs `ensure_format_is_unchanged`
    header = Header(
        parent_hash=H256(blake2_256(b"1")),
        number=U32(2),
        state_root=H256(blake2_256(b"3")),
        extrinsics_root=H256(blake2_256(b"4")),
        digest=Digest(logs=(Other(b"6"),)),
    )
    expected = (
        blake2_256(b"1") + b"\x08" + blake2_256(b"3") + blake2_256(b"4") + bytes.fromhex("04000436")
    )
    assert header.encode() == expected
    assert Header.decode(expected) == header


@pytest.mark.parametrize(
    ("item", "wire"),
    [
        (Other(b"\x01\x02"), "00080102"),
        (Consensus(b"FRNK", b"\xaa"), "04" + b"FRNK".hex() + "04aa"),
        (Seal(b"aura", b"\x01" * 2), "05" + b"aura".hex() + "080101"),
        (
            PreRuntime(b"aura", bytes.fromhex("afe0021000000000")),
            "06" + b"aura".hex() + "20afe0021000000000",
        ),
        (RuntimeEnvironmentUpdated(), "08"),
    ],
)
def test_digest_items(item: DigestItem, wire: str) -> None:
    assert encode(item) == bytes.fromhex(wire)
    assert decode(DigestItem, bytes.fromhex(wire)) == item


def test_real_aura_pre_runtime_digest() -> None:
    # A real Aura pre-runtime log (substrate-wire.md §5): slot 0x100002e0af.
    item = decode(DigestItem, bytes.fromhex("0661757261" + "20" + "afe0021000000000"))
    assert isinstance(item, PreRuntime)
    assert item.engine == b"aura"
    assert int.from_bytes(item.data, "little") == 0x1002E0AF


@pytest.mark.parametrize("index", [1, 2, 3, 7, 9, 255])
def test_unknown_digest_item_index(index: int) -> None:
    with pytest.raises(InvalidVariant) as info:
        decode(DigestItem, bytes((index,)))
    assert info.value.position == 0


def test_header_number_is_compact() -> None:
    header = Header(H256(bytes(32)), U32(2**32 - 1), H256(bytes(32)), H256(bytes(32)))
    encoded = header.encode()
    assert encoded[32:37] == bytes.fromhex("03ffffffff")
    decoded = Header.decode(encoded)
    assert decoded.number == 2**32 - 1
    assert isinstance(decoded.number, U32)
