"""Charging fees through the currency: withdraw, check, settle, and the executive's handler."""

from __future__ import annotations

import pytest

from deepshard.pallets.system import System
from deepshard.pallets.transaction_payment import (
    Config,
    PalletFeeHandler,
    TransactionFeePaid,
    TransactionPayment,
)
from deepshard.primitives.numeric import U128
from deepshard.primitives.transaction_validity import Payment, TransactionInvalid
from deepshard.primitives.weights import DispatchClass, Pays, Weight
from deepshard.runtime.support import DispatchMeta, Runtime
from deepshard.runtime.support.testing import assert_last_event

NORMAL = DispatchMeta(Weight.from_parts(100, 0), DispatchClass.Normal, Pays.Yes)


def balance(ext, ledger, who) -> int:
    return int(ext.pallet(ledger).free_balance(who))


# --- withdraw_fee ----------------------------------------------------------------------------


def test_withdraw_fee_takes_the_fee(ext, ledger, accounts):
    alice, _, _ = accounts
    taken = ext.pallet(TransactionPayment).withdraw_fee(alice, U128(300))
    assert taken == 300
    assert balance(ext, ledger, alice) == 700
    assert ext.pallet(ledger).issuance.get() == 700  # withdrawn fees are destroyed


@pytest.mark.parametrize(
    "fee",
    [
        1_001,  # more than the balance
        1_000,  # the whole balance: the account would die
        991,  # below the existential deposit (10) afterwards
    ],
)
def test_withdraw_fee_that_cannot_be_paid_is_a_payment_error(ext, accounts, fee):
    alice, _, _ = accounts
    before = ext.snapshot()
    with pytest.raises(TransactionInvalid) as raised:
        ext.pallet(TransactionPayment).withdraw_fee(alice, U128(fee))
    assert raised.value.reason == Payment()
    assert ext.snapshot() == before


def test_a_zero_fee_touches_nothing(ext, accounts):
    _, bob, _ = accounts  # bob has no account at all
    before = ext.snapshot()
    pallet = ext.pallet(TransactionPayment)
    assert pallet.withdraw_fee(bob, U128(0)) == 0
    pallet.can_withdraw_fee(bob, U128(0))
    assert ext.snapshot() == before


def test_can_withdraw_fee_changes_nothing(ext, ledger, accounts):
    alice, bob, _ = accounts
    pallet = ext.pallet(TransactionPayment)
    before = ext.snapshot()
    pallet.can_withdraw_fee(alice, U128(990))
    assert ext.snapshot() == before
    with pytest.raises(TransactionInvalid):
        pallet.can_withdraw_fee(alice, U128(991))
    with pytest.raises(TransactionInvalid):
        pallet.can_withdraw_fee(bob, U128(1))
    assert ext.snapshot() == before
    assert balance(ext, ledger, alice) == 1_000


# --- correct_and_deposit_fee -----------------------------------------------------------------


def test_settling_emits_fee_paid_and_burns(ext, ledger, accounts):
    alice, _, _ = accounts
    pallet = ext.pallet(TransactionPayment)
    fee = pallet.compute_fee(10, NORMAL, U128(5))
    assert fee == 115
    pallet.correct_and_deposit_fee(alice, fee, U128(5), pallet.withdraw_fee(alice, fee))
    assert_last_event(ext, TransactionFeePaid(who=alice, actual_fee=U128(115), tip=U128(5)))
    assert balance(ext, ledger, alice) == 885
    assert ext.pallet(ledger).issuance.get() == 885


def test_settling_refunds_an_over_withdrawal(ext, ledger, accounts):
    alice, _, _ = accounts
    pallet = ext.pallet(TransactionPayment)
    withdrawn = pallet.withdraw_fee(alice, U128(200))
    pallet.correct_and_deposit_fee(alice, U128(150), U128(0), withdrawn)
    assert balance(ext, ledger, alice) == 850
    assert_last_event(ext, TransactionFeePaid(who=alice, actual_fee=U128(150), tip=U128(0)))


def test_a_failed_refund_is_kept(build, ledger, accounts):
    alice, _, _ = accounts
    ext = build(((alice, 210),))
    pallet = ext.pallet(TransactionPayment)
    ext.pallet(ledger).withdraw(alice, U128(210), keep_alive=False)  # the payer is gone
    pallet.correct_and_deposit_fee(alice, U128(150), U128(0), U128(200))
    assert balance(ext, ledger, alice) == 0
    assert_last_event(ext, TransactionFeePaid(who=alice, actual_fee=U128(150), tip=U128(0)))


def test_fees_go_to_the_destination(build, ledger, accounts):
    alice, _, treasury = accounts
    ext = build(destination=treasury)
    pallet = ext.pallet(TransactionPayment)
    fee = U128(115)
    pallet.correct_and_deposit_fee(alice, fee, U128(5), pallet.withdraw_fee(alice, fee))
    assert balance(ext, ledger, treasury) == 115
    assert ext.pallet(ledger).issuance.get() == 1_000  # moved, not burned


# --- the executive's fee handler -------------------------------------------------------------


def test_fee_handler_round_trip(ext, ledger, accounts):
    alice, _, _ = accounts
    handler = PalletFeeHandler()
    ctx = ext.ctx
    fee = handler.compute_fee(ctx, 10, NORMAL, 5)
    assert fee == 115
    assert handler.fee_details(ctx, 10, NORMAL) == (0, 10, 100)
    handler.ensure_can_pay(ctx, alice, fee)
    handler.withdraw_fee(ctx, alice, fee)
    handler.deposit_fee_paid(ctx, alice, fee, 5)
    assert balance(ext, ledger, alice) == 885
    assert_last_event(ext, TransactionFeePaid(who=alice, actual_fee=U128(115), tip=U128(5)))
    assert handler.priority(ctx, 10, NORMAL, 5, fee) == 60


def test_fee_handler_for_calls_that_do_not_pay(ext, accounts):
    _, bob, _ = accounts
    handler = PalletFeeHandler()
    free = DispatchMeta(Weight.from_parts(100, 0), DispatchClass.Normal, Pays.No)
    assert handler.fee_details(ext.ctx, 10, free) is None
    assert handler.compute_fee(ext.ctx, 10, free, 0) == 0
    handler.ensure_can_pay(ext.ctx, bob, 0)
    with pytest.raises(TransactionInvalid):
        handler.ensure_can_pay(ext.ctx, bob, 1)


# --- configuration ---------------------------------------------------------------------------


def test_integrity_test_requires_a_currency():
    with pytest.raises(ValueError, match="System has no withdraw"):
        Runtime(
            name="bad",
            pallets=[
                (0, System, System.CONFIG()),
                (2, TransactionPayment, Config(currency=System)),
            ],
        )
