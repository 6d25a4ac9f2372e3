"""The legacy methods wallets and exchanges call, against a running dev node.

@polkadot/api (pinned in tests/e2e/js) decodes ``system_dryRun``'s ``ApplyExtrinsicResult``,
calls runtime APIs it learns from metadata V15 (``api.call``) and reads the fee details and
listen addresses; the child-storage proof is checked with our trie verifier against the
block's state root.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deepshard.primitives.trie import verify_proof

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).parent / "js" / "dry_run.mjs"


def test_polkadot_api_dry_run_fees_and_runtime_calls(dev_node: Any) -> None:
    node_bin = shutil.which("node")
    if node_bin is None or not (SCRIPT.parent / "node_modules" / "@polkadot" / "api").exists():
        pytest.fail("Node.js and the npm packages are needed: run `make js-deps`")
    run = subprocess.run(
        [node_bin, str(SCRIPT), dev_node.ws_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["metadataVersion"] == 16  # polkadot.js picked V16 from metadata_versions
    assert seen["good"] == {"valid": True, "ok": True}
    assert seen["failing"] == {"valid": True, "ok": False, "error": "sudo.RequireSudo"}
    assert seen["future"] == {"valid": False, "error": {"invalid": {"future": None}}}
    assert seen["nonceAfter"] == seen["nonceBefore"]  # a dry run keeps nothing
    fee = seen["feeDetails"]["inclusionFee"]
    total = int(fee["baseFee"]) + int(fee["lenFee"]) + int(fee["adjustedWeightFee"])
    assert total == int(seen["partialFee"])
    assert seen["listen"] == [f"/ip4/127.0.0.1/tcp/{dev_node.port}/ws"]


def test_child_read_proof_proves_there_is_no_child_trie(dev_node: Any) -> None:
    child = b":child_storage:default:" + b"anything"
    best = dev_node.rpc("chain_getHeader")["result"]
    answer = dev_node.rpc("state_getChildReadProof", ["0x" + child.hex(), ["0x00"], None])
    proof = [bytes.fromhex(node[2:]) for node in answer["result"]["proof"]]
    at = dev_node.rpc("chain_getHeader", [answer["result"]["at"]])["result"]
    assert int(at["number"], 16) >= int(best["number"], 16)
    root = bytes.fromhex(at["stateRoot"][2:])
    assert verify_proof(root, proof, [child]) == {child: None}
    value = dev_node.rpc("childstate_getStorage", ["0x" + child.hex(), "0x00"])
    assert value == {"jsonrpc": "2.0", "id": 1, "result": None}
    bad = dev_node.rpc("childstate_getStorage", ["0x" + b"nope".hex(), "0x00"])
    assert bad["error"] == {"code": 4003, "message": "Client error: Invalid child storage key"}
