"""The values the chain database returns: chain heads, import outcomes, routes, reports."""

from __future__ import annotations

from dataclasses import dataclass

from deepshard.primitives.codec import H256

__all__ = ["ChainHeads", "Route", "ImportOutcome", "VerifyReport"]


@dataclass(frozen=True, slots=True)
class ChainHeads:
    """The genesis, best and finalized blocks, as of one committed transaction."""

    genesis: H256
    """Hash of block 0."""
    best: H256
    """Hash of the best block (the tip of the canonical chain)."""
    best_number: int
    """Number of the best block."""
    finalized: H256
    """Hash of the last finalized block."""
    finalized_number: int
    """Number of the last finalized block."""


@dataclass(frozen=True, slots=True)
class Route:
    """How the canonical chain changed when the best block moved (a tree route).

    Both lists are in ascending block order; ``retracted`` is empty unless it was a reorg.
    """

    retracted: tuple[H256, ...] = ()
    """Blocks that left the canonical chain."""
    enacted: tuple[H256, ...] = ()
    """Blocks that joined the canonical chain."""

    @property
    def is_reorg(self) -> bool:
        """Whether blocks left the canonical chain."""
        return bool(self.retracted)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What `ChainDatabase.import_block` did."""

    imported: bool
    """False when the block was already stored (then nothing was written)."""
    block_hash: H256
    """The block's hash."""
    number: int
    """The block's number."""
    is_best: bool
    """Whether the block is the best block after the import."""
    route: Route = Route()
    """How the canonical chain changed (empty unless the block was made best)."""
    nodes_written: int = 0
    """Trie nodes (and value nodes) written."""
    nodes_deleted: int = 0
    """Trie nodes deleted by the pruning this import triggered (when it finalized)."""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What `ChainDatabase.verify` checked (it raises `CorruptDatabase` on any problem)."""

    best: H256
    """The best block, whose state was re-rooted."""
    best_number: int
    """Its number."""
    canonical_blocks: int
    """Canonical blocks whose header and body were checked."""
    nodes_checked: int
    """Trie nodes (and value nodes) fetched and re-hashed."""
    states_checked: int
    """Kept states walked (1 unless ``deep``)."""
    deep: bool
    """Whether the deep checks ran (every kept state, reference counts, orphan nodes)."""
