"""The pool over the real Deepshard runtime: FRAME nonce tags order an account's transactions."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.client.txpool import TransactionPool, rpc_error_of, tx_hash_of
from deepshard.pallets.system import System
from deepshard.pallets.timestamp import INHERENT_IDENTIFIER
from deepshard.primitives.codec import H256, encode
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.header import Digest, Header, PreRuntime
from deepshard.primitives.numeric import U32, U64
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.transaction_validity import (
    BadProof,
    TransactionInvalid,
    TransactionSource,
    ValidTransaction,
)
from deepshard.primitives.trie import EMPTY_TRIE_ROOT
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.state import InMemoryState
from deepshard.runtime.support.inherents import InherentData

ALICE = dev_keypair("Alice", KeyType.SR25519)
EXTERNAL = TransactionSource.External
FIRST_SLOT = 300_000_000
SLOT_MS = 6_000


class Chain:
    """Blocks built by the real executive over in-memory state, and the pool's validator."""

    def __init__(self) -> None:
        self.runtime = deepshard_runtime()
        state = InMemoryState(self.runtime.genesis_storage(genesis_from_patch(preset_patch(DEV))))
        root = state.storage_root({}, self.runtime.executive.state_version)
        genesis = Header(
            parent_hash=H256(bytes(32)),
            number=U32(0),
            state_root=H256(root),
            extrinsics_root=H256(EMPTY_TRIE_ROOT),
        )
        self.genesis_hash = genesis.hash()
        self.blocks: dict[H256, tuple[Header, InMemoryState]] = {genesis.hash(): (genesis, state)}
        self.best = genesis

    def validate(self, extrinsic: bytes, source: TransactionSource, at: H256) -> ValidTransaction:
        header, state = self.blocks[at]
        return self.runtime.executive.validate_transaction(state, header, extrinsic, source)

    def remark(self, nonce: int, *, genesis_hash: bytes | None = None, tip: int = 0) -> bytes:
        call = self.runtime.runtime.call_codec.encode(
            self.runtime.runtime.make_call(System, "remark", remark=b"pool")
        )
        return sign_extrinsic(
            call,
            ALICE,
            nonce=nonce,
            genesis_hash=bytes(self.genesis_hash if genesis_hash is None else genesis_hash),
            spec_version=int(self.runtime.version.spec_version),
            transaction_version=int(self.runtime.version.transaction_version),
            tip=tip,
        )

    def produce(self, extrinsics: list[bytes]) -> H256:
        parent = self.best
        state = self.blocks[parent.hash()][1]
        slot = FIRST_SLOT + int(parent.number) + 1
        data = InherentData()
        data.put_data(INHERENT_IDENTIFIER, U64(slot * SLOT_MS))
        inherents = self.runtime.inherent_extrinsics(state, parent, data)
        executive = self.runtime.executive
        building = executive.initialize_block(
            state,
            Header(
                parent_hash=parent.hash(),
                number=U32(int(parent.number) + 1),
                state_root=H256(bytes(32)),
                extrinsics_root=H256(bytes(32)),
                digest=Digest(logs=(PreRuntime(b"aura", encode(U64(slot))),)),
            ),
        )
        for extrinsic in [*inherents, *extrinsics]:
            executive.apply_extrinsic(building, extrinsic)
        header, changes = executive.finalize_block(building)
        self.blocks[header.hash()] = (header, state.apply(changes))
        self.best = header
        return header.hash()


@pytest.fixture(scope="module")
def chain() -> Chain:
    return Chain()


def test_nonces_submitted_out_of_order_become_ready_in_order(chain: Any) -> None:
    pool = TransactionPool(chain.validate, best=(chain.genesis_hash, 0))
    xt0, xt1, xt2 = (chain.remark(n) for n in range(3))
    statuses: list[str] = []
    h2, _ = pool.submit_and_watch(xt2, EXTERNAL, lambda s: statuses.append(s.kind))
    h1 = pool.submit(xt1, EXTERNAL)
    assert pool.status().future == 2
    assert pool.status().ready == 0
    assert statuses == ["future"]
    h0 = pool.submit(xt0, EXTERNAL)
    assert pool.status().ready == 3
    assert pool.status().future == 0
    assert statuses == ["future", "ready"]
    assert [tx.hash for tx in pool.ready()] == [h0, h1, h2]
    assert pool.pending() == [xt0, xt1, xt2]

    # A block includes nonce 0: it leaves the pool, nonces 1 and 2 stay ready in order.
    block = chain.produce([xt0])
    pool.on_block_imported(block, [xt0], number=1)
    assert [tx.hash for tx in pool.ready()] == [h1, h2]
    assert len(pool) == 2
    assert statuses == ["future", "ready"]
    # Re-validated at block 1: nonce 1 now requires nothing from the pool.
    refreshed = pool.get(h1)
    assert refreshed is not None
    assert refreshed.requires == ()
    assert pool.metrics().pruned == 1


def test_bad_signature_is_1010(chain: Any) -> None:
    pool = TransactionPool(chain.validate, best=(chain.genesis_hash, 0))
    forged = chain.remark(0, genesis_hash=bytes(32))  # signed for another chain
    with pytest.raises(TransactionInvalid) as rejected:
        pool.submit(forged, EXTERNAL)
    assert isinstance(rejected.value.reason, BadProof)
    assert rpc_error_of(rejected.value) == (
        1010,
        "Invalid Transaction",
        "Transaction has a bad signature",
    )
    assert len(pool) == 0
    assert pool.is_banned(tx_hash_of(forged))
