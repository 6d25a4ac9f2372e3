"""Malformed input: each class of defect gets its typed error at the right byte position, and
arbitrary bytes never make a decoder raise anything but a `DecodeError`."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.primitives.codec import (
    H256,
    MAX_DEPTH,
    Compact,
    DecodeError,
    Enum,
    FixedLen,
    InvalidBool,
    InvalidOption,
    InvalidUtf8,
    InvalidValue,
    InvalidVariant,
    LengthTooLarge,
    NonCanonicalCompact,
    OptionBool,
    OutOfRange,
    Result,
    Struct,
    TooDeep,
    TrailingBytes,
    Truncated,
    Vec,
    codec_for,
    decode,
    decode_prefix,
)
from deepshard.primitives.extrinsic import Era, MultiAddress, MultiSignature, UncheckedExtrinsic
from deepshard.primitives.header import DigestItem, Header
from deepshard.primitives.numeric import U8, U16, U32, U64, U128, U256


class Pair(Struct):
    a: U16
    b: U32


class Tree(Enum):
    pass


class Leaf(Tree, index=0, unnamed=True):
    value: U8


class Node(Tree, index=1):
    children: Vec[Tree]


class Linked(Struct):
    value: U8
    next: Linked | None


def raises_at(error: type[DecodeError], position: int, annotation: Any, data: bytes) -> None:
    with pytest.raises(error) as info:
        decode(annotation, data)
    assert info.value.position == position, info.value


# --- one test per defect class -------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "data", "position"),
    [
        (U32, b"\x01\x02\x03", 0),
        (U256, bytes(31), 0),
        (Pair, b"\x01\x00\x02\x00\x00", 2),  # b starts at byte 2
        (bytes, b"\x0c\x01", 0),  # prefix 3, one byte left -> LengthTooLarge (tested below)
        (H256, bytes(10), 0),
        (Compact[U32], b"\x01", 0),
        (Compact[U64], b"\x03\x00\x00", 0),
        (U8 | None, b"\x01", 1),
        (tuple[U8, U16], b"\x01\x02", 1),
        (Header, bytes(40), 33),  # state_root after the 1-byte number
        (MultiAddress, b"\x00" + bytes(5), 1),
        (Era, b"\x15", 0),
        (Vec[U8], b"\x08\x01", 0),
    ],
)
def test_truncated(annotation: Any, data: bytes, position: int) -> None:
    with pytest.raises((Truncated, LengthTooLarge)) as info:
        decode(annotation, data)
    assert info.value.position == position


def test_truncated_is_truncated() -> None:
    raises_at(Truncated, 2, Pair, b"\x01\x00\x02")
    raises_at(Truncated, 0, U32, b"")
    raises_at(Truncated, 1, tuple[U8, Compact[U128]], b"\x00\x03\x00\x00")


def test_trailing_bytes() -> None:
    raises_at(TrailingBytes, 4, U32, b"\x01\x00\x00\x00\xff")
    raises_at(TrailingBytes, 1, Vec[U8], b"\x00\x00\x00")
    assert decode(U32, b"\x01\x00\x00\x00\xff", exact=False) == 1
    assert decode_prefix(U32, b"\xff\x01\x00\x00\x00\xff", 1) == (1, 5)


@pytest.mark.parametrize(
    ("data", "position"),
    [
        (b"\x01\x00", 0),  # 0 in two-byte mode
        (b"\x02\x00\x00\x00", 0),  # 0 in four-byte mode
        (b"\xfd\x00", 0),  # 63 in two-byte mode
        (b"\xfe\xff\x00\x00", 0),  # 16383 in four-byte mode
        (b"\x03\xff\xff\xff\x3f", 0),  # 2**30 - 1 in big-integer mode
        (b"\x07\x00\x00\x00\x40\x00", 0),  # big-integer mode with a zero top byte
    ],
)
def test_non_canonical_compact(data: bytes, position: int) -> None:
    raises_at(NonCanonicalCompact, position, Compact[U128], data)
    raises_at(NonCanonicalCompact, position + 1, tuple[U8, Compact[U128]], b"\x00" + data)


def test_non_canonical_length_prefix() -> None:
    raises_at(NonCanonicalCompact, 0, bytes, b"\x01\x00")


def test_compact_out_of_range() -> None:
    raises_at(OutOfRange, 0, Compact[U8], b"\x01\x04")  # 256 in two-byte mode
    raises_at(OutOfRange, 0, Compact[U32], b"\x07\x00\x00\x00\x00\x01")  # 2**32
    raises_at(OutOfRange, 0, Compact[U64], b"\x17" + bytes(8) + b"\x01")  # 2**64


def test_invalid_variant() -> None:
    raises_at(InvalidVariant, 0, MultiAddress, b"\x05")
    raises_at(InvalidVariant, 0, MultiSignature, b"\x03" + bytes(64))
    raises_at(InvalidVariant, 0, DigestItem, b"\x07")
    raises_at(InvalidVariant, 1, tuple[U8, Result[U8, U8]], b"\x00\x02\x00")
    raises_at(InvalidVariant, 1, UncheckedExtrinsic, b"\x04\x05\x00\x00\x00")  # version 5


def test_invalid_utf8() -> None:
    raises_at(InvalidUtf8, 3, str, b"\x0cab\xff")
    raises_at(InvalidUtf8, 1, str, b"\x08\xed\xa0")  # a lone surrogate is not UTF-8


def test_length_too_large_before_allocating() -> None:
    huge = b"\x03\xff\xff\xff\xff"  # Compact(2**32 - 1)
    raises_at(LengthTooLarge, 0, bytes, huge)
    raises_at(LengthTooLarge, 0, Vec[U64], huge + bytes(100))
    raises_at(LengthTooLarge, 0, Vec[tuple[()]], huge)  # zero-sized items still count one byte
    raises_at(LengthTooLarge, 0, Vec[Vec[U8]], huge)
    # 13 items of at least 8 bytes cannot fit in 100 bytes.
    raises_at(LengthTooLarge, 0, Vec[U64], b"\x34" + bytes(100))
    raises_at(LengthTooLarge, 1, tuple[U8, str], b"\x00\x08a")


def test_invalid_bool() -> None:
    raises_at(InvalidBool, 0, bool, b"\x02")
    raises_at(InvalidBool, 2, tuple[U16, bool], b"\x00\x00\xff")
    raises_at(InvalidBool, 0, OptionBool, b"\x03")


def test_invalid_option() -> None:
    raises_at(InvalidOption, 0, U8 | None, b"\x02\x00")
    raises_at(InvalidOption, 1, tuple[U8, U32 | None], b"\x00\xff")
    raises_at(InvalidBool, 1, bool | None, b"\x01\x02")


def test_invalid_era() -> None:
    # period 2 << 0 = 2 < 4 is not a valid era.
    raises_at(InvalidValue, 0, Era, b"\x00\x00"[:0] + b"\x10\x00")


def test_too_deep() -> None:
    node = b"\x01\x04" * (MAX_DEPTH + 5) + b"\x00\x07"
    with pytest.raises(TooDeep):
        decode(Tree, node)
    ok = b"\x01\x04" * (MAX_DEPTH - 2) + b"\x00\x07"
    assert isinstance(decode(Tree, ok), Node)
    linked = b"\x00\x01" * (MAX_DEPTH + 10) + b"\x00\x00"
    with pytest.raises(TooDeep):
        decode(Linked, linked)


# --- nothing but DecodeError escapes ---------------------------------------------------------


FUZZED: list[Any] = [
    bool,
    U8,
    U128,
    Compact[U32],
    Compact[U128],
    bytes,
    str,
    H256,
    Annotated[bytes, FixedLen(4)],
    Annotated[tuple[U16, ...], FixedLen(3)],
    Vec[U32],
    list[str],
    Vec[Vec[U8]],
    Vec[tuple[()]],
    U32 | None,
    bool | None,
    OptionBool,
    tuple[U8, bytes, U64 | None],
    Result[U32, str],
    Pair,
    Tree,
    Linked,
    Vec[Tree],
    MultiAddress,
    MultiSignature,
    Era,
    DigestItem,
    Header,
    UncheckedExtrinsic,
]


@settings(max_examples=300)
@given(st.binary(max_size=120), st.sampled_from(FUZZED))
def test_arbitrary_bytes_only_raise_decode_errors(data: bytes, annotation: Any) -> None:
    codec = codec_for(annotation)
    try:
        value = codec.decode(data)
    except DecodeError:
        return
    assert codec.encode(value) == data  # whatever decodes re-encodes to the same bytes


@settings(max_examples=200)
@given(
    st.sampled_from(FUZZED),
    st.sampled_from([b"\x03\xff\xff\xff\xff", b"\xff\xff\xff\xff\xff", b"\x02\x00\x00\x01"]),
    st.binary(max_size=40),
    st.binary(max_size=8),
)
def test_huge_length_prefixes(annotation: Any, prefix: bytes, head: bytes, tail: bytes) -> None:
    for data in (prefix + tail, head + prefix + tail, b"\x01" * 3 + prefix):
        with contextlib.suppress(DecodeError):
            decode(annotation, data)


@settings(max_examples=100)
@given(st.integers(0, 3000), st.sampled_from([b"\x01\x04", b"\x01\x08\x00\x07"]))
def test_deep_nesting_never_escapes(depth: int, unit: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode(Tree, unit * depth + b"\x00\x01")
