"""Weights of the Proxy pallet's calls (without a proxied call's own weight).

`BenchmarkedWeights` holds figures measured on Deepshard's own Python runtime by
``python -m bench proxy`` (`bench/bench_proxy.py`): a base, a cost per announcement (``a``)
and a cost per proxy (``p``) of the accounts involved, in picoseconds of ref time, measured at
the configured maxima; proof sizes are FRAME's bounds for the items each call touches.
`UnitWeights` gives every call a weight of one, for tests that are not about weight.
"""

from __future__ import annotations

from typing import Final, Protocol

from deepshard.primitives.weights import Weight

__all__ = ["ProxyWeights", "BenchmarkedWeights", "UnitWeights", "MEASURED"]

_CALLS: Final = (
    "proxy",
    "proxy_announced",
    "remove_announcement",
    "reject_announcement",
    "announce",
    "add_proxy",
    "remove_proxy",
    "remove_proxies",
    "create_pure",
    "kill_pure",
)


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


MEASURED: Final = {
    # call: (base ps, per announcement ps, per proxy ps, proof size bytes)
    "proxy": (60_000_000, 0, 1_000_000, 4_706),
    "proxy_announced": (90_000_000, 1_000_000, 1_000_000, 5_733),
    "remove_announcement": (60_000_000, 1_000_000, 0, 5_698),
    "reject_announcement": (60_000_000, 1_000_000, 0, 5_698),
    "announce": (80_000_000, 1_000_000, 1_000_000, 5_698),
    "add_proxy": (70_000_000, 0, 1_000_000, 4_706),
    "remove_proxy": (70_000_000, 0, 1_000_000, 4_706),
    "remove_proxies": (60_000_000, 0, 1_000_000, 4_706),
    "create_pure": (80_000_000, 0, 1_000_000, 4_706),
    "kill_pure": (60_000_000, 0, 1_000_000, 4_706),
}
"""Measured figures (see the module docs)."""


def _weight(name: str, a: int = 0, p: int = 0) -> Weight:
    base, per_announcement, per_proxy, proof = MEASURED[name]
    return Weight.from_parts(base + per_announcement * a + per_proxy * p, proof)


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
