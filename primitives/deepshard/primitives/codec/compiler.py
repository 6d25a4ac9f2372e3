"""From annotations to compiled codecs: `node_for`, `codec_for` and the `Codec` object.

Introduction
------------
`node_for(annotation)` maps a type annotation to a `Node` (cached per annotation). The mapping:

============================================ ==============================================
annotation                                   SCALE type
============================================ ==============================================
``bool``, ``str``                            bool, str
``U8`` ... ``U256``, ``I8`` ... ``I256``     fixed-width little-endian integers
``Compact[U32]``                             ``Compact<u32>``
``bytes``                                    ``Vec<u8>``
``Annotated[bytes, FixedLen(N)]``            ``[u8; N]`` (decoded as `bytes`)
a `FixedBytes` subclass (`H256`, ...)        ``[u8; N]`` (decoded as that class)
``Vec[T]`` = ``tuple[T, ...]``, ``list[T]``,  ``Vec<T>`` (decoded as a tuple; a list for
``Sequence[T]``                              ``list[T]``)
``Annotated[tuple[T, ...], FixedLen(N)]``    ``[T; N]``
``tuple[A, B]``, ``tuple[()]``               ``(A, B)``, ``()``
``T | None``, ``Optional[T]``                ``Option<T>`` (``bool | None`` too: two bytes)
`OptionBool`                                 parity-scale-codec's one-byte ``OptionBool``
``Result[T, E]`` (``Ok[T] | Err[E]``)        ``Result<T, E>``
a `Struct` / `Enum` subclass                 composite / enum (see `struct`, `enums`)
an `enum.IntEnum` subclass                   a payload-less enum indexed by member value
anything with ``__scale_node__``             whatever node it builds (e.g. `Era`)
============================================ ==============================================

Anything else is refused with a `TypeError` naming the annotation.

`codec_for(annotation)` compiles the node into a `Codec`: a handful of generated functions
(see `codegen`) exposed as plain attributes, so ``codec.decode(data)`` is one Python call.
"""

from __future__ import annotations

import collections.abc
import enum
import threading
import types
import typing
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from deepshard.primitives.codec import errors
from deepshard.primitives.codec.codegen import Gen, Node, compile_function
from deepshard.primitives.codec.descriptors import TypeInfo, TypeKind
from deepshard.primitives.codec.fixed_bytes import FixedBytes
from deepshard.primitives.codec.markers import CompactMarker, FixedLen, OneByteMarker
from deepshard.primitives.codec.nodes import (
    ArrayNode,
    BoolNode,
    BytesNode,
    CompactNode,
    FixedBytesNode,
    IntEnumNode,
    IntNode,
    OptionNode,
    RecursionNode,
    ResultNode,
    StrNode,
    TupleNode,
    VecNode,
    WrappedIntNode,
)
from deepshard.primitives.codec.result import Err, Ok
from deepshard.primitives.numeric import U8, FixedInt, FixedPointNumber, PerThing

__all__ = [
    "Codec",
    "codec_for",
    "node_for",
    "validate",
    "begin_recursive",
    "end_recursive",
    "make_recursion_node",
    "encode_error",
]

_T = TypeVar("_T")

_lock = threading.RLock()
_nodes: dict[object, Node] = {}
_codecs: dict[object, Codec[Any]] = {}
_in_progress: dict[object, Callable[[], Node]] = {}
_validating = 0


class _Placeholder(Node):
    """Stands for a declaration while another declaration's annotations are validated."""

    min_size = 1

    def __init__(self, annotation: object) -> None:
        self.info = TypeInfo(TypeKind.COMPOSITE, python_type=annotation)


def validate(annotation: object) -> None:
    """Check that `annotation` is supported, without compiling the declarations it mentions.

    Raises:
        TypeError: the annotation (or a part of it) is not a type the codec supports.
    """
    global _validating  # noqa: PLW0603 - guarded by the lock
    with _lock:
        _validating += 1
        try:
            _build(annotation)
        finally:
            _validating -= 1


def node_for(annotation: object) -> Node:
    """Return the (cached) node of `annotation`.

    Raises:
        TypeError: the annotation is not a type the codec supports.
    """
    try:
        return _nodes[annotation]
    except KeyError:
        pass
    except TypeError:  # unhashable annotation: build, do not cache
        return _build(annotation)
    if _validating:
        return _build(annotation)
    with _lock:
        node = _nodes.get(annotation)
        if node is None:
            node = _build(annotation)
            _nodes[annotation] = node
        return node


def begin_recursive(annotation: object, make_reference: Callable[[], Node]) -> None:
    """Mark `annotation` as being compiled: references to it meanwhile become `make_reference()`.

    Declarations whose fields may refer back to themselves (structs, enums) call this before
    resolving their fields and `end_recursive` after.
    """
    _in_progress[annotation] = make_reference


def end_recursive(annotation: object) -> None:
    """Undo `begin_recursive`."""
    _in_progress.pop(annotation, None)


def _build(annotation: object) -> Node:
    reference = _in_progress.get(annotation)
    if reference is not None:
        return reference()
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)

    if origin is typing.Annotated:
        return _build_annotated(annotation, args[0], args[1:])
    if annotation is bool:
        return BoolNode()
    if annotation is str:
        return StrNode()
    if annotation is bytes:
        return BytesNode(node_for(U8).info)
    if isinstance(annotation, type):
        if issubclass(annotation, FixedInt) and hasattr(annotation, "BITS"):
            return IntNode(annotation)
        if issubclass(annotation, FixedBytes) and hasattr(annotation, "LENGTH"):
            return FixedBytesNode(
                annotation, annotation.LENGTH, node_for(U8).info, annotation.TYPE_PATH
            )
        if issubclass(annotation, enum.IntEnum):
            return IntEnumNode(annotation)
        if issubclass(annotation, (PerThing, FixedPointNumber)) and hasattr(annotation, "INNER"):
            return WrappedIntNode(annotation, annotation.INNER, annotation.TYPE_PATH)
    target = origin if origin is not None else annotation
    if _validating and getattr(target, "__scale_declaration__", False):
        return _Placeholder(annotation)
    builder = getattr(target, "__scale_node__", None)
    if builder is not None:
        node: Node = builder(args)
        return node
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return VecNode(node_for(args[0]), tuple, annotation)
        if args == ((),):  # tuple[()] on older typing versions
            args = ()
        return TupleNode(tuple(node_for(a) for a in args), annotation)
    if annotation is tuple or annotation == tuple[()]:
        return TupleNode((), annotation)
    if origin is list:
        return VecNode(node_for(args[0]), list, annotation)
    if origin is collections.abc.Sequence:
        return VecNode(node_for(args[0]), tuple, annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _build_union(annotation, args)
    raise TypeError(f"the SCALE codec does not support the annotation {annotation!r}")


def _build_annotated(annotation: object, base: object, metadata: tuple[object, ...]) -> Node:
    markers = [m for m in metadata if isinstance(m, (CompactMarker, FixedLen, OneByteMarker))]
    if len(markers) != 1:
        if not markers:  # Annotated with foreign metadata only: the base type decides
            return node_for(base)
        raise TypeError(f"conflicting codec markers in {annotation!r}")
    marker = markers[0]
    if isinstance(marker, OneByteMarker):
        if base != bool | None:
            raise TypeError(f"the one-byte OptionBool form applies to bool | None, not {base!r}")
        return OptionNode(BoolNode(), annotation, one_byte=True)
    if isinstance(marker, CompactMarker):
        if not (isinstance(base, type) and issubclass(base, FixedInt) and not base.SIGNED):
            raise TypeError(f"Compact needs an unsigned integer type (U8...U256), not {base!r}")
        return CompactNode(base, node_for(base).info)
    if base is bytes:
        return FixedBytesNode(bytes, marker.length, node_for(U8).info, ())
    if typing.get_origin(base) is tuple:
        args = typing.get_args(base)
        if len(args) == 2 and args[1] is Ellipsis:
            return ArrayNode(node_for(args[0]), marker.length, annotation)
    raise TypeError(f"FixedLen applies to bytes or tuple[T, ...], not {base!r}")


def _build_union(annotation: object, args: tuple[Any, ...]) -> Node:
    members = [a for a in args if a is not type(None)]
    if len(members) < len(args):  # `X | None`, where X may itself be a union (a Result)
        inner = members[0] if len(members) == 1 else typing.Union[tuple(members)]  # noqa: UP007
        return OptionNode(node_for(inner), annotation)
    origins = [typing.get_origin(a) or a for a in args]
    if len(args) == 2 and origins[0] is Ok and origins[1] is Err:
        ok_args, err_args = typing.get_args(args[0]), typing.get_args(args[1])
        if len(ok_args) == 1 and len(err_args) == 1:
            return ResultNode(node_for(ok_args[0]), node_for(err_args[0]), annotation)
        raise TypeError(f"Result needs concrete Ok[T] and Err[E] types, not {annotation!r}")
    raise TypeError(
        f"the SCALE codec does not support the union {annotation!r} "
        "(use T | None for Option, Result[T, E], or an Enum)"
    )


def encode_error(exc: BaseException, value: object, label: str) -> errors.EncodeError:
    """Wrap an unexpected exception raised while encoding into an `EncodeError`."""
    if isinstance(exc, RecursionError):
        return errors.EncodeError(f"value too deeply nested to encode as {label}")
    return errors.EncodeError(
        f"cannot encode {type(value).__name__} value as {label}: {type(exc).__name__}: {exc}"
    )


def _as_bytes(data: object) -> bytes:
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"decoding needs bytes, bytearray or memoryview, not {type(data).__name__}")


class Codec(Generic[_T]):
    """A compiled codec for one type. Obtain with `codec_for`; never construct directly.

    The methods are generated functions stored as attributes (no bound-method overhead).

    Attributes:
        node: The compiled node.
        info: The type's descriptor (`descriptors.TypeInfo`).
        encode: ``encode(value) -> bytes``; raises `EncodeError`.
        decode: ``decode(data, *, exact=True) -> value``; raises `DecodeError` subclasses;
            with ``exact`` (the default) bytes left over are a `TrailingBytes` error.
        decode_prefix: ``decode_prefix(data, offset=0) -> (value, next_offset)``.
        encode_into: ``encode_into(value, w: bytearray) -> None`` (no error wrapping).
        decode_from: ``decode_from(data: bytes, pos, end) -> (value, next_pos)``, reading no
            further than `end` (no `RecursionError` protection; for composing codecs).
    """

    __slots__ = ("decode", "decode_from", "decode_prefix", "encode", "encode_into", "info", "node")

    encode: Callable[[_T], bytes]
    decode: Callable[..., _T]
    decode_prefix: Callable[..., tuple[_T, int]]
    encode_into: Callable[[_T, bytearray], None]
    decode_from: Callable[[bytes, int, int], tuple[_T, int]]

    def __init__(self, node: Node) -> None:
        self.node = node
        self.info = node.info
        label = node.label()

        g = Gen()
        node.emit_decode(g, "out", True)
        g.line("return out, pos")
        self.decode_from = compile_function(f"decode_from_{_ident(label)}", "data, pos, end", g)

        g = Gen()
        g.namespace["_as_bytes"] = _as_bytes
        g.line("if data.__class__ is not _bytes: data = _as_bytes(data)")
        g.line("end = _len(data)")
        g.line("pos = 0")
        with g.block("try:"):
            node.emit_decode(g, "out", True)
        with g.block("except RecursionError:"):
            g.line("raise _TooDeep('input nested too deeply', pos) from None")
        g.line(
            "if exact and pos != end: raise _TrailingBytes(f'{end - pos} bytes left after "
            f"{label}', pos)"
        )
        g.line("return out")
        self.decode = compile_function(f"decode_{_ident(label)}", "data, *, exact=True", g)

        g = Gen()
        g.namespace["_as_bytes"] = _as_bytes
        g.line("if data.__class__ is not _bytes: data = _as_bytes(data)")
        g.line("end = _len(data)")
        g.line(
            "if not 0 <= offset <= end: raise _Truncated(f'offset {offset} is outside the "
            "input', offset)"
        )
        g.line("pos = offset")
        with g.block("try:"):
            node.emit_decode(g, "out", True)
        with g.block("except RecursionError:"):
            g.line("raise _TooDeep('input nested too deeply', pos) from None")
        g.line("return out, pos")
        self.decode_prefix = compile_function(f"decode_prefix_{_ident(label)}", "data, offset=0", g)

        g = Gen()
        node.emit_encode(g, "v")
        self.encode_into = compile_function(f"encode_into_{_ident(label)}", "v, w", g)

        g = Gen()
        g.namespace["_wrap"] = encode_error
        g.namespace["_label"] = label
        g.line("w = bytearray()")
        with g.block("try:"):
            node.emit_encode(g, "v")
        with g.block("except _EncodeError:"):
            g.line("raise")
        with g.block(
            "except (TypeError, ValueError, AttributeError, OverflowError, RecursionError) as exc:"
        ):
            g.line("raise _wrap(exc, v, _label) from exc")
        g.line("return bytes(w)")
        self.encode = compile_function(f"encode_{_ident(label)}", "v", g)

    def __repr__(self) -> str:
        return f"Codec({self.node.label()})"


def _ident(label: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in label)[:40]


def codec_for(annotation: type[_T] | Any) -> Codec[Any]:
    """Return the compiled `Codec` of `annotation` (compiled once, then cached).

    Raises:
        TypeError: the annotation is not a type the codec supports.
    """
    try:
        return _codecs[annotation]
    except KeyError:
        pass
    except TypeError:
        return Codec(node_for(annotation))
    with _lock:
        codec = _codecs.get(annotation)
        if codec is None:
            codec = Codec(node_for(annotation))
            _codecs[annotation] = codec
        return codec


def make_recursion_node(annotation: object, info: Any) -> Node:
    """Return a node that refers back to `annotation` while it is still being compiled."""
    return RecursionNode(info, lambda: codec_for(annotation))
