"""Multisig pallet: FRAME's scenarios -- deposits, timepoints, approvals, execution, cancel."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject
from scalecodec.type_registry import load_type_registry_preset
from scalecodec.types import MultiAccountId

from deepshard.pallets.balances import Balances
from deepshard.pallets.multisig import (
    MULTISIG_HOLD,
    AlreadyApproved,
    DepositPoked,
    MaxWeightTooLow,
    MinimumThreshold,
    MultisigApproval,
    MultisigCancelled,
    MultisigExecuted,
    MultisigPallet,
    NewMultisig,
    NotFound,
    NoTimepoint,
    NotOwner,
    SenderInSignatories,
    SignatoriesOutOfOrder,
    Timepoint,
    TooFewSignatories,
    TooManySignatories,
    UnexpectedTimepoint,
    WrongTimepoint,
    multi_account_id,
)
from deepshard.primitives import dispatch as wire
from deepshard.primitives.codec import AccountId32, Err, Ok
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U16, U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import ROOT, ArithmeticError, BadOrigin, Signed, TokenError
from deepshard.runtime.support.testing import assert_last_event, assert_noop

BIG = Weight.from_parts(10**12, 10**9)


def free(ext, who) -> int:
    return int(ext.pallet(Balances).free_balance(who))


def held(ext, who) -> int:
    return int(ext.pallet(Balances).balance_on_hold(MULTISIG_HOLD, who))


def as_multi(ext, who, threshold, others, timepoint, call, max_weight=BIG):  # noqa: PLR0917
    ext.dispatch(
        MultisigPallet,
        "as_multi",
        Signed(who),
        threshold=U16(threshold),
        other_signatories=tuple(others),
        maybe_timepoint=timepoint,
        call=call,
        max_weight=max_weight,
    )


def approve(ext, who, threshold, others, timepoint, call_hash, max_weight=BIG):  # noqa: PLR0917
    ext.dispatch(
        MultisigPallet,
        "approve_as_multi",
        Signed(who),
        threshold=U16(threshold),
        other_signatories=tuple(others),
        maybe_timepoint=timepoint,
        call_hash=call_hash,
        max_weight=max_weight,
    )


def now(ext) -> Timepoint:
    return ext.pallet(MultisigPallet).timepoint()


# --- the multi account -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def scale_config() -> RuntimeConfigurationObject:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    return config


@given(
    st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=6, unique=True),
    st.integers(1, 0xFFFF),
)
def test_multi_account_id_is_scalecodecs(scale_config, accounts, threshold):
    MultiAccountId.runtime_config = scale_config
    theirs = MultiAccountId.create_from_account_list(["0x" + a.hex() for a in accounts], threshold)
    ours = multi_account_id(sorted(accounts), threshold)
    assert "0x" + bytes(ours).hex() == theirs.value


def test_multi_account_id_depends_on_order_and_threshold(mock):
    a, b = mock.account(1), mock.account(2)
    assert multi_account_id([a, b], 2) != multi_account_id([b, a], 2)
    assert multi_account_id([a, b], 2) != multi_account_id([a, b], 1)
    with pytest.raises(ValueError, match="u16"):
        multi_account_id([a], 1 << 16)


# --- a full 2-of-3 operation -----------------------------------------------------------------


def test_two_of_three_with_approve_then_as_multi(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    multi = multi_account_id([one, two, three], 2)
    ext.dispatch(Balances, "transfer_allow_death", Signed(one), dest=_id(multi), value=U128(5))
    call = mock.transfer(mock.account(4), 5)
    call_hash = blake2_256(call.encode())
    approve(ext, one, 2, [two, three], None, call_hash)
    assert held(ext, one) == 3  # base 1 + threshold 2 x factor 1
    assert_last_event(ext, NewMultisig(approving=one, multisig=multi, call_hash=call_hash))
    when = ext.pallet(MultisigPallet).multisigs.get(multi, call_hash).when
    assert when == now(ext)
    as_multi(ext, two, 2, [one, three], when, call)
    assert free(ext, mock.account(4)) == 15
    assert held(ext, one) == 0
    assert free(ext, one) == 5  # 10 - 5 sent to the multisig; the deposit came back
    assert ext.pallet(MultisigPallet).multisigs.get(multi, call_hash) is None
    assert_last_event(
        ext,
        MultisigExecuted(
            approving=two, timepoint=when, multisig=multi, call_hash=call_hash, result=Ok(())
        ),
    )


def test_three_of_three_collects_approvals_in_order(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    multi = multi_account_id([one, two, three], 3)
    call = mock.remark(b"hi")
    call_hash = blake2_256(call.encode())
    as_multi(ext, three, 3, [one, two], None, call)
    when = now(ext)
    approve(ext, one, 3, [two, three], when, call_hash)
    assert_last_event(
        ext, MultisigApproval(approving=one, timepoint=when, multisig=multi, call_hash=call_hash)
    )
    operation = ext.pallet(MultisigPallet).multisigs.get(multi, call_hash)
    assert operation.approvals == (one, three)
    assert operation.depositor == three
    as_multi(ext, two, 3, [one, three], when, call)
    assert isinstance(ext.events()[-1], MultisigExecuted)


def test_failed_call_is_recorded_and_deposit_returned(ext, mock):
    one, two = mock.account(1), mock.account(2)
    multi = multi_account_id([one, two], 2)
    call = mock.transfer(mock.account(4), 1_000)  # the multisig has nothing
    as_multi(ext, one, 2, [two], None, call)
    when = now(ext)
    as_multi(ext, two, 2, [one], when, call)
    event = ext.events()[-1]
    assert isinstance(event, MultisigExecuted)
    assert isinstance(event.result, Err)
    assert held(ext, one) == 0
    assert ext.pallet(MultisigPallet).multisigs.get(multi, blake2_256(call.encode())) is None


def test_timepoint_rules(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    call = mock.remark()
    call_hash = blake2_256(call.encode())
    wrong = Timepoint(height=U32(9), index=U32(9))
    assert_noop(
        ext, lambda: approve(ext, one, 2, [two, three], wrong, call_hash), UnexpectedTimepoint
    )
    approve(ext, one, 2, [two, three], None, call_hash)
    assert_noop(ext, lambda: approve(ext, two, 2, [one, three], None, call_hash), NoTimepoint)
    assert_noop(ext, lambda: approve(ext, two, 2, [one, three], wrong, call_hash), WrongTimepoint)


def test_approving_twice_without_the_call_fails(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    call_hash = blake2_256(mock.remark().encode())
    approve(ext, one, 3, [two, three], None, call_hash)
    when = now(ext)
    assert_noop(ext, lambda: approve(ext, one, 3, [two, three], when, call_hash), AlreadyApproved)
    approve(ext, two, 3, [one, three], when, call_hash)
    # the last approval without the call is recorded; only as_multi with the call executes it
    approve(ext, three, 3, [one, two], when, call_hash)
    operation = ext.pallet(MultisigPallet).multisigs.get(
        multi_account_id([one, two, three], 3), call_hash
    )
    assert operation.approvals == (one, two, three)
    as_multi(ext, three, 3, [one, two], when, mock.remark())
    assert isinstance(ext.events()[-1], MultisigExecuted)


def test_max_weight_must_cover_the_call(ext, mock):
    one, two = mock.account(1), mock.account(2)
    call = mock.remark()
    as_multi(ext, one, 2, [two], None, call)
    when = now(ext)
    zero = Weight.zero()
    assert_noop(ext, lambda: as_multi(ext, two, 2, [one], when, call, zero), MaxWeightTooLow)


def test_signatory_list_rules(ext, mock):
    one, two, three, four = (mock.account(n) for n in (1, 2, 3, 4))
    call_hash = blake2_256(mock.remark().encode())
    for others, error in (
        ([], TooFewSignatories),
        ([two, three, four], TooManySignatories),
        ([three, two], SignatoriesOutOfOrder),
        ([two, two], SignatoriesOutOfOrder),
        ([one, two], SenderInSignatories),
    ):
        assert_noop(ext, lambda others=others: approve(ext, one, 2, others, None, call_hash), error)
    assert_noop(ext, lambda: approve(ext, one, 1, [two], None, call_hash), MinimumThreshold)


def test_deposit_needs_funds(ext, mock):
    poor = AccountId32(b"\x09" * 32)  # no account at all
    call_hash = blake2_256(mock.remark().encode())
    assert_noop(ext, lambda: approve(ext, poor, 2, [mock.account(1)], None, call_hash), TokenError)


# --- cancel and poke -------------------------------------------------------------------------


def test_cancel_returns_the_deposit(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    multi = multi_account_id([one, two, three], 2)
    call_hash = blake2_256(mock.remark().encode())
    approve(ext, one, 2, [two, three], None, call_hash)
    when = now(ext)

    def cancel(who, others, timepoint):
        ext.dispatch(
            MultisigPallet,
            "cancel_as_multi",
            Signed(who),
            threshold=U16(2),
            other_signatories=tuple(others),
            timepoint=timepoint,
            call_hash=call_hash,
        )

    assert_noop(ext, lambda: cancel(two, [one, three], when), NotOwner)
    wrong = Timepoint(height=U32(7), index=U32(0))
    assert_noop(ext, lambda: cancel(one, [two, three], wrong), WrongTimepoint)
    cancel(one, [two, three], when)
    assert held(ext, one) == 0
    assert free(ext, one) == 10
    assert_last_event(
        ext, MultisigCancelled(cancelling=one, timepoint=when, multisig=multi, call_hash=call_hash)
    )
    assert_noop(ext, lambda: cancel(one, [two, three], when), NotFound)


def test_poke_deposit_reprices(ext, mock):
    one, two = mock.account(1), mock.account(2)
    call_hash = blake2_256(mock.remark().encode())
    approve(ext, one, 2, [two], None, call_hash)
    pallet = ext.pallet(MultisigPallet)
    multi = multi_account_id([one, two], 2)
    # the operation was opened under an older, cheaper configuration
    operation = pallet.multisigs.get(multi, call_hash)
    ext.pallet(Balances).release(MULTISIG_HOLD, one, U128(2))
    pallet.multisigs.insert(multi, call_hash, dataclasses.replace(operation, deposit=U128(1)))

    def poke(who, others):
        ext.dispatch(
            MultisigPallet,
            "poke_deposit",
            Signed(who),
            threshold=U16(2),
            other_signatories=tuple(others),
            call_hash=call_hash,
        )

    assert_noop(ext, lambda: poke(two, [one]), NotOwner)
    poke(one, [two])
    assert held(ext, one) == 3
    assert_last_event(
        ext, DepositPoked(who=one, call_hash=call_hash, old_deposit=U128(1), new_deposit=U128(3))
    )


# --- threshold 1 and origins -----------------------------------------------------------------


def test_as_multi_threshold_1_dispatches_at_once(ext, mock):
    one, two = mock.account(1), mock.account(2)
    multi = multi_account_id([one, two], 1)
    ext.dispatch(Balances, "transfer_allow_death", Signed(one), dest=_id(multi), value=U128(5))
    call = mock.transfer(mock.account(3), 2)
    ext.dispatch(
        MultisigPallet, "as_multi_threshold_1", Signed(two), other_signatories=(one,), call=call
    )
    assert free(ext, mock.account(3)) == 12
    failing = mock.transfer(mock.account(3), 100)
    assert_noop(
        ext,
        lambda: ext.dispatch(
            MultisigPallet,
            "as_multi_threshold_1",
            Signed(two),
            other_signatories=(one,),
            call=failing,
        ),
        ArithmeticError,
    )


def test_unsigned_origins_are_refused(ext, mock):
    call = mock.remark()
    assert_noop(
        ext,
        lambda: ext.dispatch(
            MultisigPallet,
            "as_multi_threshold_1",
            ROOT,
            other_signatories=(mock.account(1),),
            call=call,
        ),
        BadOrigin,
    )


def test_weights_include_max_weight_and_inner_call(mock):
    declared = Weight.from_parts(5_000, 50)
    outer = mock.RUNTIME.make_call(
        MultisigPallet,
        "as_multi",
        threshold=U16(2),
        other_signatories=(mock.account(2),),
        maybe_timepoint=None,
        call=mock.remark(),
        max_weight=declared,
    )
    assert mock.RUNTIME.dispatch_meta(outer).weight == declared.saturating_add(
        Weight.from_parts(1, 0)
    )


def _id(who: AccountId32) -> Any:
    return Id(who)


def test_wire_error_of_a_module_error(mock):
    assert mock.RUNTIME.module_error(NotFound()) == (9, 7)
    assert wire.module_error(9, 7).encode()[0] == 3
