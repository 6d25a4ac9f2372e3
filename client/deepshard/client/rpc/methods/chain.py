"""``chain_*`` methods: block hashes, headers, blocks, and head subscriptions.

Names and aliases are sc-rpc-api's: ``chain_getBlockHash`` (``chain_getHead``),
``chain_getFinalizedHead`` (``chain_getFinalisedHead``), and the subscriptions
``chain_subscribeNewHeads`` (``chain_subscribeNewHead``, ``subscribe_newHead``) ->
``chain_newHead``, ``chain_subscribeFinalizedHeads`` (``chain_subscribeFinalisedHeads``) ->
``chain_finalizedHead``, ``chain_subscribeAllHeads`` -> ``chain_allHead``. Each subscription
sends the current head at once, as Substrate does. Unknown blocks answer null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from deepshard.client.node.interfaces import NodeView, Unsubscribe
from deepshard.client.rpc.errors import CHAIN_OTHER, RpcError
from deepshard.client.rpc.json import block_json, header_json, to_hex
from deepshard.client.rpc.module import RpcModule, SubscriptionSink
from deepshard.client.rpc.params import Param, h256, list_or_value, number_or_hex
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header

__all__ = ["register_chain"]

_U32_MAX: Final = 2**32 - 1


def register_chain(module: RpcModule, node: NodeView) -> None:
    """Register the ``chain_*`` methods of `node`."""
    chain = node.chain

    def hash_of(number: int) -> str | None:
        if number > _U32_MAX:
            raise RpcError(CHAIN_OTHER, f"`{number}` > u32::MAX, the max block number is u32.")
        found = chain.canonical_hash(number)
        return None if found is None else to_hex(found)

    def get_block_hash(which: tuple[bool, Any] | None) -> Any:
        if which is None:
            return to_hex(chain.best_hash)
        is_list, value = which
        if is_list:
            return [hash_of(n) for n in value]
        return hash_of(value)

    def get_header(block_hash: H256 | None) -> dict[str, Any] | None:
        header = chain.header(block_hash if block_hash is not None else chain.best_hash)
        return None if header is None else header_json(header)

    def get_block(block_hash: H256 | None) -> dict[str, Any] | None:
        at = block_hash if block_hash is not None else chain.best_hash
        header = chain.header(at)
        body = chain.body(at) if header is not None else None
        if header is None or body is None:
            return None
        return block_json(header, body, chain.justifications(at))

    at_param = (Param("hash", h256, optional=True),)
    module.register(
        "chain_getBlockHash",
        get_block_hash,
        params=(Param("hash", list_or_value(number_or_hex), optional=True),),
        aliases=("chain_getHead",),
    )
    module.register("chain_getHeader", get_header, params=at_param)
    module.register("chain_getBlock", get_block, params=at_param)
    module.register(
        "chain_getFinalizedHead",
        lambda: to_hex(chain.finalized_hash),
        aliases=("chain_getFinalisedHead",),
    )

    events = node.events
    module.register_subscription(
        "chain_subscribeAllHeads",
        "chain_unsubscribeAllHeads",
        "chain_allHead",
        _heads(node, lambda: chain.best_hash, events.on_imported),
    )
    module.register_subscription(
        "chain_subscribeNewHeads",
        "chain_unsubscribeNewHeads",
        "chain_newHead",
        _heads(node, lambda: chain.best_hash, events.on_new_best),
        aliases=("chain_subscribeNewHead", "subscribe_newHead"),
        unsubscribe_aliases=("chain_unsubscribeNewHead", "unsubscribe_newHead"),
    )
    module.register_subscription(
        "chain_subscribeFinalizedHeads",
        "chain_unsubscribeFinalizedHeads",
        "chain_finalizedHead",
        _heads(node, lambda: chain.finalized_hash, events.on_finalized),
        aliases=("chain_subscribeFinalisedHeads",),
        unsubscribe_aliases=("chain_unsubscribeFinalisedHeads",),
    )


def _heads(
    node: NodeView,
    current: Callable[[], H256],
    source: Callable[[Callable[[Header], None]], Unsubscribe],
) -> Callable[[SubscriptionSink], Unsubscribe]:
    def subscribe(sink: SubscriptionSink) -> Unsubscribe:
        unsubscribe = source(lambda header: sink.send(header_json(header)))
        header = node.chain.header(current())
        if header is not None:
            sink.send(header_json(header))
        return unsubscribe

    return subscribe
