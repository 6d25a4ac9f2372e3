"""Weights of the Informants pallet's calls and of its closing hook.

`InformantsWeights` is the table a runtime configures; `BenchmarkedWeights` (written by
``deepshard benchmark pallet``) holds this runtime's measured figures; `UnitWeights` gives
every call, and each part of the hook, a weight of one, for tests that are not about weight.

The hook's weight has three parts, so ``on_initialize`` can stop before it overruns its
budget: `on_initialize_base` (always paid), `schedule_closing` per batch whose period ends in
this block, and `close_batch` per batch closed (the same for any number of votes).
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import Weight

__all__ = ["InformantsWeights", "UnitWeights"]


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


class UnitWeights:
    """One unit per call, one per scheduled batch and one per vote of a closing (tests)."""

    def submit_batch(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def bond_curator(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def unbond_curator(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def withdraw_unbonded(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def vote(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def set_voting_period(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def on_initialize_base(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def schedule_closing(self, batches: int) -> Weight:
        """One unit per batch."""
        return Weight.from_parts(batches, 0)

    def close_batch(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def claim_curator_reward(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)
