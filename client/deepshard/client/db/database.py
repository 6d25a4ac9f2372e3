"""`ChainDatabase`: blocks, the block tree, finality and state tries in one LMDB environment.

Introduction
------------
Every change to the database is one LMDB write transaction: an imported block (its trie nodes
with their reference counts, header, body, kept state root, children index, leaf set,
canonical index and best block, and, when it is imported final, the finality data and the
pruning that follows) commits all at once or not at all. LMDB's commits are atomic and, with
``sync``/``metasync`` on (as here), durable when the call returns, so a process killed at any
moment reopens to the last committed block with nothing half-written. A failed call (bad state
root, unknown parent, reorg below finality, a full map) aborts its transaction and leaves the
database as it was.

Reads (`header`, `body`, `state_at`, ...) each see one committed version. `state_at` returns a
`DatabaseState` that keeps its own read transaction, so the RPC layer can read a block's state
from other threads while blocks are imported. The directory is locked (``flock``) against a
second `ChainDatabase`, in this or another process; the lock goes with the process.

Typical use by the node::

    db = ChainDatabase(base_path / "db", archive=config.archive)
    if not db.is_initialized:
        db.initialize_genesis(genesis_header, genesis_storage, state_version)
    db.check_genesis(genesis_header.hash())
    with db.state_at(db.best_hash) as parent_state:
        header, changes = build_block(parent_state)
    db.import_block(Block(header, extrinsics), changes, state_version, make_best=True)
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import lmdb

from deepshard.client.db.blocks import (
    ChainTxn,
    decode_body,
    decode_justifications,
    encode_body,
    header_link,
)
from deepshard.client.db.env import LOCK_FILE, Environment, open_environment
from deepshard.client.db.errors import (
    AlreadyInitialized,
    CorruptDatabase,
    DatabaseClosed,
    DatabaseError,
    DatabaseFull,
    GenesisMismatch,
    InvalidBlock,
    InvalidFinalization,
    NotInFinalizedChain,
    NotInitialized,
    ReorgBelowFinalized,
    StatePruned,
    StateRootMismatch,
    UnknownBlock,
    UnknownParent,
)
from deepshard.client.db.pruning import drop_displaced, prune_window
from deepshard.client.db.records import ChainHeads, ImportOutcome, Route, VerifyReport
from deepshard.client.db.schema import (
    META_BEST,
    META_FINALIZED,
    META_GENESIS,
    META_PRUNE_FROM,
    pack_u32,
)
from deepshard.client.db.state import DatabaseState
from deepshard.client.db.store import RefCount, RefCountingNodeStore
from deepshard.client.db.verify import verify_chain
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header
from deepshard.primitives.trie import StateVersion, Trie, TrieError, TrieUpdate
from deepshard.runtime.executive import Block

if TYPE_CHECKING:
    from deepshard.client.node.interfaces import BlockchainReader, StateReader
    from deepshard.runtime.state import BlockState

__all__ = ["ChainDatabase", "DEFAULT_MAP_SIZE", "DEFAULT_PRUNE_DEPTH", "LOCK_FILE"]

DEFAULT_MAP_SIZE: Final = 1 << 40
"""Default LMDB map size (1 TiB of address space; the file only grows as data is written)."""
DEFAULT_PRUNE_DEPTH: Final = 256
"""Default number of finalized states kept without ``archive``."""


class ChainDatabase:
    """The node's block and state database (LMDB); see the module notes.

    Implements the node's `BlockchainReader`.

    Args:
        path: Directory of the database (created if missing).
        archive: Keep every state (``--archive``). A database created one way cannot be
            opened the other way (`PruningModeMismatch`).
        prune_depth: Without ``archive``: how many finalized states to keep (at least 1).
        map_size: LMDB map size in bytes: the most the database can ever hold.
        max_readers: Most concurrent read transactions (open `DatabaseState` snapshots
            included).

    Raises:
        DatabaseLocked: another `ChainDatabase` has the directory open.
        SchemaMismatch: the directory holds another schema version or another kind of LMDB
            environment.
        PruningModeMismatch: see ``archive``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        archive: bool = False,
        prune_depth: int = DEFAULT_PRUNE_DEPTH,
        map_size: int = DEFAULT_MAP_SIZE,
        max_readers: int = 512,
    ) -> None:
        if prune_depth < 1:
            raise ValueError("prune_depth must be at least 1 (the finalized state is kept)")
        self._path = Path(path)
        self._archive = archive
        self._prune_depth = prune_depth
        self._lock = threading.RLock()
        self._decoded_nodes: dict[bytes, Any] = {}
        """Decoded trie nodes by encoding, shared by every state snapshot (content-addressed)."""
        opened = open_environment(
            self._path, archive=archive, map_size=map_size, max_readers=max_readers
        )
        self._opened: Environment | None = opened
        self._env: Any = opened.env
        self._tables = opened.tables
        try:
            self._heads = self._load_heads()
        except BaseException:
            self._release()
            raise

    # --- opening and closing ---------------------------------------------------------------

    def _load_heads(self) -> ChainHeads | None:
        with self._env.begin() as txn:
            return _heads(ChainTxn(txn, self._tables))

    def _release(self) -> None:
        opened, self._opened, self._env = self._opened, None, None
        if opened is not None:
            opened.close()

    def close(self) -> None:
        """Close the database (idempotent). Open `DatabaseState` snapshots become unusable."""
        with self._lock:
            self._release()

    def __enter__(self) -> ChainDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        """The database directory."""
        return self._path

    @property
    def archive(self) -> bool:
        """Whether every state is kept."""
        return self._archive

    @property
    def prune_depth(self) -> int:
        """How many finalized states are kept (without archive)."""
        return self._prune_depth

    @property
    def is_closed(self) -> bool:
        """Whether `close` was called."""
        return self._env is None

    def _env_or_raise(self) -> Any:
        env = self._env
        if env is None:
            raise DatabaseClosed(f"the chain database at {self._path} is closed")
        return env

    @contextlib.contextmanager
    def _read(self) -> Iterator[ChainTxn]:
        with self._env_or_raise().begin() as txn:
            yield ChainTxn(txn, self._tables)

    @contextlib.contextmanager
    def _write(self) -> Iterator[ChainTxn]:
        """One write transaction: committed if the body returns, aborted if it raises."""
        txn = self._env_or_raise().begin(write=True)
        try:
            yield ChainTxn(txn, self._tables)
            txn.commit()
        except lmdb.MapFullError as exc:
            txn.abort()
            raise DatabaseFull(
                f"the chain database at {self._path} is full; reopen it with a larger map_size"
            ) from exc
        except BaseException:
            txn.abort()
            raise

    # --- genesis ---------------------------------------------------------------------------

    @property
    def is_initialized(self) -> bool:
        """Whether a genesis has been written."""
        return self._heads is not None

    def is_empty(self) -> bool:
        """Whether no genesis has been written yet (the opposite of `is_initialized`)."""
        return self._heads is None

    def initialize_genesis(
        self, header: Header, storage: Mapping[bytes, bytes], state_version: StateVersion
    ) -> H256:
        """Write the genesis block and state; it becomes best and finalized. Return its hash.

        Raises:
            AlreadyInitialized: the database has a genesis already.
            StateRootMismatch: the trie of `storage` does not have the header's state root.
            InvalidBlock: the header is not numbered 0.
        """
        if int(header.number) != 0:
            raise InvalidBlock(f"a genesis header is numbered 0, not {int(header.number)}")
        block_hash = header.hash()
        with self._lock:
            with self._write() as chain:
                if chain.heads() is not None:
                    raise AlreadyInitialized(f"{self._path} already holds a chain")
                store = RefCountingNodeStore(chain.txn, self._tables.nodes, self._tables.refs)
                root = Trie.from_pairs(store, storage.items(), state_version).root
                if root != header.state_root:
                    raise StateRootMismatch(bytes(header.state_root), root)
                store.hold(root)
                store.clear_pending()
                chain.put_block(block_hash, bytes(header.parent_hash), header.encode(), b"\x00")
                chain.set_canonical(0, block_hash)
                chain.put_state(block_hash, root)
                for key in (META_GENESIS, META_BEST, META_FINALIZED):
                    chain.put_meta(key, block_hash)
                chain.put_meta(META_PRUNE_FROM, pack_u32(0))
            self._heads = ChainHeads(block_hash, block_hash, 0, block_hash, 0)
        return block_hash

    def check_genesis(self, expected: bytes) -> None:
        """Refuse a database of another chain.

        Raises:
            NotInitialized: the database has no genesis.
            GenesisMismatch: its genesis is not `expected`.
        """
        heads = self._require_heads()
        if heads.genesis != expected:
            raise GenesisMismatch(
                f"the database at {self._path} belongs to the chain with genesis "
                f"{heads.genesis.to_hex()}, not to this chain (genesis 0x{bytes(expected).hex()});"
                " use another base path, or purge the database"
            )

    def _require_heads(self) -> ChainHeads:
        self._env_or_raise()
        heads = self._heads
        if heads is None:
            raise NotInitialized(f"{self._path} has no genesis yet")
        return heads

    # --- heads (BlockchainReader) ----------------------------------------------------------

    @property
    def heads(self) -> ChainHeads:
        """Genesis, best and finalized, as of the last commit (one consistent value)."""
        return self._require_heads()

    @property
    def genesis_hash(self) -> H256:
        """Hash of block 0."""
        return self._require_heads().genesis

    @property
    def best_hash(self) -> H256:
        """Hash of the best block."""
        return self._require_heads().best

    @property
    def best_number(self) -> int:
        """Number of the best block."""
        return self._require_heads().best_number

    @property
    def finalized_hash(self) -> H256:
        """Hash of the last finalized block."""
        return self._require_heads().finalized

    @property
    def finalized_number(self) -> int:
        """Number of the last finalized block."""
        return self._require_heads().finalized_number

    # --- block reads (BlockchainReader) ----------------------------------------------------

    def header(self, block_hash: bytes) -> Header | None:
        """Return a stored block's header, or None."""
        with self._read() as chain:
            raw = chain.header_bytes(block_hash)
        return None if raw is None else Header.decode(raw)

    def body(self, block_hash: bytes) -> tuple[bytes, ...] | None:
        """Return a stored block's extrinsics (full encodings), or None."""
        with self._read() as chain:
            raw = chain.body_bytes(block_hash)
        return None if raw is None else decode_body(raw)

    def block(self, block_hash: bytes) -> Block | None:
        """Return a stored block (header and body), or None."""
        with self._read() as chain:
            header = chain.header_bytes(block_hash)
            body = chain.body_bytes(block_hash)
        if header is None or body is None:
            return None
        return Block(Header.decode(header), decode_body(body))

    def justifications(self, block_hash: bytes) -> list[tuple[bytes, bytes]] | None:
        """Return a block's ``(engine id, justification)`` pairs, or None if it has none."""
        with self._read() as chain:
            raw = chain.justifications_bytes(block_hash)
        return None if raw is None else decode_justifications(raw)

    def canonical_hash(self, number: int) -> H256 | None:
        """Return the hash of the best chain's block at `number`, or None."""
        if not 0 <= number < 1 << 32:
            return None
        with self._read() as chain:
            raw = chain.canonical(number)
        return None if raw is None else H256(raw)

    def block_number(self, block_hash: bytes) -> int | None:
        """Return a stored block's number, or None."""
        with self._read() as chain:
            return chain.number(block_hash)

    def contains(self, block_hash: bytes) -> bool:
        """Whether the block is stored."""
        with self._read() as chain:
            return chain.header_bytes(block_hash) is not None

    def has_state(self, block_hash: bytes) -> bool:
        """Whether the block's state is kept (known and not pruned)."""
        with self._read() as chain:
            return chain.state_root(block_hash) is not None

    def children(self, block_hash: bytes) -> list[H256]:
        """Return the stored children of a block (in hash order)."""
        with self._read() as chain:
            return chain.children(block_hash)

    def leaves(self) -> list[H256]:
        """Return the tips of every fork that can still be finalized, highest first.

        Forks that leave the canonical chain below the finalized block are not leaves any more.
        """
        with self._read() as chain:
            leaves = chain.leaves()
        leaves.sort(key=lambda item: (-item[1], bytes(item[0])))
        return [block_hash for block_hash, _ in leaves]

    def state_at(self, block_hash: bytes) -> DatabaseState | None:
        """Return a snapshot of the state after block `block_hash`, or None if unknown or pruned.

        The snapshot holds an LMDB read transaction: close it (or use ``with``) when done.
        """
        txn = self._env_or_raise().begin()
        try:
            root: bytes | None = txn.get(block_hash, db=self._tables.states)
        except BaseException:
            txn.abort()
            raise
        if root is None:
            txn.abort()
            return None
        return DatabaseState(txn, self._tables.nodes, H256(block_hash), root, self._decoded_nodes)

    def reference_count(self, node_hash: bytes) -> int:
        """Return how many references keep a stored node (0 if it is not stored)."""
        with self._read() as chain:
            record = chain.txn.get(node_hash, db=self._tables.refs)
        return 0 if record is None else RefCount.unpack(record)[0]

    def node_count(self) -> int:
        """Return how many trie nodes (and V1 value nodes) are stored."""
        with self._read() as chain:
            return int(chain.txn.stat(self._tables.nodes)["entries"])

    # --- writes ----------------------------------------------------------------------------

    def import_block(
        self,
        block: Block,
        changes: Mapping[bytes, bytes | None],
        state_version: StateVersion,
        *,
        make_best: bool,
        finalized: bool = False,
        justification: tuple[bytes, bytes] | None = None,
        precomputed: tuple[bytes, TrieUpdate] | None = None,
    ) -> ImportOutcome:
        """Store a block and its state in one write transaction.

        `precomputed` is ``(base root, update)`` from the state the block was just executed
        on (``DatabaseState.last_update``): when its base is the parent's root and its root
        the header's, its new nodes are stored as they are instead of applying `changes` to
        the parent's trie a second time.

        `changes` are the block's storage changes (None deletes) against its parent's state;
        the resulting root must be the header's. With `make_best` the block becomes the best
        block, and if it is not a child of the old best the canonical index is rewritten from
        the common ancestor (a reorg). With `finalized` it is also finalized (which implies
        `make_best`: a new final block is the tip of the only chain left), and `justification`
        (``(engine id, encoded justification)``), if given, is stored with it.

        Returns:
            The outcome; ``imported`` is False (and nothing is written) if the block is known:
            to make a known block best, use `set_best`.

        Raises:
            UnknownParent: the parent is not stored.
            NotInFinalizedChain: the block does not descend from the finalized block.
            ReorgBelowFinalized: as above, with `make_best`.
            StateRootMismatch: the changes do not give the header's state root.
            InvalidBlock: the block's number is not its parent's plus one, or an extrinsic
                is malformed.
            DatabaseFull: the LMDB map is full.
            CorruptDatabase: a node of the parent's state is missing.
        """
        header = block.header
        encoded_header = header.encode()
        block_hash = H256(blake2_256(encoded_header))
        body = encode_body(block.extrinsics)
        number = int(header.number)
        parent = bytes(header.parent_hash)
        make_best = make_best or finalized
        if justification is not None and not finalized:
            raise ValueError("a justification is imported with a finalized block only")
        with self._lock:
            heads = self._require_heads()
            with self._write() as chain:
                if chain.header_bytes(block_hash) is not None:
                    return ImportOutcome(False, block_hash, number, heads.best == block_hash)
                parent_raw = chain.header_bytes(parent)
                if parent_raw is None:
                    raise UnknownParent(
                        f"block #{number} 0x{block_hash.hex()}: parent 0x{parent.hex()} is unknown"
                    )
                parent_number = header_link(parent_raw)[1]
                if number != parent_number + 1:
                    raise InvalidBlock(
                        f"block #{number} has parent #{parent_number}; numbers must follow"
                    )
                route, ancestor, ancestor_number = chain.branch(parent, parent_number)
                if ancestor_number < heads.finalized_number:
                    error = ReorgBelowFinalized if make_best else NotInFinalizedChain
                    raise error(
                        f"block #{number} 0x{block_hash.hex()} forks off below the finalized "
                        f"block #{heads.finalized_number}"
                    )
                parent_root = chain.state_root(parent)
                if parent_root is None:
                    raise StatePruned(f"the state of parent 0x{parent.hex()} is pruned")
                store = RefCountingNodeStore(chain.txn, self._tables.nodes, self._tables.refs)
                if (
                    precomputed is not None
                    and precomputed[0] == parent_root
                    and precomputed[1].root == bytes(header.state_root)
                ):
                    update = precomputed[1]
                else:
                    try:
                        update = Trie(store, parent_root, state_version).apply(changes)
                    except TrieError as exc:
                        raise CorruptDatabase([f"the parent's state is unreadable: {exc}"]) from exc
                if update.root != header.state_root:
                    raise StateRootMismatch(bytes(header.state_root), update.root)
                store.put_many(update.new_nodes)
                store.hold(update.root)
                store.clear_pending()
                written = store.inserted
                chain.put_state(block_hash, update.root)
                chain.put_block(block_hash, parent, encoded_header, body)
                new_heads = heads
                route_taken = Route()
                if make_best:
                    route_taken = _set_best(
                        chain, [block_hash, *route], ancestor, ancestor_number, heads.best_number
                    )
                    new_heads = _with_best(heads, H256(block_hash), number)
                if finalized:
                    new_heads = self._finalize(
                        chain, store, new_heads, (block_hash, number), justification
                    )
            self._heads = new_heads
        return ImportOutcome(
            True,
            block_hash,
            number,
            make_best,
            route_taken,
            written,
            store.deleted,
        )

    def set_best(self, block_hash: bytes) -> Route:
        """Make a stored block the best block (fork choice); return how the chain changed.

        Raises:
            UnknownBlock: the block is not stored.
            ReorgBelowFinalized: the block does not descend from the finalized block.
        """
        with self._lock:
            heads = self._require_heads()
            if heads.best == block_hash:
                return Route()
            with self._write() as chain:
                number = chain.number(block_hash)
                if number is None:
                    raise UnknownBlock(f"unknown block 0x{bytes(block_hash).hex()}")
                route, ancestor, ancestor_number = chain.branch(block_hash, number)
                if ancestor_number < heads.finalized_number:
                    raise ReorgBelowFinalized(
                        f"block #{number} 0x{bytes(block_hash).hex()} does not descend from the "
                        f"finalized block #{heads.finalized_number}"
                    )
                changed = _set_best(chain, route, ancestor, ancestor_number, heads.best_number)
            self._heads = _with_best(heads, H256(block_hash), number)
        return changed

    def set_finalized(
        self, block_hash: bytes, justification: tuple[bytes, bytes] | None = None
    ) -> int:
        """Finalize a canonical block (and its ancestors); prune; return nodes deleted.

        `justification` is ``(engine id, encoded justification)``, stored with the block (a
        justification for the already-finalized block is just stored).

        Raises:
            UnknownBlock: the block is not stored.
            InvalidFinalization: the block is not on the canonical chain at or above the
                current finalized block.
        """
        with self._lock:
            heads = self._require_heads()
            with self._write() as chain:
                number = chain.number(block_hash)
                if number is None:
                    raise UnknownBlock(f"unknown block 0x{bytes(block_hash).hex()}")
                store = RefCountingNodeStore(chain.txn, self._tables.nodes, self._tables.refs)
                new_heads = self._finalize(chain, store, heads, (block_hash, number), justification)
            self._heads = new_heads
        return store.deleted

    def _finalize(
        self,
        chain: ChainTxn,
        store: RefCountingNodeStore,
        heads: ChainHeads,
        target: tuple[bytes, int],
        justification: tuple[bytes, bytes] | None,
    ) -> ChainHeads:
        block_hash, number = target
        if number < heads.finalized_number or not chain.is_canonical(block_hash, number):
            raise InvalidFinalization(
                f"block #{number} 0x{bytes(block_hash).hex()} is not a canonical descendant of "
                f"the finalized block #{heads.finalized_number}"
            )
        if justification is not None:
            engine, data = justification
            chain.add_justification(block_hash, engine, data)
        if block_hash == heads.finalized:
            return heads
        chain.put_meta(META_FINALIZED, block_hash)
        drop_displaced(chain, store, number, archive=self._archive)
        if not self._archive:
            prune_window(chain, store, number, self._prune_depth)
        return ChainHeads(heads.genesis, heads.best, heads.best_number, H256(block_hash), number)

    # --- checks ----------------------------------------------------------------------------

    def verify(self, *, deep: bool = False) -> VerifyReport:
        """Check the database and return what was checked (see `verify_chain`).

        The best state re-roots node by node and the canonical chain is complete; with `deep`,
        every kept state and every reference count is checked too.

        Raises:
            CorruptDatabase: with every problem found.
        """
        with self._read() as chain:
            return verify_chain(chain, deep=deep)


def _heads(chain: ChainTxn) -> ChainHeads | None:
    heads = chain.heads()
    if heads is None:
        return None
    genesis, best, finalized = heads
    best_number = chain.number(best)
    finalized_number = chain.number(finalized)
    if best_number is None or finalized_number is None:
        raise DatabaseError("the best or finalized header is missing: the database is corrupt")
    return ChainHeads(genesis, best, best_number, finalized, finalized_number)


def _with_best(heads: ChainHeads, best: H256, number: int) -> ChainHeads:
    return ChainHeads(heads.genesis, best, number, heads.finalized, heads.finalized_number)


def _set_best(
    chain: ChainTxn, route: list[bytes], ancestor: bytes, ancestor_number: int, old_number: int
) -> Route:
    """Make ``route[0]`` (or `ancestor` if `route` is empty) best: rewrite the canonical index.

    `route` holds the non-canonical blocks from the new best down to (excluding) `ancestor`,
    the canonical block they branch from.
    """
    retracted = [
        H256(h)
        for n in range(ancestor_number + 1, old_number + 1)
        if (h := chain.canonical(n)) is not None
    ]
    chain.truncate_canonical(ancestor_number)
    enacted = list(reversed(route))
    for offset, block_hash in enumerate(enacted, start=ancestor_number + 1):
        chain.set_canonical(offset, block_hash)
    chain.put_meta(META_BEST, route[0] if route else ancestor)
    return Route(tuple(retracted), tuple(H256(h) for h in enacted))


if TYPE_CHECKING:  # mypy checks that the database and its states meet the node's protocols.

    def _conforms(
        db: ChainDatabase, state: DatabaseState
    ) -> tuple[BlockchainReader, StateReader, BlockState]:
        return db, state, state
