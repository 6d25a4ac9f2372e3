"""The state a block executes against, and how its root is computed.

The executive reads the parent block's state through a `BlockState`, collects the block's
writes in an overlay, and asks the state for the root that results from applying them. The
node backs `BlockState` with its database trie (`TrieState`, over any `NodeStore`);
`InMemoryState` does the same over a plain dict and recomputes every root from scratch (small
test states).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final, Protocol

from deepshard.primitives.trie import (
    MissingNode,
    Node,
    NodeStore,
    StateVersion,
    Trie,
    TrieUpdate,
    decode_node,
    trie_root,
)
from deepshard.primitives.trie.lookup import lookup

__all__ = ["BlockState", "InMemoryState", "TrieState", "DECODED_NODES_LIMIT"]

DECODED_NODES_LIMIT: Final = 1 << 18
"""Most decoded nodes a `TrieState` remembers (a block reads far fewer; RPC reads may not)."""


class BlockState(Protocol):
    """Read access to a block's pre-state, plus the root of that state after some changes."""

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key`, or None."""
        ...

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield keys starting with `prefix` in ascending order, after `start_after` if given."""
        ...

    def storage_root(self, changes: Mapping[bytes, bytes | None], version: StateVersion) -> bytes:
        """Return the state root after applying `changes` (None deletes), without keeping them."""
        ...


class InMemoryState:
    """A `BlockState` over a dict: every root is computed from scratch (fine for small states)."""

    __slots__ = ("_data", "_sorted")

    def __init__(self, data: Mapping[bytes, bytes] | None = None) -> None:
        self._data = dict(data or {})
        self._sorted: list[bytes] | None = None

    @property
    def data(self) -> dict[bytes, bytes]:
        """The key/value pairs (do not mutate; use `apply`)."""
        return self._data

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key`, or None."""
        return self._data.get(key)

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield keys starting with `prefix` in ascending order, after `start_after` if given."""
        if self._sorted is None:
            self._sorted = sorted(self._data)
        for key in self._sorted:
            if key.startswith(prefix) and (start_after is None or key > start_after):
                yield key

    def storage_root(self, changes: Mapping[bytes, bytes | None], version: StateVersion) -> bytes:
        """Return the trie root of the state with `changes` applied."""
        merged = dict(self._data)
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return trie_root(merged.items(), version)

    def apply(self, changes: Mapping[bytes, bytes | None]) -> InMemoryState:
        """Return a new state with `changes` applied (this one is left as it is)."""
        merged = dict(self._data)
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return InMemoryState(merged)


class TrieState:
    """A `BlockState` over a `Trie` in a node store: roots come from incremental updates.

    `storage_root` re-encodes only the nodes on the changed paths (`Trie.apply`), so its cost
    grows with the size of the block's changes, not of the state. This is the state the node
    keeps in its database; `MemoryNodeStore` serves genesis, tests and benchmarks.

    Point reads remember the nodes they decode (by encoding), so the upper levels of the trie,
    which every lookup walks through, are decoded once per state rather than once per read;
    `storage_root` reuses them for the paths the block changes (it read those keys first).
    """

    __slots__ = ("_decoded", "_trie", "last_update")

    def __init__(self, trie: Trie, decoded: dict[bytes, Node] | None = None) -> None:
        """Read `trie`; `decoded` may be a node cache shared with other states.

        Nodes are content-addressed, so decoded nodes can be shared by every state of one
        store (a node database shares one cache between the blocks it serves).
        """
        self._trie = trie
        self._decoded: dict[bytes, Node] = {} if decoded is None else decoded
        self.last_update: tuple[bytes, TrieUpdate] | None = None
        """``(base root, update)`` of the last `storage_root`: the nodes it created, which a
        database can store instead of applying the same changes again."""

    @classmethod
    def from_pairs(
        cls,
        store: NodeStore,
        data: Mapping[bytes, bytes],
        version: StateVersion = StateVersion.V1,
    ) -> TrieState:
        """Write the trie of `data` (genesis) into `store` and return the state at its root."""
        return cls(Trie.from_pairs(store, data.items(), version))

    @property
    def trie(self) -> Trie:
        """The trie at this state's root."""
        return self._trie

    @property
    def root(self) -> bytes:
        """The state root."""
        return self._trie.root

    def get(self, key: bytes) -> bytes | None:
        """Return the value at `key`, or None.

        Raises:
            MissingNode: a node on the path is not in the store.
        """
        return lookup(self._fetch, self._trie.root, key, self._decode)

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield keys starting with `prefix` in ascending order, after `start_after` if given."""
        return self._trie.iter_keys(prefix, start_after)

    def _fetch(self, node_hash: bytes) -> bytes:
        data = self._trie.store.get(node_hash)
        if data is None:
            raise MissingNode(node_hash)
        return data

    def _decode(self, data: bytes) -> Node:
        decoded = self._decoded
        node = decoded.get(data)
        if node is None:
            if len(decoded) >= DECODED_NODES_LIMIT:  # a long-lived state: start over
                decoded.clear()
            node = decoded[data] = decode_node(data)
        return node

    def storage_root(self, changes: Mapping[bytes, bytes | None], version: StateVersion) -> bytes:
        """Return the trie root after applying `changes` (nothing is written to the store)."""
        trie = self._trie
        if version is not trie.version:
            trie = Trie(trie.store, trie.root, version)
        update = trie.apply(changes, self._decode)
        self.last_update = (trie.root, update)
        return update.root

    def apply(
        self, changes: Mapping[bytes, bytes | None], version: StateVersion | None = None
    ) -> TrieState:
        """Write the nodes of `changes` to the store and return the new state.

        This state stays readable: nodes are content-addressed and none is removed.
        """
        trie = self._trie
        if version is not None and version is not trie.version:
            trie = Trie(trie.store, trie.root, version)
        return TrieState(trie.updated(changes))
