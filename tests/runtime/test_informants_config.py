"""The runtime's Informants configuration keeps closings inside the block."""

from __future__ import annotations

from deepshard.pallets.informants import BenchmarkedWeights, Informants
from deepshard.runtime import configs
from deepshard.runtime.runtime import deepshard_runtime


def test_closings_fit_in_the_block() -> None:
    informants = configs.INFORMANTS
    block = configs.SYSTEM.block_weights
    assert isinstance(informants.weights, BenchmarkedWeights)
    assert informants.max_closing_weight.all_lte(block.max_block)
    worst = (
        informants.weights.on_initialize_base()
        .saturating_add(informants.weights.schedule_closing(int(informants.max_batches_per_block)))
        .saturating_add(informants.weights.close_batch())
    )
    assert worst.all_lte(informants.max_closing_weight)
    # the figure the issue asks for: 100 closings (of batches with any number of votes) fit
    hundred = informants.weights.on_initialize_base()
    for _ in range(100):
        hundred = hundred.saturating_add(informants.weights.close_batch())
    assert hundred.all_lte(informants.max_closing_weight)


def test_the_runtime_composes_informants_at_20_and_treasury_at_7() -> None:
    runtime = deepshard_runtime().runtime
    indices = {entry.pallet.NAME: entry.index for entry in runtime.pallets}
    assert indices["Informants"] == 20
    assert indices["Treasury"] == 7
    assert any(entry.pallet is Informants for entry in runtime.pallets)
