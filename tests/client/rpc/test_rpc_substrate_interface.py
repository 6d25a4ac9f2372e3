"""py-substrate-interface 1.8.1, unmodified, against the server over HTTP and WebSocket."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface
from substrateinterface.exceptions import SubstrateRequestException

from deepshard.client.rpc import RpcServer
from deepshard.primitives.transaction_validity import BadProof, TransactionInvalid
from deepshard.runtime.version import VERSION

from .conftest import FakeNode, status


@pytest.fixture(params=["http", "ws"])
def substrate(request: pytest.FixtureRequest, server: RpcServer) -> Iterator[SubstrateInterface]:
    url = server.url_http if request.param == "http" else server.url_ws
    interface = SubstrateInterface(url=url)
    yield interface
    interface.close()


@pytest.fixture
def ws_substrate(server: RpcServer) -> Iterator[SubstrateInterface]:
    interface = SubstrateInterface(url=server.url_ws)
    yield interface
    interface.close()


def test_methods_heads_and_blocks(substrate: SubstrateInterface, node: FakeNode) -> None:
    assert substrate.chain == "Development"
    assert substrate.supports_rpc_method("chain_getHead")
    assert substrate.supports_rpc_method("state_call")
    assert substrate.get_chain_head() == node.block1_hash.to_hex()
    assert substrate.get_chain_finalised_head() == node.genesis_hash.to_hex()
    assert substrate.get_block_hash(0) == node.genesis_hash.to_hex()
    assert substrate.get_block_hash(5) is None
    assert substrate.get_block_number(node.block1_hash.to_hex()) == 1
    header = substrate.get_block_header(node.block1_hash.to_hex())["header"]
    assert header["number"] == 1
    assert header["parentHash"] == node.genesis_hash.to_hex()
    block = substrate.get_block(block_number=1)
    assert block["header"]["hash"] == node.block1_hash.to_hex()
    (timestamp,) = block["extrinsics"]
    assert timestamp.value["call"]["call_module"] == "Timestamp"
    assert timestamp.value["call"]["call_function"] == "set"
    assert substrate.runtime_version == int(VERSION.spec_version)
    assert substrate.token_decimals == 12
    assert substrate.ss58_format == 42


def test_queries_nonce_and_fees(substrate: SubstrateInterface, node: FakeNode) -> None:
    alice = Keypair.create_from_uri("//Alice")
    account = substrate.query("System", "Account", [alice.ss58_address])
    assert account.value["data"]["free"] > 0
    assert substrate.get_account_nonce(alice.ss58_address) == 0
    call = substrate.compose_call("System", "remark", {"remark": "0x1234"})
    info = substrate.get_payment_info(call, alice)
    assert info["partialFee"] > 0
    accounts = list(substrate.query_map("System", "Account", page_size=1))
    assert len(accounts) >= 2


def test_submit_without_waiting(substrate: SubstrateInterface, node: FakeNode) -> None:
    alice = Keypair.create_from_uri("//Alice")
    call = substrate.compose_call("System", "remark", {"remark": "0x1234"})
    xt = substrate.create_signed_extrinsic(call=call, keypair=alice)
    receipt = substrate.submit_extrinsic(xt)
    assert (
        receipt.extrinsic_hash
        == "0x" + __import__("hashlib").blake2b(bytes(xt.data.data), digest_size=32).hexdigest()
    )
    assert node.pool.submitted == [bytes(xt.data.data)]


def test_subscribe_block_headers(ws_substrate: SubstrateInterface, node: FakeNode) -> None:
    seen: list[int] = []

    def announce() -> None:
        # Once the client has subscribed, import block 2 on a "node" thread.
        deadline = time.monotonic() + 10
        while node.events.count("best") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        block2 = node.produce(value=b"two")
        node.events.publish("best", node.chain.headers[block2])

    threading.Thread(target=announce, daemon=True).start()

    def handler(obj: dict[str, Any], update_nr: int, subscription_id: str) -> Any:
        seen.append(obj["header"]["number"])
        return obj["header"]["number"] if update_nr >= 1 else None

    assert ws_substrate.subscribe_block_headers(handler) == 2
    assert seen == [1, 2]  # the current head at once, then the new one
    # The handler's answer made the client unsubscribe.
    deadline = time.monotonic() + 5
    while node.events.count("best") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert node.events.count("best") == 0


def test_submit_and_wait_for_inclusion(ws_substrate: SubstrateInterface, node: FakeNode) -> None:
    alice = Keypair.create_from_uri("//Alice")
    call = ws_substrate.compose_call("System", "remark", {"remark": "0x1234"})
    xt = ws_substrate.create_signed_extrinsic(call=call, keypair=alice)
    block = node.block1_hash

    def pool_reports() -> None:
        deadline = time.monotonic() + 10
        while not node.pool.watchers and time.monotonic() < deadline:
            time.sleep(0.01)
        ((_, watcher),) = node.pool.watchers
        watcher(status("ready"))
        watcher(status("inBlock", bytes(block)))

    threading.Thread(target=pool_reports, daemon=True).start()
    receipt = ws_substrate.submit_extrinsic(xt, wait_for_inclusion=True)
    assert receipt.block_hash == block.to_hex()


def test_invalid_transaction_raises_at_once(
    ws_substrate: SubstrateInterface, node: FakeNode
) -> None:
    alice = Keypair.create_from_uri("//Alice")
    call = ws_substrate.compose_call("System", "remark", {"remark": "0x1234"})
    xt = ws_substrate.create_signed_extrinsic(call=call, keypair=alice)
    node.pool.rejections[bytes(xt.data.data)] = TransactionInvalid(BadProof())
    with pytest.raises(SubstrateRequestException) as raised:
        ws_substrate.submit_extrinsic(xt, wait_for_inclusion=True)
    assert raised.value.args[0]["code"] == 1010
