"""The typed client's codecs agree with scalecodec (substrate-interface's codec) on the runtime.

For every call, every storage item (keys and value) and every event of the Deepshard runtime,
hypothesis draws values from the metadata's own types; each value is encoded by our
`RuntimeView` and decoded by scalecodec, and encoded by scalecodec and decoded by ours, and the
two sides must agree byte for byte and value for value (after mapping bytes to ``0x`` hex, the
one deliberate difference of representation).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.client.rpc.client import RuntimeView
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.metadata.model import (
    MapStorage,
    PlainStorage,
    Type,
    TypeDefArray,
    TypeDefCompact,
    TypeDefComposite,
    TypeDefPrimitive,
    TypeDefPrimitiveType,
    TypeDefSequence,
    TypeDefTuple,
    TypeDefVariant,
)
from deepshard.runtime.runtime import deepshard_runtime

_INT_BITS = {
    TypeDefPrimitive.U8: (8, False),
    TypeDefPrimitive.U16: (16, False),
    TypeDefPrimitive.U32: (32, False),
    TypeDefPrimitive.U64: (64, False),
    TypeDefPrimitive.U128: (128, False),
    TypeDefPrimitive.U256: (256, False),
    TypeDefPrimitive.I8: (8, True),
    TypeDefPrimitive.I16: (16, True),
    TypeDefPrimitive.I32: (32, True),
    TypeDefPrimitive.I64: (64, True),
    TypeDefPrimitive.I128: (128, True),
    TypeDefPrimitive.I256: (256, True),
}
_MAX_DEPTH = 4
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def view() -> RuntimeView:
    runtime = deepshard_runtime()
    return RuntimeView.from_bytes(
        runtime.metadata.encoded,
        int(runtime.version.spec_version),
        int(runtime.version.transaction_version),
    )


@cache
def scale() -> tuple[RuntimeConfigurationObject, Any]:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    decoded = config.create_scale_object(
        "MetadataVersioned", ScaleBytes(deepshard_runtime().metadata.encoded)
    )
    decoded.decode()
    config.add_portable_registry(decoded)
    return config, decoded


def si_decode(type_id: int, data: bytes) -> Any:
    config, metadata = scale()
    obj = config.create_scale_object(f"scale_info::{type_id}", ScaleBytes(data), metadata=metadata)
    value = obj.decode()
    assert obj.data.offset == len(data), "scalecodec left bytes over"
    return value


def si_encode(type_id: int, value: Any) -> bytes:
    config, metadata = scale()
    obj = config.create_scale_object(f"scale_info::{type_id}", metadata=metadata)
    return bytes(obj.encode(value).data)


# --- values: ours <-> scalecodec's representation -------------------------------------------


def to_si(value: Any) -> Any:
    """Our value in scalecodec's shape: bytes as 0x-hex, sequences as lists."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {k: to_si(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_si(v) for v in value]
    return value


_CALL_PATH = ("deepshard_runtime", "RuntimeCall")
_EVENT_PATH = ("deepshard_runtime", "RuntimeEvent")


def typed_to_si(type_id: int, value: Any) -> Any:
    """`to_si`, except that nested calls take scalecodec's ``call_module``/... form."""
    ty = view().metadata.types.get(type_id)
    d = ty.type_def
    if tuple(ty.path) == _CALL_PATH:
        ((pallet, inner),) = value.items()
        name, args = (inner, {}) if isinstance(inner, str) else next(iter(inner.items()))
        _meta, variant = view().call_variant(pallet, name)
        converted = _typed_fields(
            [f.name for f in variant.fields], [f.ty for f in variant.fields], args
        )
        return {"call_module": pallet, "call_function": name, "call_args": converted or {}}
    if isinstance(d, TypeDefSequence | TypeDefArray) and isinstance(value, list | tuple):
        return [typed_to_si(d.type_param, v) for v in value]
    if isinstance(d, TypeDefTuple):
        return [typed_to_si(t, v) for t, v in zip(d.fields, value, strict=True)]
    if isinstance(d, TypeDefComposite) and not isinstance(value, bytes):
        return _typed_fields([f.name for f in d.fields], [f.ty for f in d.fields], value)
    if isinstance(d, TypeDefVariant):
        if ty.path and ty.path[-1] == "Option":
            if value is None:
                return None
            some = next(v for v in d.members if v.index == 1)
            return typed_to_si(some.fields[0].ty, value)
        if isinstance(value, Mapping):
            ((name, payload),) = value.items()
            variant = next(v for v in d.members if v.name == name)
            ids, names = [f.ty for f in variant.fields], [f.name for f in variant.fields]
            return {name: _typed_fields(names, ids, payload)}
    return to_si(value)


def _typed_fields(names: list[str | None], ids: list[int], value: Any) -> Any:
    if not ids:
        return to_si(value)
    if all(n is not None for n in names):
        return {str(n): typed_to_si(t, value[str(n)]) for n, t in zip(names, ids, strict=True)}
    if len(ids) == 1:
        return typed_to_si(ids[0], value)
    return [typed_to_si(t, v) for t, v in zip(ids, value, strict=True)]


def normal(value: Any) -> Any:
    """A value with tuples as lists (scalecodec mixes both)."""
    if isinstance(value, Mapping):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normal(v) for v in value]
    return value


def si_normal(type_id: int, value: Any) -> Any:
    """scalecodec's decoded value in `to_si` form, guided by the type.

    scalecodec hands ``Vec<u8>`` back as text when the bytes are UTF-8; this maps it to hex.
    """
    ty = view().metadata.types.get(type_id)
    d = ty.type_def
    if tuple(ty.path) == _CALL_PATH:
        _meta, variant = view().call_variant(value["call_module"], value["call_function"])
        args = {
            str(f.name): si_normal(f.ty, a["value"])
            for f, a in zip(variant.fields, value["call_args"], strict=True)
        }
        return {
            "call_module": value["call_module"],
            "call_function": value["call_function"],
            "call_args": args,
        }
    if ty.path and ty.path[-1] == "EventRecord":
        phase = value["phase"]
        if phase == "ApplyExtrinsic":
            phase = {"ApplyExtrinsic": value["extrinsic_idx"]}  # scalecodec splits the phase
        fields = {f.name: f.ty for f in d.fields} if isinstance(d, TypeDefComposite) else {}
        return {
            "phase": phase,
            "event": si_normal(fields["event"], value["event"]),
            "topics": normal(value["topics"]),
        }
    if tuple(ty.path) == _EVENT_PATH:
        pallet, name = value["module_id"], value["event_id"]
        meta = view().pallet(pallet)
        assert meta.event is not None
        inner = view().metadata.types.get(meta.event.ty).type_def
        assert isinstance(inner, TypeDefVariant)
        variant = next(v for v in inner.members if v.name == name)
        if not variant.fields:
            return {pallet: name}
        ids, names = [f.ty for f in variant.fields], [f.name for f in variant.fields]
        return {pallet: {name: _si_fields(names, ids, value["attributes"])}}
    if isinstance(d, TypeDefSequence):
        item = view().metadata.types.get(d.type_param).type_def
        if isinstance(item, TypeDefPrimitiveType) and item.primitive is TypeDefPrimitive.U8:
            if isinstance(value, str) and not value.startswith("0x"):
                return "0x" + value.encode().hex()
            return value
        return [si_normal(d.type_param, v) for v in value]
    if isinstance(d, TypeDefArray):
        item = view().metadata.types.get(d.type_param).type_def
        if isinstance(item, TypeDefPrimitiveType) and item.primitive is TypeDefPrimitive.U8:
            return value
        return [si_normal(d.type_param, v) for v in value]
    if isinstance(d, TypeDefTuple):
        return [si_normal(t, v) for t, v in zip(d.fields, value, strict=True)]
    if isinstance(d, TypeDefComposite):
        if tuple(ty.path) == ("sp_core", "crypto", "AccountId32"):
            return value
        return _si_fields([f.name for f in d.fields], [f.ty for f in d.fields], value)
    if isinstance(d, TypeDefVariant):
        if tuple(ty.path) == ("sp_runtime", "multiaddress", "MultiAddress"):
            # scalecodec shows the Id and Index variants bare
            if isinstance(value, str):
                return {"Id": value}
            if isinstance(value, int):
                return {"Index": value}
        if ty.path and ty.path[-1] == "Option" and value is not None:
            some = next(v for v in d.members if v.index == 1)
            return si_normal(some.fields[0].ty, value)
        if isinstance(value, Mapping) and len(value) == 1:
            ((name, payload),) = value.items()
            variant = next(v for v in d.members if v.name == name)
            return {
                name: _si_fields(
                    [f.name for f in variant.fields], [f.ty for f in variant.fields], payload
                )
            }
    return value


def _si_fields(names: list[str | None], ids: list[int], value: Any) -> Any:
    if not ids:
        return normal(value)
    if all(n is not None for n in names):
        return {str(n): si_normal(t, value[str(n)]) for n, t in zip(names, ids, strict=True)}
    if len(ids) == 1:
        return si_normal(ids[0], value)
    return [si_normal(t, v) for t, v in zip(ids, value, strict=True)]


# --- hypothesis strategies from the registry ------------------------------------------------


def _reaches(type_id: int, target: int) -> bool:
    registry = view().metadata.types
    seen: set[int] = set()
    stack = [type_id]
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(_children(registry.get(current)))
    return False


def _children(ty: Type) -> list[int]:
    d = ty.type_def
    if isinstance(d, TypeDefComposite):
        return [f.ty for f in d.fields]
    if isinstance(d, TypeDefVariant):
        return [f.ty for v in d.members for f in v.fields]
    if isinstance(d, (TypeDefSequence, TypeDefArray, TypeDefCompact)):
        return [d.type_param]
    if isinstance(d, TypeDefTuple):
        return list(d.fields)
    return []


def _int_range(type_id: int) -> tuple[int, int]:
    d = view().metadata.types.get(type_id).type_def
    if isinstance(d, TypeDefPrimitiveType):
        bits, signed = _INT_BITS[d.primitive]
        return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    assert isinstance(d, TypeDefComposite)
    assert len(d.fields) == 1
    return _int_range(d.fields[0].ty)


def _fields(names: list[str | None], ids: list[int], depth: int) -> st.SearchStrategy[Any]:
    parts = [values(t, depth + 1) for t in ids]
    if not parts:
        return st.just(())
    if all(n is not None for n in names):
        return st.fixed_dictionaries(dict(zip([str(n) for n in names], parts, strict=True)))
    if len(parts) == 1:
        return parts[0]
    return st.tuples(*parts)


def values(type_id: int, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of registry type `type_id`, in our codec's representation."""
    ty = view().metadata.types.get(type_id)
    d = ty.type_def
    path = tuple(ty.path)
    if path == ("sp_core", "crypto", "AccountId32"):
        return st.binary(min_size=32, max_size=32).map(AccountId32)
    if isinstance(d, TypeDefPrimitiveType):
        if d.primitive is TypeDefPrimitive.BOOL:
            return st.booleans()
        if d.primitive is TypeDefPrimitive.STR:
            return st.text(max_size=8)
        low, high = _int_range(type_id)
        return st.integers(low, high)
    if isinstance(d, TypeDefCompact):
        _low, high = _int_range(d.type_param)
        return st.integers(0, high)
    if isinstance(d, TypeDefSequence):
        item = view().metadata.types.get(d.type_param).type_def
        if isinstance(item, TypeDefPrimitiveType) and item.primitive is TypeDefPrimitive.U8:
            # scalecodec returns UTF-8 bytes as text; "0x..." text would read as hex
            return st.binary(max_size=40).filter(lambda b: not b.startswith(b"0x"))
        return st.lists(values(d.type_param, depth + 1), max_size=0 if depth > _MAX_DEPTH else 3)
    if isinstance(d, TypeDefArray):
        item = view().metadata.types.get(d.type_param).type_def
        if isinstance(item, TypeDefPrimitiveType) and item.primitive is TypeDefPrimitive.U8:
            return st.binary(min_size=int(d.len), max_size=int(d.len))
        return st.lists(values(d.type_param, depth + 1), min_size=int(d.len), max_size=int(d.len))
    if isinstance(d, TypeDefTuple):
        return st.tuples(*(values(t, depth + 1) for t in d.fields))
    if isinstance(d, TypeDefComposite):
        return _fields([f.name for f in d.fields], [f.ty for f in d.fields], depth)
    assert isinstance(d, TypeDefVariant), d
    if ty.path and ty.path[-1] == "Option":
        some = next(v for v in d.members if v.index == 1)
        return st.none() | values(some.fields[0].ty, depth + 1)
    members = list(d.members)
    if depth > _MAX_DEPTH:
        safe = [v for v in members if not any(_reaches(f.ty, type_id) for f in v.fields)]
        members = safe or members
    options = []
    for v in members:
        if not v.fields:
            options.append(st.just(v.name))
        else:
            payload = _fields([f.name for f in v.fields], [f.ty for f in v.fields], depth)
            options.append(payload.map(lambda p, name=v.name: {name: p}))
    return st.one_of(options)


# --- the items of the runtime ---------------------------------------------------------------


def _calls() -> list[tuple[str, str]]:
    out = []
    for pallet in view().metadata.pallets:
        if pallet.calls is not None:
            ty = view().metadata.types.get(pallet.calls.ty).type_def
            assert isinstance(ty, TypeDefVariant)
            out.extend((pallet.name, v.name) for v in ty.members)
    return out


def _storage() -> list[tuple[str, str]]:
    return [
        (pallet.name, entry.name)
        for pallet in view().metadata.pallets
        if pallet.storage is not None
        for entry in pallet.storage.entries
    ]


def _events() -> list[tuple[str, str]]:
    out = []
    for pallet in view().metadata.pallets:
        if pallet.event is not None:
            ty = view().metadata.types.get(pallet.event.ty).type_def
            assert isinstance(ty, TypeDefVariant)
            out.extend((pallet.name, v.name) for v in ty.members)
    return out


def _runtime_event_type() -> int:
    for entry in view().pallet("System").storage.entries:  # type: ignore[union-attr]
        if entry.name == "Events":
            assert isinstance(entry.ty, PlainStorage)
            record = view().metadata.types.get(entry.ty.value).type_def
            assert isinstance(record, TypeDefSequence)
            fields = view().metadata.types.get(record.type_param).type_def
            assert isinstance(fields, TypeDefComposite)
            return next(f.ty for f in fields.fields if f.name == "event")
    raise AssertionError("no System.Events")


def test_the_runtime_has_items_to_check() -> None:
    assert len(_calls()) >= 15
    assert len(_storage()) >= 15
    assert len(_events()) >= 15


@pytest.mark.parametrize(("pallet", "name"), _calls())
def test_calls_agree(pallet: str, name: str) -> None:
    _meta, variant = view().call_variant(pallet, name)
    args = _fields([f.name for f in variant.fields], [f.ty for f in variant.fields], 0)
    config, metadata = scale()

    @SETTINGS
    @given(args)
    def check(arguments: Any) -> None:
        arguments = arguments if isinstance(arguments, dict) else {}
        ours = view().compose(pallet, name, arguments)
        call = config.create_scale_object("Call", metadata=metadata)
        theirs = bytes(
            call.encode(
                {
                    "call_module": pallet,
                    "call_function": name,
                    "call_args": _typed_fields(
                        [f.name for f in variant.fields], [f.ty for f in variant.fields], arguments
                    ),
                }
            ).data
        )
        assert ours.encoded == theirs
        decoded = config.create_scale_object("Call", ScaleBytes(ours.encoded), metadata=metadata)
        decoded.decode()
        assert decoded.value["call_module"] == pallet
        assert decoded.value["call_function"] == name
        si_args = {
            str(f.name): si_normal(f.ty, a["value"])
            for f, a in zip(variant.fields, decoded.value["call_args"], strict=True)
        }
        ids, names = [f.ty for f in variant.fields], [f.name for f in variant.fields]
        assert si_args == normal(_typed_fields(names, ids, arguments) if ids else {})
        back, end = view().decode_call_at(theirs, 0)
        assert (end, back.pallet, back.name) == (len(theirs), pallet, name)
        assert to_si(back.args) == to_si(arguments)

    check()


@pytest.mark.parametrize(("pallet", "item"), _storage())
def test_storage_items_agree(pallet: str, item: str) -> None:
    storage = view().storage(pallet, item)
    shape = storage.entry.ty
    assert isinstance(shape, (MapStorage, PlainStorage))
    key_types = [c.type_id for c in storage.key_codecs]
    keys = st.tuples(*(values(t) for t in key_types))

    @SETTINGS
    @given(keys, values(shape.value))
    def check(key_values: tuple[Any, ...], value: Any) -> None:
        encoded = storage.value_codec.encode(value)
        theirs = si_normal(shape.value, si_decode(shape.value, encoded))
        assert theirs == normal(typed_to_si(shape.value, value))
        if "RuntimeEvent" not in storage.value_codec.label and item != "Events":
            assert si_encode(shape.value, typed_to_si(shape.value, value)) == encoded
        assert to_si(storage.decode_value(encoded)) == to_si(value)
        full_key = storage.key(*key_values)
        encoded_keys = [
            si_encode(t, typed_to_si(t, k)) for t, k in zip(key_types, key_values, strict=True)
        ]
        expected = storage.prefix + b"".join(
            h.hash(k) for h, k in zip(storage.hashers, encoded_keys, strict=True)
        )
        assert full_key == expected
        if all(h.is_concat for h in storage.hashers):
            assert to_si(storage.decode_keys(full_key)) == to_si(list(key_values))

    check()


@pytest.mark.parametrize(("pallet", "name"), _events())
def test_events_agree(pallet: str, name: str) -> None:
    event_type = _runtime_event_type()
    meta = view().pallet(pallet)
    assert meta.event is not None
    inner = view().metadata.types.get(meta.event.ty).type_def
    assert isinstance(inner, TypeDefVariant)
    variant = next(v for v in inner.members if v.name == name)
    fields = _fields([f.name for f in variant.fields], [f.ty for f in variant.fields], 0)
    codec = view().codecs.codec(event_type)

    @SETTINGS
    @given(fields)
    def check(payload: Any) -> None:
        value = {pallet: {name: payload} if variant.fields else name}
        encoded = codec.encode(value)
        theirs = si_decode(event_type, encoded)
        assert (theirs["module_id"], theirs["event_id"]) == (pallet, name)
        if variant.fields:
            ids, names = [f.ty for f in variant.fields], [f.name for f in variant.fields]
            assert _si_fields(names, ids, theirs["attributes"]) == normal(to_si(payload))
        assert to_si(codec.decode(encoded)) == to_si(value)
        record = encode_record(encoded)
        (event,) = view().decode_events(record)
        assert (event.pallet, event.name, event.phase.extrinsic_index) == (pallet, name, 7)
        assert to_si(event.fields) == to_si(payload if variant.fields else ())

    check()


def encode_record(event: bytes) -> bytes:
    """One ``EventRecord`` (phase ApplyExtrinsic(7), no topics) in a ``Vec``."""
    return b"\x04" + b"\x00" + (7).to_bytes(4, "little") + event + b"\x00"


def test_module_errors_resolve_by_name() -> None:
    failure = view().dispatch_failure({"Module": {"index": 4, "error": b"\x02\x00\x00\x00"}})
    assert failure.module is not None
    assert (failure.module.pallet, failure.module.name) == ("Balances", "InsufficientBalance")
    _config, metadata = scale()
    balances = next(p for p in metadata.value[1]["V14"]["pallets"] if p["name"] == "Balances")
    si_errors = metadata.get_metadata_pallet("Balances").errors
    assert [e.name for e in si_errors][2] == "InsufficientBalance"
    assert balances["index"] == 4
    assert str(view().dispatch_failure("BadOrigin")) == "BadOrigin"


def test_composed_calls_nest_as_arguments() -> None:
    """A `Call` from `compose` is accepted wherever the metadata wants a ``RuntimeCall``."""
    config, metadata = scale()
    alice = bytes(range(32))
    transfer = view().compose("Balances", "transfer_keep_alive", {"dest": alice, "value": 7})
    batch = view().compose("Utility", "batch_all", {"calls": [transfer, transfer]})
    theirs = config.create_scale_object("Call", metadata=metadata)
    encoded = theirs.encode(
        {
            "call_module": "Utility",
            "call_function": "batch_all",
            "call_args": {
                "calls": [
                    {
                        "call_module": "Balances",
                        "call_function": "transfer_keep_alive",
                        "call_args": {"dest": "0x" + alice.hex(), "value": 7},
                    }
                ]
                * 2
            },
        }
    )
    assert batch.encoded == bytes(encoded.data)
    decoded, end = view().decode_call_at(batch.encoded, 0)
    assert end == len(batch.encoded)
    inner = decoded.args["calls"][0]
    assert inner == {"Balances": {"transfer_keep_alive": {"dest": {"Id": alice}, "value": 7}}}
