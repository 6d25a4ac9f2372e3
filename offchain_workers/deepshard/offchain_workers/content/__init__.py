"""The content store: IPFS files and blocks with Kubo-identical CIDs, verified on every read.

`ContentStore` is the one interface workers use; `EmbeddedStore` (LMDB, the default),
`KuboRpcStore` (a Kubo node's RPC) and `GatewayReader` (any trustless gateway, read-only)
implement it. Import profiles are in `profiles`, typed errors in `errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.content.gateway import GatewayReader
from deepshard.offchain_workers.content.kubo import KuboRpcStore
from deepshard.offchain_workers.content.profiles import PROFILES, UNIXFS_V0_2015, UNIXFS_V1_2025
from deepshard.offchain_workers.content.store import Bounds, ContentStore

__all__ = [
    "ContentStore",
    "EmbeddedStore",
    "KuboRpcStore",
    "GatewayReader",
    "Bounds",
    "PROFILES",
    "UNIXFS_V0_2015",
    "UNIXFS_V1_2025",
]

if TYPE_CHECKING:
    # mypy proves here that every backend satisfies the interface, structurally.
    def _backends(e: EmbeddedStore, k: KuboRpcStore, g: GatewayReader) -> list[ContentStore]:
        return [e, k, g]
