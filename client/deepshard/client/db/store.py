"""Trie nodes in LMDB: a read-only snapshot store and a reference-counting write store.

Introduction
------------
Nodes are content-addressed (``blake2_256`` of the encoding), so equal subtrees of different
states, equal subtrees inside one state and equal V1 values are stored once and shared. A node
is therefore kept by *reference count*, over the graph of stored nodes:

    count(n) = (references to n from distinct stored nodes, one per child slot or value slot)
             + (kept block states whose root is n)

When a node is stored for the first time its own children's counts go up (the node is
*expanded*); when its count falls to zero it is deleted and its children's counts go down, and
so on down the trie. Holding a new state root after a block thus touches only the nodes the
block created, and releasing an old state frees exactly the nodes no kept state reaches any
more, whatever the sharing. (`TrieUpdate.removed_nodes` is not needed: it lists the dropped
references of one update, while the graph counts stay exact across any number of states.)

A count record also says whether the node was expanded: a hash can be both a V1 value node and
a trie node (a stored value that happens to encode a node), and its children are counted once,
the first time it is referenced as a trie node, and released once, when it is deleted.

Inline children (encodings shorter than 32 bytes) hold no hash references: a hashed child or a
hashed value alone takes 32 bytes, so they need no counting.
"""

from __future__ import annotations

import contextlib
import struct
import threading
from collections.abc import Mapping
from typing import Any, Final

from deepshard.client.db.errors import CorruptDatabase, DatabaseClosed, DatabaseError
from deepshard.primitives.trie import (
    EMPTY_TRIE_ROOT,
    HASH_LENGTH,
    Branch,
    Empty,
    decode_node,
)

__all__ = [
    "RefCount",
    "node_references",
    "SnapshotNodeStore",
    "RefCountingNodeStore",
]

_RECORD: Final = struct.Struct("<IB")
_EXPANDED: Final = 1


class RefCount:
    """Packing of a node's count record: ``u32 LE count ++ u8 flags`` (bit 0: expanded)."""

    __slots__ = ()

    @staticmethod
    def pack(count: int, expanded: bool) -> bytes:
        """Encode a record."""
        return _RECORD.pack(count, _EXPANDED if expanded else 0)

    @staticmethod
    def unpack(record: bytes) -> tuple[int, bool]:
        """Decode a record into ``(count, expanded)``."""
        count, flags = _RECORD.unpack(record)
        return int(count), bool(flags & _EXPANDED)


def node_references(encoded: bytes) -> list[tuple[bytes, bool]]:
    """Return the hashes a trie node references, each with whether it is a trie node.

    Child references of 32 bytes are trie nodes (``True``); a V1 hashed value is a value node
    (``False``). Inline children are skipped: they cannot hold a hash (see the module notes).
    """
    node = decode_node(encoded)
    refs: list[tuple[bytes, bool]] = []
    if isinstance(node, Empty):
        return refs
    if node.value_hashed and node.value is not None:
        refs.append((node.value, False))
    if isinstance(node, Branch):
        refs.extend(
            (child, True)
            for child in node.children
            if child is not None and len(child) == HASH_LENGTH
        )
    return refs


class SnapshotNodeStore:
    """A read-only `NodeStore` over one LMDB transaction (a consistent snapshot).

    Reads are serialised by a lock, so one snapshot can be shared between threads.
    """

    __slots__ = ("_db", "_lock", "_txn")

    def __init__(self, txn: Any, db: Any) -> None:
        self._txn = txn
        self._db = db
        self._lock = threading.Lock()

    def get(self, node_hash: bytes) -> bytes | None:
        """Return the node stored under `node_hash` in the snapshot, or None.

        Raises:
            DatabaseClosed: the snapshot (or the database) was closed.
        """
        with self._lock:
            txn = self._txn
            if txn is None:
                raise DatabaseClosed("the state snapshot is closed")
            try:
                data: bytes | None = txn.get(node_hash, db=self._db)
            except Exception as exc:  # lmdb.Error once the environment is closed
                raise DatabaseClosed(f"the state snapshot is unusable: {exc}") from exc
            return data

    def put_many(self, nodes: Mapping[bytes, bytes]) -> None:
        """Refuse: a snapshot is read-only (blocks are written by `ChainDatabase.import_block`).

        Raises:
            DatabaseError: always (unless `nodes` is empty).
        """
        if nodes:
            raise DatabaseError("a state snapshot is read-only")

    def close(self) -> None:
        """End the read transaction (idempotent)."""
        with self._lock:
            txn, self._txn = self._txn, None
        if txn is not None:
            with contextlib.suppress(Exception):  # already ended with its environment
                txn.abort()


class RefCountingNodeStore:
    """A `NodeStore` inside one LMDB write transaction that keeps nodes by reference count.

    `put_many` only stages nodes; `hold` writes the ones a root reaches and counts them;
    `release` drops a root and deletes what no longer has a reference. Staged nodes that no
    held root reaches are never written.

    Attributes:
        inserted: Nodes written so far.
        deleted: Nodes deleted so far.
    """

    __slots__ = ("_nodes", "_pending", "_refs", "_txn", "deleted", "inserted")

    def __init__(self, txn: Any, nodes_db: Any, refs_db: Any) -> None:
        self._txn = txn
        self._nodes = nodes_db
        self._refs = refs_db
        self._pending: dict[bytes, bytes] = {}
        self.inserted = 0
        self.deleted = 0

    def get(self, node_hash: bytes) -> bytes | None:
        """Return a staged or stored node, or None."""
        data = self._pending.get(node_hash)
        if data is not None:
            return data
        stored: bytes | None = self._txn.get(node_hash, db=self._nodes)
        return stored

    def put_many(self, nodes: Mapping[bytes, bytes]) -> None:
        """Stage nodes (hash -> bytes); `hold` writes those its root reaches."""
        self._pending.update(nodes)

    def _payload(self, node_hash: bytes) -> bytes:
        data = self.get(node_hash)
        if data is None:
            raise CorruptDatabase([f"trie node 0x{node_hash.hex()} is referenced but absent"])
        return data

    def hold(self, root: bytes) -> None:
        """Count one more reference to `root` (a block state), writing the nodes it needs.

        Raises:
            CorruptDatabase: a node it reaches is neither staged nor stored.
        """
        if root == EMPTY_TRIE_ROOT:
            return
        txn, nodes, refs = self._txn, self._nodes, self._refs
        stack: list[tuple[bytes, bool]] = [(root, True)]
        while stack:
            node_hash, as_trie = stack.pop()
            record = txn.get(node_hash, db=refs)
            payload: bytes | None = None
            if record is None:
                payload = self._payload(node_hash)
                txn.put(node_hash, payload, db=nodes)
                self.inserted += 1
                count, expanded = 1, False
            else:
                count, expanded = RefCount.unpack(record)
                count += 1
            if as_trie and not expanded:
                expanded = True
                if payload is None:
                    payload = self._payload(node_hash)
                stack.extend(node_references(payload))
            txn.put(node_hash, RefCount.pack(count, expanded), db=refs)

    def release(self, root: bytes) -> None:
        """Drop one reference to `root`; delete every node whose count reaches zero.

        Raises:
            CorruptDatabase: a count is missing (the counts are inconsistent).
        """
        if root == EMPTY_TRIE_ROOT:
            return
        txn, nodes, refs = self._txn, self._nodes, self._refs
        stack = [root]
        while stack:
            node_hash = stack.pop()
            record = txn.get(node_hash, db=refs)
            if record is None:
                raise CorruptDatabase([f"trie node 0x{node_hash.hex()} has no reference count"])
            count, expanded = RefCount.unpack(record)
            if count > 1:
                txn.put(node_hash, RefCount.pack(count - 1, expanded), db=refs)
                continue
            if expanded:
                stack.extend(child for child, _ in node_references(self._payload(node_hash)))
            txn.delete(node_hash, db=refs)
            txn.delete(node_hash, db=nodes)
            self.deleted += 1

    def clear_pending(self) -> None:
        """Forget the staged nodes (those no held root reached are simply never written)."""
        self._pending.clear()
