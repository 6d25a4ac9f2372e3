"""The Substrate RPC methods of a node, grouped as sc-rpc groups them.

`node_rpc_module` registers every group against one `NodeView`; the groups' ``register_*``
functions are available for servers that want only some.
"""

from __future__ import annotations

from concurrent.futures import Executor

from deepshard.client.node.interfaces import NodeView
from deepshard.client.rpc.methods.archive import register_archive
from deepshard.client.rpc.methods.author import register_author
from deepshard.client.rpc.methods.chain import register_chain
from deepshard.client.rpc.methods.chain_head import ChainHeadLimits, register_chain_head
from deepshard.client.rpc.methods.chain_spec import register_chain_spec
from deepshard.client.rpc.methods.childstate import register_childstate
from deepshard.client.rpc.methods.grandpa import register_grandpa
from deepshard.client.rpc.methods.payment import register_payment
from deepshard.client.rpc.methods.state import register_state
from deepshard.client.rpc.methods.system import register_system
from deepshard.client.rpc.methods.transaction import register_transaction
from deepshard.client.rpc.module import RpcModule

__all__ = [
    "node_rpc_module",
    "register_system",
    "register_chain",
    "register_state",
    "register_author",
    "register_payment",
    "register_childstate",
    "register_chain_head",
    "register_chain_spec",
    "register_transaction",
    "register_archive",
    "ChainHeadLimits",
    "register_grandpa",
]


def node_rpc_module(
    node: NodeView,
    *,
    executor: Executor | None = None,
    chain_head_limits: ChainHeadLimits | None = None,
) -> RpcModule:
    """Return an `RpcModule` with every method this package implements, served from `node`.

    That is the legacy Substrate methods and the new spec's (``chainHead_v1_*``,
    ``chainSpec_v1_*``, ``transaction_v1_*``, ``transactionWatch_v1_*``, and on archive nodes
    ``archive_v1_*``).
    """
    module = RpcModule(executor=executor)
    register_system(module, node)
    register_chain(module, node)
    register_state(module, node)
    register_author(module, node)
    register_payment(module, node)
    register_childstate(module, node)
    register_chain_head(module, node, chain_head_limits)
    register_chain_spec(module, node)
    register_transaction(module, node)
    if node.info.is_archive:
        register_archive(module, node)
    register_grandpa(module, node)
    return module
