"""``chainSpec_v1_*``: the chain specification's name, genesis hash and properties.

Each answer is fixed for the life of the node (the spec requires it for a connection's life).
"""

from __future__ import annotations

from typing import Any

from deepshard.client.node.interfaces import NodeView
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.module import RpcModule

__all__ = ["register_chain_spec"]


def register_chain_spec(module: RpcModule, node: NodeView) -> None:
    """Register ``chainSpec_v1_chainName``, ``_genesisHash`` and ``_properties`` of `node`."""

    def properties() -> dict[str, Any]:
        return dict(node.info.properties or {})

    module.register("chainSpec_v1_chainName", lambda: node.info.chain_name)
    module.register("chainSpec_v1_genesisHash", lambda: to_hex(node.chain.genesis_hash))
    module.register("chainSpec_v1_properties", properties)
