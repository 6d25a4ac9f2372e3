"""The currency interface other pallets use: inspection, withdraw/deposit, reserves, slashes."""

from __future__ import annotations

import pytest

from deepshard.pallets.balances import (
    FREE,
    RESERVED,
    DeadAccount,
    Deposit,
    DepositConsequence,
    DustLost,
    Endowed,
    Expendability,
    Fortitude,
    InsufficientBalance,
    LiquidityRestrictions,
    Minted,
    Preservation,
    ReasonId,
    Reserved,
    ReserveRepatriated,
    Slashed,
    Transfer,
    Unreserved,
    Withdraw,
    WithdrawConsequence,
)
from deepshard.pallets.system import KilledAccount, NewAccount
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import (
    ArithmeticError,
    ConsumerRemaining,
    TokenError,
    TokenErrorKind,
)
from deepshard.runtime.support.testing import assert_last_event, assert_noop

ALICE, BOB, CHARLIE, DAVE = (AccountId32(bytes([n]) * 32) for n in range(1, 5))
STAKE = ReasonId(b"staking ")
MAX = U128(U128.MAX)


def u(value: int) -> U128:
    return U128(value)


def assert_unchanged(ext, action, expected) -> None:
    """`action` returns `expected` and changes neither storage nor events (an infallible no-op)."""
    before = ext.snapshot()
    assert action() == expected
    assert ext.snapshot() == before


# --- inspection -------------------------------------------------------------------------------


def test_balances_and_reducible_balance(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    b.reserve(ALICE, u(30))
    assert (b.free_balance(ALICE), b.reserved_balance(ALICE), b.total_balance(ALICE)) == (
        70,
        30,
        100,
    )
    assert b.minimum_balance() == 10
    assert b.active_issuance() == 200
    # ALICE has a consumer: even allow-death keeps the existential deposit.
    assert b.reducible_balance(ALICE, Preservation.EXPENDABLE, Fortitude.POLITE) == 60
    assert b.usable_balance(ALICE) == 60
    assert b.reducible_balance(BOB, Preservation.EXPENDABLE, Fortitude.POLITE) == 100
    assert b.reducible_balance(BOB, Preservation.PROTECT, Fortitude.POLITE) == 90
    assert b.reducible_balance(BOB, Preservation.PRESERVE, Fortitude.POLITE) == 90
    b.set_freeze(STAKE, BOB, u(40))
    assert b.reducible_balance(BOB, Preservation.EXPENDABLE, Fortitude.POLITE) == 60
    assert b.reducible_balance(BOB, Preservation.EXPENDABLE, Fortitude.FORCE) == 90
    assert b.reducible_balance(CHARLIE, Preservation.PRESERVE, Fortitude.POLITE) == 0


def test_can_withdraw_and_can_deposit(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    assert b.can_withdraw(ALICE, u(0)) is WithdrawConsequence.SUCCESS
    assert b.can_withdraw(ALICE, u(90)) is WithdrawConsequence.SUCCESS
    assert b.can_withdraw(ALICE, u(95)) is WithdrawConsequence.REDUCED_TO_ZERO
    assert b.can_withdraw(ALICE, u(101)) is WithdrawConsequence.BALANCE_LOW
    assert b.can_withdraw(ALICE, u(201)) is WithdrawConsequence.UNDERFLOW
    b.set_freeze(STAKE, BOB, u(50))
    assert b.can_withdraw(BOB, u(51)) is WithdrawConsequence.FROZEN
    assert b.can_deposit(CHARLIE, u(9)) is DepositConsequence.BELOW_MINIMUM
    assert b.can_deposit(CHARLIE, u(10)) is DepositConsequence.SUCCESS
    assert b.can_deposit(ALICE, MAX) is DepositConsequence.OVERFLOW
    assert b.can_deposit(CHARLIE, MAX - u(100), minted=True) is DepositConsequence.OVERFLOW
    assert b.can_deposit(CHARLIE, MAX - u(200), minted=True) is DepositConsequence.SUCCESS
    assert b.can_slash(ALICE, u(100))
    assert not b.can_slash(ALICE, u(101))
    assert b.can_reserve(ALICE, u(90))
    assert not b.can_reserve(ALICE, u(91))
    assert not b.can_reserve(BOB, u(51))


def test_checked_arithmetic_reports_arithmetic_errors(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    assert_noop(ext, lambda: ext.balances.deposit_into_existing(ALICE, MAX), ArithmeticError)
    assert_noop(ext, lambda: ext.balances.mint_into(ALICE, MAX - u(50)), ArithmeticError)
    # a withdrawal larger than the whole issuance is an underflow (FRAME's order of checks)
    assert_noop(
        ext,
        lambda: ext.balances.transfer(ALICE, BOB, u(101), keep_alive=False),
        ArithmeticError,
    )


# --- transfer ---------------------------------------------------------------------------------


def test_currency_transfer(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    assert_unchanged(ext, lambda: b.transfer(ALICE, BOB, u(0), keep_alive=True), 0)
    assert_unchanged(ext, lambda: b.transfer(ALICE, ALICE, u(50), keep_alive=True), 0)
    assert b.transfer(ALICE, BOB, u(40), keep_alive=True) == 40
    assert_last_event(ext, Transfer(from_=ALICE, to=BOB, amount=u(40)))
    with pytest.raises(TokenError) as raised:
        b.transfer(ALICE, BOB, u(55), keep_alive=True)
    assert raised.value.kind is TokenErrorKind.NOT_EXPENDABLE
    assert b.transfer(ALICE, BOB, u(60), keep_alive=False) == 60
    assert not ext.exists(ALICE)


# --- withdraw and deposit ---------------------------------------------------------------------


def test_withdraw_destroys_the_amount(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    assert ext.balances.withdraw(ALICE, u(30), keep_alive=True) == 30
    assert_last_event(ext, Withdraw(who=ALICE, amount=u(30)))
    assert (ext.free(ALICE), ext.issuance()) == (70, 170)
    assert_unchanged(ext, lambda: ext.balances.withdraw(ALICE, u(0), keep_alive=True), 0)


def test_withdraw_allow_death_reaps(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    ext.balances.withdraw(ALICE, u(95), keep_alive=False)
    assert not ext.exists(ALICE)
    assert ext.events() == [
        Withdraw(who=ALICE, amount=u(95)),
        KilledAccount(account=ALICE),
        DustLost(account=ALICE, amount=u(5)),
    ]
    assert ext.issuance() == 100


def test_withdraw_failures(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    assert_noop(ext, lambda: b.withdraw(ALICE, u(101), keep_alive=False), InsufficientBalance)
    assert_noop(ext, lambda: b.withdraw(ALICE, u(91), keep_alive=True), Expendability)
    b.set_freeze(STAKE, BOB, u(50))
    assert_noop(ext, lambda: b.withdraw(BOB, u(51), keep_alive=True), LiquidityRestrictions)
    b.reserve(ALICE, u(30))
    assert_noop(ext, lambda: b.withdraw(ALICE, u(65), keep_alive=False), ConsumerRemaining)
    with pytest.raises(LiquidityRestrictions):
        b.ensure_can_withdraw(BOB, u(60), u(40))
    b.ensure_can_withdraw(BOB, u(0), u(0))


def test_deposit_into_existing(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    assert ext.balances.deposit_into_existing(ALICE, u(5)) == 5
    assert_last_event(ext, Deposit(who=ALICE, amount=u(5)))
    assert (ext.free(ALICE), ext.issuance()) == (105, 105)
    assert_noop(ext, lambda: ext.balances.deposit_into_existing(BOB, u(50)), DeadAccount)
    assert_unchanged(ext, lambda: ext.balances.deposit_into_existing(BOB, u(0)), 0)


def test_deposit_creating(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    assert ext.balances.deposit_creating(BOB, u(50)) == 50
    assert ext.events() == [
        Deposit(who=BOB, amount=u(50)),
        NewAccount(account=BOB),
        Endowed(account=BOB, free_balance=u(50)),
    ]
    assert ext.issuance() == 150
    assert ext.balances.deposit_creating(BOB, u(1)) == 1
    # below the existential deposit, overflowing, or zero: nothing happens, zero is returned
    assert_unchanged(ext, lambda: ext.balances.deposit_creating(CHARLIE, u(9)), 0)
    assert_unchanged(ext, lambda: ext.balances.deposit_creating(ALICE, MAX), 0)
    assert_unchanged(ext, lambda: ext.balances.deposit_creating(CHARLIE, u(0)), 0)


def test_mint_into(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    assert ext.balances.mint_into(BOB, u(20)) == 20
    assert_last_event(ext, Minted(who=BOB, amount=u(20)))
    assert ext.issuance() == 120
    with pytest.raises(TokenError) as raised:
        ext.balances.mint_into(CHARLIE, u(9))
    assert raised.value.kind is TokenErrorKind.BELOW_MINIMUM


def test_burn_from_best_effort(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    assert ext.balances.burn_from(ALICE, u(500), keep_alive=True, best_effort=True) == 90
    assert ext.issuance() == 110
    ext.balances.set_freeze(STAKE, BOB, u(60))
    assert ext.balances.burn_from(BOB, u(70), keep_alive=True, force=True) == 70


# --- reserves ---------------------------------------------------------------------------------


def test_reserve_and_unreserve(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    b = ext.balances
    b.reserve(ALICE, u(30))
    assert_last_event(ext, Reserved(who=ALICE, amount=u(30)))
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.info(ALICE).consumers) == (70, 30, 1)
    assert b.unreserve(ALICE, u(10)) == 10
    assert_last_event(ext, Unreserved(who=ALICE, amount=u(10)))
    assert b.unreserve(ALICE, u(100)) == 20
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.info(ALICE).consumers) == (100, 0, 0)
    assert_unchanged(ext, lambda: b.unreserve(ALICE, u(0)), 0)
    assert_unchanged(ext, lambda: b.unreserve(BOB, u(10)), 0)
    assert ext.issuance() == 100


def test_reserve_failures(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    b = ext.balances
    assert_noop(ext, lambda: b.reserve(ALICE, u(101)), InsufficientBalance)
    # reserving everything would leave the account without its provider but with a consumer
    assert_noop(ext, lambda: b.reserve(ALICE, u(100)), ConsumerRemaining)
    b.set_freeze(STAKE, ALICE, u(80))
    assert_noop(ext, lambda: b.reserve(ALICE, u(21)), LiquidityRestrictions)
    b.reserve(ALICE, u(0))
    assert ext.reserved(ALICE) == 0


def test_slash_takes_free_then_reserved(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    b.reserve(ALICE, u(40))
    b.hold(STAKE, ALICE, u(20))  # free 40, reserved 60 of which 20 held
    # the reserve is a consumer: the existential deposit stays in free
    assert b.slash(ALICE, u(50)) == 50
    assert_last_event(ext, Slashed(who=ALICE, amount=u(50)))
    assert (ext.free(ALICE), ext.reserved(ALICE)) == (10, 40)
    assert b.slash(ALICE, u(1_000)) == 20  # the rest of the plain reserve, never the hold
    assert (ext.free(ALICE), ext.reserved(ALICE)) == (10, 20)
    assert ext.issuance() == 130
    assert_unchanged(ext, lambda: b.slash(CHARLIE, u(10)), 0)
    assert_unchanged(ext, lambda: b.slash(ALICE, u(0)), 0)


def test_slash_can_reap_an_account_without_consumers(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    assert ext.balances.slash(ALICE, u(95)) == 95
    assert not ext.exists(ALICE)
    assert ext.events() == [
        KilledAccount(account=ALICE),
        DustLost(account=ALICE, amount=u(5)),
        Slashed(who=ALICE, amount=u(95)),
    ]
    assert ext.issuance() == 100


def test_slash_reserved(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    b = ext.balances
    b.reserve(ALICE, u(30))
    b.hold(STAKE, ALICE, u(20))
    assert b.slash_reserved(ALICE, u(100)) == 30
    assert_last_event(ext, Slashed(who=ALICE, amount=u(30)))
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.issuance()) == (50, 20, 70)
    assert b.slash_reserved(ALICE, u(100)) == 0
    assert_unchanged(ext, lambda: b.slash_reserved(BOB, u(1)), 0)


def test_repatriate_reserved_to_free_and_reserved(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    b.reserve(ALICE, u(50))
    assert b.repatriate_reserved(ALICE, BOB, u(20), FREE) == 20
    assert_last_event(
        ext, ReserveRepatriated(from_=ALICE, to=BOB, amount=u(20), destination_status=FREE)
    )
    assert b.repatriate_reserved(ALICE, BOB, u(100), RESERVED) == 30
    assert_last_event(
        ext, ReserveRepatriated(from_=ALICE, to=BOB, amount=u(30), destination_status=RESERVED)
    )
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.info(ALICE).consumers) == (50, 0, 0)
    assert (ext.free(BOB), ext.reserved(BOB), ext.info(BOB).consumers) == (120, 30, 1)
    assert ext.issuance() == 200


def test_repatriate_reserved_edge_cases(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    b.reserve(ALICE, u(50))
    assert_noop(ext, lambda: b.repatriate_reserved(ALICE, CHARLIE, u(10), FREE), DeadAccount)
    assert_unchanged(ext, lambda: b.repatriate_reserved(ALICE, BOB, u(0), FREE), 0)
    assert_unchanged(ext, lambda: b.repatriate_reserved(ALICE, ALICE, u(10), RESERVED), 10)
    assert b.repatriate_reserved(ALICE, ALICE, u(10), FREE) == 10  # an unreserve
    assert ext.reserved(ALICE) == 40
    # politeness: the frozen balance is kept (free 60 + reserved must stay >= 90)
    b.set_freeze(STAKE, ALICE, u(90))
    assert b.repatriate_reserved(ALICE, BOB, u(40), FREE) == 10
    assert ext.reserved(ALICE) == 30
