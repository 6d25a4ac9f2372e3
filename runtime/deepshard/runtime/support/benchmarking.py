"""Benchmark declarations: FRAME's ``frame-benchmarking``, the part that lives in the runtime.

Introduction
------------
A pallet declares, beside its weights, one benchmark per entry of its weight table: the name
of the weight method, the *components* the weight depends on (each with a range, such as the
number of batches due in a block) and a *setup* that builds the worst case for given component
values on fresh state and returns the action to measure::

    @benchmark(Component("b", 1, 64))
    def schedule_closing(ext: TestExternalities, b: int) -> Callable[[], object]:
        ids = [submit_batch(ext, ...) for _ in range(b)]
        return lambda: [pallet.do_schedule_closing(i) for i in ids]

`BenchmarkSuite` collects a module's benchmarks. Nothing here measures time: declarations are
deterministic runtime code; the measuring step (a clock, repetitions, the least-squares fit and
the writing of ``weights.py``) is the client's ``deepshard benchmark pallet``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from deepshard.runtime.support.testing import TestExternalities

__all__ = ["Component", "Benchmark", "BenchmarkSuite", "benchmark", "Setup"]

Setup = Callable[..., Callable[[], object]]
"""``setup(ext, **components) -> action``: build the worst case, return what to measure."""


@dataclass(frozen=True, slots=True)
class Component:
    """A parameter a weight depends on, with the range to benchmark it over."""

    name: str
    """Its name: the weight method's parameter."""
    low: int
    """The smallest value measured."""
    high: int
    """The largest value measured (the worst case the runtime allows)."""

    def __post_init__(self) -> None:
        """Check the range."""
        if not 0 <= self.low <= self.high:
            raise ValueError(f"component {self.name}: range {self.low}..={self.high}")

    def values(self, steps: int) -> list[int]:
        """`steps` values spread evenly over the range, ends included (fewer if it is short)."""
        if steps < 2 or self.low == self.high:
            return [self.high]
        span = self.high - self.low
        return sorted({self.low + span * i // (steps - 1) for i in range(steps)})


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One weight-table entry's benchmark."""

    name: str
    """The weight method it prices."""
    components: tuple[Component, ...]
    """The components, in the weight method's parameter order."""
    setup: Setup
    """Builds the worst case and returns the action to measure."""
    doc: str
    """What the worst case is."""


def benchmark(*components: Component) -> Callable[[Setup], Benchmark]:
    """Declare a benchmark from its setup function (named after the weight method)."""

    def declare(setup: Setup) -> Benchmark:
        doc = (setup.__doc__ or "").strip()
        if not doc:
            raise TypeError(f"benchmark {setup.__name__}: describe its worst case in a docstring")
        return Benchmark(setup.__name__, tuple(components), setup, doc)

    return declare


@dataclass(frozen=True, slots=True)
class BenchmarkSuite:
    """The benchmarks of one pallet, and the weight table they fill."""

    pallet: str
    """The pallet's name (``Informants``)."""
    weights_protocol: type
    """The pallet's weight-table Protocol; every method needs a benchmark."""
    benchmarks: tuple[Benchmark, ...]
    """The benchmarks."""
    prepare: Callable[[TestExternalities], None] = field(default=lambda _ext: None)
    """Run once on each fresh state before a setup (e.g. endow accounts)."""

    def __post_init__(self) -> None:
        """Check that the benchmarks and the weight table match one to one."""
        wanted = sorted(_protocol_methods(self.weights_protocol))
        have = sorted(b.name for b in self.benchmarks)
        if wanted != have:
            raise TypeError(f"{self.pallet}: weight methods {wanted} but benchmarks {have}")

    def __iter__(self) -> Iterator[Benchmark]:
        """The benchmarks, in declaration order."""
        return iter(self.benchmarks)


def _protocol_methods(protocol: type) -> list[str]:
    return [
        name
        for name, value in vars(protocol).items()
        if callable(value) and not name.startswith("_")
    ]


def protocol_methods(protocol: type) -> list[str]:
    """The public method names of a weight-table Protocol, in declaration order."""
    return _protocol_methods(protocol)


def run_once(suite: BenchmarkSuite, ext_factory: Callable[[], TestExternalities]) -> dict[str, Any]:
    """Run every benchmark of `suite` once at its worst case (a test that they all work)."""
    results: dict[str, Any] = {}
    for bench in suite:
        ext = ext_factory()
        suite.prepare(ext)
        action = bench.setup(ext, **{c.name: c.high for c in bench.components})
        results[bench.name] = action()
    return results
