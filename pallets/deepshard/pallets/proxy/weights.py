"""Weights of the Proxy pallet's calls (without a proxied call's own weight).

`BenchmarkedWeights` holds figures measured on Deepshard's own Python runtime by
``python -m bench pallet_weights`` (`bench/bench_pallet_weights.py`; 2026-12-04, a shared
2-core x86-64 VM, CPython 3.11): the median time of each call through the composed runtime, as
a base, a cost per pending announcement (``a``) and a cost per proxy (``p``), each the slope
between 1 and 31 (the proxied ``System.remark``'s own time subtracted), rounded up to whole
microseconds and stored in picoseconds of ref time; the pallet prices them at the configured
maxima, as FRAME does. The measurement is in memory, so storage accesses are priced on top at
FRAME's ``RocksDbWeight`` (the pallet's items plus ``System.Account`` and ``Balances.Holds``
for a deposit), and the proof size is the largest encoded size of the items read.
`UnitWeights` gives every call a weight of one, for tests that are not about weight.
"""

from __future__ import annotations

from typing import Final, Protocol

from deepshard.primitives.weights import ROCKS_DB_WEIGHT, Weight

__all__ = ["ProxyWeights", "BenchmarkedWeights", "UnitWeights", "MEASURED"]


class ProxyWeights(Protocol):
    """The weight of each Proxy call, by pending announcements `a` and proxies `p`."""

    def proxy(self, p: int) -> Weight:
        """`proxy`."""
        ...

    def proxy_announced(self, a: int, p: int) -> Weight:
        """`proxy_announced`."""
        ...

    def remove_announcement(self, a: int, p: int) -> Weight:
        """`remove_announcement`."""
        ...

    def reject_announcement(self, a: int, p: int) -> Weight:
        """`reject_announcement`."""
        ...

    def announce(self, a: int, p: int) -> Weight:
        """`announce`."""
        ...

    def add_proxy(self, p: int) -> Weight:
        """`add_proxy`."""
        ...

    def remove_proxy(self, p: int) -> Weight:
        """`remove_proxy`."""
        ...

    def remove_proxies(self, p: int) -> Weight:
        """`remove_proxies`."""
        ...

    def create_pure(self, p: int) -> Weight:
        """`create_pure`."""
        ...

    def kill_pure(self, p: int) -> Weight:
        """`kill_pure`."""
        ...

    def poke_deposit(self) -> Weight:
        """`poke_deposit`."""
        ...


_US: Final = 1_000_000
"""Picoseconds per microsecond."""
PROXIES_ITEM: Final = 72 + 1_201
"""Largest ``Proxy.Proxies`` entry: its key, then 32 definitions and the deposit."""
ANNOUNCEMENTS_ITEM: Final = 72 + 2_193
"""Largest ``Proxy.Announcements`` entry: its key, then 32 announcements and the deposit."""
HOLD_ITEMS: Final = 160 + 273
"""``System.Account`` and ``Balances.Holds`` (8 holds) of the depositor, keys included."""
_P: Final = PROXIES_ITEM
_PA: Final = PROXIES_ITEM + ANNOUNCEMENTS_ITEM + HOLD_ITEMS

MEASURED: Final = {
    # call: (base, per announcement, per proxy, reads, writes, proof size)
    # measured (µs, median): proxy 8.95 + 1.091 p; add_proxy 96.59 + 0.954 p;
    # remove_proxy 90.97 + 2.038 p; remove_proxies 64.08 + 1.898 p; create_pure 53.25;
    # kill_pure 48.55; announce 52.49 + 1.180 a; remove_announcement 47.58 + 1.342 a;
    # reject_announcement 48.08 + 1.334 a; proxy_announced 57.01 + 1.510 a
    "proxy": (9 * _US, 0, 2 * _US, 1, 0, _P),
    "proxy_announced": (58 * _US, 2 * _US, 2 * _US, 4, 3, _PA),
    "remove_announcement": (48 * _US, 2 * _US, 0, 3, 3, ANNOUNCEMENTS_ITEM + HOLD_ITEMS),
    "reject_announcement": (49 * _US, 2 * _US, 0, 3, 3, ANNOUNCEMENTS_ITEM + HOLD_ITEMS),
    "announce": (53 * _US, 2 * _US, 0, 4, 3, _PA),
    "add_proxy": (97 * _US, 0, 1 * _US, 3, 3, _P + HOLD_ITEMS),
    "remove_proxy": (91 * _US, 0, 3 * _US, 3, 3, _P + HOLD_ITEMS),
    "remove_proxies": (65 * _US, 0, 2 * _US, 3, 3, _P + HOLD_ITEMS),
    "create_pure": (54 * _US, 0, 0, 3, 3, _P + HOLD_ITEMS),
    "kill_pure": (49 * _US, 0, 0, 3, 3, _P + HOLD_ITEMS),
    # poke_deposit 184.73 (32 proxies and 31 announcements, both deposits re-priced)
    "poke_deposit": (185 * _US, 0, 0, 4, 4, _PA),
}
"""``(base ps, per announcement ps, per proxy ps, reads, writes, proof bytes)``."""


def _weight(name: str, a: int = 0, p: int = 0) -> Weight:
    base, per_announcement, per_proxy, reads, writes, proof = MEASURED[name]
    return Weight.from_parts(base + per_announcement * a + per_proxy * p, proof).saturating_add(
        ROCKS_DB_WEIGHT.reads_writes(reads, writes)
    )


class BenchmarkedWeights:
    """Weights measured on Deepshard's runtime (see `MEASURED`)."""

    def proxy(self, p: int) -> Weight:
        """Measured."""
        return _weight("proxy", 0, p)

    def proxy_announced(self, a: int, p: int) -> Weight:
        """Measured."""
        return _weight("proxy_announced", a, p)

    def remove_announcement(self, a: int, p: int) -> Weight:
        """Measured."""
        return _weight("remove_announcement", a, p)

    def reject_announcement(self, a: int, p: int) -> Weight:
        """Measured."""
        return _weight("reject_announcement", a, p)

    def announce(self, a: int, p: int) -> Weight:
        """Measured."""
        return _weight("announce", a, p)

    def add_proxy(self, p: int) -> Weight:
        """Measured."""
        return _weight("add_proxy", 0, p)

    def remove_proxy(self, p: int) -> Weight:
        """Measured."""
        return _weight("remove_proxy", 0, p)

    def remove_proxies(self, p: int) -> Weight:
        """Measured."""
        return _weight("remove_proxies", 0, p)

    def create_pure(self, p: int) -> Weight:
        """Measured."""
        return _weight("create_pure", 0, p)

    def kill_pure(self, p: int) -> Weight:
        """Measured."""
        return _weight("kill_pure", 0, p)

    def poke_deposit(self) -> Weight:
        """Measured."""
        return _weight("poke_deposit")


class UnitWeights:
    """Every call weighs one unit of ref time (tests)."""

    def proxy(self, p: int) -> Weight:
        """One unit."""
        del p
        return Weight.from_parts(1, 0)

    def proxy_announced(self, a: int, p: int) -> Weight:
        """One unit."""
        del a, p
        return Weight.from_parts(1, 0)

    def remove_announcement(self, a: int, p: int) -> Weight:
        """One unit."""
        del a, p
        return Weight.from_parts(1, 0)

    def reject_announcement(self, a: int, p: int) -> Weight:
        """One unit."""
        del a, p
        return Weight.from_parts(1, 0)

    def announce(self, a: int, p: int) -> Weight:
        """One unit."""
        del a, p
        return Weight.from_parts(1, 0)

    def add_proxy(self, p: int) -> Weight:
        """One unit."""
        del p
        return Weight.from_parts(1, 0)

    def remove_proxy(self, p: int) -> Weight:
        """One unit."""
        del p
        return Weight.from_parts(1, 0)

    def remove_proxies(self, p: int) -> Weight:
        """One unit."""
        del p
        return Weight.from_parts(1, 0)

    def create_pure(self, p: int) -> Weight:
        """One unit."""
        del p
        return Weight.from_parts(1, 0)

    def kill_pure(self, p: int) -> Weight:
        """One unit."""
        del p
        return Weight.from_parts(1, 0)

    def poke_deposit(self) -> Weight:
        """One unit."""
        return Weight.from_parts(1, 0)
