"""Authoring: build a block in our slot from the pool, seal it with our Aura key.

The proposer follows Substrate's basic authorship:

1. open the block on top of the best block, with the Aura slot in the digest;
2. apply the inherents (the timestamp of the slot's start);
3. apply ready transactions, best first, until the block is full or the time budget is spent;
   a transaction that turns out invalid is reported to the pool and skipped with its
   dependents; one that does not fit ends the block;
4. finalise, then seal (sign the pre-seal hash).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from deepshard.client.consensus.aura import pre_digest, seal_header
from deepshard.pallets.timestamp import INHERENT_IDENTIFIER
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import H256
from deepshard.primitives.crypto import Keypair
from deepshard.primitives.header import Digest, Header
from deepshard.primitives.numeric import U32, U64
from deepshard.runtime.executive import Block
from deepshard.runtime.runtime import DeepshardRuntime
from deepshard.runtime.state import BlockState
from deepshard.runtime.support.inherents import InherentData

__all__ = ["ProposedBlock", "ReadyTransaction", "propose_block"]


@dataclass(frozen=True, slots=True)
class ReadyTransaction:
    """A transaction offered to the proposer by the pool."""

    hash: H256
    """Its hash."""
    extrinsic: bytes
    """Its full encoding."""


@dataclass(frozen=True, slots=True)
class ProposedBlock:
    """A sealed block and everything needed to import it without executing it again."""

    block: Block
    """The sealed block."""
    changes: dict[bytes, bytes | None]
    """Its storage changes."""
    included: tuple[H256, ...]
    """Pool transactions it includes."""
    invalid: tuple[H256, ...]
    """Pool transactions found invalid while building."""
    build_seconds: float
    """Time spent building."""
    trie_update: Any = None
    """``(base root, trie update)`` of the state root computation, if the state kept it."""


def propose_block(  # noqa: PLR0917 - the proposer's inputs, each named at the call site
    runtime: DeepshardRuntime,
    state: BlockState,
    parent: Header,
    slot: int,
    slot_duration: int,
    keypair: Keypair,
    ready: Iterable[ReadyTransaction],
    *,
    budget_seconds: float,
    skip: Callable[[H256], None] = lambda _: None,
    inherent_data: InherentData | None = None,
) -> ProposedBlock:
    """Build and seal the block of `slot` on top of `parent`.

    Args:
        runtime: The runtime.
        state: The state after `parent`.
        parent: The parent header.
        slot: Our slot.
        slot_duration: Slot length in milliseconds (the timestamp is the slot's start).
        keypair: Our Aura key.
        ready: Ready transactions, best first.
        budget_seconds: Stop adding transactions after this long.
        skip: Told the hash of a transaction that failed, so the pool skips its dependents.
        inherent_data: More inherent data (e.g. equivocation proofs); the timestamp is added.
    """
    started = time.perf_counter()
    executive = runtime.executive
    header = Header(
        parent_hash=parent.hash(),
        number=U32(int(parent.number) + 1),
        state_root=H256(bytes(32)),
        extrinsics_root=H256(bytes(32)),
        digest=Digest(logs=(pre_digest(slot),)),
    )
    building = executive.initialize_block(state, header)
    data = InherentData(
        {i: inherent_data.get_raw(i) or b"" for i in inherent_data.identifiers()}
        if inherent_data is not None
        else None
    )
    data.put_data(INHERENT_IDENTIFIER, U64(slot * slot_duration))
    for inherent in runtime.inherent_extrinsics(state, parent, data):
        executive.apply_extrinsic(building, inherent)
    included: list[H256] = []
    invalid: list[H256] = []
    for transaction in ready:
        if time.perf_counter() - started > budget_seconds:
            break
        try:
            executive.apply_extrinsic(building, transaction.extrinsic)
        except tv.TransactionInvalid as rejected:
            if isinstance(rejected.reason, tv.ExhaustsResources):
                break
            if not isinstance(rejected.reason, tv.Future):
                invalid.append(transaction.hash)
            skip(transaction.hash)
            continue
        except tv.TransactionRejected:
            invalid.append(transaction.hash)
            skip(transaction.hash)
            continue
        included.append(transaction.hash)
    finished, changes = executive.finalize_block(building)
    sealed = seal_header(finished, keypair)
    return ProposedBlock(
        Block(sealed, tuple(building.extrinsics)),
        changes,
        tuple(included),
        tuple(invalid),
        time.perf_counter() - started,
        getattr(state, "last_update", None),
    )
