"""A System-only runtime with a flat fee, for executive tests that do not need Balances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System, SystemGenesis
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U8, U32, U128
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.trie import EMPTY_TRIE_ROOT
from deepshard.primitives.version import RuntimeVersion, api_id
from deepshard.runtime.executive import Executive
from deepshard.runtime.state import InMemoryState
from deepshard.runtime.support import Context, Runtime
from deepshard.runtime.support.genesis import build_genesis_storage
from deepshard.runtime.support.runtime import DispatchMeta

VERSION = RuntimeVersion(
    spec_name="deepshard-test",
    impl_name="deepshard-test",
    authoring_version=U32(1),
    spec_version=U32(7),
    impl_version=U32(1),
    apis=((api_id("Core"), U32(5)),),
    transaction_version=U32(3),
    system_version=U8(1),
)
ALICE = dev_keypair("Alice", KeyType.SR25519)
BOB = dev_keypair("Bob", KeyType.ED25519)
FLAT_FEE = 1_000


class FundedGenesis(SystemGenesis):
    """System genesis that also creates the test accounts (one provider each)."""

    __slots__ = ()

    def build(self, pallet: System) -> None:
        super().build(pallet)
        for pair in (ALICE, BOB):
            account = AccountId32(pair.public_key)
            pallet.inc_providers(account)
            data = pallet.account_data(account)
            pallet.set_account_data(
                account, type(data)(free=U128(10**6), reserved=U128(0), frozen=U128(0))
            )


@dataclass
class FlatFees:
    """A `FeeHandler` charging `FLAT_FEE` from System.Account's free balance."""

    paid: list[tuple[Any, int]]

    def compute_fee(self, ctx: Context, length: int, meta: DispatchMeta, tip: int) -> int:
        del ctx, length, meta
        return FLAT_FEE + tip

    def fee_details(self, ctx: Context, length: int, meta: DispatchMeta) -> tuple[int, int, int]:
        del ctx, length, meta
        return (FLAT_FEE, 0, 0)

    def ensure_can_pay(self, ctx: Context, who: Any, fee: int) -> None:
        if ctx.pallet(System).account_data(who).free < fee:
            raise tv.TransactionInvalid(tv.Payment())

    def withdraw_fee(self, ctx: Context, who: Any, fee: int) -> None:
        self.ensure_can_pay(ctx, who, fee)
        system = ctx.pallet(System)
        data = system.account_data(who)
        system.set_account_data(
            who, type(data)(free=data.free - U128(fee), reserved=data.reserved, frozen=data.frozen)
        )

    def deposit_fee_paid(self, ctx: Context, who: Any, fee: int, tip: int) -> None:
        del ctx, tip
        self.paid.append((who, fee))

    def priority(self, ctx: Context, length: int, meta: DispatchMeta, tip: int, fee: int) -> int:
        del ctx, length, meta, fee
        return tip


@dataclass
class Chain:
    """A runtime, its executive and its genesis state."""

    runtime: Runtime
    executive: Executive
    fees: FlatFees
    genesis: InMemoryState
    alice: Any = ALICE
    bob: Any = BOB
    flat_fee: int = FLAT_FEE

    @property
    def genesis_header(self) -> Header:
        root = self.genesis.storage_root({}, VERSION.state_version)
        return Header(
            parent_hash=H256(bytes(32)),
            number=U32(0),
            state_root=H256(root),
            extrinsics_root=H256(EMPTY_TRIE_ROOT),
        )

    def call(self, name: str, **arguments: Any) -> bytes:
        value = self.runtime.make_call(System, name, **arguments)
        encoded: bytes = self.runtime.call_codec.encode(value)
        return encoded

    def sign(self, call: bytes, pair: Any, nonce: int, **options: Any) -> bytes:
        return sign_extrinsic(
            call,
            pair,
            nonce=nonce,
            genesis_hash=bytes(self.genesis_header.hash()),
            spec_version=int(VERSION.spec_version),
            transaction_version=int(VERSION.transaction_version),
            **options,
        )


@pytest.fixture
def chain() -> Chain:
    runtime = Runtime(
        name="test_runtime", pallets=[(0, System, SystemConfig(weights=SystemUnitWeights()))]
    )
    fees = FlatFees([])
    storage = build_genesis_storage(runtime, {System: FundedGenesis()})
    return Chain(runtime, Executive(runtime, VERSION, fees), fees, InMemoryState(storage))
