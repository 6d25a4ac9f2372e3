"""Round trips under hypothesis: random *types* (nested arbitrarily) and random values of them."""

from __future__ import annotations

import enum
import typing
from typing import Annotated, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.primitives.codec import (
    H160,
    H256,
    AccountId32,
    Compact,
    Err,
    FixedLen,
    Ok,
    OptionBool,
    Result,
    Vec,
    codec_for,
    decode,
    decode_prefix,
    encode,
)
from deepshard.primitives.extrinsic import Era
from deepshard.primitives.header import Consensus, Digest, Header, Other, PreRuntime, Seal
from deepshard.primitives.numeric import SIGNED_TYPES, U32, UNSIGNED_TYPES, FixedInt


class Level(enum.IntEnum):
    LOW = 0
    HIGH = 7
    MAX = 255


def ints(cls: type[FixedInt]) -> st.SearchStrategy[Any]:
    return st.integers(cls.MIN, cls.MAX).map(cls)


Typed = tuple[Any, st.SearchStrategy[Any]]

LEAVES: list[Typed] = [
    (bool, st.booleans()),
    (str, st.text(max_size=20)),
    (bytes, st.binary(max_size=70)),
    (H256, st.binary(min_size=32, max_size=32).map(H256)),
    (H160, st.binary(min_size=20, max_size=20).map(H160)),
    (AccountId32, st.binary(min_size=32, max_size=32).map(AccountId32)),
    (Annotated[bytes, FixedLen(3)], st.binary(min_size=3, max_size=3)),
    (OptionBool, st.none() | st.booleans()),
    (Level, st.sampled_from(list(Level))),
    (Era, st.builds(Era.mortal, st.integers(1, 70_000), st.integers(0, 2**40)) | st.just(Era())),
    *((t, ints(t)) for t in (*UNSIGNED_TYPES, *SIGNED_TYPES)),
    *((Compact[t], ints(t)) for t in UNSIGNED_TYPES),
]


def extend(children: st.SearchStrategy[Typed]) -> st.SearchStrategy[Typed]:
    def vec(child: Typed) -> Typed:
        return Vec[child[0]], st.lists(child[1], max_size=4).map(tuple)

    def lst(child: Typed) -> Typed:
        return list[child[0]], st.lists(child[1], max_size=4)

    def array(child: Typed) -> Typed:
        return (
            Annotated[tuple[child[0], ...], FixedLen(2)],
            st.tuples(child[1], child[1]),
        )

    def option(child: Typed) -> Typed:
        if child[0] is OptionBool or type(None) in typing.get_args(child[0]):
            return child  # Option<Option<T>> has no `T | None` spelling
        return child[0] | None, st.none() | child[1]

    def pair(a: Typed, b: Typed) -> Typed:
        return tuple[a[0], b[0]], st.tuples(a[1], b[1])

    def result(a: Typed, b: Typed) -> Typed:
        return Result[a[0], b[0]], st.one_of(a[1].map(Ok), b[1].map(Err))

    return st.one_of(
        children.map(vec),
        children.map(lst),
        children.map(array),
        children.map(option),
        st.tuples(children, children).map(lambda ab: pair(*ab)),
        st.tuples(children, children).map(lambda ab: result(*ab)),
    )


TYPES = st.recursive(st.sampled_from(LEAVES), extend, max_leaves=6)


@settings(max_examples=300)
@given(st.data())
def test_random_types_round_trip(data: st.DataObject) -> None:
    annotation, values = data.draw(TYPES)
    value = data.draw(values)
    codec = codec_for(annotation)
    encoded = codec.encode(value)
    assert codec.decode(encoded) == value
    assert decode_prefix(annotation, b"\xaa" + encoded + b"\xbb", 1) == (value, 1 + len(encoded))
    assert len(encoded) >= codec.node.min_size
    if codec.node.fixed_size is not None:
        assert len(encoded) == codec.node.fixed_size


DIGEST_ITEMS = st.one_of(
    st.binary(max_size=30).map(Other),
    st.builds(Consensus, st.binary(min_size=4, max_size=4), st.binary(max_size=30)),
    st.builds(Seal, st.binary(min_size=4, max_size=4), st.binary(min_size=64, max_size=64)),
    st.builds(PreRuntime, st.just(b"aura"), st.binary(min_size=8, max_size=8)),
)


@settings(max_examples=100)
@given(
    st.builds(
        Header,
        st.binary(min_size=32, max_size=32).map(H256),
        ints(U32),
        st.binary(min_size=32, max_size=32).map(H256),
        st.binary(min_size=32, max_size=32).map(H256),
        st.lists(DIGEST_ITEMS, max_size=4).map(lambda logs: Digest(tuple(logs))),
    )
)
def test_header_round_trip(header: Header) -> None:
    encoded = header.encode()
    assert Header.decode(encoded) == header
    assert encode(header) == encoded
    assert decode(Header, encoded).hash() == header.hash()
