"""Blocks built by the executive re-execute to the same roots; tampered blocks are refused."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import (
    ExtrinsicFailed,
    ExtrinsicSuccess,
    Remarked,
    System,
    UnitWeights,
)
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.extrinsic import Era
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.weights import DEFAULT_NORMAL_RATIO, BlockLength
from deepshard.runtime.executive import Block, Executive, InvalidBlock
from deepshard.runtime.support import Runtime
from deepshard.runtime.support.events import ApplyExtrinsic
from deepshard.runtime.support.overlay import Overlay


def _block_one(chain: Any) -> tuple[Block, dict[bytes, bytes | None]]:
    genesis = chain.genesis_header
    building = chain.executive.initialize_block(
        chain.genesis,
        Header(
            parent_hash=genesis.hash(),
            number=U32(1),
            state_root=H256(bytes(32)),
            extrinsics_root=H256(bytes(32)),
        ),
    )
    xts = [
        chain.sign(chain.call("remark_with_event", remark=b"hello"), chain.alice, 0),
        chain.sign(chain.call("remark_with_event", remark=b"ed25519 too"), chain.bob, 0),
        chain.sign(
            chain.call("remark", remark=b"mortal"),
            chain.alice,
            1,
            era=Era.mortal(64, 0),
            block_hash=bytes(genesis.hash()),
        ),
    ]
    for xt in xts:
        chain.executive.apply_extrinsic(building, xt)
    header, changes = chain.executive.finalize_block(building)
    return Block(header, tuple(xts)), changes


def test_built_block_re_executes_to_the_same_roots(chain: Any) -> None:
    block, changes = _block_one(chain)
    assert chain.executive.execute_block(chain.genesis, block, chain.genesis_header) == changes
    state = chain.genesis.apply(changes)
    assert state.storage_root({}, chain.executive.state_version) == block.header.state_root


def test_events_of_the_block(chain: Any) -> None:
    _, changes = _block_one(chain)
    state = chain.genesis.apply(changes)
    ctx = chain.runtime.new_context(Overlay(state), 1)
    system = ctx.pallet(System)
    records = chain.runtime.decode_event_records(state.get(system.events.key()) or b"\x00")
    events = [(r.phase, r.event.event) for r in records]
    alice = AccountId32(chain.alice.public_key)
    assert (ApplyExtrinsic(U32(0)), Remarked(sender=alice, hash=events[0][1].hash)) == events[0]
    assert isinstance(events[1][1], ExtrinsicSuccess)
    assert [type(e) for _, e in events] == [
        Remarked,
        ExtrinsicSuccess,
        Remarked,
        ExtrinsicSuccess,
        ExtrinsicSuccess,
    ]
    assert [p for p, _ in events][-1] == ApplyExtrinsic(U32(2))
    assert system.account_nonce(alice) == 2
    assert system.event_count.get() == 5
    assert chain.fees.paid == [
        (alice, chain.flat_fee),
        (AccountId32(chain.bob.public_key), chain.flat_fee),
        (alice, chain.flat_fee),
    ]


@pytest.mark.parametrize("field", ["state_root", "extrinsics_root"])
def test_tampered_roots_are_rejected(chain: Any, field: str) -> None:
    block, _ = _block_one(chain)
    header = replace(block.header, **{field: H256(bytes(32))})
    with pytest.raises(InvalidBlock, match="root mismatch"):
        chain.executive.execute_block(
            chain.genesis, Block(header, block.extrinsics), chain.genesis_header
        )


def test_tampered_extrinsic_is_rejected(chain: Any) -> None:
    block, _ = _block_one(chain)
    first = bytearray(block.extrinsics[0])
    first[-1] ^= 0x01  # a byte of the remark: the signature no longer matches
    with pytest.raises(InvalidBlock, match="extrinsic 0 is invalid"):
        chain.executive.execute_block(
            chain.genesis,
            Block(block.header, (bytes(first), *block.extrinsics[1:])),
            chain.genesis_header,
        )


def test_tampered_signature_is_rejected(chain: Any) -> None:
    block, _ = _block_one(chain)
    second = bytearray(block.extrinsics[1])
    second[40] ^= 0x80  # inside the ed25519 signature
    with pytest.raises(InvalidBlock, match="extrinsic 1 is invalid"):
        chain.executive.execute_block(
            chain.genesis,
            Block(block.header, (block.extrinsics[0], bytes(second), block.extrinsics[2])),
            chain.genesis_header,
        )


def test_dropped_or_reordered_extrinsics_are_rejected(chain: Any) -> None:
    block, _ = _block_one(chain)
    with pytest.raises(InvalidBlock):
        chain.executive.execute_block(
            chain.genesis, Block(block.header, block.extrinsics[:2]), chain.genesis_header
        )
    reordered = (block.extrinsics[2], block.extrinsics[0], block.extrinsics[1])
    with pytest.raises(InvalidBlock):
        chain.executive.execute_block(
            chain.genesis, Block(block.header, reordered), chain.genesis_header
        )


def _fresh_block(chain: Any) -> Any:
    genesis = chain.genesis_header
    return chain.executive.initialize_block(
        chain.genesis,
        Header(
            parent_hash=genesis.hash(),
            number=U32(1),
            state_root=H256(bytes(32)),
            extrinsics_root=H256(bytes(32)),
        ),
    )


@pytest.mark.parametrize(("nonce", "reason"), [(1, tv.Future), (5, tv.Future)])
def test_future_nonce_is_invalid_in_a_block(chain: Any, nonce: int, reason: type) -> None:
    building = _fresh_block(chain)
    before = building.ctx.overlay.changes()
    with pytest.raises(tv.TransactionInvalid) as raised:
        chain.executive.apply_extrinsic(
            building, chain.sign(chain.call("remark", remark=b""), chain.alice, nonce)
        )
    assert isinstance(raised.value.reason, reason)
    assert building.ctx.overlay.changes() == before


def test_stale_nonce_and_bad_signature(chain: Any) -> None:
    building = _fresh_block(chain)
    chain.executive.apply_extrinsic(
        building, chain.sign(chain.call("remark", remark=b""), chain.alice, 0)
    )
    with pytest.raises(tv.TransactionInvalid) as stale:
        chain.executive.apply_extrinsic(
            building, chain.sign(chain.call("remark", remark=b""), chain.alice, 0)
        )
    assert isinstance(stale.value.reason, tv.Stale)
    other_genesis = sign_extrinsic(
        chain.call("remark", remark=b""),
        chain.alice,
        nonce=1,
        genesis_hash=bytes(32),
        spec_version=7,
        transaction_version=3,
    )
    with pytest.raises(tv.TransactionInvalid) as bad:
        chain.executive.apply_extrinsic(building, other_genesis)
    assert isinstance(bad.value.reason, tv.BadProof)


def test_unsigned_non_inherent_is_refused(chain: Any) -> None:
    building = _fresh_block(chain)
    unsigned = (
        __import__("deepshard.primitives.extrinsic", fromlist=["x"])
        .UncheckedExtrinsic(None, chain.call("remark", remark=b"x"))
        .encode()
    )
    with pytest.raises(tv.TransactionUnknown):
        chain.executive.apply_extrinsic(building, unsigned)


def test_failed_call_rolls_back_but_pays(chain: Any) -> None:
    building = _fresh_block(chain)
    call = chain.call("set_storage", items=((b"key", b"value"),))
    outcome = chain.executive.apply_extrinsic(building, chain.sign(call, chain.alice, 0))
    assert outcome.dispatch_error is not None
    assert type(outcome.dispatch_error).__name__ == "BadOrigin"
    assert building.ctx.overlay.get(b"key") is None
    system = building.ctx.pallet(System)
    assert system.account_nonce(AccountId32(chain.alice.public_key)) == 1
    assert isinstance(building.ctx.events[-1].event, ExtrinsicFailed)
    assert chain.fees.paid == [(AccountId32(chain.alice.public_key), chain.flat_fee)]


def test_validate_transaction_tags(chain: Any) -> None:
    alice = AccountId32(chain.alice.public_key)
    genesis = chain.genesis_header
    now = chain.executive.validate_transaction(
        chain.genesis,
        genesis,
        chain.sign(chain.call("remark", remark=b""), chain.alice, 0),
        tv.TransactionSource.External,
    )
    assert now.provides == (bytes(alice) + bytes(4),)
    assert now.requires == ()
    later = chain.executive.validate_transaction(
        chain.genesis,
        genesis,
        chain.sign(chain.call("remark", remark=b""), chain.alice, 3),
        tv.TransactionSource.External,
    )
    assert later.requires == (bytes(alice) + (2).to_bytes(4, "little"),)
    mortal = chain.executive.validate_transaction(
        chain.genesis,
        genesis,
        chain.sign(
            chain.call("remark", remark=b""),
            chain.alice,
            0,
            era=Era.mortal(64, 0),
            block_hash=bytes(genesis.hash()),
        ),
        tv.TransactionSource.External,
    )
    assert 0 < mortal.longevity <= 64


def test_block_length_limit_refuses_an_oversized_extrinsic(chain: Any) -> None:
    small = SystemConfig(
        weights=UnitWeights(),
        block_length=BlockLength.max_with_normal_ratio(1_000, DEFAULT_NORMAL_RATIO),
    )
    runtime = Runtime(name="test_runtime", pallets=[(0, System, small)])
    executive = Executive(runtime, chain.executive.version, chain.fees)
    genesis = chain.genesis_header
    building = executive.initialize_block(
        chain.genesis,
        Header(
            parent_hash=genesis.hash(),
            number=U32(1),
            state_root=H256(bytes(32)),
            extrinsics_root=H256(bytes(32)),
        ),
    )
    call = runtime.call_codec.encode(runtime.make_call(System, "remark", remark=bytes(900)))
    with pytest.raises(tv.TransactionInvalid) as raised:
        executive.apply_extrinsic(building, chain.sign(call, chain.alice, 0))
    assert isinstance(raised.value.reason, tv.ExhaustsResources)
