"""Weights of the Training pallet's calls and of the steps of its round hook.

`TrainingWeights` is the table a runtime configures; `BenchmarkedWeights` (written by
``deepshard benchmark pallet``) holds this runtime's measured figures; `UnitWeights` gives
every call, and each step of the hook, a weight of one plus one per component unit, for tests
that are not about weight.

``on_initialize`` pays `on_initialize_base` and at most one round step per block: opening a
round (`open_round`, by the number of bonded candidates), closing the commit or the reveal
phase (`close_commit`, `close_reveal`, by drawn trainers), aggregating (`aggregate`, by
revealed adapters x submitting scorers x statistics) or closing the round (`close_round`).
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, RuntimeDbWeight, Weight

__all__ = ["TrainingWeights", "BenchmarkedWeights", "UnitWeights"]


class TrainingWeights(Protocol):
    """The weight of each Training call and of each step of its hook."""

    def bond(self) -> Weight:
        """`bond`: a hold, the ledger and the bonded count."""
        ...

    def unbond(self) -> Weight:
        """`unbond`: the ledger."""
        ...

    def withdraw_unbonded(self) -> Weight:
        """`withdraw_unbonded`: the ledger, the active round and a release."""
        ...

    def commit(self) -> Weight:
        """`commit`: the round and the commitment."""
        ...

    def reveal(self) -> Weight:
        """`reveal`: the round, the commitment and the reveal."""
        ...

    def submit_scores(self, adapters: int, statistics: int) -> Weight:
        """`submit_scores`: the round and a matrix of `adapters` x `statistics` scores."""
        ...

    def cancel_slash(self) -> Weight:
        """`cancel_slash`: the round and the pending slash."""
        ...

    def on_initialize_base(self) -> Weight:
        """The hook's fixed part: the active round, or the training queue's head."""
        ...

    def open_round(self, candidates: int) -> Weight:
        """Opening a round: reading `candidates` bonded ledgers and drawing from them."""
        ...

    def close_commit(self, trainers: int) -> Weight:
        """The commit deadline: liveness slashes of the drawn trainers that did not commit."""
        ...

    def close_reveal(self, trainers: int) -> Weight:
        """The reveal deadline: liveness slashes of the committed trainers that did not reveal."""
        ...

    def aggregate(self, trainers: int, scorers: int, statistics: int) -> Weight:
        """The score deadline: aggregation of `trainers` adapters by `scorers` scorers."""
        ...

    def close_round(self, trainers: int) -> Weight:
        """The dispute deadline: slashes applied, rewards paid, version recorded."""
        ...


class BenchmarkedWeights:
    """Training weights measured on the reference machine (see `UnitWeights` for tests)."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def bond(self) -> Weight:
        """`bond`."""
        return Weight.from_parts(160_000_000, 0).saturating_add(self.db.reads_writes(4, 4))

    def unbond(self) -> Weight:
        """`unbond`."""
        return Weight.from_parts(90_000_000, 0).saturating_add(self.db.reads_writes(1, 1))

    def withdraw_unbonded(self) -> Weight:
        """`withdraw_unbonded`."""
        return Weight.from_parts(160_000_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def commit(self) -> Weight:
        """`commit`."""
        return Weight.from_parts(100_000_000, 0).saturating_add(self.db.reads_writes(2, 1))

    def reveal(self) -> Weight:
        """`reveal`."""
        return Weight.from_parts(150_000_000, 0).saturating_add(self.db.reads_writes(3, 2))

    def submit_scores(self, adapters: int, statistics: int) -> Weight:
        """`submit_scores`."""
        return Weight.from_parts(100_000_000 + 1_000_000 * adapters * statistics, 0).saturating_add(
            self.db.reads_writes(2, 1)
        )

    def cancel_slash(self) -> Weight:
        """`cancel_slash`."""
        return Weight.from_parts(80_000_000, 0).saturating_add(self.db.reads_writes(2, 1))

    def on_initialize_base(self) -> Weight:
        """The hook's fixed part."""
        return Weight.from_parts(60_000_000, 0).saturating_add(self.db.reads_writes(3, 0))

    def open_round(self, candidates: int) -> Weight:
        """Opening a round."""
        return Weight.from_parts(500_000_000 + 20_000_000 * candidates, 0).saturating_add(
            self.db.reads_writes(6 + candidates, 6)
        )

    def close_commit(self, trainers: int) -> Weight:
        """The commit deadline."""
        return Weight.from_parts(100_000_000 + 40_000_000 * trainers, 0).saturating_add(
            self.db.reads_writes(1 + trainers, 1 + trainers)
        )

    def close_reveal(self, trainers: int) -> Weight:
        """The reveal deadline."""
        return Weight.from_parts(100_000_000 + 40_000_000 * trainers, 0).saturating_add(
            self.db.reads_writes(1 + trainers, 1 + trainers)
        )

    def aggregate(self, trainers: int, scorers: int, statistics: int) -> Weight:
        """The score deadline."""
        return Weight.from_parts(
            500_000_000 + 5_000_000 * trainers * scorers * statistics, 0
        ).saturating_add(self.db.reads_writes(2 + trainers + scorers, 2 + trainers + scorers))

    def close_round(self, trainers: int) -> Weight:
        """The dispute deadline."""
        return Weight.from_parts(500_000_000 + 200_000_000 * trainers, 0).saturating_add(
            self.db.reads_writes(6 + 3 * trainers, 6 + 3 * trainers)
        )


class UnitWeights:
    """One unit, plus one per component unit (tests)."""

    def bond(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def unbond(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def withdraw_unbonded(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def commit(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def reveal(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def submit_scores(self, adapters: int, statistics: int) -> Weight:
        """One unit, plus one per score."""
        return Weight.from_parts(1 + adapters * statistics, 0)

    def cancel_slash(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def on_initialize_base(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def open_round(self, candidates: int) -> Weight:
        """One unit, plus one per candidate."""
        return Weight.from_parts(1 + candidates, 0)

    def close_commit(self, trainers: int) -> Weight:
        """One unit, plus one per trainer."""
        return Weight.from_parts(1 + trainers, 0)

    def close_reveal(self, trainers: int) -> Weight:
        """One unit, plus one per trainer."""
        return Weight.from_parts(1 + trainers, 0)

    def aggregate(self, trainers: int, scorers: int, statistics: int) -> Weight:
        """One unit, plus one per score."""
        return Weight.from_parts(1 + trainers * scorers * statistics, 0)

    def close_round(self, trainers: int) -> Weight:
        """One unit, plus one per trainer."""
        return Weight.from_parts(1 + trainers, 0)
