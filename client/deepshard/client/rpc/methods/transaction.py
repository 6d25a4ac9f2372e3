"""``transaction_v1_*`` and ``transactionWatch_v1_*``: submitting transactions, new spec.

``transactionWatch_v1_submitAndWatch(tx)`` always opens a subscription (notifications
``transactionWatch_v1_watchEvent``); what happens to the transaction arrives as events, never
as a JSON-RPC error (only bad hex answers -32602):

=========================== ==================================================================
pool status                 event
=========================== ==================================================================
future, ready               ``{"event": "validated"}``
inBlock(hash)               ``{"event": "bestChainBlockIncluded", "block": {hash, index}}``
retracted                   ``{"event": "bestChainBlockIncluded", "block": null}``
finalized(hash)             ``{"event": "finalized", "block": {hash, index}}`` (final)
invalid, usurped, rejected  ``{"event": "invalid", "error"}`` (final)
dropped, finalityTimeout    ``{"event": "dropped", "error"}`` (final)
pool errors (banned, full)  ``{"event": "dropped", "error"}`` / ``{"event": "error", ...}``
=========================== ==================================================================

``index`` is the transaction's position in the block body. Unwatching stops the events, not
the transaction. ``transaction_v1_broadcast(tx)`` hands the transaction to the pool (which
gossips it once the node has peers) and answers an operation id, or null past
`MAX_BROADCASTS` running at once; ``transaction_v1_stop(id)`` ends one (-32602 for an unknown
id). An invalid broadcast transaction is silently dropped, as the spec allows.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from typing import Any, Final

from deepshard.client.node.interfaces import NodeView, TransactionStatus, Unsubscribe
from deepshard.client.rpc.errors import invalid_params, pool_error
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.module import RpcModule, SubscriptionSink
from deepshard.client.rpc.params import Param, hex_bytes, text
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.transaction_validity import TransactionRejected, TransactionSource

__all__ = ["register_transaction", "MAX_BROADCASTS", "WATCH_EVENT"]

MAX_BROADCASTS: Final = 64
"""Broadcast operations the node runs at once (the spec asks for at least four per client)."""
WATCH_EVENT: Final = "transactionWatch_v1_watchEvent"
"""The notification method of ``transactionWatch_v1_submitAndWatch``."""

_SOURCE = TransactionSource.External


def _final(event: str, error: str) -> dict[str, Any]:
    return {"event": event, "error": error}


def register_transaction(module: RpcModule, node: NodeView) -> None:
    """Register the ``transaction_v1_*`` and ``transactionWatch_v1_*`` methods of `node`."""
    pool = node.pool
    broadcasts: dict[str, H256] = {}
    lock = threading.Lock()
    ids = itertools.count()

    def block_ref(block_hash: bytes, tx_hash: bytes) -> dict[str, Any] | None:
        body = node.chain.body(H256(block_hash)) or ()
        index = next((i for i, xt in enumerate(body) if blake2_256(xt) == tx_hash), None)
        if index is None:
            return None
        return {"hash": to_hex(block_hash), "index": index}

    def watch(sink: SubscriptionSink, extrinsic: bytes) -> Unsubscribe | None:
        tx_hash = blake2_256(extrinsic)

        def on_status(status: TransactionStatus) -> None:
            event = _watch_event(status, lambda h: block_ref(h, tx_hash))
            if event is None:
                return
            sink.send(event)
            if event["event"] in ("finalized", "invalid", "dropped", "error"):
                sink.close()

        try:
            _, unsubscribe = pool.submit_and_watch(extrinsic, _SOURCE, on_status)
        except TransactionRejected as rejected:
            sink.send(_final("invalid", str(rejected)))
            sink.close()
            return None
        except Exception as error:
            rpc_error = pool_error(error)
            sink.send(_final("dropped", rpc_error.message))
            sink.close()
            return None
        return unsubscribe

    def broadcast(extrinsic: bytes) -> str | None:
        with lock:
            if len(broadcasts) >= MAX_BROADCASTS:
                return None
            operation = f"tx{next(ids)}"
            broadcasts[operation] = H256(blake2_256(extrinsic))
        # The spec: an invalid transaction is dropped silently (it still holds its slot).
        with contextlib.suppress(Exception):
            pool.submit(extrinsic, _SOURCE)
        return operation

    def stop(operation: str) -> None:
        with lock:
            if broadcasts.pop(operation, None) is None:
                raise invalid_params(f"no broadcast operation {operation!r}")

    xt = Param("transaction", hex_bytes)
    module.register_subscription(
        "transactionWatch_v1_submitAndWatch",
        "transactionWatch_v1_unwatch",
        WATCH_EVENT,
        watch,
        params=(xt,),
        blocking=True,
    )
    module.register("transaction_v1_broadcast", broadcast, params=(xt,), blocking=True)
    module.register("transaction_v1_stop", stop, params=(Param("operationId", text),))


def _watch_event(status: TransactionStatus, locate: Any) -> dict[str, Any] | None:
    kind = status.kind
    if kind in ("future", "ready"):
        return {"event": "validated"}
    if kind == "inBlock":
        return {"event": "bestChainBlockIncluded", "block": locate(status.value)}
    if kind == "retracted":
        return {"event": "bestChainBlockIncluded", "block": None}
    if kind == "finalized":
        return {"event": "finalized", "block": locate(status.value)}
    if kind in ("invalid", "usurped"):
        return _final("invalid", "the transaction is no longer valid")
    if kind == "dropped":
        return _final("dropped", "the transaction pool dropped the transaction")
    if kind == "finalityTimeout":
        return _final("dropped", "the block including the transaction was not finalized in time")
    return None  # broadcast: the new spec has no such event
