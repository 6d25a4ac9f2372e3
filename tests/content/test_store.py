"""One behaviour suite for every `ContentStore` backend.

The embedded store runs in-process; the Kubo RPC backend and the gateway reader talk HTTP to
our daemon (in a thread), so the same assertions hold for all three. The gateway is read-only,
so its content is seeded through the daemon's store.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.content.conftest import content

from deepshard.offchain_workers.content.cids import RAW, block_cid
from deepshard.offchain_workers.content.dag import list_directory, resolve_path
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.content.errors import (
    BlockNotFound,
    BlockVerificationFailed,
    BoundsExceeded,
    NotAFile,
    PinNotFound,
    ReadOnlyBackend,
)
from deepshard.offchain_workers.content.gateway import GatewayReader
from deepshard.offchain_workers.content.importer import import_bytes
from deepshard.offchain_workers.content.kubo import KuboRpcStore
from deepshard.offchain_workers.content.profiles import UNIXFS_V0_2015, UNIXFS_V1_2025
from deepshard.offchain_workers.content.store import Bounds, PinType

T = TypeVar("T")
BACKENDS = ("embedded", "kubo-rpc", "gateway")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in stream])


class Harness:
    """A backend under test plus a way to put content where it can read it."""

    def __init__(self, kind: str, tmp_path: Path, daemon: Any) -> None:
        self.kind = kind
        url, self.daemon_store, self.server = daemon
        if kind == "embedded":
            self.store: Any = EmbeddedStore(tmp_path / "repo")
        elif kind == "kubo-rpc":
            self.store = KuboRpcStore(url)
        else:
            self.store = GatewayReader(url)

    def seed(self, data: bytes, profile: Any = UNIXFS_V0_2015) -> Any:
        if self.kind == "embedded":
            return run(self.store.add_bytes(data, profile=profile))
        if self.kind == "kubo-rpc":
            return run(self._with_client(lambda s: s.add_bytes(data, profile=profile)))
        return self.server.call(self.daemon_store.add_bytes(data, profile=profile))

    def seed_path(self, path: Path, **options: Any) -> Any:
        if self.kind == "gateway":
            return self.server.call(self.daemon_store.add_path(path, **options))
        return self.call(lambda s: s.add_path(path, **options))

    async def _with_client(self, fn: Any) -> Any:
        # httpx clients belong to one event loop: each test call gets a fresh one.
        if self.kind == "embedded":
            return await fn(self.store)
        cls = type(self.store)
        url = self.store.api_url if self.kind == "kubo-rpc" else self.store.gateway_url
        async with cls(url, bounds=self.store.bounds) as fresh:
            return await fn(fresh)

    def call(self, fn: Any) -> Any:
        return run(self._with_client(fn))

    def cat(self, cid: Any, **options: Any) -> bytes:
        return self.call(lambda s: collect(s.cat(cid, **options)))

    def close(self) -> None:
        if self.kind == "embedded":
            self.store.close()


@pytest.fixture(params=BACKENDS)
def harness(request: pytest.FixtureRequest, tmp_path: Path, daemon: Any) -> Any:
    h = Harness(request.param, tmp_path, daemon)
    yield h
    h.close()


@pytest.mark.parametrize("profile", [UNIXFS_V0_2015, UNIXFS_V1_2025], ids=lambda p: p.name)
def test_add_then_cat_round_trips(harness: Harness, profile: Any) -> None:
    data = content(3 * profile.chunk_size + 17, 1)
    added = harness.seed(data, profile)
    assert added.cid == import_bytes(data, profile).cid
    assert harness.cat(added.cid) == data
    assert (
        harness.cat(added.cid, offset=profile.chunk_size - 3, length=10)
        == (data[profile.chunk_size - 3 : profile.chunk_size + 7])
    )


@settings(max_examples=25)
@given(st.integers(0, 5000), st.integers(0, 5000) | st.none())
def test_ranges_match_slicing(tmp_path_factory: Any, offset: int, length: int | None) -> None:
    # A brute-force reference: any window of the file equals slicing the bytes.
    store = EmbeddedStore(tmp_path_factory.mktemp("r") / "repo")
    try:
        data = content(4000, 3)
        profile = UNIXFS_V0_2015.with_options(chunk_size=100)
        added = run(store.add_bytes(data, profile=profile))
        got = run(collect(store.cat(added.cid, offset=offset, length=length)))
        assert got == data[offset : None if length is None else offset + length]
    finally:
        store.close()


def test_directories_resolve_and_list(harness: Harness, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_bytes(b"alpha")
    (tree / "sub" / "b.bin").write_bytes(content(300_000, 2))
    (tree / ".hidden").write_bytes(b"skipped")
    entries = harness.seed_path(tree, wrap=True)
    assert [e.name for e in entries] == ["tree/a.txt", "tree/sub/b.bin", "tree/sub", "tree", ""]
    root = entries[-1].cid

    async def check(store: Any) -> None:
        listing = await list_directory(store, root, Bounds())
        assert [name for name, _, _ in listing] == ["tree"]
        inner = await list_directory(store, listing[0][1], Bounds())
        assert [name for name, _, _ in inner] == ["a.txt", "sub"]
        target = await resolve_path(store, root, "tree/sub/b.bin", Bounds())
        assert await collect(store.cat(target)) == content(300_000, 2)
        with pytest.raises(NotAFile):
            await collect(store.cat(root))

    harness.call(check)


def test_missing_block_is_a_typed_error(harness: Harness) -> None:
    absent = block_cid(b"never stored", codec=RAW, version=1)
    with pytest.raises(BlockNotFound) as info:
        harness.call(lambda s: s.get_block(absent))
    assert str(absent) in str(info.value)
    assert info.value.backend == harness.call(lambda s: asyncio.sleep(0, s.name))
    assert harness.call(lambda s: s.has(absent)) is False


def test_bounds_stop_a_large_file(harness: Harness) -> None:
    data = content(600_000, 4)
    added = harness.seed(data)
    small = Bounds(max_bytes=100_000)
    with pytest.raises(BoundsExceeded):
        harness.call(lambda s: collect(s.cat(added.cid, bounds=small)))
    shallow = Bounds(max_depth=0)
    with pytest.raises(BoundsExceeded):
        harness.call(lambda s: collect(s.cat(added.cid, bounds=shallow)))


def test_blocks_pins_and_car(harness: Harness) -> None:
    data = content(700_000, 5)
    if harness.kind == "gateway":
        added = harness.seed(data)
        with pytest.raises(ReadOnlyBackend):
            harness.call(lambda s: s.put_block(b"x", codec=RAW))
        with pytest.raises(ReadOnlyBackend):
            harness.call(lambda s: s.pin_add(added.cid))
    else:
        cid = harness.call(lambda s: s.put_block(b"one block", codec=RAW))
        assert cid == block_cid(b"one block", codec=RAW, version=1)
        assert harness.call(lambda s: s.get_block(cid)) == b"one block"
        assert harness.call(lambda s: s.stat_block(cid)).size == len(b"one block")
        assert harness.call(lambda s: s.has(cid)) is True
        harness.call(lambda s: s.pin_add(cid, recursive=False))
        added = harness.seed(data)
        pins = {(str(p.cid), p.type) for p in harness.call(lambda s: s.pin_ls())}
        assert (str(added.cid), PinType.RECURSIVE) in pins
        assert (str(cid), PinType.DIRECT) in pins
        harness.call(lambda s: s.pin_rm(cid))
        with pytest.raises(PinNotFound):
            harness.call(lambda s: s.pin_rm(cid))
    car = harness.call(lambda s: collect(s.export_car(added.cid)))
    other = EmbeddedStore(harness.daemon_store.path.parent / f"import-{harness.kind}")
    try:

        async def one() -> AsyncIterator[bytes]:
            yield car

        roots = run(other.import_car(one()))
        assert roots == [added.cid]
        assert run(collect(other.cat(added.cid))) == data
        assert [p.cid for p in run(other.pin_ls())] == [added.cid]
    finally:
        other.close()


def test_embedded_gc_keeps_pinned_and_drops_the_rest(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "repo")
    try:
        kept = run(store.add_bytes(content(600_000, 6)))
        dropped = run(store.add_bytes(content(600_000, 7), pin=False))
        removed = run(store.gc())
        assert len(removed) == 4  # three leaves and the root of the unpinned file
        assert run(collect(store.cat(kept.cid))) == content(600_000, 6)
        with pytest.raises(BlockNotFound):
            run(collect(store.cat(dropped.cid)))
        run(store.pin_rm(kept.cid))
        run(store.gc())
        assert not run(store.has(kept.cid))
    finally:
        store.close()


def test_embedded_detects_a_corrupted_block_on_disk(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "repo")
    try:
        added = run(store.add_bytes(b"precious bytes"))
        key = added.cid.digest
        store._store.delete_many([key])
        store._store.put_many([(key, b"precious bytez")])
        with pytest.raises(BlockVerificationFailed) as info:
            run(collect(store.cat(added.cid)))
        assert str(added.cid) in str(info.value)
        assert info.value.backend == "embedded"
    finally:
        store.close()


def test_embedded_store_survives_reopening(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "repo")
    added = run(store.add_bytes(content(400_000, 8)))
    store.close()
    again = EmbeddedStore(tmp_path / "repo")
    try:
        assert run(collect(again.cat(added.cid))) == content(400_000, 8)
        assert [p.cid for p in run(again.pin_ls())] == [added.cid]
    finally:
        again.close()


def test_car_import_into_the_backend(harness: Harness, tmp_path: Path) -> None:
    source = EmbeddedStore(tmp_path / "source")
    data = content(650_000, 13)
    try:
        added = run(source.add_bytes(data))
        car = run(collect(source.export_car(added.cid)))
    finally:
        source.close()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(car), 100_000):
            yield car[start : start + 100_000]

    if harness.kind == "gateway":
        with pytest.raises(ReadOnlyBackend):
            harness.call(lambda s: s.import_car(chunks()))
        return
    assert harness.call(lambda s: s.import_car(chunks())) == [added.cid]
    assert harness.cat(added.cid) == data
    assert added.cid in [p.cid for p in harness.call(lambda s: s.pin_ls())]
