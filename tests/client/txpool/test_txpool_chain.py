"""Chain events: pruning included transactions, re-validation at a new best, longevity."""

from __future__ import annotations

from typing import Any

from deepshard.client.node.interfaces import PoolView
from deepshard.client.txpool import PoolCollector, TransactionPool, tx_hash_of
from deepshard.primitives.transaction_validity import (
    CannotLookup,
    Stale,
    TransactionInvalid,
    TransactionSource,
    TransactionUnknown,
)

EXT = TransactionSource.External


def names(pool: Any) -> list[bytes]:
    return [tx.extrinsic for tx in pool.ready()]


def test_included_transactions_leave_and_dependents_stay_ready(
    fake: Any, pool: Any, blk: Any
) -> None:
    a = fake.add("a", priority=1)
    b = fake.add("b", priority=1, requires=("a",))
    c = fake.add("c", priority=1, requires=("b",))
    x = fake.add("x", priority=2)
    for xt in (a, b, c, x):
        pool.submit(xt, EXT)
    assert names(pool) == [x, a, b, c]
    pool.on_block_imported(blk(1), [a])
    assert names(pool) == [x, b, c]
    assert pool.best == (blk(1), 1)
    assert pool.is_banned(tx_hash_of(a))
    # Including b alone also prunes what leads only to it (nothing left here) and keeps c.
    pool.on_block_imported(blk(2), [b, x])
    assert names(pool) == [c]
    assert pool.metrics().pruned == 3


def test_unknown_included_transaction_is_validated_at_the_parent(
    fake: Any, pool: Any, blk: Any
) -> None:
    waiting = fake.add("waiting", requires=("foreign",))
    foreign = fake.add("foreign")
    pool.submit(waiting, EXT)
    assert pool.status().future == 1
    pool.on_block_imported(blk(1), [foreign])
    assert (foreign, TransactionSource.InBlock, blk(0)) in fake.calls
    assert names(pool) == [waiting]
    assert pool.status().future == 0


def test_empty_pool_does_not_validate_block_transactions(fake: Any, pool: Any, blk: Any) -> None:
    foreign = fake.add("foreign")
    pool.on_block_imported(blk(1), [foreign])
    assert fake.calls == []


def test_a_different_transaction_with_the_same_tag(
    fake: Any, pool: Any, recorder: Any, blk: Any
) -> None:
    mine = fake.add("mine", provides=("alice-0",))
    theirs = fake.add("theirs", provides=("alice-0",))
    watcher = recorder()
    pool.submit_and_watch(mine, EXT, watcher)
    fake.reject(mine, TransactionInvalid(Stale()))
    pool.on_block_imported(blk(1), [theirs])
    assert watcher.kinds == ["ready", "invalid"]
    assert len(pool) == 0
    assert pool.is_banned(tx_hash_of(mine))


def test_included_transaction_still_in_the_future_queue(fake: Any, pool: Any, blk: Any) -> None:
    late = fake.add("late", requires=("early",))
    early = fake.add("early")
    pool.submit(late, EXT)
    pool.on_block_imported(blk(1), [early, late])
    assert len(pool) == 0


def test_revalidation_updates_tags_and_promotes(
    fake: Any, pool: Any, recorder: Any, blk: Any
) -> None:
    xt = fake.add("xt", requires=("never",))
    watcher = recorder()
    tx_hash, _ = pool.submit_and_watch(xt, EXT, watcher)
    fake.set(xt, priority=3, provides=("xt",))  # the chain now provides what it needed
    pool.on_block_imported(blk(1), [])
    assert names(pool) == [xt]
    assert watcher.kinds == ["future", "ready"]
    refreshed = pool.get(tx_hash)
    assert refreshed is not None
    assert (refreshed.priority, refreshed.requires, refreshed.validated_at) == (3, (), 1)


def test_revalidation_is_bounded_and_rotates(fake: Any, make_pool: Any, blk: Any) -> None:
    pool = make_pool(revalidation_batch=2)
    xts = [fake.add(f"t{i}") for i in range(5)]
    for xt in xts:
        pool.submit(xt, EXT)
    fake.calls.clear()
    pool.on_block_imported(blk(1), [])
    assert [c[0] for c in fake.calls] == xts[:2]
    assert all(c[2] == blk(1) for c in fake.calls)
    fake.calls.clear()
    pool.on_block_imported(blk(2), [])
    assert [c[0] for c in fake.calls] == xts[2:4]
    fake.calls.clear()
    pool.on_block_imported(blk(3), [])
    assert [c[0] for c in fake.calls] == [xts[4], xts[0]]
    assert pool.metrics().revalidated == 6


def test_unknown_validity_on_revalidation_keeps_the_transaction(
    fake: Any, pool: Any, blk: Any
) -> None:
    xt = fake.add("xt")
    pool.submit(xt, EXT)
    fake.reject(xt, TransactionUnknown(CannotLookup()))
    pool.on_block_imported(blk(1), [])
    assert names(pool) == [xt]


def test_longevity_expires(fake: Any, make_pool: Any, recorder: Any, blk: Any) -> None:
    pool = make_pool(revalidation_batch=0)  # no re-validation: the answer at #0 holds
    short = fake.add("short", longevity=3)
    forever = fake.add("forever")
    watcher = recorder()
    pool.submit_and_watch(short, EXT, watcher)
    pool.submit(forever, EXT)
    pool.on_block_imported(blk(1), [])
    pool.on_block_imported(blk(2), [])
    assert tx_hash_of(short) in pool
    pool.on_block_imported(blk(3), [])
    assert tx_hash_of(short) not in pool
    assert watcher.kinds == ["ready", "invalid"]
    assert pool.is_banned(tx_hash_of(short))
    assert names(pool) == [forever]


def test_explicit_block_numbers(fake: Any, make_pool: Any, blk: Any) -> None:
    pool = make_pool(revalidation_batch=0)
    pool.submit(fake.add("short", longevity=10), EXT)
    pool.on_block_imported(blk(1), [], number=9)
    assert len(pool) == 1
    pool.on_block_imported(blk(2), [], number=10)
    assert len(pool) == 0


def test_non_best_blocks_are_ignored(fake: Any, pool: Any, blk: Any) -> None:
    a = fake.add("a")
    pool.submit(a, EXT)
    pool.on_block_imported(blk(1), [a], is_best=False)
    assert len(pool) == 1
    assert pool.best == (blk(0), 0)


def test_retracted_invalid_transaction_is_not_resubmitted(
    fake: Any, pool: Any, recorder: Any, blk: Any
) -> None:
    a = fake.add("a")
    watcher = recorder()
    pool.submit_and_watch(a, EXT, watcher)
    pool.on_block_imported(blk(1), [a])
    fake.reject(a, TransactionInvalid(Stale()))
    pool.on_block_imported(blk(2), [], retracted=[(blk(1), [a])])
    assert len(pool) == 0
    assert watcher.kinds == ["ready", "inBlock", "retracted", "invalid"]


def test_pending_remove_status_len_metrics(fake: Any, pool: Any) -> None:
    a = fake.add("a", priority=1)
    b = fake.add("b", priority=9)
    w = fake.add("w", requires=("zzz",))
    for xt in (a, b, w):
        pool.submit(xt, EXT)
    assert pool.pending() == [b, a, w]
    assert len(pool) == 3
    status = pool.status()
    assert (status.ready, status.ready_bytes, status.future, status.future_bytes) == (2, 2, 1, 1)
    assert not status.is_empty
    assert pool.remove([tx_hash_of(w), tx_hash_of(b"nothing")]) == [tx_hash_of(w)]
    assert pool.pending() == [b, a]
    metrics = pool.metrics()
    assert (metrics.submitted, metrics.imported, metrics.invalidated) == (3, 3, 1)
    families = {m.name: m for m in PoolCollector(pool.metrics_and_status).collect()}
    assert families["substrate_sub_txpool_submitted_transactions"].samples[0].value == 3
    assert families["substrate_sub_txpool_ready_bytes"].samples[0].value == 2


def test_is_a_pool_view(fake: Any) -> None:
    view: PoolView = TransactionPool(fake)
    assert view.pending() == []
