"""@polkadot/api, unmodified, against the server (slow; needs node and an installed @polkadot/api).

Set ``POLKADOT_JS_DIR`` to a folder whose ``node_modules`` holds ``@polkadot/api`` (e.g. after
``npm install @polkadot/api@16.5.6`` there); the test is skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from deepshard.client.rpc import RpcServer
from deepshard.runtime.version import VERSION

from .conftest import FakeNode

SCRIPT = Path(__file__).with_name("polkadot_smoke.mjs")


@pytest.mark.slow
def test_polkadot_js_connects_reads_and_subscribes(server: RpcServer, node: FakeNode) -> None:
    folder = os.environ.get("POLKADOT_JS_DIR")
    if not folder or not (Path(folder) / "node_modules" / "@polkadot" / "api").is_dir():
        pytest.skip("POLKADOT_JS_DIR with node_modules/@polkadot/api is not set up")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    script = Path(folder) / SCRIPT.name
    shutil.copyfile(SCRIPT, script)
    run = subprocess.run(
        ["node", str(script), server.url_ws],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["chain"] == "Development"
    assert seen["genesis"] == node.genesis_hash.to_hex()
    assert seen["spec"] == int(VERSION.spec_version)
    assert seen["number"] == 1
    assert seen["hash"] == node.block1_hash.to_hex()  # polkadot.js hashes the header itself
    assert int(seen["free"]) > 0
    assert seen["nonce"] == 0
    assert seen["xts"] == ["timestamp.set"]
    assert seen["heads"] >= 1
    assert seen["finalized"] == node.genesis_hash.to_hex()
