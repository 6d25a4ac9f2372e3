"""Node-level benchmarks: importing received blocks into LMDB, and JSON-RPC of a running node.

Run with ``python -m bench node``. Set ``BENCH_NODE_SIZES=1000,5000`` for more block sizes
(default: 1,000 transfers per block). As in ``bench_runtime``, a block of more than 1,000
transfers is built and imported by the same pallets with System's block weight and length
limits scaled up (the note says by how much); everything else is the Deepshard runtime.

Import (per block size, deterministic, from fixed seeds): a genesis of the Deepshard runtime
with //Alice as the only Aura authority, one funded sr25519 sender per transfer and
`BACKGROUND_ACCOUNTS` funded receivers, written to two pruned chain databases (LMDB, the
node's default pruning window, in a temporary directory): the author's and the importer's.
The author builds a chain of `ROUNDS` blocks with `propose_block` (Aura slot digest, timestamp
inherent, then one immortal tip-free ``transfer_keep_alive`` per sender, the nonce one less
than the block number; sealed by //Alice) and commits each with its changes, as the node
commits its own blocks; then `EMPTY_BLOCKS` blocks with only the timestamp inherent. The
importer imports each block the way a node imports a block it received, timing each step:

* seal check: the Aura authorities at the parent (read from the parent's state), then
  ``verify_header`` (slot owner, sr25519 signature over the pre-seal hash);
* execution: ``Executive.execute_block`` over ``db.state_at(parent)`` (decode, signatures,
  nonces, fees, dispatch, events, state and extrinsics roots, compared with the header's);
* LMDB commit: ``ChainDatabase.import_block(..., make_best=True, finalized=True)`` (one
  authority: every block is final, as the dev node imports it), given the trie update the
  execution computed (so the changes are not applied to the parent's trie twice): new nodes
  and reference counts, header, body, indexes, then LMDB's commit (fsync), which is also shown
  on its own.

The transfer figures are those of the fastest of the `ROUNDS` blocks (each over a fresh,
cold snapshot of its parent's state); the empty-block figures are medians, measured on the
chain of the first block size.

RPC: a real ``deepshard node --dev --tmp`` process (authoring a block every 6 s as usual) on
a free port; ``state_getStorage`` of //Alice's ``System.Account`` at the best block from 1, 8
and 64 concurrent clients (asyncio tasks in this process, aiohttp, each with its own HTTP
keep-alive connection or WebSocket, one request at a time, back to back) for `RPC_DURATION`
seconds each after a short warm-up: requests per second and the 99th percentile latency.
The node is stopped with SIGINT.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_db import _TimedEnv
from bench.bench_rpc import _http_client, _percentile, _ws_client
from bench.bench_runtime import FITTING_TRANSFERS, composed
from bench.harness import Figure, print_figures
from deepshard.client.consensus.aura import slot_of, verify_header
from deepshard.client.db import ChainDatabase
from deepshard.client.node.block_production import ReadyTransaction, propose_block
from deepshard.client.node.service import genesis_header_of
from deepshard.pallets.aura import Aura, AuraGenesis, AuthorityId
from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.crypto import Keypair, KeyType, dev_keypair
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.hashing import StorageHasher, blake2_256, storage_key
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U128
from deepshard.primitives.signing import sign_extrinsic
from deepshard.runtime.configs import UNIT
from deepshard.runtime.executive import Block, Executive
from deepshard.runtime.runtime import DeepshardRuntime, deepshard_runtime
from deepshard.runtime.support import Runtime
from deepshard.runtime.support.overlay import Overlay

DEFAULT_SIZES = (1_000,)
BACKGROUND_ACCOUNTS = 10_000
ROUNDS = 3
"""Blocks of transfers per size (a chain: each block's senders use the next nonce)."""
EMPTY_BLOCKS = 10
SLOT = 290_000_000
ENDOWMENT = 1_000 * UNIT
AMOUNT = UNIT

RPC_DURATION = 3.0
RPC_WARMUP = 0.3
RPC_CLIENTS = (1, 8, 64)
NODE_START_TIMEOUT = 60.0


def block_sizes() -> tuple[int, ...]:
    """Block sizes from ``BENCH_NODE_SIZES`` (comma-separated), else `DEFAULT_SIZES`."""
    raw = os.environ.get("BENCH_NODE_SIZES", "")
    sizes = tuple(int(part) for part in raw.replace("_", "").split(",") if part.strip())
    return sizes or DEFAULT_SIZES


# --- block import -------------------------------------------------------------------------------


@dataclass
class Authored:
    """A sealed block as the author sent it, and the author's changes (to cross-check)."""

    block: Block
    changes: dict[bytes, bytes | None]


@dataclass
class Timing:
    """Seconds spent on each step of one block import."""

    seal: float
    execute: float
    store: float
    commit: float

    @property
    def total(self) -> float:
        """The whole import."""
        return self.seal + self.execute + self.store


@dataclass
class Chain:
    """The importer's database and what it needs to import blocks."""

    db: ChainDatabase
    runtime: Runtime
    executive: Executive
    commits: list[float]
    accounts: int
    setup_seconds: float


def _authorities(runtime: Runtime, db: ChainDatabase, at: H256) -> tuple[bytes, ...]:
    """The Aura authorities at a block, read from its state (as `NodeService.authorities`)."""
    state = db.state_at(at)
    if state is None:
        raise RuntimeError("the parent's state is missing")
    with state:
        ctx = runtime.new_context(Overlay(state), 0)
        return tuple(bytes(a) for a in ctx.pallet(Aura).authorities())


def import_received(chain: Chain, block: Block) -> tuple[Timing, dict[bytes, bytes | None]]:
    """Import a received block: check its seal, execute it, commit it; time each step."""
    db, header = chain.db, block.header
    parent = header.parent_hash
    start = time.perf_counter()
    authorities = _authorities(chain.runtime, db, parent)
    verified = verify_header(header, authorities, slot_of(header))
    sealed = time.perf_counter()
    state = db.state_at(parent)
    if state is None:
        raise RuntimeError("the parent's state is missing")
    with state:
        changes = chain.executive.execute_block(state, Block(verified.pre_header, block.extrinsics))
    executed = time.perf_counter()
    chain.commits.clear()
    outcome = db.import_block(
        block,
        changes,
        chain.executive.version.state_version,
        make_best=True,
        finalized=True,
        precomputed=state.last_update,
    )
    stored = time.perf_counter()
    if not outcome.imported:
        raise RuntimeError("the block was already known")
    timing = Timing(sealed - start, executed - sealed, stored - executed, chain.commits[-1])
    return timing, changes


def _transfers(
    rt: DeepshardRuntime,
    senders: list[Keypair],
    dests: list[AccountId32],
    nonce: int,
    genesis_hash: bytes,
) -> list[bytes]:
    out = []
    for pair, dest in zip(senders, dests, strict=True):
        call = rt.runtime.make_call(
            Balances, "transfer_keep_alive", dest=Id(dest), value=U128(AMOUNT)
        )
        out.append(
            sign_extrinsic(
                rt.runtime.call_codec.encode(call),
                pair,
                nonce=nonce,
                genesis_hash=genesis_hash,
                spec_version=int(rt.version.spec_version),
                transaction_version=int(rt.version.transaction_version),
            )
        )
    return out


def _author_chain(
    author: ChainDatabase,
    rt: DeepshardRuntime,
    genesis: Header,
    bodies: list[list[bytes]],
    alice: Keypair,
) -> list[Authored]:
    """Build, seal and commit (as the node commits its own blocks) one block per body."""
    state_version = rt.version.state_version
    genesis_state = author.state_at(genesis.hash())
    assert genesis_state is not None
    with genesis_state:
        duration = int(
            rt.runtime.new_context(Overlay(genesis_state), 0).pallet(Aura).slot_duration()
        )
    parent = genesis
    blocks = []
    for number, body in enumerate(bodies, start=1):
        state = author.state_at(parent.hash())
        assert state is not None
        with state:
            proposed = propose_block(
                rt,
                state,
                parent,
                SLOT + number,
                duration,
                alice,
                (ReadyTransaction(H256(blake2_256(x)), x) for x in body),
                budget_seconds=math.inf,
            )
        if len(proposed.included) != len(body):
            raise RuntimeError(
                f"block {number} holds {len(proposed.included)} of {len(body)} transfers"
            )
        block = proposed.block
        author.import_block(block, proposed.changes, state_version, make_best=True, finalized=True)
        blocks.append(Authored(block, proposed.changes))
        parent = block.header
    return blocks


def build_chain(directory: Path, size: int) -> tuple[Chain, list[Authored], list[Authored]]:
    """Write the genesis twice, author the blocks; return the importer's side and the blocks."""
    started = time.perf_counter()
    base = deepshard_runtime()
    limits_scale = -(-size // FITTING_TRANSFERS)
    runtime, executive = composed(limits_scale)
    rt = copy.copy(base)  # the node's runtime object, with the (scaled) executive
    rt.executive = executive
    alice = dev_keypair("Alice", KeyType.SR25519)
    rng = random.Random(size)
    senders = [
        Keypair.from_seed(blake2_256(b"bench-sender" + i.to_bytes(4, "little")), KeyType.SR25519)
        for i in range(size)
    ]
    background = [AccountId32(rng.randbytes(32)) for _ in range(BACKGROUND_ACCOUNTS)]
    endowed = [AccountId32(pair.public_key) for pair in senders] + background
    storage = base.genesis_storage(
        {
            Aura: AuraGenesis(authorities=(AuthorityId(bytes(alice.public_key)),)),
            Balances: BalancesGenesis(balances=tuple((who, ENDOWMENT) for who in endowed)),
        }
    )
    genesis = genesis_header_of(storage, base)
    state_version = base.version.state_version
    author = ChainDatabase(directory / "author")
    author.initialize_genesis(genesis, storage, state_version)
    commits: list[float] = []
    importer = ChainDatabase(directory / "importer")
    importer._env = _TimedEnv(importer._env, commits)  # time LMDB's commits
    importer.initialize_genesis(genesis, storage, state_version)
    genesis_hash = bytes(genesis.hash())
    bodies = [
        _transfers(
            rt,
            senders,
            [background[rng.randrange(BACKGROUND_ACCOUNTS)] for _ in senders],
            nonce,
            genesis_hash,
        )
        for nonce in range(ROUNDS)
    ]
    bodies += [[] for _ in range(EMPTY_BLOCKS)]
    try:
        blocks = _author_chain(author, rt, genesis, bodies, alice)
    finally:
        author.close()
    chain = Chain(
        importer, runtime, executive, commits, len(endowed), time.perf_counter() - started
    )
    return chain, blocks[:ROUNDS], blocks[ROUNDS:]


def _import_all(chain: Chain, blocks: list[Authored]) -> list[Timing]:
    """Import `blocks` in order; check that each gave the author's changes and became best."""
    timings = []
    for authored in blocks:
        timing, changes = import_received(chain, authored.block)
        if changes != authored.changes:
            raise RuntimeError("the importer's changes differ from the author's")
        if chain.db.best_hash != authored.block.header.hash():
            raise RuntimeError("the imported block did not become best")
        timings.append(timing)
    return timings


def import_figures(directory: Path, size: int) -> tuple[list[Figure], list[Timing]]:
    """Import the blocks of `size` transfers and the empty blocks; return figures and timings."""
    chain, transfers, empties = build_chain(directory, size)
    try:
        timings = _import_all(chain, transfers)
        empty_timings = _import_all(chain, empties)
        chain.db.verify()
    finally:
        chain.db.close()
    best = min(timings, key=lambda t: t.total)
    limits_scale = -(-size // FITTING_TRANSFERS)
    note = (
        f"best of {ROUNDS} blocks; {chain.accounts:,} accounts; setup {chain.setup_seconds:.1f} s"
    )
    if limits_scale > 1:
        note += f"; block limits x{limits_scale}"

    def ms(seconds: float) -> float:
        return seconds * 1e3

    figures = [
        Figure("import: transfers per second", size / best.total, "tx/s", note),
        Figure("import: whole block", ms(best.total), "ms"),
        Figure("  seal check (authorities + verify_header)", ms(best.seal), "ms"),
        Figure(
            "  execution (execute_block: signatures, dispatch, roots)",
            ms(best.execute),
            "ms",
            f"{best.execute / size * 1e6:.0f} us per transfer",
        ),
        Figure("  LMDB commit (import_block)", ms(best.store), "ms", "trie update, writes, fsync"),
        Figure("    of which LMDB txn commit (fsync)", ms(best.commit), "ms"),
    ]
    return figures, empty_timings


def empty_figures(timings: list[Timing], size: int) -> list[Figure]:
    """Median figures of the empty-block imports."""

    def median_ms(values: list[float]) -> float:
        return statistics.median(values) * 1e3

    note = f"median of {len(timings)}, after the {size:,}-transfer blocks"
    return [
        Figure(
            "import: empty block (timestamp only)",
            median_ms([t.total for t in timings]),
            "ms",
            note,
        ),
        Figure("  seal check", median_ms([t.seal for t in timings]), "ms"),
        Figure("  execution (execute_block)", median_ms([t.execute for t in timings]), "ms"),
        Figure("  LMDB commit (import_block)", median_ms([t.store for t in timings]), "ms"),
        Figure(
            "    of which LMDB txn commit (fsync)", median_ms([t.commit for t in timings]), "ms"
        ),
    ]


# --- RPC against a running node -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _deepshard_command() -> list[str]:
    script = Path(sys.executable).with_name("deepshard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "deepshard.client.cli"]


def _rpc(port: int, method: str, params: list[Any] | None = None) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}", body.encode(), {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class RunningNode:
    """A ``deepshard node --dev --tmp`` process."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    start_seconds: float

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_node(directory: Path) -> RunningNode:
    """Start a dev node on a free port and wait until it answers ``system_health``."""
    port = _free_port()
    log_path = directory / "node.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_deepshard_command(), "node", "--dev", "--tmp", "--rpc-port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    node = RunningNode(process, port, log_path, 0.0)
    deadline = time.monotonic() + NODE_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the node exited early:\n{node.log()}")
        try:
            _rpc(port, "system_health")
        except OSError:
            time.sleep(0.1)
            continue
        node.start_seconds = time.perf_counter() - started
        return node
    stop_node(node)
    raise RuntimeError(f"the node did not answer within {NODE_START_TIMEOUT} s:\n{node.log()}")


def stop_node(node: RunningNode) -> None:
    """Stop the node with SIGINT (a clean shutdown); kill it if it does not stop."""
    if node.process.poll() is None:
        node.process.send_signal(signal.SIGINT)
        try:
            node.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()


async def _measure(transport: str, url: str, clients: int, key: bytes) -> list[float]:
    client = _http_client if transport == "http" else _ws_client
    keys = [key]
    warm: list[float] = []
    deadline = time.perf_counter() + RPC_WARMUP
    await asyncio.gather(*(client(url, keys, deadline, warm, i) for i in range(clients)))
    latencies: list[float] = []
    deadline = time.perf_counter() + RPC_DURATION
    await asyncio.gather(*(client(url, keys, deadline, latencies, i) for i in range(clients)))
    return latencies


def rpc_figures(directory: Path) -> list[Figure]:
    """Start a dev node, measure ``state_getStorage`` per transport and client count."""
    alice = dev_keypair("Alice", KeyType.SR25519)
    key = storage_key(
        "System", "Account", ((StorageHasher.BLAKE2_128_CONCAT, bytes(alice.public_key)),)
    )
    node = start_node(directory)
    try:
        reply = _rpc(node.port, "state_getStorage", ["0x" + key.hex()])
        if not reply.get("result"):
            raise RuntimeError(f"//Alice's System.Account is empty at the best block: {reply}")
        figures = []
        for transport in ("http", "ws"):
            url = f"{transport}://127.0.0.1:{node.port}"
            for clients in RPC_CLIENTS:
                latencies = asyncio.run(_measure(transport, url, clients, key))
                p50 = _percentile(latencies, 0.5) * 1e3
                p99 = _percentile(latencies, 0.99) * 1e3
                figures.append(
                    Figure(
                        f"state_getStorage {transport.upper()} {clients:>2} client(s)",
                        len(latencies) / RPC_DURATION,
                        "req/s",
                        f"p99 {p99:.2f} ms, p50 {p50:.2f} ms",
                    )
                )
        best = _rpc(node.port, "chain_getHeader")["result"]["number"]
    finally:
        stop_node(node)
    figures.append(
        Figure(
            "node start (spawn to system_health)",
            node.start_seconds,
            "s",
            f"best block at the end #{int(best, 16)}; exit code {node.process.returncode}",
        )
    )
    return figures


def main() -> None:
    """Print the block import figures for each block size, the empty block, and RPC."""
    empty: tuple[list[Timing], int] | None = None
    with tempfile.TemporaryDirectory(prefix="deepshard-bench-node-") as directory:
        for size in block_sizes():
            figures, empty_timings = import_figures(Path(directory) / f"size-{size}", size)
            print_figures(
                f"node: import of a received block of {size:,} transfer_keep_alive "
                "(seal, execute, LMDB)",
                figures,
            )
            if empty is None:
                empty = (empty_timings, size)
        assert empty is not None
        print_figures("node: import of an empty block", empty_figures(*empty))
        print_figures(
            f"node: JSON-RPC of a running `deepshard node --dev` ({RPC_DURATION:.0f} s each)",
            rpc_figures(Path(directory)),
        )


if __name__ == "__main__":
    main()
