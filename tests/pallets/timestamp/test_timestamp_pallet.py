"""Timestamp pallet: the `set` inherent call, its checks, the hooks and the wire facts."""

from __future__ import annotations

import pytest

from deepshard.pallets.system import System
from deepshard.pallets.timestamp import (
    Config,
    ReferenceWeights,
    Timestamp,
    TimestampAlreadySet,
    TimestampNotSet,
    TimestampTooEarly,
    UnitWeights,
)
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U64
from deepshard.primitives.weights import DispatchClass, Pays, Weight
from deepshard.runtime.support import NONE, ROOT, BadOrigin, DispatchError, Runtime, Signed
from deepshard.runtime.support.panic import RuntimePanic
from deepshard.runtime.support.testing import TestExternalities, assert_noop

ALICE = AccountId32(b"\x01" * 32)


def set_time(ext: TestExternalities, now: int) -> None:
    ext.dispatch(Timestamp, "set", NONE, now=U64(now))


def test_set_stores_time_flags_update_and_notifies(ext, recorder):
    set_time(ext, 42)
    timestamp = ext.pallet(Timestamp)
    assert timestamp.get() == 42
    assert timestamp.now.get() == 42
    assert timestamp.did_update.get() is True
    assert ext.pallet(recorder).last.get() == 42
    assert ext.events() == []  # Timestamp has no events, as in FRAME


def test_first_timestamp_may_be_anything(ext):
    set_time(ext, 1)
    assert ext.pallet(Timestamp).get() == 1


@pytest.mark.parametrize("origin", [Signed(ALICE), ROOT])
def test_set_requires_the_none_origin(ext, origin):
    assert_noop(ext, lambda: ext.dispatch(Timestamp, "set", origin, now=U64(42)), BadOrigin)


def test_set_only_once_per_block(ext):
    set_time(ext, 42)
    before = ext.snapshot()
    with pytest.raises(TimestampAlreadySet, match="only once in the block"):
        set_time(ext, 69)
    assert ext.snapshot() == before
    assert ext.pallet(Timestamp).get() == 42


def test_minimum_period_is_enforced(ext, next_block):
    set_time(ext, 42)
    next_block(ext)
    before = ext.snapshot()
    with pytest.raises(TimestampTooEarly, match="at least 5 ms"):
        set_time(ext, 46)
    assert ext.snapshot() == before
    set_time(ext, 47)  # exactly MinimumPeriod later
    assert ext.pallet(Timestamp).get() == 47


def test_panics_are_not_dispatch_errors():
    for panic in (TimestampAlreadySet, TimestampTooEarly, TimestampNotSet):
        assert issubclass(panic, RuntimePanic)
        assert not issubclass(panic, DispatchError)


def test_on_finalize_requires_the_inherent(ext):
    timestamp = ext.pallet(Timestamp)
    with pytest.raises(TimestampNotSet, match="block 1 has no timestamp inherent"):
        timestamp.on_finalize(1)


def test_on_finalize_clears_the_flag(ext, next_block):
    set_time(ext, 42)
    next_block(ext)
    timestamp = ext.pallet(Timestamp)
    assert not timestamp.did_update.exists()
    assert timestamp.get() == 42  # the previous block's time until the inherent runs
    set_time(ext, 100)
    assert timestamp.get() == 100


def test_on_initialize_charges_on_finalize(ext):
    assert ext.pallet(Timestamp).on_initialize(1) == UnitWeights().on_finalize()


def test_set_timestamp_helper_skips_checks(ext, next_block, recorder):
    set_time(ext, 42)
    next_block(ext)
    ext.pallet(Timestamp).set_timestamp(U64(43))
    assert ext.pallet(Timestamp).get() == 43
    assert ext.pallet(recorder).last.get() == 43


def test_dispatch_info_is_mandatory(runtime):
    meta = runtime.dispatch_meta(runtime.make_call(Timestamp, "set", now=U64(1)))
    assert meta.dispatch_class is DispatchClass.Mandatory
    assert meta.pays_fee is Pays.Yes  # as FRAME's; inherents are unsigned, so nobody pays
    assert meta.weight == Weight.from_parts(1, 0)


def test_call_encoding_is_pallet_index_call_index_compact_moment(runtime):
    call = runtime.make_call(Timestamp, "set", now=U64(1_700_000_000_000))
    encoded = runtime.call_codec.encode(call)
    # pallet 1, call 0, Compact<u64>: 6 bytes in big-integer mode (prefix (6 - 4) << 2 | 3)
    assert encoded == bytes.fromhex("0100") + b"\x0b" + (1_700_000_000_000).to_bytes(6, "little")
    assert runtime.call_codec.decode(encoded) == call


def test_storage_keys_and_metadata_names_are_frames():
    now, did_update = Timestamp.STORAGE
    # twox128("Timestamp") ++ twox128("Now"): the key every Substrate chain uses
    assert now.prefix.hex() == ("f0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb")
    assert (now.name, did_update.name) == ("Now", "DidUpdate")
    assert now.default_bytes == bytes(8)
    assert did_update.default_bytes == b"\x00"
    assert Timestamp.CRATE == "pallet_timestamp"
    assert Timestamp.EVENT is None
    assert Timestamp.ERROR is None
    assert [(name, info.name) for name, info in Timestamp.CONFIG.CONSTANTS] == [
        ("minimum_period", "MinimumPeriod")
    ]


def test_integrity_test_rejects_a_listener_without_the_hook(runtime_with):
    with pytest.raises(ValueError, match="has no on_timestamp_set"):
        Runtime(name="bad", pallets=[(1, Timestamp, Config(on_timestamp_set=(System,)))])
    assert runtime_with(10).pallets[1].config.minimum_period == 10


def test_reference_weights_are_frames_benchmarks():
    weights = ReferenceWeights()
    assert weights.set() == Weight.from_parts(8_684_000 + 2 * 25_000_000 + 100_000_000, 1_493)
    assert weights.on_finalize() == Weight.from_parts(4_118_000, 0)
