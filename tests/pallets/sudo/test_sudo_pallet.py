"""Sudo pallet: each call's success path and events, its errors, origins and weights."""

from __future__ import annotations

import pytest

from deepshard.pallets.sudo import (
    KeyChanged,
    KeyRemoved,
    ReferenceWeights,
    RequireSudo,
    Sudid,
    Sudo,
    SudoAsDone,
    UnitWeights,
    inner_dispatch_meta,
)
from deepshard.pallets.system import Remarked, System
from deepshard.primitives import dispatch as wire
from deepshard.primitives.codec import H256, AccountId32, Err, Ok
from deepshard.primitives.extrinsic import Id, Index
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U32
from deepshard.primitives.weights import DispatchClass, Pays, Weight
from deepshard.runtime.support import NONE, ROOT, BadOrigin, CannotLookup, Signed
from deepshard.runtime.support.testing import assert_has_event, assert_last_event, assert_noop

W = Weight.from_parts(1_000, 0)


def log_call(runtime, logger, i: int, weight: Weight = W):
    return runtime.make_call(logger.Logger, "privileged_i32_log", i=U32(i), weight=weight)


def signed_log_call(runtime, logger, i: int, weight: Weight = W):
    return runtime.make_call(logger.Logger, "non_privileged_log", i=U32(i), weight=weight)


# --- sudo ------------------------------------------------------------------------------------


def test_sudo_dispatches_as_root(ext, runtime, logger, accounts):
    alice, _ = accounts
    ext.dispatch(Sudo, "sudo", Signed(alice), call=log_call(runtime, logger, 42))
    assert ext.pallet(logger.Logger).i32_log.get() == (42,)
    assert_has_event(ext, logger.AppendI32(value=U32(42), weight=W))
    assert_last_event(ext, Sudid(sudo_result=Ok(())))


def test_sudo_requires_the_key(ext, runtime, logger, accounts):
    _, bob = accounts
    call = log_call(runtime, logger, 42)
    assert_noop(ext, lambda: ext.dispatch(Sudo, "sudo", Signed(bob), call=call), RequireSudo)


def test_sudo_refuses_the_none_origin(ext, runtime, logger):
    call = log_call(runtime, logger, 42)
    assert_noop(ext, lambda: ext.dispatch(Sudo, "sudo", NONE, call=call), BadOrigin)


def test_root_may_use_sudo(ext, runtime, logger):
    ext.dispatch(Sudo, "sudo", ROOT, call=log_call(runtime, logger, 7))
    assert ext.pallet(logger.Logger).i32_log.get() == (7,)


def test_without_a_key_nobody_signed_is_sudo(build, runtime, logger, accounts):
    alice, _ = accounts
    ext = build(None)
    assert ext.pallet(Sudo).key.get() is None
    call = log_call(runtime, logger, 1)
    assert_noop(ext, lambda: ext.dispatch(Sudo, "sudo", Signed(alice), call=call), RequireSudo)


def test_failed_inner_call_is_recorded_and_rolled_back(ext, runtime, logger, accounts):
    alice, _ = accounts
    call = runtime.make_call(logger.Logger, "fail_after_write", i=U32(5))
    ext.dispatch(Sudo, "sudo", Signed(alice), call=call)  # sudo itself succeeds
    assert ext.pallet(logger.Logger).i32_log.get() == ()  # the inner write was undone
    assert_last_event(ext, Sudid(sudo_result=Err(wire.module_error(2, 0))))


def test_inner_bad_origin_is_recorded(ext, runtime, accounts):
    alice, _ = accounts
    call = runtime.make_call(System, "remark_with_event", remark=b"hello")  # needs Signed
    ext.dispatch(Sudo, "sudo", Signed(alice), call=call)
    assert_last_event(ext, Sudid(sudo_result=Err(wire.BadOrigin())))


def test_nested_sudo(ext, runtime, logger, accounts):
    alice, _ = accounts
    inner = runtime.make_call(Sudo, "sudo", call=log_call(runtime, logger, 3))
    ext.dispatch(Sudo, "sudo", Signed(alice), call=inner)
    assert ext.pallet(logger.Logger).i32_log.get() == (3,)
    assert ext.events()[-2:] == [Sudid(sudo_result=Ok(())), Sudid(sudo_result=Ok(()))]


def test_sudo_weight_is_its_own_plus_the_inner_calls(runtime, logger):
    call = runtime.make_call(Sudo, "sudo", call=log_call(runtime, logger, 1, W))
    meta = runtime.dispatch_meta(call)
    assert meta.weight == UnitWeights().sudo() + W
    assert meta.dispatch_class is DispatchClass.Normal
    assert meta.pays_fee is Pays.Yes  # FRAME refunds after dispatch; see the module docs
    nested = runtime.make_call(Sudo, "sudo", call=call)
    assert runtime.dispatch_meta(nested).weight == UnitWeights().sudo().saturating_mul(2) + W


def test_inner_dispatch_meta_needs_a_runtime_call():
    with pytest.raises(TypeError, match="not a RuntimeCall"):
        inner_dispatch_meta(object())


# --- sudo_unchecked_weight -------------------------------------------------------------------


def test_sudo_unchecked_weight(ext, runtime, logger, accounts):
    alice, bob = accounts
    declared = Weight.from_parts(1_000_000, 5)
    call = log_call(runtime, logger, 42, Weight.from_parts(1, 0))
    outer = runtime.make_call(Sudo, "sudo_unchecked_weight", call=call, weight=declared)
    assert runtime.dispatch_meta(outer).weight == declared
    ext.dispatch(Sudo, "sudo_unchecked_weight", Signed(alice), call=call, weight=declared)
    assert ext.pallet(logger.Logger).i32_log.get() == (42,)
    assert_last_event(ext, Sudid(sudo_result=Ok(())))
    assert_noop(
        ext,
        lambda: ext.dispatch(
            Sudo, "sudo_unchecked_weight", Signed(bob), call=call, weight=declared
        ),
        RequireSudo,
    )


# --- set_key ---------------------------------------------------------------------------------


def test_set_key(ext, runtime, logger, accounts):
    alice, bob = accounts
    ext.dispatch(Sudo, "set_key", Signed(alice), new=Id(bob))
    assert ext.pallet(Sudo).key.get() == bob
    assert_last_event(ext, KeyChanged(old=alice, new=bob))
    call = log_call(runtime, logger, 1)
    assert_noop(ext, lambda: ext.dispatch(Sudo, "sudo", Signed(alice), call=call), RequireSudo)
    ext.dispatch(Sudo, "sudo", Signed(bob), call=call)


def test_set_key_errors(ext, accounts):
    alice, bob = accounts
    assert_noop(ext, lambda: ext.dispatch(Sudo, "set_key", Signed(bob), new=Id(bob)), RequireSudo)
    assert_noop(ext, lambda: ext.dispatch(Sudo, "set_key", NONE, new=Id(bob)), BadOrigin)
    assert_noop(
        ext, lambda: ext.dispatch(Sudo, "set_key", Signed(alice), new=Index(U32(3))), CannotLookup
    )


def test_root_sets_a_key_where_there_was_none(build, accounts):
    _, bob = accounts
    ext = build(None)
    ext.dispatch(Sudo, "set_key", ROOT, new=Id(bob))
    assert_last_event(ext, KeyChanged(old=None, new=bob))


# --- sudo_as ---------------------------------------------------------------------------------


def test_sudo_as_dispatches_as_the_account(ext, runtime, logger, accounts):
    alice, bob = accounts
    call = signed_log_call(runtime, logger, 42)
    ext.dispatch(Sudo, "sudo_as", Signed(alice), who=Id(bob), call=call)
    assert ext.pallet(logger.Logger).account_log.get() == (bob,)
    assert_has_event(ext, logger.AppendI32AndAccount(sender=bob, value=U32(42), weight=W))
    assert_last_event(ext, SudoAsDone(sudo_result=Ok(())))


def test_sudo_as_a_system_call(ext, runtime, accounts):
    alice, bob = accounts
    call = runtime.make_call(System, "remark_with_event", remark=b"hello")
    ext.dispatch(Sudo, "sudo_as", Signed(alice), who=Id(bob), call=call)
    assert_has_event(ext, Remarked(sender=bob, hash=H256(blake2_256(b"hello"))))
    assert_last_event(ext, SudoAsDone(sudo_result=Ok(())))


def test_sudo_as_records_a_failing_call(ext, runtime, logger, accounts):
    alice, bob = accounts
    call = log_call(runtime, logger, 42)  # root-only, dispatched as Bob
    ext.dispatch(Sudo, "sudo_as", Signed(alice), who=Id(bob), call=call)
    assert ext.pallet(logger.Logger).i32_log.get() == ()
    assert_last_event(ext, SudoAsDone(sudo_result=Err(wire.BadOrigin())))


def test_sudo_as_errors(ext, runtime, logger, accounts):
    alice, bob = accounts
    call = signed_log_call(runtime, logger, 1)
    assert_noop(
        ext,
        lambda: ext.dispatch(Sudo, "sudo_as", Signed(bob), who=Id(alice), call=call),
        RequireSudo,
    )
    assert_noop(
        ext,
        lambda: ext.dispatch(Sudo, "sudo_as", Signed(alice), who=Index(U32(1)), call=call),
        CannotLookup,
    )


def test_sudo_as_weight(runtime, logger, accounts):
    _, bob = accounts
    call = runtime.make_call(
        Sudo, "sudo_as", who=Id(bob), call=signed_log_call(runtime, logger, 1, W)
    )
    assert runtime.dispatch_meta(call).weight == UnitWeights().sudo_as() + W


# --- remove_key ------------------------------------------------------------------------------


def test_remove_key(ext, runtime, logger, accounts):
    alice, bob = accounts
    assert_noop(ext, lambda: ext.dispatch(Sudo, "remove_key", Signed(bob)), RequireSudo)
    ext.dispatch(Sudo, "remove_key", Signed(alice))
    assert ext.pallet(Sudo).key.get() is None
    assert_last_event(ext, KeyRemoved())
    call = log_call(runtime, logger, 1)
    assert_noop(ext, lambda: ext.dispatch(Sudo, "sudo", Signed(alice), call=call), RequireSudo)


# --- wire facts ------------------------------------------------------------------------------


def test_events_encode_as_frames(accounts):
    alice, bob = accounts
    # the pallet's part of the RuntimeEvent (after the pallet index byte)
    assert Sudid(sudo_result=Ok(())).encode().hex() == "0000"
    assert Sudid(sudo_result=Err(wire.BadOrigin())).encode().hex() == "000102"
    assert Sudid(sudo_result=Err(wire.module_error(2, 0))).encode().hex() == "00010302" + "00" * 4
    assert KeyChanged(old=None, new=bob).encode().hex() == "0100" + bytes(bob).hex()
    assert KeyChanged(old=alice, new=bob).encode().hex() == "0101" + "01" * 32 + bytes(bob).hex()
    assert KeyRemoved().encode().hex() == "02"
    assert SudoAsDone(sudo_result=Ok(())).encode().hex() == "0300"


def test_event_records_carry_the_pallet_index(ext, runtime, logger, accounts):
    alice, _ = accounts
    ext.dispatch(Sudo, "sudo", Signed(alice), call=log_call(runtime, logger, 1))
    records = runtime.decode_event_records(runtime.encode_event_records(ext.ctx.events))
    assert [type(r.event).__name__ for r in records] == ["Logger", "Sudo"]


def test_calls_storage_and_errors_are_frames(runtime, logger):
    assert [(c.spec.index, c.name) for c in Sudo.CALLS] == [
        (0, "sudo"),
        (1, "sudo_unchecked_weight"),
        (2, "set_key"),
        (3, "sudo_as"),
        (4, "remove_key"),
    ]
    assert [name for name, _ in Sudo.CALLS[3].arguments] == ["who", "call"]
    (key,) = Sudo.STORAGE
    assert key.prefix.hex() == "5c0d1176a568c1f92944340dbfed9e9c530ebca703c85910e7164cb7d1c9e47b"
    assert key.default_bytes == b"\x00"
    assert runtime.module_error(RequireSudo()) == (1, 0)
    assert RequireSudo.__doc__ == "Sender must be the Sudo account."
    call = runtime.make_call(Sudo, "sudo", call=log_call(runtime, logger, 1))
    encoded = runtime.call_codec.encode(call)
    assert encoded[:4] == bytes([1, 0, 2, 0])  # Sudo.sudo(Logger.privileged_i32_log(..))
    assert runtime.call_codec.decode(encoded) == call


def test_genesis_key(build, accounts):
    _, bob = accounts
    assert build(bob).pallet(Sudo).key.get() == bob
    assert build(AccountId32(bytes(32))).pallet(Sudo).key.get() == AccountId32(bytes(32))


# --- weights ---------------------------------------------------------------------------------


def test_reference_weights_are_frames_benchmarks():
    read, write = 25_000_000, 100_000_000  # RocksDbWeight
    weights = ReferenceWeights()
    assert weights.sudo() == Weight.from_parts(10_729_000 + read, 1_517)
    assert weights.sudo_as() == Weight.from_parts(11_003_000 + read, 1_517)
    assert weights.set_key() == Weight.from_parts(9_663_000 + read + write, 1_517)
    assert weights.remove_key() == Weight.from_parts(9_127_000 + read + write, 1_517)
    # every call but sudo_unchecked_weight (weighed by its caller) has a table entry
    named = {c.name for c in Sudo.CALLS} - {"sudo_unchecked_weight"}
    assert all(callable(getattr(weights, n)) and callable(getattr(UnitWeights(), n)) for n in named)
