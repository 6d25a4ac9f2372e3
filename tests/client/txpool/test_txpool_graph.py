"""Ready and future queues by tags: ordering, promotion, replacement, cycles, pruning."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.client.txpool import (
    CycleDetected,
    PoolTransaction,
    TooLowPriority,
    TransactionPool,
    tx_hash_of,
)
from deepshard.client.txpool.base_pool import BasePool
from deepshard.client.txpool.graph import U64_MAX
from deepshard.primitives.codec import H256
from deepshard.primitives.transaction_validity import TransactionSource

EXT = TransactionSource.External


def names(pool: TransactionPool) -> list[bytes]:
    return [tx.extrinsic for tx in pool.ready()]


def tx(
    n: int,
    *,
    priority: int = 5,
    requires: tuple[int, ...] = (),
    provides: tuple[int, ...] = (),
    valid_till: int = 64,
) -> PoolTransaction:
    """Substrate's ``base_pool`` test transaction: data ``[n]``, tags are one-byte vectors."""
    return PoolTransaction(
        hash=H256(bytes([n]) * 32),
        extrinsic=bytes([n]),
        priority=priority,
        requires=tuple(bytes([t]) for t in requires),
        provides=tuple(bytes([t]) for t in provides),
        valid_till=valid_till,
        propagate=True,
        source=EXT,
    )


def order(base: BasePool) -> list[int]:
    return [t.extrinsic[0] for t in base.best()]


def test_independent_transactions_go_by_priority_then_age(fake: Any, pool: Any) -> None:
    low = fake.add("low", priority=1)
    high = fake.add("high", priority=10)
    first = fake.add("first", priority=5)
    second = fake.add("second", priority=5)
    for xt in (low, high, first, second):
        pool.submit(xt, EXT)
    assert names(pool) == [high, first, second, low]


def test_dependencies_come_first_even_with_lower_priority(fake: Any, pool: Any) -> None:
    parent = fake.add("parent", priority=1)
    child = fake.add("child", priority=100, requires=("parent",))
    other = fake.add("other", priority=50)
    pool.submit(child, EXT)
    pool.submit(parent, EXT)
    pool.submit(other, EXT)
    assert names(pool) == [other, parent, child]


def test_future_then_promotion(fake: Any, pool: Any) -> None:
    b = fake.add("b", requires=("a",))
    c = fake.add("c", requires=("b",))
    a = fake.add("a")
    pool.submit(c, EXT)
    pool.submit(b, EXT)
    status = pool.status()
    assert (status.ready, status.future, status.future_bytes) == (0, 2, 2)
    pool.submit(a, EXT)
    status = pool.status()
    assert (status.ready, status.future, status.ready_bytes) == (3, 0, 3)
    assert names(pool) == [a, b, c]
    assert pool.futures() == []


def test_best_order_of_substrate_graph() -> None:
    """Substrate's ``should_return_best_transactions_in_correct_order``."""
    base = BasePool()
    tx1 = tx(1, priority=1, provides=(3, 4), valid_till=2)
    tx2 = tx(2, priority=1, requires=(3, 4), provides=(106,), valid_till=2)
    tx3 = tx(3, priority=1, requires=(3, 106), valid_till=2)
    tx4 = tx(4, priority=1, requires=(3,), provides=(107,), valid_till=2)
    tx5 = tx(5, priority=1, requires=(107,), provides=(108,), valid_till=2)
    tx6 = tx(6, priority=1, requires=(108,), valid_till=2)
    tx7 = tx(7, priority=1, requires=(3,), valid_till=U64_MAX)
    for t in (tx1, tx2, tx3, tx7, tx4, tx5, tx6):
        base.import_(t)
    assert order(base) == [1, 2, 3, 4, 5, 6, 7]

    # Reporting 4 as invalid skips 5 and 6 (its subgraph), not 7.
    it = base.best()
    assert [next(it).extrinsic[0] for _ in range(3)] == [1, 2, 3]
    fourth = next(it)
    assert fourth.extrinsic[0] == 4
    it.report_invalid(fourth)
    assert [t.extrinsic[0] for t in it] == [7]

    # By hash too (what the block builder has).
    it = base.best()
    first = next(it)
    it.skip(first.hash)
    assert list(it) == []


def test_promote_a_subgraph() -> None:
    """Substrate's ``should_promote_a_subgraph``."""
    base = BasePool()
    base.import_(tx(1, requires=(0,), provides=(1,)))
    base.import_(tx(3, requires=(2,)))
    base.import_(tx(2, requires=(1,), provides=(3, 2)))
    base.import_(tx(4, priority=1000, requires=(3, 4)))
    assert order(base) == []
    imported = base.import_(tx(5, provides=(0, 4)))
    assert order(base) == [5, 1, 2, 4, 3]
    assert imported.ready
    assert sorted(h[0] for h in imported.promoted) == [1, 2, 3, 4]
    assert imported.failed == ()
    assert imported.removed == ()


def test_cycle_is_resolved_by_a_higher_priority_provider() -> None:
    """Substrate's ``should_handle_a_cycle``."""
    base = BasePool()
    base.import_(tx(1, requires=(0,), provides=(1,)))
    base.import_(tx(3, requires=(1,), provides=(2,)))
    base.import_(tx(2, requires=(2,), provides=(0,)))
    assert order(base) == []
    assert len(base.future) == 3
    imported = base.import_(tx(4, priority=50, provides=(0,)))
    assert order(base) == [4, 1, 3]
    assert [h[0] for h in imported.promoted] == [1, 3]
    assert [h[0] for h in imported.failed] == [2]
    assert len(base.future) == 0


def test_cycle_with_a_low_priority_provider_is_refused() -> None:
    """Substrate's ``should_handle_a_cycle_with_low_priority``: error 1015."""
    base = BasePool()
    base.import_(tx(1, requires=(0,), provides=(1,)))
    base.import_(tx(3, requires=(1,), provides=(2,)))
    base.import_(tx(2, requires=(2,), provides=(0,)))
    with pytest.raises(CycleDetected) as cycle:
        base.import_(tx(4, priority=1, provides=(0,)))
    assert cycle.value.rpc_error() == (1015, "Cycle Detected", None)
    assert order(base) == []
    assert len(base.ready) == 0
    assert len(base.future) == 0
    assert {t.extrinsic[0] for t in cycle.value.discarded} >= {1, 3}


def test_remove_subtree() -> None:
    """Substrate's ``should_remove_invalid_transactions``."""
    base = BasePool()
    base.import_(tx(5, provides=(0, 4)))
    base.import_(tx(1, requires=(0,), provides=(1,)))
    base.import_(tx(3, requires=(2,)))
    base.import_(tx(2, requires=(1,), provides=(3, 2)))
    base.import_(tx(4, priority=1000, requires=(3, 4)))
    base.import_(tx(6, priority=1000, requires=(11,)))
    assert len(list(base.best())) == 5
    assert len(base.future) == 1
    base.remove_subtree([H256(bytes([6]) * 32), H256(bytes([1]) * 32)])
    assert order(base) == [5]
    assert len(base.future) == 0


def test_prune_tags() -> None:
    """Substrate's ``should_prune_ready_transactions``."""
    base = BasePool()
    base.import_(tx(5, requires=(0,), provides=(100,)))
    base.import_(tx(1, provides=(1,)))
    base.import_(tx(2, requires=(2,), provides=(3,)))
    base.import_(tx(3, requires=(1,), provides=(2,)))
    base.import_(tx(4, priority=1000, requires=(3, 2), provides=(4,)))
    assert len(list(base.best())) == 4
    assert len(base.future) == 1
    result = base.prune_tags([bytes([0]), bytes([2])])
    assert len(result.pruned) == 2  # 3 (provides 2) and 1 (leads only to 3)
    assert result.failed == ()
    assert [p.hash[0] for p in result.promoted] == [5]
    assert len(base.future) == 0
    assert len(base.ready) == 3
    assert sorted(order(base)) == [2, 4, 5]


def test_replacement_by_higher_priority_usurps(fake: Any, pool: Any, recorder: Any) -> None:
    old = fake.add("old", priority=5, provides=("nonce0",))
    dependent = fake.add("dependent", requires=("nonce0",))
    new = fake.add("new", priority=6, provides=("nonce0",))
    watcher = recorder()
    old_hash, _ = pool.submit_and_watch(old, EXT, watcher)
    pool.submit(dependent, EXT)
    new_hash = pool.submit(new, EXT)
    assert watcher.json == ["ready", {"usurped": new_hash.to_hex()}]
    assert old_hash not in pool
    # The dependent only needed the tag, which the replacement provides: it stays, after it.
    assert names(pool) == [new, dependent]
    assert pool.metrics().usurped == 1


def test_replacement_needs_strictly_higher_priority(fake: Any, pool: Any) -> None:
    a = fake.add("a", priority=5, provides=("t1",))
    b = fake.add("b", priority=5, provides=("t2",))
    both = fake.add("both", priority=10, provides=("t1", "t2"))
    equal = fake.add("equal", priority=5, provides=("t1",))
    pool.submit(a, EXT)
    pool.submit(b, EXT)
    with pytest.raises(TooLowPriority) as low:
        pool.submit(equal, EXT)
    assert low.value.rpc_error() == (
        1014,
        "Priority is too low: (5 vs 5)",
        "The transaction has too low priority to replace another transaction already in the pool.",
    )
    # The collective priority of all replaced transactions counts: 5 + 5 = 10 is not < 10.
    with pytest.raises(TooLowPriority, match=r"\(10 vs 10\)"):
        pool.submit(both, EXT)
    fake.set(both, priority=11, provides=("t1", "t2"))
    pool.submit(both, EXT)
    assert names(pool) == [both]
    assert tx_hash_of(equal) not in pool


def test_replacement_drops_dependents_of_tags_no_longer_provided(fake: Any, pool: Any) -> None:
    old = fake.add("old", priority=1, provides=("x", "y"))
    needs_y = fake.add("needs_y", requires=("y",))
    new = fake.add("new", priority=2, provides=("x",))
    pool.submit(old, EXT)
    pool.submit(needs_y, EXT)
    pool.submit(new, EXT)
    assert names(pool) == [new]


def test_failed_replacement_keeps_promoted_candidates_waiting(fake: Any, pool: Any) -> None:
    holder = fake.add("holder", priority=9, provides=("t",))
    waiting = fake.add("waiting", requires=("u",))
    weak = fake.add("weak", priority=1, provides=("t", "u"))
    pool.submit(holder, EXT)
    pool.submit(waiting, EXT)
    with pytest.raises(TooLowPriority):
        pool.submit(weak, EXT)
    assert [t.extrinsic for t in pool.futures()] == [waiting]
    assert pool.status().future == 1
