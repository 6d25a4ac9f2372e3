"""Assemble V14 and V15 metadata from pallet descriptions: `MetadataBuilder`, `build_metadata`.

Introduction
------------
The builder knows nothing about the pallet framework. Its input is plain frozen values that the
runtime's support layer computes from its pallets:

* `PalletDescription`: name, index, storage entries (`StorageEntryDescription`), the call,
  event and error enum types, constants (`ConstantDescription`, value already SCALE-encoded);
* `ExtrinsicDescription`: the ``UncheckedExtrinsic`` type, the version (4) and the signed
  extensions (`SignedExtensionDescription`) in wire order;
* the runtime type (FRAME's ``Runtime``, a unit struct).

Types are given as codec annotations or `TypeInfo` descriptors. The output, `BuiltMetadata`,
holds the V14 model and its ``RuntimeMetadataPrefixed`` bytes (``b"meta" ++ 0x0e ++ ...``).

Given the outer enums (`OuterEnumsDescription`: ``RuntimeEvent`` and ``RuntimeError``; the call
enum is the extrinsic's ``Call`` parameter) and the runtime APIs (`RuntimeApiDescription`), it
also builds V15 (``b"meta" ++ 0x0f ++ ...``). V15's registry extends V14's: the same ids, then
the types only V15 mentions (the signed-extra tuple, ``RuntimeError``, the API inputs and
outputs, custom values), so one id means one type in both.

Type ids follow FRAME's registration order: pallets by index (per pallet: storage entries,
key before value, then calls, event, constants, error), then the extrinsic type and the signed
extensions (``ty`` then ``additional_signed``), then the runtime type; V15's additions follow.

Validation (`InvalidDescription`) catches what clients would silently misread: duplicate pallet
names or indices, call arguments without names (py-substrate-interface composes calls by
argument name), error variants whose indices are not ``0..n-1`` (it looks errors up by
position), non-variant call/event/error types, and maps whose hasher count differs from their
key count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from deepshard.primitives.codec import TypeInfo, TypeKind
from deepshard.primitives.hashing import StorageHasher, blake2_256
from deepshard.primitives.metadata.errors import InvalidDescription
from deepshard.primitives.metadata.model import (
    ExtrinsicMetadata,
    MapStorage,
    PalletCallMetadata,
    PalletConstantMetadata,
    PalletErrorMetadata,
    PalletEventMetadata,
    PalletMetadata,
    PalletStorageMetadata,
    PlainStorage,
    RuntimeMetadataV14,
    SignedExtensionMetadata,
    StorageEntryMetadata,
    StorageEntryModifier,
    StorageEntryType,
    encode_metadata,
)
from deepshard.primitives.metadata.registry import TypeRegistry, TypeSpec, resolve_type
from deepshard.primitives.metadata.v15 import (
    CustomMetadata,
    CustomValueMetadata,
    ExtrinsicMetadataV15,
    OuterEnums,
    PalletMetadataV15,
    RuntimeApiMetadata,
    RuntimeApiMethodMetadata,
    RuntimeApiMethodParamMetadata,
    RuntimeMetadataV15,
    encode_metadata_v15,
)
from deepshard.primitives.metadata.v16 import (
    RuntimeMetadataV16,
    encode_metadata_v16,
    v16_from_v15,
)
from deepshard.primitives.numeric import U8, U32

__all__ = [
    "StorageEntryDescription",
    "ConstantDescription",
    "PalletDescription",
    "SignedExtensionDescription",
    "ExtrinsicDescription",
    "RuntimeApiMethodDescription",
    "RuntimeApiDescription",
    "OuterEnumsDescription",
    "CustomValueDescription",
    "BuiltMetadata",
    "MetadataBuilder",
    "build_metadata",
]

_MAX_EXTRINSIC_VERSION = 127  # the top bit of the version byte is the "signed" flag


def _check_docs(owner: str, docs: tuple[str, ...]) -> None:
    if not isinstance(docs, tuple) or not all(isinstance(line, str) for line in docs):
        raise InvalidDescription(f"{owner}: docs must be a tuple of str")


@dataclass(frozen=True, slots=True)
class StorageEntryDescription:
    """One storage item: a plain value (no keys) or a map (one hasher per key).

    Raises:
        InvalidDescription: on construction, if the hashers do not match the keys one to one,
            or a field has the wrong kind of value.
    """

    name: str
    """The item's name (``Account``)."""
    value: TypeSpec
    """The value type."""
    keys: tuple[TypeSpec, ...] = ()
    """The key types; empty for a plain value, several for a double map or n-map."""
    hashers: tuple[StorageHasher, ...] = ()
    """One hasher per key."""
    modifier: StorageEntryModifier = StorageEntryModifier.DEFAULT
    """`StorageEntryModifier.DEFAULT` (``ValueQuery``) or ``OPTIONAL`` (``OptionQuery``)."""
    default: bytes = b""
    """SCALE bytes of the default value; ``b"\\x00"`` (None) for Optional entries."""
    docs: tuple[str, ...] = ()
    """Documentation lines."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidDescription(f"storage entry name must be a non-empty str: {self.name!r}")
        if not isinstance(self.keys, tuple) or not isinstance(self.hashers, tuple):
            raise InvalidDescription(f"storage {self.name}: keys and hashers must be tuples")
        if len(self.keys) != len(self.hashers):
            raise InvalidDescription(
                f"storage {self.name}: {len(self.hashers)} hashers for {len(self.keys)} keys"
            )
        if not all(isinstance(h, StorageHasher) for h in self.hashers):
            raise InvalidDescription(f"storage {self.name}: hashers must be StorageHasher values")
        if not isinstance(self.modifier, StorageEntryModifier):
            raise InvalidDescription(f"storage {self.name}: modifier must be StorageEntryModifier")
        if not isinstance(self.default, bytes):
            raise InvalidDescription(f"storage {self.name}: default must be bytes")
        _check_docs(f"storage {self.name}", self.docs)


@dataclass(frozen=True, slots=True)
class ConstantDescription:
    """A pallet constant with its value already SCALE-encoded.

    Raises:
        InvalidDescription: on construction, if a field has the wrong kind of value.
    """

    name: str
    """The constant's name (``ExistentialDeposit``)."""
    ty: TypeSpec
    """Its type."""
    value: bytes
    """Its SCALE bytes."""
    docs: tuple[str, ...] = ()
    """Documentation lines."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidDescription(f"constant name must be a non-empty str: {self.name!r}")
        if not isinstance(self.value, bytes):
            raise InvalidDescription(f"constant {self.name}: value must be bytes")
        _check_docs(f"constant {self.name}", self.docs)


@dataclass(frozen=True, slots=True)
class PalletDescription:
    """Everything the metadata says about one pallet.

    Raises:
        InvalidDescription: on construction, if the index is not a u8 or two storage entries
            (or two constants) share a name.
    """

    name: str
    """The pallet's name in the runtime (``Balances``)."""
    index: int
    """Its index, 0..=255."""
    storage: tuple[StorageEntryDescription, ...] = ()
    """Its storage items; the metadata has no storage section when there are none."""
    calls: TypeSpec | None = None
    """Its call enum (one variant per call, named arguments), if it has calls."""
    event: TypeSpec | None = None
    """Its event enum, if it emits events."""
    constants: tuple[ConstantDescription, ...] = ()
    """Its constants."""
    error: TypeSpec | None = None
    """Its error enum (indices ``0..n-1``), if it has errors."""
    storage_prefix: str | None = None
    """The storage prefix; None means the pallet's name (FRAME's default)."""
    docs: tuple[str, ...] = ()
    """Documentation lines of the pallet (V15 only)."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidDescription(f"pallet name must be a non-empty str: {self.name!r}")
        if isinstance(self.index, bool) or not isinstance(self.index, int):
            raise InvalidDescription(f"pallet {self.name}: index must be an int")
        if not 0 <= self.index <= 255:
            raise InvalidDescription(f"pallet {self.name}: index {self.index} is not a u8")
        if not all(isinstance(e, StorageEntryDescription) for e in self.storage):
            raise InvalidDescription(f"pallet {self.name}: storage takes StorageEntryDescription")
        if not all(isinstance(c, ConstantDescription) for c in self.constants):
            raise InvalidDescription(f"pallet {self.name}: constants take ConstantDescription")
        _check_docs(f"pallet {self.name}", self.docs)
        _unique(f"pallet {self.name}: storage entry", (e.name for e in self.storage))
        _unique(f"pallet {self.name}: constant", (c.name for c in self.constants))

    @property
    def prefix(self) -> str:
        """The storage prefix actually used."""
        return self.name if self.storage_prefix is None else self.storage_prefix


@dataclass(frozen=True, slots=True)
class SignedExtensionDescription:
    """A signed extension: its identifier, extra type and additional-signed type.

    Extensions that clients do not know by name (``CheckNonZeroSender``, ``CheckWeight``)
    must have empty types (a unit struct or ``tuple[()]``): clients skip them.
    """

    identifier: str
    """The name clients recognise (``CheckMortality``, ``CheckNonce``...)."""
    ty: TypeSpec
    """The type of the data carried in the extrinsic."""
    additional_signed: TypeSpec
    """The type of the data added to the signing payload only."""


@dataclass(frozen=True, slots=True)
class ExtrinsicDescription:
    """The extrinsic format.

    Raises:
        InvalidDescription: on construction, if the version is not 0..=127 or two signed
            extensions share an identifier.
    """

    ty: TypeSpec
    """The ``UncheckedExtrinsic`` type (path ``sp_runtime::generic::unchecked_extrinsic::
    UncheckedExtrinsic``, params ``Address``, ``Call``, ``Signature``, ``Extra``)."""
    signed_extensions: tuple[SignedExtensionDescription, ...] = ()
    """The signed extensions in wire order."""
    version: int = 4
    """The extrinsic format version."""

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise InvalidDescription("extrinsic version must be an int")
        if not 0 <= self.version <= _MAX_EXTRINSIC_VERSION:
            raise InvalidDescription(f"extrinsic version {self.version} is not 0..=127")
        if not all(isinstance(e, SignedExtensionDescription) for e in self.signed_extensions):
            raise InvalidDescription("signed_extensions take SignedExtensionDescription values")
        _unique("signed extension", (e.identifier for e in self.signed_extensions))


@dataclass(frozen=True, slots=True)
class RuntimeApiMethodDescription:
    """A runtime API method: named inputs, output type, docs.

    Raises:
        InvalidDescription: on construction, if a name is empty or two inputs share a name.
    """

    name: str
    """The method's name (``account_nonce``)."""
    inputs: tuple[tuple[str, TypeSpec], ...]
    """``(name, type)`` of each input, in the order they are SCALE-concatenated."""
    output: TypeSpec
    """What it returns."""
    docs: tuple[str, ...] = ()
    """Documentation lines."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidDescription(f"runtime API method name must be non-empty: {self.name!r}")
        if not isinstance(self.inputs, tuple) or not all(
            isinstance(i, tuple) and len(i) == 2 and isinstance(i[0], str) and i[0]
            for i in self.inputs
        ):
            raise InvalidDescription(f"method {self.name}: inputs must be (name, type) pairs")
        _unique(f"method {self.name}: input", (name for name, _ in self.inputs))
        _check_docs(f"method {self.name}", self.docs)


@dataclass(frozen=True, slots=True)
class RuntimeApiDescription:
    """A runtime API trait (``AccountNonceApi``) and its methods.

    Raises:
        InvalidDescription: on construction, if the name is empty or two methods share a name.
    """

    name: str
    """The trait's name; a method is called as ``<name>_<method>``."""
    methods: tuple[RuntimeApiMethodDescription, ...]
    """Its methods."""
    docs: tuple[str, ...] = ()
    """Documentation lines."""
    version: int | None = None
    """The API's version (as in ``RuntimeVersion.apis``); V16 needs it, V15 does not say it."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidDescription(f"runtime API name must be non-empty: {self.name!r}")
        if not all(isinstance(m, RuntimeApiMethodDescription) for m in self.methods):
            raise InvalidDescription(f"API {self.name}: methods take RuntimeApiMethodDescription")
        _unique(f"API {self.name}: method", (m.name for m in self.methods))
        _check_docs(f"API {self.name}", self.docs)


@dataclass(frozen=True, slots=True)
class OuterEnumsDescription:
    """The runtime's event and error enums (the call enum is the extrinsic's ``Call``)."""

    event: TypeSpec
    """``RuntimeEvent``."""
    error: TypeSpec
    """``RuntimeError``."""


@dataclass(frozen=True, slots=True)
class CustomValueDescription:
    """A named custom value of V15 metadata, already SCALE-encoded."""

    name: str
    """Its name (the map key)."""
    ty: TypeSpec
    """Its type."""
    value: bytes
    """Its SCALE bytes."""


@dataclass(frozen=True, slots=True)
class BuiltMetadata:
    """The result of a build: the V14 model and its encoding."""

    metadata: RuntimeMetadataV14
    """The model."""
    encoded: bytes
    """``RuntimeMetadataPrefixed`` bytes: what ``state_getMetadata`` returns (hex-encoded)."""
    registry: TypeRegistry = field(compare=False, repr=False)
    """The registry the types came from (look ids up with ``registry.id_of(annotation)``)."""
    v15: RuntimeMetadataV15 | None = None
    """The V15 model, when the outer enums were given."""
    encoded_v15: bytes | None = None
    """Its ``RuntimeMetadataPrefixed`` bytes (``b"meta" ++ 0x0f ++ ...``)."""
    v16: RuntimeMetadataV16 | None = None
    """The V16 model, when every runtime API has a version."""
    encoded_v16: bytes | None = None
    """Its ``RuntimeMetadataPrefixed`` bytes (``b"meta" ++ 0x10 ++ ...``)."""

    def encoded_at_version(self, version: int) -> bytes | None:
        """Return the encoded metadata of `version` (14 or 15), or None if not built."""
        if version == 14:
            return self.encoded
        if version == 15:
            return self.encoded_v15
        if version == 16:
            return self.encoded_v16
        return None

    @property
    def versions(self) -> tuple[int, ...]:
        """The metadata versions built, ascending."""
        built = {14: self.encoded, 15: self.encoded_v15, 16: self.encoded_v16}
        return tuple(v for v, data in built.items() if data is not None)

    @property
    def hash(self) -> bytes:
        """blake2_256 of `encoded` (what snapshots and the render's last line record)."""
        return blake2_256(self.encoded)

    def to_hex(self) -> str:
        """Return `encoded` as ``0x``-prefixed hex (the JSON-RPC form)."""
        return "0x" + self.encoded.hex()


class MetadataBuilder:
    r"""Collects pallet descriptions, then builds the metadata (see the module docs).

    Example::

        builder = MetadataBuilder()
        builder.add_pallet(PalletDescription("System", 0, storage=(...), calls=SystemCall))
        built = builder.build(ExtrinsicDescription(UncheckedExtrinsic[RuntimeCall], exts), Runtime)
        built.encoded  # b"meta\\x0e..."
    """

    def __init__(self) -> None:
        self._pallets: dict[int, PalletDescription] = {}

    def add_pallet(self, pallet: PalletDescription) -> None:
        """Add a pallet.

        Raises:
            InvalidDescription: another pallet has the same name or index.
        """
        if not isinstance(pallet, PalletDescription):
            raise InvalidDescription(f"expected a PalletDescription, got {type(pallet).__name__}")
        if pallet.index in self._pallets:
            other = self._pallets[pallet.index].name
            raise InvalidDescription(
                f"pallets {other} and {pallet.name} share index {pallet.index}"
            )
        if any(p.name == pallet.name for p in self._pallets.values()):
            raise InvalidDescription(f"two pallets are called {pallet.name}")
        self._pallets[pallet.index] = pallet

    @property
    def pallets(self) -> tuple[PalletDescription, ...]:
        """The pallets added so far, by index."""
        return tuple(self._pallets[i] for i in sorted(self._pallets))

    def build(
        self,
        extrinsic: ExtrinsicDescription,
        runtime_type: TypeSpec,
        *,
        outer_enums: OuterEnumsDescription | None = None,
        apis: tuple[RuntimeApiDescription, ...] = (),
        custom: tuple[CustomValueDescription, ...] = (),
    ) -> BuiltMetadata:
        """Build the metadata: register every type in FRAME's order, then encode.

        V14 is always built; V15 too when `outer_enums` is given (with `apis` and `custom`), and
        V16 when, besides, every API has a version.

        Raises:
            InvalidDescription: a call, event or error type breaks the rules above, the
                extrinsic type lacks its ``Address``/``Call``/``Signature`` parameters (V15),
                or two APIs or custom values share a name.
            UnsupportedType: a type cannot be expressed in scale-info.
        """
        if not isinstance(extrinsic, ExtrinsicDescription):
            raise InvalidDescription("extrinsic must be an ExtrinsicDescription")
        registry = TypeRegistry()
        pallets = tuple(_pallet_metadata(registry, p) for p in self.pallets)
        extrinsic_metadata = ExtrinsicMetadata(
            ty=U32(registry.register(extrinsic.ty)),
            version=U8(extrinsic.version),
            signed_extensions=tuple(
                SignedExtensionMetadata(
                    identifier=ext.identifier,
                    ty=U32(registry.register(ext.ty)),
                    additional_signed=U32(registry.register(ext.additional_signed)),
                )
                for ext in extrinsic.signed_extensions
            ),
        )
        runtime = U32(registry.register(runtime_type))
        metadata = RuntimeMetadataV14(
            types=registry.portable_registry(),
            pallets=pallets,
            extrinsic=extrinsic_metadata,
            ty=runtime,
        )
        encoded = encode_metadata(metadata)
        if outer_enums is None:
            return BuiltMetadata(metadata=metadata, encoded=encoded, registry=registry)
        v15 = _v15_metadata(
            registry, metadata, self.pallets, extrinsic, outer_enums, tuple(apis), tuple(custom)
        )
        v16 = None
        if apis and all(api.version is not None for api in apis):
            v16 = v16_from_v15(v15, {api.name: int(api.version or 0) for api in apis})
        return BuiltMetadata(
            metadata=metadata,
            encoded=encoded,
            registry=registry,
            v15=v15,
            encoded_v15=encode_metadata_v15(v15),
            v16=v16,
            encoded_v16=None if v16 is None else encode_metadata_v16(v16),
        )


def build_metadata(
    pallets: Iterable[PalletDescription],
    extrinsic: ExtrinsicDescription,
    runtime_type: TypeSpec,
    *,
    outer_enums: OuterEnumsDescription | None = None,
    apis: tuple[RuntimeApiDescription, ...] = (),
    custom: tuple[CustomValueDescription, ...] = (),
) -> BuiltMetadata:
    """Build V14 (and V15, given `outer_enums`) metadata in one call (see `MetadataBuilder`).

    Raises:
        InvalidDescription: the descriptions break a rule (see the module docs).
        UnsupportedType: a type cannot be expressed in scale-info.
    """
    builder = MetadataBuilder()
    for pallet in pallets:
        builder.add_pallet(pallet)
    return builder.build(extrinsic, runtime_type, outer_enums=outer_enums, apis=apis, custom=custom)


def _unique(what: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidDescription(f"{what} {name!r} is declared twice")
        seen.add(name)


def _pallet_metadata(registry: TypeRegistry, pallet: PalletDescription) -> PalletMetadata:
    storage = None
    if pallet.storage:
        storage = PalletStorageMetadata(
            prefix=pallet.prefix,
            entries=tuple(_storage_entry(registry, e) for e in pallet.storage),
        )
    calls = None
    if pallet.calls is not None:
        _check_calls(pallet.name, resolve_type(pallet.calls))
        calls = PalletCallMetadata(ty=U32(registry.register(pallet.calls)))
    event = None
    if pallet.event is not None:
        _check_variant(pallet.name, "event", resolve_type(pallet.event))
        event = PalletEventMetadata(ty=U32(registry.register(pallet.event)))
    constants = tuple(
        PalletConstantMetadata(
            name=c.name, ty=U32(registry.register(c.ty)), value=c.value, docs=c.docs
        )
        for c in pallet.constants
    )
    error = None
    if pallet.error is not None:
        _check_errors(pallet.name, resolve_type(pallet.error))
        error = PalletErrorMetadata(ty=U32(registry.register(pallet.error)))
    return PalletMetadata(
        name=pallet.name,
        storage=storage,
        calls=calls,
        event=event,
        constants=constants,
        error=error,
        index=U8(pallet.index),
    )


def _storage_entry(registry: TypeRegistry, entry: StorageEntryDescription) -> StorageEntryMetadata:
    ty: StorageEntryType
    if entry.keys:
        infos = tuple(resolve_type(k) for k in entry.keys)
        key = infos[0] if len(infos) == 1 else TypeInfo(TypeKind.TUPLE, elements=infos)
        key_id = registry.register(key)
        ty = MapStorage(
            hashers=entry.hashers, key=U32(key_id), value=U32(registry.register(entry.value))
        )
    else:
        ty = PlainStorage(U32(registry.register(entry.value)))
    return StorageEntryMetadata(
        name=entry.name, modifier=entry.modifier, ty=ty, default=entry.default, docs=entry.docs
    )


def _check_variant(pallet: str, what: str, info: TypeInfo) -> None:
    if info.kind is not TypeKind.VARIANT:
        raise InvalidDescription(
            f"pallet {pallet}: the {what} type must be an enum, not {info.display_name()}"
        )


def _check_calls(pallet: str, info: TypeInfo) -> None:
    _check_variant(pallet, "call", info)
    for variant in info.variants:
        for position, f in enumerate(variant.fields):
            if f.name is None:
                raise InvalidDescription(
                    f"pallet {pallet}: argument {position} of call {variant.name} has no name "
                    "(clients compose calls by argument name)"
                )


def _check_errors(pallet: str, info: TypeInfo) -> None:
    _check_variant(pallet, "error", info)
    indices = [v.index for v in info.variants]
    if indices != list(range(len(indices))):
        raise InvalidDescription(
            f"pallet {pallet}: error indices must be 0..{len(indices) - 1} in order, not "
            f"{indices} (clients look errors up by position)"
        )


def _v15_metadata(  # noqa: PLR0917 -- one private call site, every part of V15
    registry: TypeRegistry,
    v14: RuntimeMetadataV14,
    pallets: tuple[PalletDescription, ...],
    extrinsic: ExtrinsicDescription,
    outer_enums: OuterEnumsDescription,
    apis: tuple[RuntimeApiDescription, ...],
    custom: tuple[CustomValueDescription, ...],
) -> RuntimeMetadataV15:
    params = {p.name: p.type for p in resolve_type(extrinsic.ty).params}
    parts = {}
    for name in ("Address", "Call", "Signature"):
        info = params.get(name)
        if info is None:
            raise InvalidDescription(f"the extrinsic type has no {name} parameter (V15 needs it)")
        parts[name] = registry.register(info)
    extra = TypeInfo(
        TypeKind.TUPLE, elements=tuple(resolve_type(e.ty) for e in extrinsic.signed_extensions)
    )
    extrinsic_v15 = ExtrinsicMetadataV15(
        version=v14.extrinsic.version,
        address_ty=U32(parts["Address"]),
        call_ty=U32(parts["Call"]),
        signature_ty=U32(parts["Signature"]),
        extra_ty=U32(registry.register(extra)),
        signed_extensions=v14.extrinsic.signed_extensions,
    )
    _check_variant("runtime", "outer event", resolve_type(outer_enums.event))
    _check_variant("runtime", "outer error", resolve_type(outer_enums.error))
    enums = OuterEnums(
        call_enum_ty=U32(parts["Call"]),
        event_enum_ty=U32(registry.register(outer_enums.event)),
        error_enum_ty=U32(registry.register(outer_enums.error)),
    )
    _unique("runtime API", (api.name for api in apis))
    apis_metadata = tuple(
        RuntimeApiMetadata(
            name=api.name,
            methods=tuple(
                RuntimeApiMethodMetadata(
                    name=method.name,
                    inputs=tuple(
                        RuntimeApiMethodParamMetadata(name=name, ty=U32(registry.register(ty)))
                        for name, ty in method.inputs
                    ),
                    output=U32(registry.register(method.output)),
                    docs=method.docs,
                )
                for method in api.methods
            ),
            docs=api.docs,
        )
        for api in apis
    )
    _unique("custom value", (value.name for value in custom))
    custom_map = tuple(
        (value.name, CustomValueMetadata(ty=U32(registry.register(value.ty)), value=value.value))
        for value in sorted(custom, key=lambda value: value.name)
    )
    by_index = {p.index: p for p in pallets}
    return RuntimeMetadataV15(
        types=registry.portable_registry(),
        pallets=tuple(
            PalletMetadataV15(
                name=p.name,
                storage=p.storage,
                calls=p.calls,
                event=p.event,
                constants=p.constants,
                error=p.error,
                index=p.index,
                docs=by_index[int(p.index)].docs,
            )
            for p in v14.pallets
        ),
        extrinsic=extrinsic_v15,
        ty=v14.ty,
        apis=apis_metadata,
        outer_enums=enums,
        custom=CustomMetadata(map=custom_map),
    )
