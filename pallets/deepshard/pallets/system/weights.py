"""Weights of the System pallet's calls.

`SystemWeights` is the table every runtime configures: `ReferenceWeights` carries figures of
FRAME's own `frame_system` benchmarks (reference hardware), plus per-byte costs; `UnitWeights`
gives every call a weight of one, for tests that are not about weight.

Measured figures
----------------
``BenchmarkedWeights`` was generated on 2026-12-04 (do not edit it by hand) by::

    deepshard benchmark pallet --pallet system --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, RuntimeDbWeight, Weight

__all__ = ["BenchmarkedWeights", "SystemWeights", "ReferenceWeights", "UnitWeights"]


class SystemWeights(Protocol):
    """The weight of each System call."""

    def remark(self, length: int) -> Weight:
        """`remark` of `length` bytes."""
        ...

    def remark_with_event(self, length: int) -> Weight:
        """`remark_with_event` of `length` bytes."""
        ...

    def set_storage(self, items: int) -> Weight:
        """`set_storage` of `items` pairs."""
        ...

    def kill_storage(self, keys: int) -> Weight:
        """`kill_storage` of `keys` keys."""
        ...

    def kill_prefix(self, subkeys: int) -> Weight:
        """`kill_prefix` removing up to `subkeys` keys."""
        ...


class BenchmarkedWeights:
    """System weights measured on the machine above."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def remark(self, length: int) -> Weight:
        """`remark`: 25.6 µs; reads 0, writes 0."""
        del length  # no measurable effect, or priced at worst
        return Weight.from_parts(25_578_000, 0).saturating_add(self.db.reads_writes(0, 0))

    def remark_with_event(self, length: int) -> Weight:
        """`remark_with_event`: 59.5 µs + 0.001 µs per length; reads 0, writes 0."""
        return Weight.from_parts(59_478_000 + 1_071 * length, 0).saturating_add(
            self.db.reads_writes(0, 0)
        )

    def set_storage(self, items: int) -> Weight:
        """`set_storage`: 36.0 µs + 0.263 µs per items; reads 0, writes items."""
        return Weight.from_parts(35_983_200 + 262_870 * items, 0).saturating_add(
            self.db.reads_writes(0, items)
        )

    def kill_storage(self, keys: int) -> Weight:
        """`kill_storage`: 33.4 µs + 0.209 µs per keys; reads 0, writes keys."""
        return Weight.from_parts(33_373_600 + 209_090 * keys, 0).saturating_add(
            self.db.reads_writes(0, keys)
        )

    def kill_prefix(self, subkeys: int) -> Weight:
        """`kill_prefix`: 53.6 µs + 0.446 µs per subkeys; reads subkeys, writes subkeys."""
        return Weight.from_parts(53_551_400 + 446_110 * subkeys, 0).saturating_add(
            self.db.reads_writes(subkeys, subkeys)
        )


class ReferenceWeights:
    """FRAME's benchmarked `frame_system` weights (picoseconds of reference hardware)."""

    def remark(self, length: int) -> Weight:
        """`remark` of `length` bytes."""
        return Weight.from_parts(1_724_000 + 388 * length, 0)

    def remark_with_event(self, length: int) -> Weight:
        """`remark_with_event` of `length` bytes."""
        return Weight.from_parts(9_126_000 + 1_745 * length, 0)

    def set_storage(self, items: int) -> Weight:
        """`set_storage` of `items` pairs."""
        return Weight.from_parts(1_603_000 + 1_053_000 * items + 100_000_000 * items, 0)

    def kill_storage(self, keys: int) -> Weight:
        """`kill_storage` of `keys` keys."""
        return Weight.from_parts(1_609_000 + 815_000 * keys + 100_000_000 * keys, 0)

    def kill_prefix(self, subkeys: int) -> Weight:
        """`kill_prefix` removing up to `subkeys` keys."""
        return Weight.from_parts(4_440_000 + 1_434_000 * subkeys + 125_000_000 * subkeys, 0)


class UnitWeights:
    """Every call weighs one unit of ref time (tests)."""

    def remark(self, length: int) -> Weight:  # noqa: ARG002 - table signature
        """One unit."""
        return Weight.from_parts(1, 0)

    def remark_with_event(self, length: int) -> Weight:  # noqa: ARG002 - table signature
        """One unit."""
        return Weight.from_parts(1, 0)

    def set_storage(self, items: int) -> Weight:  # noqa: ARG002 - table signature
        """One unit."""
        return Weight.from_parts(1, 0)

    def kill_storage(self, keys: int) -> Weight:  # noqa: ARG002 - table signature
        """One unit."""
        return Weight.from_parts(1, 0)

    def kill_prefix(self, subkeys: int) -> Weight:  # noqa: ARG002 - table signature
        """One unit."""
        return Weight.from_parts(1, 0)
