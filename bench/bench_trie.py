"""Trie benchmarks: one-shot roots of 100k pairs, and a 1,000-key batch on a 1M-key trie.

Run with ``python -m bench trie``. Keys are random 32 bytes and values random 40 bytes (over
the V1 threshold, so V1 also writes a value node per key), from a fixed seed.
"""

from __future__ import annotations

import random
import resource
import time

from bench.harness import Figure, print_figures
from deepshard.primitives.trie import MemoryNodeStore, StateVersion, Trie, trie_root

ROOT_PAIRS = 100_000
BIG_TRIE = 1_000_000
BATCH = 1_000


def random_pairs(rng: random.Random, count: int) -> list[tuple[bytes, bytes]]:
    """Return `count` pairs of random 32-byte keys and 40-byte values."""
    return [(rng.randbytes(32), rng.randbytes(40)) for _ in range(count)]


def best_of(fn: object, rounds: int) -> float:
    """Return the best wall time of `rounds` calls of `fn`, in seconds."""
    assert callable(fn)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def root_figures(rng: random.Random) -> list[Figure]:
    """trie_root throughput on 100k pairs, V0 and V1."""
    pairs = random_pairs(rng, ROOT_PAIRS)
    figures = []
    for version in StateVersion:
        seconds = best_of(lambda v=version: trie_root(pairs, v), 3)
        figures.append(
            Figure(
                f"trie_root {ROOT_PAIRS:,} pairs {version.name}", ROOT_PAIRS / seconds, "pairs/s"
            )
        )
    return figures


def update_figures(rng: random.Random) -> list[Figure]:
    """Build a 1M-key trie, then apply a batch of 1,000 inserts/updates to it."""
    pairs = random_pairs(rng, BIG_TRIE)
    store = MemoryNodeStore()
    start = time.perf_counter()
    trie = Trie.from_pairs(store, pairs, StateVersion.V1)
    build = time.perf_counter() - start
    del pairs
    figures = [
        Figure(f"build {BIG_TRIE:,}-key trie V1 (from_pairs)", build, "s", f"{len(store):,} nodes")
    ]
    keys = sample_keys(trie, rng, BATCH // 2)
    changes: dict[bytes, bytes | None] = {key: rng.randbytes(40) for key in keys}
    changes.update({rng.randbytes(32): rng.randbytes(40) for _ in range(BATCH - len(changes))})
    seconds = best_of(lambda: trie.apply(changes), 3)
    update = trie.apply(changes)
    figures.append(
        Figure(
            f"apply {BATCH:,} changes to {BIG_TRIE:,}-key trie",
            seconds * 1000,
            "ms",
            f"half updates, half inserts; {len(update.new_nodes):,} new nodes",
        )
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures.append(Figure("peak RSS after building 1M-key trie", peak, "MiB"))
    start = time.perf_counter()
    trie.commit(update)
    figures.append(
        Figure(
            "commit (write new nodes to memory store)", (time.perf_counter() - start) * 1000, "ms"
        )
    )
    return figures


def sample_keys(trie: Trie, rng: random.Random, count: int) -> list[bytes]:
    """Return `count` existing keys of `trie`, found by seeking from random points."""
    keys: list[bytes] = []
    while len(keys) < count:
        found = trie.next_key(rng.randbytes(32))
        if found is not None:
            keys.append(found)
    return keys


def main() -> None:
    """Print the trie figures."""
    rng = random.Random(2024)
    print_figures("trie", root_figures(rng) + update_figures(rng))


if __name__ == "__main__":
    main()
