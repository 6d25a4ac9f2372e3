"""Utility, Multisig and Proxy driven by substrate-interface (unmodified) against a dev node.

Each flow is what a wallet or an exchange does with these pallets on any FRAME chain:
``compose_call`` builds the calls from our metadata, and the receipts' events are checked.
"""

from __future__ import annotations

from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface

pytestmark = pytest.mark.e2e

ALICE = Keypair.create_from_uri("//Alice")
BOB = Keypair.create_from_uri("//Bob")
CHARLIE = Keypair.create_from_uri("//Charlie")
DAVE = Keypair.create_from_uri("//Dave")
DSH = 10**12


@pytest.fixture(scope="module")
def substrate(dev_node: Any) -> SubstrateInterface:
    interface = SubstrateInterface(url=dev_node.ws_url)
    yield interface
    interface.close()


def submit(substrate: SubstrateInterface, call: Any, signer: Keypair) -> Any:
    xt = substrate.create_signed_extrinsic(call=call, keypair=signer)
    receipt = substrate.submit_extrinsic(xt, wait_for_inclusion=True)
    assert receipt.is_success, receipt.error_message
    return receipt


def events(receipt: Any) -> list[tuple[str, str]]:
    return [(e.value["module_id"], e.value["event_id"]) for e in receipt.triggered_events]


def free(substrate: SubstrateInterface, who: str) -> int:
    return int(substrate.query("System", "Account", [who]).value["data"]["free"])


def test_batch_all_of_transfers(substrate: SubstrateInterface) -> None:
    before = free(substrate, DAVE.ss58_address)
    transfers = [
        substrate.compose_call(
            "Balances", "transfer_keep_alive", {"dest": DAVE.ss58_address, "value": n * DSH}
        )
        for n in (1, 2)
    ]
    call = substrate.compose_call("Utility", "batch_all", {"calls": transfers})
    receipt = submit(substrate, call, ALICE)
    assert events(receipt).count(("Utility", "ItemCompleted")) == 2
    assert ("Utility", "BatchCompleted") in events(receipt)
    assert free(substrate, DAVE.ss58_address) - before == 3 * DSH


def test_multisig_two_of_three(substrate: SubstrateInterface) -> None:
    multisig = substrate.generate_multisig_account(
        [ALICE.ss58_address, BOB.ss58_address, CHARLIE.ss58_address], 2
    )
    fund = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": multisig.ss58_address, "value": 5 * DSH}
    )
    submit(substrate, fund, ALICE)
    payout = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": DAVE.ss58_address, "value": DSH}
    )
    before = free(substrate, DAVE.ss58_address)
    # substrate-interface's own multisig flow: first approval, then the executing one; it
    # finds the timepoint in Multisig.Multisigs itself
    first = substrate.create_multisig_extrinsic(payout, ALICE, multisig, era={"period": 64})
    receipt = substrate.submit_extrinsic(first, wait_for_inclusion=True)
    assert receipt.is_success, receipt.error_message
    assert ("Multisig", "NewMultisig") in events(receipt)
    second = substrate.create_multisig_extrinsic(payout, BOB, multisig, era={"period": 64})
    receipt = substrate.submit_extrinsic(second, wait_for_inclusion=True)
    assert receipt.is_success, receipt.error_message
    assert ("Multisig", "MultisigExecuted") in events(receipt)
    assert free(substrate, DAVE.ss58_address) - before == DSH


def test_proxy_add_use_and_remove(substrate: SubstrateInterface) -> None:
    add = substrate.compose_call(
        "Proxy",
        "add_proxy",
        {"delegate": BOB.ss58_address, "proxy_type": "NonTransfer", "delay": 0},
    )
    assert ("Proxy", "ProxyAdded") in events(submit(substrate, add, CHARLIE))
    remark = substrate.compose_call("System", "remark_with_event", {"remark": "0x01"})
    proxied = substrate.compose_call(
        "Proxy",
        "proxy",
        {"real": CHARLIE.ss58_address, "force_proxy_type": None, "call": remark},
    )
    receipt = submit(substrate, proxied, BOB)
    assert ("Proxy", "ProxyExecuted") in events(receipt)
    remarked = [e for e in receipt.triggered_events if e.value["event_id"] == "Remarked"]
    assert remarked[0].value["attributes"]["sender"] == CHARLIE.ss58_address
    transfer = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": BOB.ss58_address, "value": DSH}
    )
    refused = substrate.compose_call(
        "Proxy", "proxy", {"real": CHARLIE.ss58_address, "force_proxy_type": None, "call": transfer}
    )
    receipt = submit(substrate, refused, BOB)
    (executed,) = [e for e in receipt.triggered_events if e.value["event_id"] == "ProxyExecuted"]
    assert "Err" in executed.value["attributes"]["result"]
    remove = substrate.compose_call("Proxy", "remove_proxies", {})
    submit(substrate, remove, CHARLIE)
    assert substrate.query("Proxy", "Proxies", [CHARLIE.ss58_address]).value == ([], 0)
