"""`verify` finds damage; a full map refuses the block and leaves the database whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lmdb
import pytest

from deepshard.client.db import ChainDatabase, CorruptDatabase, DatabaseFull
from deepshard.primitives.trie import StateVersion

V1 = StateVersion.V1


def _build(db_path: Path, chain_model_class: Any) -> tuple[Any, list[bytes]]:
    with ChainDatabase(db_path, prune_depth=2) as db:
        model = chain_model_class(db, seed=5)
        blocks = model.chain(5, count=10)
        report = db.verify()
        assert report.best == blocks[-1]
        assert report.canonical_blocks == 6
        assert report.nodes_checked > 0
        assert not report.deep
        deep = db.verify(deep=True)
        assert deep.states_checked == 6
    return model, blocks


def _tamper(db_path: Path, name: bytes, key: bytes, value: bytes | None) -> None:
    env = lmdb.open(str(db_path), max_dbs=16)
    table = env.open_db(name)
    with env.begin(write=True) as txn:
        if value is None:
            txn.delete(key, db=table)
        else:
            txn.put(key, value, db=table)
    env.close()


def test_a_damaged_node_is_found(db_path: Path, chain_model_class: Any) -> None:
    model, blocks = _build(db_path, chain_model_class)
    root = bytes(model.headers[blocks[-1]].state_root)
    _tamper(db_path, b"nodes", root, b"\x00garbage")
    with ChainDatabase(db_path, prune_depth=2) as db, pytest.raises(CorruptDatabase) as info:
        db.verify()
    assert any("does not hash" in p for p in info.value.problems)


def test_a_missing_node_is_found(db_path: Path, chain_model_class: Any) -> None:
    model, blocks = _build(db_path, chain_model_class)
    root = bytes(model.headers[blocks[-1]].state_root)
    _tamper(db_path, b"nodes", root, None)
    with (
        ChainDatabase(db_path, prune_depth=2) as db,
        pytest.raises(CorruptDatabase, match="missing"),
    ):
        db.verify()


def test_a_missing_body_is_found(db_path: Path, chain_model_class: Any) -> None:
    _, blocks = _build(db_path, chain_model_class)
    _tamper(db_path, b"bodies", blocks[1], None)
    with (
        ChainDatabase(db_path, prune_depth=2) as db,
        pytest.raises(CorruptDatabase, match="no body"),
    ):
        db.verify()


def test_a_wrong_reference_count_is_found_by_the_deep_check(
    db_path: Path, chain_model_class: Any
) -> None:
    model, blocks = _build(db_path, chain_model_class)
    root = bytes(model.headers[blocks[-1]].state_root)
    _tamper(db_path, b"refs", root, (7).to_bytes(4, "little") + b"\x01")
    with ChainDatabase(db_path, prune_depth=2) as db:
        db.verify()  # the shallow check does not count references
        with pytest.raises(CorruptDatabase, match="counts 7 references"):
            db.verify(deep=True)


def test_a_full_map_refuses_the_block_and_keeps_the_database(
    tmp_path: Path, chain_model_class: Any
) -> None:
    path = tmp_path / "small"
    with ChainDatabase(path, map_size=1 << 20) as db:
        model = chain_model_class(db)
        imported = 0
        full: DatabaseFull | None = None
        while full is None and imported < 1000:
            try:
                model.extend(count=40)
                imported += 1
            except DatabaseFull as exc:
                full = exc
        assert full is not None
        assert imported > 0
        assert "map_size" in str(full)
        assert db.best_number == imported
        db.verify(deep=True)
    with ChainDatabase(path, map_size=1 << 24) as db:
        assert db.best_number == imported
        model.db = db
        model.extend(count=40)
        db.verify(deep=True)
