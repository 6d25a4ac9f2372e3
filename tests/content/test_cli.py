"""`deepshard ipfs ...` end to end through the root command, on the embedded store and remotes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.content.conftest import content
from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.offchain_workers.content.cids import DAG_PB, block_cid
from deepshard.offchain_workers.content.dagpb import PBLink, PBNode, encode_node
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.content.unixfs import DataType, UnixFSData, encode_unixfs

runner = CliRunner()


def ipfs(repo: Path, *args: str) -> Any:
    return runner.invoke(app, ["ipfs", "--repo", str(repo), *args], catch_exceptions=False)


def test_add_cat_get_and_pins(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (tmp_path / "hello").write_bytes(b"hello world\n")
    added = ipfs(repo, "add", str(tmp_path / "hello"))
    assert added.exit_code == 0, added.output
    assert added.output.strip() == "added QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o hello"
    v1 = ipfs(repo, "--json", "add", "--cid-version", "1", str(tmp_path / "hello"))
    assert json.loads(v1.output)[0]["cid"] == (
        "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    )
    cat = ipfs(repo, "cat", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")
    assert cat.stdout_bytes == b"hello world\n"
    pins = json.loads(ipfs(repo, "--json", "pin", "ls").output)
    assert {p["type"] for p in pins} == {"recursive"}
    assert len(pins) == 2
    out = tmp_path / "back"
    got = ipfs(repo, "get", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "-o", str(out))
    assert got.exit_code == 0
    assert out.read_bytes() == b"hello world\n"


def test_directories_only_hash_and_errors(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "big").write_bytes(content(700_000, 1))
    (tree / "small").write_bytes(b"small")
    refused = ipfs(repo, "add", str(tree))
    assert refused.exit_code == 2
    assert "-r" in refused.output
    hashed = json.loads(ipfs(repo, "--json", "add", "-n", "-r", "-w", str(tree)).output)
    assert [e["name"] for e in hashed] == ["tree/small", "tree/sub/big", "tree/sub", "tree", ""]
    assert json.loads(ipfs(repo, "--json", "pin", "ls").output) == []
    added = json.loads(ipfs(repo, "--json", "add", "-r", str(tree)).output)
    assert added[-1]["cid"] == hashed[-2]["cid"]
    out = tmp_path / "copy"
    assert ipfs(repo, "get", added[-1]["cid"], "-o", str(out)).exit_code == 0
    assert (out / "sub" / "big").read_bytes() == content(700_000, 1)
    assert (out / "small").read_bytes() == b"small"
    missing = ipfs(
        repo, "--json", "cat", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyka"
    )
    assert missing.exit_code == 1
    error = json.loads(missing.output)["error"]
    assert error["type"] == "BlockNotFound"
    assert error["backend"] == "embedded"
    not_file = ipfs(repo, "cat", added[-1]["cid"])
    assert not_file.exit_code == 1
    assert "not a file" in not_file.output


def test_car_round_trip_blocks_and_gc(tmp_path: Path) -> None:
    repo, other = tmp_path / "repo", tmp_path / "other"
    (tmp_path / "f").write_bytes(content(300_000, 2))
    cid = json.loads(ipfs(repo, "--json", "add", str(tmp_path / "f")).output)[0]["cid"]
    car = tmp_path / "f.car"
    assert ipfs(repo, "car", "export", cid, "-o", str(car)).exit_code == 0
    imported = json.loads(ipfs(other, "--json", "car", "import", str(car)).output)
    assert imported == {"roots": [cid]}
    assert ipfs(other, "cat", cid).stdout_bytes == content(300_000, 2)
    stat = json.loads(ipfs(other, "--json", "block", "stat", cid).output)
    assert stat["Key"] == cid
    block = ipfs(other, "block", "get", cid).stdout_bytes
    assert str(block_cid(block, codec=DAG_PB, version=0)) == cid
    assert ipfs(other, "pin", "rm", cid).exit_code == 0
    removed = json.loads(ipfs(other, "--json", "gc").output)["removed"]
    assert removed == 3


def test_remote_backends_through_our_daemon(tmp_path: Path, daemon: Any) -> None:
    url, _, _ = daemon
    (tmp_path / "f").write_bytes(content(500_000, 3))
    repo = tmp_path / "unused"
    added = runner.invoke(app, ["ipfs", "--api", url, "--json", "add", str(tmp_path / "f")])
    assert added.exit_code == 0, added.output
    cid = json.loads(added.output)[0]["cid"]
    via_api = runner.invoke(app, ["ipfs", "--api", url, "cat", cid])
    assert via_api.stdout_bytes == content(500_000, 3)
    via_gateway = runner.invoke(app, ["ipfs", "--gateway", url, "cat", cid])
    assert via_gateway.stdout_bytes == content(500_000, 3)
    refused = runner.invoke(app, ["ipfs", "--gateway", url, "--json", "pin", "add", cid])
    assert json.loads(refused.output)["error"]["type"] == "ReadOnlyBackend"
    unpinned = runner.invoke(
        app, ["ipfs", "--api", url, "--json", "add", "--no-pin", str(tmp_path / "f")]
    )
    assert json.loads(unpinned.output)[0]["cid"] == cid  # same bytes: still pinned once
    collected = runner.invoke(app, ["ipfs", "--api", url, "--json", "gc"])
    assert json.loads(collected.output) == {"removed": 0}
    fetched = runner.invoke(app, ["ipfs", "--repo", str(repo), "--gateway", url, "fetch", cid])
    assert fetched.exit_code == 0, fetched.output
    assert ipfs(repo, "cat", cid).stdout_bytes == content(500_000, 3)
    assert [p["cid"] for p in json.loads(ipfs(repo, "--json", "pin", "ls").output)] == [cid]


def test_symlinks_are_stored_not_followed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    tree = tmp_path / "tree"
    (tree / "real").mkdir(parents=True)
    (tree / "real" / "f").write_bytes(b"f")
    (tree / "to-dir").symlink_to("real")
    (tree / "to-file").symlink_to("real/f")
    added = json.loads(ipfs(repo, "--json", "add", "-r", str(tree)).output)
    names = [e["name"] for e in added]
    assert names == ["tree/to-dir", "tree/to-file", "tree/real/f", "tree/real", "tree"]
    out = tmp_path / "copy"
    assert ipfs(repo, "get", added[-1]["cid"], "-o", str(out)).exit_code == 0
    assert (out / "to-dir").is_symlink()
    assert str((out / "to-dir").readlink()) == "real"
    assert (out / "to-file").read_bytes() == b"f"


def test_get_refuses_hostile_directory_entries(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    store = EmbeddedStore(repo)
    try:
        file_cid = asyncio.run(store.add_bytes(b"payload")).cid
        link_block = encode_node(PBNode((), encode_unixfs(UnixFSData(DataType.SYMLINK, b"/tmp"))))
        link_cid = asyncio.run(store.put_block(link_block, codec=DAG_PB, version=0))
        dir_data = encode_unixfs(UnixFSData(DataType.DIRECTORY))
        twice = encode_node(
            PBNode((PBLink(bytes(link_cid), "a", 1), PBLink(bytes(file_cid), "a", 1)), dir_data),
            sort_links=False,
        )
        twice_cid = asyncio.run(store.put_block(twice, codec=DAG_PB, version=0))
        escape = encode_node(PBNode((PBLink(bytes(file_cid), "..", 1),), dir_data))
        escape_cid = asyncio.run(store.put_block(escape, codec=DAG_PB, version=0))
    finally:
        store.close()
    for hostile in (twice_cid, escape_cid):
        result = ipfs(repo, "--json", "get", str(hostile), "-o", str(tmp_path / "out"))
        assert result.exit_code == 1
        assert json.loads(result.output)["error"]["type"] == "ContentError"
    assert not (tmp_path / "payload").exists()
