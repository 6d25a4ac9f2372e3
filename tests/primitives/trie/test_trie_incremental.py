"""The incremental trie: batches of changes keep the root equal to `trie_root` of the content."""

from __future__ import annotations

import random
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie import (
    EMPTY_TRIE_ROOT,
    MemoryNodeStore,
    MissingNode,
    StateVersion,
    Trie,
    generate_proof,
    trie_root,
)

V0, V1 = StateVersion.V0, StateVersion.V1

# Few distinct bytes make keys share prefixes, so branches split, gain values and collapse.
keys = st.lists(st.sampled_from([0x00, 0x01, 0x10, 0x1F, 0xF0]), max_size=4).map(bytes)
values = st.one_of(
    st.binary(max_size=3),
    st.sampled_from([b"v" * 32, b"w" * 33, b"x" * 80]),
    st.binary(min_size=30, max_size=40),
)
batches = st.lists(
    st.dictionaries(keys, st.one_of(st.none(), values), min_size=1, max_size=10),
    min_size=1,
    max_size=8,
)


def apply_to_model(model: dict[bytes, bytes], changes: dict[bytes, bytes | None]) -> None:
    for key, value in changes.items():
        if value is None:
            model.pop(key, None)
        else:
            model[key] = value


@pytest.mark.parametrize("version", list(StateVersion))
@given(batches=batches)
def test_root_after_any_changes_equals_trie_root(
    version: StateVersion, batches: list[dict[bytes, bytes | None]]
) -> None:
    trie = Trie(MemoryNodeStore(), version=version)
    model: dict[bytes, bytes] = {}
    for changes in batches:
        trie = trie.updated(changes)
        apply_to_model(model, changes)
        assert trie.root == trie_root(model.items(), version)
        for key, value in model.items():
            assert trie.get(key) == value
        assert list(trie.iter_prefix()) == sorted(model.items())


@pytest.mark.parametrize("version", list(StateVersion))
@given(
    table=st.dictionaries(keys, values, max_size=25),
    prefix=st.binary(max_size=2),
    start=st.one_of(st.none(), keys),
)
@settings(max_examples=100)
def test_iteration_by_prefix_and_start(
    version: StateVersion, table: dict[bytes, bytes], prefix: bytes, start: bytes | None
) -> None:
    trie = Trie.from_pairs(MemoryNodeStore(), table.items(), version)
    assert trie.root == trie_root(table.items(), version)
    expected = sorted(
        (k, v) for k, v in table.items() if k.startswith(prefix) and (start is None or k > start)
    )
    assert list(trie.iter_prefix(prefix, start)) == expected
    assert list(trie.iter_keys(prefix, start)) == [k for k, _ in expected]
    if start is not None:
        after = sorted(k for k in table if k > start)
        assert trie.next_key(start) == (after[0] if after else None)


def test_from_pairs_then_updates_match_one_shot_roots() -> None:
    pairs = {blake2_256(i.to_bytes(4, "little")): i.to_bytes(4, "little") * 10 for i in range(500)}
    store = MemoryNodeStore()
    trie = Trie.from_pairs(store, pairs.items(), V1)
    changes: dict[bytes, bytes | None] = dict.fromkeys(list(pairs)[:200])
    changes.update({bytes([i]) * 3: b"new" for i in range(50)})
    trie = trie.updated(changes)
    apply_to_model(pairs, changes)
    assert trie.root == trie_root(pairs.items(), V1)
    # Paging as `state_getKeysPaged` does it.
    page1 = list(islice(trie.iter_keys(), 100))
    page2 = list(islice(trie.iter_keys(b"", page1[-1]), 100))
    assert page1 + page2 == sorted(pairs)[:200]


def test_deleting_everything_gives_the_empty_root() -> None:
    trie = Trie.from_pairs(MemoryNodeStore(), [(b"a", b"1"), (b"ab", b"2"), (b"b", b"3")], V0)
    update = trie.apply({b"a": None, b"ab": None, b"b": None, b"zz": None})
    assert update.root == EMPTY_TRIE_ROOT
    assert update.removed_nodes == (trie.root,)  # the root was the only stored node
    assert trie.commit(update).get(b"a") is None


def test_no_op_batch_keeps_root_and_writes_nothing() -> None:
    trie = Trie.from_pairs(MemoryNodeStore(), [(bytes([i]) * 8, b"v" * 40) for i in range(40)])
    update = trie.apply({bytes([3]) * 8: b"v" * 40, b"absent": None, bytes([3]) * 7: None})
    assert update.root == trie.root
    assert update.new_nodes == {}
    assert update.removed_nodes == ()


def test_update_reports_new_and_removed_nodes() -> None:
    pairs = [(blake2_256(bytes([i])), b"v" * 40) for i in range(64)]
    store = MemoryNodeStore()
    trie = Trie.from_pairs(store, pairs, V1)
    before = len(store)
    update = trie.apply({pairs[0][0]: b"changed"})
    assert update.root in update.new_nodes
    assert trie.root in update.removed_nodes
    # A value node is shared by 64 leaves; dropping one reference lists it once.
    assert update.removed_nodes.count(blake2_256(b"v" * 40)) == 1
    trie.commit(update)
    assert len(store) == before + len(update.new_nodes)


def test_v1_values_live_in_value_nodes() -> None:
    store = MemoryNodeStore()
    big, small = b"B" * 33, b"s" * 32
    trie = Trie(store, version=V1).updated({b"big": big, b"small": small})
    assert store.get(blake2_256(big)) == big
    assert store.get(blake2_256(small)) is None
    assert trie.get(b"big") == big


def test_v0_values_stay_inline_until_rewritten_under_v1() -> None:
    # Substrate's lazy migration: a V0 value is re-encoded as a value node only when written.
    store = MemoryNodeStore()
    old = Trie.from_pairs(store, [(b"a", b"A" * 40), (b"b", b"B" * 40)], V0)
    as_v1 = Trie(store, old.root, V1)
    touched_b = as_v1.updated({b"c": b"c"})
    assert touched_b.root == trie_root([(b"a", b"A" * 40), (b"b", b"B" * 40), (b"c", b"c")], V0)
    migrated = touched_b.updated({b"a": b"A" * 40, b"b": b"B" * 40})
    assert migrated.root == trie_root([(b"a", b"A" * 40), (b"b", b"B" * 40), (b"c", b"c")], V1)


def test_missing_node_is_reported() -> None:
    trie = Trie(MemoryNodeStore(), blake2_256(b"nothing"))
    with pytest.raises(MissingNode) as info:
        trie.get(b"key")
    assert info.value.node_hash == blake2_256(b"nothing")
    with pytest.raises(MissingNode):
        trie.apply({b"key": b"v"})


def test_inline_root_is_still_stored_by_hash() -> None:
    store = MemoryNodeStore()
    trie = Trie(store, version=V0).updated({b"\xaa": b"\xbb"})
    assert store.get(trie.root) == bytes.fromhex("42aa04bb")
    grown = trie.updated({b"\xab": b"\xcc"})
    assert grown.get(b"\xaa") == b"\xbb"
    assert grown.root == trie_root([(b"\xaa", b"\xbb"), (b"\xab", b"\xcc")], V0)


@pytest.mark.parametrize("version", list(StateVersion))
def test_updates_read_only_the_changed_paths(version: StateVersion) -> None:
    # A store holding just the proof of the changed keys suffices to apply inserts/updates.
    pairs = {blake2_256(i.to_bytes(4, "little")): bytes([i % 251]) * 40 for i in range(2000)}
    full = Trie.from_pairs(MemoryNodeStore(), pairs.items(), version)
    changes: dict[bytes, bytes | None] = dict.fromkeys(list(pairs)[:20], b"updated")
    changes.update({blake2_256(bytes([i])) + b"new": b"inserted" * 5 for i in range(20)})
    proof = generate_proof(full.store, full.root, changes)
    partial = Trie(MemoryNodeStore({blake2_256(n): n for n in proof}), full.root, version)
    assert partial.apply(changes).root == full.apply(changes).root
    apply_to_model(pairs, changes)
    assert full.apply(changes).root == trie_root(pairs.items(), version)


@pytest.mark.parametrize("version", list(StateVersion))
def test_many_random_batches_on_a_large_trie(version: StateVersion) -> None:
    rng = random.Random(version)
    model = {
        rng.randbytes(rng.randint(1, 40)): rng.randbytes(rng.randint(0, 60)) for _ in range(5000)
    }
    trie = Trie.from_pairs(MemoryNodeStore(), model.items(), version)
    for _ in range(30):
        existing = rng.sample(sorted(model), 100)
        changes: dict[bytes, bytes | None] = dict.fromkeys(existing[:50])
        changes.update({k: rng.randbytes(rng.randint(0, 60)) for k in existing[50:]})
        changes.update({rng.randbytes(rng.randint(1, 40)): rng.randbytes(50) for _ in range(100)})
        trie = trie.updated(changes)
        apply_to_model(model, changes)
        assert trie.root == trie_root(model.items(), version)
