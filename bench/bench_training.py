"""Aggregating a Training round: the weight of 64 trainers x 16 scorers x 8 statistics, and a block.

Run with ``python -m bench training``. Uses the Deepshard runtime as configured (its
benchmarked weight table, `MaxRoundWeight` and the block's maximum) over the dev chain spec's
genesis, in memory.

Figures:

* the declared weight of ``aggregate`` (``BenchmarkedWeights``, what ``on_initialize``
  charges) at 64 x 16 x 8 and at the runtime's own round size, against `MaxRoundWeight` and
  the block's maximum weight, and whether it fits in one block;
* the measured time of the aggregation step on that worst case (storage included) and of the
  pure `logic.compute_round_result` alone.
"""

from __future__ import annotations

import time

from bench.harness import Figure, print_figures
from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.pallets.training import benchmarking, logic
from deepshard.pallets.training.logic import Adapter, ProfileMode, Statistic
from deepshard.runtime import configs
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support.testing import TestExternalities

TRAINERS = benchmarking.MAX_TRAINERS
SCORERS = benchmarking.MAX_SCORERS
STATISTICS = benchmarking.MAX_STATISTICS


def _fresh() -> TestExternalities:
    ext = TestExternalities(deepshard_runtime().runtime, genesis_from_patch(preset_patch(DEV)))
    benchmarking.SUITE.prepare(ext)
    return ext


def _time_aggregation_step() -> float:
    ext = _fresh()
    action = benchmarking.aggregate.setup(
        ext, trainers=TRAINERS, scorers=SCORERS, statistics=STATISTICS
    )
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _time_pure_aggregation() -> float:
    honest = TRAINERS - TRAINERS // 3
    adapters = [
        Adapter(bytes([n]) * 32, bytes([1 if n < honest else 2]) * 32, 1_000)
        for n in range(TRAINERS)
    ]
    row_good = [2_000_000, 50_000, *(100_000 * (k + 1) for k in range(STATISTICS - 2))]
    row_bad = [2_500_000, -300_000, *(-100_000 for _ in range(STATISTICS - 2))]
    matrix = [list(row_good if n < honest else row_bad) for n in range(TRAINERS)]
    scores = [(1_000 + s, matrix) for s in range(SCORERS)]
    statistics = [Statistic(k != 0, 10_000) for k in range(STATISTICS)]
    start = time.perf_counter()
    logic.compute_round_result(
        adapters,
        1_000 * TRAINERS,
        scores,
        statistics,
        ProfileMode.Deterministic,
        improvement_index=1,
        loss_index=0,
        min_improvement=1_000,
        mad_factor=3_000,
        quorum=3,
    )
    return time.perf_counter() - start


def main() -> None:
    """Print the figures."""
    config = configs.TRAINING
    weights = config.weights
    worst = weights.on_initialize_base().saturating_add(
        weights.aggregate(TRAINERS, SCORERS, STATISTICS)
    )
    own = weights.aggregate(
        int(config.trainers_per_round), int(config.scorers_per_round), len(config.statistics)
    )
    block_max = configs.SYSTEM.block_weights.max_block
    limit = config.max_round_weight
    step = min(_time_aggregation_step() for _ in range(3))
    pure = min(_time_pure_aggregation() for _ in range(3))
    fits = worst.all_lte(block_max)
    print_figures(
        "Training aggregation",
        [
            Figure(
                f"aggregate {TRAINERS}x{SCORERS}x{STATISTICS}: weight",
                int(worst.ref_time) / 10**9,
                "ms",
                f"declared, hook included; MaxRoundWeight {int(limit.ref_time) / 10**9:,.0f} ms, "
                f"block max {int(block_max.ref_time) / 10**9:,.0f} ms",
            ),
            Figure(
                f"aggregate {TRAINERS}x{SCORERS}x{STATISTICS}: in one block",
                int(block_max.ref_time) // max(1, int(worst.ref_time)),
                "per block",
                "fits" if fits else "DOES NOT FIT",
            ),
            Figure(
                f"aggregate {TRAINERS}x{SCORERS}x{STATISTICS}: within MaxRoundWeight",
                int(worst.all_lte(limit)),
                "yes=1",
            ),
            Figure(
                "aggregate at the runtime's round size: weight",
                int(own.ref_time) / 10**9,
                "ms",
                f"{config.trainers_per_round}x{config.scorers_per_round}x{len(config.statistics)}",
            ),
            Figure("aggregation step, worst case (measured)", step * 1e3, "ms", "storage incl."),
            Figure("compute_round_result alone (measured)", pure * 1e3, "ms", "pure logic"),
        ],
    )


if __name__ == "__main__":
    main()
