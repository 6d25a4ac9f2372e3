"""Kubo's CID profiles: the import settings that decide which CID a given file gets.

``unixfs-v0-2015`` is Kubo's long-standing default, ``unixfs-v1-2025`` the modern profile of
IPIP-499. The directory threshold and its estimation rule decide when a directory becomes a
HAMT shard: the v0 profile counts ``len(name) + len(cid)`` per entry, the v1 profile the exact
serialised size of the flat directory block; both shard above 256 KiB with fanout 256.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

__all__ = ["ShardEstimate", "ImportProfile", "UNIXFS_V0_2015", "UNIXFS_V1_2025", "PROFILES"]


class ShardEstimate(enum.StrEnum):
    """How the size of a flat directory is estimated against the sharding threshold."""

    LINKS_BYTES = "links-bytes"
    BLOCK_BYTES = "block-bytes"


@dataclass(frozen=True, slots=True)
class ImportProfile:
    """Every setting of a UnixFS import that changes the resulting CIDs."""

    name: str
    cid_version: int
    raw_leaves: bool
    chunk_size: int
    max_links: int
    shard_estimate: ShardEstimate = ShardEstimate.LINKS_BYTES
    shard_threshold: int = 256 * 1024
    shard_fanout: int = 256

    def __post_init__(self) -> None:
        if self.cid_version not in (0, 1):
            raise ValueError(f"CID version must be 0 or 1, not {self.cid_version}")
        if self.cid_version == 0 and self.raw_leaves:
            raise ValueError("raw leaves need CIDv1")
        if not 1 <= self.chunk_size <= 1024 * 1024 * 2:
            raise ValueError(f"chunk size must be 1 B .. 2 MiB, not {self.chunk_size}")
        if self.max_links < 2:
            raise ValueError("a node needs room for at least two links")
        if self.shard_fanout not in (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024):
            raise ValueError("the HAMT fanout must be a power of two")

    def with_options(
        self,
        *,
        cid_version: int | None = None,
        raw_leaves: bool | None = None,
        chunk_size: int | None = None,
    ) -> ImportProfile:
        """This profile with the CLI overrides applied (CIDv1 implies raw leaves, as in Kubo)."""
        version = self.cid_version if cid_version is None else cid_version
        if raw_leaves is None:
            raw_leaves = self.raw_leaves if cid_version is None else version == 1
        return replace(
            self,
            name=f"{self.name}+custom",
            cid_version=version,
            raw_leaves=raw_leaves,
            chunk_size=self.chunk_size if chunk_size is None else chunk_size,
        )


UNIXFS_V0_2015 = ImportProfile(
    name="unixfs-v0-2015",
    cid_version=0,
    raw_leaves=False,
    chunk_size=256 * 1024,
    max_links=174,
    shard_estimate=ShardEstimate.LINKS_BYTES,
)
"""Kubo's default: CIDv0, dag-pb leaves, 256 KiB chunks, 174 links per node."""

UNIXFS_V1_2025 = ImportProfile(
    name="unixfs-v1-2025",
    cid_version=1,
    raw_leaves=True,
    chunk_size=1024 * 1024,
    max_links=1024,
    shard_estimate=ShardEstimate.BLOCK_BYTES,
)
"""The 2025 profile: CIDv1 base32, raw leaves, 1 MiB chunks, 1,024 links per node."""

PROFILES: dict[str, ImportProfile] = {p.name: p for p in (UNIXFS_V0_2015, UNIXFS_V1_2025)}
"""The profiles by name."""

DEFAULT_PROFILE_NAME = UNIXFS_V0_2015.name
"""The profile used when none is named (Kubo's default)."""
