"""Weights of the Multisig pallet's calls (without an executed call's own weight).

`BenchmarkedWeights` holds figures measured on Deepshard's own Python runtime by
``python -m bench pallet_weights`` (`bench/bench_pallet_weights.py`; 2026-12-04, a shared
2-core x86-64 VM, CPython 3.11): the median time of each call through the composed runtime, as
a base, a cost per other signatory (``s``, the slope between 1 and 99) and a cost per byte of
the call (``z``, the slope between 0 and 10,000 bytes; the executed ``System.remark``'s own
time subtracted); bases and per-signatory costs rounded up to whole microseconds, per-byte
costs to whole nanoseconds, stored in picoseconds of ref time. The measurement is in memory,
so the storage accesses are priced on top at FRAME's ``RocksDbWeight``, counted as FRAME
counts them plus the Balances hold (``System.Account`` and ``Balances.Holds``), and the proof
size is the largest encoded size of the items read (`MULTISIGS_ITEM`, `HOLD_ITEMS`).
`UnitWeights` gives every call a weight of one, for tests that are not about weight.
"""

from __future__ import annotations

from typing import Final, Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, Weight

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


_US: Final = 1_000_000
"""Picoseconds per microsecond."""
_NS: Final = 1_000
"""Picoseconds per nanosecond."""
MULTISIGS_ITEM: Final = 120 + 3_258
"""Largest ``Multisig.Multisigs`` entry: its key, then 100 approvals, deposit and timepoint."""
HOLD_ITEMS: Final = 160 + 273
"""``System.Account`` and ``Balances.Holds`` (8 holds) of the depositor, keys included."""

MEASURED: Final = {
    # call: (base, per other signatory, per call byte, reads, writes, proof size)
    # measured (µs, median; z in ps/byte): as_multi_threshold_1 5.54;
    # as_multi create 65.65 + 1.098 s + 969 z, approve 22.14 + 1.272 s + 1073 z,
    # complete 68.55 + 1.334 s + 1204 z; approve_as_multi create 93.22 + 0.805 s,
    # approve 20.32 + 1.343 s; cancel_as_multi 58.45 + 1.152 s; poke_deposit 13.19 + 1.075 s
    "as_multi_threshold_1": (6 * _US, 0, 0, 1, 1, 0),
    "as_multi_create": (66 * _US, 2 * _US, 1 * _NS, 3, 3, MULTISIGS_ITEM + HOLD_ITEMS),
    "as_multi_approve": (23 * _US, 2 * _US, 2 * _NS, 1, 1, MULTISIGS_ITEM),
    "as_multi_complete": (69 * _US, 2 * _US, 2 * _NS, 3, 3, MULTISIGS_ITEM + HOLD_ITEMS),
    "approve_as_multi_create": (94 * _US, 1 * _US, 0, 3, 3, MULTISIGS_ITEM + HOLD_ITEMS),
    "approve_as_multi_approve": (21 * _US, 2 * _US, 0, 1, 1, MULTISIGS_ITEM),
    "cancel_as_multi": (59 * _US, 2 * _US, 0, 3, 3, MULTISIGS_ITEM + HOLD_ITEMS),
    "poke_deposit": (14 * _US, 2 * _US, 0, 3, 3, MULTISIGS_ITEM + HOLD_ITEMS),
}
"""``(base ps, per other signatory ps, per call byte ps, reads, writes, proof bytes)``."""


def _weight(name: str, s: int = 0, z: int = 0) -> Weight:
    base, per_signatory, per_byte, reads, writes, proof = MEASURED[name]
    return Weight.from_parts(base + per_signatory * s + per_byte * z, proof).saturating_add(
        ROCKS_DB_WEIGHT.reads_writes(reads, writes)
    )


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
