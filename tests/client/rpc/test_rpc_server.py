"""The transport with raw clients: JSON-RPC envelopes, errors, batches, limits, subscriptions."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest
import requests
import websocket

from deepshard.client.rpc import BackgroundRpcServer, CorsPolicy, RpcLimits, RpcServer
from deepshard.client.rpc.methods import node_rpc_module
from deepshard.primitives.transaction_validity import BadProof, TransactionInvalid

from .conftest import EXTRA_KEY, FakeNode, WsClient, http_post, rpc, status


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


# --- envelopes and error codes ------------------------------------------------------------------


def test_http_error_codes(server: RpcServer) -> None:
    url = server.url_http
    response = http_post(url, '{"jsonrpc": "2.0", "method": ')
    assert response.status_code == 200
    assert response.json() == {
        "jsonrpc": "2.0",
        "error": {"code": -32700, "message": "Parse error"},
        "id": None,
    }
    response = http_post(url, "garbage")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700
    assert http_post(url, {"method": "system_name", "id": 3}).json() == {
        "jsonrpc": "2.0",
        "error": {"code": -32600, "message": "Invalid request"},
        "id": 3,
    }
    assert http_post(url, {"jsonrpc": "2.0", "method": "x", "id": 1.5}).json()["error"]["code"] == (
        -32600
    )
    assert rpc(url, "no_such_method") == {
        "jsonrpc": "2.0",
        "error": {"code": -32601, "message": "Method not found"},
        "id": 1,
    }
    err = rpc(url, "chain_getHeader", ["0x12"])["error"]
    assert err["code"] == -32602
    assert err["message"] == "Invalid params"
    assert "32-byte hash" in err["data"]
    assert rpc(url, "system_name", ["extra"])["error"]["code"] == -32602
    assert rpc(url, "system_name", [None])["result"] == "Deepshard Node"  # trailing null ignored


def test_ids_are_echoed_with_their_type(server: RpcServer) -> None:
    for request_id in (7, "seven", None):
        reply = http_post(
            server.url_http, {"jsonrpc": "2.0", "method": "system_name", "id": request_id}
        ).json()
        assert reply == {"jsonrpc": "2.0", "result": "Deepshard Node", "id": request_id}


def test_missing_or_null_params(server: RpcServer) -> None:
    for body in (
        {"jsonrpc": "2.0", "method": "state_getMetadata", "id": 1},
        {"jsonrpc": "2.0", "method": "state_getMetadata", "params": None, "id": 1},
    ):
        assert http_post(server.url_http, body).json()["result"].startswith("0x6d657461")


def test_notifications_get_no_answer(server: RpcServer) -> None:
    response = http_post(server.url_http, {"jsonrpc": "2.0", "method": "system_name"})
    assert response.status_code == 200
    assert response.text == ""


def test_http_rejects_other_methods_and_content_types(server: RpcServer) -> None:
    assert requests.get(server.url_http, timeout=5).status_code == 405
    response = requests.post(server.url_http, data="{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_health_endpoint(server: RpcServer) -> None:
    response = requests.get(server.url_http + "/health", timeout=5)
    assert response.json() == {"peers": 0, "isSyncing": False, "shouldHavePeers": False}


def test_batches(server: RpcServer) -> None:
    batch = [
        {"jsonrpc": "2.0", "method": "system_name", "id": 1},
        {"jsonrpc": "2.0", "method": "nope", "id": 2},
        {"jsonrpc": "2.0", "method": "system_chain"},  # a notification: no entry
        42,
        {"jsonrpc": "2.0", "method": "system_chain", "id": "c"},
    ]
    replies = http_post(server.url_http, batch).json()
    assert replies == [
        {"jsonrpc": "2.0", "result": "Deepshard Node", "id": 1},
        {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": 2},
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None},
        {"jsonrpc": "2.0", "result": "Development", "id": "c"},
    ]
    assert http_post(server.url_http, []).json()["error"]["code"] == -32600


def test_batch_limits(make_server: Callable[..., RpcServer]) -> None:
    server = make_server(limits=RpcLimits(max_batch_len=3, max_response_size=900))
    batch = [{"jsonrpc": "2.0", "method": "system_name", "id": i} for i in range(4)]
    err = http_post(server.url_http, batch).json()
    assert err == {
        "jsonrpc": "2.0",
        "error": {
            "code": -32010,
            "message": "The batch request was too large",
            "data": "Exceeded max limit of 3",
        },
        "id": None,
    }
    big = [{"jsonrpc": "2.0", "method": "state_getRuntimeVersion", "id": i} for i in range(3)]
    err = http_post(server.url_http, big).json()
    assert err["error"]["code"] == -32011


def test_oversized_response(make_server: Callable[..., RpcServer]) -> None:
    server = make_server(limits=RpcLimits(max_response_size=10_000))
    reply = rpc(server.url_http, "state_getMetadata", [], request_id=9)
    assert reply == {
        "jsonrpc": "2.0",
        "error": {
            "code": -32008,
            "message": "Response is too big",
            "data": "Exceeded max limit of 10000",
        },
        "id": 9,
    }
    assert rpc(server.url_http, "system_name")["result"] == "Deepshard Node"


def _big_request(size: int) -> str:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "author_submitExtrinsic",
            "params": ["0x" + "00" * (size // 2)],
            "id": 1,
        }
    )


def test_a_20_mb_http_request_gets_413(server: RpcServer) -> None:
    response = http_post(server.url_http, _big_request(20_000_000))
    assert response.status_code == 413
    assert response.json() == {
        "jsonrpc": "2.0",
        "error": {
            "code": -32007,
            "message": "Request is too big",
            "data": f"Exceeded max limit of {15 * 1024 * 1024}",
        },
        "id": None,
    }
    assert rpc(server.url_http, "system_name")["result"] == "Deepshard Node"


def test_a_20_mb_ws_message_gets_an_error_and_the_socket_survives(
    server: RpcServer, ws_client: Callable[..., WsClient]
) -> None:
    client = ws_client()
    client.ws.send(_big_request(20_000_000))
    reply = json.loads(client.ws.recv())
    assert reply["id"] is None
    assert reply["error"]["code"] == -32007
    assert client.call("system_name")["result"] == "Deepshard Node"


def _receive_until_closed(client: WsClient) -> None:
    for _ in range(3):
        client.ws.recv()


def test_a_huge_ws_message_closes_that_socket_only(
    make_server: Callable[..., RpcServer], ws_client: Callable[..., WsClient]
) -> None:
    server = make_server(limits=RpcLimits(max_request_size=1_000))
    victim = ws_client(server.url_ws)
    bystander = ws_client(server.url_ws)
    victim.ws.send(_big_request(5_000))
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
        _receive_until_closed(victim)
    assert bystander.call("system_name")["result"] == "Deepshard Node"


def test_ws_error_codes(server: RpcServer, ws_client: Callable[..., WsClient]) -> None:
    client = ws_client()
    client.ws.send("{not json")
    assert json.loads(client.ws.recv())["error"] == {"code": -32700, "message": "Parse error"}
    client.ws.send("[]")
    assert json.loads(client.ws.recv())["error"]["code"] == -32600
    client.ws.send(json.dumps([{"jsonrpc": "2.0", "method": "system_chain", "id": 5}]))
    assert json.loads(client.ws.recv()) == [{"jsonrpc": "2.0", "result": "Development", "id": 5}]
    assert client.call("nope")["error"]["code"] == -32601
    assert client.call("state_getStorage", [1])["error"]["code"] == -32602


def test_http_cannot_subscribe(server: RpcServer) -> None:
    err = rpc(server.url_http, "chain_subscribeNewHeads")["error"]
    assert err["code"] == -32603
    assert rpc(server.url_http, "chain_unsubscribeNewHeads", ["x"])["error"]["code"] == -32603


# --- subscriptions ------------------------------------------------------------------------------


def test_new_heads_subscription(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    client = ws_client()
    reply = client.call("chain_subscribeNewHeads")
    sub_id = reply["result"]
    assert isinstance(sub_id, str)
    assert len(sub_id) == 16
    first = client.notification()
    assert set(first) == {"jsonrpc", "method", "params"}  # no id
    assert first["method"] == "chain_newHead"
    assert first["params"]["subscription"] == sub_id
    assert first["params"]["result"]["number"] == "0x1"
    # A new block announced from another thread reaches the client.
    block2 = node.produce(value=b"two")
    thread = threading.Thread(target=node.events.publish, args=("best", node.chain.headers[block2]))
    thread.start()
    thread.join()
    second = client.notification()
    assert second["params"]["result"]["number"] == "0x2"
    assert second["params"]["result"]["parentHash"] == node.block1_hash.to_hex()
    assert client.call("chain_unsubscribeNewHeads", [sub_id])["result"] is True
    assert client.call("chain_unsubscribeNewHeads", [sub_id])["result"] is False
    assert client.call("chain_unsubscribeNewHeads", [12])["result"] is False
    wait_until(lambda: node.events.count("best") == 0)


@pytest.mark.parametrize(
    "case",
    [
        ("subscribe_newHead", "unsubscribe_newHead", "chain_newHead", "best"),
        ("chain_subscribeNewHead", "chain_unsubscribeNewHead", "chain_newHead", "best"),
        (
            "chain_subscribeFinalisedHeads",
            "chain_unsubscribeFinalisedHeads",
            "chain_finalizedHead",
            "finalized",
        ),
        ("chain_subscribeAllHeads", "chain_unsubscribeAllHeads", "chain_allHead", "imported"),
    ],
)
def test_head_subscription_aliases(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient], case: tuple[str, ...]
) -> None:
    subscribe, unsubscribe, notification, topic = case
    client = ws_client()
    sub_id = client.call(subscribe)["result"]
    assert client.notification()["method"] == notification  # the current head, at once
    node.events.publish(topic, node.chain.headers[node.genesis_hash])
    got = client.notification()
    assert got["method"] == notification
    assert got["params"]["result"]["number"] == "0x0"
    # An id of another kind of subscription is not this one's.
    assert client.call("state_unsubscribeRuntimeVersion", [sub_id])["result"] is False
    assert client.call(unsubscribe, [sub_id])["result"] is True


def test_subscriptions_end_when_the_socket_closes(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    client = ws_client()
    for _ in range(3):
        client.call("chain_subscribeNewHeads")
    client.call("state_subscribeStorage", [["0x" + EXTRA_KEY.hex()]])
    assert node.events.count("best") == 4
    client.close()
    wait_until(lambda: node.events.count("best") == 0)


def test_storage_subscription(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    client = ws_client()
    key = "0x" + EXTRA_KEY.hex()
    other = "0x" + "ee" * 4
    sub_id = client.call("state_subscribeStorage", [[key, other]])["result"]
    first = client.notification()
    assert first["method"] == "state_storage"
    assert first["params"] == {
        "subscription": sub_id,
        "result": {
            "block": node.block1_hash.to_hex(),
            "changes": [[key, "0x" + b"one".hex()], [other, None]],
        },
    }
    block2 = node.produce(value=b"two")
    node.events.publish("best", node.chain.headers[block2])
    second = client.notification()["params"]["result"]
    assert second == {"block": block2.to_hex(), "changes": [[key, "0x" + b"two".hex()]]}
    block3 = node.produce(value=b"two")  # unchanged: no notification
    node.events.publish("best", node.chain.headers[block3])
    assert client.call("state_unsubscribeStorage", [sub_id])["result"] is True
    assert client.notifications == []
    err = client.call("state_subscribeStorage", [])["error"]
    assert err["code"] == -32602  # every key: not offered


def test_runtime_version_subscription(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    client = ws_client()
    sub_id = client.call("state_subscribeRuntimeVersion")["result"]
    got = client.notification()
    assert got == {
        "jsonrpc": "2.0",
        "method": "state_runtimeVersion",
        "params": {"subscription": sub_id, "result": node.runtime.version.to_json()},
    }
    node.events.publish("best", node.chain.headers[node.block1_hash])  # same version: silent
    assert client.call("chain_unsubscribeRuntimeVersion", [sub_id])["result"] is True
    assert client.notifications == []


def test_submit_and_watch(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    client = ws_client()
    xt = b"\x10" + b"\x04\x00\x00\x00"
    sub_id = client.call("author_submitAndWatchExtrinsic", ["0x" + xt.hex()])["result"]
    ((_, watcher),) = node.pool.watchers
    block = node.block1_hash
    statuses = [status("ready"), status("inBlock", bytes(block)), status("finalized", bytes(block))]
    pool_thread = threading.Thread(target=lambda: [watcher(each) for each in statuses])
    pool_thread.start()
    pool_thread.join()
    updates = [client.notification() for _ in range(3)]
    assert [u["method"] for u in updates] == ["author_extrinsicUpdate"] * 3
    assert [u["params"]["subscription"] for u in updates] == [sub_id] * 3
    assert [u["params"]["result"] for u in updates] == [
        "ready",
        {"inBlock": block.to_hex()},
        {"finalized": block.to_hex()},
    ]
    # A final status ends the subscription (and unhooks the pool watcher).
    wait_until(lambda: node.pool.unwatched == [xt])
    assert client.call("author_unwatchExtrinsic", [sub_id])["result"] is False


def test_submit_and_watch_rejects_synchronously(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    client = ws_client()
    xt = b"\x10" + b"\x04\x00\x00\x01"
    node.pool.rejections[xt] = TransactionInvalid(BadProof())
    reply = client.call("author_submitAndWatchExtrinsic", ["0x" + xt.hex()])
    assert reply["error"] == {
        "code": 1010,
        "message": "Invalid Transaction",
        "data": "Transaction has a bad signature",
    }
    assert client.call("author_submitAndWatchExtrinsic", ["0x1004"])["error"]["code"] == 1001
    assert client.notifications == []


def test_subscription_flood_is_limited_and_harmless(
    server: RpcServer, node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    flooder = ws_client()
    for i in range(2000):
        flooder.ws.send(
            json.dumps(
                {"jsonrpc": "2.0", "method": "chain_subscribeNewHeads", "params": [], "id": i}
            )
        )
    replies = [flooder.response(i) for i in range(2000)]
    accepted = [r for r in replies if "result" in r]
    refused = [r for r in replies if "error" in r]
    assert len(accepted) == 1024
    assert len(refused) == 976
    assert refused[0]["error"] == {
        "code": -32006,
        "message": "Too many subscriptions on the connection",
        "data": "Exceeded max limit of 1024",
    }
    # Another client is served, and may subscribe.
    other = ws_client()
    assert other.call("system_name")["result"] == "Deepshard Node"
    assert "result" in other.call("chain_subscribeNewHeads")
    # Unsubscribing frees a slot on the flooded connection.
    assert flooder.call("chain_unsubscribeNewHeads", [accepted[0]["result"]])["result"] is True
    assert "result" in flooder.call("chain_subscribeNewHeads")
    flooder.close()
    wait_until(lambda: node.events.count("best") == 1)


def test_lagging_subscription_is_ended(
    make_server: Callable[..., RpcServer], node: FakeNode, ws_client: Callable[..., WsClient]
) -> None:
    server = make_server(limits=RpcLimits(subscription_buffer=4))
    client = ws_client(server.url_ws)
    client.call("chain_subscribeNewHeads")
    header = node.chain.headers[node.genesis_hash]
    # The server cannot write 10,000 notifications before more arrive: the slow subscription
    # ends instead of queueing without bound.
    for _ in range(10_000):
        node.events.publish("best", header)
        if node.events.count("best") == 0:
            break
    wait_until(lambda: node.events.count("best") == 0)
    assert client.call("system_name")["result"] == "Deepshard Node"


# --- policy, CORS, connections ----------------------------------------------------------------


def test_cors(make_server: Callable[..., RpcServer]) -> None:
    local = make_server()
    ok = http_post(
        local.url_http,
        {"jsonrpc": "2.0", "method": "system_name", "id": 1},
        headers={"Origin": "http://localhost:3000"},
    )
    assert ok.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    other = http_post(
        local.url_http,
        {"jsonrpc": "2.0", "method": "system_name", "id": 1},
        headers={"Origin": "https://evil.example"},
    )
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = requests.options(
        local.url_http,
        headers={
            "Origin": "https://polkadot.js.org",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=5,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://polkadot.js.org"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(local.url_ws, origin="https://evil.example", timeout=5)
    everyone = make_server(cors=CorsPolicy.allow_all())
    reply = http_post(
        everyone.url_http,
        {"jsonrpc": "2.0", "method": "system_name", "id": 1},
        headers={"Origin": "https://evil.example"},
    )
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_connection_limit(
    make_server: Callable[..., RpcServer], ws_client: Callable[..., WsClient]
) -> None:
    server = make_server(limits=RpcLimits(max_connections=2))
    first, second = ws_client(server.url_ws), ws_client(server.url_ws)
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.url_ws, timeout=5)
    assert refused.value.status_code == 429
    assert (
        http_post(server.url_http, {"jsonrpc": "2.0", "method": "system_name", "id": 1}).status_code
        == 429
    )
    first.close()
    wait_until(lambda: server.connections == 1)
    assert rpc(server.url_http, "system_name")["result"] == "Deepshard Node"
    assert second.call("system_name")["result"] == "Deepshard Node"


def test_bad_input_on_one_socket_leaves_others_alone(
    server: RpcServer, ws_client: Callable[..., WsClient]
) -> None:
    bad, good = ws_client(), ws_client()
    junk = ("", "[1,2", "\x00\x01", "[" * 5000, '{"jsonrpc":"2.0","id":99,"method":1}')
    for each in junk:
        bad.ws.send(each)
    good_id = good.send("system_chain")
    assert good.response(good_id)["result"] == "Development"
    answers = [json.loads(bad.ws.recv()) for _ in junk]
    codes = sorted((a["id"] is None, a["error"]["code"]) for a in answers)
    assert codes == [(False, -32600)] + [(True, -32700)] * 4
    assert bad.call("system_name")["result"] == "Deepshard Node"


def test_stop_closes_connections_even_if_a_client_stops_reading(node: FakeNode) -> None:
    background = BackgroundRpcServer(
        lambda: RpcServer(node_rpc_module(node), host="127.0.0.1", port=0)
    )
    server = background.start()
    stuck = websocket.create_connection(server.url_ws, timeout=10)
    for i in range(150):  # ~10 MB of metadata it never reads
        stuck.send(json.dumps({"jsonrpc": "2.0", "method": "state_getMetadata", "id": i}))
    watcher = WsClient(server.url_ws)
    watcher.call("chain_subscribeNewHeads")
    started = time.monotonic()
    background.stop()
    assert time.monotonic() - started < 5
    assert node.events.count("best") == 0
    stuck.close()
    watcher.close()
