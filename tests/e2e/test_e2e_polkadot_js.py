"""@polkadot/api (npm, pinned in tests/e2e/js), unmodified, against a running dev node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

SCRIPT_DIR = Path(__file__).parent / "js"


def test_polkadot_api_transfer(dev_node: Any) -> None:
    node = shutil.which("node")
    if node is None or not (SCRIPT_DIR / "node_modules" / "@polkadot" / "api").exists():
        pytest.fail("Node.js and the npm packages are needed: run `make js-deps`")
    result = subprocess.run(
        [node, str(SCRIPT_DIR / "transfer.mjs"), dev_node.ws_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["chain"] == "Development"
    assert found["specName"] == "deepshard"
    assert int(found["after"]) == int(found["before"]) + 10**12
    assert "balances.Transfer" in found["events"]
    assert found["events"][-1] == "system.ExtrinsicSuccess"
