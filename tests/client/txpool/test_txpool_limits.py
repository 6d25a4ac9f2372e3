"""Queue limits (count and bytes), eviction of the lowest priority, and temporary bans."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.client.txpool import (
    ImmediatelyDropped,
    PoolLimits,
    QueueLimit,
    TemporarilyBanned,
    tx_hash_of,
)
from deepshard.primitives.transaction_validity import TransactionSource

EXT = TransactionSource.External


def test_defaults_are_substrates() -> None:
    limits = PoolLimits()
    assert limits.ready == QueueLimit(8192, 20 * 1024 * 1024)
    assert limits.future == QueueLimit(512, 1024 * 1024)
    assert limits.ban_time == 1800.0
    assert not limits.reject_future


def test_full_ready_queue_drops_the_lowest_priority(
    fake: Any, make_pool: Any, recorder: Any
) -> None:
    pool = make_pool(ready=QueueLimit(2, 10**6))
    low = recorder()
    low_hash, _ = pool.submit_and_watch(fake.add("low", priority=1), EXT, low)
    pool.submit(fake.add("mid", priority=5), EXT)
    pool.submit(fake.add("high", priority=9), EXT)
    assert low.kinds == ["ready", "dropped"]
    assert low_hash not in pool
    assert pool.is_banned(low_hash)
    assert pool.status().ready == 2
    assert pool.metrics().dropped == 1


def test_equal_priorities_drop_the_oldest(fake: Any, make_pool: Any) -> None:
    pool = make_pool(ready=QueueLimit(2, 10**6))
    first = pool.submit(fake.add("first"), EXT)
    second = pool.submit(fake.add("second"), EXT)
    third = pool.submit(fake.add("third"), EXT)
    assert first not in pool
    assert second in pool
    assert third in pool


def test_newcomer_with_lowest_priority_is_immediately_dropped(
    fake: Any, make_pool: Any, recorder: Any
) -> None:
    pool = make_pool(ready=QueueLimit(1, 10**6))
    pool.submit(fake.add("rich", priority=10), EXT)
    watcher = recorder()
    poor = fake.add("poor", priority=1)
    with pytest.raises(ImmediatelyDropped):
        pool.submit_and_watch(poor, EXT, watcher)
    assert watcher.kinds == []  # the failed subscription hears nothing
    assert tx_hash_of(poor) not in pool
    assert len(pool) == 1


def test_dropping_takes_the_dependents_along(fake: Any, make_pool: Any) -> None:
    pool = make_pool(ready=QueueLimit(3, 10**6))
    pool.submit(fake.add("parent", priority=1), EXT)
    pool.submit(fake.add("child", priority=50, requires=("parent",)), EXT)
    pool.submit(fake.add("a", priority=10), EXT)
    pool.submit(fake.add("b", priority=10), EXT)
    assert sorted(tx.extrinsic for tx in pool.ready()) == [b"a", b"b"]


def test_ready_bytes_limit(fake: Any, make_pool: Any) -> None:
    pool = make_pool(ready=QueueLimit(100, 250))
    pool.submit(fake.add("big1", priority=3, size=100), EXT)
    pool.submit(fake.add("big2", priority=2, size=100), EXT)
    pool.submit(fake.add("big3", priority=5, size=100), EXT)
    status = pool.status()
    assert (status.ready, status.ready_bytes) == (2, 200)
    assert [tx.extrinsic[:4] for tx in pool.ready()] == [b"big3", b"big1"]


def test_future_limit_drops_the_longest_waiting(fake: Any, make_pool: Any) -> None:
    pool = make_pool(future=QueueLimit(2, 10**6))
    oldest = pool.submit(fake.add("w1", priority=100, requires=("x",)), EXT)
    pool.submit(fake.add("w2", requires=("x",)), EXT)
    pool.submit(fake.add("w3", requires=("x",)), EXT)
    assert oldest not in pool
    assert pool.status().future == 2
    by_bytes = make_pool(future=QueueLimit(10, 30))
    first = by_bytes.submit(fake.add("f1", requires=("x",), size=20), EXT)
    second = by_bytes.submit(fake.add("f2", requires=("x",), size=20), EXT)
    assert first not in by_bytes
    assert second in by_bytes
    assert by_bytes.status().future_bytes == 20


def test_bans_expire_with_the_clock(fake: Any, make_pool: Any, clock: Any) -> None:
    pool = make_pool(ban_time=60.0)
    xt = fake.add("a")
    tx_hash = pool.submit(xt, EXT)
    assert pool.remove([tx_hash]) == [tx_hash]
    clock.now += 59.0
    with pytest.raises(TemporarilyBanned):
        pool.submit(xt, EXT)
    clock.now += 1.5
    assert not pool.is_banned(tx_hash)
    assert pool.submit(xt, EXT) == tx_hash


def test_remove_bans_only_the_named_but_removes_dependents(fake: Any, pool: Any) -> None:
    parent = pool.submit(fake.add("parent"), EXT)
    child_xt = fake.add("child", requires=("parent",))
    child = pool.submit(child_xt, EXT)
    assert set(pool.remove([parent])) == {parent, child}
    assert pool.is_banned(parent)
    assert not pool.is_banned(child)
    assert pool.remove([parent]) == []
    assert pool.submit(child_xt, EXT) == child  # back, waiting for its parent
    assert pool.status().future == 1
