"""Blocks from strangers are checked as FRAME checks them: each test crafts a block that breaks
one rule (parent hash, parent state, inherents first, the timestamp's drift) and shows the
executive or block import refuses it while the honest block imports."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from deepshard.client.consensus.aura import seal_header, verify_header
from deepshard.client.node.block_import import BlockImportError, import_block
from deepshard.client.node.block_production import ReadyTransaction, propose_block
from deepshard.client.node.cli import load_chain_spec
from deepshard.client.node.config import NodeConfig
from deepshard.client.node.service import NodeService
from deepshard.pallets.system import System
from deepshard.pallets.timestamp import MAX_TIMESTAMP_DRIFT_MILLIS
from deepshard.primitives.codec import H256
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.header import Digest, Header
from deepshard.primitives.signing import sign_extrinsic
from deepshard.runtime.executive import Block, InvalidBlock

SLOT_MS = 6_000
NOW_SLOT = int(time.time() * 1000) // SLOT_MS
ALICE = dev_keypair("Alice", KeyType.SR25519)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NodeService]:
    service = NodeService(
        NodeConfig(chain_spec=load_chain_spec("dev"), base_path=tmp_path, rpc_port=0)
    )
    yield service
    service.db.close()


def _remark(node: NodeService, nonce: int) -> bytes:
    runtime = node.runtime
    call = runtime.runtime.call_codec.encode(
        runtime.runtime.make_call(System, "remark", remark=b"crafted")
    )
    return sign_extrinsic(
        call,
        ALICE,
        nonce=nonce,
        genesis_hash=bytes(node.genesis_hash),
        spec_version=int(runtime.version.spec_version),
        transaction_version=int(runtime.version.transaction_version),
    )


def _build(node: NodeService, parent_hash: H256, slot: int, extrinsics: list[bytes]) -> Block:
    parent = node.db.header(parent_hash)
    state = node.db.state_at(parent_hash)
    assert parent is not None
    assert state is not None
    proposed = propose_block(
        node.runtime,
        state,
        parent,
        slot,
        SLOT_MS,
        ALICE,
        [ReadyTransaction(H256(bytes([i]) * 32), xt) for i, xt in enumerate(extrinsics)],
        budget_seconds=5.0,
    )
    assert len(proposed.included) == len(extrinsics)
    return proposed.block


def _reseal(header: Header, **changes: object) -> Header:
    """Return `header` changed as given, sealed again by the slot's owner (a valid author)."""
    unsealed = replace(header, digest=Digest(logs=header.digest.logs[:-1]))
    return seal_header(replace(unsealed, **changes), ALICE)


def _unsealed(node: NodeService, block: Block) -> Block:
    verified = verify_header(block.header, (ALICE.public_key,))
    return Block(verified.pre_header, block.extrinsics)


def test_a_header_naming_another_parent_is_refused(node: NodeService) -> None:
    genesis = node.db.header(node.db.best_hash)
    state = node.db.state_at(node.db.best_hash)
    assert genesis is not None
    assert state is not None
    good = _unsealed(node, _build(node, genesis.hash(), NOW_SLOT - 5, []))
    wrong = replace(good.header, parent_hash=H256(b"\x07" * 32))
    with pytest.raises(InvalidBlock, match="is not the parent's"):
        node.runtime.executive.execute_block(state, Block(wrong, good.extrinsics), genesis)
    # The honest block passes the same call.
    node.runtime.executive.execute_block(state, good, genesis)


def test_a_block_over_the_wrong_parent_state_or_number_is_refused(node: NodeService) -> None:
    genesis_hash = node.db.best_hash
    one = _build(node, genesis_hash, NOW_SLOT - 6, [])
    node.import_received(one)
    two = _unsealed(node, _build(node, one.header.hash(), NOW_SLOT - 5, []))
    genesis_state = node.db.state_at(genesis_hash)
    one_state = node.db.state_at(one.header.hash())
    assert genesis_state is not None
    assert one_state is not None
    # Right parent header, but the state handed over is genesis's.
    with pytest.raises(InvalidBlock, match="state of block 0, not 1"):
        node.runtime.executive.execute_block(genesis_state, two, one.header)
    # A number that skips one.
    skipped = replace(two.header, number=type(two.header.number)(3))
    with pytest.raises(InvalidBlock, match="does not follow the parent's"):
        node.runtime.executive.execute_block(one_state, Block(skipped, two.extrinsics), one.header)
    node.runtime.executive.execute_block(one_state, two, one.header)


def test_an_inherent_after_a_signed_extrinsic_is_refused(node: NodeService) -> None:
    genesis_hash = node.db.best_hash
    good = _build(node, genesis_hash, NOW_SLOT - 5, [_remark(node, 0)])
    inherent, signed = good.extrinsics
    # The same block with the timestamp inherent moved after the signed remark, properly
    # sealed by the slot's author: only the order of its extrinsics is wrong.
    swapped = Block(_reseal(good.header), (signed, inherent))
    with pytest.raises(BlockImportError, match="inherent placed after a signed extrinsic"):
        node.import_received(swapped)
    assert node.db.best_hash == genesis_hash
    node.import_received(good)
    assert node.db.best_hash == good.header.hash()


def test_the_executive_refuses_to_apply_an_inherent_after_a_signed_extrinsic(
    node: NodeService,
) -> None:
    genesis = node.db.header(node.db.best_hash)
    state = node.db.state_at(node.db.best_hash)
    assert genesis is not None
    assert state is not None
    good = _unsealed(node, _build(node, genesis.hash(), NOW_SLOT - 5, [_remark(node, 0)]))
    executive = node.runtime.executive
    building = executive.initialize_block(state, good.header)
    executive.apply_extrinsic(building, good.extrinsics[1])
    with pytest.raises(InvalidBlock, match="extrinsic 1 is an inherent"):
        executive.apply_extrinsic(building, good.extrinsics[0])


def test_block_import_runs_check_inherents_against_the_local_clock(node: NodeService) -> None:
    genesis_hash = node.db.best_hash
    slot = NOW_SLOT - 5
    block = _build(node, genesis_hash, slot, [])
    timestamp = slot * SLOT_MS
    # An importer whose clock is more than the allowed drift behind the block's timestamp:
    # the timestamp is "too far in the future" for it, so the block is refused.
    behind = timestamp - int(MAX_TIMESTAMP_DRIFT_MILLIS) - 1
    with pytest.raises(BlockImportError, match=r"inherents refused.*TooFarInFuture"):
        import_block(node.runtime, node.db, block, now_millis=behind)
    assert node.db.best_hash == genesis_hash
    # At the edge of the drift the same block is accepted.
    import_block(node.runtime, node.db, block, now_millis=behind + 1)
    assert node.db.best_hash == block.header.hash()
