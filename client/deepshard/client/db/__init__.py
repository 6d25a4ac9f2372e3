"""The node's database: blocks, finality and state tries in LMDB (DESIGN.md section 5).

Introduction
------------
`ChainDatabase` keeps headers, bodies, justifications, the canonical index, the block tree and
the state tries of a chain in one LMDB environment, and commits each imported block in one
write transaction, so a node killed at any moment reopens to its last committed block. States
are pruned behind finality unless ``archive``; trie nodes are shared between states and kept by
reference count. Modules, from the bottom up:

* `errors` -- `DatabaseError` and its typed subclasses;
* `schema` -- sub-databases, key layouts, schema version;
* `store` -- trie node stores over LMDB (snapshot reads; reference-counted writes);
* `blocks` -- record encodings and block-tree operations inside one transaction;
* `pruning` -- the finality window and displaced forks;
* `state` -- `DatabaseState`, a block's state over a read snapshot (`StateReader`,
  `BlockState`);
* `verify` -- consistency checks;
* `records` -- the returned values (`ChainHeads`, `ImportOutcome`, `Route`, `VerifyReport`);
* `database` -- `ChainDatabase`.
"""

from deepshard.client.db.database import (
    DEFAULT_MAP_SIZE,
    DEFAULT_PRUNE_DEPTH,
    LOCK_FILE,
    ChainDatabase,
)
from deepshard.client.db.errors import (
    AlreadyInitialized,
    CorruptDatabase,
    DatabaseClosed,
    DatabaseError,
    DatabaseFull,
    DatabaseLocked,
    FinalityViolation,
    GenesisMismatch,
    InvalidBlock,
    InvalidFinalization,
    NotInFinalizedChain,
    NotInitialized,
    PruningModeMismatch,
    ReorgBelowFinalized,
    SchemaMismatch,
    StatePruned,
    StateRootMismatch,
    UnknownBlock,
    UnknownParent,
)
from deepshard.client.db.records import ChainHeads, ImportOutcome, Route, VerifyReport
from deepshard.client.db.schema import SCHEMA_VERSION
from deepshard.client.db.state import DatabaseState

__all__ = [
    "ChainDatabase",
    "DatabaseState",
    "ChainHeads",
    "ImportOutcome",
    "Route",
    "VerifyReport",
    "SCHEMA_VERSION",
    "DEFAULT_MAP_SIZE",
    "DEFAULT_PRUNE_DEPTH",
    "LOCK_FILE",
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
