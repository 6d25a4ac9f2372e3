"""JSON-RPC for the Deepshard node: Substrate's wire protocol, methods and limits.

Serve a node::

    module = node_rpc_module(node_view)
    server = RpcServer(module, host="127.0.0.1", port=9944,
                       policy=RpcPolicy.from_flags("auto", "127.0.0.1"))
    await server.start()
    ...
    await server.stop()

* `RpcServer`, `RpcLimits` (`server`): HTTP POST and WebSocket on one port, with Substrate's
  limits and jsonrpsee's error answers;
* `RpcModule`, `SubscriptionSink`, `Session` (`module`): the registry of methods, aliases and
  subscriptions;
* `RpcPolicy`, `RpcMethods`, `CorsPolicy`, `UNSAFE_METHODS` (`policy`): who may call what;
* `RpcError` and the codes (`errors`);
* `node_rpc_module` (`methods`): every ``system_``, ``chain_``, ``state_``, ``author_``
  and ``payment_`` method against a `NodeView`;
* `header_json`, `block_json` (`json`): the JSON shapes.
"""

from __future__ import annotations

from deepshard.client.rpc.errors import RpcError
from deepshard.client.rpc.json import block_json, header_json
from deepshard.client.rpc.methods import node_rpc_module
from deepshard.client.rpc.module import CallContext, RpcModule, Session, SubscriptionSink
from deepshard.client.rpc.params import Param
from deepshard.client.rpc.policy import UNSAFE_METHODS, CorsPolicy, RpcMethods, RpcPolicy
from deepshard.client.rpc.server import BackgroundRpcServer, RpcLimits, RpcServer

__all__ = [
    "RpcServer",
    "RpcLimits",
    "BackgroundRpcServer",
    "RpcModule",
    "Session",
    "SubscriptionSink",
    "CallContext",
    "Param",
    "RpcPolicy",
    "RpcMethods",
    "CorsPolicy",
    "UNSAFE_METHODS",
    "RpcError",
    "node_rpc_module",
    "header_json",
    "block_json",
]
