"""The Balances calls: success paths with their events, every failure as a no-op, origins."""

from __future__ import annotations

import pytest

from deepshard.pallets.balances import (
    BalanceSet,
    Burned,
    DustLost,
    Endowed,
    Issued,
    ReasonId,
    Rescinded,
    Transfer,
    Unreserved,
)
from deepshard.pallets.system import KilledAccount, NewAccount
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id, Index
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import (
    NONE,
    ROOT,
    BadOrigin,
    CannotLookup,
    ConsumerRemaining,
    Signed,
    TokenError,
    TokenErrorKind,
)
from deepshard.runtime.support.testing import assert_last_event, assert_noop

ALICE, BOB, CHARLIE, DAVE = (AccountId32(bytes([n]) * 32) for n in range(1, 5))
STAKE = ReasonId(b"staking ")


def assert_token_noop(ext, action, kind: TokenErrorKind) -> None:
    """`assert_noop` for a token error of a given kind."""
    assert_noop(ext, action, TokenError)
    with pytest.raises(TokenError) as raised:
        action()
    assert raised.value.kind is kind


# --- transfer_allow_death ---------------------------------------------------------------------


def test_transfer_allow_death_creates_the_destination(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=30)
    assert (ext.free(ALICE), ext.free(BOB), ext.issuance()) == (70, 30, 100)
    assert ext.events() == [
        NewAccount(account=BOB),
        Endowed(account=BOB, free_balance=U128(30)),
        Transfer(from_=ALICE, to=BOB, amount=U128(30)),
    ]
    assert ext.info(BOB).providers == 1


def test_transfer_allow_death_reaps_the_sender_and_destroys_dust(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 50}).build()
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=95)
    assert not ext.exists(ALICE)
    assert (ext.free(ALICE), ext.free(BOB), ext.issuance()) == (0, 145, 145)
    assert ext.events() == [
        KilledAccount(account=ALICE),
        DustLost(account=ALICE, amount=U128(5)),
        Transfer(from_=ALICE, to=BOB, amount=U128(95)),
    ]


def test_transfer_allow_death_of_everything_leaves_no_dust(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=100)
    assert not ext.exists(ALICE)
    assert ext.issuance() == 100
    assert_last_event(ext, Transfer(from_=ALICE, to=BOB, amount=U128(100)))


def test_reaped_account_keeps_its_nonce_when_recreated(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    ext.system.inc_account_nonce(ALICE)
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=100)
    ext.call("transfer_allow_death", Signed(BOB), dest=Id(ALICE), value=50)
    assert ext.info(ALICE).nonce == 1


def test_transfer_allow_death_failures_are_noops(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 50}).build()

    def send(value: int, dest: AccountId32 = BOB):
        return lambda: ext.call("transfer_allow_death", Signed(ALICE), dest=Id(dest), value=value)

    assert_token_noop(ext, send(101), TokenErrorKind.FUNDS_UNAVAILABLE)
    assert_token_noop(ext, send(5, CHARLIE), TokenErrorKind.BELOW_MINIMUM)
    assert_noop(
        ext,
        lambda: ext.call("transfer_allow_death", Signed(ALICE), dest=Index(7), value=10),
        CannotLookup,
    )
    for origin in (ROOT, NONE):
        assert_noop(
            ext,
            lambda origin=origin: ext.call("transfer_allow_death", origin, dest=Id(BOB), value=10),
            BadOrigin,
        )


def test_transfer_respects_freezes(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.set_freeze(STAKE, ALICE, U128(60))
    assert_token_noop(
        ext,
        lambda: ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=41),
        TokenErrorKind.FROZEN,
    )
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=40)
    assert ext.free(ALICE) == 60


def test_reserved_balance_counts_toward_the_freeze(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.reserve(ALICE, U128(30))
    ext.balances.set_freeze(STAKE, ALICE, U128(50))
    # frozen applies to free + reserved: 20 more of the free balance must stay.
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=50)
    assert (ext.free(ALICE), ext.reserved(ALICE)) == (20, 30)
    assert_token_noop(
        ext,
        lambda: ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=1),
        TokenErrorKind.FROZEN,
    )


def test_an_account_with_a_reserve_cannot_be_reaped(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.reserve(ALICE, U128(30))
    # the reserve is a consumer: the existential deposit must stay (FRAME reports Frozen).
    assert_token_noop(
        ext,
        lambda: ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=70),
        TokenErrorKind.FROZEN,
    )
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=60)
    assert (ext.free(ALICE), ext.reserved(ALICE)) == (10, 30)


def test_zero_and_self_transfers(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 50}).build()
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(BOB), value=0)
    assert_last_event(ext, Transfer(from_=ALICE, to=BOB, amount=U128(0)))
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(CHARLIE), value=0)
    assert_last_event(ext, Transfer(from_=ALICE, to=CHARLIE, amount=U128(0)))
    assert not ext.exists(CHARLIE)
    before = len(ext.events())
    ext.call("transfer_allow_death", Signed(ALICE), dest=Id(ALICE), value=60)
    assert len(ext.events()) == before
    assert ext.free(ALICE) == 100


# --- force_transfer ---------------------------------------------------------------------------


def test_force_transfer_moves_from_any_account_and_may_reap(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 50}).build()
    ext.call("force_transfer", ROOT, source=Id(BOB), dest=Id(ALICE), value=45)
    assert (ext.free(ALICE), ext.free(BOB), ext.issuance()) == (145, 0, 145)
    assert ext.events()[-3:] == [
        KilledAccount(account=BOB),
        DustLost(account=BOB, amount=U128(5)),
        Transfer(from_=BOB, to=ALICE, amount=U128(45)),
    ]


def test_force_transfer_needs_root(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 50}).build()
    for origin in (Signed(ALICE), Signed(BOB), NONE):
        assert_noop(
            ext,
            lambda origin=origin: ext.call(
                "force_transfer", origin, source=Id(BOB), dest=Id(ALICE), value=10
            ),
            BadOrigin,
        )
    assert_token_noop(
        ext,
        lambda: ext.call("force_transfer", ROOT, source=Id(BOB), dest=Id(ALICE), value=51),
        TokenErrorKind.FUNDS_UNAVAILABLE,
    )
    assert_noop(
        ext,
        lambda: ext.call("force_transfer", ROOT, source=Index(1), dest=Id(ALICE), value=1),
        CannotLookup,
    )


# --- transfer_keep_alive ----------------------------------------------------------------------


def test_transfer_keep_alive_keeps_the_existential_deposit(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, CHARLIE: 1_000}).build()
    assert_token_noop(
        ext,
        lambda: ext.call("transfer_keep_alive", Signed(ALICE), dest=Id(BOB), value=91),
        TokenErrorKind.NOT_EXPENDABLE,
    )
    assert_token_noop(
        ext,
        lambda: ext.call("transfer_keep_alive", Signed(ALICE), dest=Id(BOB), value=101),
        TokenErrorKind.FUNDS_UNAVAILABLE,
    )
    ext.call("transfer_keep_alive", Signed(ALICE), dest=Id(BOB), value=90)
    assert (ext.free(ALICE), ext.free(BOB)) == (10, 90)
    assert_last_event(ext, Transfer(from_=ALICE, to=BOB, amount=U128(90)))
    assert_noop(
        ext,
        lambda: ext.call("transfer_keep_alive", ROOT, dest=Id(BOB), value=1),
        BadOrigin,
    )


# --- transfer_all -----------------------------------------------------------------------------


def test_transfer_all_allow_death_empties_the_account(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 50}).build()
    ext.call("transfer_all", Signed(ALICE), dest=Id(BOB), keep_alive=False)
    assert not ext.exists(ALICE)
    assert ext.free(BOB) == 150
    assert ext.events() == [
        KilledAccount(account=ALICE),
        Transfer(from_=ALICE, to=BOB, amount=U128(100)),
    ]


def test_transfer_all_keep_alive_leaves_the_existential_deposit(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.call("transfer_all", Signed(ALICE), dest=Id(BOB), keep_alive=True)
    assert (ext.free(ALICE), ext.free(BOB)) == (10, 90)
    assert_last_event(ext, Transfer(from_=ALICE, to=BOB, amount=U128(90)))


def test_transfer_all_leaves_reserved_and_frozen_balance(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.reserve(ALICE, U128(20))
    ext.balances.set_freeze(STAKE, ALICE, U128(50))
    ext.call("transfer_all", Signed(ALICE), dest=Id(BOB), keep_alive=False)
    assert (ext.free(ALICE), ext.reserved(ALICE), ext.free(BOB)) == (30, 20, 50)


def test_transfer_all_failures(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.reserve(ALICE, U128(85))  # 5 transferable: too little to create BOB
    assert_token_noop(
        ext,
        lambda: ext.call("transfer_all", Signed(ALICE), dest=Id(BOB), keep_alive=True),
        TokenErrorKind.BELOW_MINIMUM,
    )
    assert_noop(
        ext,
        lambda: ext.call("transfer_all", ROOT, dest=Id(BOB), keep_alive=False),
        BadOrigin,
    )
    assert_noop(
        ext,
        lambda: ext.call("transfer_all", Signed(ALICE), dest=Index(3), keep_alive=True),
        CannotLookup,
    )


# --- force_unreserve --------------------------------------------------------------------------


def test_force_unreserve_moves_plain_reserve_back(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.reserve(ALICE, U128(30))
    ext.balances.hold(STAKE, ALICE, U128(20))
    ext.call("force_unreserve", ROOT, who=Id(ALICE), amount=10)
    assert_last_event(ext, Unreserved(who=ALICE, amount=U128(10)))
    ext.call("force_unreserve", ROOT, who=Id(ALICE), amount=1_000)
    assert_last_event(ext, Unreserved(who=ALICE, amount=U128(20)))
    # the hold is untouched
    assert (ext.free(ALICE), ext.reserved(ALICE)) == (80, 20)
    assert ext.balances.balance_on_hold(STAKE, ALICE) == 20
    assert ext.info(ALICE).consumers == 1


def test_force_unreserve_needs_root(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.reserve(ALICE, U128(30))
    assert_noop(
        ext,
        lambda: ext.call("force_unreserve", Signed(ALICE), who=Id(ALICE), amount=10),
        BadOrigin,
    )
    assert_noop(
        ext, lambda: ext.call("force_unreserve", ROOT, who=Index(0), amount=10), CannotLookup
    )


# --- force_set_balance ------------------------------------------------------------------------


def test_force_set_balance_raises_and_lowers_issuance(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.call("force_set_balance", ROOT, who=Id(ALICE), new_free=150)
    assert ext.events() == [Issued(amount=U128(50)), BalanceSet(who=ALICE, free=U128(150))]
    assert (ext.free(ALICE), ext.issuance()) == (150, 150)
    ext.call("force_set_balance", ROOT, who=Id(ALICE), new_free=40)
    assert ext.events()[-2:] == [Rescinded(amount=U128(110)), BalanceSet(who=ALICE, free=U128(40))]
    assert (ext.free(ALICE), ext.issuance()) == (40, 40)


def test_force_set_balance_creates_an_account(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.call("force_set_balance", ROOT, who=Id(BOB), new_free=25)
    assert ext.events() == [
        NewAccount(account=BOB),
        Endowed(account=BOB, free_balance=U128(25)),
        Issued(amount=U128(25)),
        BalanceSet(who=BOB, free=U128(25)),
    ]
    assert ext.issuance() == 125


def test_force_set_balance_below_the_existential_deposit_reaps(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 10}).build()
    ext.call("force_set_balance", ROOT, who=Id(ALICE), new_free=9)
    assert not ext.exists(ALICE)
    assert ext.events() == [
        KilledAccount(account=ALICE),
        Rescinded(amount=U128(100)),
        BalanceSet(who=ALICE, free=U128(0)),
    ]
    assert ext.issuance() == 10


def test_force_set_balance_failures(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100}).build()
    ext.balances.reserve(ALICE, U128(30))
    assert_noop(
        ext,
        lambda: ext.call("force_set_balance", ROOT, who=Id(ALICE), new_free=0),
        ConsumerRemaining,
    )
    assert_noop(
        ext,
        lambda: ext.call("force_set_balance", Signed(ALICE), who=Id(ALICE), new_free=1_000),
        BadOrigin,
    )
    assert_noop(
        ext, lambda: ext.call("force_set_balance", ROOT, who=Index(1), new_free=1), CannotLookup
    )


# --- burn -------------------------------------------------------------------------------------


def test_burn_keep_alive_reduces_issuance(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    ext.call("burn", Signed(ALICE), value=60, keep_alive=True)
    assert_last_event(ext, Burned(who=ALICE, amount=U128(60)))
    assert (ext.free(ALICE), ext.issuance()) == (40, 140)
    assert_token_noop(
        ext,
        lambda: ext.call("burn", Signed(ALICE), value=31, keep_alive=True),
        TokenErrorKind.FUNDS_UNAVAILABLE,
    )


def test_burn_allow_death_reaps_and_destroys_dust(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).build()
    ext.call("burn", Signed(ALICE), value=95, keep_alive=False)
    assert not ext.exists(ALICE)
    assert ext.issuance() == 100
    assert ext.events() == [
        KilledAccount(account=ALICE),
        DustLost(account=ALICE, amount=U128(5)),
        Burned(who=ALICE, amount=U128(95)),
    ]


def test_burn_failures(ext_builder) -> None:
    ext = ext_builder().with_balances({ALICE: 100, CHARLIE: 1_000}).build()
    ext.balances.set_freeze(STAKE, ALICE, U128(50))
    assert_token_noop(
        ext,
        lambda: ext.call("burn", Signed(ALICE), value=51, keep_alive=False),
        TokenErrorKind.FUNDS_UNAVAILABLE,
    )
    assert_token_noop(
        ext,
        lambda: ext.call("burn", Signed(ALICE), value=101, keep_alive=False),
        TokenErrorKind.FUNDS_UNAVAILABLE,
    )
    for origin in (ROOT, NONE):
        assert_noop(
            ext,
            lambda origin=origin: ext.call("burn", origin, value=1, keep_alive=False),
            BadOrigin,
        )
