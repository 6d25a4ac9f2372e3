"""Writes in flight in one process, so cleanup and garbage collection never delete a live block.

Every operation that writes blocks (an add, a fetch, a CAR import) or deletes them (a failed
fetch cleaning up, `gc`) registers as an `Operation`. Writers `touch` keys before writing them.
An operation's ``protected`` set collects every key any *other* operation touched while it was
alive (and, at its start, every key already touched by those still running). A deleting
operation removes only keys that are neither protected nor touched by a running operation, and
does so under the registry's lock, so no write can slip in between the check and the delete.

This covers one process (the daemon, or one worker). Two processes writing the same LMDB
directory stay consistent block by block, but only the one that owns the store should run `gc`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["Operation", "WriteRegistry"]


@dataclass(eq=False, slots=True)
class Operation:
    """One writing or deleting operation: what it touched and what it must not delete."""

    touched: set[bytes] = field(default_factory=set)
    protected: set[bytes] = field(default_factory=set)


class WriteRegistry:
    """The operations running against one store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: list[Operation] = []

    def begin(self) -> Operation:
        """Register a new operation; it starts protecting what the running ones touched."""
        op = Operation()
        with self._lock:
            for other in self._running:
                op.protected |= other.touched
            self._running.append(op)
        return op

    def end(self, op: Operation) -> None:
        """Unregister ``op`` (its keys stay protected in the operations it overlapped)."""
        with self._lock:
            self._running = [o for o in self._running if o is not op]

    def touch(self, op: Operation, keys: Iterable[bytes]) -> None:
        """Record that ``op`` is about to write ``keys``."""
        batch = set(keys)
        with self._lock:
            op.touched |= batch
            for other in self._running:
                if other is not op:
                    other.protected |= batch

    def delete_unprotected(
        self, op: Operation, candidates: Iterable[bytes], delete: Callable[[list[bytes]], object]
    ) -> list[bytes]:
        """Delete the candidates nobody else needs; return the keys actually deleted."""
        with self._lock:
            busy = set().union(*(o.touched for o in self._running if o is not op))
            doomed = [k for k in candidates if k not in op.protected and k not in busy]
            delete(doomed)
        return doomed
