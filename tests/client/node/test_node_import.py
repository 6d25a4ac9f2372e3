"""Block import between two in-process node services: verification, execution, fork choice."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from deepshard.client.consensus.aura import seal_header
from deepshard.client.node.block_import import BlockImportError
from deepshard.client.node.block_production import propose_block
from deepshard.client.node.cli import load_chain_spec
from deepshard.client.node.config import NodeConfig
from deepshard.client.node.service import NodeService
from deepshard.primitives.codec import H256
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.header import Digest
from deepshard.runtime.executive import Block

SLOT_MS = 6_000
NOW_SLOT = int(time.time() * 1000) // SLOT_MS


def _service(tmp: Path, chain: str, dev_key: str | None = None) -> NodeService:
    config = NodeConfig(
        chain_spec=load_chain_spec(chain),
        base_path=tmp,
        validator=dev_key is not None,
        dev_key=dev_key,
        rpc_port=0,
    )
    return NodeService(config)


def _build(service: NodeService, parent_hash: H256, slot: int, author: str) -> Block:
    parent = service.db.header(parent_hash)
    state = service.db.state_at(parent_hash)
    assert parent is not None
    assert state is not None
    proposed = propose_block(
        service.runtime,
        state,
        parent,
        slot,
        SLOT_MS,
        dev_keypair(author, KeyType.SR25519),
        (),
        budget_seconds=1.0,
    )
    return proposed.block


def test_blocks_authored_by_one_node_import_into_another(tmp_path: Path) -> None:
    alice = _service(tmp_path / "a", "dev", "Alice")
    follower = _service(tmp_path / "b", "dev")
    try:
        for offset in range(3):
            proposed = alice.author_slot(NOW_SLOT - 10 + offset)
            assert proposed is not None
            follower.import_received(proposed.block)
        assert follower.db.best_hash == alice.db.best_hash
        assert follower.db.finalized_hash == alice.db.finalized_hash  # single authority
        best = follower.db.header(follower.db.best_hash)
        assert best is not None
        assert int(best.number) == 3
    finally:
        alice.db.close()
        follower.db.close()


def test_bad_blocks_are_refused_and_write_nothing(tmp_path: Path) -> None:
    node = _service(tmp_path / "a", "dev")
    try:
        genesis = node.db.best_hash
        good = _build(node, genesis, NOW_SLOT - 5, "Alice")
        # Sealed by Bob although the slot is Alice's (the only authority).
        unsealed = replace(good.header, digest=Digest(logs=good.header.digest.logs[:-1]))
        forged = Block(seal_header(unsealed, dev_keypair("Bob", KeyType.SR25519)), good.extrinsics)
        with pytest.raises(BlockImportError, match="Aura"):
            node.import_received(forged)
        # A changed extrinsics root no longer matches the seal.
        tampered = Block(replace(good.header, extrinsics_root=H256(bytes(32))), good.extrinsics)
        with pytest.raises(BlockImportError, match="Aura"):
            node.import_received(tampered)
        # Properly sealed, but an extrinsic was dropped: the roots differ on execution.
        resealed = seal_header(unsealed, dev_keypair("Alice", KeyType.SR25519))
        with pytest.raises(BlockImportError, match="invalid block"):
            node.import_received(Block(resealed, ()))
        # A slot far in the future.
        future = _build(node, genesis, NOW_SLOT + 100, "Alice")
        with pytest.raises(BlockImportError, match="ahead of the current slot"):
            node.import_received(future)
        orphan = replace(good.header, parent_hash=H256(b"\x01" * 32))
        with pytest.raises(BlockImportError, match="unknown or pruned parent"):
            node.import_received(Block(orphan, good.extrinsics))
        assert node.db.best_hash == genesis
        node.import_received(good)
        assert node.db.best_hash == good.header.hash()
    finally:
        node.db.close()


def test_longest_chain_wins_and_reorgs(tmp_path: Path) -> None:
    # The local chain has four authorities (Alice, Bob, Charlie, Dave): no instant finality.
    node = _service(tmp_path / "a", "local")
    try:
        genesis = node.db.best_hash
        base = NOW_SLOT - (NOW_SLOT % 4) - 32  # a slot of Alice's
        a1 = _build(node, genesis, base, "Alice")
        node.import_received(a1)
        assert node.db.best_hash == a1.header.hash()
        b1 = _build(node, genesis, base + 1, "Bob")
        node.import_received(b1)
        assert node.db.best_hash == a1.header.hash()  # same height: the first stays best
        b2 = _build(node, b1.header.hash(), base + 2, "Charlie")
        result = node.import_received(b2)
        assert node.db.best_hash == b2.header.hash()
        assert result.outcome.route.retracted == (a1.header.hash(),)
        assert node.db.canonical_hash(1) == b1.header.hash()
    finally:
        node.db.close()
