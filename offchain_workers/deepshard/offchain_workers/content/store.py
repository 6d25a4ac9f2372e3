"""The `ContentStore` interface every backend implements, with its result types and bounds.

A worker names content only by CID and reaches it only through this interface, so the embedded
store, a Kubo node and a trustless gateway are interchangeable. Every block a backend hands
back has been hashed against its CID; every walk of a DAG is bounded by `Bounds`.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from deepshard.offchain_workers.content.cids import CID
from deepshard.offchain_workers.content.profiles import UNIXFS_V0_2015, ImportProfile

__all__ = [
    "DEFAULT_PROFILE",
    "Bounds",
    "AddedEntry",
    "BlockStat",
    "PinType",
    "Pin",
    "BlockSource",
    "ContentStore",
]

DEFAULT_PROFILE: ImportProfile = UNIXFS_V0_2015
"""Kubo's default profile, so `deepshard ipfs add` and `ipfs add` agree out of the box."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """Limits on one fetch or walk, so a hostile CID cannot exhaust memory or disk."""

    max_bytes: int = 64 * 1024**3
    """Total block bytes read (and file bytes produced) by one operation."""
    max_blocks: int = 4_000_000
    """Blocks (links followed) by one operation."""
    max_depth: int = 64
    """Depth of the DAG below the root."""
    max_block_size: int = 2 * 1024 * 1024
    """Size of any single block (Kubo and Bitswap refuse blocks above 2 MiB)."""


@dataclass(frozen=True, slots=True)
class AddedEntry:
    """One line of an add's result: the entry's path, CID, cumulative DAG size and file size."""

    name: str
    cid: CID
    tsize: int
    size: int


@dataclass(frozen=True, slots=True)
class BlockStat:
    """A block's CID and size."""

    cid: CID
    size: int


class PinType(enum.StrEnum):
    """Kubo's pin types."""

    RECURSIVE = "recursive"
    DIRECT = "direct"
    INDIRECT = "indirect"


@dataclass(frozen=True, slots=True)
class Pin:
    """A pinned CID and how it is pinned."""

    cid: CID
    type: PinType


@runtime_checkable
class BlockSource(Protocol):
    """Anything that hands out verified blocks by CID: the narrow need of a DAG walk."""

    name: str
    """The backend's name in errors (``embedded``, ``kubo-rpc http://…``, ``gateway https://…``)."""

    async def get_block(self, cid: CID, bounds: Bounds | None = None) -> bytes:
        """The block's bytes, verified against ``cid``.

        Raises:
            BlockNotFound: the source does not have it.
            BlockVerificationFailed: the bytes do not hash to ``cid``.
            BoundsExceeded: the block is larger than ``bounds.max_block_size``.
        """
        ...


@runtime_checkable
class ContentStore(BlockSource, Protocol):
    """Add, read, pin and move IPFS content, whatever the backend."""

    async def add_bytes(
        self, data: bytes, *, profile: ImportProfile = DEFAULT_PROFILE, pin: bool = True
    ) -> AddedEntry:
        """Import one file held in memory."""
        ...

    async def add_path(
        self,
        path: Path,
        *,
        profile: ImportProfile = DEFAULT_PROFILE,
        pin: bool = True,
        wrap: bool = False,
        hidden: bool = False,
    ) -> list[AddedEntry]:
        """Import a file or a directory tree; the last entry is the root."""
        ...

    def cat(
        self, cid: CID, *, offset: int = 0, length: int | None = None, bounds: Bounds | None = None
    ) -> AsyncIterator[bytes]:
        """Stream a UnixFS file's bytes (or a raw block's), every block verified."""
        ...

    async def put_block(self, data: bytes, *, codec: int, version: int = 1) -> CID:
        """Store one block and return its CID."""
        ...

    async def stat_block(self, cid: CID) -> BlockStat:
        """A block's size."""
        ...

    async def has(self, cid: CID) -> bool:
        """Whether the backend holds the block."""
        ...

    async def pin_add(
        self, cid: CID, *, recursive: bool = True, bounds: Bounds | None = None
    ) -> None:
        """Pin ``cid`` (and, recursively, every block below it)."""
        ...

    async def pin_rm(self, cid: CID) -> None:
        """Unpin ``cid``."""
        ...

    async def pin_ls(self, cid: CID | None = None) -> list[Pin]:
        """The pins (recursive and direct), or how one CID is pinned."""
        ...

    def export_car(self, cid: CID, *, bounds: Bounds | None = None) -> AsyncIterator[bytes]:
        """The DAG under ``cid`` as a CAR v1 stream (blocks in depth-first order)."""
        ...

    async def import_car(
        self, chunks: AsyncIterable[bytes], *, pin: bool = True, bounds: Bounds | None = None
    ) -> list[CID]:
        """Store the blocks of a CAR stream (each verified) and pin its roots; return the roots."""
        ...
