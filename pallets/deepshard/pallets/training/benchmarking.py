"""Benchmarks of the Training pallet: the worst case of every call and of each step of a round.

Each setup runs on fresh genesis state of the runtime being benchmarked (its own configuration:
minimum bonds, periods, the statistics layout), funds the accounts it needs, builds the worst
case and returns the action the benchmark step measures. Round steps are measured on rounds
written straight into storage with the component's number of drawn trainers and scorers (up to
`MAX_TRAINERS` x `MAX_SCORERS` x `MAX_STATISTICS`, the issue's worst case), whatever the
runtime's own round size. ``deepshard benchmark pallet --pallet training`` fits the
measurements and writes ``weights.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from deepshard.pallets.informants import DEPOSIT_REASON, Batch, BatchPhase
from deepshard.pallets.training import logic
from deepshard.pallets.training.logic import Role, RoundOutcome, RoundPhase
from deepshard.pallets.training.pallet import Training
from deepshard.pallets.training.types import (
    PendingSlash,
    Reveal,
    Round,
    RoundPeriods,
    RoundSize,
    StatisticSpec,
    TrainingProfile,
)
from deepshard.pallets.training.weights import TrainingWeights
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.numeric import I64, U32, U64, U128
from deepshard.runtime.support import ROOT, Origin, Signed
from deepshard.runtime.support.benchmarking import BenchmarkSuite, Component, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = [
    "SUITE",
    "MAX_TRAINERS",
    "MAX_SCORERS",
    "MAX_STATISTICS",
    "MAX_CANDIDATES",
    "account",
    "layout_of",
    "queue_accepted_batch",
    "round_with",
]

MAX_TRAINERS: Final = 64
"""The most trainers a round step is benchmarked with."""
MAX_SCORERS: Final = 16
"""The most scorers a round step is benchmarked with."""
MAX_STATISTICS: Final = 8
"""The widest statistics layout the aggregation is benchmarked with."""
MAX_CANDIDATES: Final = 512
"""The most bonded accounts (both roles) a draw is benchmarked with (2 x the runtime's
``MaxBonded``)."""

Action = Callable[[], object]


def account(n: int) -> AccountId32:
    """The `n`-th benchmark account."""
    return AccountId32(b"bench:" + n.to_bytes(26, "big"))


def adapter_cid(n: int) -> bytes:
    """A CIDv1 (raw, sha2-256) for adapter `n`."""
    return bytes.fromhex("01551220") + n.to_bytes(32, "big")


def fund(ext: TestExternalities, who: AccountId32) -> None:
    """Give `who` plenty of free balance (minted through the configured currency)."""
    pallet = ext.pallet(Training)
    currency: Any = ext.ctx.pallet(pallet.config.currency)
    currency.deposit_creating(who, U128(10**30))


def call(ext: TestExternalities, name: str, origin: Origin, **arguments: Any) -> Action:
    """The action of dispatching ``Training.<name>`` (as an extrinsic would, in a layer)."""
    runtime = ext.runtime
    outer = runtime.make_call(Training, name, **arguments)
    return lambda: runtime.dispatch(ext.ctx, outer, origin)


def bonded(ext: TestExternalities, n: int, role: Role) -> AccountId32:
    """Fund account `n` and bond it in `role` with ten times the minimum."""
    who = account(n)
    fund(ext, who)
    pallet = ext.pallet(Training)
    pallet.do_bond(who, role, pallet.min_bond(role) * U128(10))
    return who


def layout_of(ext: TestExternalities, width: int) -> tuple[StatisticSpec, ...]:
    """A statistics layout `width` wide: the configured one, cut or extended."""
    layout = list(ext.pallet(Training).config.statistics)
    for index in range(len(layout), width):
        name = f"extra_{index}".encode()
        layout.append(StatisticSpec(name=name, higher_is_better=True, floor=I64(10_000)))
    return tuple(layout[:width])


def queue_accepted_batch(ext: TestExternalities, informant: AccountId32) -> U64:
    """Put an accepted batch of `informant` at the training queue's tail, as a closing does.

    The batch's storage deposit is held, the batch stored as ``Accepted`` (no votes left to
    claim) and the queue extended; returns its id.
    """
    informants: Any = ext.ctx.pallet(ext.pallet(Training).config.informants)
    currency: Any = ext.ctx.pallet(informants.config.currency)
    batch_id = informants.next_batch_id.get()
    informants.next_batch_id.put(batch_id + U64(1))
    deposit = informants.config.batch_deposit
    currency.hold(DEPOSIT_REASON, informant, deposit)
    zero = U128(0)
    now = U32(ext.ctx.block_number)
    informants.batches.insert(
        batch_id,
        Batch(
            informant=informant,
            cid=adapter_cid(0),
            metadata_cid=b"",
            byte_size=U64(1_000),
            item_count=U32(100),
            stake=U128(100),
            deposit=deposit,
            submitted_at=now,
            voting_ends=now,
            phase=BatchPhase.Accepted,
            electorate=zero,
            aye=zero,
            nay=zero,
            vote_count=U32(0),
            value=zero,
            reward_pot=zero,
            reward_weight=zero,
        ),
    )
    head, tail = informants.training_bounds.get()
    informants.training_queue.insert(tail, batch_id)
    informants.training_bounds.put((head, tail + U64(1)))
    return U64(batch_id)


def round_with(
    ext: TestExternalities,
    trainers: int,
    scorers: int,
    phase: RoundPhase,
    *,
    committed: bool = False,
    revealed: bool = False,
) -> tuple[U64, Round]:
    """Write an open round with `trainers` drawn trainers and `scorers` drawn scorers.

    Trainers are accounts ``1..=trainers``, scorers ``1001..``; with `revealed`, every trainer
    revealed, the last third a different adapter from the others (the outliers).
    """
    pallet = ext.pallet(Training)
    drawn_trainers = tuple(
        (bonded(ext, n, Role.Trainer), pallet.min_bond(Role.Trainer) * U128(10))
        for n in range(1, trainers + 1)
    )
    drawn_scorers = tuple(
        (bonded(ext, 1_000 + n, Role.Scorer), pallet.min_bond(Role.Scorer) * U128(10))
        for n in range(1, scorers + 1)
    )
    round_id = pallet.next_round_id.get()
    now = ext.ctx.block_number
    # the deadlines before `phase` have passed, its own and the later ones have not
    ends = [U32(now if i < phase else now + 10) for i in range(4)]
    version = pallet.model_versions.get(pallet.current_version.get())
    assert version is not None  # genesis records version 0
    round_ = Round(
        parent_version=pallet.current_version.get(),
        batch_id=U64(0),
        shard=U32(0),
        layers=version.shards[0],
        seed=H256(bytes(32)),
        profile=pallet.config.profile,
        probe_set_cid=pallet.probe_set_cid.get(),
        commit_ends=ends[0],
        reveal_ends=ends[1],
        score_ends=ends[2],
        dispute_ends=ends[3],
        phase=phase,
        outcome=RoundOutcome.Pending,
        trainers=drawn_trainers,
        scorers=drawn_scorers,
        revealed=(),
        accepted=(),
        improvement=I64(0),
        held_out_loss=I64(0),
        new_version=None,
        emission=U128(0),
        slashes=U128(0),
        paid=U128(0),
        to_treasury=U128(0),
        scorer_paid=U128(0),
    )
    honest = trainers - trainers // 3
    for index, (who, _) in enumerate(drawn_trainers):
        adapter = 2 if index >= honest else 1
        if committed or revealed:
            digest = logic.compute_commitment(adapter_cid(adapter), bytes(32), b"salt", bytes(who))
            pallet.commitments.insert(round_id, who, H256(digest))
        if revealed:
            sha = H256(adapter.to_bytes(32, "big"))
            pallet.reveals.insert(round_id, who, Reveal(cid=adapter_cid(adapter), sha256=sha))
    if revealed:
        round_ = replace(round_, revealed=tuple(who for who, _ in drawn_trainers))
    pallet.rounds.insert(round_id, round_)
    pallet.next_round_id.put(round_id + U64(1))
    pallet.active_round.put(round_id)
    return round_id, round_


def honest_matrix(round_: Round, width: int) -> tuple[tuple[I64, ...], ...]:
    """One score row per revealed adapter: the first two-thirds good, the rest poisoned."""
    honest = len(round_.revealed) - len(round_.revealed) // 3
    rows = []
    for index in range(len(round_.revealed)):
        good = index < honest
        row = [2_000_000 if good else 2_500_000, 50_000 if good else -300_000]
        row += [100_000 * (k + 1) if good else -100_000 for k in range(width - 2)]
        rows.append(tuple(I64(v) for v in row[:width]))
    return tuple(rows)


def _prepare(ext: TestExternalities) -> None:
    """A full emission budget (rewards minted in full) and the configured, largest, round size.

    The genesis may choose a smaller round size; the weights are for the largest.
    """
    pallet = ext.pallet(Training)
    pallet.round_size.kill()
    treasury: Any = ext.ctx.pallet(pallet.config.treasury)
    treasury.emission_budget.put(U128(10**30))


# --- calls ----------------------------------------------------------------------------------------


@benchmark()
def bond(ext: TestExternalities) -> Action:
    """A trainer tops up an existing bond."""
    who = bonded(ext, 1, Role.Trainer)
    return call(ext, "bond", Signed(who), role=Role.Trainer, amount=U128(10**12))


@benchmark()
def unbond(ext: TestExternalities) -> Action:
    """The bond already has `MaxUnlockingChunks - 1` chunks unbonding."""
    who = bonded(ext, 1, Role.Trainer)
    for _ in range(int(ext.pallet(Training).config.max_unlocking_chunks) - 1):
        call(ext, "unbond", Signed(who), role=Role.Trainer, amount=U128(1))()
    return call(ext, "unbond", Signed(who), role=Role.Trainer, amount=U128(1))


@benchmark()
def withdraw_unbonded(ext: TestExternalities) -> Action:
    """`MaxUnlockingChunks` chunks, all ready, the whole bond (the ledger is removed)."""
    pallet = ext.pallet(Training)
    who = bonded(ext, 1, Role.Trainer)
    chunks = int(pallet.config.max_unlocking_chunks)
    active = int(pallet.min_bond(Role.Trainer)) * 10
    for _ in range(chunks - 1):
        call(ext, "unbond", Signed(who), role=Role.Trainer, amount=U128(1))()
    rest = U128(active - (chunks - 1))
    call(ext, "unbond", Signed(who), role=Role.Trainer, amount=rest)()
    ext.ctx.block_number += int(pallet.config.unbonding_period)
    return call(ext, "withdraw_unbonded", Signed(who), role=Role.Trainer)


@benchmark()
def commit(ext: TestExternalities) -> Action:
    """The last of `MAX_TRAINERS` drawn trainers commits."""
    round_id, round_ = round_with(ext, MAX_TRAINERS, 1, RoundPhase.Commit)
    who = round_.trainers[-1][0]
    return call(ext, "commit", Signed(who), round_id=round_id, commitment=H256(bytes(32)))


@benchmark()
def reveal(ext: TestExternalities) -> Action:
    """The last of `MAX_TRAINERS` drawn trainers reveals (the others revealed)."""
    round_id, round_ = round_with(ext, MAX_TRAINERS, 1, RoundPhase.Reveal, committed=True)
    pallet = ext.pallet(Training)
    who = round_.trainers[-1][0]
    others = tuple(w for w, _ in round_.trainers[:-1])
    for other in others:
        pallet.reveals.insert(round_id, other, Reveal(cid=adapter_cid(1), sha256=H256(bytes(32))))
    pallet.rounds.insert(round_id, replace(round_, revealed=others))
    digest = logic.compute_commitment(adapter_cid(1), bytes(32), b"salt", bytes(who))
    pallet.commitments.insert(round_id, who, H256(digest))
    return call(
        ext,
        "reveal",
        Signed(who),
        round_id=round_id,
        cid=adapter_cid(1),
        sha256=H256(bytes(32)),
        salt=b"salt",
    )


@benchmark(Component("adapters", 1, MAX_TRAINERS))
def submit_scores(ext: TestExternalities, adapters: int) -> Action:
    """A scorer scores `adapters` revealed adapters on the configured statistics."""
    round_id, round_ = round_with(ext, adapters, 1, RoundPhase.Score, revealed=True)
    width = len(ext.pallet(Training).config.statistics)
    scores = honest_matrix(round_, width)
    return call(
        ext, "submit_scores", Signed(round_.scorers[0][0]), round_id=round_id, scores=scores
    )


@benchmark()
def cancel_slash(ext: TestExternalities) -> Action:
    """Root cancels a pending slash in the dispute window."""
    round_id, round_ = round_with(ext, 3, 1, RoundPhase.Dispute, revealed=True)
    pallet = ext.pallet(Training)
    who = round_.trainers[0][0]
    pallet.pending_slashes.insert(round_id, who, PendingSlash(amount=U128(1), outlier=True))
    return call(ext, "cancel_slash", ROOT, round_id=round_id, trainer=who)


@benchmark()
def set_round_periods(ext: TestExternalities) -> Action:
    """Root sets the phase lengths."""
    periods = RoundPeriods(commit=U32(10), reveal=U32(10), score=U32(10), dispute=U32(10))
    return call(ext, "set_round_periods", ROOT, periods=periods)


@benchmark()
def set_round_profile(ext: TestExternalities) -> Action:
    """Root sets the protocol profile (eight target modules: the widest a profile names)."""
    config = ext.pallet(Training).config
    modules = tuple(f"module_{n}_proj".encode() for n in range(8))
    profile: TrainingProfile = replace(config.profile, target_modules=modules)
    return call(ext, "set_round_profile", ROOT, profile=profile)


@benchmark()
def set_round_size(ext: TestExternalities) -> Action:
    """Root sets the trainers and scorers drawn (the configured maxima)."""
    config = ext.pallet(Training).config
    size = RoundSize(trainers=config.trainers_per_round, scorers=config.scorers_per_round)
    return call(ext, "set_round_size", ROOT, size=size)


# --- the hook -------------------------------------------------------------------------------------


@benchmark()
def on_initialize_base(ext: TestExternalities) -> Action:
    """No round open and an empty training queue."""
    pallet = ext.pallet(Training)
    return lambda: pallet.on_initialize(ext.ctx.block_number)


@benchmark(Component("candidates", 20, MAX_CANDIDATES))
def open_round(ext: TestExternalities, candidates: int) -> Action:
    """`candidates` bonded accounts, half trainers and half scorers; a batch heads the queue.

    The draw takes the configured numbers of trainers and scorers (at least ten candidates of
    each role are bonded, enough for the runtime's rounds).
    """
    pallet = ext.pallet(Training)
    for n in range(candidates):
        bonded(ext, 1 + n, Role.Trainer if n % 2 == 0 else Role.Scorer)
    fund(ext, account(0))
    queue_accepted_batch(ext, account(0))
    return pallet.do_open_round


@benchmark(Component("trainers", 1, MAX_TRAINERS))
def close_commit(ext: TestExternalities, trainers: int) -> Action:
    """No drawn trainer committed: each gets a pending liveness slash."""
    round_id, _ = round_with(ext, trainers, 1, RoundPhase.Commit)
    pallet = ext.pallet(Training)
    return lambda: pallet.do_close_commit(round_id)


@benchmark(Component("trainers", 1, MAX_TRAINERS))
def close_reveal(ext: TestExternalities, trainers: int) -> Action:
    """Every drawn trainer committed and none revealed: each gets a pending liveness slash."""
    round_id, _ = round_with(ext, trainers, 1, RoundPhase.Reveal, committed=True)
    pallet = ext.pallet(Training)
    return lambda: pallet.do_close_reveal(round_id)


@benchmark(
    Component("trainers", 1, MAX_TRAINERS),
    Component("scorers", 1, MAX_SCORERS),
    Component("statistics", 2, MAX_STATISTICS),
)
def aggregate(ext: TestExternalities, trainers: int, scorers: int, statistics: int) -> Action:
    """Every scorer scored every revealed adapter; a third are outliers, slashed pending."""
    round_id, round_ = round_with(ext, trainers, scorers, RoundPhase.Score, revealed=True)
    pallet = ext.pallet(Training)
    matrix = honest_matrix(round_, statistics)
    for who, _ in round_.scorers:
        pallet.scores.insert(round_id, who, matrix)
    layout = layout_of(ext, statistics)
    return lambda: pallet.do_aggregate(round_id, layout)


@benchmark(Component("trainers", 1, MAX_TRAINERS))
def close_round(ext: TestExternalities, trainers: int) -> Action:
    """An accepted round: a third of the trainers slashed, the rest paid, a version recorded."""
    round_id, round_ = round_with(ext, trainers, 1, RoundPhase.Dispute, revealed=True)
    pallet = ext.pallet(Training)
    honest = len(round_.revealed) - len(round_.revealed) // 3
    accepted = round_.revealed[:honest]
    for who in round_.revealed[honest:]:
        pallet.pending_slashes.insert(round_id, who, PendingSlash(amount=U128(10), outlier=True))
    pallet.rounds.insert(
        round_id, replace(round_, outcome=RoundOutcome.Accepted, accepted=accepted)
    )
    return lambda: pallet.do_close_round(round_id)


SUITE = BenchmarkSuite(
    pallet="Training",
    weights_protocol=TrainingWeights,
    benchmarks=(
        bond,
        unbond,
        withdraw_unbonded,
        commit,
        reveal,
        submit_scores,
        cancel_slash,
        set_round_periods,
        set_round_profile,
        set_round_size,
        on_initialize_base,
        open_round,
        close_commit,
        close_reveal,
        aggregate,
        close_round,
    ),
    prepare=_prepare,
)
"""Every benchmark of the Training pallet."""
