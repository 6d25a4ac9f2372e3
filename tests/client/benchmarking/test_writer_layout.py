"""The weights writer keeps every generated line within the line length, costs over several
components included, and the generated figures are the fitted ones."""

from __future__ import annotations

import types
from pathlib import Path

from deepshard.client.benchmarking.fit import Fit, Fitted
from deepshard.client.benchmarking.writer import LINE_LENGTH, RunInfo, render_weights_module
from deepshard.pallets.training import weights as training_weights
from deepshard.pallets.training.benchmarking import SUITE
from deepshard.primitives.weights import ROCKS_DB_WEIGHT, Weight


def test_long_multi_component_costs_stay_within_the_line_length() -> None:
    fits = {
        bench.name: Fitted(
            Fit(1_234_567_890, tuple(1_370_949_302 for _ in bench.components)),
            Fit(12, tuple(3 for _ in bench.components)),
            Fit(11, tuple(7 for _ in bench.components)),
        )
        for bench in SUITE
    }
    source = Path(training_weights.__file__).read_text()
    info = RunInfo("deepshard benchmark pallet --pallet training", "a CPU", "CPython", "x", 2, 2)
    rendered = render_weights_module(SUITE, fits, source, info)
    assert max(len(line) for line in rendered.splitlines()) <= LINE_LENGTH
    module = types.ModuleType("generated_training_weights")
    exec(compile(rendered, "generated_training_weights.py", "exec"), module.__dict__)
    got = module.BenchmarkedWeights().aggregate(64, 16, 8)
    expected = Weight.from_parts(1_234_567_890 + 1_370_949_302 * (64 + 16 + 8), 0)
    assert got == expected.saturating_add(ROCKS_DB_WEIGHT.reads_writes(12 + 3 * 88, 11 + 7 * 88))
