"""A block's state read from the database: a consistent snapshot, readable from any thread.

`DatabaseState` is what `ChainDatabase.state_at` returns. It holds one LMDB read transaction,
so everything it reads belongs to the same committed database version, whatever is imported,
finalized or pruned meanwhile. It implements the node's `StateReader` (get, iter_keys,
read_proof) and the runtime's `BlockState` (get, iter_keys, storage_root), the latter by
reusing the runtime's `TrieState` over the snapshot's node store.

Close it (or use it as a context manager) when done: an open read transaction keeps LMDB
from reusing the pages it sees. Dropping the last reference closes it too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from deepshard.client.db.store import SnapshotNodeStore
from deepshard.primitives.codec import H256
from deepshard.primitives.trie import StateVersion, Trie, TrieUpdate, generate_proof
from deepshard.runtime.state import TrieState

__all__ = ["DatabaseState"]


class DatabaseState:
    """The state after one block, over an LMDB read snapshot.

    Attributes:
        block_hash: The block whose post-state this is.
        root: The state root.
    """

    __slots__ = ("_state", "_store", "block_hash", "root")

    def __init__(
        self,
        txn: Any,
        nodes_db: Any,
        block_hash: H256,
        root: bytes,
        decoded: dict[bytes, Any] | None = None,
    ) -> None:
        self._store = SnapshotNodeStore(txn, nodes_db)
        self._state = TrieState(Trie(self._store, root), decoded)
        self.block_hash = block_hash
        self.root = root

    @property
    def store(self) -> SnapshotNodeStore:
        """The snapshot's node store (read-only)."""
        return self._store

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key`, or None.

        Raises:
            DatabaseClosed: the snapshot was closed.
        """
        return self._state.get(key)

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield keys starting with `prefix` in ascending order, strictly after `start_after`.

        A generator of this method keeps the snapshot open while it is iterated.
        """
        yield from self._state.iter_keys(prefix, start_after)

    def iter_pairs(
        self, prefix: bytes = b"", start_after: bytes | None = None
    ) -> Iterator[tuple[bytes, bytes]]:
        """Yield ``(key, value)`` for keys starting with `prefix`, in key order."""
        yield from self._state.trie.iter_prefix(prefix, start_after)

    def closest_descendant_merkle_value(self, key: bytes) -> bytes | None:
        """The Merkle value of the trie node at `key` or of its closest descendant, or None."""
        return self._state.trie.closest_descendant_merkle_value(key)

    def read_proof(self, keys: list[bytes]) -> list[bytes]:
        """Return the trie nodes (sorted, unique) proving the values or absence of `keys`."""
        return generate_proof(self._store, self.root, keys)

    def storage_root(self, changes: Mapping[bytes, bytes | None], version: StateVersion) -> bytes:
        """Return the state root after applying `changes` (None deletes); nothing is written."""
        return self._state.storage_root(changes, version)

    @property
    def last_update(self) -> tuple[bytes, TrieUpdate] | None:
        """``(base root, trie update)`` of the last `storage_root` on this state."""
        return self._state.last_update

    def close(self) -> None:
        """End the snapshot's read transaction (idempotent)."""
        self._store.close()

    def __enter__(self) -> DatabaseState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        store = getattr(self, "_store", None)
        if store is not None:
            store.close()
