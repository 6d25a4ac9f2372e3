"""py-substrate-interface, unmodified, against a running `deepshard node --dev`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface
from substrateinterface.exceptions import SubstrateRequestException

pytestmark = pytest.mark.e2e

ALICE = Keypair.create_from_uri("//Alice")
BOB = Keypair.create_from_uri("//Bob")
ENDOWMENT = 1 << 60


@pytest.fixture(scope="module")
def ws(dev_node: Any) -> Iterator[SubstrateInterface]:
    interface = SubstrateInterface(url=dev_node.ws_url)
    yield interface
    interface.close()


@pytest.fixture(scope="module")
def http(dev_node: Any) -> SubstrateInterface:
    return SubstrateInterface(url=dev_node.http_url)


@pytest.mark.parametrize("transport", ["ws", "http"])
def test_query_and_query_map(transport: str, request: pytest.FixtureRequest) -> None:
    substrate: SubstrateInterface = request.getfixturevalue(transport)
    assert substrate.chain == "Development"
    account = substrate.query("System", "Account", [ALICE.ss58_address])
    assert account.value["providers"] == 1
    assert account.value["data"]["free"] > 0
    entries = {key.value: value.value for key, value in substrate.query_map("System", "Account")}
    assert ALICE.ss58_address in entries
    assert len(entries) >= 12
    assert substrate.get_constant("Balances", "ExistentialDeposit").value == 10**9
    assert substrate.token_symbol == "DSH"


def test_transfer_wait_for_inclusion(ws: SubstrateInterface) -> None:
    before = ws.query("System", "Account", [BOB.ss58_address]).value["data"]["free"]
    call = ws.compose_call(
        "Balances", "transfer_keep_alive", {"dest": BOB.ss58_address, "value": 10**12}
    )
    info = ws.get_payment_info(call, ALICE)
    assert info["partialFee"] > 0
    nonce = ws.get_account_nonce(ALICE.ss58_address)
    xt = ws.create_signed_extrinsic(call=call, keypair=ALICE, nonce=nonce)
    receipt = ws.submit_extrinsic(xt, wait_for_inclusion=True)
    assert receipt.is_success, receipt.error_message
    assert receipt.total_fee_amount == info["partialFee"]
    events = [(e.value["module_id"], e.value["event_id"]) for e in receipt.triggered_events]
    assert ("Balances", "Transfer") in events
    assert events[-1] == ("System", "ExtrinsicSuccess")
    after = ws.query("System", "Account", [BOB.ss58_address], block_hash=receipt.block_hash)
    assert after.value["data"]["free"] == before + 10**12
    assert ws.get_account_nonce(ALICE.ss58_address) == nonce + 1
    block = ws.get_block(receipt.block_hash)
    hashes = [e.value["extrinsic_hash"] for e in block["extrinsics"]]
    assert "0x" + xt.extrinsic_hash.hex() in hashes


def test_transfer_wait_for_finalization_mortal(ws: SubstrateInterface) -> None:
    call = ws.compose_call(
        "Balances", "transfer_allow_death", {"dest": BOB.ss58_address, "value": 10**12}
    )
    xt = ws.create_signed_extrinsic(call=call, keypair=ALICE, era={"period": 64})
    receipt = ws.submit_extrinsic(xt, wait_for_finalization=True)
    assert receipt.is_success
    assert receipt.block_hash == ws.get_block_hash(ws.get_block_number(receipt.block_hash))


def test_failed_transfer_error_message(ws: SubstrateInterface) -> None:
    charlie = Keypair.create_from_uri("//Charlie")
    call = ws.compose_call(
        "Balances", "transfer_keep_alive", {"dest": charlie.ss58_address, "value": 2 * ENDOWMENT}
    )
    receipt = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=call, keypair=BOB), wait_for_inclusion=True
    )
    assert receipt.is_success is False
    assert receipt.total_fee_amount > 0
    failed = receipt.triggered_events[-1].value
    assert failed["event_id"] == "ExtrinsicFailed"
    sudo_call = ws.compose_call(
        "Sudo", "sudo", {"call": ws.compose_call("System", "remark", {"remark": "0x00"})}
    )
    refused = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=sudo_call, keypair=BOB), wait_for_inclusion=True
    )
    assert refused.error_message == {
        "type": "Module",
        "name": "RequireSudo",
        "docs": [" Sender must be the Sudo account."],
    }


def test_invalid_transaction_is_refused_synchronously(ws: SubstrateInterface) -> None:
    call = ws.compose_call("System", "remark", {"remark": "0x00"})
    if ws.get_account_nonce(ALICE.ss58_address) == 0:  # whichever tests ran before this one
        ws.submit_extrinsic(
            ws.create_signed_extrinsic(call=call, keypair=ALICE), wait_for_inclusion=True
        )
    stale = ws.create_signed_extrinsic(call=call, keypair=ALICE, nonce=0)
    unfunded = ws.create_signed_extrinsic(call=call, keypair=Keypair.create_from_uri("//Nobody"))
    for refused in (stale, unfunded):
        with pytest.raises(SubstrateRequestException) as raised:
            ws.submit_extrinsic(refused, wait_for_inclusion=True)
        assert raised.value.args[0]["code"] == 1010


def test_http_submit_without_waiting(http: SubstrateInterface) -> None:
    call = http.compose_call("System", "remark", {"remark": "0x0102"})
    receipt = http.submit_extrinsic(http.create_signed_extrinsic(call=call, keypair=BOB))
    assert receipt.extrinsic_hash.startswith("0x")
    assert http.get_block()["header"]["number"] >= 0


def test_subscribe_block_headers(ws: SubstrateInterface) -> None:
    seen: list[int] = []

    def handler(header: dict[str, Any], update_nr: int, subscription_id: str) -> Any:
        seen.append(header["header"]["number"])
        if len(seen) >= 2:
            return seen
        return None

    result = ws.subscribe_block_headers(handler)
    assert result == seen
    assert seen[1] == seen[0] + 1
