"""Cleanup and garbage collection never delete a block another operation is writing or wrote."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.content.conftest import content

from deepshard.offchain_workers.content.cids import RAW, block_cid
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.content.inflight import WriteRegistry
from deepshard.offchain_workers.content.profiles import UNIXFS_V1_2025

RAW_256K = UNIXFS_V1_2025.with_options(chunk_size=262144)


def test_registry_protects_overlapping_writes() -> None:
    registry = WriteRegistry()
    deleted: list[bytes] = []
    failing = registry.begin()
    registry.touch(failing, [b"shared", b"mine"])
    other = registry.begin()
    registry.touch(other, [b"shared"])
    registry.end(other)  # finished and pinned: "shared" must survive the failed cleanup
    gone = registry.delete_unprotected(failing, [b"shared", b"mine"], deleted.extend)
    assert gone == [b"mine"]
    assert deleted == [b"mine"]


def test_registry_keeps_keys_of_running_writers_from_gc() -> None:
    registry = WriteRegistry()
    writer = registry.begin()
    registry.touch(writer, [b"early"])
    gc = registry.begin()  # starts after the writer touched "early"
    registry.touch(writer, [b"late"])
    assert registry.delete_unprotected(gc, [b"early", b"late", b"dead"], lambda _: None) == [
        b"dead"
    ]


def test_failed_fetch_keeps_blocks_a_concurrent_add_pinned(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "repo")
    shared = content(300_000, 9)
    try:

        async def scenario() -> None:
            with store.writing() as fetch_sink:
                # A fetch writes the leaf first (new to the store) ...
                leaf = block_cid(shared[:262144], codec=RAW, version=1)
                fetch_sink.put_block(leaf, shared[:262144])
                fetch_sink.flush()
                # ... an add of the same bytes completes and pins meanwhile ...
                added = await store.add_bytes(shared, profile=RAW_256K)
                # ... then the fetch fails and cleans up.
                store._discard(fetch_sink)
            assert b"".join([p async for p in store.cat(added.cid)]) == shared
            assert await store.gc() == []

        asyncio.run(scenario())
    finally:
        store.close()
