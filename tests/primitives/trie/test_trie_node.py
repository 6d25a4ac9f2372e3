"""Node codec: headers, hand-derived encodings, decoding and its rejections."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie import (
    Branch,
    Empty,
    InvalidNode,
    Leaf,
    child_reference,
    decode_node,
    encode_branch,
    encode_leaf,
    encode_node,
)
from deepshard.primitives.trie.nibbles import pack_nibbles, unpack_nibbles
from deepshard.primitives.trie.node import (
    BRANCH_WITH_VALUE_PREFIX,
    BRANCH_WITHOUT_VALUE_PREFIX,
    HASHED_VALUE_BRANCH_PREFIX,
    HASHED_VALUE_LEAF_PREFIX,
    LEAF_PREFIX,
    encode_header,
)


@pytest.mark.parametrize(
    ("prefix", "count", "expected"),
    [
        # 2-bit prefixes: 6 bits of count, maximum field value 63.
        (LEAF_PREFIX, 0, "40"),
        (LEAF_PREFIX, 2, "42"),
        (LEAF_PREFIX, 62, "7e"),
        (LEAF_PREFIX, 63, "7f00"),
        (LEAF_PREFIX, 64, "7f01"),
        (LEAF_PREFIX, 63 + 254, "7ffe"),
        (LEAF_PREFIX, 63 + 255, "7fff00"),
        (LEAF_PREFIX, 63 + 255 + 7, "7fff07"),
        (LEAF_PREFIX, 63 + 510, "7fffff00"),
        (BRANCH_WITHOUT_VALUE_PREFIX, 0, "80"),
        (BRANCH_WITHOUT_VALUE_PREFIX, 63, "bf00"),
        (BRANCH_WITH_VALUE_PREFIX, 1, "c1"),
        (BRANCH_WITH_VALUE_PREFIX, 100, "ff25"),
        # 3-bit prefix 001: 5 bits of count, maximum 31.
        (HASHED_VALUE_LEAF_PREFIX, 0, "20"),
        (HASHED_VALUE_LEAF_PREFIX, 30, "3e"),
        (HASHED_VALUE_LEAF_PREFIX, 31, "3f00"),
        (HASHED_VALUE_LEAF_PREFIX, 64, "3f21"),
        # 4-bit prefix 0001: 4 bits of count, maximum 15.
        (HASHED_VALUE_BRANCH_PREFIX, 0, "10"),
        (HASHED_VALUE_BRANCH_PREFIX, 14, "1e"),
        (HASHED_VALUE_BRANCH_PREFIX, 15, "1f00"),
        (HASHED_VALUE_BRANCH_PREFIX, 15 + 255, "1fff00"),
    ],
)
def test_header_encoding(prefix: int, count: int, expected: str) -> None:
    assert encode_header(prefix, count).hex() == expected


def test_single_leaf_from_sp_trie() -> None:
    # sp-trie `codec_trie_single_tuple`: leaf 0x40 + 2 nibbles, key aa, Compact(1), value bb.
    assert encode_leaf("aa", b"\xbb").hex() == "42aa04bb"


def test_odd_partial_is_right_aligned() -> None:
    # sp-trie `codec_trie_two_tuples_disjoint_keys`: 3 nibbles "314" -> 0x03 0x14.
    assert encode_leaf("314", b"\xff").hex() == "43031404ff"
    assert pack_nibbles("abc") == b"\x0a\xbc"
    assert unpack_nibbles(b"\x0a\xbc", 0, 3) == "abc"


def test_hashed_value_leaf_by_hand() -> None:
    value = b"\x11" * 33
    encoded = encode_leaf("aa", blake2_256(value), value_hashed=True)
    # 0b001 prefix + 2 nibbles = 0x22; partial aa; the value's hash, no length prefix.
    assert encoded == b"\x22\xaa" + blake2_256(value)
    assert decode_node(encoded) == Leaf("aa", blake2_256(value), True)


def test_branch_by_hand() -> None:
    leaf1 = encode_leaf("314", b"\xff")
    leaf4 = encode_leaf("819", b"\xfe")
    children: list[bytes | None] = [None] * 16
    children[1] = child_reference(leaf1)
    children[4] = child_reference(leaf4)
    encoded = encode_branch("", None, children)
    # header 0x80, bitmap 0x0012 LE, then each child as Compact(len) ++ inline bytes.
    assert encoded.hex() == "801200" + "14" + leaf1.hex() + "14" + leaf4.hex()
    assert decode_node(encoded) == Branch("", None, tuple(children))


def test_branch_with_value_and_hashed_child() -> None:
    big = encode_leaf("", b"z" * 40)
    assert len(big) >= 32
    children: list[bytes | None] = [None] * 16
    children[15] = child_reference(big)
    encoded = encode_branch("5", b"\x07", children)
    # header 0xc1, partial 0x05, bitmap 0x8000 LE, value Compact(1) 07, child 0x80 ++ hash.
    assert encoded == bytes.fromhex("c1050080" + "0407" + "80") + blake2_256(big)
    hashed = encode_branch("5", b"\x01" * 32, children, value_hashed=True)
    assert hashed[:4] == bytes.fromhex("11050080")


def test_empty_node() -> None:
    assert encode_node(Empty()) == b"\x00"
    assert decode_node(b"\x00") == Empty()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01",  # escape header, not allowed
        b"\x08",  # 0b0000_1000: no such kind
        b"\x00\x00",  # empty node with trailing byte
        b"\x41\x1a\x04\x00",  # odd partial with non-zero padding nibble
        b"\x42\xaa\x08\x00",  # value length 2, one byte present
        b"\x42\xaa\x04\x00\x00",  # trailing byte after leaf
        b"\x80\x00\x00",  # branch without children
        b"\x80\x01",  # bitmap cut short
        b"\x80\x01\x00\x14\x00",  # child of 5 bytes, 1 present
        b"\x7f",  # long header cut short
        b"\x22\xaa" + b"\x00" * 31,  # hashed value cut short
    ],
)
def test_invalid_nodes_are_rejected(data: bytes) -> None:
    with pytest.raises(InvalidNode):
        decode_node(data)


nibble_paths = st.text(alphabet="0123456789abcdef", max_size=700)
references = st.one_of(
    st.none(), st.binary(min_size=32, max_size=32), st.binary(min_size=1, max_size=31)
)


@given(nibble_paths, st.binary(max_size=300))
def test_leaf_round_trip(partial: str, value: bytes) -> None:
    assert decode_node(encode_leaf(partial, value)) == Leaf(partial, value)


@given(
    nibble_paths,
    st.one_of(st.none(), st.binary(max_size=100)),
    st.lists(references, min_size=16, max_size=16).filter(any),
    st.booleans(),
)
def test_branch_round_trip(
    partial: str, value: bytes | None, children: list[bytes | None], hashed: bool
) -> None:
    if hashed and value is not None:
        value = blake2_256(value)
    hashed = hashed and value is not None
    node = Branch(partial, value, tuple(children), hashed)
    assert decode_node(encode_node(node)) == node
