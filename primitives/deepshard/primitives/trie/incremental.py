"""An incremental trie over a node store: point reads, ordered iteration and batch updates.

Introduction
------------
`Trie` is a value: a root hash, the `NodeStore` holding its nodes, and the `StateVersion`
with which new values are written. `Trie.apply` takes a batch of changes (``None`` deletes) and
returns a `TrieUpdate` (new root, new nodes, nodes no longer referenced) without writing
anything; `Trie.commit` writes the new nodes and returns the trie at the new root.

Applying a batch loads and re-encodes only the nodes on the changed paths (plus, when a
deletion leaves a branch with a single child and no value, that child, which absorbs the
branch's partial key). The result is always in normal form, so its root equals `trie_root` of
the resulting key/value set, as with Substrate's `TrieDBMut`.

Values keep the form they were written with: a value inserted under V1 that is 33 bytes or
longer goes to a value node, while untouched values written under V0 stay inline (Substrate's
lazy state migration).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie.errors import InvalidNode, MissingNode
from deepshard.primitives.trie.lookup import (
    Decode,
    closest_descendant_merkle_value,
    iterate,
    lookup,
)
from deepshard.primitives.trie.node import Branch, Empty, decode_node, encode_branch, encode_leaf
from deepshard.primitives.trie.root import encode_trie, sorted_pairs
from deepshard.primitives.trie.store import NodeStore
from deepshard.primitives.trie.version import (
    EMPTY_NODE,
    EMPTY_TRIE_ROOT,
    HASH_LENGTH,
    StateVersion,
    value_threshold,
)

__all__ = ["Trie", "TrieUpdate"]

_INDEX: Final = {c: i for i, c in enumerate("0123456789abcdef")}
_HEX: Final = "0123456789abcdef"


@dataclass(frozen=True, slots=True)
class TrieUpdate:
    """The outcome of `Trie.apply`: what to write for the new root.

    Attributes:
        root: The new root hash.
        new_nodes: Nodes to store (hash -> bytes), V1 value nodes included. The new root node
            is always among them unless the trie became empty or did not change.
        removed_nodes: Hashes of stored nodes (and value nodes) the old root referenced on the
            changed paths and the new root no longer references there, one entry per dropped
            reference. Nodes are content-addressed and may be shared (equal subtrees, equal
            V1 values), so a pruner must reference-count rather than delete these blindly.
    """

    root: bytes
    new_nodes: Mapping[bytes, bytes]
    removed_nodes: tuple[bytes, ...] = ()


class _Node:
    """A decoded, mutable node of a batch in progress.

    `children` is None for a leaf; otherwise 16 slots holding None, an unresolved child
    reference (bytes), or a resolved `_Node`. `ref` is the reference the node was loaded from
    (hash or inline encoding) while it is unchanged, None once it has been modified.
    """

    __slots__ = ("children", "hashed", "partial", "ref", "value")

    def __init__(
        self,
        partial: str,
        value: bytes | None,
        hashed: bool,
        children: list[_Node | bytes | None] | None,
        ref: bytes | None = None,
    ) -> None:
        self.partial = partial
        self.value = value
        self.hashed = hashed
        self.children = children
        self.ref = ref


class _Batch:
    """One `Trie.apply` in progress: the mutable nodes and what they add and drop."""

    def __init__(self, store: NodeStore, version: StateVersion, decode: Decode) -> None:
        self.store = store
        self.decode = decode
        self.threshold = value_threshold(version)
        self.new_nodes: dict[bytes, bytes] = {}
        self.removed: list[bytes] = []

    # --- loading and bookkeeping -----------------------------------------------------------

    def load(self, ref: bytes) -> _Node:
        """Decode the node behind a reference (a hash to look up, or an inline encoding)."""
        if len(ref) == HASH_LENGTH:
            data = self.store.get(ref)
            if data is None:
                raise MissingNode(ref)
        else:
            data = ref
        node = self.decode(data)
        if isinstance(node, Empty):
            raise InvalidNode("the empty node can only be the root of an empty trie")
        if isinstance(node, Branch):
            return _Node(node.partial, node.value, node.value_hashed, list(node.children), ref)
        return _Node(node.partial, node.value, node.value_hashed, None, ref)

    def touch(self, node: _Node) -> None:
        """Mark `node` modified: its stored form (if stored) is no longer referenced."""
        ref = node.ref
        if ref is not None:
            if len(ref) == HASH_LENGTH:
                self.removed.append(ref)
            node.ref = None

    def drop_value(self, node: _Node) -> None:
        if node.hashed and node.value is not None:
            self.removed.append(node.value)

    def set_value(self, node: _Node, value: bytes) -> None:
        if self.threshold is not None and len(value) >= self.threshold:
            value_hash = blake2_256(value)
            self.new_nodes[value_hash] = value
            node.value, node.hashed = value_hash, True
        else:
            node.value, node.hashed = value, False

    def same_value(self, node: _Node, value: bytes) -> bool:
        """Whether writing `value` would leave `node`'s value exactly as it is stored."""
        if node.value is None:
            return False
        if self.threshold is not None and len(value) >= self.threshold:
            return node.hashed and node.value == blake2_256(value)
        return not node.hashed and node.value == value

    def new_leaf(self, partial: str, value: bytes) -> _Node:
        node = _Node(partial, None, False, None)
        self.set_value(node, value)
        return node

    def child(self, node: _Node, index: int) -> _Node | None:
        assert node.children is not None
        slot = node.children[index]
        if slot is None or isinstance(slot, _Node):
            return slot
        resolved = self.load(slot)
        node.children[index] = resolved
        return resolved

    # --- insertion -------------------------------------------------------------------------

    def insert(self, node: _Node | None, path: str, depth: int, value: bytes) -> _Node:
        if node is None:
            return self.new_leaf(path[depth:], value)
        partial = node.partial
        plen = len(partial)
        if path.startswith(partial, depth):
            pos = depth + plen
            if pos == len(path):
                if self.same_value(node, value):
                    return node
                self.touch(node)
                self.drop_value(node)
                self.set_value(node, value)
                return node
            if node.children is None:
                node.children = [None] * 16
            index = _INDEX[path[pos]]
            old = self.child(node, index)
            new = self.insert(old, path, pos + 1, value)
            if new is not old or new.ref is None:
                self.touch(node)
                node.children[index] = new
            return node
        # The key leaves this node's partial key: split it under a new branch.
        common = 0
        room = len(path) - depth
        while common < room and partial[common] == path[depth + common]:
            common += 1
        self.touch(node)
        branch = _Node(partial[:common], None, False, [None] * 16)
        assert branch.children is not None
        branch.children[_INDEX[partial[common]]] = node
        node.partial = partial[common + 1 :]
        pos = depth + common
        if pos == len(path):
            self.set_value(branch, value)
        else:
            branch.children[_INDEX[path[pos]]] = self.new_leaf(path[pos + 1 :], value)
        return branch

    # --- deletion --------------------------------------------------------------------------

    def remove(self, node: _Node | None, path: str, depth: int) -> _Node | None:
        if node is None:
            return None
        partial = node.partial
        if not path.startswith(partial, depth):
            return node
        pos = depth + len(partial)
        if pos == len(path):
            if node.value is None:
                return node
            self.touch(node)
            self.drop_value(node)
            node.value, node.hashed = None, False
            if node.children is None:
                return None
            return self.normalise(node)
        if node.children is None:
            return node
        index = _INDEX[path[pos]]
        old = self.child(node, index)
        if old is None:
            return node
        new = self.remove(old, path, pos + 1)
        if new is old and new.ref is not None:
            return node
        self.touch(node)
        node.children[index] = new
        if new is None:
            return self.normalise(node)
        return node

    def normalise(self, node: _Node) -> _Node | None:
        """Restore normal form after a removal: no valueless branch with fewer than 2 children."""
        assert node.children is not None
        present = [i for i, slot in enumerate(node.children) if slot is not None]
        if node.value is not None:
            if not present:
                node.children = None
            return node
        if len(present) > 1:
            return node
        if not present:
            return None
        index = present[0]
        only = self.child(node, index)
        assert only is not None
        self.touch(only)
        only.partial = node.partial + _HEX[index] + only.partial
        return only

    # --- encoding --------------------------------------------------------------------------

    def encode(self, node: _Node) -> bytes:
        children = node.children
        if children is None:
            assert node.value is not None
            return encode_leaf(node.partial, node.value, value_hashed=node.hashed)
        refs: list[bytes | None] = [None] * 16
        for i, slot in enumerate(children):
            if slot is None or isinstance(slot, bytes):
                refs[i] = slot
            else:
                refs[i] = self.reference(slot)
        return encode_branch(node.partial, node.value, refs, value_hashed=node.hashed)

    def reference(self, node: _Node) -> bytes:
        if node.ref is not None:
            return node.ref
        encoded = self.encode(node)
        if len(encoded) < HASH_LENGTH:
            return encoded
        node_hash = blake2_256(encoded)
        self.new_nodes[node_hash] = encoded
        return node_hash


@dataclass(frozen=True, slots=True)
class Trie:
    """A trie at one root over a node store.

    Attributes:
        store: Where the nodes live.
        root: The root hash (`EMPTY_TRIE_ROOT` for an empty trie).
        version: The layout new values are written with (the runtime's state version).
    """

    store: NodeStore = field(compare=False)
    root: bytes = EMPTY_TRIE_ROOT
    version: StateVersion = StateVersion.V1

    @classmethod
    def from_pairs(
        cls,
        store: NodeStore,
        pairs: Iterable[tuple[bytes, bytes]],
        version: StateVersion = StateVersion.V1,
    ) -> Trie:
        """Build the trie of `pairs` in one pass (fast), write its nodes, and return it."""
        keys, values = sorted_pairs(pairs)
        nodes: dict[bytes, bytes] = {}
        encoded = encode_trie(keys, values, version, nodes)
        root = blake2_256(encoded)
        if encoded != EMPTY_NODE:
            nodes[root] = encoded
        store.put_many(nodes)
        return cls(store, root, version)

    def _fetch(self, node_hash: bytes) -> bytes:
        data = self.store.get(node_hash)
        if data is None:
            raise MissingNode(node_hash)
        return data

    @property
    def is_empty(self) -> bool:
        """Whether the trie holds no key."""
        return self.root == EMPTY_TRIE_ROOT

    def get(self, key: bytes) -> bytes | None:
        """Return the value under `key`, or None.

        Raises:
            MissingNode: a node on the path is not in the store.
        """
        return lookup(self._fetch, self.root, key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self.get(key) is not None

    def closest_descendant_merkle_value(self, key: bytes) -> bytes | None:
        """The Merkle value of the node at `key` or of its closest descendant, or None.

        Raises:
            MissingNode: a node on the path is not in the store.
        """
        return closest_descendant_merkle_value(self._fetch, self.root, key)

    def iter_prefix(
        self, prefix: bytes = b"", start_after: bytes | None = None
    ) -> Iterator[tuple[bytes, bytes]]:
        """Yield ``(key, value)`` for keys starting with `prefix`, in key order.

        Args:
            prefix: Only keys with this prefix.
            start_after: Only keys strictly greater than this one (paging).
        """
        start = None if start_after is None else start_after + b"\x00"
        for key, value in iterate(self._fetch, self.root, prefix, start):
            assert value is not None
            yield key, value

    def iter_keys(self, prefix: bytes = b"", start_after: bytes | None = None) -> Iterator[bytes]:
        """Yield the keys starting with `prefix` (and after `start_after`), in key order.

        This is `state_getKeysPaged`: ``islice(trie.iter_keys(prefix, start_key), count)``.
        V1 value nodes are not read.
        """
        start = None if start_after is None else start_after + b"\x00"
        for key, _ in iterate(self._fetch, self.root, prefix, start, with_values=False):
            yield key

    def next_key(self, key: bytes) -> bytes | None:
        """Return the smallest key strictly greater than `key` (`ext_storage_next_key`)."""
        return next(self.iter_keys(b"", key), None)

    def apply(
        self, changes: Mapping[bytes, bytes | None], decode: Decode = decode_node
    ) -> TrieUpdate:
        """Compute the effect of a batch of changes (value, or None to delete); write nothing.

        `decode` decodes the stored nodes on the changed paths (a reader that has decoded them
        already, e.g. while reading the keys it now changes, may pass its cache).

        Raises:
            MissingNode: a node needed on a changed path is not in the store.
        """
        batch = _Batch(self.store, self.version, decode)
        old_root = self.root
        root_node: _Node | None = None
        if old_root != EMPTY_TRIE_ROOT:
            root_node = batch.load(old_root)
        for key in sorted(changes):
            value = changes[key]
            path = key.hex()
            if value is None:
                root_node = batch.remove(root_node, path, 0)
            else:
                root_node = batch.insert(root_node, path, 0, value)
        if root_node is not None and root_node.ref == old_root:
            return TrieUpdate(old_root, batch.new_nodes, tuple(batch.removed))
        # The root changed. A small old root node is stored by hash although inline-sized.
        if old_root != EMPTY_TRIE_ROOT and old_root not in batch.removed:
            batch.removed.append(old_root)
        if root_node is None:
            return TrieUpdate(EMPTY_TRIE_ROOT, batch.new_nodes, tuple(batch.removed))
        encoded = batch.encode(root_node)
        root = blake2_256(encoded)
        batch.new_nodes[root] = encoded
        return TrieUpdate(root, batch.new_nodes, tuple(batch.removed))

    def commit(self, update: TrieUpdate) -> Trie:
        """Write `update`'s new nodes to the store and return the trie at its root."""
        self.store.put_many(update.new_nodes)
        return Trie(self.store, update.root, self.version)

    def updated(self, changes: Mapping[bytes, bytes | None]) -> Trie:
        """Apply `changes`, write the new nodes and return the new trie (`apply`, `commit`)."""
        return self.commit(self.apply(changes))
