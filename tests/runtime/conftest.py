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
from deepshard.primitives.header import Digest, Header
from deepshard.primitives.numeric import U8, U32, U128
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.trie import EMPTY_TRIE_ROOT
from deepshard.primitives.version import RuntimeVersion, api_id
from deepshard.runtime.apis import RuntimeApis
from deepshard.runtime.executive import Block, Executive
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


class OfflineNode:
    """Answers substrate-interface's JSON-RPC requests from blocks built in this process.

    It is a test harness for the runtime, not a node: blocks are built on demand by the real
    executive over in-memory state, and each RPC answer is read from them, so
    substrate-interface composes, signs and decodes against our runtime exactly as it would
    against a node (``rpc_request`` is the only seam).
    """

    def __init__(
        self,
        runtime: Runtime,
        executive: Executive,
        genesis: InMemoryState,
        metadata: bytes,
        *,
        author: Any = None,
        apis: Any = None,
    ) -> None:
        self.runtime = runtime
        self.executive = executive
        self.metadata = metadata
        self.author = author
        self.apis = apis or RuntimeApis(executive, metadata)
        root = genesis.storage_root({}, executive.state_version)
        header = Header(
            parent_hash=H256(bytes(32)),
            number=U32(0),
            state_root=H256(root),
            extrinsics_root=H256(EMPTY_TRIE_ROOT),
        )
        self.headers: list[Header] = [header]
        self.states: list[InMemoryState] = [genesis]
        self.outcomes: list[list[Any]] = [[]]
        self.bodies: list[tuple[bytes, ...]] = [()]

    @property
    def best(self) -> Header:
        return self.headers[-1]

    def hash_hex(self, number: int) -> str:
        return "0x" + bytes(self.headers[number].hash()).hex()

    def number_of(self, block_hash: str | None) -> int:
        if block_hash is None:
            return len(self.headers) - 1
        for number in range(len(self.headers)):
            if self.hash_hex(number) == block_hash:
                return number
        raise AssertionError(f"unknown block {block_hash}")

    def produce(self, extrinsics: list[bytes]) -> str:
        """Build, then re-execute, one block on top of the best; return its hash."""
        parent = self.best
        digest, inherents = (
            (Digest(), []) if self.author is None else self.author(parent, self.states[-1])
        )
        building = self.executive.initialize_block(
            self.states[-1],
            Header(
                parent_hash=parent.hash(),
                number=U32(int(parent.number) + 1),
                state_root=H256(bytes(32)),
                extrinsics_root=H256(bytes(32)),
                digest=digest,
            ),
        )
        extrinsics = [*inherents, *extrinsics]
        outcomes = [self.executive.apply_extrinsic(building, xt) for xt in extrinsics]
        header, changes = self.executive.finalize_block(building)
        block = Block(header, tuple(extrinsics))
        assert self.executive.execute_block(self.states[-1], block, parent) == changes
        self.headers.append(header)
        self.states.append(self.states[-1].apply(changes))
        self.outcomes.append(outcomes)
        self.bodies.append(tuple(extrinsics))
        return self.hash_hex(len(self.headers) - 1)

    def header_json(self, number: int) -> dict[str, Any]:
        header = self.headers[number]
        return {
            "parentHash": "0x" + bytes(header.parent_hash).hex(),
            "number": hex(int(header.number)),
            "stateRoot": "0x" + bytes(header.state_root).hex(),
            "extrinsicsRoot": "0x" + bytes(header.extrinsics_root).hex(),
            "digest": {"logs": ["0x" + item.encode().hex() for item in header.digest.logs]},
        }

    def __call__(self, method: str, params: Any, result_handler: Any = None) -> dict[str, Any]:
        del result_handler
        return {"jsonrpc": "2.0", "id": 1, "result": self._result(method, params or [])}

    def _result(self, method: str, params: list[Any]) -> Any:
        if method == "rpc_methods":
            return {
                "methods": [
                    "chain_getBlockHash",
                    "chain_getHeader",
                    "state_call",
                    "state_getRuntimeVersion",
                    "state_getMetadata",
                    "state_getStorageAt",
                    "chain_getFinalizedHead",
                ]
            }
        if method == "chain_getBlockHash":
            number = params[0] if params and params[0] is not None else len(self.headers) - 1
            return self.hash_hex(number) if number < len(self.headers) else None
        if method == "chain_getFinalizedHead":
            return self.hash_hex(len(self.headers) - 1)
        if method == "chain_getHeader":
            return self.header_json(self.number_of(params[0] if params else None))
        if method == "chain_getBlock":
            number = self.number_of(params[0] if params else None)
            return {
                "block": {
                    "header": self.header_json(number),
                    "extrinsics": ["0x" + xt.hex() for xt in self.bodies[number]],
                },
                "justifications": None,
            }
        if method == "state_getRuntimeVersion":
            return self.executive.version.to_json()
        if method == "state_getMetadata":
            return "0x" + self.metadata.hex()
        if method in ("state_getStorageAt", "state_getStorage"):
            number = self.number_of(params[1] if len(params) > 1 else None)
            value = self.states[number].get(bytes.fromhex(params[0][2:]))
            return None if value is None else "0x" + value.hex()
        if method == "state_call":
            number = self.number_of(params[2] if len(params) > 2 else None)
            result = self.apis.call(
                params[0], bytes.fromhex(params[1][2:]), self.states[number], self.headers[number]
            )
            return "0x" + result.hex()
        raise AssertionError(f"unexpected RPC {method} {params}")


@pytest.fixture
def offline_node_class() -> type[OfflineNode]:
    return OfflineNode
