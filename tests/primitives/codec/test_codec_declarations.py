"""Declarations: validation at class creation, encode-side errors, and the type descriptors."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import pytest

from deepshard.primitives.codec import (
    H256,
    AccountId32,
    Compact,
    EncodeError,
    Enum,
    FixedLen,
    Ok,
    Result,
    Struct,
    TypeKind,
    Vec,
    codec_for,
    decode,
    encode,
)
from deepshard.primitives.extrinsic import Era, MultiAddress
from deepshard.primitives.header import DigestItem, Header
from deepshard.primitives.numeric import I32, U8, U16, U32, U64, U128


class Point(Struct, type_path=("demo", "Point")):
    """A point."""

    x: I32
    y: I32


def test_structs_are_frozen_slotted_dataclasses() -> None:
    p = Point(I32(1), I32(-2))
    assert dataclasses.is_dataclass(p)
    assert not hasattr(p, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = I32(3)  # type: ignore[misc]
    assert p == Point(I32(1), I32(-2))
    assert hash(p) == hash(Point(I32(1), I32(-2)))
    assert Point.decode(p.encode()) == p
    assert Point.decode_prefix(b"\x00" + p.encode(), 1) == (p, 9)
    decoded = Point.decode(p.encode())
    assert type(decoded.x) is I32


def test_zero_argument_super_still_works() -> None:
    class Base(Struct):
        a: U8

        def describe(self) -> str:
            return f"a={self.a}"

    class Child(Base):
        b: U8

        def describe(self) -> str:
            return super().describe() + f" b={self.b}"

    assert Child(U8(1), U8(2)).describe() == "a=1 b=2"
    assert Child(U8(1), U8(2)).encode() == b"\x01\x02"


def test_unsupported_annotation_is_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match=r"Bad\.value"):

        class Bad(Struct):
            value: int

    with pytest.raises(TypeError, match="Compact needs an unsigned"):

        class BadCompact(Struct):
            value: Compact[I32]  # type: ignore[type-var]

    with pytest.raises(TypeError, match="union"):

        class BadUnion(Struct):
            value: U8 | U16


def test_reserved_field_name() -> None:
    with pytest.raises(TypeError, match="reserved"):

        class Bad(Struct):
            encode: U8  # type: ignore[assignment]


def test_enum_validation() -> None:
    class Kind(Enum):
        pass

    class A(Kind, index=3):
        pass

    with pytest.raises(TypeError, match="already A"):

        class B(Kind, index=3):
            pass

    with pytest.raises(TypeError, match="needs index"):

        class C(Kind):
            pass

    with pytest.raises(TypeError, match=r"index=0\.\.255"):

        class D(Kind, index=256):
            pass

    with pytest.raises(TypeError, match="cannot be subclassed"):

        class E(A, index=4):
            pass

    with pytest.raises(TypeError, match="no fields"):

        class WithFields(Enum):
            x: U8

    assert decode(Kind, b"\x03") == A()
    with pytest.raises(TypeError, match="already compiled"):

        class Late(Kind, index=9):
            pass


def test_encode_errors() -> None:
    with pytest.raises(EncodeError, match="out of range"):
        encode(256, U8)
    with pytest.raises(EncodeError, match="out of range"):
        encode(-1, U64)
    with pytest.raises(EncodeError):
        encode(True, U32)
    with pytest.raises(EncodeError):
        encode("1", U32)
    with pytest.raises(EncodeError):
        encode(1.5, U32)
    with pytest.raises(EncodeError, match="32 bytes"):
        encode(b"\x00" * 31, H256)
    with pytest.raises(EncodeError):
        encode(b"\x00" * 3, Annotated[bytes, FixedLen(4)])
    with pytest.raises(EncodeError, match="exactly 2 items"):
        encode((U8(1),), Annotated[tuple[U8, ...], FixedLen(2)])
    with pytest.raises(EncodeError):
        encode("abc", bytes)
    with pytest.raises(EncodeError):
        encode(b"abc", str)
    with pytest.raises(EncodeError):
        encode("abc", Vec[U8])
    with pytest.raises(EncodeError):
        encode(2**128, Compact[U128])
    with pytest.raises(EncodeError):
        encode(-1, Compact[U32])
    with pytest.raises(EncodeError):
        encode(Point(I32(1), I32(2)), Header)
    with pytest.raises(EncodeError):
        encode(Point(I32(1), I32(2)), MultiAddress)
    with pytest.raises(EncodeError):
        encode((1, 2, 3), tuple[U8, U8])
    with pytest.raises(EncodeError):
        Point(2**31, I32(0)).encode()  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="infer"):
        encode(5)


def test_encode_accepts_plain_ints_and_infers_types() -> None:
    assert encode(5, U32) == b"\x05\x00\x00\x00"
    assert encode(U16(5)) == b"\x05\x00"
    assert encode((U8(1), b"ab", "c")) == b"\x01\x08ab\x04c"
    assert encode(Ok(U8(1)), Result[U8, U8]) == b"\x00\x01"


def test_descriptors() -> None:
    info = Header.type_info()
    assert info.kind is TypeKind.COMPOSITE
    assert info.path == ("sp_runtime", "generic", "header", "Header")
    assert [f.name for f in info.fields] == [
        "parent_hash",
        "number",
        "state_root",
        "extrinsics_root",
        "digest",
    ]
    number = info.fields[1].type
    assert number.kind is TypeKind.COMPACT
    assert number.element is not None
    assert number.element.primitive == "u32"
    assert info.fields[1].type_name == "Compact[U32]"
    assert info.fields[0].type.path == ("primitive_types", "H256")
    assert info.fields[0].type.fields[0].type.kind is TypeKind.ARRAY
    assert info.fields[0].type.fields[0].type.length == 32

    digest_item = DigestItem.type_info()
    assert digest_item.kind is TypeKind.VARIANT
    assert [(v.index, v.name) for v in digest_item.variants] == [
        (0, "Other"),
        (4, "Consensus"),
        (5, "Seal"),
        (6, "PreRuntime"),
        (8, "RuntimeEnvironmentUpdated"),
    ]
    assert [f.name for f in digest_item.variants[1].fields] == [None, None]

    address = MultiAddress.type_info()
    assert address.path == ("sp_runtime", "multiaddress", "MultiAddress")
    assert [p.name for p in address.params] == ["AccountId", "AccountIndex"]
    assert address.variants[0].fields[0].type.path == ("sp_core", "crypto", "AccountId32")

    option = codec_for(U32 | None).info
    assert option.kind is TypeKind.VARIANT
    assert option.path == ("Option",)
    assert [v.name for v in option.variants] == ["None", "Some"]

    era = codec_for(Era).info
    assert len(era.variants) == 256
    assert era.path == ("sp_runtime", "generic", "era", "Era")

    assert Point.type_info().docs == ("A point.",)
    assert codec_for(AccountId32).info is codec_for(AccountId32).info
    assert codec_for(Vec[U128]).info.kind is TypeKind.SEQUENCE
    assert codec_for(tuple[U8, U16]).info.elements[1].primitive == "u16"
    assert codec_for(bytes).info.element is not None


def test_recursive_descriptor_is_cyclic() -> None:
    class Expr(Enum):
        pass

    class Num(Expr, index=0, unnamed=True):
        value: U32

    class Add(Expr, index=1):
        left: Expr
        right: Expr

    info = Expr.type_info()
    add = info.variants[1]
    assert add.fields[0].type is info
    value = Add(Num(U32(1)), Add(Num(U32(2)), Num(U32(3))))
    assert decode(Expr, encode(value)) == value
