"""Weights of the Licences pallet's calls and of the expiries in its hook.

`LicencesWeights` is the table a runtime configures; `BenchmarkedWeights` (written by
``deepshard benchmark pallet``) holds this runtime's measured figures; `UnitWeights` gives
every call a weight of one plus one per component unit, for tests that are not about weight.

``buy`` walks the version's ancestors (its weight grows with the version id, the depth of its
lineage); ``deliver_share`` is priced at its worst case, the delivery that serves a purchase
and pays `MAX_PAYEES` informants and as many trainers; ``on_initialize`` pays
`on_initialize_base` plus `expire_purchase` per purchase expiring in the block.
"""

from __future__ import annotations

from typing import Protocol

from deepshard.primitives.weights import Weight

__all__ = ["LicencesWeights", "UnitWeights"]


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
