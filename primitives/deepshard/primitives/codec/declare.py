"""The class machinery shared by `Struct` and `Enum`: frozen, slotted dataclasses from annotations.

Introduction
------------
`DeclarationMeta` turns every class that uses it into a ``@dataclass(frozen=True, slots=True)``
(declared with `typing.dataclass_transform`, so mypy knows the generated ``__init__``) and then
validates the field annotations at once: an annotation the codec cannot encode is a `TypeError`
when the class is created, not when the first block arrives.

Annotations are resolved with `typing.get_type_hints`. A name that is not defined yet (a class
declared further down the module) postpones resolution to the first use of the codec; the class
itself, and the names visible where it is declared, are always in scope.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from typing import Any, ClassVar, Self, dataclass_transform

from deepshard.primitives.codec import compiler
from deepshard.primitives.codec.descriptors import TypeInfo

__all__ = ["DeclarationMeta", "RESERVED_NAMES", "resolve_fields", "type_path_of"]

RESERVED_NAMES = frozenset({"encode", "decode", "decode_prefix", "codec", "type_info", "INDEX"})
"""Names a field may not take: they are methods or attributes of every declaration."""

_REBUILD_MARK = "__scale_rebuild__"


@dataclass_transform(frozen_default=True, eq_default=True)
class DeclarationMeta(type):
    """Metaclass of `Struct` and `Enum`: makes frozen slotted dataclasses and validates them."""

    __scale_namespace__: dict[str, Any]
    __scale_resolved__: dict[str, Any] | None

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> DeclarationMeta:
        """Create the class, make it a frozen slotted dataclass, then validate it."""
        if _REBUILD_MARK in namespace:  # dataclasses re-creating the class with __slots__
            return super().__new__(mcs, name, bases, namespace)
        # The scope the class is declared in, so local classes (in tests, in functions) resolve.
        caller = sys._getframe(1)
        scope = dict(caller.f_locals) if caller.f_code.co_name != "<module>" else {}
        # Methods using zero-argument super() close over a __class__ cell; it must end up
        # pointing at the rebuilt (slotted) class, so take it out and fill it in ourselves.
        class_cell = namespace.pop("__classcell__", None)
        first = super().__new__(mcs, name, bases, namespace, **kwargs)
        setattr(first, _REBUILD_MARK, True)
        cls: Any = dataclasses.dataclass(frozen=True, slots=True, eq=True, repr=True)(first)
        delattr(cls, _REBUILD_MARK)
        if class_cell is not None:
            class_cell.cell_contents = cls
        for field in dataclasses.fields(cls):
            if field.name in RESERVED_NAMES:
                raise TypeError(f"{name}: field name {field.name!r} is reserved by the codec")
        cls.__scale_namespace__ = scope
        cls.__scale_resolved__ = None
        if any(isinstance(base, DeclarationMeta) for base in bases):
            cls.__scale_finish__()  # not for `Struct` / `Enum` themselves
        made: DeclarationMeta = cls
        return made

    def __init__(
        cls,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        **kwargs: Any,  # noqa: ARG002 - consumed by __init_subclass__ in __new__
    ) -> None:
        super().__init__(name, bases, namespace)

    def __scale_finish__(cls) -> None:
        """Validate the freshly created class (overridden by `Struct` and `Enum`)."""


def resolve_fields(cls: DeclarationMeta, *, strict: bool) -> dict[str, Any] | None:
    """Return ``{field name: resolved annotation}`` for the dataclass `cls`, in field order.

    With ``strict=False`` a name that is not defined yet returns None (resolution is retried
    at first use); with ``strict=True`` it is a `TypeError`.
    """
    if cls.__scale_resolved__ is not None:
        return cls.__scale_resolved__
    localns = {**cls.__scale_namespace__, cls.__name__: cls}
    try:
        hints = typing.get_type_hints(cls, localns=localns, include_extras=True)
    except NameError as exc:
        if strict:
            raise TypeError(f"{cls.__name__}: cannot resolve a field annotation: {exc}") from None
        return None
    fields = {f.name: hints[f.name] for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name, annotation in fields.items():
        try:
            compiler.validate(annotation)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.{name}: {exc}") from None
    cls.__scale_resolved__ = fields
    return fields


def source_annotation(cls: type, name: str) -> str | None:
    """Return field `name`'s annotation as written in the source (scale-info ``typeName``)."""
    for klass in cls.__mro__:
        raw = inspect.get_annotations(klass).get(name)
        if raw is not None:
            return raw if isinstance(raw, str) else getattr(raw, "__name__", repr(raw))
    return None


def type_path_of(cls: type, declared: tuple[str, ...] | None) -> tuple[str, ...]:
    """Return the declared type path, or the default ``module.path.ClassName`` split on dots."""
    if declared is not None:
        return tuple(declared)
    return (*cls.__module__.split("."), cls.__name__)


class Declared:
    """What every declaration (`Struct`, `Enum` and its variants) can do with its codec."""

    __slots__ = ()
    __scale_config__: ClassVar[dict[str, Any]]

    def encode(self) -> bytes:
        """Return the SCALE encoding of this value (an enum variant: its index, then fields).

        Raises:
            EncodeError: a field holds a value its annotation cannot encode.
        """
        return compiler.codec_for(type(self)).encode(self)

    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview, *, exact: bool = True) -> Self:
        """Decode a value from `data` (all of it, unless ``exact=False``).

        On an enum variant class only that variant is accepted.

        Raises:
            DecodeError: the bytes are not a valid encoding (the subclass says why, and
                ``position`` where; an unknown enum index is `InvalidVariant`).
        """
        value: Self = compiler.codec_for(cls).decode(data, exact=exact)
        return value

    @classmethod
    def decode_prefix(
        cls, data: bytes | bytearray | memoryview, offset: int = 0
    ) -> tuple[Self, int]:
        """Decode a value starting at `offset`; return it and the offset after it."""
        result: tuple[Self, int] = compiler.codec_for(cls).decode_prefix(data, offset)
        return result

    @classmethod
    def codec(cls) -> compiler.Codec[Self]:
        """Return the compiled codec of this declaration."""
        return compiler.codec_for(cls)

    @classmethod
    def type_info(cls) -> TypeInfo:
        """Return the type descriptor (for the metadata builder)."""
        return compiler.node_for(cls).info
