"""A real `deepshard node --dev` process per test module, reached over JSON-RPC.

The node is started exactly as a user starts it (the console script, a free port, a temporary
base path), and stopped with SIGINT (a clean shutdown) after the module's tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

NODE_START_TIMEOUT = 60.0


@dataclass
class RunningNode:
    """A node process and how to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    base_path: Path
    log_path: Path

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def rpc(self, method: str, params: object = None) -> dict[str, object]:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
        request = urllib.request.Request(
            self.http_url, body.encode(), {"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            result: dict[str, object] = json.loads(response.read())
            return result

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def deepshard_command() -> list[str]:
    script = Path(sys.executable).with_name("deepshard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "deepshard.client.cli"]


def start_node(tmp: Path, *extra: str, base_path: Path | None = None) -> RunningNode:
    port = free_port()
    log_path = tmp / "node.log"
    base = base_path or tmp / "base"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *deepshard_command(),
                "node",
                "--dev",
                "--base-path",
                str(base),
                "--rpc-port",
                str(port),
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    node = RunningNode(process, port, base, log_path)
    deadline = time.monotonic() + NODE_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the node exited early:\n{node.log()}")
        try:
            node.rpc("system_health")
            return node
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the node did not answer within {NODE_START_TIMEOUT} s:\n{node.log()}")


def stop_node(node: RunningNode) -> None:
    if node.process.poll() is None:
        node.process.send_signal(signal.SIGINT)
        try:
            node.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()


@pytest.fixture(scope="module")
def dev_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    node = start_node(tmp_path_factory.mktemp("node"))
    try:
        yield node
    finally:
        stop_node(node)


@pytest.fixture
def launch() -> Callable[..., RunningNode]:
    """`start_node(tmp, *extra, base_path=None)`, for tests that manage node processes."""
    return start_node
