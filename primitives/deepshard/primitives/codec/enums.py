"""`Enum`: a SCALE enum whose variants are dataclasses declared with explicit indices.

Example::

    class MultiAddress(Enum, type_path=("sp_runtime", "multiaddress", "MultiAddress")):
        '''An account address.'''

    class Id(MultiAddress, index=0, unnamed=True):
        '''An account id.'''
        account: AccountId32

    class Raw(MultiAddress, index=2, unnamed=True):
        data: bytes

The class directly under `Enum` is the enum; its subclasses are its variants (frozen slotted
dataclasses; a variant without fields is a unit variant). The wire form is the variant's
``index`` byte followed by its fields. Annotating with the enum accepts every variant; annotating
with one variant class accepts (and decodes) only that variant, still tag byte included.

Rules checked when a variant is declared: ``index`` is given, in ``0..=255`` and unique in its
enum; variants are not subclassed further; the enum has no fields of its own; and no variant is
added after the enum's codec has been compiled. Payload-less enums can also be plain
`enum.IntEnum` classes (the member value is the index).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from deepshard.primitives.codec import compiler
from deepshard.primitives.codec.codegen import Gen, Node, compile_function
from deepshard.primitives.codec.declare import (
    DeclarationMeta,
    Declared,
    resolve_fields,
    type_path_of,
)
from deepshard.primitives.codec.descriptors import TypeInfo, TypeKind, VariantInfo
from deepshard.primitives.codec.errors import EncodeError
from deepshard.primitives.codec.nodes import docs_of, emit_construct, emit_fields_decode
from deepshard.primitives.codec.struct import field_nodes, type_params_of

__all__ = ["Enum", "EnumNode"]

_INLINE_VARIANTS = 6
"""Enums with more variants dispatch through a table of per-variant functions."""


class _Variant:
    """A compiled variant: class, index, field nodes and (for unit variants) the instance."""

    __slots__ = ("cls", "fields", "index", "instance")

    def __init__(self, cls: type, index: int, fields: list[tuple[str, Node]]) -> None:
        self.cls = cls
        self.index = index
        self.fields = fields
        self.instance: object = object.__new__(cls) if not fields else None

    def emit_decode_body(self, g: Gen, out: str) -> None:
        """Emit the payload decoding (the tag is already consumed) and the construction."""
        if self.instance is not None:
            g.line(f"{out} = {g.const(self.instance, 'unit')}")
            return
        names = [g.var(name) for name, _ in self.fields]
        items = [
            (node, var, f"{self.cls.__name__}.{name}")
            for (name, node), var in zip(self.fields, names, strict=True)
        ]
        emit_fields_decode(g, items, True)
        emit_construct(g, out, self.cls, [name for name, _ in self.fields], names)

    def emit_encode_body(self, g: Gen, value: str) -> None:
        """Emit the tag byte and the payload."""
        g.line(f"w += {bytes((self.index,))!r}")
        for name, node in self.fields:
            var = g.var(name)
            g.line(f"{var} = {value}.{name}")
            node.emit_encode(g, var)


class EnumNode(Node):
    """The node of an enum (all its variants) or of a single variant class."""

    min_size = 1

    def __init__(self, label: str, info: TypeInfo, variants: list[_Variant]) -> None:
        self._label = label
        self.info = info
        self.variants = sorted(variants, key=lambda v: v.index)
        if self.variants:
            self.min_size = 1 + min(sum(n.min_size for _, n in v.fields) for v in self.variants)
        self._decoders: tuple[Any, ...] | None = None
        self._encoders: dict[type, Any] | None = None

    def label(self) -> str:
        """Return the enum's (or variant's) class name."""
        return self._label

    def _decode_table(self) -> tuple[Any, ...]:
        if self._decoders is None:
            table: list[Any] = [None] * 256
            for variant in self.variants:
                g = Gen()
                variant.emit_decode_body(g, "out")
                g.line("return out, pos")
                table[variant.index] = compile_function(
                    f"decode_{variant.cls.__name__}", "data, pos, end", g
                )
            self._decoders = tuple(table)
        return self._decoders

    def _encode_table(self) -> dict[type, Any]:
        if self._encoders is None:
            table = {}
            for variant in self.variants:
                g = Gen()
                variant.emit_encode_body(g, "v")
                table[variant.cls] = compile_function(f"encode_{variant.cls.__name__}", "v, w", g)
            self._encoders = table
        return self._encoders

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit the tag read and the dispatch (inline if-chain, or a table for big enums)."""
        g.line(f"if pos >= end: raise _Truncated('expected {self._label}, input ended', pos)")
        tag = g.var("tag")
        g.line(f"{tag} = data[pos]")
        error = f"raise _InvalidVariant(f'{self._label} has no variant with index {{{tag}}}', pos)"
        if len(self.variants) > _INLINE_VARIANTS:
            fn = g.var("f")
            g.line(f"{fn} = {g.const(self._decode_table(), 'dtbl')}[{tag}]")
            g.line(f"if {fn} is None: {error}")
            g.line(f"{out}, pos = {fn}(data, pos + 1, end)")
            return
        for number, variant in enumerate(self.variants):
            with g.block(f"{'if' if number == 0 else 'elif'} {tag} == {variant.index}:"):
                g.line("pos += 1")
                variant.emit_decode_body(g, out)
        with g.block("else:" if self.variants else "if True:"):
            g.line(error)

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the dispatch on the value's class."""
        error = f"raise {g.const(self._type_error, 'err')}({value})"
        if len(self.variants) > _INLINE_VARIANTS:
            fn = g.var("f")
            g.line(f"{fn} = {g.const(self._encode_table(), 'etbl')}.get({value}.__class__)")
            g.line(f"if {fn} is None: {error}")
            g.line(f"{fn}({value}, w)")
            return
        cls = g.var("c")
        g.line(f"{cls} = {value}.__class__")
        for number, variant in enumerate(self.variants):
            test = f"{cls} is {g.const(variant.cls, 'var')}"
            with g.block(f"{'if' if number == 0 else 'elif'} {test}:"):
                variant.emit_encode_body(g, value)
        with g.block("else:" if self.variants else "if True:"):
            g.line(error)

    def _type_error(self, value: object) -> EncodeError:
        return EncodeError(
            f"expected a variant of {self._label}, got {type(value).__name__}: {value!r:.80}"
        )


class Enum(Declared, metaclass=DeclarationMeta):
    """Base of SCALE enums: subclass once for the enum, then once per variant (with ``index``)."""

    __scale_declaration__: ClassVar[bool] = True
    __scale_config__: ClassVar[dict[str, Any]] = {}
    __scale_variants__: ClassVar[dict[int, type]]
    __scale_compiled__: ClassVar[bool]
    INDEX: ClassVar[int]
    """A variant's index (its tag byte); not set on the enum class itself."""

    def __init_subclass__(
        cls,
        *,
        index: int | None = None,
        type_path: tuple[str, ...] | None = None,
        type_params: tuple[tuple[str, Any], ...] = (),
        unnamed: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if "__scale_rebuild__" in cls.__dict__:
            return
        cls.__scale_config__ = {
            "index": index,
            "type_path": type_path,
            "type_params": tuple(type_params),
            "unnamed": unnamed,
        }

    @classmethod
    def __scale_finish__(cls) -> None:
        """Register a variant with its enum, or set up a new enum; validate either."""
        config = cls.__scale_config__
        root = cls.enum_class()
        if root is cls:
            if config["index"] is not None:
                raise TypeError(f"{cls.__name__}: the enum itself takes no index (its variants do)")
            if resolve_fields(cls, strict=False):
                raise TypeError(f"{cls.__name__}: an enum has no fields; declare them on variants")
            cls.__scale_variants__ = {}
            cls.__scale_compiled__ = False
            return
        if cls.__bases__[0] is not root:
            raise TypeError(f"{cls.__name__}: variants of {root.__name__} cannot be subclassed")
        index = config["index"]
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= 255:
            raise TypeError(f"{cls.__name__}: variant of {root.__name__} needs index=0..255")
        if config["type_path"] is not None or config["type_params"]:
            raise TypeError(f"{cls.__name__}: type_path/type_params belong on the enum class")
        taken = root.__scale_variants__.get(index)
        if taken is not None:
            raise TypeError(
                f"{cls.__name__}: index {index} of {root.__name__} is already {taken.__name__}"
            )
        if root.__scale_compiled__:
            raise TypeError(
                f"{cls.__name__}: {root.__name__} was already compiled; declare every variant "
                "before the enum is first used"
            )
        resolve_fields(cls, strict=False)
        cls.INDEX = index
        root.__scale_variants__[index] = cls

    @classmethod
    def enum_class(cls) -> type[Enum]:
        """Return the enum this class belongs to (itself, for the enum class)."""
        for klass in cls.__mro__:
            if Enum in klass.__bases__:
                return klass
        raise TypeError(f"{cls.__name__} is not an Enum")  # pragma: no cover

    @classmethod
    def variants(cls) -> dict[int, type[Self]]:
        """Return the declared variants by index."""
        return dict(cls.enum_class().__scale_variants__)

    @classmethod
    def __scale_node__(cls, args: tuple[Any, ...]) -> Node:
        """Build the node of the enum (all variants) or of one variant (called once)."""
        root = cls.enum_class()
        config = root.__scale_config__
        info = TypeInfo(
            TypeKind.VARIANT,
            path=type_path_of(root, config["type_path"]),
            docs=docs_of(root),
            python_type=cls,
        )
        members: list[Any] = (
            [cls]
            if cls is not root
            else [root.__scale_variants__[i] for i in sorted(root.__scale_variants__)]
        )
        root.__scale_compiled__ = True
        compiler.begin_recursive(cls, lambda: compiler.make_recursion_node(cls, info))
        variants = []
        infos = []
        try:
            for member in members:
                fields, field_infos = field_nodes(member, member.__scale_config__["unnamed"])
                variants.append(_Variant(member, member.INDEX, fields))
                infos.append(
                    VariantInfo(member.__name__, member.INDEX, field_infos, docs_of(member))
                )
            info.params = type_params_of(config["type_params"])
        finally:
            compiler.end_recursive(cls)
        info.variants = tuple(infos)
        return EnumNode(cls.__name__, info, variants)
