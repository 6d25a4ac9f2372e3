"""Sizes and timings of the pool: queue limits, bans, revalidation (``graph::Options``)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["QueueLimit", "PoolLimits", "PoolStatus"]

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class QueueLimit:
    """The most transactions, and total encoded bytes, one queue may hold (``base::Limit``)."""

    count: int
    """Maximal number of transactions."""
    total_bytes: int
    """Maximal sum of the transactions' encoded lengths."""

    def is_exceeded(self, count: int, total_bytes: int) -> bool:
        """Whether `count` transactions of `total_bytes` bytes are over this limit."""
        return count > self.count or total_bytes > self.total_bytes


@dataclass(frozen=True, slots=True)
class PoolLimits:
    """The pool's options; the defaults are Substrate's ``Options::default()``."""

    ready: QueueLimit = field(default_factory=lambda: QueueLimit(8192, 20 * MIB))
    """Ready queue limit (8192 transactions, 20 MiB)."""
    future: QueueLimit = field(default_factory=lambda: QueueLimit(512, 1 * MIB))
    """Future queue limit (512 transactions, 1 MiB)."""
    ban_time: float = 30 * 60.0
    """Seconds a removed transaction's hash stays banned (30 minutes)."""
    reject_future: bool = False
    """Refuse transactions that would go to the future queue (1021)."""
    revalidation_batch: int = 256
    """At most this many transactions are re-validated per new best block."""
    max_finality_watchers: int = 512
    """Blocks whose watched transactions await finality; beyond, the oldest time out."""
    max_banned: int = 2048
    """Expected size of the ban list; at twice this, it is trimmed to this."""


@dataclass(frozen=True, slots=True)
class PoolStatus:
    """Sizes of the two queues (``PoolStatus``)."""

    ready: int
    """Transactions in the ready queue."""
    ready_bytes: int
    """Their total encoded size."""
    future: int
    """Transactions in the future queue."""
    future_bytes: int
    """Their total encoded size."""

    @property
    def is_empty(self) -> bool:
        """Whether both queues are empty."""
        return self.ready == 0 and self.future == 0
