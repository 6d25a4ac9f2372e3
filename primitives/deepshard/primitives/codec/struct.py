"""`Struct`: a SCALE composite declared as a frozen, slotted dataclass.

Example::

    class AccountData(Struct, type_path=("pallet_balances", "types", "AccountData")):
        '''Balance of an account.'''

        free: U128
        reserved: U128

    AccountData(free=U128(1), reserved=U128(0)).encode()   # 32 bytes
    AccountData.decode(data)                               # -> AccountData

Fields encode in declaration order (inherited fields first), each by its annotation (see
`compiler` for the supported annotations). Class keywords:

* ``type_path``: the metadata path (default: the module path and the class name);
* ``type_params``: ``(("T", U32), ...)`` generic parameter names shown in metadata;
* ``unnamed=True``: the fields are tuple-like in metadata (``struct Foo(A, B)`` in Rust).

Decoding builds instances without calling ``__init__`` (so ``__post_init__`` does not run).
"""

from __future__ import annotations

from typing import Any, ClassVar

from deepshard.primitives.codec import compiler
from deepshard.primitives.codec.codegen import Gen, Node
from deepshard.primitives.codec.declare import (
    DeclarationMeta,
    Declared,
    resolve_fields,
    source_annotation,
    type_path_of,
)
from deepshard.primitives.codec.descriptors import FieldInfo, TypeInfo, TypeKind, TypeParam
from deepshard.primitives.codec.nodes import docs_of, emit_construct, emit_fields_decode

__all__ = ["Struct", "StructNode", "field_nodes"]


def field_nodes(
    cls: DeclarationMeta, unnamed: bool
) -> tuple[list[tuple[str, Node]], tuple[FieldInfo, ...]]:
    """Return the ``(name, node)`` pairs and the field descriptors of the dataclass `cls`."""
    fields = resolve_fields(cls, strict=True)
    assert fields is not None  # strict resolution raises instead
    pairs = []
    infos = []
    for name, annotation in fields.items():
        try:
            node = compiler.node_for(annotation)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.{name}: {exc}") from None
        pairs.append((name, node))
        infos.append(FieldInfo(None if unnamed else name, node.info, source_annotation(cls, name)))
    return pairs, tuple(infos)


def type_params_of(declared: tuple[tuple[str, Any], ...]) -> tuple[TypeParam, ...]:
    """Resolve ``(("Name", annotation or None), ...)`` into metadata type parameters."""
    return tuple(
        TypeParam(name, None if tp is None else compiler.node_for(tp).info) for name, tp in declared
    )


class StructNode(Node):
    """The node of a `Struct` class: its fields in order, built into an instance."""

    def __init__(self, cls: type, info: TypeInfo, fields: list[tuple[str, Node]]) -> None:
        self.cls = cls
        self.info = info
        self.fields = fields
        self.min_size = sum(node.min_size for _, node in fields)
        sizes = [node.fixed_size for _, node in fields]
        if all(size is not None for size in sizes):
            self.fixed_size = sum(size or 0 for size in sizes)

    def label(self) -> str:
        """Return the class name."""
        return self.cls.__name__

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit the fields' code (bounds checked per fixed-size run), then the construction."""
        names = [g.var(name) for name, _ in self.fields]
        items = [
            (node, var, f"{self.cls.__name__}.{name}")
            for (name, node), var in zip(self.fields, names, strict=True)
        ]
        emit_fields_decode(g, items, checked)
        emit_construct(g, out, self.cls, [name for name, _ in self.fields], names)

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit a class check, then each field's code."""
        cls = g.const(self.cls, "cls")
        check = f"{value}.__class__ is not {cls} and not _isinstance({value}, {cls})"
        with g.block(f"if {check}:"):
            g.line(f"raise {g.const(_struct_type_error, 'err')}({cls}, {value})")
        for name, node in self.fields:
            var = g.var(name)
            g.line(f"{var} = {value}.{name}")
            node.emit_encode(g, var)


def _struct_type_error(cls: type, value: object) -> Exception:
    from deepshard.primitives.codec.errors import EncodeError  # noqa: PLC0415

    return EncodeError(f"expected a {cls.__name__}, got {type(value).__name__}: {value!r:.80}")


class Struct(Declared, metaclass=DeclarationMeta):
    """Base of SCALE composites: subclass it and annotate the fields (see the module docs)."""

    __scale_declaration__: ClassVar[bool] = True
    __scale_config__: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(
        cls,
        *,
        type_path: tuple[str, ...] | None = None,
        type_params: tuple[tuple[str, Any], ...] = (),
        unnamed: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if "__scale_rebuild__" in cls.__dict__:
            return
        cls.__scale_config__ = {
            "type_path": type_path,
            "type_params": tuple(type_params),
            "unnamed": unnamed,
        }

    @classmethod
    def __scale_finish__(cls) -> None:
        """Validate the field annotations as soon as the class exists."""
        resolve_fields(cls, strict=False)

    @classmethod
    def __scale_node__(cls, args: tuple[Any, ...]) -> Node:
        """Build this class's node (called by the compiler, once)."""
        config = cls.__scale_config__
        info = TypeInfo(
            TypeKind.COMPOSITE,
            path=type_path_of(cls, config["type_path"]),
            docs=docs_of(cls),
            python_type=cls,
        )
        compiler.begin_recursive(cls, lambda: compiler.make_recursion_node(cls, info))
        try:
            fields, infos = field_nodes(cls, config["unnamed"])
            info.params = type_params_of(config["type_params"])
        finally:
            compiler.end_recursive(cls)
        info.fields = infos
        return StructNode(cls, info, fields)
