"""The transaction pool: validation, bans, limits, watchers and chain events around the graph.

Introduction
------------
`TransactionPool` is Substrate's single-state pool (``graph::Pool`` + ``ValidatedPool`` +
the maintenance of ``BasicPool``) for one node:

* `submit` validates a transaction at the best block through the `Validator` the node gives
  (the runtime's ``TaggedTransactionQueue``), then imports it into the ready or the future
  queue of the `BasePool`. Refusals: the validator's `TransactionRejected` (1010 / 1011), or a
  `PoolError` (1012 banned, 1013 already imported, 1014 priority too low, 1015 cycle, 1016
  dropped over the limits, 1018 unactionable, 1019 no tags, 1021 future refused);
* `submit_and_watch` also subscribes a `TransactionWatcher` (see `watchers`);
* `ready` gives the block builder the ready transactions in inclusion order;
* `on_block_imported` follows the best chain: it notifies ``retracted`` for retracted blocks,
  prunes what the new block includes (``inBlock``), submits the retracted blocks' other
  transactions again, drops the ones whose longevity ran out and re-validates up to
  `PoolLimits.revalidation_batch` transactions at the new best;
* `on_finalized` notifies ``finalized``.

Threading
---------
Every method may be called from any thread: RPC submissions come from the event loop, block
import from a worker thread. One lock guards the graph; the validator runs *outside* it (a
runtime call may be slow), and the pool re-checks what may have changed meanwhile. Watchers are
called after the lock is released, in order.

Hashes are blake2_256 of the full encoded extrinsic, compact length prefix included
(`tx_hash_of`). Bans, limits and longevity follow Substrate (see `PoolLimits`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from deepshard.client.node.interfaces import TransactionWatcher, Unsubscribe
from deepshard.client.txpool.bans import BanList
from deepshard.client.txpool.base_pool import BasePool, Imported
from deepshard.client.txpool.errors import (
    AlreadyImported,
    CycleDetected,
    ImmediatelyDropped,
    NoTagsProvided,
    PoolError,
    TemporarilyBanned,
    Unactionable,
)
from deepshard.client.txpool.graph import U64_MAX, BestIterator, PoolTransaction
from deepshard.client.txpool.limits import PoolLimits, PoolStatus
from deepshard.client.txpool.metrics import PoolMetrics
from deepshard.client.txpool.watchers import WatcherHub
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.transaction_validity import (
    Invalid,
    TransactionRejected,
    TransactionSource,
    ValidTransaction,
)

__all__ = ["Validator", "TransactionPool", "tx_hash_of"]

log = logging.getLogger("deepshard.txpool")

Validator = Callable[[bytes, TransactionSource, H256], ValidTransaction]
"""Validates an extrinsic at a block: ``validator(extrinsic, source, at)``.

Raises `TransactionRejected` (`TransactionInvalid` / `TransactionUnknown`) when the runtime
refuses it. The node wraps ``Executive.validate_transaction`` over the state of `at`.
"""


def tx_hash_of(extrinsic: bytes) -> H256:
    """The transaction hash: blake2_256 of the full encoding, length prefix included."""
    return H256(blake2_256(extrinsic))


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A validation run outside the lock: the answer, or why there is none."""

    validity: ValidTransaction | None
    rejected: TransactionRejected | None = None


_READY = "ready"
_FUTURE = "future"
_FAILED = "failed"
_DROPPED = "dropped"


class TransactionPool:
    """A Substrate-style transaction pool (see the module docstring); implements `PoolView`.

    Args:
        validator: Validates an extrinsic at a block hash (raises `TransactionRejected`).
        limits: Queue limits, ban time and maintenance sizes (Substrate's defaults).
        clock: Seconds, monotonic; bans expire by it (inject a fake one in tests).
        best: The best block ``(hash, number)`` when the pool starts.
        is_validator: Whether this node authors blocks (a bool or a callable); if not,
            transactions that must not be propagated are refused (1018).
    """

    def __init__(
        self,
        validator: Validator,
        *,
        limits: PoolLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        best: tuple[bytes, int] | None = None,
        is_validator: bool | Callable[[], bool] = True,
    ) -> None:
        self._validator = validator
        self._limits = limits if limits is not None else PoolLimits()
        self._lock = threading.RLock()
        self._pool = BasePool(reject_future=self._limits.reject_future)
        self._bans = BanList(self._limits.ban_time, clock, self._limits.max_banned)
        self._watchers = WatcherHub(self._limits.max_finality_watchers)
        best_hash, best_number = best if best is not None else (bytes(32), 0)
        self._best = (H256(best_hash), int(best_number))
        self._is_validator: Callable[[], bool] = (
            is_validator if callable(is_validator) else (lambda: bool(is_validator))
        )
        self._metrics = PoolMetrics()

    # --- reading --------------------------------------------------------------------------------

    @property
    def limits(self) -> PoolLimits:
        """The pool's limits and options."""
        return self._limits

    @property
    def best(self) -> tuple[H256, int]:
        """The best block ``(hash, number)`` the pool validates at."""
        with self._lock:
            return self._best

    def status(self) -> PoolStatus:
        """The number and total size of the ready and the future transactions."""
        with self._lock:
            return self._pool.status()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pool.ready) + len(self._pool.future)

    def __contains__(self, tx_hash: object) -> bool:
        with self._lock:
            return isinstance(tx_hash, bytes) and self._pool.is_imported(tx_hash)

    def get(self, tx_hash: bytes) -> PoolTransaction | None:
        """Return the pool's transaction with this hash, or None."""
        with self._lock:
            return self._pool.get(tx_hash)

    def ready(self) -> BestIterator:
        """The ready transactions in an order a block can include them (a snapshot).

        Report a transaction that fails to apply with ``report_invalid`` (or ``skip``): the
        transactions depending on it are then skipped.
        """
        with self._lock:
            return self._pool.best()

    def futures(self) -> list[PoolTransaction]:
        """The transactions waiting for tags, oldest first."""
        with self._lock:
            return self._pool.futures()

    def pending(self) -> list[bytes]:
        """Every transaction in the pool, ready ones first (in inclusion order), encoded."""
        with self._lock:
            return [tx.extrinsic for tx in self._pool.best()] + [
                tx.extrinsic for tx in self._pool.futures()
            ]

    def is_banned(self, tx_hash: bytes) -> bool:
        """Whether `tx_hash` is temporarily banned."""
        with self._lock:
            return self._bans.is_banned(H256(tx_hash))

    def metrics(self) -> PoolMetrics:
        """The pool's counters since it started."""
        with self._lock:
            return self._metrics

    def metrics_and_status(self) -> tuple[PoolMetrics, PoolStatus]:
        """Counters and queue sizes, read together (the source of a `PoolCollector`)."""
        with self._lock:
            return self._metrics, self._pool.status()

    def on_ready(self, callback: Callable[[H256], None]) -> Unsubscribe:
        """Call `callback` with every transaction entering the ready queue (to gossip it)."""
        return self._watchers.on_ready(callback)

    # --- submitting -----------------------------------------------------------------------------

    def submit(
        self, extrinsic: bytes, source: TransactionSource = TransactionSource.External
    ) -> H256:
        """Validate and add a transaction at the best block; return its hash.

        Raises:
            TransactionRejected: the runtime found it invalid (1010) or of unknown validity
                (1011); an invalid one is banned.
            PoolError: banned (1012), already imported (1013), priority too low (1014), cycle
                (1015), dropped over the limits (1016), unactionable (1018), no tags (1019),
                future refused (1021).
        """
        tx_hash, _ = self._submit(bytes(extrinsic), source, None)
        return tx_hash

    def submit_and_watch(
        self, extrinsic: bytes, source: TransactionSource, watcher: TransactionWatcher
    ) -> tuple[H256, Unsubscribe]:
        """As `submit`, then report every status change to `watcher` until a final one.

        The first update (``ready`` or ``future``) is delivered before this returns; a watcher
        that must answer the subscription first should queue what it receives.
        """
        tx_hash, unsubscribe = self._submit(bytes(extrinsic), source, watcher)
        assert unsubscribe is not None
        return tx_hash, unsubscribe

    def _submit(
        self, extrinsic: bytes, source: TransactionSource, watcher: TransactionWatcher | None
    ) -> tuple[H256, Unsubscribe | None]:
        tx_hash = tx_hash_of(extrinsic)
        try:
            with self._lock:
                self._metrics = self._metrics.bump(submitted=1)
                self._check_known(tx_hash, check_banned=True)
                at, number = self._best
            try:
                validity = self._validator(extrinsic, source, at)
            except TransactionRejected as rejected:
                with self._lock:
                    self._metrics = self._metrics.bump(validations_invalid=1)
                    if isinstance(rejected.error, Invalid):
                        self._bans.ban([tx_hash])
                raise
            with self._lock:
                tx = self._to_pool_transaction(tx_hash, extrinsic, source, validity, number)
                self._check_known(tx_hash, check_banned=True)
                if not tx.propagate and not self._is_validator():
                    raise Unactionable()
                unsubscribe = None if watcher is None else self._watchers.watch(tx_hash, watcher)
                try:
                    self._fire_imported(self._import(tx))
                    dropped = self._enforce_limits()
                except PoolError:
                    if unsubscribe is not None:
                        unsubscribe()
                    raise
                if tx_hash in dropped:
                    if unsubscribe is not None:
                        unsubscribe()
                    raise ImmediatelyDropped()
                self._metrics = self._metrics.bump(imported=1)
                return tx_hash, unsubscribe
        except PoolError:
            with self._lock:
                self._metrics = self._metrics.bump(rejected=1)
            raise
        finally:
            self._watchers.dispatch()

    def _check_known(self, tx_hash: H256, *, check_banned: bool) -> None:
        if check_banned and self._bans.is_banned(tx_hash):
            raise TemporarilyBanned()
        if self._pool.is_imported(tx_hash):
            raise AlreadyImported(tx_hash)

    def _to_pool_transaction(
        self,
        tx_hash: H256,
        extrinsic: bytes,
        source: TransactionSource,
        validity: ValidTransaction,
        number: int,
    ) -> PoolTransaction:
        if not validity.provides:
            self._bans.ban([tx_hash])
            raise NoTagsProvided()
        return PoolTransaction(
            hash=tx_hash,
            extrinsic=extrinsic,
            priority=int(validity.priority),
            requires=tuple(bytes(t) for t in validity.requires),
            provides=tuple(bytes(t) for t in validity.provides),
            valid_till=min(number + int(validity.longevity), U64_MAX),
            propagate=bool(validity.propagate),
            source=source,
            validated_at=number,
        )

    def _import(self, tx: PoolTransaction) -> Imported:
        """Import into the graph; on a cycle, tell the watchers of what it pushed out."""
        try:
            return self._pool.import_(tx)
        except CycleDetected as cycle:
            for discarded in cycle.discarded:
                self._watchers.dropped(discarded.hash)
            raise

    def _fire_imported(self, imported: Imported) -> None:
        if not imported.ready:
            self._watchers.future(imported.hash)
            return
        self._watchers.ready(imported.hash)
        for failed in imported.failed:
            self._watchers.invalid(failed)
        for replaced in imported.removed:
            self._watchers.usurped(replaced.hash, imported.hash)
        for promoted in imported.promoted:
            self._watchers.ready(promoted)
        self._metrics = self._metrics.bump(
            usurped=len(imported.removed), invalidated=len(imported.failed)
        )

    def _enforce_limits(self) -> set[H256]:
        removed = self._pool.enforce_limits(self._limits.ready, self._limits.future)
        hashes = [tx.hash for tx in removed]
        if hashes:
            log.debug("enforcing limits: %d dropped", len(hashes))
            self._bans.ban(hashes)
            for tx_hash in hashes:
                self._watchers.dropped(tx_hash)
            self._metrics = self._metrics.bump(dropped=len(hashes))
        return set(hashes)

    # --- removing -------------------------------------------------------------------------------

    def remove(self, hashes: list[H256]) -> list[H256]:
        """Remove transactions and their dependents (``author_removeExtrinsic``).

        The named transactions are banned, every removed one's watcher gets ``invalid``.
        Returns the hashes of all removed transactions.
        """
        try:
            with self._lock:
                return [tx.hash for tx in self._remove_invalid([H256(h) for h in hashes])]
        finally:
            self._watchers.dispatch()

    def _remove_invalid(self, hashes: Sequence[H256]) -> list[PoolTransaction]:
        if not hashes:
            return []
        self._bans.ban(hashes)
        removed = self._pool.remove_subtree(hashes)
        for tx in removed:
            self._watchers.invalid(tx.hash)
        self._metrics = self._metrics.bump(invalidated=len(removed))
        return removed

    # --- chain events ---------------------------------------------------------------------------

    def on_block_imported(
        self,
        block_hash: bytes,
        included_extrinsics: Sequence[bytes],
        is_best: bool = True,
        retracted: Iterable[tuple[bytes, Sequence[bytes]]] = (),
        *,
        number: int | None = None,
        parent: bytes | None = None,
    ) -> None:
        """Follow a new best block.

        Call once per block that becomes part of the best chain, in order; on a reorg, pass
        the blocks leaving the best chain as `retracted` (``(hash, extrinsics)`` pairs) with
        the first new block. Blocks that are not best are ignored (as Substrate does).

        In order: watchers of the retracted blocks' transactions get ``retracted``; the
        transactions the block includes, and those providing the same tags, leave the pool
        (``inBlock`` to watchers; the included hashes are banned); the retracted blocks' other
        transactions are submitted again; transactions whose longevity ran out are dropped
        (``invalid``); then up to `PoolLimits.revalidation_batch` transactions are validated
        again at the new block: invalid ones are removed and banned (``invalid``).

        Args:
            block_hash: The new best block.
            included_extrinsics: Its extrinsics, full encodings.
            is_best: Whether it is the new best block.
            retracted: Blocks that left the best chain, with their extrinsics.
            number: The block's number (default: the previous best's + 1 - retracted blocks).
            parent: Its parent's hash, to learn the tags of included transactions the pool
                does not hold (default: the previous best, if nothing was retracted).
        """
        if not is_best:
            return
        new_best = H256(block_hash)
        retracted_blocks = [(H256(h), [bytes(x) for x in xts]) for h, xts in retracted]
        included = [bytes(x) for x in included_extrinsics]
        hashes = [tx_hash_of(x) for x in included]
        included_hashes = list(dict.fromkeys(hashes))
        included_set = set(included_hashes)
        try:
            with self._lock:
                old_hash, old_number = self._best
                if number is None:
                    number = old_number + 1 - len(retracted_blocks)
                if parent is None and not retracted_blocks:
                    parent = old_hash
                parent_hash = None if parent is None else H256(parent)
                known_tags: list[bytes] = []
                unknown: list[bytes] = []
                for extrinsic, tx_hash in zip(included, hashes, strict=True):
                    tx = self._pool.get(tx_hash)
                    if tx is not None:
                        known_tags.extend(tx.provides)
                    else:
                        unknown.append(extrinsic)
                pool_is_empty = self._pool.status().is_empty
            # Included transactions the pool does not hold: ask the runtime which tags they
            # provide, at the parent (Substrate's `prune`), outside the lock.
            tags_of_unknown: dict[int, tuple[bytes, ...]] = {}
            if unknown and not pool_is_empty and parent_hash is not None:
                for index, extrinsic in enumerate(unknown):
                    outcome = self._validate_quietly(
                        extrinsic, TransactionSource.InBlock, parent_hash
                    )
                    if outcome.validity is not None:
                        tags_of_unknown[index] = tuple(bytes(t) for t in outcome.validity.provides)
            with self._lock:
                self._best = (new_best, number)
                for retracted_hash, _ in retracted_blocks:
                    self._watchers.retracted(retracted_hash)
                to_reverify = self._prune(
                    new_best, included_hashes, known_tags, tags_of_unknown, included_set
                )
                to_resubmit = [
                    extrinsic
                    for extrinsic in dict.fromkeys(x for _, xts in retracted_blocks for x in xts)
                    if tx_hash_of(extrinsic) not in included_set
                    and not self._pool.is_imported(tx_hash_of(extrinsic))
                ]
            reverified = [
                (tx, self._validate_quietly(tx.extrinsic, tx.source, new_best))
                for tx in to_reverify
            ]
            resubmitted = [
                (x, self._validate_quietly(x, TransactionSource.External, new_best))
                for x in to_resubmit
            ]
            with self._lock:
                for tx, outcome in reverified:
                    self._readmit(tx.hash, tx.extrinsic, tx.source, outcome, number, resubmit=False)
                for extrinsic, outcome in resubmitted:
                    self._readmit(
                        tx_hash_of(extrinsic),
                        extrinsic,
                        TransactionSource.External,
                        outcome,
                        number,
                        resubmit=True,
                    )
                self._metrics = self._metrics.bump(resubmitted=len(resubmitted))
                self._clear_stale(number)
                self._bans.clear_timeouts()
                self._enforce_limits()
            self._revalidate()
        finally:
            self._watchers.dispatch()

    def _prune(
        self,
        block_hash: H256,
        included_hashes: list[H256],
        known_tags: list[bytes],
        tags_of_unknown: Mapping[int, tuple[bytes, ...]],
        included_set: set[H256],
    ) -> list[PoolTransaction]:
        """Remove what `block_hash` includes; return pruned transactions it did not include."""
        tags = list(known_tags)
        for index in sorted(tags_of_unknown):
            tags.extend(tags_of_unknown[index])
        # An included transaction still waiting in the future queue is simply gone.
        waiting = [h for h in included_hashes if h in self._pool.future]
        self._pool.future.remove(waiting)
        status = self._pool.prune_tags(dict.fromkeys(tags))
        for promoted in status.promoted:
            self._fire_imported(promoted)
        for failed in status.failed:
            self._watchers.dropped(failed)
        # Anything included that is somehow still here goes too (its dependents stay).
        pruned = list(status.pruned)
        leftover = [tx for h in included_hashes if (tx := self._pool.get(h)) is not None]
        if leftover:
            pruned.extend(self._pool.prune_tags([t for tx in leftover for t in tx.provides]).pruned)
        self._bans.ban(included_hashes)
        for tx_hash in included_hashes:
            self._watchers.in_block(tx_hash, block_hash)
        self._metrics = self._metrics.bump(pruned=len(pruned) + len(waiting))
        return [tx for tx in pruned if tx.hash not in included_set]

    def _validate_quietly(self, extrinsic: bytes, source: TransactionSource, at: H256) -> _Outcome:
        try:
            return _Outcome(self._validator(extrinsic, source, at))
        except TransactionRejected as rejected:
            return _Outcome(None, rejected)
        except Exception:  # the chain goes on whatever one validation does
            log.exception("transaction validation failed at 0x%s", bytes(at).hex())
            return _Outcome(None)

    def _readmit(
        self,
        tx_hash: H256,
        extrinsic: bytes,
        source: TransactionSource,
        outcome: _Outcome,
        number: int,
        *,
        resubmit: bool,
    ) -> None:
        """Put back a pruned (or retracted, if `resubmit`) transaction validated again."""
        if self._pool.is_imported(tx_hash) or (not resubmit and self._bans.is_banned(tx_hash)):
            return
        if outcome.validity is None or not outcome.validity.provides:
            if outcome.rejected is not None and isinstance(outcome.rejected.error, Invalid):
                self._bans.ban([tx_hash])
            self._watchers.invalid(tx_hash)
            if not resubmit:
                self._metrics = self._metrics.bump(invalidated=1)
            return
        tx = self._to_pool_transaction(tx_hash, extrinsic, source, outcome.validity, number)
        try:
            imported = self._import(tx)
        except PoolError as error:
            log.debug("0x%s not readmitted: %s", bytes(tx_hash).hex(), error)
            self._watchers.dropped(tx_hash)
            return
        if resubmit:
            self._bans.unban([tx_hash])
        self._fire_imported(imported)

    def _clear_stale(self, number: int) -> None:
        stale = [
            tx.hash
            for tx in (*self._pool.ready.transactions(), *self._pool.future.transactions())
            if tx.valid_till <= number
        ]
        if stale:
            log.debug("removing %d stale transactions at #%d", len(stale), number)
            self._remove_invalid(stale)

    def _revalidate(self) -> None:
        """Validate again, at the best block, the transactions validated longest ago."""
        with self._lock:
            at, number = self._best
            candidates = sorted(
                (
                    tx
                    for tx in (*self._pool.ready.transactions(), *self._pool.future.transactions())
                    if tx.validated_at < number
                ),
                key=lambda tx: tx.validated_at,
            )[: self._limits.revalidation_batch]
        if not candidates:
            return
        outcomes = [(tx, self._validate_quietly(tx.extrinsic, tx.source, at)) for tx in candidates]
        with self._lock:
            self._metrics = self._metrics.bump(revalidated=len(outcomes))
            invalid: list[H256] = []
            updated: dict[H256, PoolTransaction] = {}
            for tx, outcome in outcomes:
                if self._pool.get(tx.hash) != tx:
                    continue  # gone or changed meanwhile
                if outcome.validity is not None and outcome.validity.provides:
                    fresh = PoolTransaction(
                        hash=tx.hash,
                        extrinsic=tx.extrinsic,
                        priority=int(outcome.validity.priority),
                        requires=tuple(bytes(t) for t in outcome.validity.requires),
                        provides=tuple(bytes(t) for t in outcome.validity.provides),
                        valid_till=min(number + int(outcome.validity.longevity), U64_MAX),
                        propagate=bool(outcome.validity.propagate),
                        source=tx.source,
                        validated_at=number,
                    )
                    if not self._pool.refresh(fresh):
                        updated[tx.hash] = fresh
                elif outcome.rejected is not None and isinstance(outcome.rejected.error, Invalid):
                    invalid.append(tx.hash)
                elif outcome.validity is not None:
                    invalid.append(tx.hash)  # valid but provides nothing: unidentifiable
                # Unknown validity: keep it; it may resolve when its dependencies do.
            self._remove_invalid(invalid)
            self._resubmit(updated)

    def _resubmit(self, updated: dict[H256, PoolTransaction]) -> None:
        """Re-import transactions whose validity changed, with everything depending on them."""
        initial: dict[H256, str] = {}
        to_import: list[PoolTransaction] = []
        pending = dict(updated)
        while pending:
            tx_hash = next(iter(pending))
            for state, removed in (
                (_READY, self._pool.ready.remove_subtree([tx_hash])),
                (_FUTURE, self._pool.future.remove([tx_hash])),
            ):
                for tx in removed:
                    initial[tx.hash] = state
                    to_import.append(pending.pop(tx.hash, tx))
            pending.pop(tx_hash, None)
        final: dict[H256, str] = {}
        for tx in to_import:
            try:
                imported = self._pool.import_(tx)
            except CycleDetected as cycle:
                final[tx.hash] = _FAILED
                final.update((d.hash, _DROPPED) for d in cycle.discarded)
                continue
            except PoolError:
                final[tx.hash] = _FAILED
                continue
            if not imported.ready:
                final[tx.hash] = _FUTURE
                continue
            final[tx.hash] = _READY
            final.update((h, _READY) for h in imported.promoted)
            final.update((h, _FAILED) for h in imported.failed)
            final.update((r.hash, _DROPPED) for r in imported.removed)
        for tx_hash, state in final.items():
            if initial.get(tx_hash) == state:
                continue
            if state == _READY:
                self._watchers.ready(tx_hash)
            elif state == _FUTURE:
                self._watchers.future(tx_hash)
            elif state == _DROPPED:
                self._watchers.dropped(tx_hash)
            else:
                self._watchers.invalid(tx_hash)

    def on_finalized(self, block_hash: bytes, included: Iterable[bytes] | None = None) -> None:
        """Send ``finalized(block)`` to the watchers of the block's transactions.

        The pool remembers which watched transactions it saw ``inBlock`` in `block_hash`;
        `included` may add the block's extrinsics (full encodings) or their hashes (`H256`).
        Call it for every newly finalized block, oldest first.
        """
        extra = [
            item if isinstance(item, H256) else tx_hash_of(bytes(item)) for item in included or ()
        ]
        try:
            with self._lock:
                self._watchers.finalized(H256(block_hash), extra)
        finally:
            self._watchers.dispatch()

    def on_broadcasted(self, propagated: Mapping[bytes, list[str]]) -> None:
        """Send ``broadcast(peers)`` to the watchers of transactions gossiped to peers."""
        try:
            with self._lock:
                for tx_hash, peers in propagated.items():
                    self._watchers.broadcast(tx_hash, peers)
        finally:
            self._watchers.dispatch()
