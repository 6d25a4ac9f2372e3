"""Status updates of watched transactions (Substrate's ``graph/listener.rs``).

Introduction
------------
``author_submitAndWatchExtrinsic`` subscribes a `TransactionWatcher` to one transaction. The
`WatcherHub` keeps the subscriptions and turns pool events into `TransactionStatus` updates:

* ``future`` / ``ready`` when the transaction enters (or moves between) the queues;
* ``inBlock(block)`` when a best block includes it; the hub remembers which block, so that
  ``retracted(block)`` can follow when that block leaves the best chain and
  ``finalized(block)`` when it is finalized; after `PoolLimits.max_finality_watchers` blocks
  waiting for finality, the oldest block's transactions get ``finalityTimeout(block)``;
* ``usurped(tx)``, ``dropped``, ``invalid`` when it leaves the pool for good.

A final status (`TransactionStatus.is_final`) ends the subscription.

Updates are queued while the pool holds its lock and delivered by `dispatch` once it has let
go, so a watcher may call back into the pool. Delivery is serialised: every watcher sees its
updates in the order they happened, whichever thread delivers them.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from deepshard.client.node.interfaces import TransactionStatus, TransactionWatcher, Unsubscribe
from deepshard.primitives.codec import H256

__all__ = ["WatcherHub"]

log = logging.getLogger("deepshard.txpool")


class _Subscription:
    __slots__ = ("active", "callback", "tx_hash")

    def __init__(self, tx_hash: H256 | None, callback: Callable[[Any], None]) -> None:
        self.tx_hash = tx_hash
        self.callback = callback
        self.active = True


class WatcherHub:
    """Subscriptions to transaction statuses, and the queue of updates to deliver."""

    def __init__(self, max_finality_watchers: int = 512) -> None:
        self._lock = threading.RLock()
        self._dispatch_lock = threading.RLock()
        self._watchers: dict[H256, list[_Subscription]] = {}
        self._in_block: dict[H256, list[H256]] = {}
        self._ready_listeners: list[_Subscription] = []
        self._outbox: deque[tuple[_Subscription, Any]] = deque()
        self._max_finality_watchers = max_finality_watchers

    def watch(self, tx_hash: H256, callback: TransactionWatcher) -> Unsubscribe:
        """Subscribe `callback` to the statuses of `tx_hash`; return the way to unsubscribe."""
        subscription = _Subscription(tx_hash, callback)
        with self._lock:
            self._watchers.setdefault(tx_hash, []).append(subscription)

        def unsubscribe() -> None:
            with self._lock:
                self._drop(subscription)

        return unsubscribe

    def on_ready(self, callback: Callable[[H256], None]) -> Unsubscribe:
        """Call `callback` with the hash of every transaction entering the ready queue."""
        subscription = _Subscription(None, callback)
        with self._lock:
            self._ready_listeners.append(subscription)

        def unsubscribe() -> None:
            with self._lock:
                subscription.active = False
                if subscription in self._ready_listeners:
                    self._ready_listeners.remove(subscription)

        return unsubscribe

    def _drop(self, subscription: _Subscription) -> None:
        subscription.active = False
        tx_hash = subscription.tx_hash
        subscriptions = None if tx_hash is None else self._watchers.get(tx_hash)
        if tx_hash is not None and subscriptions is not None and subscription in subscriptions:
            subscriptions.remove(subscription)
            if not subscriptions:
                del self._watchers[tx_hash]

    def is_watched(self, tx_hash: bytes) -> bool:
        """Whether `tx_hash` has a subscriber."""
        with self._lock:
            return tx_hash in self._watchers

    def __len__(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._watchers.values())

    def _fire(self, tx_hash: bytes, status: TransactionStatus) -> None:
        with self._lock:
            subscriptions = self._watchers.get(H256(tx_hash)) if len(tx_hash) == 32 else None
            if not subscriptions:
                return
            for subscription in list(subscriptions):
                self._outbox.append((subscription, status))
                if status.is_final:
                    self._drop(subscription)
                    subscription.active = True  # the final update itself is still delivered

    # --- events ---------------------------------------------------------------------------------

    def future(self, tx_hash: bytes) -> None:
        """The transaction is in the future queue."""
        self._fire(tx_hash, TransactionStatus("future"))

    def ready(self, tx_hash: bytes) -> None:
        """The transaction is in the ready queue."""
        with self._lock:
            self._fire(tx_hash, TransactionStatus("ready"))
            for listener in self._ready_listeners:
                self._outbox.append((listener, H256(tx_hash)))

    def broadcast(self, tx_hash: bytes, peers: list[str]) -> None:
        """The transaction was gossiped to `peers`."""
        self._fire(tx_hash, TransactionStatus("broadcast", list(peers)))

    def in_block(self, tx_hash: bytes, block_hash: H256) -> None:
        """A best block includes the transaction; remember it until finality or retraction."""
        with self._lock:
            if not self.is_watched(tx_hash):
                return
            self._fire(tx_hash, TransactionStatus("inBlock", block_hash))
            waiting = self._in_block.setdefault(block_hash, [])
            if tx_hash not in waiting:
                waiting.append(H256(tx_hash))
            while len(self._in_block) > self._max_finality_watchers:
                oldest = next(iter(self._in_block))
                for timed_out in self._in_block.pop(oldest):
                    self._fire(timed_out, TransactionStatus("finalityTimeout", oldest))

    def retracted(self, block_hash: H256) -> None:
        """`block_hash` left the best chain: its watched transactions are no longer in it."""
        with self._lock:
            for tx_hash in self._in_block.pop(block_hash, ()):
                self._fire(tx_hash, TransactionStatus("retracted", block_hash))

    def finalized(self, block_hash: H256, also: Iterable[bytes] = ()) -> None:
        """`block_hash` is final: its transactions (and `also`, hashes in it) are finalized."""
        with self._lock:
            hashes = dict.fromkeys(self._in_block.pop(block_hash, ()))
            hashes.update(dict.fromkeys(H256(h) for h in also))
            for tx_hash in hashes:
                self._fire(tx_hash, TransactionStatus("finalized", block_hash))

    def usurped(self, tx_hash: bytes, by: H256) -> None:
        """Transaction `by` replaced the transaction."""
        self._fire(tx_hash, TransactionStatus("usurped", by))

    def dropped(self, tx_hash: bytes) -> None:
        """The transaction was dropped (limits, or a failed import around it)."""
        self._fire(tx_hash, TransactionStatus("dropped"))

    def invalid(self, tx_hash: bytes) -> None:
        """The transaction became invalid (or expired) and left the pool."""
        self._fire(tx_hash, TransactionStatus("invalid"))

    # --- delivery -------------------------------------------------------------------------------

    def dispatch(self) -> None:
        """Deliver the queued updates; call without holding the pool's lock."""
        with self._dispatch_lock:
            while True:
                try:
                    subscription, status = self._outbox.popleft()
                except IndexError:
                    return
                if not subscription.active:
                    continue
                if isinstance(status, TransactionStatus) and status.is_final:
                    subscription.active = False
                _deliver(subscription.callback, status)


def _deliver(callback: Callable[[Any], None], update: Any) -> None:
    try:
        callback(update)
    except Exception:  # a broken subscriber must not break the pool
        log.exception("transaction pool subscriber failed on %r", update)
