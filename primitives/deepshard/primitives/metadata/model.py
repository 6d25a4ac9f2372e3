"""The RuntimeMetadata V14 model (frame-metadata ``v14`` over scale-info's portable form).

Introduction
------------
Every value here is a codec declaration, so the codec itself encodes and decodes metadata; the
layout is byte for byte frame-metadata's ``RuntimeMetadataPrefixed``::

    b"meta" (u32 0x6174656d) ++ u8 14 ++ RuntimeMetadataV14 {
        types:     PortableRegistry { types: Vec<PortableType { id: Compact<u32>, ty: Type }> },
        pallets:   Vec<PalletMetadata>,
        extrinsic: ExtrinsicMetadata,
        ty:        Compact<u32>,          # the runtime type
    }

Field names follow the Rust structs (``type_params``, ``type_def``, ``ty``); scalecodec's
dict keys (``params``, ``def``, ``type``, ``documentation``, ``runtime_type``) differ, but the
bytes do not. Type ids are positions in the registry (``0..n-1``); `decode_metadata` checks it.

Build a model with `deepshard.primitives.metadata.builder`; read one with `decode_metadata`.
"""

from __future__ import annotations

import enum
from typing import Final

from deepshard.primitives.codec import Compact, DecodeError, Enum, Struct, Vec
from deepshard.primitives.hashing import StorageHasher
from deepshard.primitives.metadata.errors import InvalidMetadata, UnknownType
from deepshard.primitives.numeric import U8, U32

__all__ = [
    "META_RESERVED",
    "METADATA_VERSION",
    # scale-info, portable form
    "TypeParameter",
    "Field",
    "Variant",
    "TypeDefPrimitive",
    "TypeDef",
    "TypeDefComposite",
    "TypeDefVariant",
    "TypeDefSequence",
    "TypeDefArray",
    "TypeDefTuple",
    "TypeDefPrimitiveType",
    "TypeDefCompact",
    "TypeDefBitSequence",
    "Type",
    "PortableType",
    "PortableRegistry",
    # frame-metadata v14
    "StorageEntryModifier",
    "StorageHasher",
    "StorageEntryType",
    "PlainStorage",
    "MapStorage",
    "StorageEntryMetadata",
    "PalletStorageMetadata",
    "PalletCallMetadata",
    "PalletEventMetadata",
    "PalletConstantMetadata",
    "PalletErrorMetadata",
    "PalletMetadata",
    "SignedExtensionMetadata",
    "ExtrinsicMetadata",
    "RuntimeMetadataV14",
    "RuntimeMetadata",
    "V14",
    "RuntimeMetadataPrefixed",
    "encode_metadata",
    "decode_metadata",
    "check_type_ids",
]

META_RESERVED: Final = U32(0x6174656D)
"""The magic ``b"meta"`` read as a little-endian u32 (frame-metadata's ``META_RESERVED``)."""
METADATA_VERSION: Final = 14
"""The only metadata version this model describes (and the only scale-info one scalecodec 1.2.12
decodes)."""

_SI_TY = ("scale_info", "ty")
_FM = ("frame_metadata", "v14")


# --- scale-info: the portable type registry ------------------------------------------------


class TypeParameter(Struct, type_path=(*_SI_TY, "TypeParameter")):
    """A generic parameter of a type: its name and, unless it is phantom, its type id."""

    name: str
    """The parameter's name as in the Rust source (``T``, ``AccountId``)."""
    ty: Compact[U32] | None
    """Its type id, or None for a phantom parameter."""


class Field(Struct, type_path=(*_SI_TY, "fields", "Field")):
    """A field of a composite or of a variant."""

    name: str | None
    """The field's name; None for tuple-like fields."""
    ty: Compact[U32]
    """The field's type id."""
    type_name: str | None
    """The type as written in the source (``T::Balance``, ``Vec<u8>``); display only."""
    docs: Vec[str]
    """Documentation lines."""


class Variant(Struct, type_path=(*_SI_TY, "variant", "Variant")):
    """A variant of an enum: its name, payload fields, wire index and docs."""

    name: str
    """The variant's name (the call, event or error name in a pallet's enums)."""
    fields: Vec[Field]
    """Payload fields (empty for a unit variant)."""
    index: U8
    """The tag byte on the wire."""
    docs: Vec[str]
    """Documentation lines."""


class TypeDefPrimitive(enum.IntEnum):
    """The primitive types of scale-info, numbered as on the wire."""

    BOOL = 0
    CHAR = 1
    STR = 2
    U8 = 3
    U16 = 4
    U32 = 5
    U64 = 6
    U128 = 7
    U256 = 8
    I8 = 9
    I16 = 10
    I32 = 11
    I64 = 12
    I128 = 13
    I256 = 14

    @property
    def rust_name(self) -> str:
        """The lowercase name scale-info and scalecodec use (``u128``, ``str``)."""
        return self.name.lower()


class TypeDef(Enum, type_path=(*_SI_TY, "TypeDef")):
    """The shape of a type (scale-info ``TypeDef``)."""


class TypeDefComposite(TypeDef, index=0):
    """A struct: named fields, tuple-like fields, or none (a unit struct)."""

    fields: Vec[Field]
    """The fields in encoding order."""


class TypeDefVariant(TypeDef, index=1):
    """An enum: variants with explicit indices."""

    members: Vec[Variant]
    """The variants, in index order (scale-info's ``variants``; renamed because
    ``Enum.variants()`` is a class method of every codec enum)."""


class TypeDefSequence(TypeDef, index=2):
    """A length-prefixed sequence ``Vec<T>``."""

    type_param: Compact[U32]
    """The element type id."""


class TypeDefArray(TypeDef, index=3):
    """A fixed-length array ``[T; len]`` (no length prefix on the wire)."""

    len: U32
    """The number of elements."""
    type_param: Compact[U32]
    """The element type id."""


class TypeDefTuple(TypeDef, index=4, unnamed=True):
    """A tuple ``(A, B, ...)``; the unit type ``()`` has no fields."""

    fields: Vec[Compact[U32]]
    """The element type ids in order."""


class TypeDefPrimitiveType(TypeDef, index=5, unnamed=True):
    """A primitive type."""

    primitive: TypeDefPrimitive
    """Which primitive."""


class TypeDefCompact(TypeDef, index=6):
    """``Compact<T>``: an unsigned integer in SCALE's compact encoding."""

    type_param: Compact[U32]
    """The integer type id."""


class TypeDefBitSequence(TypeDef, index=7):
    """A bit vector ``BitVec<Store, Order>`` (never produced by Deepshard's codec)."""

    bit_store_type: Compact[U32]
    """The storage integer type id."""
    bit_order_type: Compact[U32]
    """The bit order type id (``Lsb0`` / ``Msb0``)."""


class Type(Struct, type_path=(*_SI_TY, "Type")):
    """One type of the registry: path, generic parameters, shape and docs."""

    path: Vec[str]
    """Rust path segments (``sp_core``, ``crypto``, ``AccountId32``); empty if anonymous."""
    type_params: Vec[TypeParameter]
    """Generic parameters (scalecodec's ``params``)."""
    type_def: TypeDef
    """The shape (scalecodec's ``def``)."""
    docs: Vec[str]
    """Documentation lines."""


class PortableType(Struct, type_path=("scale_info", "portable", "PortableType")):
    """A registry entry: the type's id and the type."""

    id: Compact[U32]
    """The type id (its position in the registry)."""
    ty: Type
    """The type."""


class PortableRegistry(Struct, type_path=("scale_info", "portable", "PortableRegistry")):
    """Every type the metadata refers to, addressed by id."""

    types: Vec[PortableType]
    """The entries, with ``types[i].id == i``."""

    def get(self, type_id: int) -> Type:
        """Return the type with id `type_id`.

        Raises:
            UnknownType: the registry has no such id.
        """
        if not 0 <= type_id < len(self.types):
            raise UnknownType(f"type id {type_id} is not in the registry ({len(self.types)} types)")
        return self.types[type_id].ty


# --- frame-metadata v14 --------------------------------------------------------------------


class StorageEntryModifier(enum.IntEnum):
    """What reading an absent storage key yields."""

    OPTIONAL = 0
    """None (``OptionQuery``)."""
    DEFAULT = 1
    """The entry's default value (``ValueQuery``)."""

    @property
    def metadata_name(self) -> str:
        """The name scalecodec uses (``Optional`` / ``Default``)."""
        return self.name.capitalize()


class StorageEntryType(Enum, type_path=(*_FM, "StorageEntryType")):
    """A storage entry's shape: a single value or a map."""


class PlainStorage(StorageEntryType, index=0, unnamed=True):
    """A single value (``StorageValue``)."""

    value: Compact[U32]
    """The value type id."""


class MapStorage(StorageEntryType, index=1):
    """A map; with several hashers the key is a tuple, one hasher per element."""

    hashers: Vec[StorageHasher]
    """One hasher per key component."""
    key: Compact[U32]
    """The key type id (a tuple type when there are several hashers)."""
    value: Compact[U32]
    """The value type id."""


class StorageEntryMetadata(Struct, type_path=(*_FM, "StorageEntryMetadata")):
    """One storage item of a pallet."""

    name: str
    """The item's name (hashed with twox128 into its key prefix)."""
    modifier: StorageEntryModifier
    """Optional or Default."""
    ty: StorageEntryType
    """Plain value or map."""
    default: bytes
    """The SCALE bytes of the default value (``0x00``, i.e. None, for Optional entries)."""
    docs: Vec[str]
    """Documentation lines."""


class PalletStorageMetadata(Struct, type_path=(*_FM, "PalletStorageMetadata")):
    """A pallet's storage items under one prefix."""

    prefix: str
    """The prefix hashed with twox128 into every key (normally the pallet's name)."""
    entries: Vec[StorageEntryMetadata]
    """The items."""


class PalletCallMetadata(Struct, type_path=(*_FM, "PalletCallMetadata")):
    """A pallet's calls: a variant type, one variant per call with named arguments."""

    ty: Compact[U32]
    """The call enum's type id."""


class PalletEventMetadata(Struct, type_path=(*_FM, "PalletEventMetadata")):
    """A pallet's events: a variant type, one variant per event."""

    ty: Compact[U32]
    """The event enum's type id."""


class PalletConstantMetadata(Struct, type_path=(*_FM, "PalletConstantMetadata")):
    """A constant of a pallet's configuration, with its SCALE value."""

    name: str
    """The constant's name."""
    ty: Compact[U32]
    """Its type id."""
    value: bytes
    """Its SCALE-encoded value."""
    docs: Vec[str]
    """Documentation lines."""


class PalletErrorMetadata(Struct, type_path=(*_FM, "PalletErrorMetadata")):
    """A pallet's errors: a variant type whose indices are ``0..n-1``."""

    ty: Compact[U32]
    """The error enum's type id."""


class PalletMetadata(Struct, type_path=(*_FM, "PalletMetadata")):
    """Everything clients know about one pallet."""

    name: str
    """The pallet's name in the runtime (``System``, ``Balances``)."""
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
    """Its index: the first byte of its calls and events, and ``ModuleError.index``."""


class SignedExtensionMetadata(Struct, type_path=(*_FM, "SignedExtensionMetadata")):
    """A signed extension: what it adds to the extrinsic and to the signed payload."""

    identifier: str
    """Its name (``CheckNonce``); clients recognise the standard ones by it."""
    ty: Compact[U32]
    """The type of the extra data carried in the extrinsic."""
    additional_signed: Compact[U32]
    """The type of the implicit data added to the signing payload."""


class ExtrinsicMetadata(Struct, type_path=(*_FM, "ExtrinsicMetadata")):
    """The extrinsic format."""

    ty: Compact[U32]
    """The ``UncheckedExtrinsic`` type id."""
    version: U8
    """The extrinsic format version (4)."""
    signed_extensions: Vec[SignedExtensionMetadata]
    """The signed extensions, in the order their data is encoded."""


class RuntimeMetadataV14(Struct, type_path=(*_FM, "RuntimeMetadataV14")):
    """The V14 metadata of a runtime."""

    types: PortableRegistry
    """Every type referred to below."""
    pallets: Vec[PalletMetadata]
    """The pallets."""
    extrinsic: ExtrinsicMetadata
    """The extrinsic format."""
    ty: Compact[U32]
    """The runtime type id (scalecodec's ``runtime_type``)."""

    def pallet(self, name: str) -> PalletMetadata:
        """Return the pallet called `name`.

        Raises:
            KeyError: no pallet has that name.
        """
        for pallet in self.pallets:
            if pallet.name == name:
                return pallet
        raise KeyError(name)

    def pallet_by_index(self, index: int) -> PalletMetadata:
        """Return the pallet whose index is `index`.

        Raises:
            KeyError: no pallet has that index.
        """
        for pallet in self.pallets:
            if pallet.index == index:
                return pallet
        raise KeyError(index)


class RuntimeMetadata(Enum, type_path=("frame_metadata", "RuntimeMetadata")):
    """Metadata of some version; the variant index is the version (only V14 is modelled)."""


class V14(RuntimeMetadata, index=14, unnamed=True):
    """Version 14 metadata."""

    metadata: RuntimeMetadataV14
    """The payload."""


class RuntimeMetadataPrefixed(Struct, type_path=("frame_metadata", "RuntimeMetadataPrefixed")):
    """Metadata as served by ``state_getMetadata``: the magic, then the versioned metadata."""

    magic: U32
    """Always `META_RESERVED` (``b"meta"``)."""
    metadata: RuntimeMetadata
    """The versioned metadata."""


def encode_metadata(metadata: RuntimeMetadataV14) -> bytes:
    """Return ``b"meta" ++ 0x0e ++ SCALE(metadata)``: the bytes ``state_getMetadata`` serves.

    Raises:
        EncodeError: the model holds a value its type cannot encode (e.g. an index above 255).
    """
    return RuntimeMetadataPrefixed(magic=META_RESERVED, metadata=V14(metadata)).encode()


def decode_metadata(data: bytes | bytearray | memoryview) -> RuntimeMetadataV14:
    """Decode ``RuntimeMetadataPrefixed`` bytes into the V14 model.

    Raises:
        InvalidMetadata: the magic is not ``b"meta"``, the version is not 14, the bytes do not
            decode exactly, or a type id does not equal its position.
    """
    raw = bytes(data)
    if raw[:4] != b"meta":
        raise InvalidMetadata(f"metadata must start with b'meta', not {raw[:4]!r}")
    if len(raw) < 5 or raw[4] != METADATA_VERSION:
        version = raw[4] if len(raw) > 4 else None
        raise InvalidMetadata(f"unsupported metadata version {version} (only 14 is supported)")
    try:
        prefixed = RuntimeMetadataPrefixed.decode(raw)
    except DecodeError as exc:
        raise InvalidMetadata(f"malformed V14 metadata: {exc}") from exc
    assert isinstance(prefixed.metadata, V14)  # the only variant
    metadata = prefixed.metadata.metadata
    check_type_ids(metadata)
    return metadata


def check_type_ids(metadata: RuntimeMetadataV14) -> None:
    """Check that every type id equals its position and that every reference is in range.

    References are checked everywhere: inside the types, in the pallets (storage, calls,
    events, constants, errors), in the extrinsic and signed extensions, and the runtime type.

    Raises:
        InvalidMetadata: an id is out of place, or something refers to an id that does not
            exist.
    """
    registry = metadata.types
    count = len(registry.types)

    def check(ref: int, where: str) -> None:
        if not 0 <= ref < count:
            raise InvalidMetadata(f"{where} refers to missing type id {ref}")

    for position, entry in enumerate(registry.types):
        if entry.id != position:
            raise InvalidMetadata(f"type at position {position} has id {entry.id}")
        for ref in _references(entry.ty):
            check(ref, f"type {position}")
    for pallet in metadata.pallets:
        where = f"pallet {pallet.name}"
        for item in pallet.storage.entries if pallet.storage is not None else ():
            shape = item.ty
            if isinstance(shape, MapStorage):
                check(shape.key, f"{where} storage {item.name}")
                check(shape.value, f"{where} storage {item.name}")
            elif isinstance(shape, PlainStorage):
                check(shape.value, f"{where} storage {item.name}")
        for section in (pallet.calls, pallet.event, pallet.error):
            if section is not None:
                check(section.ty, where)
        for constant in pallet.constants:
            check(constant.ty, f"{where} constant {constant.name}")
    check(metadata.extrinsic.ty, "the extrinsic")
    for ext in metadata.extrinsic.signed_extensions:
        check(ext.ty, f"signed extension {ext.identifier}")
        check(ext.additional_signed, f"signed extension {ext.identifier}")
    check(metadata.ty, "the runtime type")


def _references(ty: Type) -> list[int]:
    refs: list[int] = [p.ty for p in ty.type_params if p.ty is not None]
    d = ty.type_def
    if isinstance(d, TypeDefComposite):
        refs.extend(f.ty for f in d.fields)
    elif isinstance(d, TypeDefVariant):
        refs.extend(f.ty for v in d.members for f in v.fields)
    elif isinstance(d, (TypeDefSequence, TypeDefArray, TypeDefCompact)):
        refs.append(d.type_param)
    elif isinstance(d, TypeDefTuple):
        refs.extend(d.fields)
    elif isinstance(d, TypeDefBitSequence):
        refs.extend((d.bit_store_type, d.bit_order_type))
    return refs
