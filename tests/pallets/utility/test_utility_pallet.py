"""Utility pallet: every call's behaviour, events, errors, origins and weights (FRAME's tests)."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.pallets.balances import Balances
from deepshard.pallets.system import CallFiltered
from deepshard.pallets.utility import (
    BatchCompleted,
    BatchCompletedWithErrors,
    BatchInterrupted,
    BenchmarkedWeights,
    DispatchedAs,
    ItemCompleted,
    ItemFailed,
    TooManyCalls,
    UnitWeights,
    Utility,
    derivative_account_id,
)
from deepshard.primitives import dispatch as wire
from deepshard.primitives.codec import AccountId32, Err, Ok
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U16, U32
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import NONE, ROOT, BadOrigin, Signed
from deepshard.runtime.support.testing import assert_last_event, assert_noop


def boom(mock: Any) -> wire.DispatchError:
    """The wire error of ``Example.fail_after_write`` (pallet 2, error 0)."""
    return wire.module_error(2, 0)


def logged(ext: Any, mock: Any) -> tuple[int, ...]:
    return tuple(int(i) for i in ext.pallet(mock.Example).log.get())


# --- batch -----------------------------------------------------------------------------------


def test_batch_dispatches_every_call_from_the_origin(ext, mock):
    calls = [mock.signed_log(1), mock.signed_log(2)]
    ext.dispatch(Utility, "batch", Signed(mock.ALICE), calls=calls)
    assert logged(ext, mock) == (1, 2)
    assert ext.pallet(mock.Example).callers.get() == (mock.ALICE, mock.ALICE)
    assert ext.events()[-3:] == [mock.Logged(value=U32(2)), ItemCompleted(), BatchCompleted()]


def test_batch_stops_at_the_first_failure_and_keeps_what_came_before(ext, mock):
    calls = [mock.signed_log(1), mock.fail(2), mock.signed_log(3)]
    ext.dispatch(Utility, "batch", Signed(mock.ALICE), calls=calls)
    assert logged(ext, mock) == (1,)  # the failed call's write is undone, the third never ran
    assert_last_event(ext, BatchInterrupted(index=U32(1), error=boom(mock)))
    assert ext.events().count(ItemCompleted()) == 1


def test_batch_origin_reaches_inner_calls(ext, mock):
    ext.dispatch(Utility, "batch", Signed(mock.ALICE), calls=[mock.log(1)])
    assert_last_event(ext, BatchInterrupted(index=U32(0), error=wire.BadOrigin()))
    ext.dispatch(Utility, "batch", ROOT, calls=[mock.log(1)])
    assert logged(ext, mock) == (1,)


def test_batch_moves_balances(ext, mock):
    calls = [mock.transfer(mock.CHARLIE, 10), mock.transfer(mock.BOB, 5)]
    ext.dispatch(Utility, "batch", Signed(mock.ALICE), calls=calls)
    balances = ext.pallet(Balances)
    assert int(balances.free_balance(mock.CHARLIE)) == 10
    assert int(balances.free_balance(mock.BOB)) == 1_005
    assert int(balances.free_balance(mock.ALICE)) == 985


@pytest.mark.parametrize("name", ["batch", "batch_all", "force_batch"])
def test_batches_refuse_the_none_origin(ext, mock, name):
    calls = [mock.signed_log(1)]
    assert_noop(ext, lambda: ext.dispatch(Utility, name, NONE, calls=calls), BadOrigin)


@pytest.mark.parametrize("name", ["batch", "batch_all", "force_batch"])
def test_batches_refuse_more_calls_than_the_limit(ext, mock, name):
    calls = [mock.signed_log(i) for i in range(mock.LIMIT + 1)]
    origin = Signed(mock.ALICE)
    assert_noop(ext, lambda: ext.dispatch(Utility, name, origin, calls=calls), TooManyCalls)
    ext.dispatch(Utility, name, origin, calls=calls[: mock.LIMIT])
    assert logged(ext, mock) == tuple(range(mock.LIMIT))


def test_empty_batches_complete(ext, mock):
    for name in ("batch", "batch_all", "force_batch"):
        ext.dispatch(Utility, name, Signed(mock.ALICE), calls=[])
        assert_last_event(ext, BatchCompleted())


# --- batch_all -------------------------------------------------------------------------------


def test_batch_all_is_all_or_nothing(ext, mock):
    calls = [mock.signed_log(1), mock.transfer(mock.CHARLIE, 10), mock.fail(3)]
    origin = Signed(mock.ALICE)
    assert_noop(ext, lambda: ext.dispatch(Utility, "batch_all", origin, calls=calls), mock.Boom)
    assert int(ext.pallet(Balances).free_balance(mock.CHARLIE)) == 0


def test_batch_all_success(ext, mock):
    ext.dispatch(Utility, "batch_all", Signed(mock.ALICE), calls=[mock.signed_log(1)])
    assert ext.events()[-2:] == [ItemCompleted(), BatchCompleted()]
    assert logged(ext, mock) == (1,)


def test_signed_batch_all_may_not_nest_batch_all(ext, mock):
    inner = mock.RUNTIME.make_call(Utility, "batch_all", calls=[mock.signed_log(1)])
    nested = mock.RUNTIME.make_call(Utility, "batch", calls=[inner])
    origin = Signed(mock.ALICE)
    assert_noop(
        ext, lambda: ext.dispatch(Utility, "batch_all", origin, calls=[inner]), CallFiltered
    )
    # deeper down the filter still holds: the inner batch records the refusal, as in FRAME
    ext.dispatch(Utility, "batch_all", origin, calls=[nested])
    filtered = wire.module_error(0, 5)  # System.CallFiltered
    assert BatchInterrupted(index=U32(0), error=filtered) in ext.events()
    assert logged(ext, mock) == ()
    # a batch (not batch_all) may hold a batch_all, and Root bypasses the filter
    ext.dispatch(Utility, "batch", origin, calls=[inner])
    root_inner = mock.RUNTIME.make_call(Utility, "batch_all", calls=[mock.log(2)])
    ext.dispatch(Utility, "batch_all", ROOT, calls=[root_inner])
    assert logged(ext, mock) == (1, 2)


# --- force_batch -----------------------------------------------------------------------------


def test_force_batch_runs_everything_and_reports_failures(ext, mock):
    calls = [mock.signed_log(1), mock.fail(2), mock.signed_log(3), mock.log(4)]
    ext.dispatch(Utility, "force_batch", Signed(mock.ALICE), calls=calls)
    assert logged(ext, mock) == (1, 3)
    items = [e for e in ext.events() if isinstance(e, (ItemCompleted, ItemFailed))]
    assert items == [
        ItemCompleted(),
        ItemFailed(error=boom(mock)),
        ItemCompleted(),
        ItemFailed(error=wire.BadOrigin()),
    ]
    assert_last_event(ext, BatchCompletedWithErrors())


def test_force_batch_without_failures_completes(ext, mock):
    ext.dispatch(Utility, "force_batch", Signed(mock.ALICE), calls=[mock.signed_log(1)])
    assert_last_event(ext, BatchCompleted())


# --- as_derivative ---------------------------------------------------------------------------


def test_derivative_account_is_frames():
    who = AccountId32(bytes(range(32)))
    expected = blake2_256(b"modlpy/utilisuba" + bytes(range(32)) + (7).to_bytes(2, "little"))
    assert derivative_account_id(who, 7) == AccountId32(expected)
    assert derivative_account_id(who, 7) != derivative_account_id(who, 8)
    with pytest.raises(ValueError, match="u16"):
        derivative_account_id(who, 1 << 16)
    with pytest.raises(ValueError, match="32 bytes"):
        derivative_account_id(b"short", 0)


def test_as_derivative_dispatches_from_the_pseudonym(ext, mock):
    pseudonym = derivative_account_id(mock.ALICE, 3)
    ext.dispatch(
        Utility, "as_derivative", Signed(mock.ALICE), index=U16(3), call=mock.signed_log(9)
    )
    assert ext.pallet(mock.Example).callers.get() == (pseudonym,)


def test_as_derivative_fails_with_the_inner_error(ext, mock):
    origin = Signed(mock.ALICE)
    call = mock.fail(1)
    assert_noop(
        ext,
        lambda: ext.dispatch(Utility, "as_derivative", origin, index=U16(0), call=call),
        mock.Boom,
    )
    assert_noop(
        ext,
        lambda: ext.dispatch(Utility, "as_derivative", ROOT, index=U16(0), call=call),
        BadOrigin,
    )


# --- dispatch_as, dispatch_as_checked, with_weight -------------------------------------------


def test_dispatch_as_uses_the_given_origin(ext, mock):
    as_bob = mock.RUNTIME.caller_of(Signed(mock.BOB))
    ext.dispatch(Utility, "dispatch_as", ROOT, as_origin=as_bob, call=mock.signed_log(5))
    assert ext.pallet(mock.Example).callers.get() == (mock.BOB,)
    assert_last_event(ext, DispatchedAs(result=Ok(())))
    ext.dispatch(Utility, "dispatch_as", ROOT, as_origin=as_bob, call=mock.fail(6))
    assert_last_event(ext, DispatchedAs(result=Err(boom(mock))))
    assert logged(ext, mock) == (5,)


def test_dispatch_as_needs_root(ext, mock):
    as_bob = mock.RUNTIME.caller_of(Signed(mock.BOB))
    origin = Signed(mock.ALICE)
    call = mock.signed_log(5)
    assert_noop(
        ext,
        lambda: ext.dispatch(Utility, "dispatch_as", origin, as_origin=as_bob, call=call),
        BadOrigin,
    )


def test_dispatch_as_checked_fails_with_the_inner_error(ext, mock):
    as_root = mock.RUNTIME.caller_of(ROOT)
    call = mock.fail(1)
    assert_noop(
        ext,
        lambda: ext.dispatch(Utility, "dispatch_as_checked", ROOT, as_origin=as_root, call=call),
        mock.Boom,
    )
    ext.dispatch(Utility, "dispatch_as_checked", ROOT, as_origin=as_root, call=mock.log(2))
    assert_last_event(ext, DispatchedAs(result=Ok(())))


def test_origin_callers_round_trip(mock):
    for origin in (ROOT, NONE, Signed(mock.BOB)):
        caller = mock.RUNTIME.caller_of(origin)
        assert mock.RUNTIME.origin_of(type(caller).decode(caller.encode())) == origin
    with pytest.raises(TypeError):
        mock.RUNTIME.origin_of("Root")


def test_with_weight_dispatches_as_root_and_weighs_what_it_declares(ext, mock):
    declared = Weight.from_parts(123_456, 7)
    ext.dispatch(Utility, "with_weight", ROOT, call=mock.log(1), weight=declared)
    assert logged(ext, mock) == (1,)
    outer = mock.RUNTIME.make_call(Utility, "with_weight", call=mock.log(1), weight=declared)
    assert mock.RUNTIME.dispatch_meta(outer).weight == declared
    origin = Signed(mock.ALICE)
    assert_noop(
        ext,
        lambda: ext.dispatch(Utility, "with_weight", origin, call=mock.log(1), weight=declared),
        BadOrigin,
    )
    assert_noop(
        ext,
        lambda: ext.dispatch(Utility, "with_weight", ROOT, call=mock.fail(1), weight=declared),
        mock.Boom,
    )


# --- weights ---------------------------------------------------------------------------------


def test_batch_weights_add_the_inner_calls(mock):
    calls = [mock.log(1), mock.signed_log(2), mock.fail(3)]
    inner = Weight.from_parts(600, 60)
    for name in ("batch", "batch_all", "force_batch"):
        outer = mock.RUNTIME.make_call(Utility, name, calls=calls)
        assert mock.RUNTIME.dispatch_meta(outer).weight == inner.saturating_add(
            Weight.from_parts(1, 0)
        )
    derivative = mock.RUNTIME.make_call(Utility, "as_derivative", index=U16(1), call=mock.log(1))
    assert mock.RUNTIME.dispatch_meta(derivative).weight == Weight.from_parts(101, 10)


def test_every_call_has_a_weight_in_the_tables():
    for table in (BenchmarkedWeights(), UnitWeights()):
        assert table.batch(3).ref_time >= table.batch(0).ref_time
        for name in ("as_derivative", "dispatch_as"):
            assert getattr(table, name)().ref_time > 0
    assert BenchmarkedWeights().batch(10).ref_time > BenchmarkedWeights().batch(1).ref_time


def test_module_error_index(mock):
    assert mock.RUNTIME.module_error(TooManyCalls()) == (8, 0)
