"""FRAME-style tests of the Training pallet: calls, errors and the round scenarios of the issue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.informants import Informants
from deepshard.pallets.training import (
    SCORER_REASON,
    TRAINER_REASON,
    AlreadyCommitted,
    AlreadyRevealed,
    AlreadyScored,
    Bonded,
    BondTooLow,
    CommitmentMismatch,
    Config,
    InOpenRound,
    InsufficientBond,
    InvalidCid,
    InvalidProfile,
    InvalidRoundSize,
    NoPendingSlash,
    NotBonded,
    NotCommitted,
    NotDrawnScorer,
    NotDrawnTrainer,
    NothingToWithdraw,
    ProfileMode,
    Role,
    RoundClosed,
    RoundOutcome,
    RoundPeriods,
    RoundPeriodsSet,
    RoundPhase,
    RoundProfileSet,
    RoundSize,
    RoundSizeSet,
    SaltTooLong,
    SlashCancelled,
    TooManyBonded,
    TooManyUnlockingChunks,
    Training,
    TrainingGenesis,
    TrainingProfile,
    UnknownRound,
    Withdrawn,
    WrongPhase,
    WrongScoreShape,
    ZeroAmount,
    ZeroPeriod,
    logic,
)
from deepshard.pallets.training.pallet import DEFAULT_PROFILE
from deepshard.pallets.treasury import Treasury
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.numeric import U32, U64, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import ROOT, BadOrigin, Origin, Signed
from deepshard.runtime.support.testing import assert_has_event, assert_last_event, assert_noop

from .conftest import ExtBuilder, TrainingExt, account, adapter_cid, mock_runtime, sha

ADAPTER_1 = adapter_cid(1)
"""The CID of adapter 1."""
GOOD = [2_000_000, 50_000, -1_000_000, 300_000, 10_000]
"""Statistics of an honest adapter (loss, improvement, loglik, curvature, distance)."""
BAD = [2_400_000, -350_000, -1_600_000, 900_000, 500_000]
"""Statistics of a poisoned adapter."""

Builder = Callable[[], ExtBuilder]


def honest_ext(
    builder: Builder, trainers: int = 6, scorers: int = 3, **config: object
) -> TrainingExt:
    """`trainers` trainers (accounts 1..) and `scorers` scorers (accounts 101..), bond 1,000."""
    return (
        builder()
        .trainers({account(n): 1_000 for n in range(1, trainers + 1)})
        .scorers({account(100 + n): 1_000 for n in range(1, scorers + 1)})
        .config(trainers_per_round=U32(trainers), scorers_per_round=U32(scorers), **config)
        .build()
    )


# --- bonds ----------------------------------------------------------------------------------


def test_bond_unbond_withdraw(ext_builder: Builder) -> None:
    ext = ext_builder().with_balances({account(1): 10_000}).build()
    who = account(1)
    ext.call("bond", Signed(who), role=Role.Scorer, amount=U128(500))
    assert_last_event(ext, Bonded(who=who, role=Role.Scorer, amount=U128(500)))
    assert ext.held(SCORER_REASON, who) == 500
    ext.call("unbond", Signed(who), role=Role.Scorer, amount=U128(500))
    assert_noop(
        ext, lambda: ext.call("withdraw_unbonded", Signed(who), role=Role.Scorer), NothingToWithdraw
    )
    ext.run_to_block(ext.block + 10)
    ext.call("withdraw_unbonded", Signed(who), role=Role.Scorer)
    assert_last_event(ext, Withdrawn(who=who, role=Role.Scorer, amount=U128(500)))
    assert ext.held(SCORER_REASON, who) == 0
    assert ext.training.scorer_bonds.get(who) is None


def test_bond_errors(ext_builder: Builder) -> None:
    ext = ext_builder().with_balances({account(1): 10_000}).build()
    who = account(1)
    assert_noop(ext, lambda: ext.call("bond", ROOT, role=Role.Trainer, amount=U128(500)), BadOrigin)
    assert_noop(
        ext, lambda: ext.call("bond", Signed(who), role=Role.Trainer, amount=U128(0)), ZeroAmount
    )
    assert_noop(
        ext, lambda: ext.call("bond", Signed(who), role=Role.Trainer, amount=U128(99)), BondTooLow
    )
    assert_noop(
        ext, lambda: ext.call("unbond", Signed(who), role=Role.Trainer, amount=U128(1)), NotBonded
    )
    ext.call("bond", Signed(who), role=Role.Trainer, amount=U128(200))
    assert_noop(
        ext,
        lambda: ext.call("unbond", Signed(who), role=Role.Trainer, amount=U128(150)),
        BondTooLow,
    )
    assert_noop(
        ext, lambda: ext.call("withdraw_unbonded", Signed(who), role=Role.Scorer), NotBonded
    )


# --- the scenarios -----------------------------------------------------------------------------


def test_five_honest_and_one_outlier(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder)
    issuance = ext.issuance()
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    trainers = [who for who, _ in round_.trainers]
    outlier = trainers[0]
    ext.commit_and_reveal(round_id, {who: (2 if who == outlier else 1) for who in trainers})
    ext.score(round_id, lambda _s, t: list(BAD if t == outlier else GOOD))
    ext.run_to_block(int(round_.score_ends))
    aggregated = ext.training.rounds.get(U64(round_id))
    assert aggregated is not None
    assert aggregated.outcome is RoundOutcome.Accepted
    assert aggregated.phase is RoundPhase.Dispute
    assert ext.training.pending_slashes.get(U64(round_id), outlier) is not None
    assert ext.training.current_version.get() == 0  # recorded when the round closes
    free_before = {who: ext.free(who) for who in trainers}
    ext.finish(round_id)
    assert ext.training.current_version.get() == 1
    version = ext.training.model_versions.get(U32(1))
    assert version is not None
    assert version.parent == U32(0)
    assert version.round_id == U64(round_id)
    assert [(int(a.shard), a.cid, a.sha256) for a in version.adapters] == [
        (int(round_.shard), adapter_cid(1), sha(1))
    ]
    assert int(version.held_out_loss) == GOOD[0]
    closed = ext.training.rounds.get(U64(round_id))
    assert closed is not None
    assert closed.phase is RoundPhase.Closed
    assert int(closed.slashes) == 500  # half of the outlier's 1,000
    assert ext.held(TRAINER_REASON, outlier) == 500
    assert int(closed.paid) + int(closed.to_treasury) == 1_000 + 500
    for who in trainers[1:]:
        assert ext.free(who) - free_before[who] == (1_000 + 500) // 5
    assert int(closed.to_treasury) == 0
    assert ext.training.active_round.get() is None
    minted = int(closed.paid) - int(closed.slashes) + int(closed.scorer_paid)
    assert ext.issuance() == issuance + minted
    assert_has_event(
        ext,
        RoundClosed(
            round_id=U64(round_id),
            outcome=RoundOutcome.Accepted,
            paid=closed.paid,
            to_treasury=U128(0),
        ),
    )


def test_three_against_three_accepts_and_slashes_nothing(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder)
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    trainers = [who for who, _ in round_.trainers]
    ext.commit_and_reveal(round_id, {who: 1 + i % 2 for i, who in enumerate(trainers)})
    ext.score(round_id, lambda _s, _t: list(GOOD))
    ext.finish(round_id)
    closed = ext.training.rounds.get(U64(round_id))
    assert closed is not None
    assert closed.outcome is RoundOutcome.NoConsensus
    assert int(closed.slashes) == int(closed.paid) == 0
    assert ext.training.current_version.get() == 0
    assert all(ext.held(TRAINER_REASON, who) == 1_000 for who in trainers)


def test_a_lying_scorer_is_clipped_and_paid_less(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=3, scorers=3)
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    liar = round_.scorers[0][0]
    ext.commit_and_reveal(round_id, {who: 1 for who, _ in round_.trainers})
    lie = [GOOD[0] - 900_000, GOOD[1] + 900_000, *GOOD[2:]]
    ext.score(round_id, lambda s, _t: list(lie if s == liar else GOOD))
    before = {who: ext.free(who) for who, _ in round_.scorers}
    ext.run_to_block(int(round_.score_ends))
    gains = {who: ext.free(who) - before[who] for who, _ in round_.scorers}
    honest = [gains[who] for who, _ in round_.scorers if who != liar]
    assert gains[liar] < min(honest)
    aggregated = ext.training.rounds.get(U64(round_id))
    assert aggregated is not None
    assert aggregated.outcome is RoundOutcome.Accepted


def test_a_no_show_trainer_loses_its_liveness_stake(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=3, scorers=3)
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    trainers = [who for who, _ in round_.trainers]
    absent = trainers[2]
    ext.commit_and_reveal(round_id, dict.fromkeys(trainers[:2], 1))
    assert ext.training.pending_slashes.get(U64(round_id), absent) is not None
    ext.score(round_id, lambda _s, _t: list(GOOD))
    ext.finish(round_id)
    assert ext.held(TRAINER_REASON, absent) == 990  # 1 % of 1,000
    closed = ext.training.rounds.get(U64(round_id))
    assert closed is not None
    assert int(closed.slashes) == 10


def test_root_cancels_a_pending_slash(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder)
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    trainers = [who for who, _ in round_.trainers]
    outlier = trainers[0]
    ext.commit_and_reveal(round_id, {who: (2 if who == outlier else 1) for who in trainers})
    ext.score(round_id, lambda _s, t: list(BAD if t == outlier else GOOD))
    ext.run_to_block(int(round_.score_ends))

    def cancel(origin: Origin) -> None:
        ext.call("cancel_slash", origin, round_id=U64(round_id), trainer=outlier)

    assert_noop(ext, lambda: cancel(Signed(outlier)), BadOrigin)
    cancel(ROOT)
    assert_last_event(
        ext, SlashCancelled(round_id=U64(round_id), trainer=outlier, amount=U128(500))
    )
    assert_noop(ext, lambda: cancel(ROOT), NoPendingSlash)
    ext.finish(round_id)
    assert ext.held(TRAINER_REASON, outlier) == 1_000


def test_no_improvement_makes_no_version(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=3, scorers=3)
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    ext.commit_and_reveal(round_id, {who: 1 for who, _ in round_.trainers})
    ext.score(round_id, lambda _s, _t: [GOOD[0], 0, *GOOD[2:]])
    ext.finish(round_id)
    closed = ext.training.rounds.get(U64(round_id))
    assert closed is not None
    assert closed.outcome is RoundOutcome.NoProgress
    assert int(closed.emission) == int(closed.paid) == 0
    assert ext.training.current_version.get() == 0


def test_tolerant_profile_honest_noise_flags_nobody(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, profile=_tolerant())
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    trainers = [who for who, _ in round_.trainers]
    ext.commit_and_reveal(round_id, {who: 10 + i for i, who in enumerate(trainers)})
    noise = {who: (i % 3 - 1) * 3_000 for i, who in enumerate(trainers)}
    ext.score(round_id, lambda _s, t: [g + noise[t] for g in GOOD])
    ext.finish(round_id)
    closed = ext.training.rounds.get(U64(round_id))
    assert closed is not None
    assert closed.outcome is RoundOutcome.Accepted
    assert len(closed.accepted) == 6
    assert int(closed.slashes) == 0
    version = ext.training.model_versions.get(U32(1))
    assert version is not None
    assert len(version.adapters) == 6


def _tolerant() -> TrainingProfile:
    return TrainingProfile(
        mode=ProfileMode.Tolerant,
        lora_rank=DEFAULT_PROFILE.lora_rank,
        lora_alpha=DEFAULT_PROFILE.lora_alpha,
        target_modules=DEFAULT_PROFILE.target_modules,
        learning_rate=DEFAULT_PROFILE.learning_rate,
        steps=DEFAULT_PROFILE.steps,
        batch_size=DEFAULT_PROFILE.batch_size,
    )


# --- call errors inside a round ---------------------------------------------------------------


def test_round_call_errors(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=3, scorers=3)
    round_id = U64(ext.open_round())
    round_ = ext.training.rounds.get(round_id)
    assert round_ is not None
    trainer = round_.trainers[0][0]
    scorer = round_.scorers[0][0]
    outsider = account(200)
    digest = H256(bytes(32))

    def commit(who: AccountId32, rid: U64 = round_id) -> None:
        ext.call("commit", Signed(who), round_id=rid, commitment=digest)

    assert_noop(ext, lambda: commit(trainer, U64(9)), UnknownRound)
    assert_noop(ext, lambda: commit(scorer), NotDrawnTrainer)
    assert_noop(
        ext, lambda: ext.call("withdraw_unbonded", Signed(trainer), role=Role.Trainer), InOpenRound
    )
    commit(trainer)
    assert_noop(ext, lambda: commit(trainer), AlreadyCommitted)

    def reveal(who: AccountId32, cid: bytes = ADAPTER_1) -> None:
        ext.call("reveal", Signed(who), round_id=round_id, cid=cid, sha256=sha(1), salt=b"salt")

    assert_noop(ext, lambda: reveal(trainer), WrongPhase)
    ext.run_to_block(int(round_.commit_ends))
    assert_noop(ext, lambda: commit(round_.trainers[1][0]), WrongPhase)
    assert_noop(ext, lambda: reveal(round_.trainers[1][0]), NotCommitted)
    assert_noop(ext, lambda: reveal(trainer, cid=b"\x01\x02"), InvalidCid)
    assert_noop(ext, lambda: reveal(trainer), CommitmentMismatch)
    assert_noop(ext, lambda: reveal(outsider), NotDrawnTrainer)
    ext.run_to_block(int(round_.reveal_ends))

    def scores(who: AccountId32, matrix: list[list[int]]) -> None:
        ext.call("submit_scores", Signed(who), round_id=round_id, scores=matrix)

    assert_noop(ext, lambda: scores(trainer, []), NotDrawnScorer)
    assert_noop(ext, lambda: scores(scorer, [list(GOOD)]), WrongScoreShape)
    scores(scorer, [])
    assert_noop(ext, lambda: scores(scorer, []), AlreadyScored)
    ext.finish(int(round_id))
    closed = ext.training.rounds.get(round_id)
    assert closed is not None
    assert closed.outcome is RoundOutcome.NoReveals
    # every drawn trainer but the one that committed lost its commit liveness stake; the
    # committer lost its reveal liveness stake
    assert int(closed.slashes) == 30
    assert int(closed.to_treasury) == 30


@pytest.mark.parametrize("missing", ["statistics", "periods"])
def test_integrity_test_refuses_bad_configurations(missing: str) -> None:
    base = {"currency": Balances, "treasury": Treasury, "informants": Informants}
    bad: dict[str, object] = (
        {"statistics": ()} if missing == "statistics" else {"commit_period": U32(0)}
    )
    with pytest.raises(ValueError, match="Training"):
        Training.integrity_test(Config(**base, **bad))  # type: ignore[arg-type]


def test_root_sets_the_round_periods(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=3, scorers=3)
    periods = RoundPeriods(commit=U32(1), reveal=U32(2), score=U32(3), dispute=U32(4))
    assert_noop(
        ext, lambda: ext.call("set_round_periods", Signed(account(1)), periods=periods), BadOrigin
    )
    zero = RoundPeriods(commit=U32(1), reveal=U32(0), score=U32(3), dispute=U32(4))
    assert_noop(ext, lambda: ext.call("set_round_periods", ROOT, periods=zero), ZeroPeriod)
    ext.call("set_round_periods", ROOT, periods=periods)
    assert_last_event(ext, RoundPeriodsSet(periods=periods))
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    start = int(round_.commit_ends) - 1
    assert [int(round_.reveal_ends), int(round_.score_ends), int(round_.dispute_ends)] == [
        start + 3,
        start + 6,
        start + 10,
    ]


def test_cancel_slash_errors(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=3, scorers=3)

    def cancel(rid: int) -> None:
        ext.call("cancel_slash", ROOT, round_id=U64(rid), trainer=account(1))

    assert_noop(ext, lambda: cancel(0), UnknownRound)
    ext.open_round()
    assert_noop(ext, lambda: cancel(0), NoPendingSlash)


def test_unbond_and_bond_limits(ext_builder: Builder) -> None:
    ext = (
        ext_builder()
        .with_balances({account(1): 10_000, account(2): 10_000})
        .config(max_bonded=U32(1), max_unlocking_chunks=U32(1))
        .build()
    )
    ext.call("bond", Signed(account(1)), role=Role.Trainer, amount=U128(300))
    assert_noop(
        ext,
        lambda: ext.call("bond", Signed(account(2)), role=Role.Trainer, amount=U128(300)),
        TooManyBonded,
    )
    ext.call("bond", Signed(account(2)), role=Role.Scorer, amount=U128(300))
    assert_noop(
        ext,
        lambda: ext.call("unbond", Signed(account(1)), role=Role.Trainer, amount=U128(301)),
        InsufficientBond,
    )
    ext.call("unbond", Signed(account(1)), role=Role.Trainer, amount=U128(100))
    assert_noop(
        ext,
        lambda: ext.call("unbond", Signed(account(1)), role=Role.Trainer, amount=U128(100)),
        TooManyUnlockingChunks,
    )
    assert ext.held(TRAINER_REASON, account(1)) == 300


def test_reveal_rejects_a_long_salt_and_copied_commitments(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=3, scorers=3)
    round_id = U64(ext.open_round())
    round_ = ext.training.rounds.get(round_id)
    assert round_ is not None
    first, second = round_.trainers[0][0], round_.trainers[1][0]
    digest = logic.compute_commitment(adapter_cid(1), bytes(sha(1)), b"salt", bytes(first))
    for who in (first, second):  # the second copies the first's commitment
        ext.call("commit", Signed(who), round_id=round_id, commitment=H256(digest))
    ext.run_to_block(int(round_.commit_ends))

    def reveal(who: AccountId32, salt: bytes) -> None:
        ext.call("reveal", Signed(who), round_id=round_id, cid=ADAPTER_1, sha256=sha(1), salt=salt)

    assert_noop(ext, lambda: reveal(first, b"x" * 65), SaltTooLong)
    assert_noop(ext, lambda: reveal(second, b"salt"), CommitmentMismatch)
    reveal(first, b"salt")
    assert_noop(ext, lambda: reveal(first, b"salt"), AlreadyRevealed)


def test_a_round_waits_for_a_batch_and_for_enough_bonds(ext_builder: Builder) -> None:
    ext = (
        ext_builder()
        .trainers({account(n): 1_000 for n in range(1, 3)})
        .scorers({account(100 + n): 1_000 for n in range(1, 4)})
        .config(trainers_per_round=U32(3), scorers_per_round=U32(3))
        .with_balances({account(3): 10_000})
        .build()
    )
    training_index = -1  # the last pallet's hook weight
    ext.next_block()
    assert ext.hook_weight[training_index] == Weight.from_parts(1, 0)  # base only: no batch
    ext.queue_batch()
    ext.next_block()
    assert ext.training.active_round.get() is None  # two trainers: the cheap check says no
    assert ext.hook_weight[training_index] == Weight.from_parts(1, 0)
    ext.call("bond", Signed(account(3)), role=Role.Trainer, amount=U128(500))
    ext.call("unbond", Signed(account(3)), role=Role.Trainer, amount=U128(500))
    ext.next_block()  # three ledgers but two active trainers: attempted, priced, not opened
    assert ext.training.active_round.get() is None
    assert ext.hook_weight[training_index] == Weight.from_parts(1 + 1 + 6, 0)
    ext.call("bond", Signed(account(3)), role=Role.Trainer, amount=U128(500))
    ext.next_block()
    assert ext.training.active_round.get() == U64(0)


@pytest.mark.parametrize(
    ("genesis", "message"),
    [
        ({"base_model_cid": b"\x01\x02"}, "valid CIDs"),
        ({"shards": ((U32(0), U32(4)), (U32(5), U32(8)))}, "tile"),
        ({"layer_count": U32(9)}, "cover every layer"),
        ({"trainers": ((account(1), U128(100)), (account(1), U128(100)))}, "listed twice"),
        ({"scorers": ((account(1), U128(99)),)}, "below the minimum"),
    ],
)
def test_genesis_refuses_bad_models_and_bonds(genesis: dict[str, Any], message: str) -> None:
    runtime = mock_runtime()
    with pytest.raises(ValueError, match=message):
        TrainingExt(
            runtime,
            genesis={
                Balances: BalancesGenesis(balances=((account(1), U128(10_000)),)),
                Training: TrainingGenesis(**genesis),
            },
        )


def test_an_account_bonded_in_both_roles_is_drawn_in_one(ext_builder: Builder) -> None:
    both = {account(n): 1_000 for n in range(1, 5)}
    ext = (
        ext_builder()
        .trainers(both)
        .scorers({**both, account(9): 1_000, account(10): 1_000})
        .config(trainers_per_round=U32(3), scorers_per_round=U32(3))
        .build()
    )
    round_id = ext.open_round()
    round_ = ext.training.rounds.get(U64(round_id))
    assert round_ is not None
    trainers = {bytes(w) for w, _ in round_.trainers}
    scorers = {bytes(w) for w, _ in round_.scorers}
    assert len(trainers) == len(scorers) == 3
    assert not trainers & scorers


# --- round rules: genesis and Root --------------------------------------------------------------


def _profile(**change: Any) -> TrainingProfile:
    return replace(DEFAULT_PROFILE, **change)


def test_root_sets_the_round_profile_and_size(ext_builder: Builder) -> None:
    ext = honest_ext(ext_builder, trainers=4, scorers=3)
    dev = _profile(steps=U32(20), batch_size=U32(4), learning_rate=U64(2_000_000))
    size = RoundSize(trainers=U32(3), scorers=U32(2))
    user = Signed(account(1))
    assert_noop(ext, lambda: ext.call("set_round_profile", user, profile=dev), BadOrigin)
    assert_noop(ext, lambda: ext.call("set_round_size", user, size=size), BadOrigin)
    for bad in (_profile(steps=U32(0)), _profile(lora_rank=U32(0)), _profile(target_modules=())):
        assert_noop(
            ext, lambda bad=bad: ext.call("set_round_profile", ROOT, profile=bad), InvalidProfile
        )
    for trainers, scorers in ((0, 1), (1, 0), (5, 1), (1, 4)):
        wrong = RoundSize(trainers=U32(trainers), scorers=U32(scorers))
        assert_noop(ext, lambda w=wrong: ext.call("set_round_size", ROOT, size=w), InvalidRoundSize)
    ext.call("set_round_profile", ROOT, profile=dev)
    assert_last_event(ext, RoundProfileSet(profile=dev))
    ext.call("set_round_size", ROOT, size=size)
    assert_last_event(ext, RoundSizeSet(size=size))
    # A tolerant round needs its quorum (3) of trainers drawn.
    two = RoundSize(trainers=U32(2), scorers=U32(2))
    ext.call("set_round_size", ROOT, size=two)
    tolerant = _profile(mode=ProfileMode.Tolerant)
    assert_noop(ext, lambda: ext.call("set_round_profile", ROOT, profile=tolerant), InvalidProfile)
    ext.call("set_round_size", ROOT, size=size)
    ext.call("set_round_profile", ROOT, profile=tolerant)
    assert_noop(ext, lambda: ext.call("set_round_size", ROOT, size=two), InvalidRoundSize)
    ext.call("set_round_profile", ROOT, profile=dev)
    # The next round pins them; changing them mid-round leaves the open round as it was.
    round_id = U64(ext.open_round())
    round_ = ext.training.rounds.get(round_id)
    assert round_ is not None
    assert round_.profile == dev
    assert (len(round_.trainers), len(round_.scorers)) == (3, 2)
    ext.call("set_round_profile", ROOT, profile=tolerant)
    still = ext.training.rounds.get(round_id)
    assert still is not None
    assert still.profile == dev


def test_genesis_chooses_the_round_rules(ext_builder: Builder) -> None:
    periods = RoundPeriods(commit=U32(2), reveal=U32(1), score=U32(3), dispute=U32(1))
    dev = _profile(steps=U32(20), batch_size=U32(4))
    ext = (
        ext_builder()
        .trainers({account(n): 1_000 for n in range(1, 5)})
        .scorers({account(100 + n): 1_000 for n in range(1, 3)})
        .config(trainers_per_round=U32(5), scorers_per_round=U32(5))
        .rules(
            round_periods=periods,
            round_profile=dev,
            round_size=RoundSize(trainers=U32(4), scorers=U32(2)),
        )
        .build()
    )
    assert ext.training.current_periods() == periods
    round_id = U64(ext.open_round())
    round_ = ext.training.rounds.get(round_id)
    assert round_ is not None
    assert round_.profile == dev
    assert (len(round_.trainers), len(round_.scorers)) == (4, 2)
    assert int(round_.dispute_ends) - int(round_.commit_ends) == 1 + 3 + 1


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"round_size": RoundSize(trainers=U32(4), scorers=U32(2))}, "trainers per round"),
        ({"round_profile": _profile(batch_size=U32(0))}, "batch size"),
        (
            {
                "round_periods": RoundPeriods(
                    commit=U32(1), reveal=U32(0), score=U32(1), dispute=U32(1)
                )
            },
            "at least one block",
        ),
    ],
)
def test_genesis_refuses_bad_round_rules(
    ext_builder: Builder, rules: dict[str, Any], message: str
) -> None:
    builder = ext_builder().config(trainers_per_round=U32(3)).rules(**rules)
    with pytest.raises(ValueError, match=message):
        builder.build()
