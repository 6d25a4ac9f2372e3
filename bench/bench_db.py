"""Chain database benchmarks: committing 1,000-key blocks to LMDB over a 100k-key state.

Run with ``python -m bench db``. Keys are random 32 bytes and values random 40 bytes (over the
V1 threshold, so every value is a value node too), from a fixed seed; each block updates 900
existing keys and inserts 100 new ones. The database is opened as the node opens it (sync and
metasync on), in a temporary directory on the disk that holds ``$TMPDIR``.

Figures, per block of 1,000 changed keys:

* ``storage_root`` -- what the block author pays to compute the header's root over a
  `DatabaseState` snapshot (reads from LMDB, nothing written);
* ``import_block`` -- the whole one-transaction import: re-apply the changes to the parent's
  trie, check the root, write nodes with reference counts, header, body, indexes; commit;
* of which ``commit`` -- LMDB's commit (page writes and fsync), measured around it;
* ``set_finalized`` -- finalizing one more block, which prunes the state that leaves the
  window (freeing the nodes the newer states no longer share), in its own transaction;
* ``import_block finalized`` -- import and finalize (with pruning) in one transaction, as a
  single-authority dev node does.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import Figure, print_figures
from deepshard.client.db import ChainDatabase
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32
from deepshard.primitives.trie import StateVersion, trie_root
from deepshard.runtime.executive import Block

STATE_KEYS = 100_000
BLOCK_KEYS = 1_000
NEW_KEYS = 100
BLOCKS = 8
V1 = StateVersion.V1


class _TimedTxn:
    """An LMDB transaction whose ``commit`` is timed (every other method is the original)."""

    def __init__(self, txn: Any, spent: list[float]) -> None:
        self._txn = txn
        self._spent = spent
        self.get = txn.get
        self.put = txn.put
        self.delete = txn.delete
        self.cursor = txn.cursor
        self.stat = txn.stat
        self.abort = txn.abort

    def commit(self) -> None:
        start = time.perf_counter()
        self._txn.commit()
        self._spent.append(time.perf_counter() - start)


class _TimedEnv:
    """Wraps an LMDB environment so that write transactions time their commit."""

    def __init__(self, env: Any, spent: list[float]) -> None:
        self._env = env
        self._spent = spent

    def begin(self, write: bool = False) -> Any:
        txn = self._env.begin(write=write)
        return _TimedTxn(txn, self._spent) if write else txn

    def close(self) -> None:
        self._env.close()


def _changes(rng: random.Random, keys: list[bytes]) -> dict[bytes, bytes | None]:
    changes: dict[bytes, bytes | None] = {
        key: rng.randbytes(40) for key in rng.sample(keys, BLOCK_KEYS - NEW_KEYS)
    }
    for _ in range(NEW_KEYS):
        key = rng.randbytes(32)
        keys.append(key)
        changes[key] = rng.randbytes(40)
    return changes


def _block(db: ChainDatabase, changes: dict[bytes, bytes | None]) -> tuple[Block, float]:
    """Build the best block's child for `changes`; return it and the storage_root time."""
    parent = db.best_hash
    state = db.state_at(parent)
    assert state is not None
    with state:
        start = time.perf_counter()
        root = state.storage_root(changes, V1)
        seconds = time.perf_counter() - start
    header = Header(
        parent_hash=parent,
        number=U32(db.best_number + 1),
        state_root=H256(root),
        extrinsics_root=H256(bytes(32)),
    )
    return Block(header, ()), seconds


def run(directory: Path) -> list[Figure]:
    """Build the state, import blocks, and return the figures."""
    rng = random.Random(2024)
    storage = {rng.randbytes(32): rng.randbytes(40) for _ in range(STATE_KEYS)}
    keys = list(storage)
    genesis = Header(
        parent_hash=H256(),
        number=U32(0),
        state_root=H256(trie_root(storage.items(), V1)),
        extrinsics_root=H256(bytes(32)),
    )
    commits: list[float] = []
    db = ChainDatabase(directory, prune_depth=2)
    db._env = _TimedEnv(db._env, commits)  # time LMDB's commits
    start = time.perf_counter()
    db.initialize_genesis(genesis, storage, V1)
    genesis_seconds = time.perf_counter() - start
    genesis_nodes = db.node_count()

    roots, imports, import_commits, finalizes, combined, written, freed = [], [], [], [], [], [], []
    # Warm-up blocks fill the pruning window, so that every measured finalization prunes.
    for index in range(BLOCKS + 3):
        changes = _changes(rng, keys)
        block, root_seconds = _block(db, changes)
        commits.clear()
        start = time.perf_counter()
        outcome = db.import_block(block, changes, V1, make_best=True)
        import_seconds = time.perf_counter() - start
        import_commit = commits[-1]
        start = time.perf_counter()
        deleted = db.set_finalized(db.best_hash)
        finalize_seconds = time.perf_counter() - start
        if index >= 3:
            roots.append(root_seconds)
            imports.append(import_seconds)
            import_commits.append(import_commit)
            finalizes.append(finalize_seconds)
            written.append(outcome.nodes_written)
            freed.append(deleted)
    for _ in range(BLOCKS):
        changes = _changes(rng, keys)
        block, _ = _block(db, changes)
        start = time.perf_counter()
        db.import_block(block, changes, V1, make_best=True, finalized=True)
        combined.append(time.perf_counter() - start)

    state = db.state_at(db.best_hash)
    assert state is not None
    probe = rng.sample(keys[:STATE_KEYS], 20_000)
    start = time.perf_counter()
    for key in probe:
        state.get(key)
    reads = len(probe) / (time.perf_counter() - start)
    state.close()
    db.verify()
    size = os.path.getsize(directory / "data.mdb") / 2**20
    nodes = db.node_count()
    db.close()

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    note = f"median of {BLOCKS}"
    return [
        Figure(
            f"genesis: write {STATE_KEYS:,}-key state",
            genesis_seconds,
            "s",
            f"{genesis_nodes:,} nodes",
        ),
        Figure(f"storage_root of a {BLOCK_KEYS:,}-key block", ms(roots), "ms", note),
        Figure(f"import_block of a {BLOCK_KEYS:,}-key block", ms(imports), "ms", note),
        Figure("  of which LMDB commit (fsync)", ms(import_commits), "ms", note),
        Figure("  nodes written per block", statistics.median(written), "nodes"),
        Figure("set_finalized + prune one state", ms(finalizes), "ms", note),
        Figure("  nodes freed per pruned state", statistics.median(freed), "nodes"),
        Figure("import_block finalized=True (+ prune)", ms(combined), "ms", note),
        Figure("state reads (DatabaseState.get)", reads, "reads/s", "random existing keys"),
        Figure("database file", size, "MiB", f"{nodes:,} nodes, prune_depth 2"),
    ]


def main() -> None:
    """Print the chain database figures."""
    with tempfile.TemporaryDirectory(prefix="deepshard-bench-db-") as directory:
        figures = run(Path(directory) / "db")
    print_figures(
        f"chain database (LMDB): {BLOCK_KEYS:,}-key blocks on a {STATE_KEYS:,}-key state",
        figures,
    )


if __name__ == "__main__":
    main()
