"""Counters of the pool, and a Prometheus collector exposing them like Substrate's.

`PoolMetrics` is a frozen snapshot (`TransactionPool.metrics`). `PoolCollector` reads a pool's
snapshot and status on every scrape; register it in the node's registry::

    registry.register(PoolCollector(pool))

The names follow ``sc-transaction-pool``'s metrics (``substrate_sub_txpool_*``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from deepshard.client.txpool.limits import PoolStatus

__all__ = ["PoolMetrics", "PoolCollector"]


@dataclass(frozen=True, slots=True)
class PoolMetrics:
    """How many transactions went through each path since the pool started."""

    submitted: int = 0
    """Transactions submitted (RPC, gossip, local), valid or not."""
    validations_invalid: int = 0
    """Submissions the runtime refused (1010 / 1011)."""
    rejected: int = 0
    """Submissions the pool refused (1012 and up)."""
    imported: int = 0
    """Transactions that entered the pool."""
    pruned: int = 0
    """Transactions removed because a best block included them (or their tags)."""
    resubmitted: int = 0
    """Transactions of retracted blocks submitted again."""
    revalidated: int = 0
    """Re-validations run on a new best block."""
    invalidated: int = 0
    """Transactions removed as invalid or expired after entering the pool."""
    usurped: int = 0
    """Transactions replaced by a higher-priority one."""
    dropped: int = 0
    """Transactions dropped to respect the limits."""

    def bump(self, **increments: int) -> PoolMetrics:
        """Return a copy with the named counters increased."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name, increment in increments.items():
            values[name] += increment
        return PoolMetrics(**values)


_PREFIX = "substrate_sub_txpool_"
_COUNTERS: dict[str, tuple[str, str]] = {
    "submitted": ("submitted_transactions", "Transactions submitted"),
    "validations_invalid": ("validations_invalid", "Submissions the runtime refused"),
    "rejected": ("rejected_transactions", "Submissions the pool refused"),
    "imported": ("imported_transactions", "Transactions that entered the pool"),
    "pruned": ("block_transactions_pruned", "Transactions pruned by block events"),
    "resubmitted": ("block_transactions_resubmitted", "Transactions resubmitted on retraction"),
    "revalidated": ("revalidations", "Transactions re-validated on a new best block"),
    "invalidated": ("invalidated_transactions", "Transactions removed as invalid or stale"),
    "usurped": ("usurped_transactions", "Transactions replaced by a higher-priority one"),
    "dropped": ("dropped_transactions", "Transactions dropped over the pool limits"),
}


class PoolCollector(Collector):
    """A Prometheus collector reading a pool's counters and queue sizes on each scrape."""

    def __init__(self, source: Callable[[], tuple[PoolMetrics, PoolStatus]]) -> None:
        """`source` returns the current counters and status (e.g. ``pool.metrics_and_status``)."""
        self._source = source

    def collect(self) -> Iterator[Metric]:
        """Yield one counter per `PoolMetrics` field and gauges of the queue sizes."""
        metrics, status = self._source()
        for field_name, (name, documentation) in _COUNTERS.items():
            counter = CounterMetricFamily(_PREFIX + name, documentation)
            counter.add_metric([], getattr(metrics, field_name))
            yield counter
        yield GaugeMetricFamily(
            _PREFIX + "ready_bytes", "Bytes of ready transactions", value=status.ready_bytes
        )
        yield GaugeMetricFamily(
            _PREFIX + "future_bytes", "Bytes of future transactions", value=status.future_bytes
        )
