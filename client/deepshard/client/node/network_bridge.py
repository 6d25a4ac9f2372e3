"""The node as the chain protocol sees it: `ChainAccess` over the node service.

Imports run on the node's single import thread (one at a time, never beside authoring);
transactions are validated on the pool's own threads. Typed import errors become the sync
layer's verdicts: an invalid block (`BadBlock`, its sender is banned) or a block that cannot
be imported now (`ImportFailure`: unknown parent, future slot, conflicts with finality).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from deepshard.client.network.sync import BadBlock, BadTransaction, ImportFailure
from deepshard.client.node.block_import import (
    AlreadyImported,
    BlockImportError,
    NotNow,
    UnknownParent,
)
from deepshard.client.txpool import PoolError
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.transaction_validity import TransactionSource
from deepshard.runtime.executive import Block

if TYPE_CHECKING:
    from deepshard.client.node.service import NodeService

__all__ = ["NodeChain", "FINALITY_ENGINE_ID"]

FINALITY_ENGINE_ID = b"FRNK"
"""The engine id justifications are stored under (GRANDPA's)."""


class NodeChain:
    """`ChainAccess` for a `NodeService`."""

    def __init__(self, node: NodeService) -> None:
        """Serve `node`'s chain."""
        self.node = node

    @property
    def genesis_hash(self) -> H256:
        """The genesis hash."""
        return self.node.genesis_hash

    def best(self) -> tuple[int, H256]:
        """Best block number and hash."""
        db = self.node.db
        return int(db.best_number), db.best_hash

    def finalized(self) -> tuple[int, H256]:
        """Finalized block number and hash."""
        db = self.node.db
        return int(db.finalized_number), db.finalized_hash

    def header(self, block_hash: H256) -> Header | None:
        """A known header."""
        return self.node.db.header(block_hash)

    def body(self, block_hash: H256) -> tuple[bytes, ...] | None:
        """A known block's extrinsics."""
        body = self.node.db.body(block_hash)
        return None if body is None else tuple(body)

    def justification(self, block_hash: H256) -> bytes | None:
        """The finality justification stored with a block."""
        for engine, data in self.node.db.justifications(block_hash) or ():
            if bytes(engine) == FINALITY_ENGINE_ID:
                return bytes(data)
        return None

    def canonical_hash(self, number: int) -> H256 | None:
        """The best chain's block at `number`."""
        return self.node.db.canonical_hash(number)

    async def import_block(self, block: Block, justification: bytes | None) -> bool:
        """Import on the node's import thread (see the module docstring)."""
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                self.node.import_worker, self.node.import_received, block, justification
            )
        except AlreadyImported:
            return False
        except (UnknownParent, NotNow) as error:
            raise ImportFailure(str(error)) from error
        except BlockImportError as error:
            raise BadBlock(str(error)) from error
        self.node.metrics.sync_imported_blocks.inc()
        return bool(result.outcome.is_best)

    async def submit_transaction(self, extrinsic: bytes) -> bool:
        """Validate and pool a gossiped transaction (False: the pool knows it already)."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                None, self.node.pool.submit, extrinsic, TransactionSource.External
            )
        except tv.TransactionInvalid as error:
            raise BadTransaction(str(error)) from error
        except (tv.TransactionRejected, PoolError):
            return False
        return True
