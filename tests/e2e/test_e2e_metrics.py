"""The node's Prometheus exporter serves block heights, import times, pool sizes and RPC calls."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _metric(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_prometheus_metrics(tmp_path: Path, launch: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    node = launch(tmp_path, "--prometheus-port", str(port))
    try:
        deadline = time.monotonic() + 20
        text = ""
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
                text = reply.read().decode()
            if (_metric(text, 'substrate_block_height{status="best"}') or 0) >= 1:
                break
            time.sleep(0.5)
        assert (_metric(text, 'substrate_block_height{status="best"}') or 0) >= 1
        assert _metric(text, 'substrate_block_height{status="finalized"}') is not None
        assert "substrate_block_import_seconds_count" in text
        assert "substrate_ready_transactions_number" in text
        node.rpc("system_chain")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            assert "substrate_rpc_calls_total" in reply.read().decode()
    finally:
        node.process.terminate()
        node.process.wait(timeout=30)
