"""Full sync: blocks per second a fresh node downloads, verifies, executes and imports.

Run with ``python -m bench sync``. ``BENCH_SYNC_BLOCKS`` sets the chain length (default
2,000; the "Done when" figure is for 10,000).

A source node (an in-process `NodeService` of ``--chain local``, four authorities) holds a
chain of light blocks -- the timestamp inherent only, sealed round-robin by the four dev
authorities, as a quiet network produces them -- built with `propose_block` and committed as
the node commits its own blocks. A fresh node (its own LMDB in a temporary directory) then
connects to it over loopback TCP (the encrypted session, status handshake, ancestor search
and block-range requests of 128 blocks) and imports every block: Aura seal check, full
re-execution, root comparison, check_inherents, LMDB commit. The figure is blocks imported
per second, from the moment the sync node starts to the moment its best block is the source's
(there is no finality here: nobody votes).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, print_figures
from deepshard.client.node.block_production import propose_block
from deepshard.client.node.cli import load_chain_spec
from deepshard.client.node.config import NodeConfig, P2pOptions
from deepshard.client.node.service import NodeService
from deepshard.primitives.crypto import KeyType, dev_keypair

SLOT_MS = 6_000
AUTHORITIES = ("Alice", "Bob", "Charlie", "Dave")
BLOCKS = int(os.environ.get("BENCH_SYNC_BLOCKS", "2000"))


def _config(base: Path, now_millis: int, bootnodes: tuple[str, ...] = ()) -> NodeConfig:
    return NodeConfig(
        chain_spec=load_chain_spec("local"),
        base_path=base,
        rpc_port=0,
        p2p=P2pOptions(listen=("/ip4/127.0.0.1/tcp/0",), bootnodes=bootnodes),
        extra={"clock": lambda: now_millis},
    )


def _build_chain(node: NodeService, count: int, first_slot: int) -> None:
    keys = [dev_keypair(name, KeyType.SR25519) for name in AUTHORITIES]
    for offset in range(count):
        slot = first_slot + offset
        parent = node.best_header()
        state = node.db.state_at(parent.hash())
        assert state is not None
        proposed = propose_block(
            node.runtime,
            state,
            parent,
            slot,
            SLOT_MS,
            keys[slot % len(keys)],
            (),
            budget_seconds=1.0,
        )
        node.import_own(proposed, single_authority=False)


async def _sync(source_base: Path, sync_base: Path, now: int) -> tuple[float, int]:
    source = NodeService(_config(source_base, now))
    await source.start()
    try:
        target = source.db.best_hash
        started = time.perf_counter()
        follower = NodeService(_config(sync_base, now, (source.listen_addresses()[0],)))
        await follower.start()
        try:
            while follower.db.best_hash != target:
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - started
            return elapsed, int(follower.db.best_number)
        finally:
            await follower.stop()
    finally:
        await source.stop()


def main() -> None:
    """Build the chain, sync it, print the figures."""
    now = int(time.time() * 1000)
    first_slot = now // SLOT_MS - BLOCKS - 10
    with tempfile.TemporaryDirectory(prefix="deepshard-bench-sync-") as tmp:
        source_base, sync_base = Path(tmp) / "source", Path(tmp) / "sync"
        builder = NodeService(_config(source_base, now))
        started = time.perf_counter()
        _build_chain(builder, BLOCKS, first_slot)
        built = time.perf_counter() - started
        builder.db.close()
        elapsed, synced = asyncio.run(_sync(source_base, sync_base, now))
    print_figures(
        f"Full sync of {BLOCKS:,} light blocks over loopback (a fresh node, --chain local)",
        [
            Figure("sync", synced / elapsed, "blocks/s", f"{synced:,} blocks in {elapsed:.1f} s"),
            Figure("authoring (for scale)", BLOCKS / built, "blocks/s", "propose + commit"),
        ],
    )


if __name__ == "__main__":
    main()
