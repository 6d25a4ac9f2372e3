"""JSON-RPC server benchmark: ``state_getStorage`` throughput and latency, HTTP and WebSocket.

Run with ``python -m bench rpc``. The server runs in a child process over a small in-memory
node (one block, 10,000 storage entries of 80 bytes, like ``System.Account`` values); the
clients are asyncio tasks in this process (aiohttp), each sending one request at a time:
1, 8 and 64 concurrent clients, each over its own HTTP keep-alive connection or WebSocket.
Figures: requests per second and the median and 99th percentile latency. Both sides are one
Python process each, so the figures bound the server from below; node-level figures come
with the node service.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp

from bench.harness import Figure, print_figures
from deepshard.client.node.interfaces import ChainInfo
from deepshard.client.rpc import RpcServer
from deepshard.client.rpc.methods import node_rpc_module
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header

DURATION = 2.0
"""Seconds measured per configuration (after a short warm-up)."""
CLIENTS = (1, 8, 64)
ENTRIES = 10_000


def _build_node(entries: int) -> Any:
    """A minimal `NodeView`: one genesis block whose state holds `entries` random pairs."""
    rng = random.Random(7)
    state = {rng.randbytes(48): rng.randbytes(80) for _ in range(entries)}
    header = Header(parent_hash=H256(), number=0, state_root=H256(), extrinsics_root=H256())
    genesis = header.hash()

    class State:
        def get(self, key: bytes) -> bytes | None:
            return state.get(key)

        def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
            after = start_after or b""
            return iter(sorted(k for k in state if k.startswith(prefix) and k > after))

        def read_proof(self, keys: list[bytes]) -> list[bytes]:
            del keys
            return []

    reader = State()

    class Chain:
        genesis_hash = best_hash = finalized_hash = genesis

        def header(self, block_hash: H256) -> Header | None:
            return header if block_hash == genesis else None

        def body(self, block_hash: H256) -> tuple[bytes, ...] | None:
            return () if block_hash == genesis else None

        def justifications(self, block_hash: H256) -> None:
            del block_hash

        def canonical_hash(self, number: int) -> H256 | None:
            return genesis if number == 0 else None

        def children(self, block_hash: H256) -> list[H256]:
            del block_hash
            return []

        def state_at(self, block_hash: H256) -> State | None:
            return reader if block_hash == genesis else None

    class Events:
        def on_new_best(self, callback: Callable[[Header], None]) -> Callable[[], None]:
            del callback
            return lambda: None

        on_finalized = on_imported = on_new_best

    class Node:
        info = ChainInfo("Bench", "Development", "Deepshard Node", "bench")
        chain = Chain()
        events = Events()
        pool: Any = None

        def peers(self) -> list[dict[str, Any]]:
            return []

        def is_syncing(self) -> bool:
            return False

    return Node(), sorted(state)


def _serve(port_queue: Any, stop_event: Any) -> None:
    node, _ = _build_node(ENTRIES)

    async def main() -> None:
        server = RpcServer(node_rpc_module(node), host="127.0.0.1", port=0)
        await server.start()
        port_queue.put(server.port)
        while not stop_event.is_set():
            await asyncio.sleep(0.1)
        await server.stop()

    asyncio.run(main())


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _request(key: bytes, request_id: int) -> str:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "state_getStorage",
            "params": ["0x" + key.hex()],
            "id": request_id,
        }
    )


async def _http_client(
    url: str, keys: list[bytes], deadline: float, latencies: list[float], seed: int
) -> None:
    rng = random.Random(seed)
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        request_id = 0
        while time.perf_counter() < deadline:
            request_id += 1
            body = _request(rng.choice(keys), request_id)
            start = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                reply = await response.json()
            latencies.append(time.perf_counter() - start)
            assert reply["result"] is not None


async def _ws_client(
    url: str, keys: list[bytes], deadline: float, latencies: list[float], seed: int
) -> None:
    rng = random.Random(seed)
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        request_id = 0
        while time.perf_counter() < deadline:
            request_id += 1
            start = time.perf_counter()
            await ws.send_str(_request(rng.choice(keys), request_id))
            reply = json.loads(await ws.receive_str())
            latencies.append(time.perf_counter() - start)
            assert reply["id"] == request_id


async def _measure(transport: str, url: str, clients: int, keys: list[bytes]) -> list[float]:
    client = _http_client if transport == "http" else _ws_client
    warm: list[float] = []
    await asyncio.gather(
        *(client(url, keys, time.perf_counter() + 0.3, warm, i) for i in range(clients))
    )
    latencies: list[float] = []
    deadline = time.perf_counter() + DURATION
    await asyncio.gather(*(client(url, keys, deadline, latencies, i) for i in range(clients)))
    return latencies


def main() -> None:
    """Start the server process, measure every transport and client count, print figures."""
    context = multiprocessing.get_context("spawn")
    port_queue = context.Queue()
    stop_event = context.Event()
    process = context.Process(target=_serve, args=(port_queue, stop_event), daemon=True)
    process.start()
    try:
        port = port_queue.get(timeout=60)
        _, keys = _build_node(ENTRIES)
        figures = []
        for transport in ("http", "ws"):
            url = f"{transport}://127.0.0.1:{port}"
            for clients in CLIENTS:
                latencies = asyncio.run(_measure(transport, url, clients, keys))
                rate = len(latencies) / DURATION
                p50 = _percentile(latencies, 0.5) * 1e3
                p99 = _percentile(latencies, 0.99) * 1e3
                label = f"state_getStorage {transport.upper()} {clients:>2} client(s)"
                figures.append(Figure(label, rate, "req/s", f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"))
        print_figures("RPC server (fake node, server and clients one process each)", figures)
    finally:
        stop_event.set()
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()


if __name__ == "__main__":
    main()
