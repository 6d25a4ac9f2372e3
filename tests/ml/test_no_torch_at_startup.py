"""The node and the ``deepshard`` CLI start without importing torch or the ML stack."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "transformers", "peft", "datasketch", "safetensors", "numpy")


def test_cli_and_node_import_no_ml_stack() -> None:
    """Importing the CLI (every sub-command group, the node's included) loads no ML module."""
    code = (
        "import sys\n"
        "import deepshard.client.cli\n"
        "import deepshard.client.node.cli\n"
        "import deepshard.offchain_workers.ml, deepshard.offchain_workers.worker.cli\n"
        "import deepshard.offchain_workers.ml.cli, deepshard.offchain_workers.ml.profile\n"
        "import deepshard.offchain_workers.ml.canonical, deepshard.offchain_workers.ml.corpus\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_help_runs_without_ml_stack() -> None:
    """``deepshard ml --help`` lists the jobs without loading torch."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from deepshard.client.cli import app\n"
        "r = CliRunner().invoke(app, ['ml', '--help'])\n"
        "assert r.exit_code == 0 and 'train' in r.output, r.output\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
