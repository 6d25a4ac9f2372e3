"""The Licences pallet on chain: what a purchase costs in weight, and a block of expiries.

Run with ``python -m bench licences_pallet``. Uses the Deepshard runtime as configured (its
benchmarked weight table, ``MaxExpiryWeight``, ``MaxPurchasesPerBlock``, ``MaxKeepers`` and the
block's maximum) over the dev chain spec's genesis, in memory.

Figures:

* the declared weight of ``buy`` on a version 64 deep (the benchmarks' deepest) and 1,000 deep,
  and of the worst ``deliver_share`` (the delivery that serves and pays 2 x ``MAX_PAYEES``);
* the worst block of expiries (``MaxPurchasesPerBlock`` purchases of ``MaxKeepers`` silent
  keepers each) against ``MaxExpiryWeight`` and the block's maximum;
* the measured time of a ``buy`` 64 deep and of a price quote (``LicencesApi_price``'s work,
  the lineage walk) 64 deep.
"""

from __future__ import annotations

import time

from bench.harness import Figure, print_figures
from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.pallets.licences import Licences, benchmarking
from deepshard.primitives.numeric import U32
from deepshard.primitives.weights import Weight
from deepshard.runtime import configs
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support.testing import TestExternalities

DEPTH = benchmarking.MAX_DEPTH


def _fresh() -> TestExternalities:
    ext = TestExternalities(deepshard_runtime().runtime, genesis_from_patch(preset_patch(DEV)))
    benchmarking.SUITE.prepare(ext)
    return ext


def _time_buy() -> float:
    ext = _fresh()
    action = benchmarking.buy.setup(ext, depth=DEPTH)
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _time_quote() -> float:
    ext = _fresh()
    version = benchmarking.record_lineage(ext, DEPTH)
    pallet = ext.pallet(Licences)
    start = time.perf_counter()
    assert pallet.price_of(U32(version)) is not None
    return time.perf_counter() - start


def _ms(weight: Weight) -> float:
    return int(weight.ref_time) / 10**9


def main() -> None:
    """Print the figures."""
    config = configs.LICENCES
    weights = config.weights
    block_max = configs.SYSTEM.block_weights.max_block
    per_block, keepers = int(config.max_purchases_per_block), int(config.max_keepers)
    expiries = weights.on_initialize_base()
    for _ in range(per_block):
        expiries = expiries.saturating_add(weights.expire_purchase(keepers))
    buy = min(_time_buy() for _ in range(3))
    quote = min(_time_quote() for _ in range(3))
    print_figures(
        "Licences on chain",
        [
            Figure(f"buy, version {DEPTH} deep: weight", _ms(weights.buy(DEPTH)), "ms", "declared"),
            Figure("buy, version 1,000 deep: weight", _ms(weights.buy(1_000)), "ms", "declared"),
            Figure(
                "deliver_share, worst case: weight",
                _ms(weights.deliver_share()),
                "ms",
                "serves and pays 64 payees",
            ),
            Figure(
                f"expiries of one block ({per_block} x {keepers} keepers): weight",
                _ms(expiries),
                "ms",
                f"MaxExpiryWeight {_ms(config.max_expiry_weight):,.0f} ms, "
                f"block max {_ms(block_max):,.0f} ms; "
                + ("fits" if expiries.all_lte(config.max_expiry_weight) else "DOES NOT FIT"),
            ),
            Figure(f"buy, version {DEPTH} deep (measured)", buy * 1e3, "ms", "storage incl."),
            Figure(f"price quote, version {DEPTH} deep (measured)", quote * 1e3, "ms", "lineage"),
        ],
    )


if __name__ == "__main__":
    main()
