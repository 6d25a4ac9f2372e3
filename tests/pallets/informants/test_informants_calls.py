"""FRAME-style tests of every Informants call and error (`assert_noop`: nothing changes)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from deepshard.pallets.balances import Balances
from deepshard.pallets.informants import (
    CURATOR_REASON,
    DEPOSIT_REASON,
    STAKE_REASON,
    BatchPhase,
    BatchSubmitted,
    BondTooLow,
    CuratorBonded,
    CuratorRewardClaimed,
    CuratorUnbonded,
    DeadlineFull,
    EmptyBatch,
    InformantCannotVote,
    Informants,
    InformantsWeights,
    InsufficientBond,
    InvalidCid,
    InvalidMetadataCid,
    NotCurator,
    NotDecided,
    NothingToWithdraw,
    NoVote,
    StakeTooLow,
    TooManyOpenBatches,
    TooManyUnlockingChunks,
    TooManyVotes,
    UnknownBatch,
    Voted,
    VotingClosed,
    VotingPeriodSet,
    VotingPeriodTooLong,
    Withdrawn,
    ZeroAmount,
    ZeroVotingPeriod,
)
from deepshard.pallets.informants import Config as InformantsConfig
from deepshard.pallets.system import System
from deepshard.pallets.treasury import Treasury
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U32, U64, U128, Perbill
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import ROOT, BadOrigin, Signed, TokenError
from deepshard.runtime.support.testing import assert_last_event, assert_noop

from .conftest import ALICE, BOB, CHARLIE, CID_V0, CID_V1_RAW, DAVE, FERDIE, InformantsExt, scores


def submit(ext: InformantsExt, who: AccountId32 = ALICE, stake: int = 100, **over: object) -> int:
    """Submit a batch and return its id."""
    args: dict[str, object] = {
        "cid": CID_V0,
        "byte_size": 1_000,
        "item_count": 100,
        "stake": stake,
        "metadata_cid": b"",
    }
    args.update(over)
    batch_id = int(ext.informants.next_batch_id.get())
    ext.call("submit_batch", Signed(who), **args)
    return batch_id


# --- submit_batch ---------------------------------------------------------------------------


def test_submit_batch_holds_stake_and_deposit(ext: InformantsExt) -> None:
    free = ext.free(ALICE)
    batch_id = submit(ext, stake=300, cid=CID_V1_RAW, metadata_cid=CID_V0)
    batch = ext.informants.batches.get(U64(batch_id))
    assert batch is not None
    assert (batch.informant, batch.cid, batch.metadata_cid) == (ALICE, CID_V1_RAW, CID_V0)
    assert (batch.stake, batch.phase, batch.voting_ends) == (U128(300), BatchPhase.Voting, U32(11))
    assert ext.held(STAKE_REASON, ALICE) == 300
    assert ext.held(DEPOSIT_REASON, ALICE) == 10
    assert ext.free(ALICE) == free - 310
    assert ext.informants.open_batches.get(ALICE) == (U64(0),)
    assert ext.informants.deadlines.get(U32(11)) == (U64(0),)
    assert_last_event(
        ext,
        BatchSubmitted(
            batch_id=U64(0), informant=ALICE, cid=CID_V1_RAW, stake=U128(300), voting_ends=U32(11)
        ),
    )


@pytest.mark.parametrize(
    ("over", "error"),
    [
        ({"cid": b"\x12\x20" + bytes(31)}, InvalidCid),
        ({"cid": bytes.fromhex("0171122000") + bytes(31)}, InvalidCid),  # dag-cbor
        ({"metadata_cid": b"junk"}, InvalidMetadataCid),
        ({"byte_size": 0}, EmptyBatch),
        ({"item_count": 0}, EmptyBatch),
        ({"stake": 99}, StakeTooLow),
        ({"stake": 1_000_000}, TokenError),  # more than Alice has
    ],
)
def test_submit_batch_errors(ext: InformantsExt, over: dict[str, object], error: type) -> None:
    assert_noop(ext, lambda: submit(ext, **over), error)  # type: ignore[arg-type]


def test_submit_batch_needs_a_signed_origin(ext: InformantsExt) -> None:
    assert_noop(
        ext,
        lambda: ext.call(
            "submit_batch",
            ROOT,
            cid=CID_V0,
            byte_size=1,
            item_count=1,
            stake=100,
            metadata_cid=b"",
        ),
        BadOrigin,
    )


def test_open_batches_per_account_are_bounded(ext: InformantsExt) -> None:
    for _ in range(4):
        submit(ext)
    assert_noop(ext, lambda: submit(ext), TooManyOpenBatches)
    assert submit(ext, who=FERDIE) == 4  # another account still may


def test_batches_ending_in_one_block_are_bounded(ext_builder: object) -> None:
    ext = (
        ext_builder()  # type: ignore[operator]
        .with_balances({ALICE: 10_000, FERDIE: 10_000})
        .config(max_batches_per_block=U32(2))
        .build()
    )
    submit(ext)
    submit(ext)
    assert_noop(ext, lambda: submit(ext, who=FERDIE), DeadlineFull)
    ext.next_block()
    submit(ext, who=FERDIE)  # ends one block later


# --- curators -----------------------------------------------------------------------------------


def test_bond_curator(ext: InformantsExt) -> None:
    ext.call("bond_curator", Signed(FERDIE), amount=500)
    assert ext.informants.curators.get(FERDIE).active == U128(500)  # type: ignore[union-attr]
    assert ext.held(CURATOR_REASON, FERDIE) == 500
    assert ext.informants.total_curator_bond.get() == U128(900)
    assert_last_event(ext, CuratorBonded(who=FERDIE, amount=U128(500)))
    ext.call("bond_curator", Signed(FERDIE), amount=1)  # topping up below the minimum is fine
    assert ext.held(CURATOR_REASON, FERDIE) == 501


@pytest.mark.parametrize(
    ("amount", "error"), [(0, ZeroAmount), (49, BondTooLow), (1_000_000, TokenError)]
)
def test_bond_curator_errors(ext: InformantsExt, amount: int, error: type) -> None:
    assert_noop(ext, lambda: ext.call("bond_curator", Signed(FERDIE), amount=amount), error)


def test_unbond_and_withdraw(ext: InformantsExt) -> None:
    ext.call("unbond_curator", Signed(BOB), amount=40)
    assert_last_event(ext, CuratorUnbonded(who=BOB, amount=U128(40), unlock_at=U32(11)))
    ledger = ext.informants.curators.get(BOB)
    assert ledger is not None
    assert ledger.active == U128(60)
    assert ext.held(CURATOR_REASON, BOB) == 100  # still held while unbonding
    assert ext.informants.total_curator_bond.get() == U128(360)
    assert_noop(ext, lambda: ext.call("withdraw_unbonded", Signed(BOB)), NothingToWithdraw)
    ext.run_to_block(11)
    free = ext.free(BOB)
    ext.call("withdraw_unbonded", Signed(BOB))
    assert_last_event(ext, Withdrawn(who=BOB, amount=U128(40)))
    assert ext.free(BOB) == free + 40
    assert ext.held(CURATOR_REASON, BOB) == 60


def test_unbonding_everything_removes_the_ledger_after_withdrawal(ext: InformantsExt) -> None:
    ext.call("unbond_curator", Signed(BOB), amount=100)
    ext.run_to_block(11)
    ext.call("withdraw_unbonded", Signed(BOB))
    assert ext.informants.curators.get(BOB) is None
    assert ext.held(CURATOR_REASON, BOB) == 0


@pytest.mark.parametrize(
    ("who", "amount", "error"),
    [
        (BOB, 0, ZeroAmount),
        (FERDIE, 10, NotCurator),
        (BOB, 101, InsufficientBond),
        (BOB, 51, BondTooLow),  # 49 would remain active
    ],
)
def test_unbond_errors(ext: InformantsExt, who: AccountId32, amount: int, error: type) -> None:
    assert_noop(ext, lambda: ext.call("unbond_curator", Signed(who), amount=amount), error)


def test_unlocking_chunks_are_bounded(ext_builder: object) -> None:
    ext = (
        ext_builder()  # type: ignore[operator]
        .with_balances({BOB: 1_000})
        .curators({BOB: 500})
        .build()
    )
    for _ in range(4):
        ext.call("unbond_curator", Signed(BOB), amount=10)
    assert_noop(
        ext, lambda: ext.call("unbond_curator", Signed(BOB), amount=10), TooManyUnlockingChunks
    )


def test_withdraw_needs_a_curator(ext: InformantsExt) -> None:
    assert_noop(ext, lambda: ext.call("withdraw_unbonded", Signed(FERDIE)), NotCurator)


# --- vote -----------------------------------------------------------------------------------------


def test_vote_and_change_it(ext: InformantsExt) -> None:
    batch_id = submit(ext)
    ext.call("vote", Signed(BOB), batch_id=batch_id, aye=True, scores=scores(80))
    assert_last_event(ext, Voted(batch_id=U64(0), curator=BOB, aye=True, changed=False))
    ext.call("vote", Signed(BOB), batch_id=batch_id, aye=False, scores=scores(10))
    assert_last_event(ext, Voted(batch_id=U64(0), curator=BOB, aye=False, changed=True))
    vote = ext.informants.votes.get(U64(batch_id), BOB)
    assert vote is not None
    assert not vote.aye
    assert vote.scores == scores(10)
    assert ext.informants.batches.get(U64(batch_id)).vote_count == U32(1)  # type: ignore[union-attr]


def test_vote_errors(ext: InformantsExt) -> None:
    batch_id = submit(ext)
    ext.call("bond_curator", Signed(ALICE), amount=100)

    def vote(who: AccountId32, batch: int = batch_id) -> None:
        ext.call("vote", Signed(who), batch_id=batch, aye=True, scores=scores(50))

    assert_noop(ext, lambda: vote(BOB, 7), UnknownBatch)
    assert_noop(ext, lambda: vote(ALICE), InformantCannotVote)
    assert_noop(ext, lambda: vote(FERDIE), NotCurator)
    ext.call("unbond_curator", Signed(CHARLIE), amount=100)
    assert_noop(ext, lambda: vote(CHARLIE), NotCurator)  # nothing active
    for who in (BOB, DAVE):
        vote(who)
    ext.run_to_block(11)  # accepted: still stored, no longer in voting
    assert ext.informants.batches.get(U64(batch_id)).phase is BatchPhase.Accepted  # type: ignore[union-attr]
    assert_noop(ext, lambda: vote(BOB), VotingClosed)


def test_votes_per_batch_are_bounded(ext_builder: object) -> None:
    ext = (
        ext_builder()  # type: ignore[operator]
        .with_balances({ALICE: 10_000, BOB: 1_000, CHARLIE: 1_000, DAVE: 1_000})
        .curators({BOB: 100, CHARLIE: 100, DAVE: 100})
        .config(max_votes_per_batch=U32(2))
        .build()
    )
    batch_id = submit(ext)
    for who in (BOB, CHARLIE):
        ext.call("vote", Signed(who), batch_id=batch_id, aye=True, scores=scores(50))
    assert_noop(
        ext,
        lambda: ext.call("vote", Signed(DAVE), batch_id=batch_id, aye=True, scores=scores(50)),
        TooManyVotes,
    )
    # changing a vote is not a new vote
    ext.call("vote", Signed(BOB), batch_id=batch_id, aye=False, scores=scores(5))


# --- set_voting_period ---------------------------------------------------------------------------


def test_set_voting_period(ext: InformantsExt) -> None:
    assert_noop(ext, lambda: ext.call("set_voting_period", Signed(ALICE), period=3), BadOrigin)
    assert_noop(ext, lambda: ext.call("set_voting_period", ROOT, period=0), ZeroVotingPeriod)
    assert_noop(ext, lambda: ext.call("set_voting_period", ROOT, period=11), VotingPeriodTooLong)
    ext.call("set_voting_period", ROOT, period=3)
    assert_last_event(ext, VotingPeriodSet(period=U32(3)))
    batch_id = submit(ext)
    assert ext.informants.batches.get(U64(batch_id)).voting_ends == U32(4)  # type: ignore[union-attr]


def test_every_call_has_a_weight_method() -> None:
    for info in Informants.CALLS:
        assert hasattr(InformantsWeights, info.name), info.name


# --- claim_curator_reward ----------------------------------------------------------------------


def test_claim_curator_reward_errors(ext: InformantsExt) -> None:
    batch_id = submit(ext)
    ext.call("vote", Signed(BOB), batch_id=batch_id, aye=True, scores=scores(50))

    def claim(who: AccountId32, batch: int = batch_id) -> None:
        ext.call("claim_curator_reward", Signed(who), batch_id=batch)

    assert_noop(ext, lambda: claim(BOB, 9), UnknownBatch)
    assert_noop(ext, lambda: claim(BOB), NotDecided)
    ext.run_to_block(11)  # expired: one vote of 20 out of 400
    assert_noop(ext, lambda: claim(CHARLIE), NoVote)
    claim(BOB)
    assert_last_event(ext, CuratorRewardClaimed(batch_id=U64(0), curator=BOB, amount=U128(0)))
    assert ext.informants.batches.get(U64(batch_id)) is None  # nothing left to keep


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"currency": System}, "lacks"),
        (
            {"threshold_curve": ((Perbill.from_parts(0), Perbill.from_parts(400_000_000)),)},
            "ThresholdCurve",
        ),
        ({"criterion_weights": (Perbill.from_parts(1),) * 5}, "sum to one"),
        ({"max_curator_share": Perbill.from_parts(100_000_000)}, "MaxCuratorShare"),
        ({"default_voting_period": U32(0)}, "positive"),
        ({"unbonding_period": U32(9)}, "UnbondingPeriod"),
        ({"max_closing_weight": Weight.from_parts(2, 0)}, "exceeds MaxClosingWeight"),
    ],
)
def test_integrity_test_refuses_bad_configurations(overrides: dict[str, Any], message: str) -> None:
    config = InformantsConfig(currency=Balances, treasury=Treasury)
    with pytest.raises(ValueError, match=message):
        Informants.integrity_test(dataclasses.replace(config, **overrides))
