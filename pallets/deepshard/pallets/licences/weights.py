"""Weights of the Licences pallet's calls and of the expiries in its hook.

`LicencesWeights` is the table a runtime configures; `BenchmarkedWeights` (written by
``deepshard benchmark pallet``) holds this runtime's measured figures; `UnitWeights` gives
every call a weight of one plus one per component unit, for tests that are not about weight.

``buy`` walks the version's ancestors (its weight grows with the version id, the depth of its
lineage); ``deliver_share`` is priced at its worst case, the delivery that serves a purchase
and pays `MAX_PAYEES` informants and as many trainers; ``on_initialize`` pays
`on_initialize_base` plus `expire_purchase` per purchase expiring in the block.

Measured figures
----------------
``BenchmarkedWeights`` was generated on 2026-12-05 (do not edit it by hand) by::

    deepshard benchmark pallet --pallet licences --steps 5 --repeat 5

* machine: AMD EPYC, 2 CPUs; CPython 3.11.7;
* 5 values per component, 5 repetitions per point (median);
* ``ref_time`` is picoseconds of this runtime executing on that machine, storage
  accesses included (an in-memory overlay over genesis state); ``proof_size`` is 0.
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, RuntimeDbWeight, Weight

__all__ = ["BenchmarkedWeights", "LicencesWeights", "UnitWeights"]


class LicencesWeights(Protocol):
    """The weight of each Licences call and of each expiry in its hook."""

    def bond_keeper(self) -> Weight:
        """`bond_keeper`: a hold and the keeper record."""
        ...

    def unbond_keeper(self) -> Weight:
        """`unbond_keeper`: the keeper record."""
        ...

    def withdraw_keeper(self) -> Weight:
        """`withdraw_keeper`: the keeper record and a release."""
        ...

    def register_ciphertext(self, keepers: int) -> Weight:
        """`register_ciphertext`: each listed keeper's record and share."""
        ...

    def buy(self, depth: int) -> Weight:
        """`buy`: the version's `depth` ancestors, the escrow hold and the purchase."""
        ...

    def deliver_share(self) -> Weight:
        """`deliver_share`: the worst case, the delivery that serves and pays out."""
        ...

    def set_pricing(self) -> Weight:
        """`set_pricing`: one write."""
        ...

    def on_initialize_base(self) -> Weight:
        """The hook's fixed part: the block's deadline list."""
        ...

    def expire_purchase(self, keepers: int) -> Weight:
        """One expiry: a refund and a slash for each of `keepers` silent keepers."""
        ...


class BenchmarkedWeights:
    """Licences weights measured on the machine above."""

    def __init__(self, db: RuntimeDbWeight = ROCKS_DB_WEIGHT) -> None:
        """Price storage reads and writes with `db` (System's default `DbWeight`)."""
        self.db = db

    def bond_keeper(self) -> Weight:
        """`bond_keeper`: 251.9 µs; reads 3, writes 3."""
        return Weight.from_parts(251_854_000, 0).saturating_add(self.db.reads_writes(3, 3))

    def unbond_keeper(self) -> Weight:
        """`unbond_keeper`: 88.2 µs; reads 1, writes 1."""
        return Weight.from_parts(88_160_000, 0).saturating_add(self.db.reads_writes(1, 1))

    def withdraw_keeper(self) -> Weight:
        """`withdraw_keeper`: 281.2 µs; reads 3, writes 3."""
        return Weight.from_parts(281_217_000, 0).saturating_add(self.db.reads_writes(3, 3))

    def register_ciphertext(self, keepers: int) -> Weight:
        """`register_ciphertext`: 309.4 µs + 2.602 µs per keepers.

        Storage: reads 3 + keepers, writes 1 + keepers.
        """
        return Weight.from_parts(309_410_541 + 2_602_459 * keepers, 0).saturating_add(
            self.db.reads_writes(3 + keepers, 1 + keepers)
        )

    def buy(self, depth: int) -> Weight:
        """`buy`: 581.3 µs + 18.908 µs per depth; reads 25 + 3 * depth, writes 21."""
        return Weight.from_parts(581_302_000 + 18_908_494 * depth, 0).saturating_add(
            self.db.reads_writes(25 + 3 * depth, 21)
        )

    def deliver_share(self) -> Weight:
        """`deliver_share`: 3480.5 µs; reads 87, writes 86."""
        return Weight.from_parts(3_480_495_000, 0).saturating_add(self.db.reads_writes(87, 86))

    def set_pricing(self) -> Weight:
        """`set_pricing`: 88.0 µs; reads 0, writes 1."""
        return Weight.from_parts(88_001_000, 0).saturating_add(self.db.reads_writes(0, 1))

    def on_initialize_base(self) -> Weight:
        """`on_initialize_base`: 95.5 µs; reads 1, writes 1."""
        return Weight.from_parts(95_512_000, 0).saturating_add(self.db.reads_writes(1, 1))

    def expire_purchase(self, keepers: int) -> Weight:
        """`expire_purchase`: 403.0 µs + 64.120 µs per keepers.

        Storage: reads 4 + 3 * keepers, writes 5 + 3 * keepers.
        """
        return Weight.from_parts(402_963_608 + 64_120_392 * keepers, 0).saturating_add(
            self.db.reads_writes(4 + 3 * keepers, 5 + 3 * keepers)
        )


class UnitWeights:
    """One unit, plus one per component unit (tests)."""

    def bond_keeper(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def unbond_keeper(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def withdraw_keeper(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def register_ciphertext(self, keepers: int) -> Weight:
        """One unit, plus one per keeper."""
        return Weight.from_parts(1 + keepers, 0)

    def buy(self, depth: int) -> Weight:
        """One unit, plus one per ancestor."""
        return Weight.from_parts(1 + depth, 0)

    def deliver_share(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def set_pricing(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def on_initialize_base(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)

    def expire_purchase(self, keepers: int) -> Weight:
        """One unit, plus one per keeper."""
        return Weight.from_parts(1 + keepers, 0)
