"""One runtime as the client sees it: its metadata, and every codec derived from it.

`RuntimeView` answers the questions a client asks of a runtime it knows only through V14
metadata: how to encode a call (`compose`), a storage key (`StorageItem.key`) or the signed
extensions' data (`signed_extensions`), and how to decode extrinsics, events, storage values,
constants and dispatch errors. Codecs are built once per type id (`PortableCodecs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from deepshard.client.rpc.client.errors import (
    DecodeFailed,
    InvalidArguments,
    MetadataError,
    UnknownItem,
    UnsupportedExtension,
)
from deepshard.client.rpc.client.types import (
    Call,
    DispatchFailure,
    Event,
    Extrinsic,
    ModuleError,
    Phase,
)
from deepshard.primitives.codec import AccountId32, CodecError, decode_compact, encode_compact
from deepshard.primitives.extrinsic import Era
from deepshard.primitives.hashing import StorageHasher, blake2_256, twox_128
from deepshard.primitives.metadata import (
    InvalidMetadata,
    PalletMetadata,
    RuntimeMetadataV14,
    StorageEntryModifier,
    UnknownType,
    decode_metadata,
)
from deepshard.primitives.metadata.model import (
    MapStorage,
    PlainStorage,
    StorageEntryMetadata,
    TypeDefTuple,
    TypeDefVariant,
    Variant,
)
from deepshard.primitives.metadata.portable import Decoder, PortableCodec, PortableCodecs

__all__ = ["RuntimeView", "StorageItem", "ExtensionValues"]

_SIGNED_BIT: Final = 0x80
_EXTRINSIC_VERSION: Final = 4
_PHASES: Final = ("ApplyExtrinsic", "Finalization", "Initialization")


@dataclass(frozen=True, slots=True)
class ExtensionValues:
    """The values a signer supplies; each standard extension takes what it needs."""

    era: Era
    nonce: int
    tip: int
    spec_version: int
    transaction_version: int
    genesis_hash: bytes
    mortality_hash: bytes


class StorageItem:
    """A storage item of a pallet: key building, key decoding and value decoding."""

    def __init__(
        self, view: RuntimeView, pallet: PalletMetadata, entry: StorageEntryMetadata
    ) -> None:
        """Describe `entry` of `pallet` (use `RuntimeView.storage`)."""
        assert pallet.storage is not None
        self.pallet = pallet.name
        self.name = entry.name
        self.entry = entry
        self.prefix = twox_128(pallet.storage.prefix.encode()) + twox_128(entry.name.encode())
        shape = entry.ty
        assert isinstance(shape, (MapStorage, PlainStorage))
        self.value_codec: PortableCodec = view.codecs.codec(shape.value)
        self.hashers: tuple[StorageHasher, ...] = ()
        self.key_codecs: tuple[PortableCodec, ...] = ()
        if isinstance(shape, MapStorage):
            self.hashers = tuple(StorageHasher(int(h)) for h in shape.hashers)
            if len(self.hashers) == 1:
                self.key_codecs = (view.codecs.codec(shape.key),)
            else:
                key_def = view.codecs.type(shape.key).type_def
                if not isinstance(key_def, TypeDefTuple) or len(key_def.fields) != len(
                    self.hashers
                ):
                    raise MetadataError(
                        f"{self}: {len(self.hashers)} hashers but key is not a tuple"
                    )
                self.key_codecs = tuple(view.codecs.codec(t) for t in key_def.fields)
        self.optional = entry.modifier is StorageEntryModifier.OPTIONAL

    def __str__(self) -> str:
        return f"{self.pallet}.{self.name}"

    @property
    def is_map(self) -> bool:
        """Whether the item is a map (takes keys)."""
        return bool(self.hashers)

    def key(self, *keys: Any) -> bytes:
        """Return the full storage key for `keys` (all of them for a map, none for a value).

        Raises:
            InvalidArguments: the wrong number of keys, or a key that does not encode.
        """
        if len(keys) != len(self.hashers):
            raise InvalidArguments(f"{self} takes {len(self.hashers)} keys, got {len(keys)}")
        return self.prefix_key(*keys)

    def prefix_key(self, *keys: Any) -> bytes:
        """Return the key prefix for the first `keys` of a map (for iteration).

        Raises:
            InvalidArguments: more keys than the map has, or a key that does not encode.
        """
        if len(keys) > len(self.hashers):
            raise InvalidArguments(f"{self} takes at most {len(self.hashers)} keys")
        out = bytearray(self.prefix)
        for hasher, codec, value in zip(self.hashers, self.key_codecs, keys, strict=False):
            try:
                out += hasher.hash(codec.encode(value))
            except CodecError as exc:
                raise InvalidArguments(f"{self} key: {exc}") from exc
        return bytes(out)

    def decode_keys(self, full_key: bytes) -> tuple[Any, ...] | None:
        """Return the map keys encoded in `full_key`, or None if a hasher is opaque.

        Raises:
            DecodeFailed: the key does not start with the item's prefix or does not decode.
        """
        if not full_key.startswith(self.prefix):
            raise DecodeFailed(f"key 0x{full_key.hex()} is not under {self}")
        pos = len(self.prefix)
        values = []
        for hasher, codec in zip(self.hashers, self.key_codecs, strict=True):
            if not hasher.is_concat:
                return None
            pos += hasher.hash_length
            try:
                value, pos = codec.decode_at(full_key, pos)
            except CodecError as exc:
                raise DecodeFailed(f"{self} key: {exc}") from exc
            values.append(value)
        if pos != len(full_key):
            raise DecodeFailed(f"{self} key has {len(full_key) - pos} trailing bytes")
        return tuple(values)

    def decode_value(self, raw: bytes | None) -> Any:
        """Decode a stored value; an absent one is None (Optional) or the default.

        Raises:
            DecodeFailed: the bytes do not decode as the item's type.
        """
        if raw is None:
            if self.optional:
                return None
            raw = self.entry.default
        try:
            return self.value_codec.decode(raw)
        except CodecError as exc:
            raise DecodeFailed(f"{self} value: {exc}") from exc


class RuntimeView:
    """A runtime known through its metadata, with the codecs derived from it."""

    def __init__(
        self, metadata: RuntimeMetadataV14, spec_version: int, transaction_version: int
    ) -> None:
        """Index `metadata` (use `from_bytes` for the bytes ``state_getMetadata`` returns)."""
        self.metadata = metadata
        self.spec_version = spec_version
        self.transaction_version = transaction_version
        self.codecs = PortableCodecs(metadata.types)
        self.pallets: dict[str, PalletMetadata] = {p.name: p for p in metadata.pallets}
        self.pallets_by_index: dict[int, PalletMetadata] = {
            int(p.index): p for p in metadata.pallets
        }
        self._calls: dict[str, dict[str, Variant]] = {}
        self._call_decoders: dict[
            int, tuple[str, dict[int, tuple[str, tuple[str, ...], Decoder]]]
        ] = {}
        self._storage: dict[tuple[str, str], StorageItem] = {}
        self._extensions = tuple(metadata.extrinsic.signed_extensions)
        self._events_item: StorageItem | None = None
        self._extrinsic_params = self._extrinsic_type_params()

    @classmethod
    def from_bytes(cls, data: bytes, spec_version: int, transaction_version: int) -> RuntimeView:
        """Decode ``RuntimeMetadataPrefixed`` bytes into a view.

        Raises:
            MetadataError: the bytes are not V14 metadata.
        """
        try:
            return cls(decode_metadata(data), spec_version, transaction_version)
        except InvalidMetadata as exc:
            raise MetadataError(f"the node's metadata is not usable: {exc}") from exc

    # --- pallets and calls ------------------------------------------------------------------

    def pallet(self, name: str) -> PalletMetadata:
        """Return the pallet called `name`.

        Raises:
            UnknownItem: the runtime has no such pallet.
        """
        found = self.pallets.get(name)
        if found is None:
            raise UnknownItem(f"the runtime has no pallet {name!r}")
        return found

    def _variants(self, type_id: int) -> tuple[Variant, ...]:
        type_def = self.codecs.type(type_id).type_def
        if not isinstance(type_def, TypeDefVariant):
            raise MetadataError(f"type #{type_id} should be an enum")
        return tuple(type_def.members)

    def call_variant(self, pallet: str, name: str) -> tuple[PalletMetadata, Variant]:
        """Return the pallet and the call variant `pallet`.`name`.

        Raises:
            UnknownItem: no such pallet or call.
        """
        meta = self.pallet(pallet)
        calls = self._calls.get(pallet)
        if calls is None:
            calls = {v.name: v for v in self._variants(meta.calls.ty)} if meta.calls else {}
            self._calls[pallet] = calls
        variant = calls.get(name)
        if variant is None:
            raise UnknownItem(f"pallet {pallet} has no call {name!r}")
        return meta, variant

    def compose(self, pallet: str, name: str, args: Mapping[str, Any]) -> Call:
        """Encode call `pallet`.`name` with `args` (by the metadata's argument names).

        Raises:
            UnknownItem: no such pallet or call.
            InvalidArguments: missing or unknown arguments, or values that do not encode.
        """
        meta, variant = self.call_variant(pallet, name)
        names = [str(f.name) for f in variant.fields]
        missing = [n for n in names if n not in args]
        unknown = sorted(set(args) - set(names))
        if missing or unknown:
            raise InvalidArguments(
                f"{pallet}.{name}({', '.join(names)}): missing {missing}, unknown {unknown}"
            )
        out = bytearray((int(meta.index), int(variant.index)))
        for field in variant.fields:
            try:
                self.codecs.encoder(field.ty)(args[str(field.name)], out)
            except CodecError as exc:
                raise InvalidArguments(f"{pallet}.{name} argument {field.name}: {exc}") from exc
        return Call(pallet, name, {n: args[n] for n in names}, bytes(out))

    def decode_call_at(self, data: bytes, pos: int) -> tuple[Call, int]:
        """Decode a call at `pos` of `data`; return it and the position after it.

        Raises:
            DecodeFailed: unknown pallet or call index, or arguments that do not decode.
        """
        start = pos
        if pos + 2 > len(data):
            raise DecodeFailed("a call needs a pallet and a call index: input ended")
        table = self._call_table(data[pos])
        pallet_name, calls = table
        found = calls.get(data[pos + 1])
        if found is None:
            raise DecodeFailed(f"pallet {pallet_name} has no call index {data[pos + 1]}")
        name, _names, decoder = found
        try:
            args, pos = decoder(data, pos + 2)
        except CodecError as exc:
            raise DecodeFailed(f"{pallet_name}.{name} arguments: {exc}") from exc
        return Call(pallet_name, name, args, data[start:pos]), pos

    def _call_table(
        self, pallet_index: int
    ) -> tuple[str, dict[int, tuple[str, tuple[str, ...], Decoder]]]:
        found = self._call_decoders.get(pallet_index)
        if found is not None:
            return found
        meta = self.pallets_by_index.get(pallet_index)
        if meta is None or meta.calls is None:
            raise DecodeFailed(f"no pallet with calls has index {pallet_index}")
        calls: dict[int, tuple[str, tuple[str, ...], Decoder]] = {}
        for variant in self._variants(meta.calls.ty):
            names = tuple(str(f.name) for f in variant.fields)
            decoders = tuple(self.codecs.decoder(f.ty) for f in variant.fields)
            calls[int(variant.index)] = (variant.name, names, _args_decoder(names, decoders))
        table = (meta.name, calls)
        self._call_decoders[pallet_index] = table
        return table

    # --- storage and constants --------------------------------------------------------------

    def storage(self, pallet: str, name: str) -> StorageItem:
        """Return storage item `pallet`.`name`.

        Raises:
            UnknownItem: no such pallet or item.
        """
        key = (pallet, name)
        found = self._storage.get(key)
        if found is None:
            meta = self.pallet(pallet)
            entries = meta.storage.entries if meta.storage is not None else ()
            entry = next((e for e in entries if e.name == name), None)
            if entry is None:
                raise UnknownItem(f"pallet {pallet} has no storage item {name!r}")
            found = StorageItem(self, meta, entry)
            self._storage[key] = found
        return found

    def constant(self, pallet: str, name: str) -> Any:
        """Return the decoded value of constant `pallet`.`name`.

        Raises:
            UnknownItem: no such pallet or constant.
            DecodeFailed: the metadata's bytes do not decode as its type.
        """
        meta = self.pallet(pallet)
        for constant in meta.constants:
            if constant.name == name:
                try:
                    return self.codecs.codec(constant.ty).decode(constant.value)
                except CodecError as exc:
                    raise DecodeFailed(f"constant {pallet}.{name}: {exc}") from exc
        raise UnknownItem(f"pallet {pallet} has no constant {name!r}")

    @property
    def ss58_prefix(self) -> int | None:
        """``System.SS58Prefix``, if the runtime declares it."""
        try:
            value = self.constant("System", "SS58Prefix")
        except UnknownItem:
            return None
        return value if isinstance(value, int) else None

    # --- events and errors ------------------------------------------------------------------

    def decode_events(self, raw: bytes | None) -> tuple[Event, ...]:
        """Decode the bytes of ``System.Events`` (None means no events).

        Raises:
            DecodeFailed: the bytes are not a list of event records.
        """
        if self._events_item is None:
            self._events_item = self.storage("System", "Events")
        records = self._events_item.decode_value(raw)
        events = []
        for record in records:
            try:
                ((pallet, inner),) = record["event"].items()
                if isinstance(inner, str):
                    name, fields = inner, ()
                else:
                    ((name, fields),) = inner.items()
                phase_value = record["phase"]
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                raise DecodeFailed(f"System.Events record is not an EventRecord: {exc}") from exc
            if isinstance(phase_value, str):
                phase = Phase(phase_value)
            else:
                ((kind, index),) = phase_value.items()
                phase = Phase(kind, index)
            events.append(Event(pallet, name, fields, phase, tuple(record.get("topics", ()))))
        return tuple(events)

    def module_error(self, pallet_index: int, error: bytes | int) -> ModuleError:
        """Resolve a ``ModuleError { index, error }`` to the pallet's error by name.

        Raises:
            UnknownItem: no pallet has that index, or it has no such error.
        """
        error_index = error if isinstance(error, int) else (error[0] if error else 0)
        meta = self.pallets_by_index.get(pallet_index)
        if meta is None or meta.error is None:
            raise UnknownItem(f"no pallet with errors has index {pallet_index}")
        for variant in self._variants(meta.error.ty):
            if int(variant.index) == error_index:
                return ModuleError(
                    meta.name, variant.name, tuple(variant.docs), pallet_index, error_index
                )
        raise UnknownItem(f"pallet {meta.name} has no error {error_index}")

    def dispatch_failure(self, value: Any) -> DispatchFailure:
        """Turn a decoded ``DispatchError`` into a `DispatchFailure` (module errors by name)."""
        if isinstance(value, str):
            return DispatchFailure(value)
        if isinstance(value, Mapping) and len(value) == 1:
            ((kind, detail),) = value.items()
            if kind == "Module" and isinstance(detail, Mapping):
                try:
                    module = self.module_error(int(detail["index"]), detail["error"])
                except (UnknownItem, KeyError, TypeError, ValueError):
                    return DispatchFailure(kind, detail)
                return DispatchFailure(kind, detail, module)
            return DispatchFailure(str(kind), detail)
        return DispatchFailure("Other", value)

    # --- extrinsics -------------------------------------------------------------------------

    def _extrinsic_type_params(self) -> dict[str, int]:
        try:
            ty = self.codecs.type(self.metadata.extrinsic.ty)
        except UnknownType as exc:
            raise MetadataError(f"the extrinsic type is missing: {exc}") from exc
        return {p.name: int(p.ty) for p in ty.type_params if p.ty is not None}

    def _param(self, name: str) -> int:
        found = self._extrinsic_params.get(name)
        if found is None:
            raise MetadataError(f"the extrinsic type has no {name} parameter")
        return found

    def signed_extensions(self, values: ExtensionValues) -> tuple[bytes, bytes]:
        """Return ``(extra, additional)`` for the runtime's signed extensions, in its order.

        Raises:
            UnsupportedExtension: an extension the client does not know carries data.
        """
        extra, additional = bytearray(), bytearray()
        for ext in self._extensions:
            ident = ext.identifier
            extra_value: Any = ()
            additional_value: Any = ()
            if ident in ("CheckMortality", "CheckEra"):
                extra_value, additional_value = values.era, values.mortality_hash
            elif ident == "CheckNonce":
                extra_value = values.nonce
            elif ident == "ChargeTransactionPayment":
                extra_value = values.tip
            elif ident == "ChargeAssetTxPayment":
                extra_value = {"tip": values.tip, "asset_id": None}
            elif ident == "CheckMetadataHash":
                extra_value, additional_value = {"mode": "Disabled"}, None
            elif ident == "CheckSpecVersion":
                additional_value = values.spec_version
            elif ident == "CheckTxVersion":
                additional_value = values.transaction_version
            elif ident == "CheckGenesis":
                additional_value = values.genesis_hash
            try:
                self.codecs.encoder(ext.ty)(extra_value, extra)
                self.codecs.encoder(ext.additional_signed)(additional_value, additional)
            except CodecError as exc:
                raise UnsupportedExtension(f"signed extension {ident}: {exc}") from exc
        return bytes(extra), bytes(additional)

    def signed_extrinsic(self, call: Call, signer: bytes, signature: Any, extra: bytes) -> bytes:
        """Return the full encoding of a signed extrinsic (length prefix included).

        Raises:
            InvalidArguments: the signature does not fit the runtime's signature type.
        """
        body = bytearray((_SIGNED_BIT | _EXTRINSIC_VERSION,))
        try:
            self.codecs.encoder(self._param("Address"))(AccountId32(signer), body)
            self.codecs.encoder(self._param("Signature"))(signature, body)
        except CodecError as exc:
            raise InvalidArguments(f"signature: {exc}") from exc
        body += extra
        body += call.encoded
        return encode_compact(len(body)) + bytes(body)

    def decode_extrinsic(self, raw: bytes, index: int = 0) -> Extrinsic:
        """Decode one extrinsic (length prefix included) of a block.

        Raises:
            DecodeFailed: the bytes are not an extrinsic of this runtime.
        """
        try:
            length, pos = decode_compact(raw, 0)
        except CodecError as exc:
            raise DecodeFailed(f"extrinsic {index}: bad length prefix: {exc}") from exc
        if pos + length != len(raw) or length == 0:
            raise DecodeFailed(f"extrinsic {index}: length prefix {length} does not match")
        version = raw[pos]
        pos += 1
        if version & 0x7F != _EXTRINSIC_VERSION:
            raise DecodeFailed(f"extrinsic {index}: unsupported version {version & 0x7F}")
        address = signature = None
        extensions: dict[str, Any] = {}
        try:
            if version & _SIGNED_BIT:
                address, pos = self.codecs.decoder(self._param("Address"))(raw, pos)
                signature, pos = self.codecs.decoder(self._param("Signature"))(raw, pos)
                for ext in self._extensions:
                    extensions[ext.identifier], pos = self.codecs.decoder(ext.ty)(raw, pos)
        except CodecError as exc:
            raise DecodeFailed(f"extrinsic {index}: {exc}") from exc
        call, pos = self.decode_call_at(raw, pos)
        if pos != len(raw):
            raise DecodeFailed(f"extrinsic {index}: {len(raw) - pos} trailing bytes")
        signer = None
        if isinstance(address, Mapping) and isinstance(address.get("Id"), bytes):
            signer = bytes(address["Id"])
        elif isinstance(address, bytes):
            signer = bytes(address)
        return Extrinsic(index, blake2_256(raw), call, signer, address, signature, extensions)

    def decode_extrinsics(self, raws: Sequence[bytes]) -> tuple[Extrinsic, ...]:
        """Decode a block's extrinsics in order (see `decode_extrinsic`)."""
        return tuple(self.decode_extrinsic(raw, i) for i, raw in enumerate(raws))


def _args_decoder(names: tuple[str, ...], decoders: tuple[Decoder, ...]) -> Decoder:
    pairs = tuple(zip(names, decoders, strict=True))

    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        args = {}
        for name, decoder in pairs:
            args[name], pos = decoder(data, pos)
        return args, pos

    return decode
