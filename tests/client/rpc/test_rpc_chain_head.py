"""Conformance of the new JSON-RPC spec's functions, written from the spec's text.

paritytech/json-rpc-interface-spec: ``chainHead_v1_*`` (event order, pinning and unpinning,
operation ids and events, storage pagination with continue, the limits: two follows per
connection, sixteen operations, pinned blocks, a lagging subscription gets ``stop``),
``chainSpec_v1_*``, ``transaction_v1_*`` and ``transactionWatch_v1_*``, over a WebSocket
against the fake node, whose blocks the tests announce themselves.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from deepshard.client.rpc import BackgroundRpcServer, RpcLimits, RpcPolicy, RpcServer
from deepshard.client.rpc.methods import ChainHeadLimits, node_rpc_module
from deepshard.client.rpc.methods.chain_head import runtime_spec_json
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Digest, Header
from deepshard.primitives.numeric import U32
from deepshard.primitives.transaction_validity import BadProof, TransactionInvalid

from .conftest import EXTRA_KEY, FakeNode, WsClient, status

FOLLOW_EVENT = "chainHead_v1_followEvent"


@pytest.fixture
def head_server(node: FakeNode) -> Iterator[Callable[..., RpcServer]]:
    """``head_server(limits=ChainHeadLimits(...), rpc_limits=RpcLimits(...))``."""
    running: list[BackgroundRpcServer] = []

    def start(
        limits: ChainHeadLimits | None = None, rpc_limits: RpcLimits | None = None
    ) -> RpcServer:
        background = BackgroundRpcServer(
            lambda: RpcServer(
                node_rpc_module(node, chain_head_limits=limits),
                host="127.0.0.1",
                port=0,
                limits=rpc_limits or RpcLimits(),
            )
        )
        running.append(background)
        return background.start()

    yield start
    for background in running:
        background.stop()


@pytest.fixture
def client(head_server: Callable[..., RpcServer]) -> Iterator[Callable[..., WsClient]]:
    clients: list[WsClient] = []

    def connect(**limits: Any) -> WsClient:
        made = WsClient(head_server(**limits).url_ws)
        clients.append(made)
        return made

    yield connect
    for made in clients:
        made.close()


def result(ws: WsClient, method: str, params: Any) -> Any:
    answer = ws.call(method, params)
    assert "error" not in answer, answer
    return answer["result"]


def error(ws: WsClient, method: str, params: Any) -> dict[str, Any]:
    answer = ws.call(method, params)
    assert "result" not in answer, answer
    err: dict[str, Any] = answer["error"]
    return err


def event(ws: WsClient, subscription: str) -> dict[str, Any]:
    """The next notification of `subscription` (others stay queued in order)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for position, message in enumerate(ws.notifications):
            if message["params"]["subscription"] == subscription:
                del ws.notifications[position]
                assert message["method"] in (
                    FOLLOW_EVENT,
                    "transactionWatch_v1_watchEvent",
                    "archive_v1_storageEvent",
                    "archive_v1_storageDiffEvent",
                )
                found: dict[str, Any] = message["params"]["result"]
                return found
        ws.receive()
    raise AssertionError("no notification")


def follow(ws: WsClient, with_runtime: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Follow; return the id and the events up to the first bestBlockChanged."""
    sub = result(ws, "chainHead_v1_follow", [with_runtime])
    events = [event(ws, sub)]
    while events[-1]["event"] != "bestBlockChanged":
        events.append(event(ws, sub))
    return sub, events


def child(node: FakeNode, parent: H256, tag: bytes) -> Header:
    """Add a block on `parent` (a fork if it is not the best) and return its header."""
    parent_header = node.chain.headers[parent]
    header = Header(
        parent_hash=parent,
        number=int(parent_header.number) + 1,
        state_root=H256(blake2_256(b"state" + tag)),
        extrinsics_root=H256(blake2_256(b"xts" + tag)),
        digest=Digest(),
    )
    state = dict(node.chain.states[parent])
    state[EXTRA_KEY] = tag
    node.chain.add(header, (b"\x0c" + tag[:3].ljust(3, b"\x00"),), state)
    return header


def announce(node: FakeNode, header: Header, *, best: bool = False, final: bool = False) -> None:
    node.events.publish("imported", header)
    if best:
        node.events.publish("best", header)
    if final:
        node.chain.finalized = header.hash()
        node.events.publish("finalized", header)


def hx(value: H256 | bytes) -> str:
    return "0x" + bytes(value).hex()


# --- chainHead_v1_follow: the event stream ------------------------------------------------------


def test_follow_reports_finalized_then_unfinalized_then_best(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client()
    sub, events = follow(ws)
    initialized, new_block, best = events
    assert initialized["event"] == "initialized"
    assert initialized["finalizedBlockHashes"] == [hx(node.genesis_hash)]
    runtime = initialized["finalizedBlockRuntime"]
    assert runtime["type"] == "valid"
    spec = runtime["spec"]
    version = node.runtime.version
    assert spec["specName"] == version.spec_name
    assert spec["specVersion"] == int(version.spec_version)
    assert spec["transactionVersion"] == int(version.transaction_version)
    assert spec["apis"]["0xdf6acb689907609b"] == 5  # Core, keyed by blake2_64 of the name
    assert set(spec) == {
        "specName",
        "implName",
        "specVersion",
        "implVersion",
        "transactionVersion",
        "apis",
    }
    assert new_block == {
        "event": "newBlock",
        "blockHash": hx(node.block1_hash),
        "parentBlockHash": hx(node.genesis_hash),
        "newRuntime": None,
    }
    assert best == {"event": "bestBlockChanged", "bestBlockHash": hx(node.block1_hash)}
    # A new best block, then finality of both.
    b2 = child(node, node.block1_hash, b"two")
    announce(node, b2, best=True)
    assert event(ws, sub) == {
        "event": "newBlock",
        "blockHash": hx(b2.hash()),
        "parentBlockHash": hx(node.block1_hash),
        "newRuntime": None,
    }
    assert event(ws, sub) == {"event": "bestBlockChanged", "bestBlockHash": hx(b2.hash())}
    announce(node, b2, final=True)
    assert event(ws, sub) == {
        "event": "finalized",
        "finalizedBlockHashes": [hx(node.block1_hash), hx(b2.hash())],
        "prunedBlockHashes": [],
    }


def test_without_runtime_there_is_no_runtime_field(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client()
    sub, (initialized, new_block, _) = follow(ws, with_runtime=False)
    assert "finalizedBlockRuntime" not in initialized
    assert "newRuntime" not in new_block
    err = error(ws, "chainHead_v1_call", [sub, hx(node.block1_hash), "Core_version", "0x"])
    assert err["code"] == -32802


def test_new_runtime_is_reported_on_the_block_that_changes_it(
    client: Callable[..., WsClient], node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = client()
    sub, _ = follow(ws)
    upgraded = dataclasses.replace(node.runtime.version, spec_version=U32(999))
    b2 = child(node, node.block1_hash, b"two")
    b3 = child(node, b2.hash(), b"three")
    changed = {b2.hash(), b3.hash()}
    original = node.runtime_version
    monkeypatch.setattr(
        node, "runtime_version", lambda h: upgraded if h in changed else original(h)
    )
    announce(node, b2)
    announce(node, b3)
    first, second = event(ws, sub), event(ws, sub)
    assert first["newRuntime"] == runtime_spec_json(upgraded)
    assert first["newRuntime"]["spec"]["specVersion"] == 999
    assert second["newRuntime"] is None  # same runtime as its parent


def test_forks_are_reported_and_pruned_on_finality(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client()
    sub, _ = follow(ws)
    fork = child(node, node.genesis_hash, b"fork")  # a sibling of block 1
    announce(node, fork)
    assert event(ws, sub)["blockHash"] == hx(fork.hash())
    b2 = child(node, node.block1_hash, b"two")
    announce(node, b2, best=True)
    assert event(ws, sub)["event"] == "newBlock"
    assert event(ws, sub)["event"] == "bestBlockChanged"
    announce(node, b2, final=True)
    finalized = event(ws, sub)
    assert finalized["finalizedBlockHashes"] == [hx(node.block1_hash), hx(b2.hash())]
    assert finalized["prunedBlockHashes"] == [hx(fork.hash())]
    # Pruned blocks stay pinned until the client unpins them.
    assert result(ws, "chainHead_v1_header", [sub, hx(fork.hash())]) == hx(fork.encode())
    assert result(ws, "chainHead_v1_unpin", [sub, hx(fork.hash())]) is None
    assert error(ws, "chainHead_v1_header", [sub, hx(fork.hash())])["code"] == -32801


def test_initial_events_report_every_fork_parents_first(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    """The spec: a ``newBlock`` for each non-finalized block in memory, including all forks,
    each after its parent; then the best block."""
    fork = child(node, node.genesis_hash, b"fork")  # a sibling of block 1
    fork2 = child(node, fork.hash(), b"fork2")
    b2 = child(node, node.block1_hash, b"two")
    node.chain.best = b2.hash()
    ws = client()
    sub, events = follow(ws)
    assert events[0]["event"] == "initialized"
    new_blocks = events[1:-1]
    assert all(e["event"] == "newBlock" for e in new_blocks)
    reported = [e["blockHash"] for e in new_blocks]
    expected = {hx(h) for h in (node.block1_hash, b2.hash(), fork.hash(), fork2.hash())}
    assert sorted(reported) == sorted(expected)
    seen = {hx(node.genesis_hash)}
    for e in new_blocks:
        assert e["parentBlockHash"] in seen
        seen.add(e["blockHash"])
    assert events[-1] == {"event": "bestBlockChanged", "bestBlockHash": hx(b2.hash())}
    # every one is pinned; finality of block 2 prunes the whole side fork
    assert result(ws, "chainHead_v1_header", [sub, hx(fork2.hash())]) == hx(fork2.encode())
    announce(node, b2, final=True)
    finalized = event(ws, sub)
    assert finalized["finalizedBlockHashes"] == [hx(node.block1_hash), hx(b2.hash())]
    assert sorted(finalized["prunedBlockHashes"]) == sorted([hx(fork.hash()), hx(fork2.hash())])


def test_best_block_moves_before_its_fork_is_pruned(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    """The spec: the best block is the last finalized one or in neither finalized list."""
    ws = client()
    sub, _ = follow(ws)
    fork = child(node, node.genesis_hash, b"fork")
    announce(node, fork, best=True)
    assert event(ws, sub)["event"] == "newBlock"
    assert event(ws, sub) == {"event": "bestBlockChanged", "bestBlockHash": hx(fork.hash())}
    node.chain.best = node.block1_hash
    announce(node, node.chain.headers[node.block1_hash], final=True)
    assert event(ws, sub) == {
        "event": "bestBlockChanged",
        "bestBlockHash": hx(node.block1_hash),
    }
    finalized = event(ws, sub)
    assert finalized["finalizedBlockHashes"] == [hx(node.block1_hash)]
    assert finalized["prunedBlockHashes"] == [hx(fork.hash())]


def test_a_block_whose_parent_was_never_reported_stops_the_subscription(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client()
    sub, _ = follow(ws)
    hidden = child(node, node.block1_hash, b"hidden")  # never announced
    orphan = child(node, hidden.hash(), b"orphan")
    announce(node, orphan)
    assert event(ws, sub) == {"event": "stop"}
    # A stopped subscription is stale: header answers null, operations limitReached.
    assert result(ws, "chainHead_v1_header", [sub, hx(node.block1_hash)]) is None
    assert result(ws, "chainHead_v1_body", [sub, hx(node.block1_hash)]) == {
        "result": "limitReached"
    }


# --- limits ------------------------------------------------------------------------------------


def test_two_follows_per_connection(client: Callable[..., WsClient]) -> None:
    ws = client()
    follow(ws)
    second, _ = follow(ws, with_runtime=False)
    err = error(ws, "chainHead_v1_follow", [True])
    assert err["code"] == -32800
    assert result(ws, "chainHead_v1_unfollow", [second]) is True
    follow(ws)  # a slot is free again


def test_too_many_pinned_blocks_stop_the_subscription(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client(limits=ChainHeadLimits(max_pinned_blocks=3))
    sub, _ = follow(ws)  # genesis and block 1 pinned
    b2 = child(node, node.block1_hash, b"two")
    announce(node, b2)
    assert event(ws, sub)["event"] == "newBlock"  # three pinned
    b3 = child(node, b2.hash(), b"three")
    announce(node, b3)
    assert event(ws, sub)["event"] == "newBlock"
    assert event(ws, sub) == {"event": "stop"}


def test_unpinning_keeps_the_subscription_under_the_limit(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client(limits=ChainHeadLimits(max_pinned_blocks=3))
    sub, _ = follow(ws)
    parent = node.block1_hash
    current = hx(node.genesis_hash)  # the current finalized block, as the guide tracks it
    for number in range(6):
        block = child(node, parent, b"b%d" % number)
        announce(node, block, best=True, final=True)
        assert event(ws, sub)["event"] == "newBlock"
        assert event(ws, sub)["event"] == "bestBlockChanged"
        finalized = event(ws, sub)
        assert finalized["event"] == "finalized"
        # The spec's guide: unpin the previous current finalized block, the pruned blocks and
        # every newly finalized block but the last, which becomes the current one.
        hashes = finalized["finalizedBlockHashes"]
        unpin = [current, *hashes[:-1], *finalized["prunedBlockHashes"]]
        assert result(ws, "chainHead_v1_unpin", [sub, unpin]) is None
        current = hashes[-1]
        parent = block.hash()
    assert result(ws, "chainHead_v1_header", [sub, hx(parent)]) is not None


def test_operation_slots_and_discarded_storage_items(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client(limits=ChainHeadLimits(max_operations=2, storage_page_size=1))
    sub, _ = follow(ws)
    block = hx(node.block1_hash)
    paused = [{"key": hx(b":"), "type": "descendantsValues"}]  # two keys, pages of one
    waiting = result(ws, "chainHead_v1_storage", [sub, block, paused])
    assert waiting["result"] == "started"
    assert waiting["discardedItems"] == 0
    partial = result(ws, "chainHead_v1_storage", [sub, block, paused * 3, None])
    assert partial["discardedItems"] == 2  # one slot was left
    assert result(ws, "chainHead_v1_body", [sub, block]) == {"result": "limitReached"}
    assert result(ws, "chainHead_v1_storage", [sub, block, paused]) == {"result": "limitReached"}
    events = [event(ws, sub) for _ in range(4)]
    assert {(e["operationId"], e["event"]) for e in events} == {
        (op, kind)
        for op in (waiting["operationId"], partial["operationId"])
        for kind in ("operationStorageItems", "operationWaitingForContinue")
    }
    # Stopping operations gives their slots back.
    for operation in (waiting, partial):
        assert result(ws, "chainHead_v1_stopOperation", [sub, operation["operationId"]]) is None
    started = result(ws, "chainHead_v1_body", [sub, block])
    assert started["result"] == "started"
    assert len({waiting["operationId"], partial["operationId"], started["operationId"]}) == 3


def test_a_subscription_that_lags_gets_stop(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client(limits=ChainHeadLimits(max_lagging=4))
    sub, _ = follow(ws)  # three events: under the limit
    parent = node.block1_hash
    headers = []
    for number in range(40):  # announced faster than the connection writes them
        block = child(node, parent, b"l%d" % number)
        headers.append(block)
        parent = block.hash()
    for block in headers:
        announce(node, block, best=True)
    seen = []
    while not seen or seen[-1]["event"] != "stop":
        seen.append(event(ws, sub))
    assert len(seen) < 80  # ended early, with stop as its last word
    assert result(ws, "chainHead_v1_header", [sub, hx(node.block1_hash)]) is None


# --- pinning and headers --------------------------------------------------------------------------


def test_header_and_unpin(client: Callable[..., WsClient], node: FakeNode) -> None:
    ws = client()
    sub, _ = follow(ws)
    block1 = hx(node.block1_hash)
    assert result(ws, "chainHead_v1_header", [sub, block1]) == hx(
        node.chain.headers[node.block1_hash].encode()
    )
    unknown = hx(b"\x11" * 32)
    assert error(ws, "chainHead_v1_header", [sub, unknown])["code"] == -32801
    assert result(ws, "chainHead_v1_header", ["no-such-subscription", block1]) is None
    # Unpinning is all or nothing.
    genesis = hx(node.genesis_hash)
    assert error(ws, "chainHead_v1_unpin", [sub, [genesis, unknown]])["code"] == -32801
    assert error(ws, "chainHead_v1_unpin", [sub, [genesis, genesis]])["code"] == -32804
    assert result(ws, "chainHead_v1_header", [sub, genesis]) is not None
    assert result(ws, "chainHead_v1_unpin", [sub, [genesis, block1]]) is None
    assert error(ws, "chainHead_v1_header", [sub, block1])["code"] == -32801
    assert error(ws, "chainHead_v1_body", [sub, block1])["code"] == -32801
    assert result(ws, "chainHead_v1_unpin", ["stale", [genesis]]) is None  # ignored
    assert error(ws, "chainHead_v1_header", [sub, "0x12"])["code"] == -32602


def test_pins_belong_to_one_subscription(client: Callable[..., WsClient], node: FakeNode) -> None:
    ws = client()
    first, _ = follow(ws)
    second, _ = follow(ws, with_runtime=False)
    block1 = hx(node.block1_hash)
    assert result(ws, "chainHead_v1_unpin", [first, block1]) is None
    assert result(ws, "chainHead_v1_header", [second, block1]) is not None
    other = client()  # a follow id is only valid on its own connection
    assert result(other, "chainHead_v1_header", [second, block1]) is None


def test_unfollow_ends_the_events(client: Callable[..., WsClient], node: FakeNode) -> None:
    ws = client()
    sub, _ = follow(ws)
    assert result(ws, "chainHead_v1_unfollow", [sub]) is True
    assert node.events.count("imported") == 0  # its sources are released
    b2 = child(node, node.block1_hash, b"two")
    announce(node, b2, best=True)
    assert result(ws, "chainHead_v1_header", [sub, hx(node.block1_hash)]) is None
    assert not [n for n in ws.notifications if n["params"]["subscription"] == sub]


# --- operations ---------------------------------------------------------------------------------


def test_body_and_call(client: Callable[..., WsClient], node: FakeNode) -> None:
    ws = client()
    sub, _ = follow(ws)
    block1 = hx(node.block1_hash)
    body = result(ws, "chainHead_v1_body", [sub, block1])
    assert body["result"] == "started"
    done = event(ws, sub)
    assert done == {
        "event": "operationBodyDone",
        "operationId": body["operationId"],
        "value": [hx(x) for x in node.chain.bodies[node.block1_hash]],
    }
    call = result(ws, "chainHead_v1_call", [sub, block1, "Core_version", "0x"])
    assert event(ws, sub) == {
        "event": "operationCallDone",
        "operationId": call["operationId"],
        "output": hx(node.runtime.version.encode()),
    }
    nope = result(ws, "chainHead_v1_call", [sub, block1, "Nope_nothing", "0x"])
    failed = event(ws, sub)
    assert failed["event"] == "operationError"
    assert failed["operationId"] == nope["operationId"]
    assert "Nope_nothing" in failed["error"]
    assert call["operationId"] != body["operationId"] != nope["operationId"]
    assert result(ws, "chainHead_v1_call", ["stale", block1, "Core_version", "0x"]) == {
        "result": "limitReached"
    }


def test_operation_on_a_block_whose_state_is_gone_is_inaccessible(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client()
    sub, _ = follow(ws)
    del node.chain.states[node.block1_hash]  # as if pruned
    del node.chain.bodies[node.block1_hash]
    block1 = hx(node.block1_hash)
    for method, params in (
        ("chainHead_v1_call", [sub, block1, "Core_version", "0x"]),
        ("chainHead_v1_body", [sub, block1]),
        ("chainHead_v1_storage", [sub, block1, [{"key": "0x00", "type": "value"}], None]),
    ):
        started = result(ws, method, params)
        assert event(ws, sub) == {
            "event": "operationInaccessible",
            "operationId": started["operationId"],
        }


def test_storage_values_hashes_and_paged_descendants(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client(limits=ChainHeadLimits(storage_page_size=4))
    sub, _ = follow(ws)
    state = node.chain.states[node.block1_hash]
    system = bytes.fromhex("26aa394eea5630e07c48ae0c9558cef7")
    under = sorted(k for k in state if k.startswith(system))
    assert len(under) > 4
    block1 = hx(node.block1_hash)
    items = [
        {"key": hx(EXTRA_KEY), "type": "value"},
        {"key": hx(EXTRA_KEY), "type": "hash"},
        {"key": hx(b"absent"), "type": "value"},
        {"key": hx(system), "type": "descendantsHashes"},
    ]
    started = result(ws, "chainHead_v1_storage", [sub, block1, items, None])
    assert started["discardedItems"] == 0
    op = started["operationId"]
    first = event(ws, sub)
    assert first == {
        "event": "operationStorageItems",
        "operationId": op,
        "items": [
            {"key": hx(EXTRA_KEY), "value": hx(b"one")},
            {"key": hx(EXTRA_KEY), "hash": hx(blake2_256(b"one"))},
        ],
    }
    seen: list[dict[str, str]] = []
    while True:
        message = event(ws, sub)
        assert message["operationId"] == op
        if message["event"] == "operationStorageDone":
            break
        if message["event"] == "operationWaitingForContinue":
            # Nothing more arrives until the client continues.
            assert not [n for n in ws.notifications if n["params"]["subscription"] == sub]
            assert result(ws, "chainHead_v1_continue", [sub, op]) is None
            continue
        assert message["event"] == "operationStorageItems"
        assert len(message["items"]) <= 4
        seen.extend(message["items"])
    assert seen == [{"key": hx(k), "hash": hx(blake2_256(state[k]))} for k in under]
    # continue on an operation that is not waiting, and on unknown ones.
    running = result(ws, "chainHead_v1_storage", [sub, block1, [items[3]]])
    assert event(ws, sub)["event"] == "operationStorageItems"
    assert event(ws, sub)["event"] == "operationWaitingForContinue"
    assert result(ws, "chainHead_v1_stopOperation", [sub, running["operationId"]]) is None
    assert result(ws, "chainHead_v1_continue", [sub, running["operationId"]]) is None
    assert result(ws, "chainHead_v1_continue", [sub, "unknown"]) is None
    body = result(ws, "chainHead_v1_body", [sub, block1])
    event(ws, sub)
    assert result(ws, "chainHead_v1_continue", [sub, body["operationId"]]) is None  # finished


def test_continue_on_an_operation_that_is_not_waiting_is_refused(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client(limits=ChainHeadLimits(storage_page_size=2))
    sub, _ = follow(ws)
    block1 = hx(node.block1_hash)
    item = {"key": "0x", "type": "descendantsValues"}
    # One batch: the storage operation has started but not run yet when continue arrives.
    # (Operation ids are opaque; this server numbers them from "0" per subscription.)
    ws.ws.send(
        json.dumps(
            [
                {
                    "jsonrpc": "2.0",
                    "id": 90,
                    "method": "chainHead_v1_storage",
                    "params": [sub, block1, [item]],
                },
                {
                    "jsonrpc": "2.0",
                    "id": 91,
                    "method": "chainHead_v1_continue",
                    "params": [sub, "0"],
                },
            ]
        )
    )
    answers = None
    while answers is None:
        message = json.loads(ws.ws.recv())
        if isinstance(message, list):
            answers = {a["id"]: a for a in message}
        else:
            ws.notifications.append(message)
    assert answers[90]["result"]["operationId"] == "0"
    assert answers[91]["error"]["code"] == -32803
    assert event(ws, sub)["event"] == "operationStorageItems"
    assert event(ws, sub)["event"] == "operationWaitingForContinue"
    assert result(ws, "chainHead_v1_continue", [sub, "0"]) is None  # now it is waiting


def test_storage_rejects_bad_items_and_child_tries_are_empty(
    client: Callable[..., WsClient], node: FakeNode
) -> None:
    ws = client()
    sub, _ = follow(ws)
    block1 = hx(node.block1_hash)
    bad = [{"key": "0x00", "type": "everything"}]
    assert error(ws, "chainHead_v1_storage", [sub, block1, bad])["code"] == -32602
    assert error(ws, "chainHead_v1_storage", [sub, block1, "0x00"])["code"] == -32602
    child_trie = hx(b":child_storage:default:x")
    started = result(
        ws,
        "chainHead_v1_storage",
        [sub, block1, [{"key": hx(EXTRA_KEY), "type": "value"}], child_trie],
    )
    assert event(ws, sub) == {
        "event": "operationStorageDone",
        "operationId": started["operationId"],
    }


# --- chainSpec_v1, transaction_v1, transactionWatch_v1, rpc_methods -------------------------------


def test_chain_spec(client: Callable[..., WsClient], node: FakeNode) -> None:
    ws = client()
    assert result(ws, "chainSpec_v1_chainName", []) == "Development"
    assert result(ws, "chainSpec_v1_genesisHash", []) == hx(node.genesis_hash)
    assert result(ws, "chainSpec_v1_properties", [])["tokenSymbol"] == "DSH"


def test_transaction_broadcast_and_stop(client: Callable[..., WsClient], node: FakeNode) -> None:
    ws = client()
    xt = b"\x10\x04\x00\x00\x00"
    operation = result(ws, "transaction_v1_broadcast", [hx(xt)])
    assert isinstance(operation, str)
    assert node.pool.submitted == [xt]
    node.pool.rejections[b"\x08\x04\x01"] = TransactionInvalid(BadProof())
    silent = result(ws, "transaction_v1_broadcast", [hx(b"\x08\x04\x01")])
    assert silent != operation  # invalid: still an operation, silently dropped
    assert result(ws, "transaction_v1_stop", [operation]) is None
    assert error(ws, "transaction_v1_stop", [operation])["code"] == -32602
    assert error(ws, "transaction_v1_broadcast", ["0xzz"])["code"] == -32602


def test_transaction_broadcast_is_unsafe_as_in_substrate(node: FakeNode) -> None:
    # sc-rpc-spec-v2 declares broadcast and stop `with_extensions` and calls check_if_safe:
    # a safe-only server refuses them (and leaves the pool alone); submitAndWatch stays safe
    background = BackgroundRpcServer(
        lambda: RpcServer(
            node_rpc_module(node),
            host="127.0.0.1",
            port=0,
            policy=RpcPolicy.from_flags("safe", "127.0.0.1"),
        )
    )
    ws = WsClient(background.start().url_ws)
    try:
        xt = b"\x10\x04\x00\x00\x00"
        assert error(ws, "transaction_v1_broadcast", [hx(xt)])["code"] == -32601
        assert error(ws, "transaction_v1_stop", ["0"])["code"] == -32601
        assert node.pool.submitted == []
        assert isinstance(result(ws, "transactionWatch_v1_submitAndWatch", [hx(xt)]), str)
    finally:
        ws.close()
        background.stop()


def test_transaction_watch_events(client: Callable[..., WsClient], node: FakeNode) -> None:
    ws = client()
    xt = node.chain.bodies[node.block1_hash][0]  # the watched transaction is in block 1
    sub = result(ws, "transactionWatch_v1_submitAndWatch", [hx(xt)])
    (_, watcher) = node.pool.watchers[-1]
    watcher(status("ready"))
    watcher(status("broadcast", ["peer"]))  # not an event of the new spec
    watcher(status("inBlock", bytes(node.block1_hash)))
    watcher(status("retracted", bytes(node.block1_hash)))
    watcher(status("finalized", bytes(node.block1_hash)))
    block = {"hash": hx(node.block1_hash), "index": 0}
    assert event(ws, sub) == {"event": "validated"}
    assert event(ws, sub) == {"event": "bestChainBlockIncluded", "block": block}
    assert event(ws, sub) == {"event": "bestChainBlockIncluded", "block": None}
    assert event(ws, sub) == {"event": "finalized", "block": block}
    # Rejections are events, not JSON-RPC errors.
    node.pool.rejections[b"\x08\x04\x01"] = TransactionInvalid(BadProof())
    rejected = result(ws, "transactionWatch_v1_submitAndWatch", [hx(b"\x08\x04\x01")])
    invalid = event(ws, rejected)
    assert invalid["event"] == "invalid"
    assert "signature" in invalid["error"].lower() or invalid["error"]
    other = result(ws, "transactionWatch_v1_submitAndWatch", [hx(b"\x04\x00")])
    assert result(ws, "transactionWatch_v1_unwatch", [other]) is True
    assert b"\x04\x00" in node.pool.submitted  # unwatching keeps the transaction


def test_rpc_methods_lists_the_new_spec(client: Callable[..., WsClient]) -> None:
    methods = set(result(client(), "rpc_methods", [])["methods"])
    assert {
        "chainHead_v1_follow",
        "chainHead_v1_unfollow",
        "chainHead_v1_header",
        "chainHead_v1_body",
        "chainHead_v1_call",
        "chainHead_v1_storage",
        "chainHead_v1_unpin",
        "chainHead_v1_continue",
        "chainHead_v1_stopOperation",
        "chainSpec_v1_chainName",
        "chainSpec_v1_genesisHash",
        "chainSpec_v1_properties",
        "transaction_v1_broadcast",
        "transaction_v1_stop",
        "transactionWatch_v1_submitAndWatch",
        "transactionWatch_v1_unwatch",
    } <= methods
