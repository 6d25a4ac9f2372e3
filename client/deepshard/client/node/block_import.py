"""Importing a block received from elsewhere: verify, execute, commit, choose the best chain.

The steps, in order (Substrate's import queue for Aura, then the client's block import):

1. the block is not known already, and its parent is;
2. the parent is not below the last finalized block on another fork;
3. Aura: the slot digest is present and not in the future, the slot's owner (among the
   authorities at the parent) signed the pre-seal hash (`verify_header`);
4. the runtime re-executes the unsealed block over the parent's state: every extrinsic valid,
   the state root, extrinsics root and digest equal the header's (`execute_block`);
5. fork choice: longest chain -- the block becomes best when it is higher than the current
   best (ties keep the current best); the database commits block, state and best in one
   transaction, rewriting the canonical chain on a reorg (never below finality).
"""

from __future__ import annotations

from dataclasses import dataclass

from deepshard.client.consensus.aura import AuraError, verify_header
from deepshard.client.db import ChainDatabase, DatabaseError
from deepshard.client.db.records import ImportOutcome
from deepshard.pallets.aura import Aura
from deepshard.runtime.executive import Block, InvalidBlock
from deepshard.runtime.runtime import DeepshardRuntime
from deepshard.runtime.support.overlay import Overlay

__all__ = ["BlockImportError", "ImportResult", "import_block"]


class BlockImportError(Exception):
    """The block cannot be imported; the message says which check failed."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What importing a block did."""

    outcome: ImportOutcome
    """The database's account (best or not, the route of a reorg)."""
    author: bytes
    """The Aura author of the block."""


def import_block(
    runtime: DeepshardRuntime,
    db: ChainDatabase,
    block: Block,
    *,
    current_slot: int | None = None,
    finalize: bool = False,
) -> ImportResult:
    """Verify and import a sealed block (see the module docstring for the checks).

    Raises:
        BlockImportError: the block is unknown-parented, wrongly sealed or invalid.
    """
    header = block.header
    parent_hash = header.parent_hash
    if db.contains(header.hash()):
        raise BlockImportError(f"block 0x{bytes(header.hash()).hex()} is already imported")
    parent = db.header(parent_hash)
    state = db.state_at(parent_hash)
    if parent is None or state is None:
        raise BlockImportError(f"unknown or pruned parent 0x{bytes(parent_hash).hex()}")
    if int(header.number) != int(parent.number) + 1:
        raise BlockImportError("the block number does not follow its parent's")
    ctx = runtime.runtime.new_context(Overlay(state), int(parent.number))
    authorities = tuple(bytes(a) for a in ctx.pallet(Aura).authorities())
    try:
        verified = verify_header(header, authorities, current_slot)
    except AuraError as error:
        raise BlockImportError(f"Aura: {error}") from error
    try:
        changes = runtime.executive.execute_block(
            state, Block(verified.pre_header, block.extrinsics)
        )
    except InvalidBlock as error:
        raise BlockImportError(f"invalid block: {error}") from error
    make_best = int(header.number) > int(db.best_number)
    try:
        outcome = db.import_block(
            block,
            changes,
            runtime.version.state_version,
            make_best=make_best or finalize,
            finalized=finalize,
            precomputed=state.last_update,
        )
    except DatabaseError as error:
        raise BlockImportError(f"the database refused the block: {error}") from error
    return ImportResult(outcome, verified.author)
