"""State pruning: reference-counted nodes are freed exactly when no kept state reaches them.

The independent check: the nodes stored must be exactly the distinct nodes of the kept states'
tries, which a `MemoryNodeStore` rebuilds from the model's key/value sets (tries are in normal
form, so a state's node set is fixed by its content). Fewer would lose data; more would leak.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from deepshard.client.db import ChainDatabase
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie import MemoryNodeStore, StateVersion, Trie

V1 = StateVersion.V1


def kept_blocks(db: ChainDatabase, model: Any) -> list[bytes]:
    return [h for h in model.states if db.has_state(h)]


def assert_exact_nodes(db: ChainDatabase, model: Any) -> None:
    """The stored nodes are exactly those of the kept states, and each kept state reads right."""
    store = MemoryNodeStore()
    for block_hash in kept_blocks(db, model):
        Trie.from_pairs(store, model.states[block_hash].items(), V1)
        model.check_state(block_hash)
    assert db.node_count() == len(store)


def test_pruning_frees_nodes_and_keeps_the_window(db_path: Path, chain_model_class: Any) -> None:
    with ChainDatabase(db_path, prune_depth=3) as db:
        model = chain_model_class(db, seed=1)
        blocks = model.chain(12, count=12)
        peak = db.node_count()
        db.set_finalized(blocks[9])
        assert db.node_count() < peak
        # Kept: the last 3 finalized (#8..#10) and the non-finalized (#11, #12).
        assert [n for n, h in enumerate([model.genesis, *blocks]) if db.has_state(h)] == [
            8,
            9,
            10,
            11,
            12,
        ]
        assert db.state_at(blocks[0]) is None
        assert db.state_at(model.genesis) is None
        assert_exact_nodes(db, model)
        db.verify(deep=True)
    with ChainDatabase(db_path, prune_depth=3) as db:
        model.db = db
        assert_exact_nodes(db, model)
        db.verify(deep=True)
        more = model.chain(3, count=12)
        db.set_finalized(more[-1])
        assert_exact_nodes(db, model)
        db.verify(deep=True)


def test_archive_keeps_every_state(db_path: Path, chain_model_class: Any) -> None:
    with ChainDatabase(db_path, archive=True, prune_depth=1) as db:
        model = chain_model_class(db, seed=2)
        blocks = model.chain(6)
        fork = model.extend(blocks[1], make_best=False)
        db.set_finalized(blocks[-1])
        for block_hash in model.states:
            model.check_state(block_hash)
        assert fork not in db.leaves()
        assert_exact_nodes(db, model)
        db.verify(deep=True)


def test_shared_subtrees_and_value_nodes(db: ChainDatabase, model: Any) -> None:
    """Equal states, equal subtrees and one V1 value under many keys are counted, not lost."""
    big = b"V" * 48  # a V1 value node shared by every key below
    keys = [bytes([i]) * 3 for i in range(10)]
    b1, c1 = model.block(db.best_hash, dict.fromkeys(keys, big))
    db.import_block(b1, c1, V1, make_best=True)
    # Two blocks that delete, then restore, the same keys: #3's state equals #1's.
    b2, c2 = model.block(b1.hash(), dict.fromkeys(keys[:5]))
    db.import_block(b2, c2, V1, make_best=True)
    b3, c3 = model.block(b2.hash(), dict.fromkeys(keys[:5], big))
    db.import_block(b3, c3, V1, make_best=True)
    assert b3.header.state_root == b1.header.state_root
    # Siblings with the same changes (different digests): equal state roots, two forks.
    s1, sc = model.block(b3.hash(), {b"x": big}, tag=1)
    s2, _ = model.block(b3.hash(), {b"x": big}, tag=2)
    db.import_block(s1, sc, V1, make_best=True)
    db.import_block(s2, sc, V1, make_best=False)
    assert s1.header.state_root == s2.header.state_root
    assert_exact_nodes(db, model)
    # Finalizing #3 prunes #1's state (equal to #3's, which stays) with prune_depth 4 ...
    tip = model.chain(3, parent=s2.hash())
    db.set_best(tip[-1])
    db.set_finalized(tip[0])  # ... and displaces s1, whose root s2 still holds.
    assert db.state_at(b1.hash()) is None
    assert db.state_at(s1.hash()) is None
    model.check_state(s2.hash())
    model.check_state(b3.hash())
    assert_exact_nodes(db, model)
    db.verify(deep=True)
    db.set_finalized(tip[-1])
    assert_exact_nodes(db, model)
    db.verify(deep=True)


@pytest.mark.parametrize("seed", range(5))
def test_random_forks_and_finality(tmp_path: Path, chain_model_class: Any, seed: int) -> None:
    """Random imports, fork choices and finalizations, on a pruned and an archive database."""
    rng = random.Random(seed)
    with (
        ChainDatabase(tmp_path / "pruned", prune_depth=2, map_size=1 << 30) as pruned,
        ChainDatabase(tmp_path / "archive", archive=True, map_size=1 << 30) as archive,
    ):
        models = [chain_model_class(pruned, seed=seed), chain_model_class(archive, seed=seed)]
        for _ in range(60):
            roll = rng.random()
            leaves = pruned.leaves()
            assert leaves == archive.leaves()
            if roll < 0.6:
                parent = rng.choice([*leaves, pruned.best_hash, pruned.finalized_hash])
                make_best = rng.random() < 0.5
                tag = rng.getrandbits(32)
                for model in models:
                    model.extend(parent, make_best=make_best, tag=tag, count=6)
            elif roll < 0.8:
                leaf = rng.choice(leaves)
                for db in (pruned, archive):
                    db.set_best(leaf)
            else:
                target = pruned.canonical_hash(
                    rng.randint(pruned.finalized_number, pruned.best_number)
                )
                assert target is not None
                for db in (pruned, archive):
                    db.set_finalized(target)
            assert pruned.heads == archive.heads
            # Every non-finalized block and the finalized window keep their state.
            for leaf in pruned.leaves():
                assert pruned.has_state(leaf)
            for number in range(max(0, pruned.finalized_number - 1), pruned.best_number + 1):
                block_hash = pruned.canonical_hash(number)
                assert block_hash is not None
                assert pruned.has_state(block_hash)
        # Both models drew the same random numbers, so they describe the same chain.
        assert models[0].states == models[1].states
        assert_exact_nodes(pruned, models[0])
        assert_exact_nodes(archive, models[1])
        assert len(kept_blocks(archive, models[1])) == len(models[1].states)
        pruned.verify(deep=True)
        archive.verify(deep=True)
    with ChainDatabase(tmp_path / "pruned", prune_depth=2) as reopened:
        models[0].db = reopened
        assert_exact_nodes(reopened, models[0])
        reopened.verify(deep=True)


def test_a_value_equal_to_a_trie_node(db_path: Path, chain_model_class: Any) -> None:
    """A V1 value whose bytes are a stored trie node shares its hash and its count record."""
    target, other = b"\x10" * 32, b"\x20" * 32
    pairs = {target: b"x" * 40, other: b"y" * 40}
    store = MemoryNodeStore()
    root = Trie.from_pairs(store, pairs.items(), V1).root
    # The leaf of `target` under the root branch (63 nibbles + a value hash: over 33 bytes).
    (leaf,) = [
        node
        for node_hash, node in store._nodes.items()
        if node_hash != root and node not in pairs.values() and blake2_256(b"x" * 40) in node
    ]
    leaf_hash = blake2_256(leaf)
    with ChainDatabase(db_path, prune_depth=1) as db:
        model = chain_model_class(db, seed=9, genesis_keys=0)
        b1, c1 = model.block(db.best_hash, pairs)
        db.import_block(b1, c1, V1, make_best=True)
        assert db.reference_count(leaf_hash) == 1
        # The leaf's bytes stored as a value: the same hash. References: #1's root branch,
        # #2's root branch (a new node that keeps the leaf), and #2's value slot.
        b2, c2 = model.block(b1.hash(), {b"evil": leaf})
        db.import_block(b2, c2, V1, make_best=True)
        assert db.reference_count(leaf_hash) == 3
        # The trie node goes (the keys are deleted), the value stays.
        b3, c3 = model.block(b2.hash(), dict.fromkeys(pairs))
        db.import_block(b3, c3, V1, make_best=True)
        db.set_finalized(b3.hash())
        assert db.reference_count(leaf_hash) == 1
        model.check_state(b3.hash())
        db.verify(deep=True)
        # The value goes too: the node and what it referenced as a trie node are freed.
        b4, c4 = model.block(b3.hash(), {b"evil": None})
        db.import_block(b4, c4, V1, make_best=True)
        db.set_finalized(b4.hash())
        assert db.reference_count(leaf_hash) == 0
        assert_exact_nodes(db, model)
        db.verify(deep=True)
