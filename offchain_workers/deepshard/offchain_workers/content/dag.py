"""Walking DAGs over any `BlockSource`: file bytes, every block, paths and directory listings.

Each walk takes a `Bounds` and charges every block to a `Budget`, so a DAG that is too large,
too wide or too deep stops with `BoundsExceeded` naming the CID, never by running out of memory.
File reads also check UnixFS's own bookkeeping (``blocksizes`` against links, the bytes produced
against ``filesize``), so a node that lies about its size is a `MalformedNode`.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from deepshard.offchain_workers.content.car import read_car
from deepshard.offchain_workers.content.cids import CID, DAG_PB, RAW, cid_from_bytes, verify_block
from deepshard.offchain_workers.content.dagpb import PBLink, PBNode, decode_node
from deepshard.offchain_workers.content.errors import (
    BoundsExceeded,
    MalformedNode,
    NoSuchLink,
    NotAFile,
)
from deepshard.offchain_workers.content.importer import hamt_hash
from deepshard.offchain_workers.content.store import BlockSource, Bounds
from deepshard.offchain_workers.content.unixfs import DataType, UnixFSData, decode_unixfs

__all__ = [
    "Budget",
    "DecodedNode",
    "decode_block",
    "iter_file",
    "walk_dag",
    "resolve_path",
    "list_directory",
    "file_size",
    "verified_car_blocks",
    "walk_entity",
]

IDENTITY = 0x00
"""Multihash code of the identity hash (the data is inside the CID)."""


class Budget:
    """What one operation may still read; `charge` raises once a bound is passed."""

    def __init__(self, bounds: Bounds, backend: str) -> None:
        self.bounds = bounds
        self.backend = backend
        self.bytes = 0
        self.blocks = 0

    def charge(self, cid: CID, size: int, depth: int) -> None:
        """Account for one block of ``size`` bytes at ``depth`` below the root.

        Raises:
            BoundsExceeded: the block, the running totals or the depth pass their bound.
        """
        self.bytes += size
        self.blocks += 1
        b = self.bounds
        for over, what in (
            (size > b.max_block_size, f"block of {size} bytes exceeds {b.max_block_size}"),
            (self.bytes > b.max_bytes, f"more than {b.max_bytes} bytes"),
            (self.blocks > b.max_blocks, f"more than {b.max_blocks} blocks"),
            (depth > b.max_depth, f"deeper than {b.max_depth} levels"),
        ):
            if over:
                raise BoundsExceeded(what, cid=str(cid), backend=self.backend)


@dataclass(frozen=True, slots=True)
class DecodedNode:
    """A block seen as UnixFS: raw bytes (``node`` is None) or a dag-pb node and its message."""

    cid: CID
    node: PBNode | None
    unixfs: UnixFSData | None
    raw: bytes

    @property
    def links(self) -> tuple[PBLink, ...]:
        """The node's links (none for raw blocks)."""
        return () if self.node is None else self.node.links


def decode_block(cid: CID, block: bytes, backend: str) -> DecodedNode:
    """Decode a verified block by its codec.

    Raises:
        MalformedNode: an unsupported codec, or a dag-pb/UnixFS decoding error.
    """
    code = cid.codec.code
    if code == RAW:
        return DecodedNode(cid, None, None, block)
    if code != DAG_PB:
        raise MalformedNode(f"unsupported codec {cid.codec.name}", cid=str(cid), backend=backend)
    try:
        node = decode_node(block)
        unixfs = decode_unixfs(node.data) if node.data is not None else None
        for link in node.links:
            cid_from_bytes(link.hash)
    except (ValueError, UnicodeDecodeError, KeyError) as exc:
        raise MalformedNode(f"not dag-pb/UnixFS: {exc}", cid=str(cid), backend=backend) from exc
    return DecodedNode(cid, node, unixfs, block)


async def _fetch(source: BlockSource, cid: CID, budget: Budget, depth: int) -> DecodedNode:
    if cid.hashfun.code == IDENTITY:
        block = cid.raw_digest
    else:
        block = await source.get_block(cid, budget.bounds)
    budget.charge(cid, len(block), depth)
    return decode_block(cid, block, source.name)


def file_size(node: DecodedNode) -> int:
    """The size of the file a node stands for.

    Raises:
        NotAFile: a directory, symlink or HAMT shard.
    """
    if node.node is None:
        return len(node.raw)
    fs = node.unixfs
    if fs is None or fs.type not in (DataType.FILE, DataType.RAW):
        kind = "no UnixFS data" if fs is None else fs.type.name.lower()
        raise NotAFile(f"not a file ({kind})", cid=str(node.cid))
    if fs.filesize is not None:
        return fs.filesize
    return len(fs.data or b"") + sum(fs.blocksizes)


async def iter_file(
    source: BlockSource,
    cid: CID,
    bounds: Bounds,
    *,
    offset: int = 0,
    length: int | None = None,
) -> AsyncIterator[bytes]:
    """Stream bytes ``[offset, offset+length)`` of a UnixFS file (or a raw block).

    Subtrees wholly before ``offset`` are skipped using ``blocksizes`` without being fetched.

    Raises:
        NotAFile: the CID names a directory or symlink.
        MalformedNode: the DAG's sizes disagree with its bytes.
        BoundsExceeded, BlockNotFound, BlockVerificationFailed: from the walk and the source.
    """
    budget = Budget(bounds, source.name)
    root = await _fetch(source, cid, budget, 0)
    total = file_size(root)
    if total > bounds.max_bytes:
        raise BoundsExceeded(
            f"file of {total} bytes exceeds {bounds.max_bytes}", cid=str(cid), backend=source.name
        )
    end = total if length is None else min(total, offset + length)
    if offset >= end:
        return
    produced = 0
    async for piece in _file_pieces(source, root, budget, depth=0, start=0, offset=offset, end=end):
        produced += len(piece)
        yield piece
    if produced != end - offset:
        raise MalformedNode(
            f"file DAG yields {produced} bytes where {end - offset} were declared",
            cid=str(cid),
            backend=source.name,
        )


async def _file_pieces(
    source: BlockSource,
    node: DecodedNode,
    budget: Budget,
    *,
    depth: int,
    start: int,
    offset: int,
    end: int,
) -> AsyncIterator[bytes]:
    """Yield the bytes of ``node`` (which begins at file position ``start``) within the window."""
    if node.node is None:
        data = node.raw
        children: list[tuple[PBLink, int]] = []
    else:
        fs = node.unixfs
        if fs is None or fs.type not in (DataType.FILE, DataType.RAW):
            raise MalformedNode("a file links to a non-file node", cid=str(node.cid))
        data = fs.data or b""
        if len(fs.blocksizes) != len(node.links):
            raise MalformedNode(
                f"{len(node.links)} links but {len(fs.blocksizes)} blocksizes",
                cid=str(node.cid),
                backend=source.name,
            )
        declared = len(data) + sum(fs.blocksizes)
        if fs.filesize is not None and fs.filesize != declared:
            raise MalformedNode(
                f"filesize {fs.filesize} differs from the sum of its parts {declared}",
                cid=str(node.cid),
                backend=source.name,
            )
        children = list(zip(node.links, fs.blocksizes, strict=True))
    position = start
    if data:
        lo, hi = max(offset - position, 0), min(end - position, len(data))
        if lo < hi:
            yield data[lo:hi]
        position += len(data)
    for link, size in children:
        if position >= end:
            return
        if position + size <= offset:
            position += size
            continue
        child_cid = cid_from_bytes(link.hash)
        child = await _fetch(source, child_cid, budget, depth + 1)
        child_size = file_size(child)
        if child_size != size:
            raise MalformedNode(
                f"child {child_cid} holds {child_size} bytes, its parent says {size}",
                cid=str(node.cid),
                backend=source.name,
            )
        async for piece in _file_pieces(
            source, child, budget, depth=depth + 1, start=position, offset=offset, end=end
        ):
            yield piece
        position += size


async def walk_dag(
    source: BlockSource, cid: CID, bounds: Bounds
) -> AsyncIterator[tuple[CID, bytes]]:
    """Every block under ``cid`` once, depth-first in link order (the order of `dag export`).

    Raises:
        BoundsExceeded, BlockNotFound, BlockVerificationFailed, MalformedNode.
    """
    budget = Budget(bounds, source.name)
    seen: set[bytes] = set()
    stack: list[tuple[CID, int]] = [(cid, 0)]
    while stack:
        current, depth = stack.pop()
        key = bytes(current)
        if key in seen:
            continue
        seen.add(key)
        node = await _fetch(source, current, budget, depth)
        if current.hashfun.code != IDENTITY:
            yield current, node.raw
        stack.extend((cid_from_bytes(link.hash), depth + 1) for link in reversed(node.links))


async def walk_entity(
    source: BlockSource, cid: CID, bounds: Bounds
) -> AsyncIterator[tuple[CID, bytes]]:
    """The blocks of one UnixFS entity: a whole file, or a directory without its children.

    A flat directory is its one block; a HAMT-sharded one is every shard node (but none of the
    entries they point to). This is the trustless gateway's ``dag-scope=entity``.
    """
    budget = Budget(bounds, source.name)
    root = await _fetch(source, cid, budget, 0)
    kind = root.unixfs.type if root.unixfs else None
    if kind is DataType.DIRECTORY:
        yield cid, root.raw
    elif kind is DataType.HAMT_SHARD:
        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            yield node.cid, node.raw
            width = _hamt_width(node)
            for link in reversed(node.links):
                if len(link.name or "") == width:
                    child = await _fetch(source, cid_from_bytes(link.hash), budget, depth + 1)
                    stack.append((child, depth + 1))
    else:
        async for item in walk_dag(source, cid, bounds):
            yield item


async def list_directory(
    source: BlockSource, cid: CID, bounds: Bounds
) -> list[tuple[str, CID, int]]:
    """The entries ``(name, cid, tsize)`` of a directory, flat or HAMT-sharded, sorted by name.

    Raises:
        NotAFile: ``cid`` is not a directory (the error names what it is).
    """
    budget = Budget(bounds, source.name)
    root = await _fetch(source, cid, budget, 0)
    kind = root.unixfs.type if root.unixfs else None
    if kind is DataType.DIRECTORY:
        entries = [(ln.name or "", cid_from_bytes(ln.hash), ln.tsize or 0) for ln in root.links]
    elif kind is DataType.HAMT_SHARD:
        entries = [e async for e in _hamt_entries(source, root, budget, 0)]
    else:
        raise NotAFile("not a directory", cid=str(cid), backend=source.name)
    return sorted(entries, key=lambda e: e[0].encode())


def _hamt_width(node: DecodedNode) -> int:
    fanout = node.unixfs.fanout if node.unixfs else None
    if not fanout or fanout & (fanout - 1) or fanout > 1024:
        raise MalformedNode(f"HAMT fanout {fanout} is not a power of two", cid=str(node.cid))
    return len(f"{fanout - 1:X}")


async def _hamt_entries(
    source: BlockSource, node: DecodedNode, budget: Budget, depth: int
) -> AsyncIterator[tuple[str, CID, int]]:
    width = _hamt_width(node)
    for link in node.links:
        name = link.name or ""
        if len(name) < width:
            raise MalformedNode(f"HAMT link name {name!r} too short", cid=str(node.cid))
        child = cid_from_bytes(link.hash)
        if len(name) == width:
            sub = await _fetch(source, child, budget, depth + 1)
            if sub.unixfs is None or sub.unixfs.type is not DataType.HAMT_SHARD:
                raise MalformedNode("HAMT bucket link to a non-shard", cid=str(node.cid))
            async for entry in _hamt_entries(source, sub, budget, depth + 1):
                yield entry
        else:
            yield name[width:], child, link.tsize or 0


async def resolve_path(
    source: BlockSource,
    cid: CID,
    path: str,
    bounds: Bounds,
    *,
    visited: list[CID] | None = None,
) -> CID:
    """Follow ``a/b/c`` from the directory ``cid`` (through HAMT shards) to a CID.

    ``visited`` collects every block read on the way (the proof a trustless client needs).

    Raises:
        NoSuchLink: an entry is missing; NotAFile: a path component is not a directory.
    """
    budget = Budget(bounds, source.name)
    current = cid
    for part in (p for p in path.split("/") if p):
        node = await _fetch(source, current, budget, 0)
        if visited is not None:
            visited.append(current)
        kind = node.unixfs.type if node.unixfs else None
        if kind is DataType.DIRECTORY:
            found = next((ln for ln in node.links if ln.name == part), None)
            if found is None:
                raise NoSuchLink(f"no entry {part!r}", cid=str(current), backend=source.name)
            current = cid_from_bytes(found.hash)
        elif kind is DataType.HAMT_SHARD:
            current = await _hamt_lookup(source, node, part, budget, visited)
        else:
            raise NotAFile(f"cannot look up {part!r}: not a directory", cid=str(current))
    return current


async def _hamt_lookup(
    source: BlockSource,
    node: DecodedNode,
    name: str,
    budget: Budget,
    visited: list[CID] | None,
) -> CID:
    digest = int.from_bytes(hamt_hash(name.encode()), "big")
    depth = 0
    while True:
        width = _hamt_width(node)
        assert node.unixfs is not None
        assert node.unixfs.fanout is not None
        bits = node.unixfs.fanout.bit_length() - 1
        if bits * (depth + 1) > 64:
            raise NoSuchLink(f"no entry {name!r}", cid=str(node.cid), backend=source.name)
        index = (digest >> (64 - bits * (depth + 1))) & (node.unixfs.fanout - 1)
        prefix = f"{index:0{width}X}"
        for link in node.links:
            label = link.name or ""
            if label == prefix:
                node = await _fetch(source, cid_from_bytes(link.hash), budget, depth + 1)
                if visited is not None:
                    visited.append(node.cid)
                depth += 1
                break
            if label == prefix + name:
                return cid_from_bytes(link.hash)
        else:
            raise NoSuchLink(f"no entry {name!r}", cid=str(node.cid), backend=source.name)


async def verified_car_blocks(
    chunks: AsyncIterable[bytes],
    root: CID,
    bounds: Bounds,
    backend: str,
    *,
    complete: bool = True,
) -> AsyncIterator[tuple[CID, bytes]]:
    """Check a CAR stream of the DAG under ``root`` block by block, as a trustless client must.

    Each block must hash to its CID and be the root or a child of a block already received
    (so a server cannot push unrelated data); when the stream ends every link must have been
    served, unless ``complete`` is off (a path, ``entity`` or ``block`` scope, where only
    part of what the blocks link to is sent). Duplicates are skipped.

    Raises:
        BlockVerificationFailed: a block does not hash to its CID.
        MalformedNode: an unrequested block, a wrong root, or an incomplete DAG.
        BoundsExceeded: the DAG passes ``bounds``.
    """
    budget = Budget(bounds, backend)
    expected: dict[bytes, int] = {bytes(root): 0}
    received: set[bytes] = set()
    async for roots, cid, data in read_car(
        chunks, max_section=bounds.max_block_size + 128, backend=backend
    ):
        if cid is None:
            if [bytes(r) for r in roots] != [bytes(root)]:
                raise MalformedNode(
                    "CAR roots differ from the request", cid=str(root), backend=backend
                )
            continue
        key = bytes(cid)
        if key in received:
            continue
        depth = expected.get(key)
        if depth is None:
            raise MalformedNode("CAR holds a block nobody asked for", cid=str(cid), backend=backend)
        verify_block(cid, data, backend)
        budget.charge(cid, len(data), depth)
        node = decode_block(cid, data, backend)
        received.add(key)
        for link in node.links:
            expected.setdefault(link.hash, depth + 1)
        yield cid, data
    if not complete:
        return
    missing = [
        k for k in expected if k not in received and cid_from_bytes(k).hashfun.code != IDENTITY
    ]
    if missing:
        raise MalformedNode(
            f"CAR ends with {len(missing)} linked blocks missing",
            cid=str(cid_from_bytes(missing[0])),
            backend=backend,
        )
