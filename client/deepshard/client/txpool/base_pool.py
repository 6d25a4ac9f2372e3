"""The two queues together (Substrate's ``graph/base_pool.rs``): import, promotion, pruning.

`BasePool` decides where a validated transaction goes (ready or future), promotes waiting
transactions when a tag they miss arrives, prunes by the tags a new block provides and enforces
the queue limits. It knows nothing of validation, bans, watchers or threads: the pool does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from deepshard.client.txpool.errors import (
    AlreadyImported,
    CycleDetected,
    PoolError,
    RejectedFutureTransaction,
)
from deepshard.client.txpool.graph import BestIterator, FutureQueue, PoolTransaction, ReadyQueue
from deepshard.client.txpool.limits import PoolStatus, QueueLimit
from deepshard.primitives.codec import H256

__all__ = ["Imported", "PruneStatus", "BasePool"]

RECENTLY_PRUNED_TAGS = 2
"""Pruned tags are remembered for this many prune calls (a validation may predate them)."""


@dataclass(frozen=True, slots=True)
class Imported:
    """The outcome of a successful import."""

    hash: H256
    """The imported transaction."""
    ready: bool
    """Whether it went to the ready queue (else the future queue)."""
    promoted: tuple[H256, ...] = ()
    """Future transactions it made ready."""
    failed: tuple[H256, ...] = ()
    """Future transactions it unlocked that could not enter the ready queue (now gone)."""
    removed: tuple[PoolTransaction, ...] = ()
    """Ready transactions it replaced (with those that depended on them)."""


@dataclass(frozen=True, slots=True)
class PruneStatus:
    """The outcome of `BasePool.prune_tags`."""

    promoted: tuple[Imported, ...] = ()
    """Future transactions the pruned tags made ready."""
    failed: tuple[H256, ...] = ()
    """Future transactions that could not be promoted (now gone)."""
    pruned: tuple[PoolTransaction, ...] = field(default=())
    """Ready transactions removed because the chain now provides their tags."""


class BasePool:
    """The ready and future queues and the rules between them; not thread-safe."""

    def __init__(self, *, reject_future: bool = False) -> None:
        self.reject_future = reject_future
        """Refuse transactions that would wait in the future queue."""
        self.ready = ReadyQueue()
        """The ready queue."""
        self.future = FutureQueue()
        """The future queue."""
        self._recently_pruned: list[set[bytes]] = [set() for _ in range(RECENTLY_PRUNED_TAGS)]
        self._recently_pruned_index = 0

    def is_imported(self, tx_hash: bytes) -> bool:
        """Whether a transaction with this hash is in either queue."""
        return tx_hash in self.ready or tx_hash in self.future

    def get(self, tx_hash: bytes) -> PoolTransaction | None:
        """Return the transaction with this hash from either queue, or None."""
        return self.ready.get(tx_hash) or self.future.get(tx_hash)

    def refresh(self, tx: PoolTransaction) -> bool:
        """Update a re-validated transaction in place if its tags did not change."""
        return self.ready.refresh(tx) or self.future.refresh(tx)

    def _missing(self, tx: PoolTransaction) -> set[bytes]:
        return {
            tag
            for tag in tx.requires
            if not self.ready.provides(tag)
            and not any(tag in pruned for pruned in self._recently_pruned)
        }

    def import_(self, tx: PoolTransaction) -> Imported:
        """Import a validated transaction into the ready or the future queue.

        Raises:
            AlreadyImported: a transaction with this hash is in the pool.
            RejectedFutureTransaction: it would wait and the pool refuses future transactions.
            TooLowPriority: it would replace ready transactions of no lower total priority.
            CycleDetected: importing it would form a dependency cycle.
        """
        if self.is_imported(tx.hash):
            raise AlreadyImported(tx.hash)
        missing = self._missing(tx)
        if missing:
            if self.reject_future:
                raise RejectedFutureTransaction()
            self.future.import_(tx, missing)
            return Imported(tx.hash, ready=False)
        return self._import_to_ready(tx)

    def _import_to_ready(self, tx: PoolTransaction) -> Imported:
        promoted: list[H256] = []
        failed: list[H256] = []
        removed: list[PoolTransaction] = []
        first = True
        to_import = [tx]
        while to_import:
            current = to_import.pop()
            to_import.extend(self.future.satisfy_tags(current.provides))
            try:
                replaced = self.ready.import_(current)
            except PoolError:
                if first:
                    # Put back what the newcomer had promoted out of the future queue.
                    for waiting in to_import:
                        self.future.import_(
                            waiting, self._missing(waiting) or set(waiting.requires)
                        )
                    raise
                failed.append(current.hash)
            else:
                if not first:
                    promoted.append(current.hash)
                removed.extend(replaced)
            first = False
        if any(r.hash == tx.hash for r in removed):
            # The newcomer unlocked transactions that pushed it out again: a cycle.
            dropped = self.ready.remove_subtree(promoted)
            raise CycleDetected(
                [r for r in removed if r.hash != tx.hash]
                + [d for d in dropped if d.hash != tx.hash]
            )
        return Imported(tx.hash, True, tuple(promoted), tuple(failed), tuple(removed))

    def best(self) -> BestIterator:
        """Return the ready transactions in inclusion order (a snapshot)."""
        return self.ready.best()

    def futures(self) -> list[PoolTransaction]:
        """Return the future transactions, oldest first."""
        return list(self.future.transactions())

    def remove_subtree(self, hashes: Iterable[H256]) -> list[PoolTransaction]:
        """Remove these transactions and all that depend on them; return what was removed."""
        hashes = list(hashes)
        removed = self.ready.remove_subtree(hashes)
        removed.extend(self.future.remove(hashes))
        return removed

    def clear_future(self) -> list[PoolTransaction]:
        """Remove and return every future transaction."""
        return self.future.remove([tx.hash for tx in self.future.transactions()])

    def prune_tags(self, tags: Iterable[bytes]) -> PruneStatus:
        """Note that the chain now provides `tags`.

        Ready transactions providing them (and the ones leading only to those) are removed;
        their dependents stay; future transactions waiting for them are promoted.
        """
        recently = self._recently_pruned[self._recently_pruned_index]
        self._recently_pruned_index = (self._recently_pruned_index + 1) % RECENTLY_PRUNED_TAGS
        recently.clear()
        to_import: list[PoolTransaction] = []
        pruned: list[PoolTransaction] = []
        for tag in tags:
            to_import.extend(self.future.satisfy_tags([tag]))
            pruned.extend(self.ready.prune_tags(tag))
            recently.add(tag)
        promoted: list[Imported] = []
        failed: list[H256] = []
        for tx in to_import:
            try:
                promoted.append(self._import_to_ready(tx))
            except PoolError:
                failed.append(tx.hash)
        return PruneStatus(tuple(promoted), tuple(failed), tuple(pruned))

    def enforce_limits(self, ready: QueueLimit, future: QueueLimit) -> list[PoolTransaction]:
        """Drop transactions until both queues are within their limits; return the dropped.

        The ready queue loses its lowest-priority transaction (the oldest among equals) with
        its dependents; the future queue loses the transaction waiting the longest.
        """
        removed: list[PoolTransaction] = []
        while ready.is_exceeded(len(self.ready), self.ready.total_bytes):
            worst = self.ready.worst()
            if worst is None:
                break
            removed.extend(self.remove_subtree([worst.hash]))
        while future.is_exceeded(len(self.future), self.future.total_bytes):
            oldest = self.future.oldest()
            if oldest is None:
                break
            removed.extend(self.remove_subtree([oldest.hash]))
        return removed

    def status(self) -> PoolStatus:
        """The sizes of both queues."""
        return PoolStatus(
            ready=len(self.ready),
            ready_bytes=self.ready.total_bytes,
            future=len(self.future),
            future_bytes=self.future.total_bytes,
        )
