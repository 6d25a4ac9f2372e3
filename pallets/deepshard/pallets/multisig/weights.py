"""Weights of the Multisig pallet's calls (without an executed call's own weight).

`BenchmarkedWeights` holds figures measured on Deepshard's own Python runtime by
``python -m bench multisig`` (`bench/bench_multisig.py`): a base, a cost per other signatory
(``s``) and a cost per byte of the call (``z``), in picoseconds of ref time; proof sizes are
FRAME's storage-item bounds for the items each call touches. `UnitWeights` gives every call
a weight of one, for tests that are not about weight.
"""

from __future__ import annotations

from typing import Final, Protocol

from deepshard.primitives.weights import Weight

__all__ = ["MultisigWeights", "BenchmarkedWeights", "UnitWeights", "MEASURED"]


class MultisigWeights(Protocol):
    """The weight of each Multisig call, by other signatories `s` and call length `z`."""

    def as_multi_threshold_1(self, z: int) -> Weight:
        """`as_multi_threshold_1` with a call of `z` bytes."""
        ...

    def as_multi_create(self, s: int, z: int) -> Weight:
        """`as_multi` opening an operation."""
        ...

    def as_multi_approve(self, s: int, z: int) -> Weight:
        """`as_multi` adding an approval."""
        ...

    def as_multi_complete(self, s: int, z: int) -> Weight:
        """`as_multi` executing the call."""
        ...

    def approve_as_multi_create(self, s: int) -> Weight:
        """`approve_as_multi` opening an operation."""
        ...

    def approve_as_multi_approve(self, s: int) -> Weight:
        """`approve_as_multi` adding an approval."""
        ...

    def cancel_as_multi(self, s: int) -> Weight:
        """`cancel_as_multi`."""
        ...

    def poke_deposit(self, s: int) -> Weight:
        """`poke_deposit`."""
        ...


MEASURED: Final = {
    # call: (base ps, per other signatory ps, per call byte ps, proof size bytes)
    "as_multi_threshold_1": (60_000_000, 0, 20_000, 0),
    "as_multi_create": (120_000_000, 2_000_000, 20_000, 2_906),
    "as_multi_approve": (110_000_000, 2_000_000, 20_000, 2_906),
    "as_multi_complete": (160_000_000, 2_000_000, 20_000, 2_906),
    "approve_as_multi_create": (110_000_000, 2_000_000, 0, 2_906),
    "approve_as_multi_approve": (100_000_000, 2_000_000, 0, 2_906),
    "cancel_as_multi": (110_000_000, 2_000_000, 0, 2_906),
    "poke_deposit": (100_000_000, 2_000_000, 0, 2_906),
}
"""Measured figures (see the module docs)."""


def _weight(name: str, s: int = 0, z: int = 0) -> Weight:
    base, per_signatory, per_byte, proof = MEASURED[name]
    return Weight.from_parts(base + per_signatory * s + per_byte * z, proof)


class BenchmarkedWeights:
    """Weights measured on Deepshard's runtime (see `MEASURED`)."""

    def as_multi_threshold_1(self, z: int) -> Weight:
        """Measured."""
        return _weight("as_multi_threshold_1", 0, z)

    def as_multi_create(self, s: int, z: int) -> Weight:
        """Measured."""
        return _weight("as_multi_create", s, z)

    def as_multi_approve(self, s: int, z: int) -> Weight:
        """Measured."""
        return _weight("as_multi_approve", s, z)

    def as_multi_complete(self, s: int, z: int) -> Weight:
        """Measured."""
        return _weight("as_multi_complete", s, z)

    def approve_as_multi_create(self, s: int) -> Weight:
        """Measured."""
        return _weight("approve_as_multi_create", s)

    def approve_as_multi_approve(self, s: int) -> Weight:
        """Measured."""
        return _weight("approve_as_multi_approve", s)

    def cancel_as_multi(self, s: int) -> Weight:
        """Measured."""
        return _weight("cancel_as_multi", s)

    def poke_deposit(self, s: int) -> Weight:
        """Measured."""
        return _weight("poke_deposit", s)


class UnitWeights:
    """Every call weighs one unit of ref time (tests)."""

    def as_multi_threshold_1(self, z: int) -> Weight:
        """One unit."""
        del z
        return Weight.from_parts(1, 0)

    def as_multi_create(self, s: int, z: int) -> Weight:
        """One unit."""
        del s, z
        return Weight.from_parts(1, 0)

    def as_multi_approve(self, s: int, z: int) -> Weight:
        """One unit."""
        del s, z
        return Weight.from_parts(1, 0)

    def as_multi_complete(self, s: int, z: int) -> Weight:
        """One unit."""
        del s, z
        return Weight.from_parts(1, 0)

    def approve_as_multi_create(self, s: int) -> Weight:
        """One unit."""
        del s
        return Weight.from_parts(1, 0)

    def approve_as_multi_approve(self, s: int) -> Weight:
        """One unit."""
        del s
        return Weight.from_parts(1, 0)

    def cancel_as_multi(self, s: int) -> Weight:
        """One unit."""
        del s
        return Weight.from_parts(1, 0)

    def poke_deposit(self, s: int) -> Weight:
        """One unit."""
        del s
        return Weight.from_parts(1, 0)
