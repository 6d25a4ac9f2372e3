"""Weights of the Training pallet's calls and of the steps of its round hook.

`TrainingWeights` is the table a runtime configures; `BenchmarkedWeights` (written by
``deepshard benchmark pallet``) holds this runtime's measured figures; `UnitWeights` gives
every call, and each step of the hook, a weight of one plus one per component unit, for tests
that are not about weight.

``on_initialize`` pays `on_initialize_base` and at most one round step per block: opening a
round (`open_round`, by the number of bonded candidates), closing the commit or the reveal
phase (`close_commit`, `close_reveal`, by drawn trainers), aggregating (`aggregate`, by
revealed adapters x submitting scorers x statistics) or closing the round (`close_round`).

Measured figures
----------------
``BenchmarkedWeights`` was generated on 2026-12-05 (do not edit it by hand) by::

    deepshard benchmark pallet --pallet training --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
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

    def submit_scores(self, adapters: int) -> Weight:
        """`submit_scores`: the round and one row of the configured statistics per adapter."""
        ...

    def cancel_slash(self) -> Weight:
        """`cancel_slash`: the round and the pending slash."""
        ...

    def set_round_periods(self) -> Weight:
        """`set_round_periods`: one write."""
        ...

    def set_round_profile(self) -> Weight:
        """`set_round_profile`: the round size read, the profile written."""
        ...

    def set_round_size(self) -> Weight:
        """`set_round_size`: the profile read, the size written."""
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
    """Training weights measured on the machine above."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def bond(self) -> Weight:
        """`bond`: 300.9 µs; reads 4, writes 3."""
        return Weight.from_parts(300_877_000, 0).saturating_add(self.db.reads_writes(4, 3))

    def unbond(self) -> Weight:
        """`unbond`: 152.7 µs; reads 1, writes 1."""
        return Weight.from_parts(152_686_000, 0).saturating_add(self.db.reads_writes(1, 1))

    def withdraw_unbonded(self) -> Weight:
        """`withdraw_unbonded`: 347.8 µs; reads 5, writes 4."""
        return Weight.from_parts(347_756_000, 0).saturating_add(self.db.reads_writes(5, 4))

    def commit(self) -> Weight:
        """`commit`: 305.3 µs; reads 2, writes 1."""
        return Weight.from_parts(305_273_000, 0).saturating_add(self.db.reads_writes(2, 1))

    def reveal(self) -> Weight:
        """`reveal`: 414.2 µs; reads 3, writes 2."""
        return Weight.from_parts(414_204_000, 0).saturating_add(self.db.reads_writes(3, 2))

    def submit_scores(self, adapters: int) -> Weight:
        """`submit_scores`: 177.9 µs + 7.462 µs per adapters; reads 2, writes 1."""
        return Weight.from_parts(177_852_668 + 7_462_332 * adapters, 0).saturating_add(
            self.db.reads_writes(2, 1)
        )

    def cancel_slash(self) -> Weight:
        """`cancel_slash`: 217.3 µs; reads 2, writes 1."""
        return Weight.from_parts(217_333_000, 0).saturating_add(self.db.reads_writes(2, 1))

    def set_round_periods(self) -> Weight:
        """`set_round_periods`: 108.6 µs; reads 0, writes 1."""
        return Weight.from_parts(108_602_000, 0).saturating_add(self.db.reads_writes(0, 1))

    def set_round_profile(self) -> Weight:
        """`set_round_profile`: 148.9 µs; reads 1, writes 1."""
        return Weight.from_parts(148_861_000, 0).saturating_add(self.db.reads_writes(1, 1))

    def set_round_size(self) -> Weight:
        """`set_round_size`: 110.0 µs; reads 1, writes 1."""
        return Weight.from_parts(110_013_000, 0).saturating_add(self.db.reads_writes(1, 1))

    def on_initialize_base(self) -> Weight:
        """`on_initialize_base`: 94.7 µs; reads 3, writes 0."""
        return Weight.from_parts(94_680_000, 0).saturating_add(self.db.reads_writes(3, 0))

    def open_round(self, candidates: int) -> Weight:
        """`open_round`: 594.9 µs + 6.487 µs per candidates; reads 13 + candidates, writes 8."""
        return Weight.from_parts(594_874_993 + 6_486_820 * candidates, 0).saturating_add(
            self.db.reads_writes(13 + candidates, 8)
        )

    def close_commit(self, trainers: int) -> Weight:
        """`close_commit`: 271.9 µs + 12.294 µs per trainers.

        Storage: reads 1 + trainers, writes 1 + trainers.
        """
        return Weight.from_parts(271_853_047 + 12_294_346 * trainers, 0).saturating_add(
            self.db.reads_writes(1 + trainers, 1 + trainers)
        )

    def close_reveal(self, trainers: int) -> Weight:
        """`close_reveal`: 268.1 µs + 11.821 µs per trainers.

        Storage: reads 1 + 2 * trainers, writes 1 + trainers.
        """
        return Weight.from_parts(268_109_487 + 11_820_904 * trainers, 0).saturating_add(
            self.db.reads_writes(1 + 2 * trainers, 1 + trainers)
        )

    def aggregate(self, trainers: int, scorers: int, statistics: int) -> Weight:
        """`aggregate`: 0.0 µs + 150.480 µs per trainers + 564.322 µs per scorers.

        Plus 1224.650 µs per statistics. Storage: reads 4 + trainers + 2 * scorers, writes 4 +
        scorers.
        """
        return Weight.from_parts(
            150_479_893 * trainers + 564_321_988 * scorers + 1_224_649_525 * statistics, 0
        ).saturating_add(self.db.reads_writes(4 + trainers + 2 * scorers, 4 + scorers))

    def close_round(self, trainers: int) -> Weight:
        """`close_round`: 482.9 µs + 71.046 µs per trainers.

        Storage: reads 6 + 3 * trainers, writes 7 + 3 * trainers.
        """
        return Weight.from_parts(482_931_634 + 71_045_701 * trainers, 0).saturating_add(
            self.db.reads_writes(6 + 3 * trainers, 7 + 3 * trainers)
        )


class UnitWeights:
    """One unit, plus one per component unit (tests)."""

    def set_round_periods(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def set_round_profile(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def set_round_size(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

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

    def submit_scores(self, adapters: int) -> Weight:
        """One unit, plus one per adapter."""
        return Weight.from_parts(1 + adapters, 0)

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
