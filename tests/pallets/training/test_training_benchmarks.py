"""The Training benchmarks build the worst cases they claim (on the Deepshard runtime)."""

from __future__ import annotations

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.pallets.training import RoundOutcome, RoundPhase, Training
from deepshard.pallets.training import benchmarking as bench
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support.testing import TestExternalities


def fresh() -> TestExternalities:
    ext = TestExternalities(deepshard_runtime().runtime, genesis_from_patch(preset_patch(DEV)))
    bench.SUITE.prepare(ext)
    return ext


def test_open_round_opens_a_round_from_the_queue() -> None:
    ext = fresh()
    action = bench.open_round.setup(ext, candidates=bench.MAX_CANDIDATES)
    assert action() is True
    pallet = ext.pallet(Training)
    round_id = pallet.active_round.get()
    assert round_id is not None
    round_ = pallet.rounds.get(round_id)
    assert round_ is not None
    assert len(round_.trainers) == int(pallet.config.trainers_per_round)
    ext.pallet(Training).try_state()


def test_aggregate_worst_case_accepts_two_thirds_and_flags_the_rest() -> None:
    ext = fresh()
    action = bench.aggregate.setup(
        ext,
        trainers=bench.MAX_TRAINERS,
        scorers=bench.MAX_SCORERS,
        statistics=bench.MAX_STATISTICS,
    )
    action()
    pallet = ext.pallet(Training)
    round_ = pallet.rounds.get(pallet.active_round.get())  # type: ignore[arg-type]
    assert round_ is not None
    assert round_.phase is RoundPhase.Dispute
    assert round_.outcome is RoundOutcome.Accepted
    assert len(round_.accepted) == bench.MAX_TRAINERS - bench.MAX_TRAINERS // 3
    pending = list(pallet.pending_slashes.iter_prefix(pallet.active_round.get()))  # type: ignore[arg-type]
    assert len(pending) == bench.MAX_TRAINERS // 3


def test_close_round_pays_and_slashes() -> None:
    ext = fresh()
    bench.close_round.setup(ext, trainers=bench.MAX_TRAINERS)()
    pallet = ext.pallet(Training)
    assert pallet.active_round.get() is None
    round_ = pallet.rounds.get(next(iter(k for k, _ in pallet.rounds.iter())))
    assert round_ is not None
    assert round_.phase is RoundPhase.Closed
    assert int(round_.slashes) == 10 * (bench.MAX_TRAINERS // 3)
    assert int(round_.paid) + int(round_.to_treasury) == int(round_.emission) + int(round_.slashes)
    assert pallet.current_version.get() == 1
