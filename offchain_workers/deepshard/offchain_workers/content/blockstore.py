"""The embedded blockstore: blocks and pins in one LMDB environment.

Blocks are keyed by multihash (as Kubo keys its blockstore), so a CIDv0 and a CIDv1 of the same
bytes share one entry. Pins are keyed by the binary CID. LMDB commits are atomic and, with
``sync`` on, durable when they return: a crash loses at most the batch being written, and a
batch that never committed leaves nothing behind. Blocks written without a pin are garbage that
`gc` removes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import lmdb

__all__ = ["LmdbBlockstore"]

DEFAULT_MAP_SIZE = 1 << 40
"""Address space reserved for the environment (sparse: disk is used only as blocks arrive)."""


class LmdbBlockstore:
    """Blocks (multihash -> bytes) and pins (binary CID -> pin type) on disk."""

    def __init__(self, path: Path, *, map_size: int = DEFAULT_MAP_SIZE) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._env: Any = lmdb.open(
            str(path), map_size=map_size, max_dbs=3, sync=True, metasync=True, readahead=False
        )
        self._blocks: Any = self._env.open_db(b"blocks")
        self._pins: Any = self._env.open_db(b"pins")

    def close(self) -> None:
        """Close the environment."""
        self._env.close()

    def get(self, key: bytes) -> bytes | None:
        """The block stored under multihash ``key``, if any."""
        with self._env.begin(db=self._blocks, buffers=False) as txn:
            value = txn.get(key)
        return None if value is None else bytes(value)

    def size(self, key: bytes) -> int | None:
        """The size of the block under ``key``, if stored."""
        with self._env.begin(db=self._blocks, buffers=True) as txn:
            value = txn.get(key)
            return None if value is None else len(value)

    def has(self, key: bytes) -> bool:
        """Whether a block is stored under ``key``."""
        return self.size(key) is not None

    def put_many(self, items: Iterable[tuple[bytes, bytes]]) -> list[bytes]:
        """Store blocks in one transaction; return the keys that were not there before."""
        added: list[bytes] = []
        with self._env.begin(db=self._blocks, write=True) as txn:
            for key, value in items:
                if txn.put(key, value, overwrite=False):
                    added.append(key)
        return added

    def delete_many(self, keys: Iterable[bytes]) -> int:
        """Remove blocks in one transaction; return how many were there."""
        removed = 0
        with self._env.begin(db=self._blocks, write=True) as txn:
            for key in keys:
                removed += bool(txn.delete(key))
        return removed

    def stored(self) -> Iterator[bytes]:
        """Every stored multihash (a snapshot taken when iteration starts)."""
        with self._env.begin(db=self._blocks) as txn:
            found = [bytes(k) for k in txn.cursor().iternext(keys=True, values=False)]
        yield from found

    def set_pin(self, cid: bytes, kind: str) -> None:
        """Record a pin."""
        with self._env.begin(db=self._pins, write=True) as txn:
            txn.put(cid, kind.encode())

    def remove_pin(self, cid: bytes) -> bool:
        """Forget a pin; False if there was none."""
        with self._env.begin(db=self._pins, write=True) as txn:
            return bool(txn.delete(cid))

    def pins(self) -> list[tuple[bytes, str]]:
        """Every pin as ``(binary CID, type)``, in key order."""
        with self._env.begin(db=self._pins) as txn:
            return [(bytes(k), bytes(v).decode()) for k, v in txn.cursor()]

    def pin_of(self, cid: bytes) -> str | None:
        """The pin type recorded for ``cid``, if any."""
        with self._env.begin(db=self._pins) as txn:
            value = txn.get(cid)
        return None if value is None else bytes(value).decode()
