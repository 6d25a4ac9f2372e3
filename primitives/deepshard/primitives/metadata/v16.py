"""The RuntimeMetadata V16 model (frame-metadata ``v16``), derived from V15.

Introduction
------------
V16 keeps V15's type registry, outer enums and custom map, and changes the rest:

* the runtime type id is gone;
* the extrinsic lists the extrinsic *versions* it accepts and its *transaction extensions*
  (``identifier``, ``ty``, ``implicit``: V15's signed extensions renamed), with, per extension
  version, the indices of the extensions that version uses (Deepshard: version 0, all of them);
* each runtime API carries its version (the number in ``RuntimeVersion.apis``);
* every item may carry deprecation info (Deepshard deprecates nothing: ``NotDeprecated`` for
  items, an empty map for the call/event/error enums); pallets gain associated types and view
  functions (none here).

`v16_from_v15` builds it from a V15 model and the API versions; `encode_metadata_v16` /
`decode_metadata_v16` handle the ``b"meta" ++ 0x10 ++ ...`` bytes that
``Metadata_metadata_at_version(16)`` returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Final

from deepshard.primitives.codec import Compact, DecodeError, Enum, FixedLen, Struct, Vec
from deepshard.primitives.metadata.errors import InvalidMetadata
from deepshard.primitives.metadata.model import (
    META_RESERVED,
    PortableRegistry,
    StorageEntryModifier,
    StorageEntryType,
)
from deepshard.primitives.metadata.v15 import (
    CustomMetadata,
    OuterEnums,
    RuntimeApiMethodParamMetadata,
    RuntimeMetadataV15,
)
from deepshard.primitives.numeric import U8, U32

__all__ = [
    "METADATA_V16",
    "EXTENSION_VERSION",
    "ItemDeprecationInfo",
    "NotDeprecated",
    "VariantDeprecationInfo",
    "EnumDeprecationInfo",
    "RuntimeMetadataV16",
    "v16_from_v15",
    "encode_metadata_v16",
    "decode_metadata_v16",
]

METADATA_V16: Final = 16
"""The version byte of V16 metadata."""
EXTENSION_VERSION: Final = 0
"""The transaction-extension version of Deepshard's (v4) extrinsics."""

_FM = ("frame_metadata", "v16")
_Id32 = Annotated[bytes, FixedLen(32)]


# --- deprecation ---------------------------------------------------------------------------


class ItemDeprecationInfo(Enum, type_path=(*_FM, "ItemDeprecationInfo")):
    """Whether an item (pallet, storage entry, constant, API, method) is deprecated."""


class NotDeprecated(ItemDeprecationInfo, index=0):
    """Not deprecated."""


class DeprecatedWithoutNote(ItemDeprecationInfo, index=1):
    """Deprecated, without a note."""


class Deprecated(ItemDeprecationInfo, index=2):
    """Deprecated, with a note and, maybe, the version it happened in."""

    note: str
    """Why, and what to use instead."""
    since: str | None
    """Since when."""


class VariantDeprecationInfo(Enum, type_path=(*_FM, "VariantDeprecationInfo")):
    """How one variant of a call/event/error enum is deprecated (indices start at 1)."""


class VariantDeprecatedWithoutNote(VariantDeprecationInfo, index=1):
    """Deprecated, without a note."""


class VariantDeprecated(VariantDeprecationInfo, index=2):
    """Deprecated, with a note and, maybe, the version it happened in."""

    note: str
    """Why, and what to use instead."""
    since: str | None
    """Since when."""


class EnumDeprecationInfo(Struct, type_path=(*_FM, "EnumDeprecationInfo"), unnamed=True):
    """The deprecated variants of an enum, by variant index (a ``BTreeMap``)."""

    variants: Vec[tuple[U8, VariantDeprecationInfo]]
    """``(variant index, info)`` pairs, sorted by index; empty when nothing is deprecated."""


_NOT_DEPRECATED: Final = NotDeprecated()
_NO_VARIANTS: Final = EnumDeprecationInfo(variants=())


# --- pallets ---------------------------------------------------------------------------------


class StorageEntryMetadataV16(Struct, type_path=(*_FM, "StorageEntryMetadata")):
    """A storage item, as in V14, with deprecation info."""

    name: str
    """The item's name."""
    modifier: StorageEntryModifier
    """Optional or Default."""
    ty: StorageEntryType
    """Plain value or map."""
    default: bytes
    """The SCALE bytes of the default value."""
    docs: Vec[str]
    """Documentation lines."""
    deprecation_info: ItemDeprecationInfo
    """Deprecation."""


class PalletStorageMetadataV16(Struct, type_path=(*_FM, "PalletStorageMetadata")):
    """A pallet's storage items."""

    prefix: str
    """The storage prefix."""
    entries: Vec[StorageEntryMetadataV16]
    """The items."""


class PalletCallMetadataV16(Struct, type_path=(*_FM, "PalletCallMetadata")):
    """A pallet's call enum."""

    ty: Compact[U32]
    """The enum's type id."""
    deprecation_info: EnumDeprecationInfo
    """Deprecated calls."""


class PalletEventMetadataV16(Struct, type_path=(*_FM, "PalletEventMetadata")):
    """A pallet's event enum."""

    ty: Compact[U32]
    """The enum's type id."""
    deprecation_info: EnumDeprecationInfo
    """Deprecated events."""


class PalletErrorMetadataV16(Struct, type_path=(*_FM, "PalletErrorMetadata")):
    """A pallet's error enum."""

    ty: Compact[U32]
    """The enum's type id."""
    deprecation_info: EnumDeprecationInfo
    """Deprecated errors."""


class PalletConstantMetadataV16(Struct, type_path=(*_FM, "PalletConstantMetadata")):
    """A constant, as in V14, with deprecation info."""

    name: str
    """The constant's name."""
    ty: Compact[U32]
    """Its type id."""
    value: bytes
    """Its SCALE bytes."""
    docs: Vec[str]
    """Documentation lines."""
    deprecation_info: ItemDeprecationInfo
    """Deprecation."""


class PalletAssociatedTypeMetadata(Struct, type_path=(*_FM, "PalletAssociatedTypeMetadata")):
    """An associated type of a pallet's configuration."""

    name: str
    """Its name."""
    ty: Compact[U32]
    """Its type id."""
    docs: Vec[str]
    """Documentation lines."""


class PalletViewFunctionMetadata(Struct, type_path=(*_FM, "PalletViewFunctionMetadata")):
    """A pallet view function (a read-only query)."""

    id: _Id32
    """Its 32-byte id."""
    name: str
    """Its name."""
    inputs: Vec[RuntimeApiMethodParamMetadata]
    """Its inputs."""
    output: Compact[U32]
    """Its output type id."""
    docs: Vec[str]
    """Documentation lines."""
    deprecation_info: ItemDeprecationInfo
    """Deprecation."""


class PalletMetadataV16(Struct, type_path=(*_FM, "PalletMetadata")):
    """Everything V16 says about one pallet."""

    name: str
    """The pallet's name."""
    storage: PalletStorageMetadataV16 | None
    """Its storage items, if any."""
    calls: PalletCallMetadataV16 | None
    """Its calls, if any."""
    event: PalletEventMetadataV16 | None
    """Its events, if any."""
    constants: Vec[PalletConstantMetadataV16]
    """Its constants."""
    error: PalletErrorMetadataV16 | None
    """Its errors, if any."""
    associated_types: Vec[PalletAssociatedTypeMetadata]
    """Associated types of its configuration."""
    view_functions: Vec[PalletViewFunctionMetadata]
    """Its view functions."""
    index: U8
    """Its index."""
    docs: Vec[str]
    """Documentation lines."""
    deprecation_info: ItemDeprecationInfo
    """Deprecation."""


# --- extrinsic, APIs, the whole ------------------------------------------------------------------


class TransactionExtensionMetadata(Struct, type_path=(*_FM, "TransactionExtensionMetadata")):
    """A transaction extension (V15's signed extension)."""

    identifier: str
    """Its name (``CheckNonce``)."""
    ty: Compact[U32]
    """The type of the data carried in the extrinsic."""
    implicit: Compact[U32]
    """The type of the data added to the signed payload only."""


class ExtrinsicMetadataV16(Struct, type_path=(*_FM, "ExtrinsicMetadata")):
    """The extrinsic format."""

    versions: bytes
    """The extrinsic versions accepted (``[4]``)."""
    address_ty: Compact[U32]
    """The signer's address type."""
    call_ty: Compact[U32]
    """The call type."""
    signature_ty: Compact[U32]
    """The signature type."""
    transaction_extensions_by_version: Vec[tuple[U8, Vec[Compact[U32]]]]
    """Per extension version, the indices into `transaction_extensions` it uses (a
    ``BTreeMap``, sorted by version)."""
    transaction_extensions: Vec[TransactionExtensionMetadata]
    """Every transaction extension."""


class RuntimeApiMethodMetadataV16(Struct, type_path=(*_FM, "RuntimeApiMethodMetadata")):
    """A runtime API method."""

    name: str
    """Its name."""
    inputs: Vec[RuntimeApiMethodParamMetadata]
    """Its inputs."""
    output: Compact[U32]
    """Its output type id."""
    docs: Vec[str]
    """Documentation lines."""
    deprecation_info: ItemDeprecationInfo
    """Deprecation."""


class RuntimeApiMetadataV16(Struct, type_path=(*_FM, "RuntimeApiMetadata")):
    """A runtime API trait, with its version."""

    name: str
    """The trait's name."""
    methods: Vec[RuntimeApiMethodMetadataV16]
    """Its methods."""
    docs: Vec[str]
    """Documentation lines."""
    version: Compact[U32]
    """Its version (as in ``RuntimeVersion.apis``)."""
    deprecation_info: ItemDeprecationInfo
    """Deprecation."""


class RuntimeMetadataV16(Struct, type_path=(*_FM, "RuntimeMetadataV16")):
    """The V16 metadata of a runtime."""

    types: PortableRegistry
    """Every type referred to below."""
    pallets: Vec[PalletMetadataV16]
    """The pallets."""
    extrinsic: ExtrinsicMetadataV16
    """The extrinsic format."""
    apis: Vec[RuntimeApiMetadataV16]
    """The runtime APIs."""
    outer_enums: OuterEnums
    """``RuntimeCall``, ``RuntimeEvent``, ``RuntimeError``."""
    custom: CustomMetadata
    """Custom values."""


class _VersionedV16(Enum, type_path=("frame_metadata", "RuntimeMetadata")):
    """Metadata of some version, as the V16 layout is tagged."""


class _V16(_VersionedV16, index=METADATA_V16, unnamed=True):
    """Version 16 metadata."""

    metadata: RuntimeMetadataV16
    """The payload."""


class _PrefixedV16(Struct, type_path=("frame_metadata", "RuntimeMetadataPrefixed")):
    """``b"meta"`` then the V16-tagged metadata."""

    magic: U32
    """Always ``b"meta"``."""
    metadata: _VersionedV16
    """The versioned metadata."""


def v16_from_v15(v15: RuntimeMetadataV15, api_versions: Mapping[str, int]) -> RuntimeMetadataV16:
    """Return the V16 form of `v15` (same registry), nothing deprecated.

    Raises:
        InvalidMetadata: an API of `v15` has no version in `api_versions`.
    """
    missing = [api.name for api in v15.apis if api.name not in api_versions]
    if missing:
        raise InvalidMetadata(f"no version for runtime APIs {missing}")
    pallets = tuple(
        PalletMetadataV16(
            name=p.name,
            storage=None
            if p.storage is None
            else PalletStorageMetadataV16(
                prefix=p.storage.prefix,
                entries=tuple(
                    StorageEntryMetadataV16(
                        name=e.name,
                        modifier=e.modifier,
                        ty=e.ty,
                        default=e.default,
                        docs=e.docs,
                        deprecation_info=_NOT_DEPRECATED,
                    )
                    for e in p.storage.entries
                ),
            ),
            calls=None if p.calls is None else PalletCallMetadataV16(p.calls.ty, _NO_VARIANTS),
            event=None if p.event is None else PalletEventMetadataV16(p.event.ty, _NO_VARIANTS),
            constants=tuple(
                PalletConstantMetadataV16(c.name, c.ty, c.value, c.docs, _NOT_DEPRECATED)
                for c in p.constants
            ),
            error=None if p.error is None else PalletErrorMetadataV16(p.error.ty, _NO_VARIANTS),
            associated_types=(),
            view_functions=(),
            index=p.index,
            docs=p.docs,
            deprecation_info=_NOT_DEPRECATED,
        )
        for p in v15.pallets
    )
    ext = v15.extrinsic
    extensions = tuple(
        TransactionExtensionMetadata(e.identifier, e.ty, e.additional_signed)
        for e in ext.signed_extensions
    )
    extrinsic = ExtrinsicMetadataV16(
        versions=bytes((int(ext.version),)),
        address_ty=ext.address_ty,
        call_ty=ext.call_ty,
        signature_ty=ext.signature_ty,
        transaction_extensions_by_version=(
            (U8(EXTENSION_VERSION), tuple(U32(i) for i in range(len(extensions)))),
        ),
        transaction_extensions=extensions,
    )
    apis = tuple(
        RuntimeApiMetadataV16(
            name=api.name,
            methods=tuple(
                RuntimeApiMethodMetadataV16(m.name, m.inputs, m.output, m.docs, _NOT_DEPRECATED)
                for m in api.methods
            ),
            docs=api.docs,
            version=U32(api_versions[api.name]),
            deprecation_info=_NOT_DEPRECATED,
        )
        for api in v15.apis
    )
    return RuntimeMetadataV16(
        types=v15.types,
        pallets=pallets,
        extrinsic=extrinsic,
        apis=apis,
        outer_enums=v15.outer_enums,
        custom=v15.custom,
    )


def encode_metadata_v16(metadata: RuntimeMetadataV16) -> bytes:
    """Return ``b"meta" ++ 0x10 ++ SCALE(metadata)``.

    Raises:
        EncodeError: the model holds a value its type cannot encode.
    """
    return _PrefixedV16(magic=META_RESERVED, metadata=_V16(metadata)).encode()


def decode_metadata_v16(data: bytes | bytearray | memoryview) -> RuntimeMetadataV16:
    """Decode ``RuntimeMetadataPrefixed`` V16 bytes.

    Raises:
        InvalidMetadata: the magic is not ``b"meta"``, the version is not 16, or the bytes do not
            decode exactly.
    """
    raw = bytes(data)
    if raw[:4] != b"meta":
        raise InvalidMetadata(f"metadata must start with b'meta', not {raw[:4]!r}")
    if len(raw) < 5 or raw[4] != METADATA_V16:
        version = raw[4] if len(raw) > 4 else None
        raise InvalidMetadata(f"expected metadata version 16, got {version}")
    try:
        prefixed = _PrefixedV16.decode(raw)
    except DecodeError as exc:
        raise InvalidMetadata(f"malformed V16 metadata: {exc}") from exc
    assert isinstance(prefixed.metadata, _V16)  # the only variant
    return prefixed.metadata.metadata
