"""The transaction pool: ready and future queues by tags, as Substrate's ``sc-transaction-pool``.

* `TransactionPool` (`pool`): submit / watch / prune / re-validate, thread-safe, implements
  ``PoolView``;
* `PoolLimits`, `QueueLimit`, `PoolStatus` (`limits`): sizes and options, Substrate's defaults;
* `PoolError` and its subclasses (`errors`): the pool's refusals with their JSON-RPC errors;
* `PoolTransaction`, `BestIterator` (`graph`): what the pool holds and the block builder reads;
* `PoolMetrics`, `PoolCollector` (`metrics`): counters, and their Prometheus collector.
"""

from __future__ import annotations

from deepshard.client.txpool.errors import (
    AlreadyImported,
    CycleDetected,
    ImmediatelyDropped,
    InvalidBlockId,
    NoTagsProvided,
    PoolError,
    RejectedFutureTransaction,
    TemporarilyBanned,
    TooLowPriority,
    Unactionable,
    rpc_error_of,
)
from deepshard.client.txpool.graph import BestIterator, PoolTransaction
from deepshard.client.txpool.limits import PoolLimits, PoolStatus, QueueLimit
from deepshard.client.txpool.metrics import PoolCollector, PoolMetrics
from deepshard.client.txpool.pool import TransactionPool, Validator, tx_hash_of

__all__ = [
    "TransactionPool",
    "Validator",
    "tx_hash_of",
    "PoolLimits",
    "QueueLimit",
    "PoolStatus",
    "PoolTransaction",
    "BestIterator",
    "PoolMetrics",
    "PoolCollector",
    "PoolError",
    "TemporarilyBanned",
    "AlreadyImported",
    "TooLowPriority",
    "CycleDetected",
    "ImmediatelyDropped",
    "Unactionable",
    "NoTagsProvided",
    "InvalidBlockId",
    "RejectedFutureTransaction",
    "rpc_error_of",
]
