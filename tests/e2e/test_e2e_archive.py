"""``archive_v1_storageDiff`` on a real ``deepshard node --dev --archive``, checked against what
the legacy RPC reads from the same two blocks (``state_getKeysPaged`` + ``state_getStorage``)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import websocket

from .conftest import stop_node

pytestmark = pytest.mark.e2e

SYSTEM = "0x26aa394eea5630e07c48ae0c9558cef7"


def _result(node: Any, method: str, params: list[Any]) -> Any:
    answer = node.rpc(method, params)
    assert "error" not in answer, answer
    return answer["result"]


def _storage(node: Any, prefix: str, at: str) -> dict[str, str]:
    """Every key under `prefix` at block `at` with its value, read with the legacy RPC."""
    keys: list[str] = []
    start = prefix
    while True:
        page = _result(node, "state_getKeysPaged", [prefix, 1000, start, at])
        keys += page
        if len(page) < 1000:
            break
        start = page[-1]
    return {key: _result(node, "state_getStorage", [key, at]) for key in keys}


def test_storage_diff_agrees_with_the_legacy_reads(launch: Any, tmp_path: Path) -> None:
    node = launch(tmp_path, "--archive")
    try:
        deadline = time.monotonic() + 60
        while int(_result(node, "chain_getHeader", [])["number"], 16) < 2:
            assert time.monotonic() < deadline, "no block 2"
            time.sleep(0.5)
        one, two = (_result(node, "chain_getBlockHash", [n]) for n in (1, 2))
        old, new = _storage(node, SYSTEM, one), _storage(node, SYSTEM, two)
        expected = {}
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                kind = "deleted" if key not in new else "added" if key not in old else "modified"
                expected[key] = (kind, new.get(key) if kind != "deleted" else None)
        assert expected  # a new block always changes System's items (number, events, ...)
        ws = websocket.create_connection(node.ws_url, timeout=30)
        try:
            item = {"key": SYSTEM, "returnType": "value"}
            ws.send(
                json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "archive_v1_storageDiff",
                        "params": [two, [item], one],
                    }
                )
            )
            events: list[dict[str, Any]] = []
            subscription = None
            while not events or events[-1]["event"] not in ("storageDiffDone", "storageDiffError"):
                message = json.loads(ws.recv())
                if message.get("id") == 1:
                    subscription = message["result"]
                    continue
                assert message["method"] == "archive_v1_storageDiffEvent"
                assert message["params"]["subscription"] == subscription  # answered first
                events.append(message["params"]["result"])
        finally:
            ws.close()
        assert events[-1] == {"event": "storageDiffDone"}
        got = {e["key"]: (e["type"], e.get("value")) for e in events[:-1]}
        assert got == expected
    finally:
        stop_node(node)
