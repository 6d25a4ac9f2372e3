"""Weights of the Informants pallet's calls and of its closing hook.

`InformantsWeights` is the table a runtime configures; `BenchmarkedWeights` (written by
``deepshard benchmark pallet``) holds this runtime's measured figures; `UnitWeights` gives
every call, and each part of the hook, a weight of one, for tests that are not about weight.

The hook's weight has three parts, so ``on_initialize`` can stop before it overruns its
budget: `on_initialize_base` (always paid), `schedule_closing` per batch whose period ends in
this block, and `close_batch` per batch closed (the same for any number of votes).

Measured figures
----------------
``BenchmarkedWeights`` was generated on 2026-12-04 (do not edit it by hand) by::

    deepshard benchmark pallet --pallet informants --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, RuntimeDbWeight, Weight

__all__ = ["InformantsWeights", "BenchmarkedWeights", "UnitWeights"]


class InformantsWeights(Protocol):
    """The weight of each Informants call and of the parts of its hook."""

    def submit_batch(self) -> Weight:
        """`submit_batch`: two holds, the batch, the account's open list and the deadline."""
        ...

    def bond_curator(self) -> Weight:
        """`bond_curator`: a hold, the ledger and the total bond."""
        ...

    def unbond_curator(self) -> Weight:
        """`unbond_curator`: the ledger and the total bond."""
        ...

    def withdraw_unbonded(self) -> Weight:
        """`withdraw_unbonded`: the ledger and a release."""
        ...

    def vote(self) -> Weight:
        """`vote`: the batch, the ledger and the vote."""
        ...

    def set_voting_period(self) -> Weight:
        """`set_voting_period`: one write."""
        ...

    def on_initialize_base(self) -> Weight:
        """The hook's fixed part: the deadline list and the closing queue's bounds."""
        ...

    def schedule_closing(self, batches: int) -> Weight:
        """Moving `batches` whose voting period ended into the closing queue."""
        ...

    def close_batch(self) -> Weight:
        """Closing one batch: decision, stake, informant reward, earmark (any vote count)."""
        ...

    def claim_curator_reward(self) -> Weight:
        """`claim_curator_reward`: the batch, the vote and a mint."""
        ...


class BenchmarkedWeights:
    """Informants weights measured on the machine above."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def submit_batch(self) -> Weight:
        """`submit_batch`: 461.6 µs; reads 7, writes 7."""
        return Weight.from_parts(461_565_000, 0).saturating_add(self.db.reads_writes(7, 7))

    def bond_curator(self) -> Weight:
        """`bond_curator`: 267.4 µs; reads 4, writes 4."""
        return Weight.from_parts(267_447_000, 0).saturating_add(self.db.reads_writes(4, 4))

    def unbond_curator(self) -> Weight:
        """`unbond_curator`: 133.9 µs; reads 2, writes 2."""
        return Weight.from_parts(133_879_000, 0).saturating_add(self.db.reads_writes(2, 2))

    def withdraw_unbonded(self) -> Weight:
        """`withdraw_unbonded`: 316.4 µs; reads 4, writes 3."""
        return Weight.from_parts(316_370_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def vote(self) -> Weight:
        """`vote`: 646.1 µs; reads 4, writes 3."""
        return Weight.from_parts(646_149_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def set_voting_period(self) -> Weight:
        """`set_voting_period`: 78.8 µs; reads 0, writes 1."""
        return Weight.from_parts(78_817_000, 0).saturating_add(self.db.reads_writes(0, 1))

    def on_initialize_base(self) -> Weight:
        """`on_initialize_base`: 112.3 µs; reads 2, writes 1."""
        return Weight.from_parts(112_327_000, 0).saturating_add(self.db.reads_writes(2, 1))

    def schedule_closing(self, batches: int) -> Weight:
        """`schedule_closing`: 132.9 µs + 20.347 µs per batches.

        Storage: reads 1 + batches, writes 1 + 2 * batches.
        """
        return Weight.from_parts(132_896_120 + 20_347_437 * batches, 0).saturating_add(
            self.db.reads_writes(1 + batches, 1 + 2 * batches)
        )

    def close_batch(self) -> Weight:
        """`close_batch`: 756.1 µs; reads 10, writes 11."""
        return Weight.from_parts(756_052_000, 0).saturating_add(self.db.reads_writes(10, 11))

    def claim_curator_reward(self) -> Weight:
        """`claim_curator_reward`: 306.7 µs; reads 6, writes 6."""
        return Weight.from_parts(306_676_000, 0).saturating_add(self.db.reads_writes(6, 6))


class UnitWeights:
    """One unit, plus one per component unit (tests)."""

    def submit_batch(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def bond_curator(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def unbond_curator(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def withdraw_unbonded(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def vote(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def set_voting_period(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def on_initialize_base(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def schedule_closing(self, batches: int) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1 + batches, 0)

    def close_batch(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)

    def claim_curator_reward(self) -> Weight:
        """One unit, plus one per component unit."""
        return Weight.from_parts(1, 0)
