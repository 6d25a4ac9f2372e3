"""Runtime metadata (V14 and V15) derived from the pallet declarations.

Everything a client needs is already declared once: storage items (names, hashers, key and
value annotations, defaults, docs), calls (the runtime's per-pallet Call enums), events, errors
and the ``constant`` fields of each pallet's Config. This module turns those declarations into
`deepshard.primitives.metadata` descriptions and builds the encoded ``RuntimeMetadataPrefixed``.
For V15 it adds each pallet's docs, the outer ``RuntimeError`` enum (`runtime_error_enum`) and
the runtime API descriptions the runtime composition passes in.

Docs follow FRAME's convention: one entry per line of the docstring, each with the leading
space rustdoc keeps (``" Balance too low to send value."``).
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Sequence
from typing import Any

from deepshard.primitives.codec import Enum, Struct, codec_for
from deepshard.primitives.metadata import (
    BuiltMetadata,
    ConstantDescription,
    ExtrinsicDescription,
    OuterEnumsDescription,
    PalletDescription,
    RuntimeApiDescription,
    SignedExtensionDescription,
    StorageEntryDescription,
    build_metadata,
)
from deepshard.primitives.metadata.model import StorageEntryModifier
from deepshard.runtime.support.pallet import Pallet
from deepshard.runtime.support.runtime import PalletEntry, Runtime
from deepshard.runtime.support.storage import OptionQuery, RuntimeType, pascal_case

__all__ = ["doc_lines", "error_enum", "runtime_error_enum", "describe_pallet", "runtime_metadata"]


def doc_lines(doc: str | None) -> tuple[str, ...]:
    """Return a docstring as FRAME-style metadata doc lines (each with a leading space)."""
    if not doc:
        return ()
    return tuple(" " + line if line else "" for line in inspect.cleandoc(doc).splitlines())


_ERROR_ENUMS: dict[type, type[Enum] | None] = {}


def error_enum(pallet: type[Pallet[Any]]) -> type[Enum] | None:
    """Return a codec enum mirroring a pallet's error classes (for metadata), or None.

    One enum per pallet class (made once), so V14's error section and V15's ``RuntimeError``
    refer to the same type.
    """
    if pallet not in _ERROR_ENUMS:
        _ERROR_ENUMS[pallet] = _make_error_enum(pallet)
    return _ERROR_ENUMS[pallet]


def _make_error_enum(pallet: type[Pallet[Any]]) -> type[Enum] | None:
    error = pallet.ERROR
    if error is None:
        return None
    base: type[Enum] = types.new_class(
        "Error",
        (Enum,),
        {"type_path": (pallet.CRATE, "pallet", "Error")},
        lambda ns: ns.update({"__doc__": error.__doc__, "__module__": pallet.__module__}),
    )
    for index in sorted(error.VARIANTS):
        variant = error.VARIANTS[index]
        types.new_class(variant.__name__, (base,), {"index": index}, _namespace(variant))
    return base


def runtime_error_enum(runtime: Runtime) -> type[Enum]:
    """Return ``RuntimeError``: a variant per pallet with errors, at the pallet's index.

    Each variant is named after its pallet and holds the pallet's error enum, so a
    ``ModuleError { index, error }`` reads as ``RuntimeError`` bytes ``index ++ error[0]``.
    """
    base: type[Enum] = types.new_class(
        "RuntimeError",
        (Enum,),
        {"type_path": (runtime.name, "RuntimeError")},
        lambda ns: ns.update(
            {
                "__doc__": "The aggregated error type of the runtime: one variant per pallet.",
                "__module__": runtime.name,
            }
        ),
    )
    for entry in runtime.pallets:
        errors = error_enum(entry.pallet)
        if errors is None:
            continue
        types.new_class(
            entry.pallet.NAME,
            (base,),
            {"index": entry.index, "unnamed": True},
            _fields_namespace(f"Errors of the {entry.pallet.NAME} pallet.", runtime.name, errors),
        )
    return base


def _fields_namespace(doc: str, module: str, error: type[Enum]) -> Any:
    def fill(namespace: dict[str, Any]) -> None:
        namespace.update(
            {"__doc__": doc, "__module__": module, "__annotations__": {"error": error}}
        )

    return fill


def _namespace(variant: type) -> Any:
    def fill(namespace: dict[str, Any]) -> None:
        namespace["__doc__"] = variant.__doc__
        namespace["__module__"] = variant.__module__

    return fill


def _resolve(runtime: Runtime, annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, RuntimeType):
        return runtime.runtime_types[annotation]
    return annotation


def describe_pallet(runtime: Runtime, entry: PalletEntry) -> PalletDescription:
    """Return the metadata description of one pallet of `runtime`."""
    pallet = entry.pallet
    storage = tuple(
        StorageEntryDescription(
            name=item.name,
            value=_resolve(runtime, item.value_type),
            keys=tuple(_resolve(runtime, key) for key in item.key_types),
            hashers=item.hashers,
            modifier=(
                StorageEntryModifier.OPTIONAL
                if item.query is OptionQuery
                else StorageEntryModifier.DEFAULT
            ),
            default=item.default_bytes,
            docs=doc_lines(item.doc),
        )
        for item in pallet.STORAGE
    )
    constants = []
    hints = (
        typing.get_type_hints(pallet.CONFIG, include_extras=True) if pallet.CONFIG.CONSTANTS else {}
    )
    for field_name, info in pallet.CONFIG.CONSTANTS:
        value = getattr(entry.config, field_name)
        value_type = hints[field_name]
        constants.append(
            ConstantDescription(
                name=info.name or pascal_case(field_name),
                ty=value_type,
                value=codec_for(value_type).encode(value),
                docs=doc_lines(info.doc),
            )
        )
    return PalletDescription(
        name=pallet.NAME,
        index=entry.index,
        storage=storage,
        calls=runtime.call_enums.get(pallet.NAME),
        event=pallet.EVENT,
        constants=tuple(constants),
        error=error_enum(pallet),
        docs=doc_lines(pallet.__doc__),
    )


def runtime_metadata(
    runtime: Runtime,
    extrinsic_type: Any,
    signed_extensions: Sequence[SignedExtensionDescription],
    apis: Sequence[RuntimeApiDescription] | None = None,
) -> BuiltMetadata:
    """Build the V14 metadata of a runtime, and V15 when its runtime APIs are given.

    Args:
        runtime: The composed runtime.
        extrinsic_type: Its ``UncheckedExtrinsic`` type (with the runtime's call type).
        signed_extensions: Its signed extensions, in wire order.
        apis: Its runtime APIs; None builds V14 only.
    """
    runtime_type: type[Struct] = types.new_class(
        "Runtime",
        (Struct,),
        {"type_path": (runtime.name, "Runtime")},
        lambda ns: ns.update({"__doc__": "The runtime.", "__module__": runtime.name}),
    )
    outer_enums = None
    if apis is not None:
        outer_enums = OuterEnumsDescription(
            event=runtime.runtime_event, error=runtime_error_enum(runtime)
        )
    return build_metadata(
        [describe_pallet(runtime, entry) for entry in runtime.pallets],
        ExtrinsicDescription(ty=extrinsic_type, signed_extensions=tuple(signed_extensions)),
        runtime_type,
        outer_enums=outer_enums,
        apis=tuple(apis or ()),
    )
