"""The codec's front door: `encode`, `decode` and `decode_prefix` for any supported annotation.

Each call looks the compiled `Codec` up in a cache (compiling on first use). Code on a hot path
can hold the codec itself: ``codec = codec_for(Header)`` then ``codec.decode(data)``.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar, overload

from deepshard.primitives.codec.compiler import codec_for
from deepshard.primitives.codec.errors import EncodeError
from deepshard.primitives.codec.fixed_bytes import FixedBytes
from deepshard.primitives.numeric import FixedInt

__all__ = ["encode", "decode", "decode_prefix", "infer_type"]

_T = TypeVar("_T")


def infer_type(value: object) -> object:
    """Return the annotation `encode` uses for `value` when none is given.

    Declarations, fixed-width integers, `FixedBytes`, `IntEnum` members, ``bool``, ``str`` and
    ``bytes`` map to their own class; a ``tuple`` maps to the tuple of its items' types.

    Raises:
        EncodeError: the type cannot be inferred (a plain ``int``, ``None``, a ``list``...).
    """
    cls = type(value)
    if cls in (bool, str, bytes) or issubclass(cls, (FixedInt, FixedBytes, enum.IntEnum)):
        return cls
    if getattr(cls, "__scale_declaration__", False) or hasattr(cls, "__scale_node__"):
        return cls
    if cls is tuple:
        items = tuple(infer_type(item) for item in value)  # type: ignore[attr-defined]
        return tuple.__class_getitem__(items) if items else tuple[()]
    raise EncodeError(
        f"cannot infer the SCALE type of a {cls.__name__}; pass type= (e.g. U32, Vec[U8])"
    )


def encode(value: object, type: object = None) -> bytes:
    """Return the SCALE encoding of `value` as `type` (inferred from the value if omitted).

    Raises:
        EncodeError: `value` does not fit `type` (wrong kind, out of range, wrong length).
        TypeError: `type` is not an annotation the codec supports.
    """
    return codec_for(infer_type(value) if type is None else type).encode(value)


@overload
def decode(type: type[_T], data: bytes | bytearray | memoryview, *, exact: bool = True) -> _T: ...
@overload
def decode(type: Any, data: bytes | bytearray | memoryview, *, exact: bool = True) -> Any: ...
def decode(type: Any, data: bytes | bytearray | memoryview, *, exact: bool = True) -> Any:
    """Decode one value of `type` from `data`; with ``exact`` (default) all bytes must be used.

    Raises:
        DecodeError: a subclass naming the problem and its byte ``position``.
        TypeError: `type` is not an annotation the codec supports.
    """
    return codec_for(type).decode(data, exact=exact)


@overload
def decode_prefix(
    type: type[_T], data: bytes | bytearray | memoryview, offset: int = 0
) -> tuple[_T, int]: ...
@overload
def decode_prefix(
    type: Any, data: bytes | bytearray | memoryview, offset: int = 0
) -> tuple[Any, int]: ...
def decode_prefix(
    type: Any, data: bytes | bytearray | memoryview, offset: int = 0
) -> tuple[Any, int]:
    """Decode one value of `type` starting at `offset`; return it and the offset after it.

    Raises:
        DecodeError: a subclass naming the problem and its byte ``position``.
    """
    result: tuple[Any, int] = codec_for(type).decode_prefix(data, offset)
    return result
