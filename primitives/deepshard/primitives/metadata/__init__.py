"""Runtime metadata V14, V15 and V16: the models, the registry, the builder, a text rendering.

Introduction
------------
Clients (py-substrate-interface, scalecodec, polkadot.js) learn everything about a runtime from
its metadata: the types, each pallet's storage, calls, events, errors and constants, and the
extrinsic format. This package produces it from codec type descriptors:

* `model`: frame-metadata V14 as codec declarations (`RuntimeMetadataV14` and its parts),
  `encode_metadata` / `decode_metadata` for the ``b"meta" ++ 0x0e ++ ...`` bytes;
* `registry`: `TypeRegistry`, annotations and descriptors in, a scale-info
  `PortableRegistry` out, with deterministic first-seen ids;
* `builder`: `MetadataBuilder` / `build_metadata` from frozen pallet and extrinsic
  descriptions (independent of the pallet framework, which calls it);
* `v15`: frame-metadata V15 (`RuntimeMetadataV15`: V14 plus runtime APIs, outer enums, the
  extrinsic's parts and custom values), `encode_metadata_v15` / `decode_metadata_v15`;
* `v16`: frame-metadata V16 (`RuntimeMetadataV16`), derived from V15 (`v16_from_v15`);
* `render`: `render_metadata`, stable text for snapshot tests (`render_metadata_v15` for
  what V15 adds).

Errors are `MetadataError` subclasses (`errors`).
"""

from deepshard.primitives.metadata.builder import (
    BuiltMetadata,
    ConstantDescription,
    CustomValueDescription,
    ExtrinsicDescription,
    MetadataBuilder,
    OuterEnumsDescription,
    PalletDescription,
    RuntimeApiDescription,
    RuntimeApiMethodDescription,
    SignedExtensionDescription,
    StorageEntryDescription,
    build_metadata,
)
from deepshard.primitives.metadata.errors import (
    InvalidDescription,
    InvalidMetadata,
    MetadataError,
    UnknownType,
    UnsupportedType,
)
from deepshard.primitives.metadata.model import (
    META_RESERVED,
    METADATA_VERSION,
    ExtrinsicMetadata,
    PalletMetadata,
    PortableRegistry,
    RuntimeMetadataPrefixed,
    RuntimeMetadataV14,
    StorageEntryModifier,
    StorageHasher,
    check_type_ids,
    decode_metadata,
    encode_metadata,
)
from deepshard.primitives.metadata.registry import TypeRegistry, TypeSpec, resolve_type
from deepshard.primitives.metadata.render import render_metadata, render_metadata_v15, type_name
from deepshard.primitives.metadata.v15 import (
    METADATA_V15,
    RuntimeMetadataV15,
    decode_metadata_v15,
    encode_metadata_v15,
)
from deepshard.primitives.metadata.v16 import (
    METADATA_V16,
    RuntimeMetadataV16,
    decode_metadata_v16,
    encode_metadata_v16,
)

__all__ = [
    # building
    "MetadataBuilder",
    "build_metadata",
    "BuiltMetadata",
    "PalletDescription",
    "StorageEntryDescription",
    "ConstantDescription",
    "ExtrinsicDescription",
    "SignedExtensionDescription",
    "RuntimeApiDescription",
    "RuntimeApiMethodDescription",
    "OuterEnumsDescription",
    "CustomValueDescription",
    "StorageEntryModifier",
    "StorageHasher",
    # registry
    "TypeRegistry",
    "TypeSpec",
    "resolve_type",
    # model
    "META_RESERVED",
    "METADATA_VERSION",
    "RuntimeMetadataV14",
    "RuntimeMetadataPrefixed",
    "PortableRegistry",
    "PalletMetadata",
    "ExtrinsicMetadata",
    "encode_metadata",
    "decode_metadata",
    "check_type_ids",
    "METADATA_V15",
    "RuntimeMetadataV15",
    "encode_metadata_v15",
    "decode_metadata_v15",
    "METADATA_V16",
    "RuntimeMetadataV16",
    "encode_metadata_v16",
    "decode_metadata_v16",
    # rendering
    "render_metadata",
    "render_metadata_v15",
    "type_name",
    # errors
    "MetadataError",
    "InvalidMetadata",
    "UnsupportedType",
    "UnknownType",
    "InvalidDescription",
]
