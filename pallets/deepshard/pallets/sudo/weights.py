"""Weights of the Sudo pallet's calls.

`SudoWeights` is the table a runtime configures: `ReferenceWeights` carries FRAME's own
`pallet_sudo` benchmark figures (reference hardware, 2024), with the ``Sudo.Key`` accesses
priced at FRAME's ``RocksDbWeight`` (25 µs per read, 100 µs per write); `UnitWeights` gives
every call a weight of one, for tests that are not about weight. The weight of ``sudo`` and
``sudo_as`` is the table's figure *plus* the wrapped call's own weight.

Measured figures
----------------
``BenchmarkedWeights`` was generated on 2026-12-04 (do not edit it by hand) by::

    deepshard benchmark pallet --pallet sudo --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, RuntimeDbWeight, Weight

__all__ = ["BenchmarkedWeights", "SudoWeights", "ReferenceWeights", "UnitWeights"]


class SudoWeights(Protocol):
    """The weight of each Sudo call (without a wrapped call's own weight)."""

    def sudo(self) -> Weight:
        """`sudo`: reads the key."""
        ...

    def set_key(self) -> Weight:
        """`set_key`: reads and writes the key."""
        ...

    def sudo_as(self) -> Weight:
        """`sudo_as`: reads the key."""
        ...

    def remove_key(self) -> Weight:
        """`remove_key`: reads and removes the key."""
        ...


class BenchmarkedWeights:
    """Sudo weights measured on the machine above."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def sudo(self) -> Weight:
        """`sudo`: 73.2 µs; reads 1, writes 0."""
        return Weight.from_parts(73_239_000, 0).saturating_add(self.db.reads_writes(1, 0))

    def set_key(self) -> Weight:
        """`set_key`: 64.7 µs; reads 1, writes 1."""
        return Weight.from_parts(64_686_000, 0).saturating_add(self.db.reads_writes(1, 1))

    def sudo_as(self) -> Weight:
        """`sudo_as`: 71.7 µs; reads 1, writes 0."""
        return Weight.from_parts(71_686_000, 0).saturating_add(self.db.reads_writes(1, 0))

    def remove_key(self) -> Weight:
        """`remove_key`: 45.3 µs; reads 1, writes 1."""
        return Weight.from_parts(45_337_000, 0).saturating_add(self.db.reads_writes(1, 1))


class ReferenceWeights:
    """FRAME's benchmarked `pallet_sudo` weights (picoseconds of reference hardware)."""

    def sudo(self) -> Weight:
        """`sudo`: 10.729 µs, 1517 bytes of proof, 1 read."""
        return Weight.from_parts(10_729_000, 1_517).saturating_add(ROCKS_DB_WEIGHT.reads(1))

    def set_key(self) -> Weight:
        """`set_key`: 9.663 µs, 1517 bytes of proof, 1 read and 1 write."""
        return Weight.from_parts(9_663_000, 1_517).saturating_add(
            ROCKS_DB_WEIGHT.reads_writes(1, 1)
        )

    def sudo_as(self) -> Weight:
        """`sudo_as`: 11.003 µs, 1517 bytes of proof, 1 read."""
        return Weight.from_parts(11_003_000, 1_517).saturating_add(ROCKS_DB_WEIGHT.reads(1))

    def remove_key(self) -> Weight:
        """`remove_key`: 9.127 µs, 1517 bytes of proof, 1 read and 1 write."""
        return Weight.from_parts(9_127_000, 1_517).saturating_add(
            ROCKS_DB_WEIGHT.reads_writes(1, 1)
        )


class UnitWeights:
    """Every call weighs one unit of ref time (tests)."""

    def sudo(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def set_key(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def sudo_as(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def remove_key(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)
