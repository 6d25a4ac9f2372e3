"""The on-disk layout: LMDB sub-databases, their keys and values, and the schema version.

Introduction
------------
One LMDB environment holds these named sub-databases (all keys and values are raw bytes):

=================  ===================================  =========================================
name               key                                  value
=================  ===================================  =========================================
``meta``           `META_*` names                       see below
``headers``        block hash (32)                      SCALE header
``bodies``         block hash (32)                      ``Compact(n) ++ extrinsics`` (each one
                                                        length-prefixed: `Block.encode`'s tail)
``justifications`` block hash (32)                      SCALE ``Vec<(engine id, Vec<u8>)>``
``canonical``      block number (u32 big-endian)        block hash of the best chain
``children``       parent hash (32) ++ child hash (32)  empty
``leaves``         block hash (32)                      block number (u32 big-endian)
``states``         block hash (32)                      state root (32): the block's state is kept
``nodes``          node hash (32)                       encoded trie node or V1 value node
``refs``           node hash (32)                       `RefCount` (u32 LE count, u8 flags)
=================  ===================================  =========================================

Meta: ``schema`` (u32 LE `SCHEMA_VERSION`), ``genesis``, ``best``, ``finalized`` (hashes),
``archive`` (one byte), ``prune_from`` (u32 LE: the lowest canonical number whose state the
finality window may still hold).

Block numbers are big-endian in keys so that LMDB's byte order is numeric order.
"""

from __future__ import annotations

import struct
from typing import Final

__all__ = [
    "SCHEMA_VERSION",
    "SUB_DATABASES",
    "META_SCHEMA",
    "META_GENESIS",
    "META_BEST",
    "META_FINALIZED",
    "META_ARCHIVE",
    "META_PRUNE_FROM",
    "number_key",
    "key_number",
    "pack_u32",
    "unpack_u32",
]

SCHEMA_VERSION: Final = 1
"""Bumped whenever the layout changes; a database of another version is refused."""

SUB_DATABASES: Final = (
    "meta",
    "headers",
    "bodies",
    "justifications",
    "canonical",
    "children",
    "leaves",
    "states",
    "nodes",
    "refs",
)
"""Names of the LMDB sub-databases, in the order they are opened."""

META_SCHEMA: Final = b"schema"
"""Meta key of the schema version."""
META_GENESIS: Final = b"genesis"
"""Meta key of the genesis hash."""
META_BEST: Final = b"best"
"""Meta key of the best block hash."""
META_FINALIZED: Final = b"finalized"
"""Meta key of the finalized block hash."""
META_ARCHIVE: Final = b"archive"
"""Meta key of the pruning mode (``b"\\x01"`` archive, ``b"\\x00"`` pruned)."""
META_PRUNE_FROM: Final = b"prune_from"
"""Meta key of the lowest canonical number whose finalized state may still be kept."""

_BE32: Final = struct.Struct(">I")
_LE32: Final = struct.Struct("<I")


def number_key(number: int) -> bytes:
    """Return the ``canonical`` key of a block number (u32 big-endian)."""
    return _BE32.pack(number)


def key_number(key: bytes) -> int:
    """Return the block number of a ``canonical`` key or ``leaves`` value."""
    return int(_BE32.unpack(key)[0])


def pack_u32(value: int) -> bytes:
    """Encode a u32 little-endian (meta values)."""
    return _LE32.pack(value)


def unpack_u32(data: bytes) -> int:
    """Decode a u32 little-endian (meta values)."""
    return int(_LE32.unpack(data)[0])
