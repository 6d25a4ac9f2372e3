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

The names are imported on first use, so that ``deepshard.client.rpc.client`` (the typed
chain client, a subpackage) can be imported without the server, its methods and the runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
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

_HOMES: Final = {
    "RpcServer": "server",
    "RpcLimits": "server",
    "BackgroundRpcServer": "server",
    "RpcModule": "module",
    "Session": "module",
    "SubscriptionSink": "module",
    "CallContext": "module",
    "Param": "params",
    "RpcPolicy": "policy",
    "RpcMethods": "policy",
    "CorsPolicy": "policy",
    "UNSAFE_METHODS": "policy",
    "RpcError": "errors",
    "node_rpc_module": "methods",
    "header_json": "json",
    "block_json": "json",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (see the module docs)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
