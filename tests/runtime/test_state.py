"""`TrieState` agrees with `InMemoryState`: roots, reads and key iteration, for random changes."""

from __future__ import annotations

import random

import pytest

from deepshard.primitives.trie import EMPTY_TRIE_ROOT, MemoryNodeStore, StateVersion
from deepshard.runtime.state import InMemoryState, TrieState


def random_state(rng: random.Random, count: int) -> dict[bytes, bytes]:
    """Keys under a few shared prefixes (as pallet storage is), values short and long."""
    prefixes = [rng.randbytes(rng.randrange(1, 6)) for _ in range(4)]
    data = {}
    for _ in range(count):
        key = rng.choice(prefixes) + rng.randbytes(rng.randrange(0, 12))
        data[key] = rng.randbytes(rng.choice((0, 1, 31, 32, 33, 80)))
    return data


def random_changes(
    rng: random.Random, data: dict[bytes, bytes], count: int
) -> dict[bytes, bytes | None]:
    """Updates, deletions (of present and absent keys) and inserts."""
    keys = sorted(data)
    changes: dict[bytes, bytes | None] = {}
    for _ in range(count):
        roll = rng.random()
        if roll < 0.35 and keys:
            changes[rng.choice(keys)] = rng.randbytes(rng.choice((1, 40)))
        elif roll < 0.6 and keys:
            changes[rng.choice(keys)] = None
        elif roll < 0.65:
            changes[rng.randbytes(5)] = None
        else:
            changes[rng.choice(keys or [b""])[:3] + rng.randbytes(4)] = rng.randbytes(33)
    return changes


@pytest.mark.parametrize("version", list(StateVersion))
@pytest.mark.parametrize("seed", range(8))
def test_storage_root_equals_in_memory_state(seed: int, version: StateVersion) -> None:
    rng = random.Random(seed)
    data = random_state(rng, rng.randrange(0, 300))
    trie_state = TrieState.from_pairs(MemoryNodeStore(), data, version)
    memory_state = InMemoryState(data)
    assert trie_state.root == memory_state.storage_root({}, version)
    for _ in range(3):
        changes = random_changes(rng, memory_state.data, rng.randrange(1, 60))
        # Reads first, as a block does (they fill the decoded-node cache the root then uses).
        for key in changes:
            assert trie_state.get(key) == memory_state.get(key)
        expected = memory_state.storage_root(changes, version)
        assert trie_state.storage_root(changes, version) == expected
        trie_state, memory_state = trie_state.apply(changes, version), memory_state.apply(changes)
        assert trie_state.root == expected
        assert trie_state.root == memory_state.storage_root({}, version)


def test_deleting_everything_gives_the_empty_root() -> None:
    data = {b"a": b"1", b"ab": b"2", b"b" * 40: b"3" * 40}
    state = TrieState.from_pairs(MemoryNodeStore(), data)
    assert state.storage_root(dict.fromkeys(data), StateVersion.V1) == EMPTY_TRIE_ROOT


def test_the_parent_state_stays_readable_after_apply() -> None:
    store = MemoryNodeStore()
    parent = TrieState.from_pairs(store, {b"k1": b"v1", b"k2": b"v2"})
    child = parent.apply({b"k1": b"new", b"k2": None, b"k3": b"v3"})
    assert [parent.get(k) for k in (b"k1", b"k2", b"k3")] == [b"v1", b"v2", None]
    assert [child.get(k) for k in (b"k1", b"k2", b"k3")] == [b"new", None, b"v3"]


@pytest.mark.parametrize("seed", range(6))
def test_iter_keys_order_prefix_and_start_after(seed: int) -> None:
    rng = random.Random(100 + seed)
    data = random_state(rng, 200)
    trie_state = TrieState.from_pairs(MemoryNodeStore(), data)
    memory_state = InMemoryState(data)
    keys = sorted(data)
    probes = [b"", *(k[:n] for k in rng.sample(keys, 5) for n in (1, 2, len(k)))]
    for prefix in probes:
        expected = list(memory_state.iter_keys(prefix))
        assert list(trie_state.iter_keys(prefix)) == expected
        assert expected == sorted(expected)
        assert all(k.startswith(prefix) for k in expected)
        for start_after in (None, rng.choice(keys), prefix, prefix + b"\xff", b"\x00"):
            assert list(trie_state.iter_keys(prefix, start_after)) == list(
                memory_state.iter_keys(prefix, start_after)
            )


def test_reads_of_absent_keys() -> None:
    state = TrieState.from_pairs(MemoryNodeStore(), {b"abc": b"1", b"abd": b"2"})
    for key in (b"", b"a", b"ab", b"abe", b"abcd", b"zzz"):
        assert state.get(key) is None
    assert TrieState.from_pairs(MemoryNodeStore(), {}).get(b"x") is None
