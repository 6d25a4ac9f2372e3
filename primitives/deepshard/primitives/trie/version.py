"""Trie layouts (state versions) and the constants every part of the trie shares."""

from __future__ import annotations

import enum
from typing import Final

from deepshard.primitives.hashing import blake2_256

__all__ = [
    "StateVersion",
    "HASH_LENGTH",
    "EMPTY_NODE",
    "EMPTY_TRIE_ROOT",
    "TRIE_VALUE_NODE_THRESHOLD",
    "value_threshold",
]


class StateVersion(enum.IntEnum):
    """Substrate's `sp_core::storage::StateVersion`: which trie layout a value is written with.

    * ``V0`` (`LayoutV0`): every value is stored inline in its node.
    * ``V1`` (`LayoutV1`): values of `TRIE_VALUE_NODE_THRESHOLD` bytes or more are stored in a
      separate *value node*; the trie node carries ``blake2_256(value)`` instead.
    """

    V0 = 0
    V1 = 1


HASH_LENGTH: Final = 32
"""Length of a node hash (`BlakeTwo256`)."""

EMPTY_NODE: Final = b"\x00"
"""Encoding of the empty trie (`NodeHeader::Null`)."""

EMPTY_TRIE_ROOT: Final = blake2_256(EMPTY_NODE)
"""Root of the empty trie: ``blake2_256(0x00)`` = ``0x03170a2e...111314``."""

TRIE_VALUE_NODE_THRESHOLD: Final = 33
"""`sp_core::storage::TRIE_VALUE_NODE_THRESHOLD`: in V1, values this long or longer are hashed."""


def value_threshold(version: StateVersion) -> int | None:
    """Return the length from which values are stored out of line, or None if never (V0)."""
    return TRIE_VALUE_NODE_THRESHOLD if version is StateVersion.V1 else None
