"""Temporary bans of transaction hashes (Substrate's ``PoolRotator``).

A transaction removed from the pool (included in a block, found invalid, dropped over the
limits, expired) is banned for `PoolLimits.ban_time` seconds, so that gossip or a retrying
client does not bring it straight back (JSON-RPC 1012). Time comes from an injectable clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["BanList"]


class BanList:
    """Hashes banned until a time of `clock`; not thread-safe (the pool holds its lock)."""

    def __init__(self, ban_time: float, clock: Callable[[], float], expected_size: int) -> None:
        self._ban_time = ban_time
        self._clock = clock
        self._expected_size = expected_size
        self._until: dict[bytes, float] = {}

    def ban(self, hashes: Iterable[bytes]) -> None:
        """Ban `hashes` from now for the ban time (renewing existing bans)."""
        until = self._clock() + self._ban_time
        for tx_hash in hashes:
            self._until.pop(tx_hash, None)  # re-insert: the dict stays in ban order
            self._until[tx_hash] = until
        if len(self._until) > 2 * self._expected_size:
            for tx_hash in list(self._until)[: len(self._until) - self._expected_size]:
                del self._until[tx_hash]

    def unban(self, hashes: Iterable[bytes]) -> None:
        """Lift the bans of `hashes` (a retracted transaction is back in the pool)."""
        for tx_hash in hashes:
            self._until.pop(tx_hash, None)

    def is_banned(self, tx_hash: bytes) -> bool:
        """Whether `tx_hash` is banned now."""
        until = self._until.get(tx_hash)
        return until is not None and until > self._clock()

    def clear_timeouts(self) -> None:
        """Forget bans that have expired."""
        now = self._clock()
        for tx_hash in [h for h, until in self._until.items() if until <= now]:
            del self._until[tx_hash]

    def __len__(self) -> int:
        return len(self._until)
