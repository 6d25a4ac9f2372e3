"""Closing Informants batches: the weight of one closing, and 100 closings in one block.

Run with ``python -m bench informants``. Uses the Deepshard runtime as configured (its
benchmarked weight table and `MaxClosingWeight`) over the dev chain spec's genesis, in memory.

Figures:

* the declared weight of ``close_batch`` (``BenchmarkedWeights``, what the hook charges) and
  the measured time of closing one accepted batch with 10 and with 1,000 votes (a closing
  never reads the votes: each vote keeps the running tally and score histogram);
* a block whose ``on_initialize`` finds 100 batches waiting to close: the hook's declared
  weight against `MaxClosingWeight` and the block's maximum, the measured time of the hook,
  and how many batches it closed (all 100 must fit).
"""

from __future__ import annotations

import time
from typing import Any

from bench.harness import Figure, print_figures
from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.pallets.informants import Informants
from deepshard.pallets.informants.benchmarking import account, bond, call, fund, scores_of, submit
from deepshard.pallets.system import System
from deepshard.primitives.numeric import U128
from deepshard.runtime import configs
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support import Signed
from deepshard.runtime.support.testing import TestExternalities

CLOSINGS = 100
"""Batches closing in the measured block."""
PICOS_PER_SECOND = 10**12


def _fresh() -> TestExternalities:
    ext = TestExternalities(deepshard_runtime().runtime, genesis_from_patch(preset_patch(DEV)))
    treasury: Any = ext.ctx.pallet(ext.pallet(Informants).config.treasury)
    treasury.emission_budget.put(U128(10**24))
    return ext


def _batches_with_votes(ext: TestExternalities, batches: int, votes: int) -> list[Any]:
    """`batches` batches from distinct informants, each with `votes` aye votes."""
    curators = [account(10_000 + n) for n in range(votes)]
    for who in curators:
        bond(ext, who)
    ids = []
    for n in range(batches):
        if n and n % 50 == 0:
            ext.ctx.block_number += 1  # at most MaxBatchesPerBlock end in one block
        fund(ext, account(n))
        ids.append(submit(ext, account(n)))
    for batch_id in ids:
        for k, who in enumerate(curators):
            call(ext, "vote", Signed(who), batch_id=batch_id, aye=True, scores=scores_of(k % 101))()
    return ids


def _time_one_closing(votes: int) -> float:
    ext = _fresh()
    pallet = ext.pallet(Informants)
    (batch_id,) = _batches_with_votes(ext, 1, votes)
    batch = pallet.batches.get(batch_id)
    assert batch is not None
    ext.ctx.block_number = int(batch.voting_ends)
    pallet.do_schedule_closing(batch_id)
    start = time.perf_counter()
    pallet.do_close(batch_id)
    return time.perf_counter() - start


def main() -> None:
    """Print the figures."""
    weights = configs.INFORMANTS.weights
    close = weights.close_batch().ref_time
    one_10 = min(_time_one_closing(10) for _ in range(3))
    one_1000 = min(_time_one_closing(1_000) for _ in range(3))

    # 100 batches with 20 votes each wait in the closing queue (the deadline list holds at
    # most MaxBatchesPerBlock of them, so the block finds them queued from earlier blocks).
    ext = _fresh()
    pallet = ext.pallet(Informants)
    ids = _batches_with_votes(ext, CLOSINGS, 20)
    batch = pallet.batches.get(ids[-1])
    assert batch is not None
    ext.ctx.block_number = int(batch.voting_ends)
    for batch_id in ids:
        pallet.do_schedule_closing(batch_id)
    ext.pallet(System).events.kill()
    start = time.perf_counter()
    used = pallet.on_initialize(ext.ctx.block_number + 1)
    hook_seconds = time.perf_counter() - start
    closed = sum(1 for i in ids if pallet.batches.get(i).phase != 1)  # type: ignore[union-attr]
    limit_weight = configs.INFORMANTS.max_closing_weight
    limit = limit_weight.ref_time
    block_max = configs.SYSTEM.block_weights.max_block.ref_time
    print_figures(
        "Informants closing",
        [
            Figure("close_batch weight (declared)", int(close) / 10**6, "µs", "any vote count"),
            Figure("closing, 10 votes (measured)", one_10 * 1e6, "µs"),
            Figure("closing, 1,000 votes (measured)", one_1000 * 1e6, "µs"),
            Figure(
                f"{CLOSINGS} closings: hook weight",
                int(used.ref_time) / 10**9,
                "ms",
                f"declared; MaxClosingWeight {int(limit) / 10**9:,.0f} ms, "
                f"block max {int(block_max) / 10**9:,.0f} ms",
            ),
            Figure(f"{CLOSINGS} closings: hook time", hook_seconds * 1e3, "ms", "measured"),
            Figure(
                f"{CLOSINGS} closings: closed in the block",
                closed,
                "batches",
                "fits"
                if closed == CLOSINGS and used.all_lte(configs.INFORMANTS.max_closing_weight)
                else "DOES NOT FIT",
            ),
            Figure("closings that fit in MaxClosingWeight", int(limit) // int(close), "batches"),
        ],
    )


if __name__ == "__main__":
    main()
