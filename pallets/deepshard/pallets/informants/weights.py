"""Weights of the Informants pallet's calls and of its closing hook.

`InformantsWeights` is the table a runtime configures; `BenchmarkedWeights` (written by
``deepshard benchmark pallet``) holds this runtime's measured figures; `UnitWeights` gives
every call, and each part of the hook, a weight of one, for tests that are not about weight.

The hook's weight has three parts, so ``on_initialize`` can stop before it overruns its
budget: `on_initialize_base` (always paid), `schedule_closing` per batch whose period ends in
this block, and `close_batch` per batch closed (the same for any number of votes).

Measured figures
----------------
Generated on 2026-12-04 by (do not edit by hand)::

    deepshard benchmark pallet --pallet informants --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import Weight

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

    def submit_batch(self) -> Weight:
        """`submit_batch`: 311.6 µs."""
        return Weight.from_parts(311_572_000, 0)

    def bond_curator(self) -> Weight:
        """`bond_curator`: 177.2 µs."""
        return Weight.from_parts(177_203_000, 0)

    def unbond_curator(self) -> Weight:
        """`unbond_curator`: 86.6 µs."""
        return Weight.from_parts(86_608_000, 0)

    def withdraw_unbonded(self) -> Weight:
        """`withdraw_unbonded`: 179.9 µs."""
        return Weight.from_parts(179_887_000, 0)

    def vote(self) -> Weight:
        """`vote`: 556.5 µs."""
        return Weight.from_parts(556_466_000, 0)

    def set_voting_period(self) -> Weight:
        """`set_voting_period`: 51.4 µs."""
        return Weight.from_parts(51_447_000, 0)

    def on_initialize_base(self) -> Weight:
        """`on_initialize_base`: 62.9 µs."""
        return Weight.from_parts(62_853_000, 0)

    def schedule_closing(self, batches: int) -> Weight:
        """`schedule_closing`: 89.8 µs + 17.422 µs per batches."""
        return Weight.from_parts(89_818_753 + 17_421_840 * batches, 0)

    def close_batch(self) -> Weight:
        """`close_batch`: 699.7 µs."""
        return Weight.from_parts(699_728_000, 0)

    def claim_curator_reward(self) -> Weight:
        """`claim_curator_reward`: 205.0 µs."""
        return Weight.from_parts(204_964_000, 0)


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
