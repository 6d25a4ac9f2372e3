"""``archive_v1_*`` (the new JSON-RPC spec's archive functions), written from the spec's text.

Served only by archive nodes; answers for any stored block, ``null`` for unknown ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from deepshard.client.rpc import RpcServer
from deepshard.primitives.hashing import blake2_256

from .conftest import EXTRA_KEY, FakeNode, WsClient
from .test_rpc_chain_head import error, event, hx, result


def test_archive_methods_only_on_archive_nodes(
    make_server: Callable[..., RpcServer], node: FakeNode
) -> None:
    pruned = WsClient(make_server().url_ws)
    assert "archive_v1_header" not in result(pruned, "rpc_methods", [])["methods"]
    pruned.close()
    node.info = dataclasses.replace(node.info, is_archive=True)
    ws = WsClient(make_server().url_ws)
    try:
        _check_archive(ws, node)
    finally:
        ws.close()


def _check_archive(ws: WsClient, node: FakeNode) -> None:
    block1 = node.block1_hash
    unknown = hx(b"\x22" * 32)
    assert result(ws, "archive_v1_genesisHash", []) == hx(node.genesis_hash)
    assert result(ws, "archive_v1_finalizedHeight", []) == 0
    assert result(ws, "archive_v1_hashByHeight", [1]) == [hx(block1)]
    assert result(ws, "archive_v1_hashByHeight", [7]) == []
    assert result(ws, "archive_v1_header", [hx(block1)]) == hx(node.chain.headers[block1].encode())
    assert result(ws, "archive_v1_header", [unknown]) is None
    assert result(ws, "archive_v1_body", [hx(block1)]) == [hx(x) for x in node.chain.bodies[block1]]
    assert result(ws, "archive_v1_body", [unknown]) is None
    ok = result(ws, "archive_v1_call", [hx(block1), "Core_version", "0x"])
    assert ok == {"success": True, "value": hx(node.runtime.version.encode())}
    failed = result(ws, "archive_v1_call", [hx(block1), "Nope_nothing", "0x"])
    assert failed["success"] is False
    assert "Nope_nothing" in failed["error"]
    assert result(ws, "archive_v1_call", [unknown, "Core_version", "0x"]) is None
    assert error(ws, "archive_v1_call", [hx(block1), 5, "0x"])["code"] == -32602

    state = node.chain.states[block1]
    system = bytes.fromhex("26aa394eea5630e07c48ae0c9558cef7")
    under = sorted(k for k in state if k.startswith(system))
    items: list[dict[str, Any]] = [
        {"key": hx(EXTRA_KEY), "type": "value"},
        {"key": hx(EXTRA_KEY), "type": "hash"},
        {"key": hx(b"absent"), "type": "value"},
        {"key": hx(system), "type": "descendantsValues", "paginationStartKey": hx(under[1])},
    ]
    sub = result(ws, "archive_v1_storage", [hx(block1), items, None])
    seen = []
    while True:
        found = event(ws, sub)
        if found["event"] == "storageDone":
            break
        seen.append(found)
    assert seen[:2] == [
        {"event": "storage", "key": hx(EXTRA_KEY), "value": hx(b"one")},
        {"event": "storage", "key": hx(EXTRA_KEY), "hash": hx(blake2_256(b"one"))},
    ]
    assert seen[2:] == [
        {"event": "storage", "key": hx(k), "value": hx(state[k])} for k in under[2:]
    ]
    gone = result(ws, "archive_v1_storage", [hx(b"\x33" * 32), items[:1], None])
    assert event(ws, gone)["event"] == "storageError"
    assert error(ws, "archive_v1_storage", [hx(block1), [{"key": "0x", "type": "x"}]])["code"] == (
        -32602
    )
