"""The benchmarking step: declarations, the exact least-squares fit, the runner and the writer."""

from __future__ import annotations

import json
import types
from typing import Any, Protocol

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.client.benchmarking.fit import Fitted, fit_linear
from deepshard.client.benchmarking.runner import commit_setup, measure_suite, points_of
from deepshard.client.benchmarking.writer import RunInfo, render_weights_module
from deepshard.client.cli import app
from deepshard.pallets.informants.benchmarking import SUITE as INFORMANTS
from deepshard.pallets.licences.benchmarking import SUITE as LICENCES
from deepshard.pallets.training.benchmarking import SUITE as TRAINING
from deepshard.pallets.treasury.benchmarking import SUITE as TREASURY
from deepshard.primitives.weights import ROCKS_DB_WEIGHT, Weight
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support.benchmarking import BenchmarkSuite, Component, benchmark, run_once
from deepshard.runtime.support.testing import TestExternalities


def fresh() -> TestExternalities:
    return TestExternalities(deepshard_runtime().runtime, genesis_from_patch(preset_patch(DEV)))


@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=3),
    st.integers(2, 6),
)
def test_fit_recovers_an_exact_line(base: int, slopes: list[int], steps: int) -> None:
    width = len(slopes)
    points = []
    for index in range(width):
        for value in range(steps):
            values = [7] * width
            values[index] = value * 3
            points.append((values, base + sum(s * v for s, v in zip(slopes, values, strict=True))))
    fit = fit_linear(points)
    assert fit.base == base
    assert list(fit.slopes) == slopes


def test_fit_edges() -> None:
    assert fit_linear([((), 5), ((), 9), ((), 7)]).base == 7
    flat = fit_linear([((0,), 100), ((10,), 98), ((20,), 99)])
    assert flat.slopes == (0,)  # noise on a flat cost is not a negative slope
    assert flat.base >= 100  # never below the cheapest point at the low end
    with pytest.raises(ValueError, match="no measurements"):
        fit_linear([])


def test_components_and_points() -> None:
    assert Component("b", 1, 64).values(5) == [1, 16, 32, 48, 64]
    assert Component("b", 3, 3).values(5) == [3]
    with pytest.raises(ValueError, match="range"):
        Component("b", 5, 1)

    @benchmark(Component("a", 0, 4), Component("b", 0, 2))
    def two(ext: Any, a: int, b: int) -> Any:
        """Two components."""
        return lambda: None

    assert points_of(two, 3) == [(0, 2), (2, 2), (4, 0), (4, 1), (4, 2)]


def test_a_suite_must_cover_its_weight_table() -> None:
    class Table(Protocol):
        def one(self) -> Weight: ...
        def two(self) -> Weight: ...

    @benchmark()
    def one(ext: Any) -> Any:
        """Only one."""
        return lambda: None

    with pytest.raises(TypeError, match="benchmarks"):
        BenchmarkSuite(pallet="X", weights_protocol=Table, benchmarks=(one,))


@pytest.mark.parametrize(
    "suite", [INFORMANTS, TREASURY, TRAINING, LICENCES], ids=lambda s: s.pallet
)
def test_every_benchmark_runs_at_its_worst_case(suite: BenchmarkSuite) -> None:
    assert set(run_once(suite, fresh)) == {b.name for b in suite}


def test_measure_and_write_a_weights_module() -> None:
    measured = measure_suite(TREASURY, fresh, steps=2, repeat=2, on_progress=lambda _: None)
    fits = {
        name: Fitted(
            fit_linear([(m.values, m.median) for m in runs]),
            fit_linear([(m.values, m.reads) for m in runs]),
            fit_linear([(m.values, m.writes) for m in runs]),
        )
        for name, runs in measured.items()
    }
    assert all(f.time.base > 0 for f in fits.values())
    assert fits["on_initialize"].writes.base == 1  # the emission budget
    info = RunInfo(
        "deepshard benchmark pallet --pallet treasury", "a CPU", "CPython", "2026-12-04", 2, 2
    )
    original = (
        '"""Intro.\n\nMeasured figures\n---\nold\n"""\n\nfrom typing import Protocol\n\n'
        "from deepshard.primitives.weights import Weight\n\n"
        "__all__ = ['TreasuryWeights']\n\n\n"
        "class TreasuryWeights(Protocol):\n    def spend(self) -> Weight: ...\n\n"
        "    def on_initialize(self) -> Weight: ...\n\n\n"
        "class UnitWeights:\n    def on_initialize(self) -> Weight:\n"
        "        return Weight.from_parts(1, 0)\n"
    )
    source = render_weights_module(TREASURY, fits, original, info)
    assert "old" not in source
    again = render_weights_module(TREASURY, fits, source, info)
    assert again == source  # rewriting replaces the class, never duplicates it
    module = types.ModuleType("generated_weights")
    exec(compile(source, "generated_weights.py", "exec"), module.__dict__)
    weights = module.BenchmarkedWeights()
    spend = fits["spend"]
    assert weights.spend() == Weight.from_parts(spend.time.base, 0).saturating_add(
        ROCKS_DB_WEIGHT.reads_writes(spend.reads.base, spend.writes.base)
    )
    assert module.UnitWeights().on_initialize() == Weight.from_parts(1, 0)
    assert module.__doc__.startswith("Intro.")


def test_cli_dry_run_prints_the_fits_as_json(tmp_path: Any) -> None:

    result = CliRunner().invoke(
        app,
        [
            "benchmark",
            "pallet",
            "--pallet",
            "treasury",
            "--steps",
            "2",
            "--repeat",
            "1",
            "--dry-run",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    fits = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(fits) == {"spend", "on_initialize"}
    bad = CliRunner().invoke(app, ["benchmark", "pallet", "--pallet", "nope"])
    assert bad.exit_code != 0


def test_setup_is_committed_before_counting() -> None:
    ext = fresh()
    ext.ctx.overlay.set(b":bench:a", b"1")
    ext.ctx.overlay.set(b":bench:b", b"2")
    backend = commit_setup(ext)
    assert ext.ctx.overlay.changes() == {}
    assert ext.ctx.overlay.get(b":bench:a") == b"1"  # now stored, and counted as a read
    ext.ctx.overlay.set(b":bench:b", b"3")
    assert ext.ctx.overlay.get(b":bench:b") == b"3"  # a pending write is not a read
    assert backend.read_keys == {b":bench:a"}
    assert ext.ctx.overlay.changes() == {b":bench:b": b"3"}
