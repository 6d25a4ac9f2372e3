"""Real IPFS clients, unmodified, against `deepshard ipfs daemon` as a separate process.

kubo-rpc-client (Kubo's official JS client) adds, cats, pins, lists and moves blocks through our
RPC; @helia/verified-fetch fetches and verifies content from our gateway; our own Kubo RPC
backend and gateway reader read the same daemon.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.content.conftest import content, run_node_script

from deepshard.offchain_workers.content.gateway import GatewayReader
from deepshard.offchain_workers.content.importer import import_bytes
from deepshard.offchain_workers.content.kubo import KuboRpcStore
from deepshard.offchain_workers.content.profiles import UNIXFS_V0_2015, UNIXFS_V1_2025

pytestmark = pytest.mark.e2e

DEEPSHARD = str(Path(sys.executable).with_name("deepshard"))


@pytest.fixture
def daemon_process(tmp_path: Path) -> Iterator[str]:
    """``deepshard ipfs daemon --port 0`` in its own process; yields its base URL."""
    env = {**os.environ, "DEEPSHARD_IPFS_PATH": str(tmp_path / "repo")}
    proc = subprocess.Popen(
        [DEEPSHARD, "ipfs", "--json", "daemon", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "daemon exited"
        api = json.loads(line)["api"]
        yield api.removesuffix("/api/v0")
    finally:
        proc.terminate()
        proc.wait(30)


def test_kubo_rpc_client_against_our_daemon(daemon_process: str) -> None:
    seen = run_node_script("kubo_client.mjs", daemon_process, timeout=120)
    assert seen["helloV0"] == "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    assert seen["helloV1"] == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    big = bytes((i * 31 + (i >> 9) + (i >> 18) * 7) & 0xFF for i in range(3 * 262144 + 5))
    assert seen["big"] == str(import_bytes(big, UNIXFS_V0_2015).cid)
    assert seen["catMatches"] is True
    assert seen["catWindow"] == big[262140:262150].hex()
    assert [e["path"] for e in seen["tree"]] == [
        "tree/a.txt",
        "tree/sub/b.txt",
        "tree/sub",
        "tree",
        "",
    ]
    pinned = {p["cid"]: p["type"] for p in seen["pins"]}
    assert pinned[seen["helloV0"]] == "recursive"
    assert pinned[seen["tree"][-1]["cid"]] == "recursive"
    assert len(seen["pinsAfterRm"]) == len(seen["pins"]) - 1
    assert seen["blockStat"] == {"cid": seen["helloV0"], "size": 20}
    assert bytes.fromhex(seen["blockBytes"]).endswith(b"hello world\n\x18\x0c")
    assert seen["blockPut"].startswith("bafkrei")
    assert "not pinned" in seen["pinRmError"]
    assert seen["carBytes"] > len(big)


def test_verified_fetch_and_our_readers_against_our_daemon(
    daemon_process: str, tmp_path: Path
) -> None:
    data = content(3 * 1024 * 1024 + 7, 21)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "weights.bin").write_bytes(data)

    async def seed() -> tuple[str, str, str]:
        async with KuboRpcStore(daemon_process) as kubo:
            v0 = await kubo.add_bytes(data, profile=UNIXFS_V0_2015)
            v1 = await kubo.add_bytes(data, profile=UNIXFS_V1_2025)
            tree = await kubo.add_path(tmp_path / "site", profile=UNIXFS_V1_2025)
        async with GatewayReader(daemon_process) as gateway:
            for cid in (v0.cid, v1.cid):
                back = b"".join([piece async for piece in gateway.cat(cid)])
                assert back == data
        return str(v0.cid), str(v1.cid), str(tree[-1].cid)

    v0, v1, site = asyncio.run(seed())
    seen = run_node_script("verified_fetch.mjs", daemon_process, v0, v1, f"{site}/weights.bin")
    digest = hashlib.sha256(data).hexdigest()
    for target in (v0, v1, f"{site}/weights.bin"):
        assert seen[target] == {"status": 200, "length": len(data), "sha256": digest}, target
