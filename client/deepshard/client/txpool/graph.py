"""The dependency graph: validated transactions, the ready and future queues, the best iterator.

Introduction
------------
Validation gives every transaction tags it *requires* and tags it *provides* (for FRAME
accounts: ``(account, nonce - 1)`` and ``(account, nonce)``). A transaction is *ready* when
every tag it requires is provided by a ready transaction or by the chain; otherwise it waits in
the *future* queue for the missing tags. Only one ready transaction may provide a tag: a newcomer
providing an existing tag replaces the holders if its priority is higher than their total.

This module holds the two queues of Substrate's ``graph/ready.rs`` and ``graph/future.rs`` and
the `BestIterator` a block builder reads: dependencies first, then the highest priority, then
the shortest remaining validity, then the oldest. None of it is thread-safe; the pool holds its
lock around every call.
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from deepshard.client.txpool.errors import TooLowPriority
from deepshard.primitives.codec import H256
from deepshard.primitives.transaction_validity import TransactionSource

__all__ = ["PoolTransaction", "ReadyQueue", "FutureQueue", "BestIterator", "U64_MAX"]

U64_MAX = 2**64 - 1
"""Priorities and block numbers saturate here, as Substrate's ``u64`` arithmetic does."""


@dataclass(frozen=True, slots=True)
class PoolTransaction:
    """A validated transaction, as the pool stores it (``base_pool::Transaction``)."""

    hash: H256
    """blake2_256 of `extrinsic`."""
    extrinsic: bytes
    """The full encoding, compact length prefix included."""
    priority: int
    """Validation's priority; higher goes first."""
    requires: tuple[bytes, ...]
    """Tags that must be provided before it can be included."""
    provides: tuple[bytes, ...]
    """Tags it provides (never empty in the pool)."""
    valid_till: int
    """Block number from which the validation no longer holds (validated at + longevity)."""
    propagate: bool
    """Whether it may be gossiped."""
    source: TransactionSource
    """Where it came from."""
    validated_at: int = 0
    """Number of the block it was last validated at."""

    @property
    def size(self) -> int:
        """Its encoded length in bytes."""
        return len(self.extrinsic)


def _remove_one(items: list[H256], item: H256) -> None:
    with contextlib.suppress(ValueError):
        items.remove(item)


@dataclass(slots=True)
class _ReadyTx:
    tx: PoolTransaction
    insertion_id: int
    unlocks: list[H256]
    requires_offset: int


class ReadyQueue:
    """Transactions whose requirements are all met (Substrate's ``ReadyTransactions``)."""

    def __init__(self) -> None:
        self._insertion_id = 0
        self._provided: dict[bytes, H256] = {}
        self._ready: dict[H256, _ReadyTx] = {}
        self._best: set[H256] = set()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._ready)

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self._ready

    @property
    def total_bytes(self) -> int:
        """Sum of the encoded lengths of the queue's transactions."""
        return self._bytes

    def provides(self, tag: bytes) -> bool:
        """Whether a ready transaction provides `tag`."""
        return tag in self._provided

    def get(self, tx_hash: bytes) -> PoolTransaction | None:
        """Return the ready transaction with this hash, or None."""
        entry = self._ready.get(H256(tx_hash)) if len(tx_hash) == 32 else None
        return None if entry is None else entry.tx

    def transactions(self) -> Iterator[PoolTransaction]:
        """Yield the ready transactions in insertion order."""
        for entry in self._ready.values():
            yield entry.tx

    def best(self) -> BestIterator:
        """Return an iterator over a snapshot of the queue, in inclusion order."""
        return BestIterator(
            {
                h: (e.tx, e.insertion_id, tuple(e.unlocks), e.requires_offset)
                for h, e in self._ready.items()
            },
            [self._ready[h] for h in self._best],
        )

    def worst(self) -> PoolTransaction | None:
        """The transaction limit enforcement drops first: lowest priority, then the oldest."""
        entry = min(
            self._ready.values(), key=lambda e: (e.tx.priority, e.insertion_id), default=None
        )
        return None if entry is None else entry.tx

    def refresh(self, tx: PoolTransaction) -> bool:
        """Swap in `tx` for the queued transaction with its hash, if its tags are unchanged.

        Returns whether it was swapped (False: not here, or its tags differ).
        """
        entry = self._ready.get(tx.hash)
        if entry is None or (entry.tx.requires, entry.tx.provides) != (tx.requires, tx.provides):
            return False
        entry.tx = tx  # membership of the best set depends on the tags only
        return True

    def import_(self, tx: PoolTransaction) -> list[PoolTransaction]:
        """Add `tx`, whose requirements must all be met; return the transactions it replaced.

        Raises:
            TooLowPriority: `tx` provides a tag of ready transactions whose total priority is
                not lower than its own.
        """
        if tx.hash in self._ready:
            raise ValueError("transaction already in the ready queue")
        self._insertion_id += 1
        replaced, unlocks = self._replace_previous(tx)
        goes_to_best = True
        requires_offset = 0
        for tag in tx.requires:
            provider = self._provided.get(tag)
            if provider is not None and provider in self._ready:
                self._ready[provider].unlocks.append(tx.hash)
                goes_to_best = False
            else:
                requires_offset += 1
        for tag in tx.provides:
            self._provided[tag] = tx.hash
        if goes_to_best:
            self._best.add(tx.hash)
        self._ready[tx.hash] = _ReadyTx(tx, self._insertion_id, unlocks, requires_offset)
        self._bytes += tx.size
        return replaced

    def _replace_previous(self, tx: PoolTransaction) -> tuple[list[PoolTransaction], list[H256]]:
        holders = list(dict.fromkeys(self._provided[t] for t in tx.provides if t in self._provided))
        holders = [h for h in holders if h in self._ready]
        if not holders:
            return [], []
        old = min(sum(self._ready[h].tx.priority for h in holders), U64_MAX)
        if old >= tx.priority:
            raise TooLowPriority(old, tx.priority)
        unlocks = [u for h in holders for u in self._ready[h].unlocks]
        removed = self.remove_subtree(holders, keep_tags=frozenset(tx.provides))
        return removed, [u for u in unlocks if u in self._ready]

    def remove_subtree(
        self, hashes: Iterable[H256], keep_tags: frozenset[bytes] = frozenset()
    ) -> list[PoolTransaction]:
        """Remove `hashes` and every transaction depending on them; return what was removed.

        A removed transaction's dependents are spared when every tag it provides is in
        `keep_tags` (its replacement provides them all).
        """
        removed: list[PoolTransaction] = []
        to_remove = list(hashes)
        while to_remove:
            tx_hash = to_remove.pop()
            entry = self._ready.pop(tx_hash, None)
            if entry is None:
                continue
            tx = entry.tx
            invalidated = [t for t in tx.provides if t not in keep_tags]
            for tag in invalidated:
                if self._provided.get(tag) == tx_hash:
                    del self._provided[tag]
            for tag in tx.requires:
                provider = self._provided.get(tag)
                if provider is not None and provider in self._ready:
                    _remove_one(self._ready[provider].unlocks, tx_hash)
            self._best.discard(tx_hash)
            if invalidated:
                to_remove.extend(entry.unlocks)
            self._bytes -= tx.size
            removed.append(tx)
        return removed

    def prune_tags(self, tag: bytes) -> list[PoolTransaction]:
        """Remove the transaction providing `tag` (now provided by the chain) and its ancestors.

        Its dependents stay and count the tag as met; transactions that only led to the pruned
        one (they unlock nothing else) are pruned too. Returns the pruned transactions.
        """
        removed: list[PoolTransaction] = []
        to_prune = [tag]
        while to_prune:
            current = to_prune.pop()
            tx_hash = self._provided.pop(current, None)
            entry = None if tx_hash is None else self._ready.pop(tx_hash, None)
            if tx_hash is None or entry is None:
                continue
            self._best.discard(tx_hash)
            tx = entry.tx
            for required in tx.requires:
                provider = self._provided.get(required)
                previous = None if provider is None else self._ready.get(provider)
                if previous is None:
                    continue
                _remove_one(previous.unlocks, tx_hash)
                if not previous.unlocks:
                    to_prune.extend(previous.tx.provides)
            for unlocked in entry.unlocks:
                dependent = self._ready.get(unlocked)
                if dependent is not None:
                    dependent.requires_offset += 1
                    if dependent.requires_offset >= len(dependent.tx.requires):
                        self._best.add(unlocked)
            for other in tx.provides:
                if self._provided.get(other) == tx_hash:
                    del self._provided[other]
            self._bytes -= tx.size
            removed.append(tx)
        return removed


@dataclass(slots=True)
class _Waiting:
    tx: PoolTransaction
    missing: set[bytes]
    imported_at: int


class FutureQueue:
    """Transactions waiting for tags no ready transaction provides (``FutureTransactions``)."""

    def __init__(self) -> None:
        self._waiting: dict[H256, _Waiting] = {}
        self._wanted: dict[bytes, dict[H256, None]] = {}
        self._counter = 0
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self._waiting

    @property
    def total_bytes(self) -> int:
        """Sum of the encoded lengths of the queue's transactions."""
        return self._bytes

    def get(self, tx_hash: bytes) -> PoolTransaction | None:
        """Return the waiting transaction with this hash, or None."""
        entry = self._waiting.get(H256(tx_hash)) if len(tx_hash) == 32 else None
        return None if entry is None else entry.tx

    def transactions(self) -> Iterator[PoolTransaction]:
        """Yield the waiting transactions, oldest first."""
        for entry in self._waiting.values():
            yield entry.tx

    def refresh(self, tx: PoolTransaction) -> bool:
        """Swap in `tx` for the waiting transaction with its hash, if its tags are unchanged."""
        entry = self._waiting.get(tx.hash)
        if entry is None or (entry.tx.requires, entry.tx.provides) != (tx.requires, tx.provides):
            return False
        entry.tx = tx
        return True

    def oldest(self) -> PoolTransaction | None:
        """The transaction limit enforcement drops first (the longest waiting)."""
        entry = min(self._waiting.values(), key=lambda e: e.imported_at, default=None)
        return None if entry is None else entry.tx

    def import_(self, tx: PoolTransaction, missing: set[bytes]) -> None:
        """Add `tx`, which waits for the `missing` tags."""
        self._counter += 1
        self._waiting[tx.hash] = _Waiting(tx, set(missing), self._counter)
        for tag in missing:
            self._wanted.setdefault(tag, {})[tx.hash] = None
        self._bytes += tx.size

    def satisfy_tags(self, tags: Iterable[bytes]) -> list[PoolTransaction]:
        """Note that `tags` are now provided; remove and return the transactions now ready."""
        now_ready: list[PoolTransaction] = []
        for tag in tags:
            for tx_hash in self._wanted.pop(tag, {}):
                entry = self._waiting.get(tx_hash)
                if entry is None:
                    continue
                entry.missing.discard(tag)
                if not entry.missing:
                    del self._waiting[tx_hash]
                    self._bytes -= entry.tx.size
                    now_ready.append(entry.tx)
        return now_ready

    def remove(self, hashes: Iterable[H256]) -> list[PoolTransaction]:
        """Remove the transactions with these hashes; return those that were here."""
        removed: list[PoolTransaction] = []
        for tx_hash in hashes:
            entry = self._waiting.pop(tx_hash, None)
            if entry is None:
                continue
            for tag in entry.missing:
                wanting = self._wanted.get(tag)
                if wanting is not None:
                    wanting.pop(tx_hash, None)
                    if not wanting:
                        del self._wanted[tag]
            self._bytes -= entry.tx.size
            removed.append(entry.tx)
        return removed


_Snapshot = tuple[PoolTransaction, int, tuple[H256, ...], int]


def _order_key(tx: PoolTransaction, insertion_id: int) -> tuple[int, int, int]:
    # heapq pops the smallest: highest priority, then shortest validity, then oldest.
    return (-tx.priority, tx.valid_till, insertion_id)


class BestIterator(Iterator[PoolTransaction]):
    """Ready transactions in an order a block can include them (Substrate's ``BestIterator``).

    A transaction comes only after every pool transaction it depends on; among those whose
    requirements are met, the highest priority comes first, then the one valid for the shortest
    time, then the oldest. The iterator reads a snapshot taken when it was created. When the
    builder finds a transaction cannot be applied, it calls `report_invalid` (alias `skip`) and
    every transaction depending on it is skipped.
    """

    def __init__(self, snapshot: dict[H256, _Snapshot], best: Iterable[_ReadyTx]) -> None:
        self._all = snapshot
        self._heap: list[tuple[tuple[int, int, int], H256]] = [
            (_order_key(e.tx, e.insertion_id), e.tx.hash) for e in best
        ]
        heapq.heapify(self._heap)
        self._awaiting: dict[H256, int] = {}
        self._invalid: set[H256] = set()

    def __iter__(self) -> BestIterator:
        return self

    def __next__(self) -> PoolTransaction:
        while self._heap:
            _, tx_hash = heapq.heappop(self._heap)
            if tx_hash in self._invalid:
                continue
            entry = self._all.get(tx_hash)
            if entry is None:
                continue
            for unlocked in entry[2]:
                dependent = self._all.get(unlocked)
                if dependent is None:
                    continue
                satisfied = self._awaiting.pop(unlocked, dependent[3]) + 1
                if satisfied >= len(dependent[0].requires):
                    heapq.heappush(self._heap, (_order_key(dependent[0], dependent[1]), unlocked))
                else:
                    self._awaiting[unlocked] = satisfied
            return entry[0]
        raise StopIteration

    def report_invalid(self, tx: PoolTransaction | bytes) -> None:
        """Skip every transaction that depends on `tx` (a transaction or its hash)."""
        tx_hash = tx.hash if isinstance(tx, PoolTransaction) else H256(tx)
        entry = self._all.get(tx_hash)
        if entry is not None:
            self._invalid.update(entry[2])

    skip = report_invalid
