"""The indexer against a real node service in-process: backfill, restart, reorg, finality.

The node is the project's `NodeService` with its JSON-RPC server on a free port; blocks (and a
competing fork) are authored by hand as in ``tests/client/node/test_node_import.py``, so the
test decides exactly when the node reorganises. The indexer talks to it over WebSocket through
the typed client, as it talks to any node. Every case runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from deepshard.client.explorer.database import current_revision, head, open_engine, upgrade
from deepshard.client.explorer.indexer import Indexer
from deepshard.client.explorer.models import Block as BlockRow
from deepshard.client.explorer.models import Event, Extrinsic
from deepshard.client.explorer.store import Store
from deepshard.client.node.block_production import propose_block
from deepshard.client.node.cli import load_chain_spec
from deepshard.client.node.config import NodeConfig
from deepshard.client.node.service import NodeService
from deepshard.client.rpc.client import ChainClient
from deepshard.primitives.codec import H256
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.runtime.executive import Block

SLOT_MS = 6_000
AUTHORS = ("Alice", "Bob", "Charlie", "Dave")
"""The local chain's authorities, in slot order (slot % 4)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _build(service: NodeService, parent_hash: H256, slot: int) -> Block:
    parent = service.db.header(parent_hash)
    state = service.db.state_at(parent_hash)
    assert parent is not None
    assert state is not None
    author = dev_keypair(AUTHORS[slot % len(AUTHORS)], KeyType.SR25519)
    return propose_block(
        service.runtime, state, parent, slot, SLOT_MS, author, (), budget_seconds=1.0
    ).block


@asynccontextmanager
async def local_node(tmp: Path) -> AsyncIterator[tuple[NodeService, str]]:
    """A `local` chain node (four authorities, so nothing is final at once), RPC only."""
    port = _free_port()
    config = NodeConfig(
        chain_spec=load_chain_spec("local"), base_path=tmp, validator=False, rpc_port=port
    )
    service = NodeService(config)
    await service.start()
    try:
        yield service, f"ws://127.0.0.1:{port}"
    finally:
        await service.stop()


def _indexed(url: str) -> dict[int, str]:
    engine = open_engine(url)
    try:
        with Session(engine) as session:
            return dict(session.execute(select(BlockRow.number, BlockRow.hash)).tuples().all())
    finally:
        engine.dispose()


def _authors(url: str) -> dict[int, tuple[int | None, str | None]]:
    engine = open_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(select(BlockRow.number, BlockRow.slot, BlockRow.author))
            return {int(n): (slot, author) for n, slot, author in rows}
    finally:
        engine.dispose()


def _orphans(url: str, hashes: set[str]) -> int:
    engine = open_engine(url)
    try:
        with Session(engine) as session:
            rows = (
                session.scalars(select(Extrinsic.id).where(Extrinsic.block_hash.in_(hashes))).all()
                + session.scalars(select(Event.id).where(Event.block_hash.in_(hashes))).all()
            )
            return len(rows)
    finally:
        engine.dispose()


async def _sync(node_url: str, db_url: str) -> tuple[int, int, int]:
    engine = open_engine(db_url)
    try:
        upgrade(engine)
        async with ChainClient.connect(node_url) as chain:
            report = await Indexer(chain, Store(engine), window=2).sync()
            return report.added, report.retracted, report.best
    finally:
        engine.dispose()


def test_backfill_resume_and_reorg(tmp_path: Path, db_url: str) -> None:
    async def scenario() -> None:
        async with local_node(tmp_path / "node") as (node, url):
            base = int(time.time() * 1000) // SLOT_MS - 60
            base -= base % 3  # an Alice slot
            genesis = node.db.best_hash
            # Chain A: two blocks, indexed (window 2: the backfill takes two windows).
            a1 = _build(node, genesis, base)
            node.import_received(a1)
            a2 = _build(node, a1.header.hash(), base + 1)
            node.import_received(a2)
            assert await _sync(url, db_url) == (3, 0, 2)
            assert current_revision(open_engine(db_url)) == head()
            # A restart resumes: nothing new, nothing added twice.
            assert await _sync(url, db_url) == (0, 0, 2)
            # Chain B (from genesis) grows longer: the node reorganises onto it.
            b1 = _build(node, genesis, base + 2)
            node.import_received(b1)
            b2 = _build(node, b1.header.hash(), base + 3)
            node.import_received(b2)
            b3 = _build(node, b2.header.hash(), base + 4)
            node.import_received(b3)
            assert node.db.best_hash == b3.header.hash()
            assert await _sync(url, db_url) == (3, 2, 3)
            expected = {
                n: "0x" + bytes(node.db.canonical_hash(n)).hex()  # type: ignore[arg-type]
                for n in range(4)
            }
            assert _indexed(db_url) == expected
            retracted = {"0x" + bytes(b.header.hash()).hex() for b in (a1, a2)}
            assert _orphans(db_url, retracted) == 0
            # Each block's author is the authority that sealed it: the owner of its slot.
            slots = {1: base + 2, 2: base + 3, 3: base + 4}
            expected_authors = {
                n: (slot, dev_keypair(AUTHORS[slot % 4], KeyType.SR25519).ss58_address())
                for n, slot in slots.items()
            }
            assert _authors(db_url) == {0: (None, None), **expected_authors}

    asyncio.run(scenario())
