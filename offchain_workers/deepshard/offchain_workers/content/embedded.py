"""The embedded backend: an LMDB blockstore with pins and garbage collection, fully verified.

Adds hash in a worker thread and commit blocks in batches; a pin is recorded only once every
block of its DAG is stored and verified. `fetch` copies a DAG from another backend (a Kubo node,
a gateway) and removes whatever it wrote if the DAG turns out broken, hostile or too large, so a
failed fetch leaves nothing pinned and nothing behind.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from deepshard.offchain_workers.content.blockstore import LmdbBlockstore
from deepshard.offchain_workers.content.car import encode_header, encode_section, read_car
from deepshard.offchain_workers.content.cids import (
    CID,
    DAG_PB,
    block_cid,
    cid_from_bytes,
    verify_block,
)
from deepshard.offchain_workers.content.dag import iter_file, walk_dag
from deepshard.offchain_workers.content.dagpb import PBNode, encode_node
from deepshard.offchain_workers.content.errors import (
    BlockNotFound,
    BoundsExceeded,
    PinNotFound,
)
from deepshard.offchain_workers.content.importer import (
    BlockSink,
    DirectoryBuilder,
    FileBuilder,
    ImportedEntry,
)
from deepshard.offchain_workers.content.inflight import Operation, WriteRegistry
from deepshard.offchain_workers.content.profiles import ImportProfile
from deepshard.offchain_workers.content.store import (
    DEFAULT_PROFILE,
    AddedEntry,
    BlockSource,
    BlockStat,
    Bounds,
    Pin,
    PinType,
)
from deepshard.offchain_workers.content.unixfs import DataType, UnixFSData, encode_unixfs

__all__ = ["EmbeddedStore", "BatchSink", "import_path", "READ_SIZE"]

READ_SIZE = 1024 * 1024
"""Bytes read from a file (or a request body) per step of an add."""
BATCH_BYTES = 32 * 1024 * 1024
"""Block bytes gathered before one LMDB commit."""


class BatchSink:
    """Collect blocks and commit them to LMDB in batches; remember which ones were new.

    Call `flush` after the last block: only committed blocks are stored. Each batch is
    registered with the store's `WriteRegistry` before it is written.
    """

    def __init__(self, store: LmdbBlockstore, registry: WriteRegistry, op: Operation) -> None:
        self._store = store
        self._registry = registry
        self.op = op
        self._pending: list[tuple[bytes, bytes]] = []
        self._bytes = 0
        self.added: list[bytes] = []

    def put_block(self, cid: CID, data: bytes) -> None:
        """Queue a block; commit the batch once it is large enough."""
        self._pending.append((cid.digest, data))
        self._bytes += len(data)
        if self._bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Commit the queued blocks."""
        if self._pending:
            self._registry.touch(self.op, (key for key, _ in self._pending))
            self.added += self._store.put_many(self._pending)
            self._pending.clear()
            self._bytes = 0


ProgressCallback = Callable[[int], None]
"""Called with the number of bytes just read by an add."""


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def import_path(
    path: Path,
    profile: ImportProfile,
    sink: BlockSink,
    *,
    wrap: bool = False,
    hidden: bool = False,
    progress: ProgressCallback | None = None,
) -> list[AddedEntry]:
    """Import a file or directory tree as ``ipfs add [-r] [-w]`` does (synchronously).

    Entries come out files first, then directories bottom-up, the root last; hidden files are
    skipped unless ``hidden`` (Kubo's ``--hidden``); symlinks are stored as UnixFS symlinks.
    """
    out: list[AddedEntry] = []
    tree = DirectoryBuilder(profile, sink)

    def add_file(file: Path, name: str) -> ImportedEntry:
        mode = file.lstat().st_mode
        if stat.S_ISLNK(mode):
            target = os.readlink(file).encode()
            block = encode_node(PBNode((), encode_unixfs(UnixFSData(DataType.SYMLINK, target))))
            cid = block_cid(block, codec=DAG_PB, version=profile.cid_version)
            sink.put_block(cid, block)
            entry = ImportedEntry(cid, len(block), 0)
        else:
            builder = FileBuilder(profile, sink)
            with file.open("rb") as fh:
                while chunk := fh.read(READ_SIZE):
                    builder.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
            entry = builder.finish()
        out.append(AddedEntry(name, entry.cid, entry.tsize, entry.size))
        return entry

    path = Path(os.path.abspath(path))  # "." and "dir/" get their real names
    base = path.name
    if not path.is_dir() or path.is_symlink():
        entry = add_file(path, base)
        if wrap:
            tree.add_entry(base, entry)
            root = tree.finish()
            out.append(AddedEntry("", root.cid, root.tsize, 0))
        return out
    tree.add_directory(base)
    for dirpath, dirnames, filenames in os.walk(path):
        wanted = [d for d in dirnames if hidden or not _is_hidden(d)]
        # A symlink to a directory is stored as a symlink, never followed.
        links = [d for d in wanted if (Path(dirpath) / d).is_symlink()]
        dirnames[:] = sorted(d for d in wanted if d not in links)
        rel = Path(dirpath).relative_to(path.parent).as_posix()
        tree.add_directory(rel)
        for name in sorted([*filenames, *links]):
            if hidden or not _is_hidden(name):
                tree.add_entry(f"{rel}/{name}", add_file(Path(dirpath) / name, f"{rel}/{name}"))
    built = tree.finish_all(wrap=wrap)
    order = sorted(built.items(), key=lambda kv: (kv[0] == "", -kv[0].count("/"), kv[0]))
    out.extend(AddedEntry(name, e.cid, e.tsize, 0) for name, e in order if wrap or name)
    return out


class EmbeddedStore:
    """The default `ContentStore`: blocks and pins in an LMDB environment on this machine."""

    name = "embedded"

    def __init__(self, path: Path, *, bounds: Bounds | None = None) -> None:
        self.path = path
        self.bounds = bounds or Bounds()
        self._store = LmdbBlockstore(path)
        self._registry = WriteRegistry()

    def close(self) -> None:
        """Close the database."""
        self._store.close()

    async def __aenter__(self) -> EmbeddedStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[BatchSink]:
        """A sink committing into this store, registered as one operation while in use."""
        op = self._registry.begin()
        try:
            yield BatchSink(self._store, self._registry, op)
        finally:
            self._registry.end(op)

    def _discard(self, sink: BatchSink) -> None:
        """Remove what a failed operation wrote (keeping blocks another operation needs)."""
        sink.flush()
        self._registry.delete_unprotected(sink.op, sink.added, self._store.delete_many)

    def record_pin(self, cid: CID) -> None:
        """Pin ``cid`` recursively without walking it (its blocks were just written)."""
        self._store.set_pin(bytes(cid), PinType.RECURSIVE.value)

    # --- blocks ---------------------------------------------------------------------------

    async def get_block(self, cid: CID, bounds: Bounds | None = None) -> bytes:
        """The stored block, hashed against ``cid`` on every read."""
        data = self._store.get(cid.digest)
        if data is None:
            raise BlockNotFound("block not in the store", cid=str(cid), backend=self.name)
        limit = (bounds or self.bounds).max_block_size
        if len(data) > limit:
            raise BoundsExceeded(f"block exceeds {limit} bytes", cid=str(cid), backend=self.name)
        verify_block(cid, data, self.name)
        return data

    async def put_block(self, data: bytes, *, codec: int, version: int = 1) -> CID:
        """Store one block and return its CID."""
        if len(data) > self.bounds.max_block_size:
            raise BoundsExceeded(
                f"block of {len(data)} bytes exceeds {self.bounds.max_block_size}",
                backend=self.name,
            )
        cid = block_cid(data, codec=codec, version=version)
        self._store.put_many([(cid.digest, data)])
        return cid

    async def stat_block(self, cid: CID) -> BlockStat:
        """The stored block's size."""
        size = self._store.size(cid.digest)
        if size is None:
            raise BlockNotFound("block not in the store", cid=str(cid), backend=self.name)
        return BlockStat(cid, size)

    async def has(self, cid: CID) -> bool:
        """Whether the block is stored."""
        return self._store.has(cid.digest)

    # --- files ----------------------------------------------------------------------------

    async def add_stream(
        self,
        chunks: AsyncIterable[bytes],
        *,
        profile: ImportProfile = DEFAULT_PROFILE,
        pin: bool = True,
        name: str = "",
    ) -> AddedEntry:
        """Import a file from a stream of byte chunks (hashing off the event loop)."""
        with self.writing() as sink:
            builder = FileBuilder(profile, sink)
            async for chunk in chunks:
                await asyncio.to_thread(builder.write, chunk)
            entry = await asyncio.to_thread(builder.finish)
            await asyncio.to_thread(sink.flush)
            if pin:
                self._store.set_pin(bytes(entry.cid), PinType.RECURSIVE.value)
        return AddedEntry(name or str(entry.cid), entry.cid, entry.tsize, entry.size)

    async def add_bytes(
        self, data: bytes, *, profile: ImportProfile = DEFAULT_PROFILE, pin: bool = True
    ) -> AddedEntry:
        """Import one in-memory file."""

        async def one() -> AsyncIterator[bytes]:
            yield data

        return await self.add_stream(one(), profile=profile, pin=pin)

    async def add_path(
        self,
        path: Path,
        *,
        profile: ImportProfile = DEFAULT_PROFILE,
        pin: bool = True,
        wrap: bool = False,
        hidden: bool = False,
        progress: ProgressCallback | None = None,
    ) -> list[AddedEntry]:
        """Import a file or directory tree; the root (pinned unless told not to) comes last."""
        with self.writing() as sink:

            def run() -> list[AddedEntry]:
                found = import_path(
                    path, profile, sink, wrap=wrap, hidden=hidden, progress=progress
                )
                sink.flush()
                return found

            entries = await asyncio.to_thread(run)
            if pin and entries:
                self._store.set_pin(bytes(entries[-1].cid), PinType.RECURSIVE.value)
        return entries

    def cat(
        self, cid: CID, *, offset: int = 0, length: int | None = None, bounds: Bounds | None = None
    ) -> AsyncIterator[bytes]:
        """Stream a file's bytes, every block verified."""
        return iter_file(self, cid, bounds or self.bounds, offset=offset, length=length)

    # --- pins and garbage collection ------------------------------------------------------

    async def pin_add(
        self, cid: CID, *, recursive: bool = True, bounds: Bounds | None = None
    ) -> None:
        """Pin ``cid``; a recursive pin first checks that its whole DAG is here and sound."""
        if recursive:
            async for _ in walk_dag(self, cid, bounds or self.bounds):
                pass
            kind = PinType.RECURSIVE
        else:
            await self.get_block(cid, bounds)
            kind = PinType.DIRECT
        current = self._store.pin_of(bytes(cid))
        if current != PinType.RECURSIVE.value:
            self._store.set_pin(bytes(cid), kind.value)

    async def pin_rm(self, cid: CID) -> None:
        """Remove a pin (the blocks stay until `gc`)."""
        if not self._store.remove_pin(bytes(cid)):
            raise PinNotFound("not pinned", cid=str(cid), backend=self.name)

    async def pin_ls(self, cid: CID | None = None) -> list[Pin]:
        """The recursive and direct pins, or how ``cid`` is pinned (indirect included)."""
        pins = [Pin(cid_from_bytes(raw), PinType(kind)) for raw, kind in self._store.pins()]
        if cid is None:
            return pins
        for pin in pins:
            if bytes(pin.cid) == bytes(cid):
                return [pin]
        for pin in pins:
            if pin.type is PinType.RECURSIVE:
                async for child, _ in walk_dag(self, pin.cid, self.bounds):
                    if child.digest == cid.digest:
                        return [Pin(cid, PinType.INDIRECT)]
        raise PinNotFound("not pinned", cid=str(cid), backend=self.name)

    async def gc(self) -> list[bytes]:
        """Delete every block no pin reaches; return the removed multihashes.

        Blocks written by operations running in this process meanwhile are kept (see
        `WriteRegistry`); they are collected by a later run if they end up unpinned.
        """
        op = self._registry.begin()
        try:
            live: set[bytes] = set()
            for raw, kind in self._store.pins():
                root = cid_from_bytes(raw)
                if kind == PinType.DIRECT.value:
                    live.add(root.digest)
                    continue
                async for child, _ in walk_dag(self, root, self.bounds):
                    live.add(child.digest)
            dead = [key for key in self._store.stored() if key not in live]
            return self._registry.delete_unprotected(op, dead, self._store.delete_many)
        finally:
            self._registry.end(op)

    # --- moving DAGs ----------------------------------------------------------------------

    async def fetch(
        self, cid: CID, source: BlockSource, *, pin: bool = True, bounds: Bounds | None = None
    ) -> int:
        """Copy the DAG under ``cid`` from ``source``, verified and bounded; return its bytes.

        On any failure every block this fetch wrote is removed again and nothing is pinned.
        """
        total = 0
        limit = bounds or self.bounds
        # A source that can stream a whole verified DAG (a CAR) is asked once, not per block.
        iter_dag = getattr(source, "iter_dag", None)
        blocks = iter_dag(cid, limit) if iter_dag is not None else walk_dag(source, cid, limit)
        with self.writing() as sink:
            try:
                async for child, data in blocks:
                    sink.put_block(child, data)
                    total += len(data)
                sink.flush()
            except BaseException:
                self._discard(sink)
                raise
            if pin:
                self._store.set_pin(bytes(cid), PinType.RECURSIVE.value)
        return total

    async def export_car(self, cid: CID, *, bounds: Bounds | None = None) -> AsyncIterator[bytes]:
        """The DAG under ``cid`` as CAR v1."""
        yield encode_header([cid])
        async for child, data in walk_dag(self, cid, bounds or self.bounds):
            yield encode_section(child, data)

    async def import_car(
        self, chunks: AsyncIterable[bytes], *, pin: bool = True, bounds: Bounds | None = None
    ) -> list[CID]:
        """Store a CAR's blocks, each verified, and pin its roots once their DAGs are complete.

        On any failure the blocks this import wrote are removed again.
        """
        with self.writing() as sink:
            return await self._import_car(chunks, sink, bounds or self.bounds, pin=pin)

    async def _import_car(
        self, chunks: AsyncIterable[bytes], sink: BatchSink, limit: Bounds, *, pin: bool
    ) -> list[CID]:
        roots: list[CID] = []
        total = 0
        try:
            async for found_roots, child, data in read_car(
                chunks, max_section=limit.max_block_size + 128, backend="car"
            ):
                roots = found_roots
                if child is None:
                    continue
                total += len(data)
                if total > limit.max_bytes:
                    raise BoundsExceeded(f"CAR holds more than {limit.max_bytes} bytes")
                verify_block(child, data, "car")
                sink.put_block(child, data)
            sink.flush()
            if pin:
                for root in roots:
                    async for _ in walk_dag(self, root, limit):
                        pass
        except BaseException:
            self._discard(sink)
            raise
        if pin:
            for root in roots:
                self._store.set_pin(bytes(root), PinType.RECURSIVE.value)
        return roots
