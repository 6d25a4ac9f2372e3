"""Typed errors of the Substrate trie."""

from __future__ import annotations

__all__ = ["TrieError", "InvalidNode", "MissingNode", "InvalidProof"]


class TrieError(Exception):
    """Root of the trie's errors."""


class InvalidNode(TrieError, ValueError):
    """Bytes are not a valid encoding of a trie node (bad header, truncated, bad padding, ...)."""


class MissingNode(TrieError, LookupError):
    """A node (or V1 value node) referenced by hash is not in the node store.

    Attributes:
        node_hash: The 32-byte hash that could not be resolved.
    """

    def __init__(self, node_hash: bytes) -> None:
        super().__init__(f"trie node 0x{node_hash.hex()} is not in the store")
        self.node_hash = node_hash


class InvalidProof(TrieError):
    """A storage proof does not prove what it is asked to.

    A node is missing, tampered with or not decodable, or (in strict mode) the proof holds
    nodes that none of the keys needs.
    """
