"""Byte-for-byte agreement with the PyPI `scalecodec` package (the independent oracle).

For each type: hypothesis generates values; our encoding must equal scalecodec's encoding of
the same value, our decoder must read scalecodec's bytes back to the value, and scalecodec's
decoder must read our bytes back to the value.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives.codec import (
    H256,
    AccountId32,
    Compact,
    Enum,
    Err,
    FixedLen,
    Ok,
    Result,
    Struct,
    Vec,
    codec_for,
)
from deepshard.primitives.extrinsic import (
    Address20,
    Address32,
    Ecdsa,
    EcdsaSignature,
    Ed25519,
    Ed25519Signature,
    Era,
    Id,
    Index,
    MultiAddress,
    MultiSignature,
    Raw,
    Sr25519,
    Sr25519Signature,
)
from deepshard.primitives.numeric import (
    I8,
    I16,
    I32,
    I64,
    I128,
    I256,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    FixedInt,
)

# --- declarations mirrored in scalecodec's registry ----------------------------------------


class Sample(Struct):
    flag: bool
    small: U8
    balance: Compact[U128]
    data: bytes
    items: Vec[U32]
    maybe: U16 | None


class Shape(Enum):
    pass


class Empty(Shape, index=0):
    pass


class Circle(Shape, index=1, unnamed=True):
    radius: U32


class Rect(Shape, index=2, unnamed=True):
    width: U16
    height: U16


class Color(enum.IntEnum):
    RED = 0
    GREEN = 1
    BLUE = 2


SC_TYPES = {
    "types": {
        "TestSample": {
            "type": "struct",
            "type_mapping": [
                ["flag", "bool"],
                ["small", "u8"],
                ["balance", "Compact<u128>"],
                ["data", "Bytes"],
                ["items", "Vec<u32>"],
                ["maybe", "Option<u16>"],
            ],
        },
        "TestShape": {
            "type": "enum",
            "type_mapping": [["Empty", "Null"], ["Circle", "u32"], ["Rect", "(u16, u16)"]],
        },
        "TestColor": {"type": "enum", "value_list": ["RED", "GREEN", "BLUE"]},
        "TestResult": {"type": "enum", "type_mapping": [["Ok", "u32"], ["Err", "u8"]]},
    }
}


@pytest.fixture(scope="module")
def rc() -> RuntimeConfigurationObject:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    config.update_type_registry(SC_TYPES)
    return config


# --- value strategies and conversions to scalecodec's value model --------------------------


def ints(cls: type[FixedInt]) -> st.SearchStrategy[Any]:
    return st.integers(cls.MIN, cls.MAX).map(cls)


def fixed(cls: Any, n: int) -> st.SearchStrategy[Any]:
    return st.binary(min_size=n, max_size=n).map(cls)


def sc_bytes(value: bytes) -> str:
    """scalecodec's decoded form of `Bytes`: text if it is UTF-8, else hex."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return "0x" + value.hex()


def hexed(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def plain(value: Any) -> Any:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else value


AccountIdStrategy = fixed(AccountId32, 32)

MULTI_ADDRESS = st.one_of(
    AccountIdStrategy.map(Id),
    ints(U32).map(Index),
    st.binary(max_size=40).map(Raw),
    st.binary(min_size=32, max_size=32).map(Address32),
    st.binary(min_size=20, max_size=20).map(Address20),
)


def sc_multi_address(value: Any) -> tuple[Any, Any]:
    """(value to encode, expected decoded value) for scalecodec's GenericMultiAddress."""
    if isinstance(value, Id):
        return {"Id": hexed(value.account)}, hexed(value.account)
    if isinstance(value, Index):
        return {"Index": int(value.index)}, int(value.index)
    if isinstance(value, Raw):
        return {"Raw": hexed(value.data)}, {"Raw": hexed(value.data)}
    name = type(value).__name__
    return {name: hexed(value.data)}, {name: hexed(value.data)}


MULTI_SIGNATURE = st.one_of(
    fixed(Ed25519Signature, 64).map(Ed25519),
    fixed(Sr25519Signature, 64).map(Sr25519),
    fixed(EcdsaSignature, 65).map(Ecdsa),
)

ERA = st.one_of(
    st.just(Era()),
    st.builds(Era.mortal, st.integers(1, 1 << 17), st.integers(0, 1 << 32)),
)


def sc_era(era: Era) -> Any:
    return "00" if era.is_immortal else (era.period, era.phase)


def shape_sc(value: Shape) -> Any:
    if isinstance(value, Empty):
        return "Empty"
    if isinstance(value, Circle):
        return {"Circle": int(value.radius)}
    assert isinstance(value, Rect)
    return {"Rect": (int(value.width), int(value.height))}


Case = tuple[Any, str, st.SearchStrategy[Any], Callable[[Any], Any], Callable[[Any], Any] | None]
"""(our annotation, scalecodec type, strategy, value -> scalecodec value, value -> decoded)."""


def case(
    ours: Any,
    theirs: str,
    strategy: st.SearchStrategy[Any],
    to_sc: Callable[[Any], Any] = plain,
    decoded: Callable[[Any], Any] | None = None,
) -> Case:
    return (ours, theirs, strategy, to_sc, decoded)


CASES: list[Case] = [
    case(bool, "bool", st.booleans()),
    *(case(t, t.__name__.lower(), ints(t)) for t in (U8, U16, U32, U64, U128, U256)),
    *(case(t, t.__name__.lower(), ints(t)) for t in (I8, I16, I32, I64, I128, I256)),
    *(
        case(Compact[t], f"Compact<{t.__name__.lower()}>", ints(t))
        for t in (U8, U16, U32, U64, U128)
    ),
    case(bytes, "Bytes", st.binary(max_size=300), lambda v: v, sc_bytes),
    case(str, "Str", st.text(max_size=80)),
    case(Annotated[bytes, FixedLen(4)], "[u8; 4]", st.binary(min_size=4, max_size=4), hexed),
    case(H256, "H256", fixed(H256, 32), hexed),
    case(
        Annotated[tuple[U32, ...], FixedLen(3)],
        "[u32; 3]",
        st.tuples(ints(U32), ints(U32), ints(U32)),
        lambda v: [int(x) for x in v],
    ),
    case(
        Vec[U32],
        "Vec<u32>",
        st.lists(ints(U32), max_size=20).map(tuple),
        lambda v: [int(x) for x in v],
    ),
    case(
        list[tuple[U8, bool]],
        "Vec<(u8, bool)>",
        st.lists(st.tuples(ints(U8), st.booleans()), max_size=10),
        lambda v: [(int(a), b) for a, b in v],
    ),
    case(U32 | None, "Option<u32>", st.none() | ints(U32), lambda v: None if v is None else int(v)),
    case(bool | None, "Option<bool>", st.none() | st.booleans(), lambda v: v),
    case(
        bytes | None,
        "Option<Bytes>",
        st.none() | st.binary(max_size=20),
        lambda v: v,
        lambda v: None if v is None else sc_bytes(v),
    ),
    case(
        tuple[U8, U32],
        "(u8, u32)",
        st.tuples(ints(U8), ints(U32)),
        lambda v: (int(v[0]), int(v[1])),
    ),
    case(tuple[()], "()", st.just(()), lambda v: v, lambda v: None),
    case(
        Result[U32, U8],
        "TestResult",
        st.one_of(ints(U32).map(Ok), ints(U8).map(Err)),
        lambda v: {"Ok" if isinstance(v, Ok) else "Err": int(v.value)},
    ),
    case(
        Sample,
        "TestSample",
        st.builds(
            Sample,
            st.booleans(),
            ints(U8),
            ints(U128),
            st.binary(max_size=80),
            st.lists(ints(U32), max_size=5).map(tuple),
            st.none() | ints(U16),
        ),
        lambda v: {
            "flag": v.flag,
            "small": int(v.small),
            "balance": int(v.balance),
            "data": v.data,
            "items": [int(x) for x in v.items],
            "maybe": None if v.maybe is None else int(v.maybe),
        },
        lambda v: {
            "flag": v.flag,
            "small": int(v.small),
            "balance": int(v.balance),
            "data": sc_bytes(v.data),
            "items": [int(x) for x in v.items],
            "maybe": None if v.maybe is None else int(v.maybe),
        },
    ),
    case(
        Shape,
        "TestShape",
        st.one_of(
            st.just(Empty()),
            ints(U32).map(Circle),
            st.builds(Rect, ints(U16), ints(U16)),
        ),
        shape_sc,
    ),
    case(Color, "TestColor", st.sampled_from(list(Color)), lambda v: v.name),
    case(
        MultiAddress,
        "MultiAddress",
        MULTI_ADDRESS,
        lambda v: sc_multi_address(v)[0],
        lambda v: sc_multi_address(v)[1],
    ),
    case(
        MultiSignature,
        "MultiSignature",
        MULTI_SIGNATURE,
        lambda v: {type(v).__name__: hexed(v.signature)},
    ),
    case(Era, "Era", ERA, sc_era),
]


def normalise(value: Any) -> Any:
    """Make scalecodec's and our expected values comparable (hex case, lists vs tuples)."""
    if isinstance(value, str) and value.startswith("0x"):
        return value.lower()
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v) for v in value)
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("ours", "theirs", "strategy", "to_sc", "decoded"),
    CASES,
    ids=[c[1] for c in CASES],
)
def test_agrees_with_scalecodec(  # noqa: PLR0917 - one parameter per column of CASES
    rc: RuntimeConfigurationObject,
    ours: Any,
    theirs: str,
    strategy: st.SearchStrategy[Any],
    to_sc: Callable[[Any], Any],
    decoded: Callable[[Any], Any] | None,
) -> None:
    codec = codec_for(ours)

    @settings(max_examples=40)
    @given(strategy)
    def check(value: Any) -> None:
        ours_bytes = codec.encode(value)
        sc_value = to_sc(value)
        theirs_bytes = bytes(rc.create_scale_object(theirs).encode(sc_value).data)
        assert ours_bytes == theirs_bytes
        # Our decoder reads scalecodec's bytes; scalecodec's decoder reads ours.
        assert codec.decode(theirs_bytes) == value
        obj = rc.create_scale_object(theirs, data=ScaleBytes(bytearray(ours_bytes)))
        result = obj.decode()
        expected = decoded(value) if decoded is not None else sc_value
        assert normalise(result) == normalise(expected)

    check()
