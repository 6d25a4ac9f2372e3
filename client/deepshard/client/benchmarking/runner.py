"""Measure a pallet's benchmarks: fresh state, the declared worst case, a clock around the action.

Every measurement starts from the same genesis (the runtime being benchmarked, with the dev
chain spec's genesis), runs the suite's `prepare`, then the benchmark's setup for the component
values, and times only the returned action with `time.perf_counter_ns`. Each component is
varied over `steps` values with the others at their worst case (FRAME's method); each point is
repeated and its median kept, after one untimed warm-up run (codecs compile on first use).
Garbage collection is paused around the timed action.

Storage accesses are counted as FRAME's benchmarks count them: the setup's changes are
committed to the backend first, so that the action starts from stored state; a *read* is a
distinct key the action fetched from the backend, a *write* a distinct key it changed. The
weight table prices them with the runtime's database weight on top of the measured time.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from deepshard.runtime.support.benchmarking import Benchmark, BenchmarkSuite
from deepshard.runtime.support.overlay import MemoryBackend
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["Measurement", "CountingBackend", "points_of", "measure_benchmark", "measure_suite"]

PICOS_PER_NANO = 1_000


@dataclass(frozen=True, slots=True)
class Measurement:
    """The timings of one benchmark at one point."""

    benchmark: str
    """The weight method."""
    values: tuple[int, ...]
    """The component values."""
    picos: tuple[int, ...]
    """Each repetition's time, in picoseconds."""
    reads: int
    """Distinct keys read from stored state."""
    writes: int
    """Distinct keys written or removed."""

    @property
    def median(self) -> int:
        """The median time."""
        return int(statistics.median_low(self.picos))


class CountingBackend:
    """A `MemoryBackend` that records which keys were fetched from it."""

    __slots__ = ("_inner", "read_keys")

    def __init__(self, data: dict[bytes, bytes]) -> None:
        self._inner = MemoryBackend(data)
        self.read_keys: set[bytes] = set()

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key` and record the read."""
        self.read_keys.add(key)
        return self._inner.get(key)

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield the keys under `prefix` (each yielded key counts as read)."""
        for key in self._inner.iter_keys(prefix, start_after):
            self.read_keys.add(key)
            yield key


def commit_setup(ext: TestExternalities) -> CountingBackend:
    """Move the setup's pending changes into a fresh counting backend under the overlay."""
    overlay = ext.ctx.overlay
    data = {key: value for key in ext.backend.iter_keys(b"") if (value := ext.backend.get(key))}
    for key, change in overlay.changes().items():
        if change is None:
            data.pop(key, None)
        else:
            data[key] = change
    backend = CountingBackend(data)
    overlay.rebase(backend)
    return backend


def points_of(bench: Benchmark, steps: int) -> list[tuple[int, ...]]:
    """The component values to measure: each component over its range, the others at high."""
    if not bench.components:
        return [()]
    highs = tuple(c.high for c in bench.components)
    points = {highs}
    for index, component in enumerate(bench.components):
        for value in component.values(steps):
            point = list(highs)
            point[index] = value
            points.add(tuple(point))
    return sorted(points)


def measure_benchmark(
    suite: BenchmarkSuite,
    bench: Benchmark,
    ext_factory: Callable[[], TestExternalities],
    steps: int,
    repeat: int,
) -> list[Measurement]:
    """Measure one benchmark at every point, `repeat` times each (after one warm-up run)."""
    warm_up = ext_factory()
    suite.prepare(warm_up)
    first = points_of(bench, steps)[0]
    bench.setup(warm_up, **{c.name: v for c, v in zip(bench.components, first, strict=True)})()
    results = []
    for values in points_of(bench, steps):
        picos = []
        for _ in range(repeat):
            ext = ext_factory()
            suite.prepare(ext)
            arguments = {c.name: v for c, v in zip(bench.components, values, strict=True)}
            action = bench.setup(ext, **arguments)
            backend = commit_setup(ext)
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter_ns()
                action()
                elapsed = time.perf_counter_ns() - start
            finally:
                gc.enable()
            picos.append(elapsed * PICOS_PER_NANO)
            reads, writes = len(backend.read_keys), len(ext.ctx.overlay.changes())
        results.append(Measurement(bench.name, values, tuple(picos), reads, writes))
    return results


def measure_suite(
    suite: BenchmarkSuite,
    ext_factory: Callable[[], TestExternalities],
    steps: int,
    repeat: int,
    on_progress: Callable[[str], None] = print,
) -> dict[str, list[Measurement]]:
    """Measure every benchmark of `suite`; `on_progress` is told each benchmark's name."""
    measured: dict[str, list[Measurement]] = {}
    for bench in suite:
        on_progress(bench.name)
        measured[bench.name] = measure_benchmark(suite, bench, ext_factory, steps, repeat)
    return measured
