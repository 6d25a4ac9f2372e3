"""Weights of the Balances pallet's calls.

`BalancesWeights` is the table a runtime configures, one method per call (a unit test checks the
names match the calls). `ReferenceWeights` carries FRAME's own `pallet_balances` benchmark
figures (``substrate/frame/balances/src/weights.rs``, benchmark CLI 32.0.0, 2024-05-06, Intel
Xeon @ 2.60GHz, 50 steps x 20 repeats, compiled Wasm), plus their storage reads and writes priced
with FRAME's ``RocksDbWeight``; they stand in until `make bench` measures Deepshard's own.
`UnitWeights` gives every call a weight of one, for tests that are not about weight.

Every figure is ``Weight.from_parts(ref_time_picoseconds, proof_size_bytes)``; the
``System::Account`` accesses each call makes are noted per method.

Measured figures
----------------
``BenchmarkedWeights`` was generated on 2026-12-04 (do not edit it by hand) by::

    deepshard benchmark pallet --pallet balances --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, RuntimeDbWeight, Weight

__all__ = ["BenchmarkedWeights", "BalancesWeights", "ReferenceWeights", "UnitWeights"]


class BalancesWeights(Protocol):
    """The weight of each Balances call."""

    def transfer_allow_death(self) -> Weight:
        """`transfer_allow_death`."""
        ...

    def force_transfer(self) -> Weight:
        """`force_transfer`."""
        ...

    def transfer_keep_alive(self) -> Weight:
        """`transfer_keep_alive`."""
        ...

    def transfer_all(self) -> Weight:
        """`transfer_all`."""
        ...

    def force_unreserve(self) -> Weight:
        """`force_unreserve`."""
        ...

    def force_set_balance(self) -> Weight:
        """`force_set_balance` (the worse of creating and killing an account)."""
        ...

    def burn(self, keep_alive: bool) -> Weight:
        """`burn`; reaping (``keep_alive=False``) costs more."""
        ...


class BenchmarkedWeights:
    """Balances weights measured on the machine above."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def transfer_allow_death(self) -> Weight:
        """`transfer_allow_death`: 156.1 µs; reads 4, writes 3."""
        return Weight.from_parts(156_142_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def force_transfer(self) -> Weight:
        """`force_transfer`: 150.5 µs; reads 4, writes 3."""
        return Weight.from_parts(150_544_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def transfer_keep_alive(self) -> Weight:
        """`transfer_keep_alive`: 131.0 µs; reads 4, writes 3."""
        return Weight.from_parts(130_994_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def transfer_all(self) -> Weight:
        """`transfer_all`: 169.1 µs; reads 4, writes 3."""
        return Weight.from_parts(169_091_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def force_unreserve(self) -> Weight:
        """`force_unreserve`: 112.8 µs; reads 2, writes 1."""
        return Weight.from_parts(112_847_000, 0).saturating_add(self.db.reads_writes(2, 1))

    def force_set_balance(self) -> Weight:
        """`force_set_balance`: 82.5 µs; reads 2, writes 2."""
        return Weight.from_parts(82_493_000, 0).saturating_add(self.db.reads_writes(2, 2))

    def burn(self, keep_alive: bool) -> Weight:
        """`burn`: 118.5 µs; reads 2, writes 2."""
        del keep_alive  # no measurable effect, or priced at worst
        return Weight.from_parts(118_466_000, 0).saturating_add(self.db.reads_writes(2, 2))


@dataclass(frozen=True, slots=True)
class ReferenceWeights:
    """FRAME's benchmarked `pallet_balances` weights (picoseconds of reference hardware)."""

    db: RuntimeDbWeight = ROCKS_DB_WEIGHT
    """The price of a storage read and write."""

    def _with_db(self, ref_time: int, proof_size: int, reads: int, writes: int) -> Weight:
        base = Weight.from_parts(ref_time, proof_size)
        return base.saturating_add(self.db.reads_writes(reads, writes))

    def transfer_allow_death(self) -> Weight:
        """`transfer_allow_death`: ``System::Account`` r:1 w:1."""
        return self._with_db(48_363_000, 3593, 1, 1)

    def force_transfer(self) -> Weight:
        """`force_transfer`: ``System::Account`` r:2 w:2."""
        return self._with_db(49_944_000, 6196, 2, 2)

    def transfer_keep_alive(self) -> Weight:
        """`transfer_keep_alive`: ``System::Account`` r:1 w:1."""
        return self._with_db(38_159_000, 3593, 1, 1)

    def transfer_all(self) -> Weight:
        """`transfer_all`: ``System::Account`` r:1 w:1."""
        return self._with_db(47_385_000, 3593, 1, 1)

    def force_unreserve(self) -> Weight:
        """`force_unreserve`: ``System::Account`` r:1 w:1."""
        return self._with_db(17_233_000, 3593, 1, 1)

    def force_set_balance(self) -> Weight:
        """`force_set_balance`: max of creating (14.7 µs) and killing (19.9 µs); r:1 w:1."""
        creating = self._with_db(14_687_000, 3593, 1, 1)
        killing = self._with_db(19_929_000, 3593, 1, 1)
        return creating.max(killing)

    def burn(self, keep_alive: bool) -> Weight:
        """`burn`: 20.7 µs keeping the account alive, 31.0 µs allowing its death."""
        if keep_alive:
            return Weight.from_parts(20_711_000, 0)
        return Weight.from_parts(30_968_000, 0)


class UnitWeights:
    """Every call weighs one unit of ref time (tests)."""

    def transfer_allow_death(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def force_transfer(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def transfer_keep_alive(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def transfer_all(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def force_unreserve(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def force_set_balance(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def burn(self, keep_alive: bool) -> Weight:  # noqa: ARG002 - table signature
        """One unit."""
        return Weight.from_parts(1, 0)
