"""Scenarios of a batch's life: accepted and paid, rejected and slashed, expired, the large
curator alone, changed votes, unbonding during a vote, and closings carried over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deepshard.pallets.informants import (
    CURATOR_REASON,
    DEPOSIT_REASON,
    STAKE_REASON,
    BatchAccepted,
    BatchExpired,
    BatchPhase,
    BatchRejected,
    ClosingCarriedOver,
    ClosingPending,
    CuratorRewardClaimed,
    CuratorsRewarded,
    InformantRewarded,
    InformantSlashed,
    NotCurator,
)
from deepshard.pallets.treasury import Deposit, RewardMinted
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U32, U64, U128, Perbill
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import Signed
from deepshard.runtime.support.testing import assert_has_event, assert_noop

from .conftest import ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE, InformantsExt, scores
from .test_informants_calls import submit

CURATORS = (BOB, CHARLIE, DAVE, EVE)


def claim(ext: InformantsExt, who: AccountId32, batch_id: int) -> int:
    """Claim a curator's vote; return the reward paid."""
    ext.call("claim_curator_reward", Signed(who), batch_id=batch_id)
    event = ext.events()[-1]
    assert isinstance(event, CuratorRewardClaimed)
    return int(event.amount)


def vote(ext: InformantsExt, who: AccountId32, batch_id: int, aye: bool, *parts: int) -> None:
    """Cast a vote (scores default to 50 %)."""
    ext.call("vote", Signed(who), batch_id=batch_id, aye=aye, scores=scores(*(parts or (50,))))


def test_honest_batch_is_accepted_and_paid(ext: InformantsExt) -> None:
    issuance = ext.issuance()
    free = ext.free(ALICE)
    batch_id = submit(ext, stake=500)
    # Four equal curators; the per-criterion medians are 80, 70, 90, 60, 100 -> quality 80 %.
    vote(ext, BOB, batch_id, True, 80, 70, 90, 60, 100)
    vote(ext, CHARLIE, batch_id, True, 90, 70, 90, 60, 100)
    vote(ext, DAVE, batch_id, True, 80, 10, 95, 60, 100)
    vote(ext, EVE, batch_id, True, 10, 90, 20, 70, 100)
    curator_free = {who: ext.free(who) for who in CURATORS}
    ext.run_to_block(11)
    batch = ext.informants.batches.get(U64(batch_id))
    assert batch is not None
    assert batch.phase is BatchPhase.Accepted
    value = 80 * 100 * 10 // 100  # quality 80 % x ValuePerSqrtItem 100 x isqrt(100 items)
    assert batch.value == U128(value)
    turnout = Perbill.from_parts(200_000_000)  # four capped votes of 20 out of 400
    assert_has_event(
        ext,
        BatchAccepted(
            batch_id=U64(0),
            value=U128(value),
            turnout=turnout,
            threshold=Perbill.from_parts(733_333_334),
        ),
    )
    assert_has_event(ext, InformantRewarded(batch_id=U64(0), informant=ALICE, amount=U128(value)))
    assert ext.informants.batch_reward(U64(0)) == (ALICE, U128(value))
    assert_has_event(ext, RewardMinted(who=ALICE, amount=U128(value)))
    assert_has_event(ext, CuratorsRewarded(batch_id=U64(0), total=U128(100)))
    assert ext.free(ALICE) == free - 10 + value  # the deposit stays until training takes it
    assert ext.held(STAKE_REASON, ALICE) == 0
    assert ext.informants.training_queue_head() == U64(batch_id)
    assert ext.informants.open_batches.get(ALICE) == ()
    assert ext.informants.score_histograms.get(U64(batch_id)) is None
    # the training pallet takes it: deposit back; kept while votes are unclaimed
    taken = ext.informants.take_for_training()
    assert taken is not None
    assert taken[0] == U64(batch_id)
    assert ext.held(DEPOSIT_REASON, ALICE) == 0
    assert ext.informants.training_queue_head() is None
    assert ext.informants.take_for_training() is None
    stored = ext.informants.batches.get(U64(batch_id))
    assert stored is not None
    assert stored.phase is BatchPhase.Trained
    # each curator claims an equal share; the last claim removes the batch
    for who in CURATORS:
        assert claim(ext, who, batch_id) == 25
        assert ext.free(who) == curator_free[who] + 25
    assert ext.issuance() == issuance + value + 100
    assert ext.informants.batches.get(U64(batch_id)) is None


def test_spam_batch_is_rejected_and_slashed(ext: InformantsExt) -> None:
    pot = int(ext.treasury.pot())
    free = ext.free(ALICE)
    batch_id = submit(ext, stake=100)
    for who in (BOB, CHARLIE, DAVE):
        vote(ext, who, batch_id, False, 0)
    vote(ext, EVE, batch_id, True, 90)
    eve = ext.free(EVE)
    ext.run_to_block(11)
    assert_has_event(
        ext,
        BatchRejected(
            batch_id=U64(0),
            turnout=Perbill.from_parts(200_000_000),
            threshold=Perbill.from_parts(733_333_334),
        ),
    )
    assert_has_event(ext, InformantSlashed(batch_id=U64(0), informant=ALICE, amount=U128(20)))
    assert_has_event(ext, Deposit(value=U128(20)))
    assert int(ext.treasury.pot()) == pot + 20
    assert ext.free(ALICE) == free - 20
    assert ext.held(STAKE_REASON, ALICE) == ext.held(DEPOSIT_REASON, ALICE) == 0
    # the three on the winning side share 100 exactly (33, 33, 34); the honest minority is
    # not slashed and gets nothing
    assert_has_event(ext, CuratorsRewarded(batch_id=U64(0), total=U128(100)))
    paid = [claim(ext, who, batch_id) for who in (BOB, CHARLIE, DAVE, EVE)]
    assert paid == [33, 33, 34, 0]
    assert ext.free(EVE) == eve
    assert ext.informants.batches.get(U64(batch_id)) is None


def test_low_turnout_expires(ext: InformantsExt) -> None:
    free = ext.free(ALICE)
    issuance = ext.issuance()
    batch_id = submit(ext)
    vote(ext, BOB, batch_id, True, 100)
    ext.run_to_block(11)
    assert_has_event(ext, BatchExpired(batch_id=U64(0), turnout=Perbill.from_parts(50_000_000)))
    assert ext.free(ALICE) == free
    assert ext.issuance() == issuance
    assert not [e for e in ext.events() if isinstance(e, CuratorsRewarded)]
    assert claim(ext, BOB, batch_id) == 0
    assert ext.informants.batches.get(U64(batch_id)) is None


def test_one_large_curator_alone_cannot_pass_a_batch(ext: InformantsExt) -> None:
    ext.call("bond_curator", Signed(FERDIE), amount=5_000)  # 5,000 of 5,400 bonded
    batch_id = submit(ext)
    vote(ext, FERDIE, batch_id, True, 100)
    ext.run_to_block(11)
    # its weight is capped at 5 % of the bond, below the 10 % quorum
    assert_has_event(ext, BatchExpired(batch_id=U64(0), turnout=Perbill.from_parts(50_000_000)))
    # with one small curator beside it, still no quorum (370 of 5,400)
    batch_id = submit(ext)
    vote(ext, FERDIE, batch_id, True, 100)
    vote(ext, BOB, batch_id, True, 100)
    ext.run_to_block(21)
    assert_has_event(ext, BatchExpired(batch_id=U64(1), turnout=Perbill.from_parts(68_518_518)))
    # the small curators decide together with it: 670 of 5,400 vote, 570 aye (85 % > 78.7 %)
    batch_id = submit(ext)
    for who in (FERDIE, BOB, CHARLIE, DAVE):
        vote(ext, who, batch_id, True, 100)
    vote(ext, EVE, batch_id, False, 0)
    ext.run_to_block(31)
    assert any(isinstance(e, BatchAccepted) and e.batch_id == U64(2) for e in ext.events())


def test_changed_votes_count_as_last_cast(ext: InformantsExt) -> None:
    batch_id = submit(ext)
    for who in CURATORS:
        vote(ext, who, batch_id, True, 90)
    for who in (BOB, CHARLIE, DAVE):
        vote(ext, who, batch_id, False, 0)
    ext.run_to_block(11)
    assert any(isinstance(e, BatchRejected) for e in ext.events())
    paid = [claim(ext, who, batch_id) for who in CURATORS]
    assert paid == [33, 33, 34, 0]


def test_unbonding_while_a_vote_is_open_keeps_the_cast_vote(ext: InformantsExt) -> None:
    batch_id = submit(ext)
    for who in (BOB, CHARLIE, DAVE):
        vote(ext, who, batch_id, True, 90)
    vote(ext, EVE, batch_id, False, 0)
    # the three ayes unbond everything while the vote is open: their votes keep the weight
    # they were cast with, because the bond behind them stays held until the batch is decided
    for who in (BOB, CHARLIE, DAVE):
        ext.call("unbond_curator", Signed(who), amount=100)
        assert ext.held(CURATOR_REASON, who) == 100
    assert_noop(ext, lambda: vote(ext, BOB, batch_id, False, 0), NotCurator)
    ext.run_to_block(11)  # decided first, in on_initialize ...
    assert any(isinstance(e, BatchAccepted) for e in ext.events())
    ext.call("withdraw_unbonded", Signed(BOB))  # ... then the bond can leave
    assert ext.held(CURATOR_REASON, BOB) == 0
    assert claim(ext, BOB, batch_id) == 33  # and the reward is still claimable


def test_closings_are_carried_over_within_the_weight_budget(
    ext_builder: Callable[[], Any],
) -> None:
    # Unit weights: base 1, scheduling 1 + 1 per batch, closing 1 whatever its votes.
    # Budget 8: the base, the scheduling of 4 batches and two closings fit, not a third.
    informants = [AccountId32(bytes([0x10 + n]) * 32) for n in range(4)]
    ext = (
        ext_builder()
        .with_balances(dict.fromkeys((*informants, *CURATORS), 1000))
        .curators(dict.fromkeys(CURATORS, 100))
        .config(
            max_closing_weight=Weight.from_parts(8, 0),
            max_batches_per_block=U32(4),
            max_votes_per_batch=U32(2),
        )
        .budget(10_000)
        .build()
    )
    ids = [submit(ext, who=who) for who in informants]
    for batch_id in ids:
        vote(ext, BOB, batch_id, True, 80)
        vote(ext, CHARLIE, batch_id, True, 80)
    ext.run_to_block(11)
    assert ext.hook_weight[-1] == Weight.from_parts(1 + 5 + 1 + 1, 0)
    assert_has_event(ext, ClosingCarriedOver(waiting=U64(2)))
    phases = [ext.informants.batches.get(U64(i)).phase for i in ids]  # type: ignore[union-attr]
    assert phases.count(BatchPhase.Accepted) == 2
    assert phases.count(BatchPhase.Closing) == 2
    ext.next_block()
    assert ext.hook_weight[-1] == Weight.from_parts(1 + 1 + 1, 0)
    phases = [ext.informants.batches.get(U64(i)).phase for i in ids]  # type: ignore[union-attr]
    assert phases == [BatchPhase.Accepted] * 4
    assert [int(ext.informants.take_for_training()[0]) for _ in ids] == ids  # type: ignore[index]


def test_no_withdrawal_while_closings_wait(ext_builder: Callable[[], Any]) -> None:
    informants = [AccountId32(bytes([0x10 + n]) * 32) for n in range(2)]
    ext = (
        ext_builder()
        .with_balances(dict.fromkeys((*informants, *CURATORS), 1000))
        .curators(dict.fromkeys(CURATORS, 100))
        .config(max_closing_weight=Weight.from_parts(5, 0), max_batches_per_block=U32(2))
        .build()
    )
    ids = [submit(ext, who=who) for who in informants]
    for batch_id in ids:
        vote(ext, BOB, batch_id, True, 80)
        vote(ext, CHARLIE, batch_id, True, 80)
    ext.call("unbond_curator", Signed(BOB), amount=100)  # unlocks at block 11
    ext.run_to_block(11)  # budget 5: base 1 + scheduling 3 + one closing; one carried over
    assert_noop(ext, lambda: ext.call("withdraw_unbonded", Signed(BOB)), ClosingPending)
    ext.next_block()  # the second batch is decided
    ext.call("withdraw_unbonded", Signed(BOB))
