"""Holds (reserved balance by reason) and freezes (frozen balance by id)."""

from __future__ import annotations

import pytest

from deepshard.pallets.balances import (
    FREE,
    RESERVED,
    Frozen,
    IdAmount,
    ReasonId,
    Reserved,
    ReserveRepatriated,
    Slashed,
    Thawed,
    TooManyFreezes,
    TooManyHolds,
    Unreserved,
)
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import NoProviders, TokenError, TokenErrorKind
from deepshard.runtime.support.testing import assert_last_event, assert_noop

ALICE, BOB, CHARLIE, DAVE = (AccountId32(bytes([n]) * 32) for n in range(1, 5))
STAKE = ReasonId(b"staking ")
ESCROW = ReasonId(b"licence ")
VOTE = ReasonId(b"curation")


def u(value: int) -> U128:
    return U128(value)


def token_noop(ext, action, kind: TokenErrorKind) -> None:
    assert_noop(ext, action, TokenError)
    with pytest.raises(TokenError) as raised:
        action()
    assert raised.value.kind is kind


# --- holds ------------------------------------------------------------------------------------


def test_hold_moves_free_balance_on_hold(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    b = ext.balances
    b.hold(STAKE, ALICE, u(30))
    assert_last_event(ext, Reserved(who=ALICE, amount=u(30)))
    b.hold(ESCROW, ALICE, u(10))
    b.hold(STAKE, ALICE, u(5))
    assert b.holds.get(ALICE) == (
        IdAmount(id=STAKE, amount=u(35)),
        IdAmount(id=ESCROW, amount=u(10)),
    )
    assert (b.balance_on_hold(STAKE, ALICE), b.balance_on_hold(VOTE, ALICE)) == (35, 0)
    assert b.total_balance_on_hold(ALICE) == 45
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.info(ALICE).consumers) == (55, 45, 1)
    assert ext.issuance() == 100
    b.hold(VOTE, ALICE, u(0))
    assert len(b.holds.get(ALICE)) == 2


def test_hold_failures(ext_builder) -> None:
    ext = ext_builder().max_holds(2).with_balances({ALICE: 100}).build()
    b = ext.balances
    token_noop(ext, lambda: b.hold(STAKE, BOB, u(10)), TokenErrorKind.CANNOT_CREATE_HOLD)
    # the account must stay alive: at most free - ED can go on hold
    token_noop(ext, lambda: b.hold(STAKE, ALICE, u(91)), TokenErrorKind.FUNDS_UNAVAILABLE)
    b.hold(STAKE, ALICE, u(10))
    b.hold(ESCROW, ALICE, u(10))
    assert_noop(ext, lambda: b.hold(VOTE, ALICE, u(10)), TooManyHolds)
    b.hold(ESCROW, ALICE, u(10))  # an existing reason still grows
    b.set_freeze(STAKE, ALICE, u(90))  # free 70 + reserved 30 must stay >= 90
    token_noop(ext, lambda: b.hold(STAKE, ALICE, u(11)), TokenErrorKind.FUNDS_UNAVAILABLE)
    b.hold(STAKE, ALICE, u(10))


def test_release(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    b = ext.balances
    b.hold(STAKE, ALICE, u(30))
    assert b.release(STAKE, ALICE, u(10)) == 10
    assert_last_event(ext, Unreserved(who=ALICE, amount=u(10)))
    token_noop(
        ext,
        lambda: b.release(STAKE, ALICE, u(21), best_effort=False),
        TokenErrorKind.FUNDS_UNAVAILABLE,
    )
    assert b.release(STAKE, ALICE, u(1_000)) == 20
    assert not b.holds.contains_key(ALICE)
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.info(ALICE).consumers) == (100, 0, 0)
    before = ext.snapshot()
    assert b.release(STAKE, ALICE, u(5)) == 0
    assert ext.snapshot()[1] == before[1]  # no event for nothing released


def test_slash_held(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    b = ext.balances
    b.hold(STAKE, ALICE, u(30))
    b.hold(ESCROW, ALICE, u(20))
    b.set_freeze(VOTE, ALICE, u(100))  # freezes do not protect held funds from a slash
    assert b.slash_held(STAKE, ALICE, u(50)) == 30
    assert_last_event(ext, Slashed(who=ALICE, amount=u(30)))
    assert b.slash_held(STAKE, ALICE, u(50)) == 0
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.issuance()) == (50, 20, 70)
    assert b.holds.get(ALICE) == (IdAmount(id=ESCROW, amount=u(20)),)


def test_transfer_on_hold_to_free_and_to_hold(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    b.hold(ESCROW, ALICE, u(50))
    assert b.transfer_on_hold(ESCROW, ALICE, BOB, u(20)) == 20
    assert_last_event(
        ext, ReserveRepatriated(from_=ALICE, to=BOB, amount=u(20), destination_status=FREE)
    )
    assert b.transfer_on_hold(ESCROW, ALICE, BOB, u(10), on_hold=True) == 10
    assert_last_event(
        ext, ReserveRepatriated(from_=ALICE, to=BOB, amount=u(10), destination_status=RESERVED)
    )
    assert (ext.free(ALICE), ext.reserved(ALICE)) == (50, 20)
    assert (ext.free(BOB), ext.reserved(BOB)) == (120, 10)
    assert b.balance_on_hold(ESCROW, BOB) == 10
    assert b.transfer_on_hold(ESCROW, ALICE, CHARLIE, u(1_000), best_effort=True) == 20
    assert ext.free(CHARLIE) == 20
    assert ext.issuance() == 200


def test_transfer_on_hold_failures(ext_builder) -> None:
    ext = ext_builder().max_holds(1).with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    b.hold(ESCROW, ALICE, u(50))
    b.hold(STAKE, BOB, u(10))
    token_noop(ext, lambda: b.transfer_on_hold(ESCROW, ALICE, BOB, u(51)), TokenErrorKind.FROZEN)
    token_noop(
        ext,
        lambda: b.transfer_on_hold(STAKE, ALICE, BOB, u(10)),
        TokenErrorKind.FUNDS_UNAVAILABLE,
    )
    token_noop(
        ext, lambda: b.transfer_on_hold(ESCROW, ALICE, CHARLIE, u(5)), TokenErrorKind.CANNOT_CREATE
    )
    token_noop(
        ext,
        lambda: b.transfer_on_hold(ESCROW, ALICE, DAVE, u(20), on_hold=True),
        TokenErrorKind.CANNOT_CREATE_HOLD,
    )
    assert_noop(
        ext, lambda: b.transfer_on_hold(ESCROW, ALICE, BOB, u(20), on_hold=True), TooManyHolds
    )
    b.set_freeze(VOTE, ALICE, u(90))  # free 50: the reserve must keep 40
    token_noop(ext, lambda: b.transfer_on_hold(ESCROW, ALICE, BOB, u(11)), TokenErrorKind.FROZEN)
    assert b.transfer_on_hold(ESCROW, ALICE, BOB, u(11), force=True) == 11


def test_plain_reserve_operations_never_touch_holds(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    b = ext.balances
    b.hold(STAKE, ALICE, u(40))
    assert b.unreserve(ALICE, u(40)) == 0
    assert b.slash_reserved(ALICE, u(40)) == 0
    assert b.repatriate_reserved(ALICE, BOB, u(40), FREE) == 0
    assert b.reserved_balance(ALICE) == 40
    assert b.balance_on_hold(STAKE, ALICE) == 40


# --- freezes ----------------------------------------------------------------------------------


def test_freezes_set_extend_and_thaw(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    b = ext.balances
    b.set_freeze(STAKE, ALICE, u(30))
    assert_last_event(ext, Frozen(who=ALICE, amount=u(30)))
    assert (ext.data(ALICE).frozen, ext.info(ALICE).consumers) == (30, 1)
    b.set_freeze(VOTE, ALICE, u(20))
    assert ext.data(ALICE).frozen == 30  # the largest freeze
    b.extend_freeze(VOTE, ALICE, u(50))
    assert_last_event(ext, Frozen(who=ALICE, amount=u(20)))
    b.extend_freeze(VOTE, ALICE, u(10))  # never lowers
    b.extend_freeze(VOTE, ALICE, u(0))
    assert (b.balance_frozen(VOTE, ALICE), b.balance_frozen(STAKE, ALICE)) == (50, 30)
    b.thaw(VOTE, ALICE)
    assert_last_event(ext, Thawed(who=ALICE, amount=u(20)))
    b.set_freeze(STAKE, ALICE, u(0))
    assert_last_event(ext, Thawed(who=ALICE, amount=u(30)))
    assert not b.freezes.contains_key(ALICE)
    assert (ext.data(ALICE).frozen, ext.info(ALICE).consumers) == (0, 0)


def test_freeze_failures(ext_builder) -> None:
    ext = ext_builder().max_freezes(1).with_balances({ALICE: 100}).build()
    b = ext.balances
    assert_noop(ext, lambda: b.set_freeze(STAKE, BOB, u(10)), NoProviders)
    b.set_freeze(STAKE, ALICE, u(10))
    assert_noop(ext, lambda: b.set_freeze(VOTE, ALICE, u(10)), TooManyFreezes)
    assert_noop(ext, lambda: b.extend_freeze(VOTE, ALICE, u(10)), TooManyFreezes)
    b.set_freeze(STAKE, ALICE, u(200))  # a freeze may exceed the balance
    assert b.usable_balance(ALICE) == 0
