"""Default child tries: their roots live in the top trie under a reserved key.

A default child trie with storage key ``k`` is an ordinary trie; its root is stored in the
top trie at ``:child_storage:default: ++ k`` (the raw 32 bytes), and only if the child trie
is not empty. Raw chain specs carry child tries under ``genesis.raw.childrenDefault``, keyed by
the unprefixed storage key ``k``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from deepshard.primitives.trie.root import trie_root
from deepshard.primitives.trie.version import EMPTY_TRIE_ROOT, StateVersion

__all__ = [
    "CHILD_STORAGE_KEY_PREFIX",
    "DEFAULT_CHILD_STORAGE_KEY_PREFIX",
    "prefixed_child_storage_key",
    "child_trie_root",
    "top_pairs_with_children",
    "genesis_state_root",
]

CHILD_STORAGE_KEY_PREFIX: Final = b":child_storage:"
"""Prefix of every top-trie key that holds a child trie root."""

DEFAULT_CHILD_STORAGE_KEY_PREFIX: Final = b":child_storage:default:"
"""Prefix of the top-trie keys holding default child trie roots."""

Pairs = Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]]


def _items(pairs: Pairs) -> Iterable[tuple[bytes, bytes]]:
    return pairs.items() if isinstance(pairs, Mapping) else pairs


def prefixed_child_storage_key(storage_key: bytes) -> bytes:
    """Return the top-trie key of the default child trie `storage_key`."""
    return DEFAULT_CHILD_STORAGE_KEY_PREFIX + storage_key


def child_trie_root(pairs: Pairs, version: StateVersion) -> bytes:
    """Return the root of one child trie (an ordinary trie)."""
    return trie_root(_items(pairs), version)


def top_pairs_with_children(
    top: Pairs, children_default: Mapping[bytes, Pairs], version: StateVersion
) -> dict[bytes, bytes]:
    """Return the top trie's pairs with each non-empty default child trie's root added."""
    pairs = dict(_items(top))
    for storage_key, child in children_default.items():
        root = child_trie_root(child, version)
        if root != EMPTY_TRIE_ROOT:
            pairs[prefixed_child_storage_key(storage_key)] = root
    return pairs


def genesis_state_root(
    top: Pairs, children_default: Mapping[bytes, Pairs], version: StateVersion
) -> bytes:
    """Return the state root of a raw genesis: top pairs plus default child tries."""
    return trie_root(top_pairs_with_children(top, children_default, version).items(), version)
