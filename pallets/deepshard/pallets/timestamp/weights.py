"""Weights of the Timestamp pallet.

`TimestampWeights` is the table a runtime configures: `ReferenceWeights` carries FRAME's own
`pallet_timestamp` benchmark figures (reference hardware, 2024), with the storage accesses
priced at FRAME's ``RocksDbWeight`` (25 µs per read, 100 µs per write); `UnitWeights` gives
everything a weight of one, for tests that are not about weight.

Measured figures
----------------
``BenchmarkedWeights`` was generated on 2026-12-04 (do not edit it by hand) by::

    deepshard benchmark pallet --pallet timestamp --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, RuntimeDbWeight, Weight

__all__ = ["BenchmarkedWeights", "TimestampWeights", "ReferenceWeights", "UnitWeights"]


class TimestampWeights(Protocol):
    """The weight of the Timestamp call and hook."""

    def set(self) -> Weight:
        """`set`: reads `Now` and the consensus slot, writes `Now`."""
        ...

    def on_finalize(self) -> Weight:
        """The `on_finalize` hook (takes `DidUpdate`); charged in `on_initialize`."""
        ...


class BenchmarkedWeights:
    """Timestamp weights measured on the machine above."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def set(self) -> Weight:
        """`set`: 105.4 µs; reads 3, writes 2."""
        return Weight.from_parts(105_416_000, 0).saturating_add(self.db.reads_writes(3, 2))

    def on_finalize(self) -> Weight:
        """`on_finalize`: 31.7 µs; reads 1, writes 1."""
        return Weight.from_parts(31_657_000, 0).saturating_add(self.db.reads_writes(1, 1))


class ReferenceWeights:
    """FRAME's benchmarked `pallet_timestamp` weights (picoseconds of reference hardware)."""

    def set(self) -> Weight:
        """`set`: 8.684 µs, 1493 bytes of proof, 2 reads and 1 write."""
        return Weight.from_parts(8_684_000, 1_493).saturating_add(
            ROCKS_DB_WEIGHT.reads_writes(2, 1)
        )

    def on_finalize(self) -> Weight:
        """`on_finalize`: 4.118 µs."""
        return Weight.from_parts(4_118_000, 0)


class UnitWeights:
    """Every call and hook weighs one unit of ref time (tests)."""

    def set(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def on_finalize(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)
