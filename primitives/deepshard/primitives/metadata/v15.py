"""The RuntimeMetadata V15 model (frame-metadata ``v15``): V14 plus runtime APIs and more.

Introduction
------------
V15 keeps V14's type registry and storage, call, event, constant and error sections, and adds
what clients otherwise hard-code:

* each pallet's docs (`PalletMetadataV15`);
* the extrinsic's address, call, signature and signed-extra types (`ExtrinsicMetadataV15`),
  which V14 leaves to the ``UncheckedExtrinsic`` type's parameter names;
* the runtime APIs with their methods, named inputs, output and docs (`RuntimeApiMetadata`);
* the three outer enums ``RuntimeCall``, ``RuntimeEvent`` and ``RuntimeError`` (`OuterEnums`);
* a map of custom values (`CustomMetadata`), keyed by name, sorted (a Rust ``BTreeMap``).

The bytes are::

    b"meta" ++ u8 15 ++ RuntimeMetadataV15 {
        types, pallets: Vec<PalletMetadataV15>, extrinsic: ExtrinsicMetadataV15, ty,
        apis: Vec<RuntimeApiMetadata>, outer_enums: OuterEnums, custom: CustomMetadata,
    }

V15 is what ``Metadata_metadata_at_version(15)`` returns; ``state_getMetadata`` keeps serving
V14 (`deepshard.primitives.metadata.model`), as a Substrate node does.
"""

from __future__ import annotations

from typing import Final

from deepshard.primitives.codec import Compact, DecodeError, Enum, Struct, Vec
from deepshard.primitives.metadata.errors import InvalidMetadata
from deepshard.primitives.metadata.model import (
    META_RESERVED,
    ExtrinsicMetadata,
    MapStorage,
    PalletCallMetadata,
    PalletConstantMetadata,
    PalletErrorMetadata,
    PalletEventMetadata,
    PalletStorageMetadata,
    PlainStorage,
    PortableRegistry,
    RuntimeMetadataV14,
    SignedExtensionMetadata,
    check_type_ids,
)
from deepshard.primitives.numeric import U8, U32

__all__ = [
    "METADATA_V15",
    "PalletMetadataV15",
    "ExtrinsicMetadataV15",
    "RuntimeApiMethodParamMetadata",
    "RuntimeApiMethodMetadata",
    "RuntimeApiMetadata",
    "OuterEnums",
    "CustomValueMetadata",
    "CustomMetadata",
    "RuntimeMetadataV15",
    "encode_metadata_v15",
    "decode_metadata_v15",
    "check_type_ids_v15",
]

METADATA_V15: Final = 15
"""The version byte of V15 metadata."""

_FM = ("frame_metadata", "v15")


class PalletMetadataV15(Struct, type_path=(*_FM, "PalletMetadata")):
    """A pallet as V14 describes it, plus its docs."""

    name: str
    """The pallet's name in the runtime."""
    storage: PalletStorageMetadata | None
    """Its storage items, if it has any."""
    calls: PalletCallMetadata | None
    """Its calls, if it has any."""
    event: PalletEventMetadata | None
    """Its events, if it has any."""
    constants: Vec[PalletConstantMetadata]
    """Its constants."""
    error: PalletErrorMetadata | None
    """Its errors, if it has any."""
    index: U8
    """Its index."""
    docs: Vec[str]
    """Documentation lines of the pallet."""


class ExtrinsicMetadataV15(Struct, type_path=(*_FM, "ExtrinsicMetadata")):
    """The extrinsic format, with its parts named by type id."""

    version: U8
    """The extrinsic format version (4)."""
    address_ty: Compact[U32]
    """The signer's address type (``MultiAddress``)."""
    call_ty: Compact[U32]
    """The call type (``RuntimeCall``)."""
    signature_ty: Compact[U32]
    """The signature type (``MultiSignature``)."""
    extra_ty: Compact[U32]
    """The signed extra: the tuple of every signed extension's type, in wire order."""
    signed_extensions: Vec[SignedExtensionMetadata]
    """The signed extensions, in wire order."""


class RuntimeApiMethodParamMetadata(Struct, type_path=(*_FM, "RuntimeApiMethodParamMetadata")):
    """A named input of a runtime API method."""

    name: str
    """The parameter's name."""
    ty: Compact[U32]
    """Its type id."""


class RuntimeApiMethodMetadata(Struct, type_path=(*_FM, "RuntimeApiMethodMetadata")):
    """A runtime API method: called as ``<Api>_<method>`` with its inputs SCALE-concatenated."""

    name: str
    """The method's name (``account_nonce``)."""
    inputs: Vec[RuntimeApiMethodParamMetadata]
    """Its inputs, in order."""
    output: Compact[U32]
    """The type id of what it returns."""
    docs: Vec[str]
    """Documentation lines."""


class RuntimeApiMetadata(Struct, type_path=(*_FM, "RuntimeApiMetadata")):
    """A runtime API trait and its methods."""

    name: str
    """The trait's name (``AccountNonceApi``)."""
    methods: Vec[RuntimeApiMethodMetadata]
    """Its methods."""
    docs: Vec[str]
    """Documentation lines."""


class OuterEnums(Struct, type_path=(*_FM, "OuterEnums")):
    """The runtime-wide enums that wrap every pallet's calls, events and errors."""

    call_enum_ty: Compact[U32]
    """``RuntimeCall``."""
    event_enum_ty: Compact[U32]
    """``RuntimeEvent``."""
    error_enum_ty: Compact[U32]
    """``RuntimeError``: one variant per pallet with errors, at the pallet's index."""


class CustomValueMetadata(Struct, type_path=(*_FM, "CustomValueMetadata")):
    """A custom value: its type and SCALE bytes."""

    ty: Compact[U32]
    """The value's type id."""
    value: bytes
    """Its SCALE bytes."""


class CustomMetadata(Struct, type_path=(*_FM, "CustomMetadata")):
    """Named custom values; a ``BTreeMap``, so encoded sorted by name."""

    map: Vec[tuple[str, CustomValueMetadata]]
    """``(name, value)`` pairs, sorted by name, names unique."""


class RuntimeMetadataV15(Struct, type_path=(*_FM, "RuntimeMetadataV15")):
    """The V15 metadata of a runtime."""

    types: PortableRegistry
    """Every type referred to below."""
    pallets: Vec[PalletMetadataV15]
    """The pallets."""
    extrinsic: ExtrinsicMetadataV15
    """The extrinsic format."""
    ty: Compact[U32]
    """The runtime type id."""
    apis: Vec[RuntimeApiMetadata]
    """The runtime APIs."""
    outer_enums: OuterEnums
    """``RuntimeCall``, ``RuntimeEvent``, ``RuntimeError``."""
    custom: CustomMetadata
    """Custom values."""

    def api(self, name: str) -> RuntimeApiMetadata:
        """Return the runtime API called `name`.

        Raises:
            KeyError: no API has that name.
        """
        for api in self.apis:
            if api.name == name:
                return api
        raise KeyError(name)


class _VersionedV15(Enum, type_path=("frame_metadata", "RuntimeMetadata")):
    """Metadata of some version, as the V15 layout is tagged."""


class _V15(_VersionedV15, index=METADATA_V15, unnamed=True):
    """Version 15 metadata."""

    metadata: RuntimeMetadataV15
    """The payload."""


class _PrefixedV15(Struct, type_path=("frame_metadata", "RuntimeMetadataPrefixed")):
    """``b"meta"`` then the V15-tagged metadata."""

    magic: U32
    """Always ``b"meta"``."""
    metadata: _VersionedV15
    """The versioned metadata."""


def encode_metadata_v15(metadata: RuntimeMetadataV15) -> bytes:
    """Return ``b"meta" ++ 0x0f ++ SCALE(metadata)``.

    Raises:
        InvalidMetadata: the custom map's names are not unique and sorted.
        EncodeError: the model holds a value its type cannot encode.
    """
    names = [name for name, _ in metadata.custom.map]
    if names != sorted(set(names)):
        raise InvalidMetadata("custom metadata names must be unique and sorted (a BTreeMap)")
    return _PrefixedV15(magic=META_RESERVED, metadata=_V15(metadata)).encode()


def decode_metadata_v15(data: bytes | bytearray | memoryview) -> RuntimeMetadataV15:
    """Decode ``RuntimeMetadataPrefixed`` V15 bytes.

    Raises:
        InvalidMetadata: the magic is not ``b"meta"``, the version is not 15, the bytes do not
            decode exactly, or a type reference is out of range.
    """
    raw = bytes(data)
    if raw[:4] != b"meta":
        raise InvalidMetadata(f"metadata must start with b'meta', not {raw[:4]!r}")
    if len(raw) < 5 or raw[4] != METADATA_V15:
        version = raw[4] if len(raw) > 4 else None
        raise InvalidMetadata(f"expected metadata version 15, got {version}")
    try:
        prefixed = _PrefixedV15.decode(raw)
    except DecodeError as exc:
        raise InvalidMetadata(f"malformed V15 metadata: {exc}") from exc
    assert isinstance(prefixed.metadata, _V15)  # the only variant
    metadata = prefixed.metadata.metadata
    check_type_ids_v15(metadata)
    return metadata


def check_type_ids_v15(metadata: RuntimeMetadataV15) -> None:
    """Check every type id and reference of V15 metadata (see `check_type_ids`).

    Raises:
        InvalidMetadata: an id is out of place or a reference is out of range.
    """
    ext = metadata.extrinsic
    check_type_ids(
        RuntimeMetadataV14(
            types=metadata.types,
            pallets=(),
            extrinsic=ExtrinsicMetadata(
                ty=ext.call_ty, version=ext.version, signed_extensions=ext.signed_extensions
            ),
            ty=metadata.ty,
        )
    )
    count = len(metadata.types.types)

    def check(ref: int, where: str) -> None:
        if not 0 <= ref < count:
            raise InvalidMetadata(f"{where} refers to missing type id {ref}")

    for pallet in metadata.pallets:
        where = f"pallet {pallet.name}"
        for section in (pallet.calls, pallet.event, pallet.error):
            if section is not None:
                check(section.ty, where)
        for constant in pallet.constants:
            check(constant.ty, f"{where} constant {constant.name}")
        for item in pallet.storage.entries if pallet.storage is not None else ():
            for ref in _storage_refs(item.ty):
                check(ref, f"{where} storage {item.name}")
    for name, ref in (
        ("address", ext.address_ty),
        ("call", ext.call_ty),
        ("signature", ext.signature_ty),
        ("extra", ext.extra_ty),
    ):
        check(ref, f"the extrinsic's {name} type")
    for api in metadata.apis:
        for method in api.methods:
            where = f"runtime API {api.name}_{method.name}"
            check(method.output, where)
            for param in method.inputs:
                check(param.ty, f"{where} input {param.name}")
    enums = metadata.outer_enums
    for name, ref in (
        ("call", enums.call_enum_ty),
        ("event", enums.event_enum_ty),
        ("error", enums.error_enum_ty),
    ):
        check(ref, f"the outer {name} enum")
    for name, value in metadata.custom.map:
        check(value.ty, f"custom value {name}")


def _storage_refs(shape: object) -> tuple[int, ...]:
    if isinstance(shape, MapStorage):
        return (shape.key, shape.value)
    assert isinstance(shape, PlainStorage)
    return (shape.value,)
