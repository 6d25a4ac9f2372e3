"""Bad input never crashes the node: each case gets Substrate's JSON-RPC error."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
import websocket
from substrateinterface import Keypair, SubstrateInterface

pytestmark = pytest.mark.e2e

ALICE = Keypair.create_from_uri("//Alice")


@pytest.fixture(scope="module")
def substrate(dev_node: Any) -> SubstrateInterface:
    return SubstrateInterface(url=dev_node.http_url)


def _error(dev_node: Any, method: str, params: object) -> dict[str, Any]:
    answer = dev_node.rpc(method, params)
    assert "error" in answer, answer
    error: dict[str, Any] = answer["error"]
    return error


def _signed(
    substrate: SubstrateInterface, keypair: Keypair, nonce: int | None = None, **call: Any
) -> str:
    composed = substrate.compose_call("System", "remark", {"remark": "0x00"})
    if call:
        composed = substrate.compose_call(call["module"], call["function"], call["params"])
    xt = substrate.create_signed_extrinsic(call=composed, keypair=keypair, nonce=nonce)
    return str(xt.data.to_hex())


def test_invalid_hex(dev_node: Any) -> None:
    assert _error(dev_node, "author_submitExtrinsic", ["0xzz"])["code"] == -32602


def test_truncated_scale(dev_node: Any, substrate: SubstrateInterface) -> None:
    encoded = _signed(substrate, ALICE)
    error = _error(dev_node, "author_submitExtrinsic", [encoded[:-20]])
    assert error["code"] == 1001


def test_bad_signature(dev_node: Any, substrate: SubstrateInterface) -> None:
    encoded = bytearray.fromhex(_signed(substrate, ALICE)[2:])
    encoded[40] ^= 0xFF
    error = _error(dev_node, "author_submitExtrinsic", ["0x" + encoded.hex()])
    assert (error["code"], error["data"]) == (1010, "Transaction has a bad signature")


def test_stale_and_future_nonce(dev_node: Any, substrate: SubstrateInterface) -> None:
    dave = Keypair.create_from_uri("//Dave")
    ws = SubstrateInterface(url=dev_node.ws_url)
    try:
        remark = ws.compose_call("System", "remark", {"remark": "0x01"})
        sent = ws.submit_extrinsic(
            ws.create_signed_extrinsic(remark, dave, nonce=0), wait_for_inclusion=True
        )
        assert sent.is_success
    finally:
        ws.close()
    stale = _error(dev_node, "author_submitExtrinsic", [_signed(substrate, dave, nonce=0)])
    assert (stale["code"], stale["data"]) == (1010, "Transaction is outdated")
    future = _signed(substrate, dave, nonce=50)
    assert dev_node.rpc("author_submitExtrinsic", [future])["result"].startswith("0x")
    assert future in dev_node.rpc("author_pendingExtrinsics")["result"]


def test_unpayable_fee(dev_node: Any, substrate: SubstrateInterface) -> None:
    pauper = Keypair.create_from_seed("0x" + "99" * 32)
    error = _error(dev_node, "author_submitExtrinsic", [_signed(substrate, pauper, nonce=0)])
    assert (error["code"], error["data"]) == (
        1010,
        "Inability to pay some fees (e.g. account balance too low)",
    )


def test_unknown_method_and_wrong_params(dev_node: Any) -> None:
    assert _error(dev_node, "no_suchMethod", [])["code"] == -32601
    assert _error(dev_node, "chain_getBlockHash", ["not a number"])["code"] == -32602
    assert _error(dev_node, "state_getStorage", [42])["code"] == -32602
    assert _error(dev_node, "chain_getHeader", [{"a": 1}])["code"] == -32602


def test_malformed_json_and_oversize_request(dev_node: Any) -> None:
    request = urllib.request.Request(
        dev_node.http_url, b"{not json", {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["error"]["code"] == -32700
    huge = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "author_submitExtrinsic",
            "params": ["0x" + "00" * 10_000_000],
        }
    ).encode()
    assert len(huge) > 20_000_000
    oversize = urllib.request.Request(dev_node.http_url, huge, {"content-type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(oversize, timeout=30)
    assert raised.value.code == 413
    assert dev_node.rpc("system_health")["result"]["isSyncing"] is False


def test_subscription_flood_leaves_others_served(dev_node: Any) -> None:
    flood = websocket.create_connection(dev_node.ws_url, timeout=30)
    try:
        errors = 0
        for index in range(1_100):
            flood.send(
                json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "id": index,
                        "method": "chain_subscribeNewHeads",
                        "params": [],
                    }
                )
            )
        received = 0
        while received < 1_100:
            message = json.loads(flood.recv())
            if "id" in message:
                received += 1
                errors += "error" in message
        assert errors >= 1_100 - 1024
        other = websocket.create_connection(dev_node.ws_url, timeout=10)
        other.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "system_chain", "params": []}))
        assert json.loads(other.recv())["result"] == "Development"
        other.close()
    finally:
        flood.close()
    assert dev_node.process.poll() is None
