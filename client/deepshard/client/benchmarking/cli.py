"""``deepshard benchmark pallet``: measure a pallet's benchmarks and write its ``weights.py``.

Examples::

    deepshard benchmark pallet --pallet informants            # measure, then write weights.py
    deepshard benchmark pallet --pallet treasury --steps 8 --repeat 5
    deepshard benchmark pallet --pallet informants --dry-run --json
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.client.benchmarking.fit import Fit, Fitted, fit_linear
from deepshard.client.benchmarking.runner import measure_suite
from deepshard.client.benchmarking.writer import RunInfo, render_weights_module
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support.benchmarking import BenchmarkSuite, Component
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["app", "PALLETS", "machine_description"]

PALLETS = (
    "informants",
    "treasury",
    "balances",
    "system",
    "timestamp",
    "sudo",
    "training",
    "licences",
)
"""Pallets that declare benchmarks (``deepshard.pallets.<name>.benchmarking.SUITE``)."""

app = typer.Typer(
    help="Benchmark the runtime and write weights (FRAME's `benchmark`).", no_args_is_help=True
)


def machine_description() -> str:
    """The processor model and core count, as well as this platform reports them."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} CPUs"


def _as_json(fitted: Fitted) -> dict[str, object]:
    return {
        "base_ps": fitted.time.base,
        "slopes_ps": list(fitted.time.slopes),
        "reads": [fitted.reads.base, *fitted.reads.slopes],
        "writes": [fitted.writes.base, *fitted.writes.slopes],
    }


def _counts(fit: Fit, components: tuple[Component, ...]) -> str:
    extra = "".join(f" + {s}/{c.name}" for s, c in zip(fit.slopes, components, strict=True) if s)
    return f"{fit.base}{extra}"


@app.command("pallet")
def pallet_command(  # noqa: PLR0917 - one parameter per command-line option
    pallet: Annotated[str, typer.Option(help=f"The pallet: one of {', '.join(PALLETS)}.")],
    steps: Annotated[int, typer.Option(min=2, help="Values per component.")] = 5,
    repeat: Annotated[int, typer.Option(min=1, help="Repetitions per point (median kept).")] = 5,
    output: Annotated[
        Path | None, typer.Option(help="Where to write (default: the pallet's weights.py).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Measure and print; write nothing.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the fits as JSON.")] = False,
) -> None:
    """Benchmark a pallet on this machine and write its ``weights.py``.

    Every benchmark is measured over its components' ranges, base + per-component costs are
    fitted by least squares, and the pallet's weight table is regenerated from the fit.
    """
    if pallet not in PALLETS:
        raise typer.BadParameter(f"unknown pallet {pallet!r}; known: {', '.join(PALLETS)}")
    suite: BenchmarkSuite = importlib.import_module(
        f"deepshard.pallets.{pallet}.benchmarking"
    ).SUITE
    weights_module = importlib.import_module(f"deepshard.pallets.{pallet}.weights")
    runtime = deepshard_runtime().runtime
    genesis = genesis_from_patch(preset_patch(DEV))
    console = Console(stderr=True)
    with console.status(f"benchmarking {suite.pallet}") as status:
        measured = measure_suite(
            suite,
            lambda: TestExternalities(runtime, genesis),
            steps,
            repeat,
            on_progress=lambda name: status.update(f"benchmarking {suite.pallet}: {name}"),
        )
    fits = {
        name: Fitted(
            fit_linear([(m.values, m.median) for m in runs]),
            fit_linear([(m.values, m.reads) for m in runs]),
            fit_linear([(m.values, m.writes) for m in runs]),
        )
        for name, runs in measured.items()
    }
    if json_output:
        print(json.dumps({n: _as_json(f) for n, f in fits.items()}))
    else:
        table = Table(title=f"{suite.pallet} weights (picoseconds, storage accesses)")
        for column in ("benchmark", "base", "per component", "reads", "writes"):
            table.add_column(column)
        for bench in suite:
            fitted = fits[bench.name]
            per = ", ".join(
                f"{s:,}/{c.name}" for s, c in zip(fitted.time.slopes, bench.components, strict=True)
            )
            table.add_row(
                bench.name,
                f"{fitted.time.base:,}",
                per or "-",
                _counts(fitted.reads, bench.components),
                _counts(fitted.writes, bench.components),
            )
        Console().print(table)
    if dry_run:
        return
    info = RunInfo(
        command=f"deepshard benchmark pallet --pallet {pallet} --steps {steps} --repeat {repeat}",
        machine=machine_description(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        date=datetime.date.today().isoformat(),
        steps=steps,
        repeat=repeat,
    )
    source = Path(str(weights_module.__file__))
    target = output or source
    target.write_text(render_weights_module(suite, fits, source.read_text(), info))
    console.print(f"wrote {target}")


if __name__ == "__main__":
    sys.exit(app())
