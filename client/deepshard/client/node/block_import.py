"""Importing a block received from elsewhere: verify, execute, commit, choose the best chain.

The steps, in order (Substrate's import queue for Aura, then the client's block import):

1. the block is not known already, and its parent is;
2. the parent is not below the last finalized block on another fork;
3. Aura: the slot digest is present and not in the future, the slot's owner (among the
   authorities at the parent) signed the pre-seal hash (`verify_header`);
4. the runtime re-executes the unsealed block over the parent's state: the header follows the
   parent, inherents come first, every extrinsic is valid, the state root, extrinsics root and
   digest equal the header's (`execute_block`);
5. the inherents agree with this node's own inherent data (`check_inherents`: the timestamp is
   not too far in this node's future, nor too early after the parent's);
6. fork choice: longest chain -- the block becomes best when it is higher than the current
   best (ties keep the current best); the database commits block, state and best in one
   transaction, rewriting the canonical chain on a reorg (never below finality).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from deepshard.client.consensus.aura import AuraError, SlotInFuture, verify_header
from deepshard.client.db import ChainDatabase, DatabaseError
from deepshard.client.db.errors import FinalityViolation
from deepshard.client.db.records import ImportOutcome
from deepshard.pallets.aura import Aura
from deepshard.pallets.timestamp import INHERENT_IDENTIFIER, TimestampInherentError
from deepshard.primitives.codec import DecodeError, decode
from deepshard.primitives.numeric import U64
from deepshard.runtime.executive import Block, InvalidBlock
from deepshard.runtime.runtime import DeepshardRuntime
from deepshard.runtime.state import BlockState
from deepshard.runtime.support.inherents import InherentData, InherentDataError
from deepshard.runtime.support.overlay import Overlay

__all__ = [
    "BlockImportError",
    "AlreadyImported",
    "BadJustification",
    "UnknownParent",
    "NotNow",
    "ImportResult",
    "import_block",
]


class BlockImportError(Exception):
    """The block cannot be imported; the message says which check failed.

    This base class means the block is *invalid*; the subclasses name the cases where it may
    be fine but cannot be imported here and now.
    """


class BadJustification(BlockImportError):
    """The block imported, but the justification sent with it is invalid."""


class AlreadyImported(BlockImportError):
    """The block is in the database already."""


class UnknownParent(BlockImportError):
    """The parent is unknown or its state pruned (a gap, or a fork we cannot follow)."""


class NotNow(BlockImportError):
    """The block may be valid but is refused here and now.

    Its slot is ahead of our clock, or it would revert a finalized block.
    """


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
    now_millis: int | None = None,
    finalize: bool = False,
) -> ImportResult:
    """Verify and import a sealed block (see the module docstring for the checks).

    Args:
        runtime: The runtime.
        db: The block database.
        block: The sealed block.
        current_slot: The importer's slot (None skips the future-slot check).
        now_millis: The importer's clock for `check_inherents` (None skips it: own blocks).
        finalize: Also mark the block finalized (a single-authority chain).

    Raises:
        BlockImportError: the block is unknown-parented, wrongly sealed or invalid.
    """
    header = block.header
    parent_hash = header.parent_hash
    if db.contains(header.hash()):
        raise AlreadyImported(f"block 0x{bytes(header.hash()).hex()} is already imported")
    parent = db.header(parent_hash)
    state = db.state_at(parent_hash)
    if parent is None or state is None:
        raise UnknownParent(f"unknown or pruned parent 0x{bytes(parent_hash).hex()}")
    if int(header.number) != int(parent.number) + 1:
        raise BlockImportError("the block number does not follow its parent's")
    ctx = runtime.runtime.new_context(Overlay(state), int(parent.number))
    authorities = tuple(bytes(a) for a in ctx.pallet(Aura).authorities())
    try:
        verified = verify_header(header, authorities, current_slot)
    except SlotInFuture as error:
        raise NotNow(f"Aura: {error}") from error
    except AuraError as error:
        raise BlockImportError(f"Aura: {error}") from error
    try:
        changes = runtime.executive.execute_block(
            state, Block(verified.pre_header, block.extrinsics), parent
        )
    except InvalidBlock as error:
        raise BlockImportError(f"invalid block: {error}") from error
    if now_millis is not None:
        _check_inherents(runtime, state, block, now_millis)
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
    except FinalityViolation as error:
        raise NotNow(f"the block conflicts with finality: {error}") from error
    except DatabaseError as error:
        raise BlockImportError(f"the database refused the block: {error}") from error
    return ImportResult(outcome, verified.author)


def _check_inherents(
    runtime: DeepshardRuntime, state: BlockState, block: Block, now_millis: int
) -> None:
    """Check the block's inherents against this node's clock (Substrate's Aura verifier does).

    Raises:
        BlockImportError: an inherent is refused (e.g. a timestamp too far in the future).
    """
    data = InherentData()
    data.put_data(INHERENT_IDENTIFIER, U64(now_millis))
    try:
        result = runtime.check_inherents(state, block, data)
    except InherentDataError as error:
        raise BlockImportError(f"inherents cannot be checked: {error}") from error
    if not result.okay:
        reasons = []
        for identifier in result.errors.identifiers():
            raw = result.errors.get_raw(identifier) or b""
            reason = raw.hex()
            if identifier == INHERENT_IDENTIFIER:
                with contextlib.suppress(DecodeError):
                    reason = decode(TimestampInherentError, raw).name
            reasons.append(f"{identifier.decode(errors='replace')}: {reason}")
        raise BlockImportError(f"inherents refused ({', '.join(reasons)})")
