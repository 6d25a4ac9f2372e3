"""UnixFS import as Kubo does it: fixed-size chunks, a balanced DAG, flat or HAMT directories.

`FileBuilder` turns a byte stream into blocks (streaming; only one link per leaf is kept in
memory), `DirectoryBuilder` assembles named entries into directories, sharding any directory
whose estimated size passes the profile's threshold. Every block goes to a `BlockSink` as it is
made, so a store can persist while hashing and ``--only-hash`` can drop them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import mmh3

from deepshard.offchain_workers.content.cids import CID, DAG_PB, RAW, block_cid
from deepshard.offchain_workers.content.dagpb import PBLink, PBNode, encode_node
from deepshard.offchain_workers.content.profiles import ImportProfile, ShardEstimate
from deepshard.offchain_workers.content.protobuf import encode_varint, varint_size
from deepshard.offchain_workers.content.unixfs import (
    MURMUR3_X64_64,
    DataType,
    UnixFSData,
    encode_unixfs,
)

__all__ = [
    "BlockSink",
    "DiscardSink",
    "ImportedEntry",
    "FileBuilder",
    "DirectoryBuilder",
    "import_bytes",
    "hamt_hash",
    "file_leaf_block",
]


class BlockSink(Protocol):
    """Where an import sends each block it makes."""

    def put_block(self, cid: CID, data: bytes) -> None:
        """Store (or discard) one block."""


class DiscardSink:
    """A sink that keeps nothing: ``--only-hash``."""

    def put_block(self, cid: CID, data: bytes) -> None:
        """Drop the block."""


@dataclass(frozen=True, slots=True)
class ImportedEntry:
    """The root of an imported file or directory: its CID, cumulative size and file size."""

    cid: CID
    tsize: int
    size: int
    is_dir: bool = False


@dataclass(frozen=True, slots=True)
class _Child:
    cid: CID
    tsize: int
    filesize: int


def file_leaf_block(chunk: bytes) -> bytes:
    """The dag-pb leaf of a UnixFS file chunk, in one copy of the chunk.

    The same bytes as ``encode_node(PBNode((), encode_unixfs(UnixFSData(FILE, chunk,
    filesize=len(chunk)))))``, assembled around the chunk instead of through two nested
    encoders, because this runs once per chunk of every add (a test holds the two equal).
    """
    size = len(chunk)
    head = b"\x08\x02"
    if size:
        head += b"\x12" + encode_varint(size)
    tail = b"\x18" + encode_varint(size)
    inner = len(head) + size + len(tail)
    return b"".join((b"\x0a", encode_varint(inner), head, chunk, tail))


def _put(sink: BlockSink, block: bytes, *, codec: int, version: int) -> CID:
    cid = block_cid(block, codec=codec, version=version)
    sink.put_block(cid, block)
    return cid


class FileBuilder:
    """Chunk a byte stream and build its balanced UnixFS DAG.

    Call `write` any number of times, then `finish` once for the root entry.
    """

    def __init__(self, profile: ImportProfile, sink: BlockSink) -> None:
        self._profile = profile
        self._sink = sink
        self._pending = bytearray()
        self._leaves: list[_Child] = []
        self._finished = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Feed more bytes; full chunks become leaf blocks at once."""
        if self._finished:
            raise RuntimeError("write after finish")
        size = self._profile.chunk_size
        view = memoryview(data).cast("B")
        offset = 0
        if self._pending:
            # Complete the chunk left over from the previous write first.
            take = min(size - len(self._pending), len(view))
            self._pending += view[:take]
            offset = take
            if len(self._pending) < size:
                return
            self._leaf(bytes(self._pending))
            self._pending.clear()
        # Whole chunks straight from the caller's buffer; only the tail is kept.
        while len(view) - offset >= size:
            self._leaf(bytes(view[offset : offset + size]))
            offset += size
        self._pending += view[offset:]

    def _leaf(self, chunk: bytes) -> None:
        profile = self._profile
        if profile.raw_leaves:
            cid = _put(self._sink, chunk, codec=RAW, version=1)
            self._leaves.append(_Child(cid, len(chunk), len(chunk)))
            return
        block = file_leaf_block(chunk)
        cid = _put(self._sink, block, codec=DAG_PB, version=profile.cid_version)
        self._leaves.append(_Child(cid, len(block), len(chunk)))

    def _parent(self, children: list[_Child]) -> _Child:
        sizes = tuple(c.filesize for c in children)
        payload = encode_unixfs(UnixFSData(DataType.FILE, filesize=sum(sizes), blocksizes=sizes))
        links = tuple(PBLink(bytes(c.cid), "", c.tsize) for c in children)
        block = encode_node(PBNode(links, payload), sort_links=False)
        cid = _put(self._sink, block, codec=DAG_PB, version=self._profile.cid_version)
        return _Child(cid, len(block) + sum(c.tsize for c in children), sum(sizes))

    def finish(self) -> ImportedEntry:
        """Flush the last chunk and build the tree of parents up to one root."""
        if self._finished:
            raise RuntimeError("finish called twice")
        self._finished = True
        if self._pending or not self._leaves:
            self._leaf(bytes(self._pending))
            self._pending.clear()
        level = self._leaves
        if len(level) == 1:
            # One chunk: the leaf is the file (Kubo's and the importer's single-leaf rule).
            only = level[0]
            return ImportedEntry(only.cid, only.tsize, only.filesize)
        width = self._profile.max_links
        while len(level) > 1:
            level = [self._parent(level[i : i + width]) for i in range(0, len(level), width)]
        root = level[0]
        return ImportedEntry(root.cid, root.tsize, root.filesize)


def import_bytes(
    data: bytes, profile: ImportProfile, sink: BlockSink | None = None
) -> ImportedEntry:
    """Import one in-memory file."""
    builder = FileBuilder(profile, sink or DiscardSink())
    builder.write(data)
    return builder.finish()


def hamt_hash(name: bytes) -> bytes:
    """The 64-bit placement hash of a name: the first half of murmur3-x64-128, big-endian."""
    low, _high = mmh3.hash64(name, seed=0, x64arch=True, signed=False)
    return int(low).to_bytes(8, "big")


@dataclass(slots=True)
class _Dir:
    entries: dict[str, ImportedEntry | _Dir] = field(default_factory=dict)


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\x00" in name:
        raise ValueError(f"invalid name in a directory: {name!r}")


class DirectoryBuilder:
    """Collect named files and directories, then build the UnixFS directory tree."""

    def __init__(self, profile: ImportProfile, sink: BlockSink) -> None:
        self._profile = profile
        self._sink = sink
        self._root = _Dir()

    def _parent_of(self, parts: list[str]) -> _Dir:
        node = self._root
        for part in parts:
            _check_name(part)
            child = node.entries.get(part)
            if child is None:
                child = node.entries[part] = _Dir()
            if not isinstance(child, _Dir):
                raise ValueError(f"{part!r} is both a file and a directory")
            node = child
        return node

    def add_entry(self, path: str, entry: ImportedEntry) -> None:
        """Place a file (or an already-built directory) at ``path`` (``a/b/name``)."""
        *parents, name = path.strip("/").split("/")
        _check_name(name)
        parent = self._parent_of(parents)
        if name in parent.entries:
            raise ValueError(f"duplicate entry {path!r}")
        parent.entries[name] = entry

    def add_directory(self, path: str) -> None:
        """Make sure a (possibly empty) directory exists at ``path``."""
        parts = [p for p in path.strip("/").split("/") if p]
        self._parent_of(parts)

    def finish(self) -> ImportedEntry:
        """Build every directory, bottom up; the root entry is the wrapping directory."""
        return self._build(self._root)

    def finish_children(self) -> dict[str, ImportedEntry]:
        """Build the top-level entries without the wrapping directory."""
        return {
            name: (self._build(child) if isinstance(child, _Dir) else child)
            for name, child in self._root.entries.items()
        }

    def finish_all(self, *, wrap: bool = True) -> dict[str, ImportedEntry]:
        """Build every directory; return each one by its path (``""`` is the wrapper).

        Without ``wrap`` the wrapping directory is not built (nor its block written).
        """
        found: dict[str, ImportedEntry] = {}
        if wrap:
            found[""] = self._build(self._root, "", found)
            return found
        for name, child in self._root.entries.items():
            if isinstance(child, _Dir):
                found[name] = self._build(child, name, found)
        return found

    def _build(
        self, node: _Dir, path: str = "", found: dict[str, ImportedEntry] | None = None
    ) -> ImportedEntry:
        built: list[tuple[str, ImportedEntry, bool]] = []
        for name, child in node.entries.items():
            if isinstance(child, _Dir) and found is not None:
                sub_path = f"{path}/{name}" if path else name
                found[sub_path] = self._build(child, sub_path, found)
                built.append((name, found[sub_path], bool(child.entries)))
            elif isinstance(child, _Dir):
                # A directory with contents is measured as nothing by its parent, as
                # ipfs-unixfs-importer does (it builds subdirectories after its parents' size
                # checks); an empty one counts with its CID. Kubo's MFS-based adder counts every
                # subdirectory, so the two can differ for a directory within a few links of the
                # threshold that holds non-empty subdirectories; we follow the npm importer.
                built.append((name, self._build(child), bool(child.entries)))
            else:
                built.append((name, child, child.is_dir))
        if self._estimate(built) > self._profile.shard_threshold:
            return self._build_hamt([(n, e) for n, e, _ in built], depth=0)
        links = tuple(PBLink(bytes(e.cid), n, e.tsize) for n, e, _ in built)
        block = encode_node(PBNode(links, encode_unixfs(UnixFSData(DataType.DIRECTORY))))
        cid = _put(self._sink, block, codec=DAG_PB, version=self._profile.cid_version)
        return ImportedEntry(cid, len(block) + sum(e.tsize for _, e, _ in built), 0, is_dir=True)

    def _estimate(self, built: Iterable[tuple[str, ImportedEntry, bool]]) -> int:
        files = [(n.encode(), len(bytes(e.cid)), e.tsize) for n, e, sub in built if not sub]
        if self._profile.shard_estimate is ShardEstimate.LINKS_BYTES:
            return sum(len(name) + cid_len for name, cid_len, _ in files)
        total = 4  # the data field: tag, length, and the two bytes of a directory message
        for name, cid_len, tsize in files:
            body = 1 + varint_size(cid_len) + cid_len + 1 + varint_size(len(name)) + len(name)
            body += 1 + varint_size(tsize)
            total += 1 + varint_size(body) + body
        return total

    def _build_hamt(self, entries: list[tuple[str, ImportedEntry]], *, depth: int) -> ImportedEntry:
        fanout = self._profile.shard_fanout
        bits = fanout.bit_length() - 1
        if bits * (depth + 1) > 64:
            raise ValueError("HAMT deeper than its 64-bit hash allows")
        shift = 64 - bits * (depth + 1)
        slots: dict[int, list[tuple[str, ImportedEntry]]] = {}
        for name, entry in entries:
            index = (int.from_bytes(hamt_hash(name.encode()), "big") >> shift) & (fanout - 1)
            slots.setdefault(index, []).append((name, entry))
        width = len(f"{fanout - 1:X}")
        links: list[PBLink] = []
        bitmap = 0
        for index in sorted(slots):
            group = slots[index]
            bitmap |= 1 << index
            prefix = f"{index:0{width}X}"
            if len(group) == 1:
                name, entry = group[0]
                links.append(PBLink(bytes(entry.cid), prefix + name, entry.tsize))
            else:
                sub = self._build_hamt(group, depth=depth + 1)
                links.append(PBLink(bytes(sub.cid), prefix, sub.tsize))
        bitfield = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "big")
        payload = encode_unixfs(
            UnixFSData(DataType.HAMT_SHARD, bitfield, hash_type=MURMUR3_X64_64, fanout=fanout)
        )
        block = encode_node(PBNode(tuple(links), payload))
        cid = _put(self._sink, block, codec=DAG_PB, version=self._profile.cid_version)
        return ImportedEntry(cid, len(block) + sum(ln.tsize or 0 for ln in links), 0, is_dir=True)
