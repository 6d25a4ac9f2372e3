"""Where trie nodes live: the `NodeStore` protocol and its in-memory implementation.

Nodes are content-addressed: each stored node (and each V1 value node) is kept under its
``blake2_256``, as Substrate's state database keeps them. Nodes shorter than 32 bytes are
inlined in their parent and never stored on their own, except a root node, which is always
stored under its hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

__all__ = ["NodeStore", "MemoryNodeStore"]


@runtime_checkable
class NodeStore(Protocol):
    """A content-addressed store of encoded trie nodes and V1 value nodes."""

    def get(self, node_hash: bytes) -> bytes | None:
        """Return the bytes stored under `node_hash`, or None if there are none."""
        ...

    def put_many(self, nodes: Mapping[bytes, bytes]) -> None:
        """Store a batch of nodes (hash -> bytes), as one write."""
        ...


class MemoryNodeStore:
    """A `NodeStore` backed by a dict (tests, genesis, benchmarks)."""

    __slots__ = ("_nodes",)

    def __init__(self, nodes: Mapping[bytes, bytes] | None = None) -> None:
        self._nodes: dict[bytes, bytes] = dict(nodes) if nodes else {}

    def get(self, node_hash: bytes) -> bytes | None:
        """Return the bytes stored under `node_hash`, or None."""
        return self._nodes.get(node_hash)

    def put_many(self, nodes: Mapping[bytes, bytes]) -> None:
        """Store a batch of nodes."""
        self._nodes.update(nodes)

    def remove_many(self, node_hashes: Iterable[bytes]) -> None:
        """Forget nodes (a pruning helper; absent hashes are ignored)."""
        for node_hash in node_hashes:
            self._nodes.pop(node_hash, None)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_hash: object) -> bool:
        return node_hash in self._nodes
