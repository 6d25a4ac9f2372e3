"""The daemon's HTTP surfaces, request by request: Kubo's RPC shapes and the gateway's headers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from tests.content.conftest import content

from deepshard.offchain_workers.content.cids import cid_from_bytes, parse_cid
from deepshard.offchain_workers.content.dag import verified_car_blocks, walk_dag
from deepshard.offchain_workers.content.dagpb import decode_node
from deepshard.offchain_workers.content.importer import DirectoryBuilder, import_bytes
from deepshard.offchain_workers.content.profiles import UNIXFS_V0_2015, UNIXFS_V1_2025
from deepshard.offchain_workers.content.store import Bounds
from deepshard.offchain_workers.content.unixfs import DataType, decode_unixfs


def _lines(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


def test_rpc_refuses_get_and_foreign_origins(daemon: Any) -> None:
    url, _, _ = daemon
    assert httpx.get(f"{url}/api/v0/version").status_code == 405
    refused = httpx.post(f"{url}/api/v0/version", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    version = httpx.post(f"{url}/api/v0/version").json()
    assert set(version) == {"Version", "Commit", "Repo", "System", "Golang"}


def test_rpc_errors_have_kubos_shape(daemon: Any) -> None:
    url, _, _ = daemon
    bad = httpx.post(f"{url}/api/v0/cat", params={"arg": "not-a-cid"})
    assert bad.status_code == 400
    assert bad.json()["Code"] == 1
    assert bad.json()["Type"] == "error"
    missing = httpx.post(
        f"{url}/api/v0/block/get",
        params={"arg": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyka"},
    )
    assert missing.status_code == 500
    assert "not in the store" in missing.json()["Message"]
    no_arg = httpx.post(f"{url}/api/v0/pin/add")
    assert no_arg.status_code == 400


def test_add_options_and_output(daemon: Any) -> None:
    url, _, _ = daemon
    data = content(5000, 1)
    files = [
        ("file", ("dir", b"", "application/x-directory")),
        ("file", ("dir%2Fa.bin", data, "application/octet-stream")),
        ("file", ("dir%2Fb.txt", b"bee", "application/octet-stream")),
    ]
    added = httpx.post(
        f"{url}/api/v0/add",
        params={"cid-version": "1", "chunker": "size-1000", "wrap-with-directory": "true"},
        files=files,
    )
    assert added.status_code == 200, added.text
    lines = _lines(added)
    assert [line["Name"] for line in lines] == ["dir/a.bin", "dir/b.txt", "dir", ""]
    profile = UNIXFS_V1_2025.with_options(chunk_size=1000)
    assert lines[0]["Hash"] == str(import_bytes(data, profile).cid)
    assert int(lines[0]["Size"]) > len(data)
    only = httpx.post(
        f"{url}/api/v0/add",
        params={"only-hash": "true", "progress": "true"},
        files=[("file", ("", b"hello world\n", "application/octet-stream"))],
    )
    progress, final = _lines(only)[0], _lines(only)[-1]
    assert progress == {"Name": "", "Bytes": 12}
    assert final["Hash"] == "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    has = httpx.post(f"{url}/api/v0/block/stat", params={"arg": final["Hash"]})
    assert has.status_code == 500  # only-hash stored nothing
    pins = httpx.post(f"{url}/api/v0/pin/ls").json()
    assert pins == {"Keys": {lines[-1]["Hash"]: {"Type": "recursive"}}}
    bad = httpx.post(
        f"{url}/api/v0/add", params={"chunker": "rabin"}, files=[("file", ("x", b"x", "a/b"))]
    )
    assert bad.status_code == 400


def test_cat_offset_length_and_paths(daemon: Any) -> None:
    url, store, server = daemon
    data = content(700_000, 2)
    cid = server.call(store.add_bytes(data)).cid
    window = httpx.post(
        f"{url}/api/v0/cat", params={"arg": f"/ipfs/{cid}", "offset": "262000", "length": "500"}
    )
    assert window.content == data[262000:262500]


def test_gateway_serves_files_with_ranges_and_etags(daemon: Any) -> None:
    url, store, server = daemon
    data = content(600_000, 3)
    cid = server.call(store.add_bytes(data)).cid
    whole = httpx.get(f"{url}/ipfs/{cid}")
    assert whole.content == data
    assert whole.headers["Content-Length"] == str(len(data))
    assert whole.headers["ETag"] == f'"{cid}"'
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = httpx.get(f"{url}/ipfs/{cid}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    suffix = httpx.get(f"{url}/ipfs/{cid}", headers={"Range": "bytes=-10"})
    assert suffix.content == data[-10:]
    beyond = httpx.get(f"{url}/ipfs/{cid}", headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    cached = httpx.get(f"{url}/ipfs/{cid}", headers={"If-None-Match": f'"{cid}"'})
    assert cached.status_code == 304
    head = httpx.head(f"{url}/ipfs/{cid}")
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(data))
    assert httpx.get(f"{url}/ipfs/not-a-cid").status_code == 400
    absent = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyka"
    assert httpx.get(f"{url}/ipfs/{absent}").status_code == 404


def test_gateway_raw_and_car_responses_verify(daemon: Any) -> None:
    url, store, server = daemon
    data = content(900_000, 4)
    cid = server.call(store.add_bytes(data, profile=UNIXFS_V0_2015)).cid
    raw = httpx.get(f"{url}/ipfs/{cid}", headers={"Accept": "application/vnd.ipld.raw"})
    assert raw.headers["Content-Type"] == "application/vnd.ipld.raw"
    assert raw.headers["ETag"] == f'"{cid}.raw"'
    assert raw.content == server.call(store.get_block(cid))
    car = httpx.get(f"{url}/ipfs/{cid}", params={"format": "car"})
    assert car.headers["Content-Type"].startswith("application/vnd.ipld.car")

    async def check() -> int:
        async def one() -> AsyncIterator[bytes]:
            yield car.content

        return len([b async for b in verified_car_blocks(one(), cid, Bounds(), "test")])

    assert asyncio.run(check()) == 5  # the root and four 256 KiB leaves
    block_only = httpx.get(f"{url}/ipfs/{cid}", params={"format": "car", "dag-scope": "block"})
    assert len(block_only.content) < 2000
    assert httpx.get(f"{url}/ipfs/{cid}", params={"format": "tar"}).status_code == 400


def test_gateway_directories(daemon: Any, tmp_path: Any) -> None:
    url, store, server = daemon
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.html").write_text("<h1>hi</h1>")
    (site / "readme").write_text("read me")
    root = server.call(store.add_path(site))[-1].cid
    listing = httpx.get(f"{url}/ipfs/{root}")
    assert "readme" in listing.text
    assert "docs" in listing.text
    assert httpx.get(f"{url}/ipfs/{root}/docs").text == "<h1>hi</h1>"
    assert httpx.get(f"{url}/ipfs/{root}/readme").text == "read me"
    assert httpx.get(f"{url}/ipfs/{root}/nothing").status_code == 404
    assert parse_cid(str(root)) == root


def test_failures_after_the_status_line_cut_the_stream(daemon: Any) -> None:
    url, store, server = daemon
    data = content(700_000, 5)
    added = server.call(store.add_bytes(data))
    root = server.call(store.get_block(added.cid))
    leaf = cid_from_bytes(decode_node(root).links[-1].hash)
    store._store.delete_many([leaf.digest])
    store._store.put_many([(leaf.digest, b"corrupted")])
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{url}/api/v0/cat", params={"arg": str(added.cid)})
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{url}/ipfs/{added.cid}")
    clash = httpx.post(
        f"{url}/api/v0/add",
        files=[
            ("file", ("d%2Fx", b"1", "application/octet-stream")),
            ("file", ("d%2Fx", b"2", "application/octet-stream")),
        ],
    )
    assert clash.status_code == 200
    assert _lines(clash)[-1]["Type"] == "error"


def _car_blocks(body: bytes, root: Any) -> list[Any]:
    async def run() -> list[Any]:
        async def one() -> AsyncIterator[bytes]:
            yield body

        found = verified_car_blocks(one(), root, Bounds(), "test", complete=False)
        return [cid async for cid, _ in found]

    return asyncio.run(run())


async def _collect_dag(store: Any, cid: Any) -> list[Any]:
    return [child async for child, _ in walk_dag(store, cid, Bounds())]


def test_gateway_car_scopes_and_path_proofs(daemon: Any, tmp_path: Any) -> None:
    url, store, server = daemon
    # A low threshold makes a HAMT of a few hundred entries (readers follow any HAMT).
    profile = replace(UNIXFS_V1_2025, shard_threshold=4096)

    async def build() -> tuple[Any, Any]:
        with store.writing() as sink:
            tree = DirectoryBuilder(profile, sink)
            for i in range(600):
                tree.add_entry(f"many/{i:010d}", import_bytes(f"{i}".encode(), profile, sink))
            big = import_bytes(content(3 * 1024 * 1024, 6), profile, sink)
            tree.add_entry("many/big", big)
            root = tree.finish()
            sink.flush()
        store.record_pin(root.cid)
        return root.cid, big.cid

    root, big = server.call(build())
    # A path CAR is rooted at the requested CID and proves every step to the file.
    car = httpx.get(f"{url}/ipfs/{root}/many/big", params={"format": "car"}).content
    blocks = _car_blocks(car, root)
    assert blocks[0] == root
    file_blocks = server.call(_collect_dag(store, big))
    assert set(file_blocks) <= set(blocks)
    assert len(blocks) < len(file_blocks) + 10  # the file, plus a few shards on the path
    entity = httpx.get(f"{url}/ipfs/{root}/many", params={"format": "car", "dag-scope": "entity"})
    shards = _car_blocks(entity.content, root)
    everything = httpx.get(f"{url}/ipfs/{root}/many", params={"format": "car"})
    # entity: the proof and the shard nodes only; all: those plus every entry's blocks.
    assert len(_car_blocks(everything.content, root)) == len(shards) + 600 + len(file_blocks)
    for shard in shards[1:]:
        node = decode_node(server.call(store.get_block(shard)))
        assert node.data is not None
        assert decode_unixfs(node.data).type is DataType.HAMT_SHARD
    block = httpx.get(f"{url}/ipfs/{root}/many/big", params={"format": "car", "dag-scope": "block"})
    assert _car_blocks(block.content, root)[-1] == big


def test_repo_gc_over_rpc(daemon: Any) -> None:
    url, store, server = daemon
    kept = server.call(store.add_bytes(b"kept"))
    dropped = server.call(store.add_bytes(b"dropped", pin=False))
    removed = _lines(httpx.post(f"{url}/api/v0/repo/gc"))
    assert [parse_cid(line["Key"]["/"]).digest for line in removed] == [dropped.cid.digest]
    assert server.call(store.has(kept.cid))
