"""Chain-client benchmark: fetch and decode blocks with their events, ours against
substrate-interface, on the same blocks of a running dev node.

Run with ``python -m bench client``. A ``deepshard node --dev --tmp`` process is started
(`bench_node.start_node`); in each of `WAVES` waves the six dev accounts submit
`TRANSFERS_PER_WAVE` transfers each (signed by Deepshard's client with explicit nonces, the
fifth one a ``Utility.batch_all`` of two transfers) and the benchmark waits until the pool is
empty (about one block), so the measured blocks hold signed extrinsics, batches and their
events, as an explorer sees them.

For every block from #1 to the best one, each client does what an explorer's indexer does:

* ours: ``ChainClient.block(hash)`` over one WebSocket -- ``chain_getBlock``, the
  ``System.Events`` storage and ``state_getRuntimeVersion`` requested together, then every
  extrinsic (signature, extensions, call arguments) and event decoded with the metadata;
* substrate-interface 1.8.1 (WebSocket): ``get_block(block_hash)`` and
  ``get_events(block_hash)`` (its own ``init_runtime`` per call, as every user of it pays).

Figures: blocks per second for each (best of `ROUNDS` passes over the same blocks), the ratio,
and ours without the network (the decoding alone, from bytes fetched once).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_node import start_node, stop_node
from bench.harness import Figure, print_figures
from deepshard.client.rpc.client import EVENTS_KEY, ChainClient
from deepshard.primitives.crypto import dev_keypairs

WAVES = 8
TRANSFERS_PER_WAVE = 5
ROUNDS = 3
DSH = 10**12


async def _fill(url: str) -> list[bytes]:
    """Submit the transfers in `WAVES` waves (one block each), return the hashes of #1..best."""
    async with ChainClient.connect(url) as chain:
        accounts = list(dev_keypairs())
        nonces = [await chain.account_nonce(keypair) for keypair in accounts]
        for wave in range(WAVES):
            for a, keypair in enumerate(accounts):
                dest = accounts[(a + 1) % len(accounts)].public_key
                for i in range(TRANSFERS_PER_WAVE):
                    value = DSH + wave * TRANSFERS_PER_WAVE + i
                    call = chain.compose("Balances", "transfer_keep_alive", dest=dest, value=value)
                    if i % 5 == 4:
                        call = chain.compose("Utility", "batch_all", calls=[call, call])
                    signed = await chain.sign(call, keypair, nonce=nonces[a], mortality=None)
                    nonces[a] += 1
                    await chain.submit(signed, wait="none")
            while await chain.rpc("author_pendingExtrinsics"):
                await asyncio.sleep(0.5)
        best = int((await chain.header()).number)
        return [await chain.block_hash(n) for n in range(1, best + 1)]


async def _ours(url: str, hashes: list[bytes]) -> tuple[float, int, int]:
    """Best seconds for one pass over `hashes`, and the extrinsics and events decoded."""
    async with ChainClient.connect(url) as chain:
        best = float("inf")
        extrinsics = events = 0
        for _ in range(ROUNDS):
            start = time.perf_counter()
            extrinsics = events = 0
            for block_hash in hashes:
                block = await chain.block(block_hash)
                extrinsics += len(block.extrinsics)
                events += len(block.events)
            best = min(best, time.perf_counter() - start)
        return best, extrinsics, events


async def _ours_decode_only(url: str, hashes: list[bytes]) -> float:
    """Best seconds to decode the blocks' extrinsics and events from bytes already fetched."""
    async with ChainClient.connect(url) as chain:
        fetched = []
        for block_hash in hashes:
            hex_hash = "0x" + block_hash.hex()
            body = await chain.rpc("chain_getBlock", [hex_hash])
            raw_events = await chain.rpc("state_getStorage", ["0x" + EVENTS_KEY.hex(), hex_hash])
            fetched.append(
                (
                    [bytes.fromhex(x[2:]) for x in body["block"]["extrinsics"]],
                    bytes.fromhex(raw_events[2:]),
                )
            )
        runtime = chain.runtime
        best = float("inf")
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for raws, raw_events in fetched:
                runtime.decode_extrinsics(raws)
                runtime.decode_events(raw_events)
            best = min(best, time.perf_counter() - start)
        return best


def _substrate_interface(url: str, hashes: list[bytes]) -> tuple[float, int, int]:
    """Best seconds for one pass with substrate-interface, and what it decoded."""
    from substrateinterface import SubstrateInterface  # noqa: PLC0415 - test-only dependency

    substrate = SubstrateInterface(url=url)
    try:
        best = float("inf")
        extrinsics = events = 0
        for _ in range(ROUNDS):
            start = time.perf_counter()
            extrinsics = events = 0
            for block_hash in hashes:
                hex_hash = "0x" + block_hash.hex()
                block: Any = substrate.get_block(block_hash=hex_hash)
                extrinsics += len(block["extrinsics"])
                events += len(substrate.get_events(block_hash=hex_hash))
            best = min(best, time.perf_counter() - start)
        return best, extrinsics, events
    finally:
        substrate.close()


def main() -> None:
    """Print blocks per second for both clients on the same dev-node blocks."""
    with tempfile.TemporaryDirectory(prefix="deepshard-bench-client-") as directory:
        node = start_node(Path(directory))
        try:
            url = f"ws://127.0.0.1:{node.port}"
            hashes = asyncio.run(_fill(url))
            ours, extrinsics, events = asyncio.run(_ours(url, hashes))
            decode_only = asyncio.run(_ours_decode_only(url, hashes))
            theirs, si_extrinsics, si_events = _substrate_interface(url, hashes)
        finally:
            stop_node(node)
    if (si_extrinsics, si_events) != (extrinsics, events):
        raise SystemExit(
            f"the clients disagree: ours {extrinsics} extrinsics / {events} events, "
            f"substrate-interface {si_extrinsics} / {si_events}"
        )
    blocks = len(hashes)
    note = f"{blocks} blocks, {extrinsics} extrinsics, {events} events"
    print_figures(
        "client: fetch and decode a block with its events (dev node, WebSocket)",
        [
            Figure("deepshard ChainClient.block", blocks / ours, "blocks/s", note),
            Figure("substrate-interface get_block+get_events", blocks / theirs, "blocks/s", note),
            Figure("ratio (ours / substrate-interface)", theirs / ours, "x"),
            Figure("deepshard decoding only (no network)", blocks / decode_only, "blocks/s"),
        ],
    )


if __name__ == "__main__":
    main()
