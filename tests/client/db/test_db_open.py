"""Opening, closing, schema and pruning-mode checks, genesis initialisation and the chain check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lmdb
import pytest

from deepshard.client.db import (
    SCHEMA_VERSION,
    AlreadyInitialized,
    ChainDatabase,
    DatabaseClosed,
    DatabaseError,
    DatabaseLocked,
    GenesisMismatch,
    InvalidBlock,
    NotInitialized,
    PruningModeMismatch,
    SchemaMismatch,
    StateRootMismatch,
)
from deepshard.client.db.schema import META_SCHEMA, pack_u32
from deepshard.client.node.interfaces import BlockchainReader, StateReader
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32
from deepshard.primitives.trie import EMPTY_TRIE_ROOT, StateVersion, trie_root
from deepshard.runtime.state import BlockState

V1 = StateVersion.V1


def _genesis(storage: dict[bytes, bytes]) -> Header:
    return Header(
        parent_hash=H256(),
        number=U32(0),
        state_root=H256(trie_root(storage.items(), V1)),
        extrinsics_root=H256(bytes(32)),
    )


def test_a_new_database_is_uninitialised(db: ChainDatabase) -> None:
    assert not db.is_initialized
    with pytest.raises(NotInitialized):
        _ = db.best_hash
    with pytest.raises(NotInitialized):
        db.check_genesis(bytes(32))
    assert db.header(bytes(32)) is None
    assert db.state_at(bytes(32)) is None


def test_genesis_becomes_best_and_finalized(db: ChainDatabase) -> None:
    storage = {b"a": b"1", b"b" * 40: b"x" * 50}
    header = _genesis(storage)
    genesis = db.initialize_genesis(header, storage, V1)
    assert genesis == header.hash()
    heads = db.heads
    assert heads.genesis == heads.best == heads.finalized == genesis
    assert heads.best_number == heads.finalized_number == 0
    assert db.canonical_hash(0) == genesis
    assert db.header(genesis) == header
    assert db.body(genesis) == ()
    assert db.leaves() == [genesis]
    state = db.state_at(genesis)
    assert state is not None
    with state:
        assert state.get(b"a") == b"1"
        assert state.get(b"b" * 40) == b"x" * 50
    db.check_genesis(genesis)
    db.verify(deep=True)


def test_empty_genesis_state(db: ChainDatabase) -> None:
    header = _genesis({})
    assert header.state_root == EMPTY_TRIE_ROOT
    genesis = db.initialize_genesis(header, {}, V1)
    state = db.state_at(genesis)
    assert state is not None
    assert list(state.iter_keys(b"")) == []
    db.verify(deep=True)


def test_genesis_is_written_once(db: ChainDatabase) -> None:
    storage = {b"k": b"v"}
    db.initialize_genesis(_genesis(storage), storage, V1)
    with pytest.raises(AlreadyInitialized):
        db.initialize_genesis(_genesis(storage), storage, V1)


def test_genesis_with_a_wrong_root_writes_nothing(db: ChainDatabase) -> None:
    header = _genesis({b"k": b"v"})
    with pytest.raises(StateRootMismatch):
        db.initialize_genesis(header, {b"k": b"other"}, V1)
    assert not db.is_initialized
    assert db.node_count() == 0
    one = Header(
        parent_hash=H256(),
        number=U32(1),
        state_root=header.state_root,
        extrinsics_root=header.extrinsics_root,
    )
    with pytest.raises(InvalidBlock):
        db.initialize_genesis(one, {b"k": b"v"}, V1)


def test_another_chains_database_is_refused(db_path: Path) -> None:
    with ChainDatabase(db_path) as db:
        db.initialize_genesis(_genesis({b"k": b"v"}), {b"k": b"v"}, V1)
    with ChainDatabase(db_path) as db:
        other = _genesis({b"k": b"w"}).hash()
        with pytest.raises(GenesisMismatch, match="belongs to the chain with genesis"):
            db.check_genesis(other)


def test_reopen_keeps_everything(db_path: Path, chain_model_class: Any) -> None:
    with ChainDatabase(db_path, prune_depth=4) as db:
        model = chain_model_class(db)
        blocks = model.chain(6)
        db.set_finalized(blocks[2], (b"FRNK", b"proof"))
        heads = db.heads
    with ChainDatabase(db_path, prune_depth=4) as db:
        assert db.heads == heads
        assert db.justifications(blocks[2]) == [(b"FRNK", b"proof")]
        model.db = db
        for block_hash in blocks:
            assert db.header(block_hash) == model.headers[block_hash]
            assert db.body(block_hash) == model.bodies[block_hash]
            model.check_state(block_hash)
        db.verify(deep=True)


def test_a_second_opener_is_refused(db_path: Path) -> None:
    with ChainDatabase(db_path), pytest.raises(DatabaseLocked):
        ChainDatabase(db_path)
    ChainDatabase(db_path).close()  # the lock went with the first one


def test_closed_database_refuses_use(db_path: Path) -> None:
    db = ChainDatabase(db_path)
    storage = {b"k": b"v"}
    genesis = db.initialize_genesis(_genesis(storage), storage, V1)
    state = db.state_at(genesis)
    assert state is not None
    db.close()
    db.close()
    assert db.is_closed
    with pytest.raises(DatabaseClosed):
        db.header(genesis)
    with pytest.raises(DatabaseClosed):
        _ = db.best_hash
    with pytest.raises(DatabaseClosed):
        state.get(b"k")


def test_schema_version_mismatch_is_refused(db_path: Path) -> None:
    ChainDatabase(db_path).close()
    env = lmdb.open(str(db_path), max_dbs=16)
    meta = env.open_db(b"meta")
    with env.begin(write=True) as txn:
        txn.put(META_SCHEMA, pack_u32(SCHEMA_VERSION + 1), db=meta)
    env.close()
    with pytest.raises(SchemaMismatch, match=f"schema version {SCHEMA_VERSION + 1}"):
        ChainDatabase(db_path)
    # The refusal released the directory lock.
    with pytest.raises(SchemaMismatch):
        ChainDatabase(db_path)


def test_a_foreign_lmdb_environment_is_refused(db_path: Path) -> None:
    db_path.mkdir()
    env = lmdb.open(str(db_path))
    with env.begin(write=True) as txn:
        txn.put(b"something", b"else")
    env.close()
    with pytest.raises(SchemaMismatch, match="not a chain database"):
        ChainDatabase(db_path)


def test_pruning_mode_is_fixed_at_creation(db_path: Path) -> None:
    ChainDatabase(db_path, archive=True).close()
    with pytest.raises(PruningModeMismatch):
        ChainDatabase(db_path)
    ChainDatabase(db_path, archive=True).close()
    with pytest.raises(ValueError, match="prune_depth"):
        ChainDatabase(db_path, archive=True, prune_depth=0)


def test_errors_share_one_root() -> None:
    for error in (AlreadyInitialized, DatabaseLocked, SchemaMismatch, GenesisMismatch):
        assert issubclass(error, DatabaseError)


def test_database_and_state_implement_the_node_protocols(db: ChainDatabase) -> None:
    """Static conformance is checked by mypy (`deepshard.client.db.database`); here, by name."""
    storage = {b"k": b"v"}
    genesis = db.initialize_genesis(_genesis(storage), storage, V1)
    state = db.state_at(genesis)
    for protocol, obj in ((BlockchainReader, db), (StateReader, state), (BlockState, state)):
        members = [n for n in vars(protocol) if not n.startswith("_")]
        assert members
        for name in members:
            assert hasattr(obj, name), f"{type(obj).__name__} lacks {protocol.__name__}.{name}"
