"""@polkadot/api ``tx.utility.batchAll`` and ``asDerivative`` against a running dev node.

The script (``js/batch_all.mjs``) uses polkadot.js's own decorated calls, built from our
metadata; its `@polkadot/util-crypto` derivations are the independent oracle for the
derivative and multisig accounts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deepshard.pallets.multisig import multi_account_id
from deepshard.pallets.utility import derivative_account_id
from deepshard.primitives.crypto import ss58_encode

pytestmark = pytest.mark.e2e

SCRIPT_DIR = Path(__file__).parent / "js"
DSH = 10**12


def test_polkadot_api_batch_all_and_as_derivative(dev_node: Any) -> None:
    node = shutil.which("node")
    if node is None or not (SCRIPT_DIR / "node_modules" / "@polkadot" / "api").exists():
        pytest.fail("Node.js and the npm packages are needed: run `make js-deps`")
    result = subprocess.run(
        [node, str(SCRIPT_DIR / "batch_all.mjs"), dev_node.ws_url],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    found = json.loads(result.stdout.strip().splitlines()[-1])
    # the batch ran whole, every item reported
    assert found["ok"]["error"] is None
    assert found["ok"]["events"].count("utility.ItemCompleted") == 3
    assert "utility.BatchCompleted" in found["ok"]["events"]
    assert "system.Remarked" in found["ok"]["events"]
    assert int(found["bobGain"]) == DSH
    assert int(found["charlieGain"]) == 2 * DSH
    # a signed batchAll nesting batchAll is filtered, and its transfer is undone
    assert found["failed"]["error"] == "system.CallFiltered"
    assert found["failed"]["events"][-1] == "system.ExtrinsicFailed"
    assert int(found["charlieAfterFailed"]) == 0
    # derivations agree with @polkadot/util-crypto
    alice = bytes.fromhex(found["alice"][2:])
    ours = ss58_encode(derivative_account_id(alice, 7))
    assert found["createKeyDerived"] == ours
    assert found["derivedSender"] == ours
    accounts = sorted(bytes.fromhex(found[k][2:]) for k in ("alice", "bob", "charlie"))
    assert found["createKeyMulti"] == "0x" + bytes(multi_account_id(accounts, 2)).hex()
