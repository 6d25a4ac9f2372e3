"""`render_metadata`: V14 metadata as stable, diff-friendly text for snapshot tests.

Introduction
------------
The text lists, in this order: a summary (type count, runtime type, extrinsic format and signed
extensions), each pallet by index (storage entries with modifier, hashers, key and value types
and default bytes; calls, events and errors with indices, argument names and types; constants
with their SCALE bytes; docs as ``///`` lines), then every named type with its shape, sorted by
path, and finally the blake2_256 of the encoded ``RuntimeMetadataPrefixed`` bytes.

Type ids do not appear (adding one type would renumber all the others and bury the real change
in noise); types are shown by Rust-like names such as ``AccountInfo<u32, AccountData<u128>>``.
The last line pins everything the text leaves out. The output depends only on the model.
"""

from __future__ import annotations

from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.metadata.model import (
    Field,
    MapStorage,
    PalletMetadata,
    PlainStorage,
    PortableRegistry,
    RuntimeMetadataV14,
    StorageEntryMetadata,
    TypeDefArray,
    TypeDefBitSequence,
    TypeDefCompact,
    TypeDefComposite,
    TypeDefPrimitiveType,
    TypeDefSequence,
    TypeDefTuple,
    TypeDefVariant,
    Variant,
    encode_metadata,
)
from deepshard.primitives.metadata.v15 import RuntimeMetadataV15, encode_metadata_v15

__all__ = ["render_metadata", "render_metadata_v15", "type_name"]

_MAX_DEPTH = 32
_INDENT = "  "


def type_name(registry: PortableRegistry, type_id: int, _depth: int = 0) -> str:
    """Return a Rust-like name for type `type_id`: ``Vec<u8>``, ``Option<AccountId32>``.

    Named types show their last path segment and their (non-phantom) parameters.

    Raises:
        UnknownType: `type_id` (or a type it mentions) is not in the registry.
    """
    if _depth > _MAX_DEPTH:
        return "..."
    nested = _depth + 1
    ty = registry.get(type_id)
    if ty.path:
        args = [type_name(registry, p.ty, nested) for p in ty.type_params if p.ty is not None]
        return ty.path[-1] + (f"<{', '.join(args)}>" if args else "")
    d = ty.type_def
    if isinstance(d, TypeDefPrimitiveType):
        return d.primitive.rust_name
    if isinstance(d, TypeDefCompact):
        return f"Compact<{type_name(registry, d.type_param, nested)}>"
    if isinstance(d, TypeDefSequence):
        return f"Vec<{type_name(registry, d.type_param, nested)}>"
    if isinstance(d, TypeDefArray):
        return f"[{type_name(registry, d.type_param, nested)}; {d.len}]"
    if isinstance(d, TypeDefTuple):
        items = [type_name(registry, t, nested) for t in d.fields]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(d, TypeDefBitSequence):
        store = type_name(registry, d.bit_store_type, nested)
        order = type_name(registry, d.bit_order_type, nested)
        return f"BitVec<{store}, {order}>"
    if isinstance(d, TypeDefComposite):
        return "{" + _fields(registry, d.fields) + "}"
    assert isinstance(d, TypeDefVariant)
    return "enum {" + ", ".join(v.name for v in d.members) + "}"


def render_metadata(metadata: RuntimeMetadataV14, *, types: bool = True) -> str:
    """Return the text form of `metadata` (see the module docs); ends with a newline.

    With ``types=False`` the named-types section is left out (the hash still covers it).

    Raises:
        UnknownType: the model refers to a type id its registry does not hold.
    """
    reg = metadata.types
    out: list[str] = [
        "RuntimeMetadataV14",
        f"types: {len(reg.types)}",
        f"runtime: {_path_name(reg, metadata.ty)}",
        f"extrinsic: version {metadata.extrinsic.version}, "
        f"type {_path_name(reg, metadata.extrinsic.ty)}",
    ]
    out.extend(
        f"{_INDENT}signed extension {ext.identifier}: extra {type_name(reg, ext.ty)}, "
        f"additional {type_name(reg, ext.additional_signed)}"
        for ext in metadata.extrinsic.signed_extensions
    )
    for pallet in sorted(metadata.pallets, key=lambda p: p.index):
        out.append("")
        _render_pallet(out, reg, pallet)
    if types:
        out.append("")
        out.append("types")
        _render_types(out, reg)
    out.append("")
    out.append(f"blake2_256: 0x{blake2_256(encode_metadata(metadata)).hex()}")
    return "\n".join(out) + "\n"


def render_metadata_v15(metadata: RuntimeMetadataV15) -> str:
    """Return the text form of what V15 adds to V14; ends with a newline.

    The extrinsic's parts, the outer enums, each pallet's first doc line, every runtime API
    with its methods (``name(input: Type, ...) -> Output``) and docs, the custom values, and
    the blake2_256 of the encoded V15 bytes (which pins the rest, the types included).

    Raises:
        UnknownType: the model refers to a type id its registry does not hold.
    """
    reg = metadata.types
    ext = metadata.extrinsic
    enums = metadata.outer_enums
    out: list[str] = [
        "RuntimeMetadataV15",
        f"types: {len(reg.types)}",
        f"extrinsic: version {ext.version}, address {type_name(reg, ext.address_ty)}, "
        f"call {type_name(reg, ext.call_ty)}, signature {type_name(reg, ext.signature_ty)}, "
        f"extra {type_name(reg, ext.extra_ty)}",
        f"outer enums: call {_path_name(reg, enums.call_enum_ty)}, "
        f"event {_path_name(reg, enums.event_enum_ty)}, "
        f"error {_path_name(reg, enums.error_enum_ty)}",
        "",
        "pallets",
    ]
    for pallet in sorted(metadata.pallets, key=lambda p: p.index):
        first = next((line.strip() for line in pallet.docs if line.strip()), "")
        out.append(f"{_INDENT}{pallet.index} {pallet.name}: {first}".rstrip())
    out.append("")
    out.append("runtime APIs")
    for api in metadata.apis:
        out.append(f"{_INDENT}{api.name}")
        _docs(out, api.docs, 2)
        for method in api.methods:
            inputs = ", ".join(f"{p.name}: {type_name(reg, p.ty)}" for p in method.inputs)
            out.append(f"{_INDENT * 2}{method.name}({inputs}) -> {type_name(reg, method.output)}")
            _docs(out, method.docs, 3)
    out.append("")
    out.append("custom")
    out.extend(
        f"{_INDENT}{name}: {type_name(reg, value.ty)} = 0x{value.value.hex()}"
        for name, value in metadata.custom.map
    )
    out.append("")
    out.append(f"blake2_256: 0x{blake2_256(encode_metadata_v15(metadata)).hex()}")
    return "\n".join(out) + "\n"


def _path_name(reg: PortableRegistry, type_id: int) -> str:
    ty = reg.get(type_id)
    name = type_name(reg, type_id)
    if len(ty.path) > 1:
        return "::".join(ty.path[:-1]) + "::" + name
    return name


def _docs(out: list[str], docs: tuple[str, ...], depth: int) -> None:
    prefix = _INDENT * depth + "///"
    # rustdoc lines already start with the space that follows ``///``.
    out.extend(f"{prefix}{line if line.startswith(' ') else ' ' + line}".rstrip() for line in docs)


def _fields(reg: PortableRegistry, fields: tuple[Field, ...]) -> str:
    """Render fields as ``name: Type``.

    The source ``typeName`` is added in parentheses when it names a different type (an alias
    such as ``SystemCall`` for ``Call``).
    """
    parts = []
    for f in fields:
        name = type_name(reg, f.ty)
        shown = name
        if f.type_name is not None and _base(f.type_name) != _base(name):
            shown = f"{name} ({f.type_name})"
        parts.append(shown if f.name is None else f"{f.name}: {shown}")
    return ", ".join(parts)


def _base(name: str) -> str:
    return name.split("<", 1)[0].strip()


def _variant(reg: PortableRegistry, v: Variant) -> str:
    if not v.fields:
        return f"{v.index} {v.name}"
    named = v.fields[0].name is not None
    body = _fields(reg, v.fields)
    return f"{v.index} {v.name}" + ("{" + body + "}" if named else f"({body})")


def _render_pallet(out: list[str], reg: PortableRegistry, pallet: PalletMetadata) -> None:
    out.append(f"pallet {pallet.index} {pallet.name}")
    if pallet.storage is not None:
        out.append(f"{_INDENT}storage (prefix {pallet.storage.prefix})")
        for entry in pallet.storage.entries:
            _render_storage(out, reg, entry)
    for title, section in (("calls", pallet.calls), ("events", pallet.event)):
        if section is not None:
            _render_enum(out, reg, title, section.ty)
    if pallet.constants:
        out.append(f"{_INDENT}constants")
        for c in pallet.constants:
            out.append(f"{_INDENT * 2}{c.name}: {type_name(reg, c.ty)} = 0x{c.value.hex()}")
            _docs(out, c.docs, 3)
    if pallet.error is not None:
        _render_enum(out, reg, "errors", pallet.error.ty)


def _render_storage(out: list[str], reg: PortableRegistry, entry: StorageEntryMetadata) -> None:
    ty = entry.ty
    if isinstance(ty, MapStorage):
        hashers = ", ".join(h.metadata_name for h in ty.hashers)
        shape = f"Map [{hashers}] {type_name(reg, ty.key)} -> {type_name(reg, ty.value)}"
    else:
        assert isinstance(ty, PlainStorage)
        shape = f"Plain {type_name(reg, ty.value)}"
    out.append(
        f"{_INDENT * 2}{entry.name}: {shape}, {entry.modifier.metadata_name}, "
        f"default 0x{entry.default.hex()}"
    )
    _docs(out, entry.docs, 3)


def _render_enum(out: list[str], reg: PortableRegistry, title: str, type_id: int) -> None:
    out.append(f"{_INDENT}{title} ({_path_name(reg, type_id)})")
    d = reg.get(type_id).type_def
    if not isinstance(d, TypeDefVariant):
        out.append(f"{_INDENT * 2}(not an enum: {type_name(reg, type_id)})")
        return
    for v in d.members:
        out.append(f"{_INDENT * 2}{_variant(reg, v)}")
        _docs(out, v.docs, 3)


def _render_types(out: list[str], reg: PortableRegistry) -> None:
    named = sorted(
        (entry for entry in reg.types if entry.ty.path),
        key=lambda e: ("::".join(e.ty.path), type_name(reg, e.id), e.id),
    )
    for entry in named:
        ty = entry.ty
        d = ty.type_def
        out.append(f"{_INDENT}{_path_name(reg, entry.id)}")
        _docs(out, ty.docs, 2)
        if isinstance(d, TypeDefComposite):
            body = _fields(reg, d.fields)
            named_fields = bool(d.fields) and d.fields[0].name is not None
            shape = "{" + body + "}" if named_fields else f"({body})"
            out.append(f"{_INDENT * 2}struct {shape}")
        elif isinstance(d, TypeDefVariant):
            out.append(f"{_INDENT * 2}enum")
            out.extend(f"{_INDENT * 3}{line}" for line in _variant_lines(reg, d.members))
        else:
            out.append(f"{_INDENT * 2}= {_anonymous(reg, entry.id)}")


def _numbered(v: Variant) -> str | None:
    """The name's prefix when it is ``<prefix><index>`` (``Mortal7`` at index 7), else None."""
    suffix = str(v.index)
    if v.name.endswith(suffix) and len(v.name) > len(suffix) and not v.docs:
        return v.name[: -len(suffix)]
    return None


def _variant_lines(reg: PortableRegistry, variants: tuple[Variant, ...]) -> list[str]:
    """Return one line per variant, collapsing runs of numbered variants.

    Runs of 3+ variants named ``<prefix><index>`` (``Era``'s ``Mortal1..255``) that differ
    only by their number collapse into one ``first..=last`` line.
    """
    lines: list[str] = []
    i = 0
    while i < len(variants):
        v = variants[i]
        prefix = _numbered(v)
        j = i + 1
        if prefix is not None:
            shape = _fields(reg, v.fields)
            while (
                j < len(variants)
                and int(variants[j].index) == int(variants[j - 1].index) + 1
                and _numbered(variants[j]) == prefix
                and _fields(reg, variants[j].fields) == shape
            ):
                j += 1
        if j - i >= 3:
            body = f"({_fields(reg, v.fields)})" if v.fields else ""
            lines.append(f"{v.index}..={variants[j - 1].index} {prefix}<index>{body}")
        else:
            j = i + 1
            lines.append(_variant(reg, v))
        i = j
    return lines


def _anonymous(reg: PortableRegistry, type_id: int) -> str:
    """The shape of a named type whose def is not a composite or variant."""
    ty = reg.get(type_id)
    d = ty.type_def
    if isinstance(d, TypeDefPrimitiveType):
        return d.primitive.rust_name
    if isinstance(d, TypeDefCompact):
        return f"Compact<{type_name(reg, d.type_param)}>"
    if isinstance(d, TypeDefSequence):
        return f"Vec<{type_name(reg, d.type_param)}>"
    if isinstance(d, TypeDefArray):
        return f"[{type_name(reg, d.type_param)}; {d.len}]"
    if isinstance(d, TypeDefTuple):
        return "(" + ", ".join(type_name(reg, t) for t in d.fields) + ")"
    assert isinstance(d, TypeDefBitSequence)
    return f"BitVec<{type_name(reg, d.bit_store_type)}, {type_name(reg, d.bit_order_type)}>"
