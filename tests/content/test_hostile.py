"""A hostile server against every backend: flipped bytes, truncated blocks, DAGs past the bounds.

The server speaks both protocols (``/api/v0/block/get``, ``/api/v0/dag/export`` and
``/ipfs/{cid}?format=raw|car``) from an honest store, then corrupts what it sends. Every reader
must fail with a typed error naming the CID and itself, and a fetch into the embedded store
must leave nothing pinned and no block behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from tests.content.conftest import ServerThread, content

from deepshard.offchain_workers.content.car import encode_header, encode_section
from deepshard.offchain_workers.content.cids import CID, DAG_PB, RAW, block_cid, parse_cid
from deepshard.offchain_workers.content.dag import walk_dag
from deepshard.offchain_workers.content.dagpb import PBLink, PBNode, decode_node, encode_node
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.content.errors import (
    BlockVerificationFailed,
    BoundsExceeded,
    ContentError,
    MalformedNode,
)
from deepshard.offchain_workers.content.gateway import GatewayReader
from deepshard.offchain_workers.content.kubo import KuboRpcStore
from deepshard.offchain_workers.content.profiles import UNIXFS_V0_2015
from deepshard.offchain_workers.content.store import Bounds
from deepshard.offchain_workers.content.unixfs import DataType, UnixFSData, encode_unixfs

BOUNDS = Bounds(max_bytes=8 * 1024 * 1024, max_depth=20, max_block_size=1024 * 1024 + 64)


class Hostile:
    """Serve ``store`` honestly except for ``target``, which ``mode`` corrupts."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.mode = "honest"
        self.target: CID | None = None

    def _corrupt(self, cid: CID, data: bytes) -> bytes:
        if self.target is None or bytes(cid) != bytes(self.target):
            return data
        if self.mode == "flip":
            middle = len(data) // 2
            return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
        if self.mode in ("truncate", "cut"):
            return data[: len(data) // 2]
        return data

    async def _block(self, cid: CID) -> bytes:
        return self._corrupt(cid, await self.store.get_block(cid, Bounds(max_block_size=1 << 30)))

    async def _car(self, root: CID) -> bytes:
        out = bytearray(encode_header([root]))
        async for cid, data in walk_dag(self.store, root, Bounds(max_block_size=1 << 30)):
            if self.mode == "cut" and self.target is not None and bytes(cid) == bytes(self.target):
                # The stream stops in the middle of this block's section.
                out += encode_section(cid, data)[: len(data) // 2]
                break
            section = encode_section(cid, self._corrupt(cid, data))
            out += section
        return bytes(out)

    async def rpc_block(self, request: web.Request) -> web.Response:
        return web.Response(body=await self._block(parse_cid(request.query["arg"])))

    async def rpc_export(self, request: web.Request) -> web.Response:
        return web.Response(body=await self._car(parse_cid(request.query["arg"])))

    async def gateway(self, request: web.Request) -> web.Response:
        cid = parse_cid(request.match_info["cid"])
        if request.query.get("format") == "car":
            return web.Response(body=await self._car(cid))
        return web.Response(body=await self._block(cid))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v0/block/get", self.rpc_block)
        app.router.add_post("/api/v0/dag/export", self.rpc_export)
        app.router.add_get("/ipfs/{cid}", self.gateway)
        return app


@pytest.fixture
def hostile(tmp_path: Path) -> Any:
    store = EmbeddedStore(tmp_path / "hostile-repo")
    server = Hostile(store)
    thread = ServerThread(server.app)
    yield thread.url, server, thread
    thread.stop()
    store.close()


Reader = Callable[[str, EmbeddedStore, CID], Coroutine[Any, Any, Any]]


async def _drain(stream: AsyncIterator[bytes]) -> None:
    async for _ in stream:
        pass


async def kubo_cat(url: str, local: EmbeddedStore, cid: CID) -> None:
    async with KuboRpcStore(url, bounds=BOUNDS) as kubo:
        await _drain(kubo.cat(cid))


async def gateway_cat(url: str, local: EmbeddedStore, cid: CID) -> None:
    async with GatewayReader(url, bounds=BOUNDS) as gateway:
        await _drain(gateway.cat(cid))


async def kubo_export(url: str, local: EmbeddedStore, cid: CID) -> None:
    async with KuboRpcStore(url, bounds=BOUNDS) as kubo:
        await _drain(kubo.export_car(cid))


async def gateway_export(url: str, local: EmbeddedStore, cid: CID) -> None:
    async with GatewayReader(url, bounds=BOUNDS) as gateway:
        await _drain(gateway.export_car(cid))


async def embedded_fetch_via_kubo(url: str, local: EmbeddedStore, cid: CID) -> None:
    async with KuboRpcStore(url) as kubo:
        await local.fetch(cid, kubo, bounds=BOUNDS)


async def embedded_fetch_via_gateway(url: str, local: EmbeddedStore, cid: CID) -> None:
    async with GatewayReader(url) as gateway:
        await local.fetch(cid, gateway, bounds=BOUNDS)


class _BlockByBlock:
    """A gateway seen only through single-block requests (no CAR), to exercise `walk_dag`."""

    def __init__(self, inner: GatewayReader) -> None:
        self.inner = inner
        self.name = inner.name

    async def get_block(self, cid: CID, bounds: Bounds | None = None) -> bytes:
        return await self.inner.get_block(cid, bounds)


async def embedded_fetch_block_by_block(url: str, local: EmbeddedStore, cid: CID) -> None:
    async with GatewayReader(url) as gateway:
        await local.fetch(cid, _BlockByBlock(gateway), bounds=BOUNDS)


READERS: list[Reader] = [
    kubo_cat,
    gateway_cat,
    kubo_export,
    gateway_export,
    embedded_fetch_via_kubo,
    embedded_fetch_via_gateway,
    embedded_fetch_block_by_block,
]


def _file(server: Hostile) -> tuple[CID, CID]:
    """A 2 MiB file in 256 KiB chunks, and one of its middle leaves as the target."""
    added = asyncio.run(
        server.store.add_bytes(content(2 * 1024 * 1024, 11), profile=UNIXFS_V0_2015)
    )
    root = asyncio.run(server.store.get_block(added.cid))
    middle = decode_node(root).links[4].hash
    return added.cid, CID.decode(middle)


def _deep_chain(server: Hostile, depth: int) -> CID:
    """A file DAG that is one long chain ``depth`` nodes deep (valid, but past the bound)."""
    leaf = b"x"
    cid = asyncio.run(server.store.put_block(leaf, codec=RAW))
    size, tsize = 1, 1
    for _ in range(depth):
        data = encode_unixfs(UnixFSData(DataType.FILE, filesize=size, blocksizes=(size,)))
        block = encode_node(PBNode((PBLink(bytes(cid), "", tsize),), data))
        cid = asyncio.run(server.store.put_block(block, codec=DAG_PB, version=0))
        tsize += len(block)
    return cid


def _huge_block(server: Hostile) -> CID:
    """A single raw block of 3 MiB: more than any backend should accept."""
    data = content(3 * 1024 * 1024, 12)
    cid = block_cid(data, codec=RAW, version=1)
    with server.store.writing() as sink:
        sink.put_block(cid, data)
        sink.flush()
    return cid


def _assert_nothing_left(local: EmbeddedStore) -> None:
    assert asyncio.run(local.pin_ls()) == []
    assert list(local._store.stored()) == []


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("flip", BlockVerificationFailed),
        ("truncate", BlockVerificationFailed),
        ("cut", ContentError),
    ],
)
def test_corruption_is_a_typed_error_and_leaves_nothing(
    hostile: Any, tmp_path: Path, reader: Reader, mode: str, error: type[ContentError]
) -> None:
    url, server, _ = hostile
    root, middle = _file(server)
    server.mode, server.target = mode, middle
    local = EmbeddedStore(tmp_path / "local")
    try:
        with pytest.raises(error) as info:
            asyncio.run(reader(url, local, root))
        if mode == "cut" and reader.__name__ in ("kubo_cat", "gateway_cat"):
            # Block-by-block readers see a cut block as a flipped one; CAR readers as malformed.
            assert isinstance(info.value, BlockVerificationFailed)
        if isinstance(info.value, BlockVerificationFailed):
            assert info.value.cid == str(middle)
        assert url in info.value.backend
        _assert_nothing_left(local)
    finally:
        local.close()


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_dag_past_the_depth_bound(hostile: Any, tmp_path: Path, reader: Reader) -> None:
    url, server, _ = hostile
    root = _deep_chain(server, BOUNDS.max_depth + 5)
    local = EmbeddedStore(tmp_path / "local")
    try:
        with pytest.raises(BoundsExceeded) as info:
            asyncio.run(reader(url, local, root))
        assert url in info.value.backend
        _assert_nothing_left(local)
    finally:
        local.close()


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_block_past_the_size_bound(hostile: Any, tmp_path: Path, reader: Reader) -> None:
    url, server, _ = hostile
    root = _huge_block(server)
    local = EmbeddedStore(tmp_path / "local")
    try:
        with pytest.raises(BoundsExceeded):
            asyncio.run(reader(url, local, root))
        _assert_nothing_left(local)
    finally:
        local.close()


def test_honest_server_passes_every_reader(hostile: Any, tmp_path: Path) -> None:
    url, server, _ = hostile
    root, _middle = _file(server)
    for reader in READERS:
        local = EmbeddedStore(tmp_path / reader.__name__)
        try:
            asyncio.run(reader(url, local, root))
        finally:
            local.close()


def test_malformed_node_is_typed(hostile: Any, tmp_path: Path) -> None:
    url, server, _ = hostile
    junk = asyncio.run(server.store.put_block(b"\xff\xff not protobuf", codec=DAG_PB, version=1))
    local = EmbeddedStore(tmp_path / "local")
    try:
        with pytest.raises(MalformedNode):
            asyncio.run(gateway_cat(url, local, junk))
    finally:
        local.close()
