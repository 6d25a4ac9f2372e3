"""The four pallets in real blocks: the executive applies a timestamp inherent in an Aura slot
and a fee-paying, signed sudo call, then re-executes the block to the same roots."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.pallets.aura import Aura, AuraGenesis, AuthorityId, MissingSlotDigest
from deepshard.pallets.aura import Config as AuraConfig
from deepshard.pallets.sudo import Config as SudoConfig
from deepshard.pallets.sudo import Sudid, Sudo, SudoGenesis
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System, SystemGenesis
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.timestamp import Config as TimestampConfig
from deepshard.pallets.timestamp import Timestamp
from deepshard.pallets.timestamp import UnitWeights as TimestampUnitWeights
from deepshard.pallets.transaction_payment import (
    Config,
    PalletFeeHandler,
    TransactionFeePaid,
    TransactionPayment,
)
from deepshard.primitives.codec import H256, AccountId32, Ok, encode_compact
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.header import AURA_ENGINE_ID, Digest, Header, PreRuntime
from deepshard.primitives.numeric import U8, U32, U64, U128
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.trie import EMPTY_TRIE_ROOT
from deepshard.primitives.version import RuntimeVersion
from deepshard.runtime.executive import Block, Executive
from deepshard.runtime.state import InMemoryState
from deepshard.runtime.support import Runtime
from deepshard.runtime.support.genesis import build_genesis_storage

VERSION = RuntimeVersion(
    spec_name="deepshard-pallets-test",
    impl_name="deepshard-pallets-test",
    authoring_version=U32(1),
    spec_version=U32(1),
    impl_version=U32(1),
    apis=(),
    transaction_version=U32(1),
    system_version=U8(1),
)
ALICE = dev_keypair("Alice", KeyType.SR25519)
ALICE_ID = AccountId32(ALICE.public_key)
SLOT_MS = 6_000


class ProvidedGenesis(SystemGenesis):
    """System genesis that gives Alice's account a provider (its balance lives in the Ledger)."""

    __slots__ = ()

    def build(self, pallet: System) -> None:
        super().build(pallet)
        pallet.inc_providers(ALICE_ID)


@pytest.fixture
def chain(ledger: Any) -> Any:
    runtime = Runtime(
        name="pallets_runtime",
        pallets=[
            (0, System, SystemConfig(weights=SystemUnitWeights())),
            (
                1,
                Timestamp,
                TimestampConfig(on_timestamp_set=(Aura,), weights=TimestampUnitWeights()),
            ),
            (2, Aura, AuraConfig()),
            (3, ledger, ledger.CONFIG()),
            (4, TransactionPayment, Config(currency=ledger)),
            (5, Sudo, SudoConfig()),
        ],
    )
    genesis = {
        System: ProvidedGenesis(),
        Aura: AuraGenesis(authorities=(AuthorityId(b"\x0a" * 32), AuthorityId(b"\x0b" * 32))),
        ledger: ledger.GENESIS(balances=((ALICE_ID, 10**15),)),
        Sudo: SudoGenesis(key=ALICE_ID),
    }
    state = InMemoryState(build_genesis_storage(runtime, genesis))
    genesis_header = Header(
        parent_hash=H256(bytes(32)),
        number=U32(0),
        state_root=H256(state.storage_root({}, VERSION.state_version)),
        extrinsics_root=H256(EMPTY_TRIE_ROOT),
    )
    executive = Executive(runtime, VERSION, PalletFeeHandler())
    return runtime, executive, state, genesis_header


def inherent(runtime: Runtime, moment: int) -> bytes:
    call = runtime.call_codec.encode(runtime.make_call(Timestamp, "set", now=U64(moment)))
    body = b"\x04" + call
    return encode_compact(len(body)) + body


def test_a_block_with_the_four_pallets(chain, ledger):
    runtime, executive, state, genesis = chain
    slot = 283_333_333
    header = Header(
        parent_hash=genesis.hash(),
        number=U32(1),
        state_root=H256(bytes(32)),
        extrinsics_root=H256(bytes(32)),
        digest=Digest(logs=(PreRuntime(AURA_ENGINE_ID, U64(slot).to_le_bytes()),)),
    )
    remark = runtime.make_call(System, "remark", remark=b"hi")
    sudo_as_alice = runtime.call_codec.encode(runtime.make_call(Sudo, "sudo", call=remark))
    signed = sign_extrinsic(
        sudo_as_alice,
        ALICE,
        nonce=0,
        genesis_hash=bytes(genesis.hash()),
        spec_version=int(VERSION.spec_version),
        transaction_version=int(VERSION.transaction_version),
        tip=7,
    )
    extrinsics = (inherent(runtime, slot * SLOT_MS + 1), signed)

    building = executive.initialize_block(state, header)
    outcomes = [executive.apply_extrinsic(building, xt) for xt in extrinsics]
    assert [o.dispatch_error for o in outcomes] == [None, None]
    ctx = building.ctx
    assert ctx.pallet(Aura).current_slot.get().value == slot
    assert ctx.pallet(Timestamp).get() == slot * SLOT_MS + 1
    events = [d.event for d in ctx.events]
    fee_paid = next(e for e in events if isinstance(e, TransactionFeePaid))
    meta = runtime.dispatch_meta(runtime.call_codec.decode(sudo_as_alice))
    fee = ctx.pallet(TransactionPayment).compute_fee(len(signed), meta, U128(7))
    assert fee_paid == TransactionFeePaid(who=ALICE_ID, actual_fee=fee, tip=U128(7))
    assert Sudid(sudo_result=Ok(())) in events
    assert ctx.pallet(ledger).free_balance(ALICE_ID) == 10**15 - int(fee)

    built, changes = executive.finalize_block(building)
    assert executive.execute_block(state, Block(built, extrinsics), genesis) == changes


def test_a_block_without_a_slot_is_refused(chain):
    _, executive, state, genesis = chain
    header = Header(
        parent_hash=genesis.hash(),
        number=U32(1),
        state_root=H256(bytes(32)),
        extrinsics_root=H256(bytes(32)),
    )
    with pytest.raises(MissingSlotDigest):
        executive.initialize_block(state, header)
