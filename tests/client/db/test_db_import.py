"""Block import: one transaction per block, roots checked, forks, reorgs, finality, state reads."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from deepshard.client.db import (
    ChainDatabase,
    InvalidBlock,
    InvalidFinalization,
    NotInFinalizedChain,
    ReorgBelowFinalized,
    StateRootMismatch,
    UnknownBlock,
    UnknownParent,
)
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32
from deepshard.primitives.trie import StateVersion, trie_root, verify_proof
from deepshard.runtime.executive import Block

V1 = StateVersion.V1


def _snapshot(db: ChainDatabase) -> dict[str, Any]:
    """Everything observable about the chain (for 'nothing was written' checks)."""
    return {
        "heads": db.heads,
        "leaves": db.leaves(),
        "nodes": db.node_count(),
        "canonical": [db.canonical_hash(n) for n in range(db.best_number + 2)],
    }


def test_linear_import(db: ChainDatabase, model: Any) -> None:
    blocks = model.chain(5)
    assert db.best_hash == blocks[-1]
    assert db.best_number == 5
    assert [db.canonical_hash(n) for n in range(6)] == [model.genesis, *blocks]
    assert db.canonical_hash(6) is None
    assert db.canonical_hash(-1) is None
    assert db.leaves() == [blocks[-1]]
    assert db.children(blocks[0]) == [blocks[1]]
    for block_hash in blocks:
        assert db.header(block_hash) == model.headers[block_hash]
        assert db.body(block_hash) == model.bodies[block_hash]
        assert db.block(block_hash) == Block(model.headers[block_hash], model.bodies[block_hash])
        assert db.block_number(block_hash) == int(model.headers[block_hash].number)
        assert db.contains(block_hash)
        model.check_state(block_hash)
    assert db.justifications(blocks[0]) is None
    db.verify(deep=True)


def test_outcome_of_an_import(db: ChainDatabase, model: Any) -> None:
    block, changes = model.block(model.genesis)
    outcome = db.import_block(block, changes, V1, make_best=True)
    assert outcome.imported
    assert outcome.is_best
    assert outcome.number == 1
    assert outcome.block_hash == block.hash()
    assert outcome.route.enacted == (block.hash(),)
    assert not outcome.route.is_reorg
    assert outcome.nodes_written > 0


def test_importing_a_known_block_is_a_no_op(db: ChainDatabase, model: Any) -> None:
    block, changes = model.block(model.genesis)
    db.import_block(block, changes, V1, make_best=True)
    before = _snapshot(db)
    again = db.import_block(block, changes, V1, make_best=True)
    assert not again.imported
    assert again.is_best
    assert _snapshot(db) == before


def test_unknown_parent(db: ChainDatabase, model: Any) -> None:
    block, changes = model.block(model.genesis)
    header = block.header
    orphan = Header(
        parent_hash=H256(b"\x07" * 32),
        number=header.number,
        state_root=header.state_root,
        extrinsics_root=header.extrinsics_root,
    )
    with pytest.raises(UnknownParent):
        db.import_block(Block(orphan, ()), changes, V1, make_best=True)


def test_a_wrong_state_root_writes_nothing(db: ChainDatabase, model: Any) -> None:
    block, _ = model.block(model.genesis, {b"key": b"value"})
    before = _snapshot(db)
    with pytest.raises(StateRootMismatch) as info:
        db.import_block(block, {b"key": b"other"}, V1, make_best=True)
    assert info.value.expected == block.header.state_root
    assert _snapshot(db) == before
    assert not db.contains(block.hash())
    db.verify(deep=True)


def test_malformed_blocks_are_refused(db: ChainDatabase, model: Any) -> None:
    block, changes = model.block(model.genesis)
    with pytest.raises(InvalidBlock, match="length-prefixed"):
        db.import_block(Block(block.header, (b"\x0cab",)), changes, V1, make_best=True)
    header = block.header
    skipping = Header(
        parent_hash=header.parent_hash,
        number=U32(2),
        state_root=header.state_root,
        extrinsics_root=header.extrinsics_root,
    )
    with pytest.raises(InvalidBlock, match="numbers must follow"):
        db.import_block(Block(skipping, ()), changes, V1, make_best=True)


def test_a_non_best_fork_and_leaves(db: ChainDatabase, model: Any) -> None:
    a1, a2 = model.chain(2)
    b2 = model.extend(a1, make_best=False)
    b3 = model.extend(b2, make_best=False)
    assert db.best_hash == a2
    assert db.canonical_hash(2) == a2
    assert db.canonical_hash(3) is None
    assert db.leaves() == [b3, a2]
    assert set(db.children(a1)) == {a2, b2}
    model.check_state(b3)
    db.verify(deep=True)


def test_reorg_rewrites_the_canonical_index(db: ChainDatabase, model: Any) -> None:
    a1, a2, a3 = model.chain(3)
    b2 = model.extend(a1, make_best=False)
    b3 = model.extend(b2, make_best=False)
    block, changes = model.block(b3)
    outcome = db.import_block(block, changes, V1, make_best=True)
    b4 = block.hash()
    assert outcome.route.retracted == (a2, a3)
    assert outcome.route.enacted == (b2, b3, b4)
    assert [db.canonical_hash(n) for n in range(5)] == [model.genesis, a1, b2, b3, b4]
    assert db.best_hash == b4
    # Back to a shorter chain: its canonical entries above it are gone.
    route = db.set_best(a3)
    assert route.retracted == (b2, b3, b4)
    assert route.enacted == (a2, a3)
    assert [db.canonical_hash(n) for n in range(5)] == [model.genesis, a1, a2, a3, None]
    assert db.set_best(a3).enacted == ()
    db.verify(deep=True)


def test_set_best_to_an_ancestor(db: ChainDatabase, model: Any) -> None:
    a1, _, a3 = model.chain(3)
    route = db.set_best(a1)
    assert route.enacted == ()
    assert len(route.retracted) == 2
    assert db.best_hash == a1
    assert db.canonical_hash(2) is None
    assert a3 in db.leaves()
    db.verify(deep=True)
    with pytest.raises(UnknownBlock):
        db.set_best(b"\x01" * 32)


def test_finality_and_justifications(db: ChainDatabase, model: Any) -> None:
    a1, a2, a3 = model.chain(3)
    deleted = db.set_finalized(a2, (b"FRNK", b"one"))
    assert deleted >= 0
    assert db.finalized_hash == a2
    assert db.finalized_number == 2
    assert db.justifications(a2) == [(b"FRNK", b"one")]
    # A justification of another engine is added; one of the same engine replaces.
    db.set_finalized(a2, (b"BEEF", b"two"))
    db.set_finalized(a2, (b"FRNK", b"three"))
    assert db.justifications(a2) == [(b"BEEF", b"two"), (b"FRNK", b"three")]
    with pytest.raises(InvalidFinalization):
        db.set_finalized(a1)
    b3 = model.extend(a2, make_best=False)
    with pytest.raises(InvalidFinalization):
        db.set_finalized(b3)
    with pytest.raises(UnknownBlock):
        db.set_finalized(b"\x02" * 32)
    db.set_finalized(a3)
    assert db.heads.finalized == a3
    db.verify(deep=True)


def test_nothing_reorgs_below_finality(db: ChainDatabase, model: Any) -> None:
    a1, a2, _ = model.chain(3)
    b2 = model.extend(a1, make_best=False)
    db.set_finalized(a2)
    before = _snapshot(db)
    with pytest.raises(ReorgBelowFinalized):
        db.set_best(b2)
    with pytest.raises(ReorgBelowFinalized):
        db.set_best(a1)
    block, changes = model.block(a1)
    with pytest.raises(ReorgBelowFinalized):
        db.import_block(block, changes, V1, make_best=True)
    with pytest.raises(NotInFinalizedChain):
        db.import_block(block, changes, V1, make_best=False)
    assert _snapshot(db) == before
    # b2's fork left the leaf set when a2 was finalized.
    assert b2 not in db.leaves()


def test_import_finalized_makes_best_and_final(db: ChainDatabase, model: Any) -> None:
    a1 = model.extend()
    b1 = model.extend(model.genesis, make_best=False)
    c1 = model.extend(model.genesis, make_best=False)
    block, changes = model.block(b1)
    with pytest.raises(ValueError, match="justification"):
        db.import_block(block, changes, V1, make_best=True, justification=(b"FRNK", b"j"))
    outcome = db.import_block(
        block, changes, V1, make_best=False, finalized=True, justification=(b"FRNK", b"j")
    )
    assert outcome.is_best
    assert outcome.route.retracted == (a1,)
    assert db.heads.finalized == db.heads.best == block.hash()
    assert db.justifications(block.hash()) == [(b"FRNK", b"j")]
    assert db.leaves() == [block.hash()]
    assert db.state_at(a1) is None  # displaced forks are pruned
    assert db.state_at(c1) is None
    assert db.header(a1) is not None  # ... but their blocks are kept
    db.verify(deep=True)


def test_state_reader(db: ChainDatabase, model: Any) -> None:
    block_hash = model.extend(count=30)
    expected = model.states[block_hash]
    reader = db.state_at(block_hash)
    assert reader is not None
    keys = sorted(expected)
    with reader:
        assert reader.block_hash == block_hash
        # Paging: prefix and start_after.
        assert list(reader.iter_keys(b"", keys[3])) == keys[4:]
        prefix = keys[0][:1]
        assert list(reader.iter_keys(prefix)) == [k for k in keys if k.startswith(prefix)]
        # Proofs verify against the root, for present and absent keys.
        asked = [keys[0], keys[-1], b"\xee" * 7]
        proof = reader.read_proof(asked)
        values = verify_proof(reader.root, proof, asked)
        assert values == {keys[0]: expected[keys[0]], keys[-1]: expected[keys[-1]], asked[2]: None}
        # storage_root of more changes, without writing them.
        nodes = db.node_count()
        more = {keys[1]: None, b"new": b"v" * 40}
        after = dict(expected)
        del after[keys[1]]
        after[b"new"] = b"v" * 40
        assert reader.storage_root(more, V1) == trie_root(after.items(), V1)
        assert db.node_count() == nodes
        with pytest.raises(Exception, match="read-only"):
            reader.store.put_many({b"x" * 32: b"y"})
    assert db.state_at(b"\x03" * 32) is None


def test_snapshots_are_consistent_while_imports_go_on(db: ChainDatabase, model: Any) -> None:
    """Readers on other threads see the state of their block, whatever is imported meanwhile."""
    db.close()
    db = ChainDatabase(db.path, prune_depth=1, map_size=1 << 30)
    model.db = db
    start = db.best_hash
    reader = db.state_at(start)
    assert reader is not None
    expected = model.states[start]
    failures: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                assert dict(reader.iter_pairs()) == expected
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for _ in range(6):
        model.extend(count=20)
        db.set_finalized(db.best_hash)  # prunes `start`'s state: the snapshot still reads it
    stop.set()
    for thread in threads:
        thread.join()
    assert not failures
    assert db.state_at(start) is None
    assert dict(reader.iter_pairs()) == expected
    reader.close()
    db.close()


def test_precomputed_update_is_stored_as_computed(db: ChainDatabase, model: Any) -> None:
    """Execution's trie update, handed to the import, stores exactly the same state."""
    block, changes = model.block(model.genesis)
    state = db.state_at(model.genesis)
    assert state is not None
    with state:
        assert state.storage_root(changes, V1) == bytes(block.header.state_root)
        precomputed = state.last_update
    assert precomputed is not None
    db.import_block(block, changes, V1, make_best=True, precomputed=precomputed)
    model.check_state(block.header.hash())
    db.verify(deep=True)
    # An update computed on another base is ignored: the changes are applied as usual.
    child, child_changes = model.block(block.header.hash())
    db.import_block(child, child_changes, V1, make_best=True, precomputed=precomputed)
    model.check_state(child.header.hash())
    db.verify(deep=True)
