"""Typed errors of the chain database, all under `DatabaseError`.

A failed operation never leaves a partial write behind: every error raised inside a write
transaction aborts it, so the database is exactly as it was before the call.
"""

from __future__ import annotations

__all__ = [
    "DatabaseError",
    "DatabaseLocked",
    "DatabaseClosed",
    "DatabaseFull",
    "SchemaMismatch",
    "PruningModeMismatch",
    "NotInitialized",
    "AlreadyInitialized",
    "GenesisMismatch",
    "InvalidBlock",
    "UnknownBlock",
    "UnknownParent",
    "StatePruned",
    "StateRootMismatch",
    "FinalityViolation",
    "ReorgBelowFinalized",
    "NotInFinalizedChain",
    "InvalidFinalization",
    "CorruptDatabase",
]


class DatabaseError(Exception):
    """Root of the chain database's errors."""


class DatabaseLocked(DatabaseError):
    """Another `ChainDatabase` (in this or another process) has the directory open."""


class DatabaseClosed(DatabaseError):
    """The database (or the snapshot a state reader holds) was closed."""


class DatabaseFull(DatabaseError):
    """The LMDB map is full: reopen with a larger ``map_size``; nothing was written."""


class SchemaMismatch(DatabaseError):
    """The directory holds a database of another schema version (or not a chain database)."""


class PruningModeMismatch(DatabaseError):
    """The database was created archive (or pruned) and is being opened the other way."""


class NotInitialized(DatabaseError):
    """The database has no genesis yet: call `ChainDatabase.initialize_genesis` first."""


class AlreadyInitialized(DatabaseError):
    """`ChainDatabase.initialize_genesis` was called on a database that has a genesis."""


class GenesisMismatch(DatabaseError):
    """The database belongs to another chain (its genesis differs from the expected one)."""


class InvalidBlock(DatabaseError, ValueError):
    """A block is malformed for storage.

    Its number is not its parent's plus one, a genesis is not numbered 0, or an extrinsic is
    not exactly one length-prefixed encoding.
    """


class UnknownBlock(DatabaseError, LookupError):
    """No block with this hash is stored."""


class UnknownParent(DatabaseError, LookupError):
    """A block's parent is not stored, so the block cannot be imported."""


class StatePruned(DatabaseError, LookupError):
    """The state a block builds on (or that was asked for) has been pruned."""


class StateRootMismatch(DatabaseError, ValueError):
    """Applying a block's changes to its parent's state does not give the header's root.

    Attributes:
        expected: The state root in the header.
        computed: The root the changes produced.
    """

    def __init__(self, expected: bytes, computed: bytes) -> None:
        super().__init__(
            f"state root mismatch: header has 0x{expected.hex()}, changes give 0x{computed.hex()}"
        )
        self.expected = expected
        self.computed = computed


class FinalityViolation(DatabaseError):
    """The operation would revert, or bypass, the finalized block."""


class ReorgBelowFinalized(FinalityViolation):
    """A new best block whose route to the canonical chain passes below the finalized block."""


class NotInFinalizedChain(FinalityViolation):
    """A block to import does not descend from the finalized block (it can never be final)."""


class InvalidFinalization(FinalityViolation):
    """The block to finalize is not a canonical descendant of the current finalized block."""


class CorruptDatabase(DatabaseError):
    """`ChainDatabase.verify` found inconsistencies.

    Attributes:
        problems: One line per problem found.
    """

    def __init__(self, problems: list[str]) -> None:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"database verification failed: {shown}{more}")
        self.problems = tuple(problems)
