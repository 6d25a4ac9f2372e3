"""``author_*`` methods: submit and watch transactions, inspect and prune the pool.

A submitted extrinsic must be one length-prefixed extrinsic (else 1001 ``Extrinsic has
invalid format``); the pool then validates it through the runtime: a rejection answers
1010 ``Invalid Transaction`` / 1011 ``Unknown Transaction Validity`` with Substrate's reason
in ``data``, and pool errors answer their sc-rpc codes (1012 banned, 1013 already imported,
1014 priority too low, 1016 pool full). ``author_submitAndWatchExtrinsic`` rejects the same
way, synchronously, before any subscription exists -- py-substrate-interface would otherwise
wait forever -- then sends ``author_extrinsicUpdate`` notifications (``TransactionStatus``
JSON) until a final status, after which the subscription ends.
"""

from __future__ import annotations

from typing import Any

from deepshard.client.node.interfaces import NodeView, TransactionStatus, Unsubscribe
from deepshard.client.rpc.errors import AUTHOR_BAD_FORMAT, RpcError, pool_error
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.module import RpcModule, SubscriptionSink
from deepshard.client.rpc.params import Param, ParamError, h256, hex_bytes, list_of
from deepshard.primitives.codec import H256, DecodeError, decode_compact
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.transaction_validity import TransactionSource

__all__ = ["register_author", "check_extrinsic_format", "extrinsic_or_hash"]

_SOURCE = TransactionSource.External
"""Transactions received over RPC are external, as in Substrate."""


def check_extrinsic_format(extrinsic: bytes) -> None:
    """Check that `extrinsic` is one length-prefixed extrinsic (Substrate's opaque decode).

    Raises:
        RpcError: 1001 ``Extrinsic has invalid format: ...``.
    """
    try:
        length, offset = decode_compact(extrinsic, 0)
    except (DecodeError, IndexError, ValueError) as error:
        raise RpcError(
            AUTHOR_BAD_FORMAT, f"Extrinsic has invalid format: bad length prefix ({error})"
        ) from None
    if offset + length != len(extrinsic):
        raise RpcError(
            AUTHOR_BAD_FORMAT,
            "Extrinsic has invalid format: the length prefix says "
            f"{length} bytes, {len(extrinsic) - offset} follow",
        )


def extrinsic_or_hash(value: Any) -> H256:
    """``{"hash": "0x.."}`` or ``{"extrinsic": "0x.."}`` (``ExtrinsicOrHash``): its tx hash."""
    if not isinstance(value, dict) or len(value) != 1:
        raise ParamError('expected {"hash": ...} or {"extrinsic": ...}')
    ((kind, item),) = value.items()
    if kind == "hash":
        return h256(item)
    if kind == "extrinsic":
        return H256(blake2_256(hex_bytes(item)))
    raise ParamError(f"unknown variant {kind!r}; expected hash or extrinsic")


def register_author(module: RpcModule, node: NodeView) -> None:
    """Register the ``author_*`` methods of `node`."""
    pool = node.pool

    def submit(extrinsic: bytes) -> str:
        check_extrinsic_format(extrinsic)
        try:
            tx_hash = pool.submit(extrinsic, _SOURCE)
        except Exception as error:
            raise pool_error(error) from None
        return to_hex(tx_hash)

    def watch(sink: SubscriptionSink, extrinsic: bytes) -> Unsubscribe:
        check_extrinsic_format(extrinsic)

        def on_status(status: TransactionStatus) -> None:
            sink.send(status.to_json())
            if status.is_final:
                sink.close()

        try:
            _, unsubscribe = pool.submit_and_watch(extrinsic, _SOURCE, on_status)
        except Exception as error:
            raise pool_error(error) from None
        return unsubscribe

    def pending() -> list[str]:
        return [to_hex(xt) for xt in pool.pending()]

    def remove(hashes: list[H256]) -> list[str]:
        return [to_hex(h) for h in pool.remove(hashes)]

    xt = Param("extrinsic", hex_bytes)
    module.register("author_submitExtrinsic", submit, params=(xt,), blocking=True)
    module.register_subscription(
        "author_submitAndWatchExtrinsic",
        "author_unwatchExtrinsic",
        "author_extrinsicUpdate",
        watch,
        params=(xt,),
        blocking=True,
    )
    module.register("author_pendingExtrinsics", pending)
    module.register(
        "author_removeExtrinsic",
        remove,
        params=(Param("bytes_or_hash", list_of(extrinsic_or_hash)),),
        unsafe=True,
    )
