"""Status sequences of watched transactions (``author_submitAndWatchExtrinsic``)."""

from __future__ import annotations

import threading
from typing import Any

from deepshard.client.node.interfaces import TransactionStatus
from deepshard.client.txpool import QueueLimit, tx_hash_of
from deepshard.primitives.transaction_validity import Stale, TransactionInvalid, TransactionSource

EXT = TransactionSource.External


def test_future_ready_in_block_finalized(fake: Any, pool: Any, recorder: Any, blk: Any) -> None:
    a = fake.add("a")
    b = fake.add("b", requires=("a",))
    watcher = recorder()
    pool.submit_and_watch(b, EXT, watcher)
    pool.submit(a, EXT)
    pool.on_block_imported(blk(1), [a, b])
    pool.on_finalized(blk(1))
    assert watcher.json == [
        "future",
        "ready",
        {"inBlock": blk(1).to_hex()},
        {"finalized": blk(1).to_hex()},
    ]
    assert len(pool) == 0
    pool.on_finalized(blk(1), [b])
    assert len(watcher.statuses) == 4  # nothing after a final status


def test_finalized_from_the_blocks_extrinsics(
    fake: Any, pool: Any, recorder: Any, blk: Any
) -> None:
    a = fake.add("a")
    watcher = recorder()
    pool.submit_and_watch(a, EXT, watcher)
    pool.on_finalized(blk(7), [tx_hash_of(a)])
    assert watcher.kinds == ["ready", "finalized"]


def test_usurped_is_final(fake: Any, pool: Any, recorder: Any, blk: Any) -> None:
    old = fake.add("old", priority=1, provides=("n",))
    new = fake.add("new", priority=2, provides=("n",))
    watcher = recorder()
    pool.submit_and_watch(old, EXT, watcher)
    new_hash = pool.submit(new, EXT)
    pool.on_block_imported(blk(1), [new])
    assert watcher.statuses == [TransactionStatus("ready"), TransactionStatus("usurped", new_hash)]


def test_dropped(fake: Any, make_pool: Any, recorder: Any) -> None:
    pool = make_pool(ready=QueueLimit(1, 10**6))
    watcher = recorder()
    pool.submit_and_watch(fake.add("cheap", priority=1), EXT, watcher)
    pool.submit(fake.add("dear", priority=2), EXT)
    assert watcher.json == ["ready", "dropped"]


def test_invalid_on_revalidation(fake: Any, pool: Any, recorder: Any, blk: Any) -> None:
    a = fake.add("a")
    b = fake.add("b", requires=("a",))
    wa, wb = recorder(), recorder()
    pool.submit_and_watch(a, EXT, wa)
    pool.submit_and_watch(b, EXT, wb)
    fake.reject(a, TransactionInvalid(Stale()))
    pool.on_block_imported(blk(1), [])
    assert wa.kinds == ["ready", "invalid"]
    assert wb.kinds == ["ready", "invalid"]  # removed with the subtree, as Substrate does
    assert len(pool) == 0
    assert pool.is_banned(tx_hash_of(a))
    assert not pool.is_banned(tx_hash_of(b))
    assert pool.metrics().invalidated == 2


def test_retracted_then_included_again(fake: Any, pool: Any, recorder: Any, blk: Any) -> None:
    a = fake.add("a")
    watcher = recorder()
    pool.submit_and_watch(a, EXT, watcher)
    pool.on_block_imported(blk(1), [a])
    assert len(pool) == 0
    assert pool.is_banned(tx_hash_of(a))
    # A fork without `a` replaces block 1: `a` comes back, although it was banned.
    pool.on_block_imported(blk(2), [], retracted=[(blk(1), [a])])
    assert pool.best == (blk(2), 1)
    assert tx_hash_of(a) in pool
    pool.on_block_imported(blk(3), [a])
    pool.on_finalized(blk(3))
    assert watcher.json == [
        "ready",
        {"inBlock": blk(1).to_hex()},
        {"retracted": blk(1).to_hex()},
        "ready",
        {"inBlock": blk(3).to_hex()},
        {"finalized": blk(3).to_hex()},
    ]
    assert pool.metrics().resubmitted == 1


def test_retracted_and_in_the_new_block(fake: Any, pool: Any, recorder: Any, blk: Any) -> None:
    a = fake.add("a")
    watcher = recorder()
    pool.submit_and_watch(a, EXT, watcher)
    pool.on_block_imported(blk(1), [a])
    pool.on_block_imported(blk(2), [a], retracted=[(blk(1), [a])])
    assert watcher.kinds == ["ready", "inBlock", "retracted", "inBlock"]
    assert watcher.statuses[-1].value == blk(2)
    assert len(pool) == 0


def test_unsubscribe(fake: Any, pool: Any, recorder: Any, blk: Any) -> None:
    a = fake.add("a")
    watcher = recorder()
    _, unsubscribe = pool.submit_and_watch(a, EXT, watcher)
    unsubscribe()
    unsubscribe()  # idempotent
    pool.on_block_imported(blk(1), [a])
    assert watcher.kinds == ["ready"]


def test_finality_timeout(fake: Any, make_pool: Any, recorder: Any, blk: Any) -> None:
    pool = make_pool(max_finality_watchers=1)
    a, b = fake.add("a"), fake.add("b")
    wa, wb = recorder(), recorder()
    pool.submit_and_watch(a, EXT, wa)
    pool.submit_and_watch(b, EXT, wb)
    pool.on_block_imported(blk(1), [a])
    pool.on_block_imported(blk(2), [b])
    assert wa.json[-1] == {"finalityTimeout": blk(1).to_hex()}
    assert wb.kinds == ["ready", "inBlock"]


def test_broadcast_and_ready_listeners(fake: Any, pool: Any, recorder: Any) -> None:
    seen: list[bytes] = []
    stop = pool.on_ready(seen.append)
    watcher = recorder()
    child = fake.add("child", requires=("parent",))
    child_hash, _ = pool.submit_and_watch(child, EXT, watcher)
    parent_hash = pool.submit(fake.add("parent"), EXT)
    assert seen == [parent_hash, child_hash]
    pool.on_broadcasted({child_hash: ["peer1", "peer2"]})
    assert watcher.json[-1] == {"broadcast": ["peer1", "peer2"]}
    stop()
    pool.submit(fake.add("late"), EXT)
    assert len(seen) == 2


def test_watchers_may_call_the_pool_and_may_fail(fake: Any, pool: Any) -> None:
    follow_up = fake.add("follow-up")
    got: list[str] = []

    def watcher(status: TransactionStatus) -> None:
        got.append(status.kind)
        if status.kind == "ready" and len(got) == 1:
            pool.submit(follow_up, EXT)  # re-entrant: the lock is not held while notifying
            raise RuntimeError("a broken subscriber")

    pool.submit_and_watch(fake.add("first"), EXT, watcher)
    assert got == ["ready"]
    assert tx_hash_of(follow_up) in pool


def test_watcher_on_another_thread_sees_updates_in_order(fake: Any, pool: Any, blk: Any) -> None:
    a = fake.add("a")
    got: list[str] = []
    done = threading.Event()

    def watcher(status: TransactionStatus) -> None:
        got.append(status.kind)
        if status.is_final:
            done.set()

    pool.submit_and_watch(a, EXT, watcher)
    worker = threading.Thread(
        target=lambda: (pool.on_block_imported(blk(1), [a]), pool.on_finalized(blk(1)))
    )
    worker.start()
    worker.join()
    assert done.wait(5)
    assert got == ["ready", "inBlock", "finalized"]
