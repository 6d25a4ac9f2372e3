"""The codec's type-descriptor model: what a compiled type *is*, for metadata and tooling.

Introduction
------------
Every type the codec compiles carries a `TypeInfo` that mirrors scale-info's `TypeDef` closely
enough that the V14 metadata builder can walk it one to one:

========== ==================================================================================
kind       meaning and populated attributes
========== ==================================================================================
PRIMITIVE  ``primitive`` is one of ``bool str u8 u16 u32 u64 u128 u256 i8 ... i256``
COMPACT    ``element`` is the (unsigned integer) type carried compactly
SEQUENCE   ``element``: a length-prefixed ``Vec<element>`` (``bytes`` is ``Vec<u8>``)
ARRAY      ``element`` and ``length``: ``[element; length]``
TUPLE      ``elements``: ``(A, B, ...)``; the unit type ``()`` has no elements
COMPOSITE  ``fields``: a struct (or a newtype wrapper such as ``AccountId32``)
VARIANT    ``variants``: an enum; each variant has its explicit ``index``
========== ==================================================================================

``Option<T>`` and ``Result<T, E>`` are VARIANT types with ``path`` ``("Option",)`` /
``("Result",)`` and type parameters, exactly as scale-info describes them. ``path``, ``params``
and ``docs`` are optional everywhere.

Descriptors compare by identity: the compiler caches one per annotation, so two fields of the
same type share one `TypeInfo` (which is what lets the metadata builder assign one type id per
type). Recursive types produce cyclic descriptor graphs; walkers must keep a visited set.
"""

from __future__ import annotations

import enum

__all__ = ["TypeKind", "TypeInfo", "FieldInfo", "VariantInfo", "TypeParam"]


class TypeKind(enum.Enum):
    """The shape of a type, following scale-info's `TypeDef` variants."""

    PRIMITIVE = "primitive"
    COMPACT = "compact"
    SEQUENCE = "sequence"
    ARRAY = "array"
    TUPLE = "tuple"
    COMPOSITE = "composite"
    VARIANT = "variant"


class FieldInfo:
    """One field of a composite or of an enum variant.

    Attributes:
        name: The field's name, or None for tuple-like (unnamed) fields.
        type: The field's type descriptor.
        type_name: The annotation as written in the source (scale-info's ``typeName``), if any.
        docs: Documentation lines.
    """

    __slots__ = ("docs", "name", "type", "type_name")

    def __init__(
        self,
        name: str | None,
        type: TypeInfo,
        type_name: str | None = None,
        docs: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.type = type
        self.type_name = type_name
        self.docs = docs

    def __repr__(self) -> str:
        return f"FieldInfo({self.name!r}, {self.type.display_name()})"


class VariantInfo:
    """One variant of an enum.

    Attributes:
        name: The variant's name.
        index: Its explicit index: the tag byte on the wire.
        fields: Its payload fields (empty for a unit variant).
        docs: Documentation lines.
    """

    __slots__ = ("docs", "fields", "index", "name")

    def __init__(
        self, name: str, index: int, fields: tuple[FieldInfo, ...] = (), docs: tuple[str, ...] = ()
    ) -> None:
        self.name = name
        self.index = index
        self.fields = fields
        self.docs = docs

    def __repr__(self) -> str:
        return f"VariantInfo({self.name!r}, index={self.index}, fields={self.fields!r})"


class TypeParam:
    """A named generic parameter of a type (scale-info ``TypeParameter``).

    Attributes:
        name: The parameter's name, e.g. ``"AccountId"``.
        type: Its concrete type, or None when it is only a phantom name.
    """

    __slots__ = ("name", "type")

    def __init__(self, name: str, type: TypeInfo | None) -> None:
        self.name = name
        self.type = type

    def __repr__(self) -> str:
        return f"TypeParam({self.name!r})"


class TypeInfo:
    """Descriptor of one compiled type (see the module docstring for the attribute table).

    Attributes:
        kind: The type's shape.
        primitive: For PRIMITIVE, the scale-info primitive name.
        element: For COMPACT, SEQUENCE and ARRAY, the element type.
        length: For ARRAY, the number of elements.
        elements: For TUPLE, the element types.
        fields: For COMPOSITE, the fields in encoding order.
        variants: For VARIANT, the variants ordered by index.
        path: Type path such as ``("sp_core", "crypto", "AccountId32")``; empty if anonymous.
        params: Generic parameters, for the metadata's ``params`` list.
        docs: Documentation lines.
        python_type: The annotation this descriptor was compiled from.
    """

    __slots__ = (
        "docs",
        "element",
        "elements",
        "fields",
        "kind",
        "length",
        "params",
        "path",
        "primitive",
        "python_type",
        "variants",
    )

    def __init__(
        self,
        kind: TypeKind,
        *,
        python_type: object = None,
        primitive: str | None = None,
        element: TypeInfo | None = None,
        length: int | None = None,
        elements: tuple[TypeInfo, ...] = (),
        fields: tuple[FieldInfo, ...] = (),
        variants: tuple[VariantInfo, ...] = (),
        path: tuple[str, ...] = (),
        params: tuple[TypeParam, ...] = (),
        docs: tuple[str, ...] = (),
    ) -> None:
        self.kind = kind
        self.python_type = python_type
        self.primitive = primitive
        self.element = element
        self.length = length
        self.elements = elements
        self.fields = fields
        self.variants = variants
        self.path = path
        self.params = params
        self.docs = docs

    def display_name(self) -> str:
        """Return a short Rust-like name for messages, e.g. ``Vec<u32>`` or ``AccountId32``."""
        if self.path:
            return self.path[-1]
        if self.kind is TypeKind.PRIMITIVE:
            return self.primitive or "?"
        if self.kind is TypeKind.COMPACT and self.element is not None:
            return f"Compact<{self.element.display_name()}>"
        if self.kind is TypeKind.SEQUENCE and self.element is not None:
            return f"Vec<{self.element.display_name()}>"
        if self.kind is TypeKind.ARRAY and self.element is not None:
            return f"[{self.element.display_name()}; {self.length}]"
        if self.kind is TypeKind.TUPLE:
            return "(" + ", ".join(e.display_name() for e in self.elements) + ")"
        return str(getattr(self.python_type, "__name__", self.kind.value))

    def __repr__(self) -> str:
        return f"TypeInfo({self.kind.name}, {self.display_name()})"
