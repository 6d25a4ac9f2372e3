"""`TypeRegistry`: codec type descriptors in, a scale-info `PortableRegistry` out.

Introduction
------------
`TypeRegistry.register` takes an annotation the codec understands (``AccountInfo``,
``Compact[U128]``, ``Vec[EventRecord]``) or a `TypeInfo` descriptor and returns its type id.
Ids are handed out the way scale-info's ``Registry`` hands them out: in first-seen order, a
type's id is reserved *before* its parts are visited (so recursive types refer to themselves by
that id), and the parts are visited in order: generic parameters, then fields (or variant
fields, or the element types). Ids are therefore positions ``0..n-1`` and depend only on the
order of `register` calls, never on hashing or memory addresses.

One type, one id:

* declared types (``Struct``, ``Enum``, ``IntEnum``, named ``FixedBytes``) are the same type
  when their descriptor is the same object: the codec caches one descriptor per declaration;
* anonymous shapes (primitives, ``Compact<T>``, ``Vec<T>``, ``[T; n]``, tuples) and the
  generic ``Option<T>`` / ``Result<T, E>`` are the same type when their structure is, so
  ``bytes`` and ``Vec[U8]`` share one ``Vec<u8>`` entry, and the ``[u8; 32]`` inside
  ``AccountId32`` and ``H256`` is one entry, as in Substrate's metadata.

Field names lose a PEP 8 trailing underscore (``from_`` -> ``from``) and field type names are
Rust-looking (see `names`).
"""

from __future__ import annotations

from typing import Any

from deepshard.primitives.codec import FieldInfo, TypeInfo, TypeKind
from deepshard.primitives.codec.compiler import node_for
from deepshard.primitives.metadata.errors import UnknownType, UnsupportedType
from deepshard.primitives.metadata.model import (
    Field,
    PortableRegistry,
    PortableType,
    Type,
    TypeDef,
    TypeDefArray,
    TypeDefCompact,
    TypeDefComposite,
    TypeDefPrimitive,
    TypeDefPrimitiveType,
    TypeDefSequence,
    TypeDefTuple,
    TypeDefVariant,
    TypeParameter,
    Variant,
)
from deepshard.primitives.metadata.names import metadata_field_name, rust_type_name
from deepshard.primitives.numeric import U8, U32

__all__ = ["TypeRegistry", "TypeSpec", "resolve_type"]

TypeSpec = Any
"""What `TypeRegistry.register` accepts: a codec annotation, or a `TypeInfo` descriptor."""

_PRIMITIVES = {p.rust_name: p for p in TypeDefPrimitive}
_GENERIC_PATHS = frozenset({("Option",), ("Result",)})
_U32_MAX = (1 << 32) - 1


def resolve_type(spec: TypeSpec) -> TypeInfo:
    """Return the descriptor of `spec` (an annotation, or already a `TypeInfo`).

    Raises:
        UnsupportedType: the codec does not support the annotation.
    """
    if isinstance(spec, TypeInfo):
        return spec
    try:
        return node_for(spec).info
    except TypeError as exc:
        raise UnsupportedType(f"not a codec type: {spec!r} ({exc})") from exc


class TypeRegistry:
    """Assigns deterministic ids to types and produces the `PortableRegistry`."""

    def __init__(self) -> None:
        self._ids: dict[object, int] = {}
        self._infos: list[TypeInfo] = []
        self._types: list[Type] = []
        self._keys: dict[TypeInfo, object] = {}

    def __len__(self) -> int:
        return len(self._infos)

    def __contains__(self, spec: object) -> bool:
        try:
            return self._key(resolve_type(spec)) in self._ids
        except UnsupportedType:
            return False

    def register(self, spec: TypeSpec) -> int:
        """Register `spec` and every type it mentions; return its id (the existing one if known).

        Raises:
            UnsupportedType: the annotation is not a codec type, or a descriptor cannot be
                expressed in scale-info (an unknown primitive, a missing element, two fields
                with one metadata name).
        """
        root = resolve_type(spec)
        first_new = len(self._infos)
        stack = [root]
        while stack:  # pre-order depth-first walk, children in order (explicit stack)
            info = stack.pop()
            key = self._key(info)
            if key in self._ids:
                continue
            if len(self._infos) > _U32_MAX:
                raise UnsupportedType("more than 2**32 types")
            self._ids[key] = len(self._infos)
            self._infos.append(info)
            stack.extend(reversed(_children(info)))
        try:
            for info in self._infos[first_new:]:
                self._types.append(self._portable(info))
        except UnsupportedType:
            self._rollback(first_new)
            raise
        return self._ids[self._key(root)]

    def id_of(self, spec: TypeSpec) -> int:
        """Return the id of an already registered type.

        Raises:
            UnknownType: the type was never registered.
            UnsupportedType: `spec` is not a codec type.
        """
        try:
            return self._ids[self._key(resolve_type(spec))]
        except KeyError:
            raise UnknownType(f"type {spec!r} is not registered") from None

    def descriptor(self, type_id: int) -> TypeInfo:
        """Return the descriptor registered under `type_id` (the first one, if shared).

        Raises:
            UnknownType: no such id.
        """
        if not 0 <= type_id < len(self._infos):
            raise UnknownType(f"type id {type_id} is not in the registry")
        return self._infos[type_id]

    def portable_registry(self) -> PortableRegistry:
        """Return the registry of every type registered so far, ids equal to positions."""
        return PortableRegistry(
            types=tuple(PortableType(id=U32(i), ty=ty) for i, ty in enumerate(self._types))
        )

    # --- internals ---------------------------------------------------------------------

    def _rollback(self, first_new: int) -> None:
        for info in self._infos[first_new:]:
            self._ids.pop(self._key(info), None)
        del self._infos[first_new:]
        del self._types[first_new:]

    def _key(self, info: TypeInfo) -> object:
        """Return the identity key of `info` (see the module docs), memoised."""
        key = self._keys.get(info)
        if key is None:
            key = self._compute_key(info, set())
        return key

    def _compute_key(self, info: TypeInfo, active: set[int]) -> object:
        known = self._keys.get(info)
        if known is not None:
            return known
        if id(info) in active:  # an anonymous cycle (only hand-built descriptors): identity
            return info
        key: object = info
        kind = info.kind
        structural = (not info.path and not info.params) or (
            info.path in _GENERIC_PATHS and kind is TypeKind.VARIANT
        )
        if structural:
            active.add(id(info))
            try:
                if info.path:
                    key = (info.path, *(self._param_key(p.type, active) for p in info.params))
                elif kind is TypeKind.PRIMITIVE:
                    key = ("primitive", info.primitive)
                elif kind in (TypeKind.COMPACT, TypeKind.SEQUENCE, TypeKind.ARRAY):
                    element = self._param_key(info.element, active)
                    key = (kind.value, info.length, element)
                elif kind is TypeKind.TUPLE:
                    key = ("tuple", *(self._compute_key(e, active) for e in info.elements))
            finally:
                active.discard(id(info))
        self._keys[info] = key
        return key

    def _param_key(self, info: TypeInfo | None, active: set[int]) -> object:
        return None if info is None else self._compute_key(info, active)

    def _id(self, info: TypeInfo) -> U32:
        return U32(self._ids[self._key(info)])

    def _portable(self, info: TypeInfo) -> Type:
        params = tuple(
            TypeParameter(name=p.name, ty=None if p.type is None else self._id(p.type))
            for p in info.params
        )
        return Type(
            path=tuple(info.path),
            type_params=params,
            type_def=self._type_def(info),
            docs=rustdoc_lines(info.docs),
        )

    def _type_def(self, info: TypeInfo) -> TypeDef:
        kind = info.kind
        if kind is TypeKind.PRIMITIVE:
            primitive = _PRIMITIVES.get(info.primitive or "")
            if primitive is None:
                raise UnsupportedType(f"unknown primitive {info.primitive!r} in {info!r}")
            return TypeDefPrimitiveType(primitive)
        if kind is TypeKind.COMPOSITE:
            return TypeDefComposite(fields=self._fields(info.fields, info))
        if kind is TypeKind.VARIANT:
            return TypeDefVariant(
                members=tuple(
                    Variant(
                        name=v.name,
                        fields=self._fields(v.fields, info),
                        index=U8(v.index),
                        docs=rustdoc_lines(v.docs),
                    )
                    for v in info.variants
                )
            )
        if kind is TypeKind.TUPLE:
            return TypeDefTuple(tuple(self._id(e) for e in info.elements))
        element = info.element
        if element is None:
            raise UnsupportedType(f"{info!r} has no element type")
        if kind is TypeKind.COMPACT:
            return TypeDefCompact(type_param=self._id(element))
        if kind is TypeKind.SEQUENCE:
            return TypeDefSequence(type_param=self._id(element))
        if info.length is None or not 0 <= info.length <= _U32_MAX:
            raise UnsupportedType(f"{info!r} has no valid array length")
        return TypeDefArray(len=U32(info.length), type_param=self._id(element))

    def _fields(self, fields: tuple[FieldInfo, ...], owner: TypeInfo) -> tuple[Field, ...]:
        out = []
        seen: set[str] = set()
        for f in fields:
            name = metadata_field_name(f.name)
            if name is not None:
                if name in seen:
                    raise UnsupportedType(f"{owner!r} has two fields named {name!r} in metadata")
                seen.add(name)
            out.append(
                Field(
                    name=name,
                    ty=self._id(f.type),
                    type_name=rust_type_name(f.type_name, f.type),
                    docs=rustdoc_lines(f.docs),
                )
            )
        return tuple(out)


def _children(info: TypeInfo) -> list[TypeInfo]:
    """The types `info` mentions, in scale-info's visiting order: params, then the shape."""
    out = [p.type for p in info.params if p.type is not None]
    kind = info.kind
    if kind is TypeKind.COMPOSITE:
        out.extend(f.type for f in info.fields)
    elif kind is TypeKind.VARIANT:
        out.extend(f.type for v in info.variants for f in v.fields)
    elif kind is TypeKind.TUPLE:
        out.extend(info.elements)
    elif info.element is not None:
        out.append(info.element)
    return out


def rustdoc_lines(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Return docstring lines as rustdoc puts them in metadata: each non-empty line after a space.

    ``/// Balance too low.`` reaches FRAME metadata as ``" Balance too low."``; clients show the
    docs as they are, so ours carry the same leading space. Lines that already start with a
    space are kept.
    """
    return tuple(line if not line or line.startswith(" ") else " " + line for line in lines)
