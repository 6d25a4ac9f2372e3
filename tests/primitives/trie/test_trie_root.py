"""Roots against independent facts: sp-trie's vectors, hand derivations, a real chain's genesis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.primitives.codec.compact import encode_compact
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie import (
    DEFAULT_CHILD_STORAGE_KEY_PREFIX,
    EMPTY_TRIE_ROOT,
    StateVersion,
    child_trie_root,
    genesis_state_root,
    ordered_trie_root,
    top_pairs_with_children,
    trie_root,
)
from deepshard.primitives.trie.root import encode_trie, sorted_pairs

V0, V1 = StateVersion.V0, StateVersion.V1
CHAIN_SPEC = Path(__file__).parents[2] / "fixtures" / "chain_specs" / "rococo-asset-hub.raw.json"
ROCOCO_ASSET_HUB_GENESIS = "7c34d42fc815d392057c78b49f2755c753440ccd38bcb0405b3bcfb601d08734"


def unhashed(pairs: list[tuple[bytes, bytes]], version: StateVersion) -> bytes:
    keys, values = sorted_pairs(pairs)
    return encode_trie(keys, values, version)


@pytest.mark.parametrize("version", list(StateVersion))
def test_empty_root(version: StateVersion) -> None:
    assert EMPTY_TRIE_ROOT.hex() == (
        "03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314"
    )
    assert trie_root([], version) == EMPTY_TRIE_ROOT == blake2_256(b"\x00")
    assert ordered_trie_root([], version) == EMPTY_TRIE_ROOT


def test_sp_trie_codec_trie_single_tuple() -> None:
    assert unhashed([(b"\xaa", b"\xbb")], V1).hex() == "42aa04bb"


def test_sp_trie_codec_trie_two_tuples_disjoint_keys() -> None:
    pairs = [(b"\x48\x19", b"\xfe"), (b"\x13\x14", b"\xff")]
    expected = "8012001443031404ff1443081904fe"
    assert unhashed(pairs, V1).hex() == expected
    assert trie_root(pairs, V1) == blake2_256(bytes.fromhex(expected))


def test_branch_with_value_and_shared_prefix_by_hand() -> None:
    # sp-trie `extension_and_branch_with_value_is_equivalent`'s input: aa, aaaa, aabb.
    pairs = [(b"\xaa", b"\xa0"), (b"\xaa\xaa", b"\xaa"), (b"\xaa\xbb", b"\xab")]
    # Root: branch with value (0xc0 | 2 nibbles) "aa", children at a and b; value a0.
    child_a = "410a04aa"  # leaf, 1 nibble "a" (padded 0x0a), Compact(1) aa
    child_b = "410b04ab"
    expected = "c2aa000c04a010" + child_a + "10" + child_b
    assert unhashed(pairs, V0).hex() == expected


@pytest.mark.parametrize(("size", "hashed"), [(32, False), (33, True), (1000, True)])
def test_v1_threshold_by_hand(size: int, hashed: bool) -> None:
    value = bytes(range(size % 256)) * (size // 256) + bytes(range(size % 256))
    value = (value + b"\x55" * size)[:size]
    if hashed:
        expected_v1 = b"\x22\xaa" + blake2_256(value)  # hashed-value leaf: 0b001 << 5 | 2
    else:
        expected_v1 = b"\x42\xaa" + encode_compact(size) + value
    assert unhashed([(b"\xaa", value)], V1) == expected_v1
    assert trie_root([(b"\xaa", value)], V1) == blake2_256(expected_v1)
    expected_v0 = b"\x42\xaa" + encode_compact(size) + value
    assert trie_root([(b"\xaa", value)], V0) == blake2_256(expected_v0)


def test_v1_hashed_branch_value_by_hand() -> None:
    big = b"\x99" * 40
    pairs = [(b"\xaa", big), (b"\xaa\x01", b"\x02")]
    leaf = "41010402"  # 1 nibble "1" after child index 0
    expected = "12aa0100" + blake2_256(big).hex() + "10" + leaf
    assert unhashed(pairs, V1).hex() == expected


def test_long_key_uses_continuation_bytes() -> None:
    key = b"\x12" * 40  # 80 nibbles: 63 in the header, 17 more in one extra byte
    assert unhashed([(key, b"")], V0) == b"\x7f\x11" + key + b"\x00"


def test_duplicate_keys_keep_last_value() -> None:
    assert trie_root([(b"k", b"1"), (b"k", b"2")]) == trie_root([(b"k", b"2")])


def test_ordered_trie_root_uses_compact_indices() -> None:
    items = [b"\x10ab", b"\x0cx"]
    # key Compact(0) = 00, Compact(1) = 04: branch at nibble 0 after a shared "0".
    leaf0 = "40" + encode_compact(len(items[0])).hex() + items[0].hex()  # partial "" -> 0x40
    leaf1 = "40" + encode_compact(len(items[1])).hex() + items[1].hex()
    root_node = "81001100" + "14" + leaf0 + "10" + leaf1  # 5 and 4 bytes
    assert ordered_trie_root(items) == blake2_256(bytes.fromhex(root_node))
    assert ordered_trie_root(items) == trie_root(
        [(encode_compact(i), v) for i, v in enumerate(items)], V0
    )
    many = [i.to_bytes(2, "little") * 20 for i in range(300)]
    assert ordered_trie_root(many, V1) != ordered_trie_root(many, V0)


@given(st.dictionaries(st.binary(max_size=6), st.binary(max_size=40), max_size=40))
def test_order_of_input_does_not_matter(table: dict[bytes, bytes]) -> None:
    pairs = list(table.items())
    for version in StateVersion:
        assert trie_root(pairs, version) == trie_root(reversed(pairs), version)


def test_child_trie_root_is_inserted_only_when_not_empty() -> None:
    top = {b"top": b"1"}
    child = {b"a": b"x", b"b": b"y"}
    pairs = top_pairs_with_children(top, {b"c1": child, b"empty": {}}, V1)
    child_root = child_trie_root(child, V1)
    assert pairs == {b"top": b"1", DEFAULT_CHILD_STORAGE_KEY_PREFIX + b"c1": child_root}
    assert genesis_state_root(top, {b"c1": child, b"empty": {}}, V1) == trie_root(pairs.items(), V1)
    assert genesis_state_root(top, {b"empty": []}, V1) == trie_root(top.items(), V1)


def genesis_hash(state_root: bytes) -> str:
    # Header: parent 0, Compact(0), state root, extrinsics root (empty), no digest logs.
    header = bytes(32) + encode_compact(0) + state_root + EMPTY_TRIE_ROOT + encode_compact(0)
    return blake2_256(header).hex()


def test_rococo_asset_hub_genesis_hash() -> None:
    raw = json.loads(CHAIN_SPEC.read_text())["genesis"]["raw"]
    top = {bytes.fromhex(k[2:]): bytes.fromhex(v[2:]) for k, v in raw["top"].items()}
    children = {
        bytes.fromhex(k[2:]): {bytes.fromhex(a[2:]): bytes.fromhex(b[2:]) for a, b in c.items()}
        for k, c in raw["childrenDefault"].items()
    }
    # Its runtime's genesis state version is 0; `:code` (~1 MB) is inline in a V0 leaf.
    assert genesis_hash(genesis_state_root(top, children, V0)) == ROCOCO_ASSET_HUB_GENESIS
    assert genesis_hash(genesis_state_root(top, children, V1)) != ROCOCO_ASSET_HUB_GENESIS
