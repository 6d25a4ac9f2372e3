"""Deepshard's typed chain client against a running `deepshard node --dev`.

Submit, receipts, queries, storage iteration, block decoding and following finalized heads,
each checked against what substrate-interface (unmodified) reads from the same node.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from substrateinterface import ExtrinsicReceipt, SubstrateInterface

from deepshard.client.rpc.client import (
    ChainClient,
    ClientError,
    ConnectionFailed,
    ExtrinsicFailed,
    HttpTransport,
    InvalidArguments,
    TransactionRejected,
    UnknownItem,
    WsTransport,
)
from deepshard.primitives.crypto import dev_keypair, ss58_encode

pytestmark = pytest.mark.e2e

ALICE = dev_keypair("Alice")
BOB = dev_keypair("Bob")
CHARLIE = dev_keypair("Charlie")
DSH = 10**12
_T = TypeVar("_T")


def run(url: str, body: Callable[[ChainClient], Awaitable[_T]]) -> _T:
    async def main() -> _T:
        async with ChainClient.connect(url) as chain:
            return await body(chain)

    return asyncio.run(asyncio.wait_for(main(), 120))


@pytest.fixture(scope="module")
def substrate(dev_node: Any) -> SubstrateInterface:
    return SubstrateInterface(url=dev_node.http_url)


@pytest.mark.parametrize("scheme", ["ws", "http"])
def test_connect_and_query_agree_with_substrate_interface(
    dev_node: Any, substrate: SubstrateInterface, scheme: str
) -> None:
    url = dev_node.ws_url if scheme == "ws" else dev_node.http_url

    async def body(chain: ChainClient) -> tuple[Any, ...]:
        kind = WsTransport if scheme == "ws" else HttpTransport
        assert isinstance(chain.transport, kind)
        at = await chain.block_hash()
        account = await chain.query("System", "Account", ALICE.public_key, at=at)
        accounts = [
            item async for item in chain.iter_storage("System", "Account", at=at, page_size=5)
        ]
        return at, account, accounts, chain.constant("Balances", "ExistentialDeposit")

    at, account, accounts, existential = run(url, body)
    theirs = substrate.query(
        "System", "Account", [ALICE.ss58_address()], block_hash="0x" + at.hex()
    )
    assert account == theirs.value
    si_map = {
        k.value: v.value
        for k, v in substrate.query_map("System", "Account", block_hash="0x" + at.hex())
    }
    ours = {ss58_encode(keys[0]): value for keys, value in accounts}
    assert ours == si_map
    assert existential == substrate.get_constant("Balances", "ExistentialDeposit").value


def test_transfer_receipt_block_and_follow(dev_node: Any, substrate: SubstrateInterface) -> None:
    async def body(chain: ChainClient) -> tuple[Any, ...]:
        before = (await chain.query("System", "Account", CHARLIE.public_key))["data"]["free"]
        call = chain.compose("Balances", "transfer_keep_alive", dest=CHARLIE.public_key, value=DSH)
        receipt = await chain.sign_and_submit(call, ALICE, wait="finalized")
        after = (await chain.query("System", "Account", CHARLIE.public_key))["data"]["free"]
        block = await chain.block(receipt.block_hash)
        heads = []
        async for head in chain.follow_finalized():
            heads.append(head)
            if len(heads) == 3:
                break
        return receipt, before, after, block, heads

    receipt, before, after, block, heads = run(dev_node.ws_url, body)
    assert receipt.success
    assert receipt.finalized
    assert after - before == DSH
    names = [(e.pallet, e.name) for e in receipt.events]
    assert ("Balances", "Transfer") in names
    assert names[-1] == ("System", "ExtrinsicSuccess")
    # substrate-interface reads the same extrinsic, fee and events
    theirs = ExtrinsicReceipt(
        substrate=substrate,
        extrinsic_hash="0x" + receipt.extrinsic_hash.hex(),
        block_hash="0x" + receipt.block_hash.hex(),
    )
    assert theirs.is_success
    assert theirs.total_fee_amount == receipt.fee
    assert [(e.value["module_id"], e.value["event_id"]) for e in theirs.triggered_events] == names
    si_block = substrate.get_block(block_hash="0x" + receipt.block_hash.hex())
    assert len(si_block["extrinsics"]) == len(block.extrinsics)
    mine = block.extrinsics[receipt.index]
    assert mine.signer == ALICE.public_key
    assert (mine.call.pallet, mine.call.name) == ("Balances", "transfer_keep_alive")
    assert mine.call.args["value"] == DSH
    numbers = [h.number for h in heads]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    assert all(h.header.hash() == h.hash for h in heads)


def test_follow_finalized_takes_the_chain_head_v1_path(dev_node: Any) -> None:
    """The node lists ``chainHead_v1_follow``: the client follows through it, pins and unpins
    without one refused call, and yields the canonical finalized chain without gaps."""

    async def body(chain: ChainClient) -> tuple[Any, ...]:
        assert "chainHead_v1_follow" in chain.methods
        subscribed: list[str] = []
        calls: list[tuple[str, Any]] = []
        refused: list[tuple[str, Any, ClientError]] = []
        transport_subscribe, client_rpc = chain.transport.subscribe, chain.rpc

        async def subscribe(method: str, params: list[Any], unsubscribe: str) -> Any:
            subscribed.append(method)
            return await transport_subscribe(method, params, unsubscribe)

        async def rpc(method: str, params: Any = None) -> Any:
            calls.append((method, params))
            try:
                return await client_rpc(method, params)
            except ClientError as error:
                refused.append((method, params, error))
                raise

        chain.transport.subscribe = subscribe  # type: ignore[method-assign]
        chain.rpc = rpc  # type: ignore[method-assign]
        heads = []
        async for head in chain.follow_finalized():
            heads.append(head)
            if len(heads) == 5:
                break
        chain.rpc = client_rpc  # type: ignore[method-assign]
        canonical = [await chain.block_hash(h.number) for h in heads]
        return subscribed, calls, refused, heads, canonical

    subscribed, calls, refused, heads, canonical = run(dev_node.ws_url, body)
    assert subscribed == ["chainHead_v1_follow"]  # not the legacy subscription
    assert refused == []  # every header read and every unpin was of a pinned block
    assert [h.number for h in heads] == list(range(heads[0].number, heads[0].number + 5))
    assert [h.hash for h in heads] == canonical
    assert all(h.header.hash() == h.hash for h in heads)
    assert all(heads[i + 1].header.parent_hash == heads[i].hash for i in range(4))
    methods = {method for method, _ in calls}
    assert {"chainHead_v1_header", "chainHead_v1_unpin"} <= methods
    assert "chain_getBlockHash" not in methods  # no gap had to be filled by number
    unpinned = [bytes.fromhex(h[2:]) for m, p in calls if m == "chainHead_v1_unpin" for h in p[1]]
    assert len(unpinned) == len(set(unpinned))  # each block released once
    # every finalized block but the latest is released (finality may come several at a time)
    assert {h.hash for h in heads[:3]} <= set(unpinned)


def test_failures_are_typed(dev_node: Any) -> None:
    async def body(chain: ChainClient) -> None:
        too_much = chain.compose(
            "Balances", "transfer_keep_alive", dest=BOB.public_key, value=1 << 100
        )
        receipt = await chain.sign_and_submit(too_much, BOB, wait="in_block")
        assert not receipt.success
        assert receipt.error is not None
        with pytest.raises(ExtrinsicFailed) as failed:
            receipt.ensure_success()
        assert failed.value.receipt is receipt
        # a stale nonce is refused by the pool with Substrate's code
        call = chain.compose("System", "remark", remark=b"x")
        with pytest.raises(TransactionRejected) as rejected:
            await chain.sign_and_submit(call, BOB, nonce=0)
        assert rejected.value.code == 1010
        with pytest.raises(UnknownItem):
            chain.compose("Balances", "no_such_call")
        with pytest.raises(InvalidArguments):
            chain.compose("Balances", "transfer_keep_alive", dest=b"short", value=1)
        with pytest.raises(InvalidArguments):
            await chain.query("System", "Account")

    run(dev_node.ws_url, body)


def test_module_errors_by_name(dev_node: Any) -> None:
    async def body(chain: ChainClient) -> Any:
        # Sudo by a non-sudo account fails with the Sudo pallet's RequireSudo error
        inner = chain.compose("System", "remark", remark=b"")
        call = chain.compose("Sudo", "sudo", call=inner)
        return await chain.sign_and_submit(call, CHARLIE, wait="in_block")

    receipt = run(dev_node.ws_url, body)
    assert receipt.error is not None
    assert receipt.error.module is not None
    assert (receipt.error.module.pallet, receipt.error.module.name) == ("Sudo", "RequireSudo")


def test_unreachable_node_is_a_client_error() -> None:
    async def main() -> None:
        await ChainClient.connect("ws://127.0.0.1:1")

    with pytest.raises(ConnectionFailed):
        asyncio.run(main())
    assert issubclass(ConnectionFailed, ClientError)
