"""Rust-looking names for metadata: field names and scale-info ``typeName`` strings.

Introduction
------------
scale-info records, for every field, the type *as written in the Rust source* (``typeName``:
``T::Balance``, ``Vec<u8>``, ``AccountIdLookupOf<T>``). Clients only display it (polkadot.js
Apps shows it next to call arguments; scalecodec reports it as an argument's ``type``), so
Deepshard writes the Python annotation translated into Rust syntax, keeping the author's alias
names::

    Compact[Balance]                 -> Compact<Balance>
    U128                             -> u128
    bytes / str                      -> Vec<u8> / String
    Vec[EventRecord], list[T]        -> Vec<EventRecord>, Vec<T>
    tuple[A, B] / tuple[()]          -> (A, B) / ()
    AccountId | None                 -> Option<AccountId>
    Ok[T] | Err[E], Result[T, E]     -> Result<T, E>
    Annotated[bytes, FixedLen(32)]   -> [u8; 32]
    BoundedList[T, S]                -> BoundedList<T, S>

Strings that already look like Rust (``[u8; 32]``, ``Vec<u8>``) are kept. When there is no
source text, when it cannot be parsed, or when it is a bare generic name (``list``: what the
codec records for ``list[H256]`` in a module without ``from __future__ import annotations``),
the name is derived from the type descriptor itself (`descriptor_name`).

Field names follow PEP 8's escape rule in reverse: a Python name with one trailing underscore
(``from_``, ``type_``) is the Rust name without it (``from``, ``type``). FRAME's
``Balances::Transfer`` event has a field called ``from`` and clients read it by name.
"""

from __future__ import annotations

import ast

from deepshard.primitives.codec import TypeInfo, TypeKind

__all__ = ["metadata_field_name", "rust_type_name", "descriptor_name"]

_PYTHON_NAMES = {
    **{f"U{bits}": f"u{bits}" for bits in (8, 16, 32, 64, 128, 256)},
    **{f"I{bits}": f"i{bits}" for bits in (8, 16, 32, 64, 128, 256)},
    "bool": "bool",
    "str": "String",
    "bytes": "Vec<u8>",
    "list": "Vec",
    "Sequence": "Vec",
    "Vec": "Vec",
    "Optional": "Option",
    "Result": "Result",
}
_SEQUENCE_NAMES = frozenset({"Vec", "list", "Sequence"})
_BARE_GENERICS = frozenset(
    {"tuple", "list", "Vec", "Sequence", "Annotated", "Optional", "Union", "Compact", "Result"}
)
"""Generic names without arguments: what ``__name__`` gives for an alias such as
``list[H256]`` when annotations are not strings; the descriptor names those better."""
_RUST_MARKS = ("<", ";", "::", "&")
_MAX_NAME_DEPTH = 32


def metadata_field_name(name: str | None) -> str | None:
    """Return the metadata name of a Python field: ``from_`` -> ``from``; others unchanged."""
    if name is None or len(name) < 2 or not name.endswith("_") or name.endswith("__"):
        return name
    return name[:-1]


def rust_type_name(source: str | None, info: TypeInfo) -> str:
    """Return the ``typeName`` of a field: `source` (the annotation text) in Rust syntax.

    Falls back to `descriptor_name` of `info` when `source` is missing or not understood.
    """
    if source:
        if any(mark in source for mark in _RUST_MARKS):
            return source
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError:
            tree = None
        if tree is not None and _base_name(tree.body) not in _BARE_GENERICS:
            converted = _convert(tree.body, 0)
            if converted is not None:
                return converted
    return descriptor_name(info)


def descriptor_name(info: TypeInfo, _depth: int = 0) -> str:
    """Return a Rust-like name for a type descriptor (``Vec<u8>``, ``Option<AccountId32>``)."""
    if _depth > _MAX_NAME_DEPTH:
        return "_"
    nested = _depth + 1
    if info.path:
        args = [descriptor_name(p.type, nested) for p in info.params if p.type is not None]
        return info.path[-1] + (f"<{', '.join(args)}>" if args else "")
    kind = info.kind
    if kind is TypeKind.PRIMITIVE:
        return "String" if info.primitive == "str" else str(info.primitive)
    if kind is TypeKind.COMPACT and info.element is not None:
        return f"Compact<{descriptor_name(info.element, nested)}>"
    if kind is TypeKind.SEQUENCE and info.element is not None:
        return f"Vec<{descriptor_name(info.element, nested)}>"
    if kind is TypeKind.ARRAY and info.element is not None:
        return f"[{descriptor_name(info.element, nested)}; {info.length}]"
    if kind is TypeKind.TUPLE:
        return _tuple([descriptor_name(e, nested) for e in info.elements])
    return str(getattr(info.python_type, "__name__", kind.value))


def _tuple(items: list[str]) -> str:
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"


def _convert(node: ast.expr, depth: int) -> str | None:
    """Translate one annotation expression; None when it is not a shape we understand."""
    if depth > _MAX_NAME_DEPTH:
        return None
    nested = depth + 1
    if isinstance(node, ast.Name):
        return _PYTHON_NAMES.get(node.id, node.id)
    if isinstance(node, ast.Attribute):  # typing.Optional, numeric.U128: the last segment
        return _PYTHON_NAMES.get(node.attr, node.attr)
    if isinstance(node, ast.Constant):
        if node.value is None:
            return "()"
        if isinstance(node.value, str):  # a quoted forward reference
            try:
                inner = ast.parse(node.value.strip(), mode="eval")
            except SyntaxError:
                return None
            return _convert(inner.body, nested)
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _convert_union(node, nested)
    if isinstance(node, ast.Subscript):
        return _convert_subscript(node, nested)
    return None


def _convert_union(node: ast.BinOp, depth: int) -> str | None:
    left, right = node.left, node.right
    if isinstance(right, ast.Constant) and right.value is None:
        inner = _convert(left, depth)
        return None if inner is None else f"Option<{inner}>"
    if (
        isinstance(left, ast.Subscript)
        and isinstance(right, ast.Subscript)
        and _base_name(left.value) == "Ok"
        and _base_name(right.value) == "Err"
    ):
        ok, err = _convert(left.slice, depth), _convert(right.slice, depth)
        return None if ok is None or err is None else f"Result<{ok}, {err}>"
    return None


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _convert_subscript(node: ast.Subscript, depth: int) -> str | None:
    base = _base_name(node.value)
    if base is None:
        return None
    args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if base == "Annotated":
        return _convert_annotated(args, depth)
    if base == "tuple":
        if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
            inner = _convert(args[0], depth)
            return None if inner is None else f"Vec<{inner}>"
        if isinstance(node.slice, ast.Tuple) and not node.slice.elts:
            return "()"
        items = [_convert(a, depth) for a in args]
        return None if None in items else _tuple([i for i in items if i is not None])
    if base in _SEQUENCE_NAMES and len(args) == 1:
        inner = _convert(args[0], depth)
        return None if inner is None else f"Vec<{inner}>"
    items = [_convert(a, depth) for a in args]
    if None in items:
        return None
    return f"{_PYTHON_NAMES.get(base, base)}<{', '.join(i for i in items if i is not None)}>"


def _convert_annotated(args: list[ast.expr], depth: int) -> str | None:
    if len(args) < 2:
        return None
    base, markers = args[0], args[1:]
    for marker in markers:
        if _base_name(marker) == "COMPACT":
            inner = _convert(base, depth)
            return None if inner is None else f"Compact<{inner}>"
        if (
            isinstance(marker, ast.Call)
            and _base_name(marker.func) == "FixedLen"
            and len(marker.args) == 1
            and isinstance(marker.args[0], ast.Constant)
            and isinstance(marker.args[0].value, int)
        ):
            length = marker.args[0].value
            element = _array_element(base, depth)
            return None if element is None else f"[{element}; {length}]"
    return _convert(base, depth)


def _array_element(base: ast.expr, depth: int) -> str | None:
    if _base_name(base) == "bytes":
        return "u8"
    if isinstance(base, ast.Subscript) and _base_name(base.value) == "tuple":
        elts = base.slice.elts if isinstance(base.slice, ast.Tuple) else [base.slice]
        if elts:
            return _convert(elts[0], depth)
    return None
