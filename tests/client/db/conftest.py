"""Fixtures of the chain database tests: a synthetic chain with an in-memory model of every state.

`ChainModel` builds blocks of random storage changes (updates, inserts, deletes; short values
and V1-sized ones, with repeats so that value nodes and subtrees are shared), computes their
state roots from the model with `trie_root`, imports them, and checks what the database reads
back against the model.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from deepshard.client.db import ChainDatabase
from deepshard.primitives.codec import H256, encode_compact
from deepshard.primitives.header import Digest, Header, PreRuntime
from deepshard.primitives.numeric import U32
from deepshard.primitives.trie import StateVersion, trie_root
from deepshard.runtime.executive import Block

V1 = StateVersion.V1

# A few values repeat, so that equal V1 value nodes (and equal leaves) are shared.
SHARED_VALUES = (b"s" * 40, b"t" * 64, b"u" * 3)


def extrinsic(payload: bytes) -> bytes:
    """A full (length-prefixed) extrinsic encoding."""
    return encode_compact(len(payload)) + payload


class ChainModel:
    """A synthetic chain: blocks of random changes, with every block's full state kept."""

    def __init__(self, db: ChainDatabase, seed: int = 0, genesis_keys: int = 64) -> None:
        self.db = db
        self.rng = random.Random(seed)
        self.states: dict[bytes, dict[bytes, bytes]] = {}
        self.headers: dict[bytes, Header] = {}
        self.bodies: dict[bytes, tuple[bytes, ...]] = {}
        storage = {self.key(): self.value() for _ in range(genesis_keys)}
        header = Header(
            parent_hash=H256(),
            number=U32(0),
            state_root=H256(trie_root(storage.items(), V1)),
            extrinsics_root=H256(bytes(32)),
        )
        self.genesis_storage = storage
        self.genesis_header = header
        if not db.is_initialized:
            db.initialize_genesis(header, storage, V1)
        self.genesis = header.hash()
        self.states[self.genesis] = storage
        self.headers[self.genesis] = header
        self.bodies[self.genesis] = ()

    def key(self) -> bytes:
        # Short keys from a small alphabet share prefixes (deep branches), long ones do not.
        if self.rng.random() < 0.5:
            size = self.rng.randint(1, 5)
            return bytes(self.rng.choice(b"\x00\x01\x10\xff") for _ in range(size))
        return self.rng.randbytes(32)

    def value(self) -> bytes:
        roll = self.rng.random()
        if roll < 0.2:
            return self.rng.choice(SHARED_VALUES)
        if roll < 0.6:
            return self.rng.randbytes(self.rng.randint(0, 20))
        return self.rng.randbytes(self.rng.randint(33, 80))

    def random_changes(self, state: Mapping[bytes, bytes], count: int) -> dict[bytes, bytes | None]:
        keys = sorted(state)
        changes: dict[bytes, bytes | None] = {}
        for _ in range(count):
            roll = self.rng.random()
            if roll < 0.4 and keys:
                changes[self.rng.choice(keys)] = self.value()
            elif roll < 0.6 and keys:
                changes[self.rng.choice(keys)] = None
            else:
                changes[self.key()] = self.value()
        return changes

    def block(
        self,
        parent: bytes,
        changes: Mapping[bytes, bytes | None] | None = None,
        *,
        count: int = 8,
        tag: int | None = None,
    ) -> tuple[Block, dict[bytes, bytes | None]]:
        """Build (without importing) a child of `parent`; its state joins the model."""
        state = self.states[parent]
        changes = dict(changes) if changes is not None else self.random_changes(state, count)
        new_state = dict(state)
        for key, value in changes.items():
            if value is None:
                new_state.pop(key, None)
            else:
                new_state[key] = value
        parent_header = self.headers[parent]
        tag = self.rng.getrandbits(32) if tag is None else tag
        header = Header(
            parent_hash=H256(parent),
            number=U32(int(parent_header.number) + 1),
            state_root=H256(trie_root(new_state.items(), V1)),
            extrinsics_root=H256(bytes(32)),
            digest=Digest(logs=(PreRuntime(b"aura", tag.to_bytes(8, "little")),)),
        )
        body = (extrinsic(b"\x01" + tag.to_bytes(4, "little")),)
        block_hash = header.hash()
        self.states[block_hash] = new_state
        self.headers[block_hash] = header
        self.bodies[block_hash] = body
        return Block(header, body), changes

    def extend(
        self,
        parent: bytes | None = None,
        *,
        make_best: bool = True,
        finalized: bool = False,
        count: int = 8,
        tag: int | None = None,
    ) -> H256:
        """Build a child of `parent` (default: best) and import it; return its hash."""
        block, changes = self.block(
            self.db.best_hash if parent is None else parent, count=count, tag=tag
        )
        self.db.import_block(block, changes, V1, make_best=make_best, finalized=finalized)
        return block.hash()

    def chain(self, length: int, parent: bytes | None = None, **kwargs: object) -> list[H256]:
        """Import `length` blocks in a row, each on the previous; return their hashes."""
        hashes: list[H256] = []
        current = self.db.best_hash if parent is None else parent
        for _ in range(length):
            current = self.extend(current, **kwargs)  # type: ignore[arg-type]
            hashes.append(current)
        return hashes

    def check_state(self, block_hash: bytes) -> None:
        """The database's state of a block reads exactly as the model's, and re-roots."""
        expected = self.states[block_hash]
        reader = self.db.state_at(block_hash)
        assert reader is not None, f"state of 0x{bytes(block_hash).hex()} is not kept"
        with reader:
            assert reader.root == self.headers[block_hash].state_root
            assert list(reader.iter_keys(b"")) == sorted(expected)
            assert dict(reader.iter_pairs()) == expected
            for key, value in expected.items():
                assert reader.get(key) == value
            assert reader.storage_root({}, V1) == reader.root
            assert trie_root(expected.items(), V1) == reader.root


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "chain"


@pytest.fixture
def db(db_path: Path) -> Iterator[ChainDatabase]:
    database = ChainDatabase(db_path, prune_depth=4, map_size=1 << 30)
    yield database
    database.close()


@pytest.fixture
def model(db: ChainDatabase) -> ChainModel:
    return ChainModel(db)


@pytest.fixture
def chain_model_class() -> type[ChainModel]:
    """The `ChainModel` class (test modules cannot import this conftest)."""
    return ChainModel
