"""``archive_v1_*`` (the new JSON-RPC spec's archive functions), written from the spec's text.

Served only by archive nodes; answers for any stored block, ``null`` for unknown ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.client.rpc import RpcServer
from deepshard.client.rpc.methods.archive import storage_diff
from deepshard.primitives.hashing import blake2_256

from .conftest import EXTRA_KEY, FakeNode, FakeState, WsClient
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


# --- archive_v1_storageDiff --------------------------------------------------------------------


def _reference_diff(
    old: dict[bytes, bytes], new: dict[bytes, bytes], items: list[tuple[bytes, str, bytes | None]]
) -> list[dict[str, str]]:
    """The spec's diff by brute force: every key of either state, item by item, once per type."""
    out, seen = [], set()
    for prefix, kind, child in items:
        if child is not None:
            continue
        for key in sorted(set(old) | set(new)):
            if not key.startswith(prefix) or old.get(key) == new.get(key) or (key, kind) in seen:
                continue
            seen.add((key, kind))
            after = new.get(key)
            if after is None:
                out.append({"event": "storageDiff", "key": hx(key), "type": "deleted"})
                continue
            shown = after if kind == "value" else blake2_256(after)
            change = "added" if key not in old else "modified"
            out.append({"event": "storageDiff", "key": hx(key), kind: hx(shown), "type": change})
    return out


_keys = st.binary(min_size=0, max_size=3)
_states = st.dictionaries(_keys, st.binary(min_size=1, max_size=2), max_size=12)
_items = st.lists(
    st.tuples(
        st.binary(max_size=2),
        st.sampled_from(["value", "hash"]),
        st.one_of(st.none(), st.just(b"child")),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(old=_states, new=_states, items=_items)
def test_storage_diff_matches_a_brute_force_model(
    old: dict[bytes, bytes], new: dict[bytes, bytes], items: list[tuple[bytes, str, bytes | None]]
) -> None:
    got = list(storage_diff(FakeState(old), FakeState(new), items))
    assert got == _reference_diff(old, new, items)


def _diff_events(ws: WsClient, params: list[Any]) -> list[dict[str, Any]]:
    sub = result(ws, "archive_v1_storageDiff", params)
    found = [event(ws, sub)]
    while found[-1]["event"] not in ("storageDiffDone", "storageDiffError"):
        found.append(event(ws, sub))
    return found


def test_storage_diff_between_blocks(make_server: Callable[..., RpcServer], node: FakeNode) -> None:
    node.info = dataclasses.replace(node.info, is_archive=True)
    block1 = node.block1_hash
    block2 = node.produce(value=b"two")
    states = node.chain.states
    states[block2][b":deepshard:added"] = b"new"
    gone = next(k for k in sorted(states[block2]) if k.startswith(b"\x26\xaa"))
    del states[block2][gone]
    ws = WsClient(make_server().url_ws)
    try:
        assert "archive_v1_stopStorageDiff" in result(ws, "rpc_methods", [])["methods"]
        # no items: every key of the main trie, values; against the parent
        everything = _diff_events(ws, [hx(block2)])
        assert everything[-1] == {"event": "storageDiffDone"}
        expected = _reference_diff(states[block1], states[block2], [(b"", "value", None)])
        assert everything[:-1] == expected
        kinds = {e["key"]: e["type"] for e in expected}
        assert kinds[hx(EXTRA_KEY)] == "modified"
        assert kinds[hx(b":deepshard:added")] == "added"
        assert kinds[hx(gone)] == "deleted"
        # prefixes, hashes, a child trie, and an older ancestor as previousHash
        items = [
            {"key": hx(b":deepshard"), "returnType": "hash"},
            {"returnType": "value", "childTrieKey": hx(b"child")},
        ]
        from_genesis = _diff_events(ws, [hx(block2), items, hx(node.genesis_hash)])
        assert from_genesis[:-1] == _reference_diff(
            states[node.genesis_hash], states[block2], [(b":deepshard", "hash", None)]
        )
        # refusals: not an ancestor, unknown block, genesis without previousHash, bad params
        assert _diff_events(ws, [hx(block1), None, hx(block2)])[0]["event"] == "storageDiffError"
        assert _diff_events(ws, [hx(b"\x44" * 32)])[0]["event"] == "storageDiffError"
        assert _diff_events(ws, [hx(node.genesis_hash)])[0]["event"] == "storageDiffError"
        bad = [{"key": "0x", "returnType": "descendantsValues"}]
        assert error(ws, "archive_v1_storageDiff", [hx(block2), bad])["code"] == -32602
        assert error(ws, "archive_v1_storageDiff", [hx(block2), "items"])["code"] == -32602
        # jsonrpsee answers an unsubscribe with a bool, as for every Substrate subscription
        assert result(ws, "archive_v1_stopStorageDiff", ["nothing"]) is False
    finally:
        ws.close()
