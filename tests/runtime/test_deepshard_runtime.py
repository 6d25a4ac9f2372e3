"""The composed Deepshard runtime, driven by substrate-interface as a wallet would drive it.

substrate-interface reads our metadata, composes and signs calls, asks for nonces and fees, and
decodes the blocks and events our executive produced; the answers must be the ones a Substrate
runtime would give: ExtrinsicSuccess, or ExtrinsicFailed with the pallet error's name and docs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset
from substrateinterface import ExtrinsicReceipt, Keypair, KeypairType, SubstrateInterface

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV, ENDOWMENT
from deepshard.pallets.aura import Aura
from deepshard.pallets.timestamp import INHERENT_IDENTIFIER
from deepshard.primitives.codec import encode
from deepshard.primitives.header import Digest, Header, PreRuntime
from deepshard.primitives.metadata import render_metadata
from deepshard.primitives.numeric import U64
from deepshard.primitives.weights import FeeDetails, RuntimeDispatchInfo
from deepshard.runtime import configs
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.state import InMemoryState
from deepshard.runtime.support.inherents import InherentData
from deepshard.runtime.support.overlay import Overlay

SNAPSHOT = Path(__file__).parent / "snapshots" / "deepshard_metadata.txt"
SLOT_MS = 6_000
FIRST_SLOT = 300_000_000


def _author(parent: Header, state: InMemoryState) -> tuple[Digest, list[bytes]]:
    runtime = deepshard_runtime()
    slot = FIRST_SLOT + int(parent.number) + 1
    digest = Digest(logs=(PreRuntime(b"aura", encode(U64(slot))),))
    data = InherentData()
    data.put_data(INHERENT_IDENTIFIER, U64(slot * SLOT_MS))
    return digest, runtime.inherent_extrinsics(state, parent, data)


@pytest.fixture
def dev_node(offline_node_class: Any) -> Any:
    runtime = deepshard_runtime()
    storage = runtime.genesis_storage(genesis_from_patch(preset_patch(DEV)))
    return offline_node_class(
        runtime.runtime,
        runtime.executive,
        InMemoryState(storage),
        runtime.metadata.encoded,
        author=_author,
        apis=runtime.apis,
    )


@pytest.fixture
def substrate(dev_node: Any) -> SubstrateInterface:
    interface = SubstrateInterface(url="http://127.0.0.1:1", auto_discover=False)
    interface.rpc_request = dev_node  # type: ignore[method-assign]
    interface.init_runtime()
    return interface


def _submit(node: Any, substrate: SubstrateInterface, xt: Any) -> ExtrinsicReceipt:
    block_hash = node.produce([bytes(xt.data.data)])
    return ExtrinsicReceipt(
        substrate=substrate, extrinsic_hash="0x" + xt.extrinsic_hash.hex(), block_hash=block_hash
    )


def test_scalecodec_decodes_the_metadata() -> None:
    runtime = deepshard_runtime()
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    decoded = config.create_scale_object("MetadataVersioned", ScaleBytes(runtime.metadata.encoded))
    decoded.decode()
    pallets = {p["name"]: p["index"] for p in decoded.value[1]["V14"]["pallets"]}
    assert pallets == {
        "System": 0,
        "Timestamp": 1,
        "Aura": 2,
        "Grandpa": 3,
        "Balances": 4,
        "TransactionPayment": 5,
        "Sudo": 6,
        "Treasury": 7,
        "Utility": 8,
        "Multisig": 9,
        "Proxy": 10,
        "Informants": 20,
        "Training": 21,
        "Licences": 22,
    }


def test_metadata_matches_the_committed_snapshot() -> None:
    """Every index and name is guarded: regenerate deliberately (and bump spec_version)."""
    text = render_metadata(deepshard_runtime().metadata.metadata)
    if os.environ.get("DEEPSHARD_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "the runtime metadata drifted from tests/runtime/snapshots/deepshard_metadata.txt; if "
        "intended, bump VERSION.spec_version and regenerate with "
        "DEEPSHARD_UPDATE_SNAPSHOTS=1 pytest tests/runtime -k snapshot"
    )


def test_frame_constants_and_balances_items_read_by_substrate_interface(
    dev_node: Any, substrate: SubstrateInterface
) -> None:
    """Clients built for FRAME chains find System.Version and Balances.{Account,Locks,Reserves}."""
    runtime = deepshard_runtime()
    version = substrate.get_constant("System", "Version").value
    assert version["spec_name"] == "deepshard"
    assert version["spec_version"] == int(runtime.version.spec_version)
    assert version["transaction_version"] == int(runtime.version.transaction_version)
    assert version["system_version"] == int(runtime.version.system_version)
    assert [api[0] for api in version["apis"]] == ["0x" + i.hex() for i, _ in runtime.version.apis]
    for name in ("BlockWeights", "BlockLength", "BlockHashCount", "DbWeight", "SS58Prefix"):
        assert substrate.get_constant("System", name) is not None
    alice = Keypair.create_from_uri("//Alice").ss58_address
    assert substrate.query("Balances", "Locks", [alice]).value == []
    assert substrate.query("Balances", "Reserves", [alice]).value == []
    assert substrate.query("Balances", "Account", [alice]).value["free"] == 0
    assert substrate.query("System", "Account", [alice]).value["data"]["free"] > 0


@pytest.mark.parametrize("era", [None, {"period": 64}])
def test_transfer_signed_by_substrate_interface(
    dev_node: Any, substrate: SubstrateInterface, era: dict[str, int] | None
) -> None:
    alice = Keypair.create_from_uri("//Alice")
    bob = Keypair.create_from_uri("//Bob")
    dev_node.produce([])
    call = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": bob.ss58_address, "value": 12_345 * 10**9}
    )
    info = substrate.get_payment_info(call, alice)
    assert info["partialFee"] > 0
    nonce = substrate.get_account_nonce(alice.ss58_address)
    xt = substrate.create_signed_extrinsic(call=call, keypair=alice, era=era, nonce=nonce)
    receipt = _submit(dev_node, substrate, xt)
    assert receipt.is_success, receipt.error_message
    # The fee quote is for an immortal extrinsic; a mortal era is one byte (one unit) longer.
    assert receipt.total_fee_amount == info["partialFee"] + (0 if era is None else 1)
    names = [(e.value["module_id"], e.value["event_id"]) for e in receipt.triggered_events]
    assert ("Balances", "Transfer") in names
    assert ("TransactionPayment", "TransactionFeePaid") in names
    assert names[-1] == ("System", "ExtrinsicSuccess")
    transfer = next(e for e in receipt.triggered_events if e.value["event_id"] == "Transfer")
    assert transfer.value["attributes"] == {
        "from": alice.ss58_address,
        "to": bob.ss58_address,
        "amount": 12_345 * 10**9,
    }
    account = substrate.query("System", "Account", [bob.ss58_address])
    assert account.value["data"]["free"] == ENDOWMENT + 12_345 * 10**9
    assert substrate.get_account_nonce(alice.ss58_address) == nonce + 1


def test_ed25519_signer(dev_node: Any, substrate: SubstrateInterface) -> None:
    alice = Keypair.create_from_uri("//Alice")
    ed = Keypair.create_from_seed("0x" + "42" * 32, crypto_type=KeypairType.ED25519)
    fund = substrate.compose_call(
        "Balances", "transfer_allow_death", {"dest": ed.ss58_address, "value": 10**15}
    )
    assert _submit(dev_node, substrate, substrate.create_signed_extrinsic(fund, alice)).is_success
    back = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": alice.ss58_address, "value": 10**12}
    )
    receipt = _submit(dev_node, substrate, substrate.create_signed_extrinsic(back, ed))
    assert receipt.is_success, receipt.error_message


def test_module_error_name_and_docs(dev_node: Any, substrate: SubstrateInterface) -> None:
    bob = Keypair.create_from_uri("//Bob")
    inner = substrate.compose_call("System", "remark", {"remark": "0x00"})
    call = substrate.compose_call("Sudo", "sudo", {"call": inner})
    receipt = _submit(dev_node, substrate, substrate.create_signed_extrinsic(call, bob))
    assert receipt.is_success is False
    assert receipt.error_message["type"] == "Module"
    assert receipt.error_message["name"] == "RequireSudo"
    assert receipt.error_message["docs"] == [" Sender must be the Sudo account."]
    # The failed call still paid its fee and used its nonce.
    assert receipt.total_fee_amount > 0
    assert substrate.get_account_nonce(bob.ss58_address) == 1


def test_token_error_of_an_unpayable_transfer(dev_node: Any, substrate: SubstrateInterface) -> None:
    alice = Keypair.create_from_uri("//Alice")
    charlie = Keypair.create_from_uri("//Charlie")
    call = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": charlie.ss58_address, "value": 2 * ENDOWMENT}
    )
    receipt = _submit(dev_node, substrate, substrate.create_signed_extrinsic(call, alice))
    assert receipt.is_success is False
    failed = receipt.triggered_events[-1].value
    assert failed["event_id"] == "ExtrinsicFailed"
    assert failed["attributes"]["dispatch_error"] == {"Token": "FundsUnavailable"}


def test_sudo_dispatches_as_root(dev_node: Any, substrate: SubstrateInterface) -> None:
    alice = Keypair.create_from_uri("//Alice")
    dave = Keypair.create_from_uri("//Dave")
    inner = substrate.compose_call(
        "Balances", "force_set_balance", {"who": dave.ss58_address, "new_free": 777 * 10**12}
    )
    call = substrate.compose_call("Sudo", "sudo", {"call": inner})
    receipt = _submit(dev_node, substrate, substrate.create_signed_extrinsic(call, alice))
    assert receipt.is_success, receipt.error_message
    sudid = next(e for e in receipt.triggered_events if e.value["event_id"] == "Sudid")
    assert sudid.value["attributes"]["sudo_result"] == {"Ok": ()}
    assert substrate.query("System", "Account", [dave.ss58_address]).value["data"]["free"] == (
        777 * 10**12
    )


def test_runtime_apis_answer_as_substrate(dev_node: Any) -> None:
    runtime = deepshard_runtime()
    state, header = dev_node.states[-1], dev_node.best
    assert runtime.apis.call("AuraApi_slot_duration", b"", state, header) == (6000).to_bytes(
        8, "little"
    )
    authorities = runtime.apis.call("AuraApi_authorities", b"", state, header)
    ctx = runtime.runtime.new_context(Overlay(state), 0)
    assert authorities[1:] == b"".join(bytes(a) for a in ctx.pallet(Aura).authorities())
    assert (
        runtime.apis.call("Metadata_metadata_versions", b"", state, header)
        == b"\x0c\x0e\x00\x00\x00\x0f\x00\x00\x00\x10\x00\x00\x00"
    )


def test_fee_parts_from_weight_and_length(dev_node: Any, substrate: SubstrateInterface) -> None:
    """query_weight_to_fee and query_length_to_fee give query_fee_details' parts (multiplier 1)."""
    runtime = deepshard_runtime()
    state, header = dev_node.states[-1], dev_node.best
    alice = Keypair.create_from_uri("//Alice")
    call = substrate.compose_call(
        "Balances", "transfer_keep_alive", {"dest": alice.ss58_address, "value": 10**12}
    )
    xt = bytes(substrate.create_signed_extrinsic(call, alice).data.data)
    arguments = xt + len(xt).to_bytes(4, "little")
    info = RuntimeDispatchInfo.decode(
        runtime.apis.call("TransactionPaymentApi_query_info", arguments, state, header)
    )
    details = FeeDetails.decode(
        runtime.apis.call("TransactionPaymentApi_query_fee_details", arguments, state, header)
    )
    assert details.inclusion_fee is not None
    weight_fee = runtime.apis.call(
        "TransactionPaymentApi_query_weight_to_fee", info.weight.encode(), state, header
    )
    length_fee = runtime.apis.call(
        "TransactionPaymentApi_query_length_to_fee", len(xt).to_bytes(4, "little"), state, header
    )
    assert int.from_bytes(weight_fee, "little") == details.inclusion_fee.adjusted_weight_fee
    assert int.from_bytes(length_fee, "little") == details.inclusion_fee.len_fee
    assert len(weight_fee) == len(length_fee) == 16  # u128


def test_replay_after_reaping_is_refused(dev_node: Any, substrate: SubstrateInterface) -> None:
    """An account reaped and re-created keeps its nonce, so its old transactions stay spent."""
    alice = Keypair.create_from_uri("//Alice")
    temp = Keypair.create_from_seed("0x" + "07" * 32)
    fund = substrate.compose_call(
        "Balances", "transfer_allow_death", {"dest": temp.ss58_address, "value": 10**15}
    )
    assert _submit(dev_node, substrate, substrate.create_signed_extrinsic(fund, alice)).is_success
    # temp sends everything back (immortal, nonce 0): the account is reaped.
    drain = substrate.compose_call(
        "Balances", "transfer_all", {"dest": alice.ss58_address, "keep_alive": False}
    )
    signed_drain = substrate.create_signed_extrinsic(drain, temp)
    assert _submit(dev_node, substrate, signed_drain).is_success
    assert substrate.query("System", "Account", [temp.ss58_address]).value["providers"] == 0
    # Re-created: the nonce comes back, so the old drain (nonce 0) is stale, not replayable.
    fund_again = substrate.create_signed_extrinsic(fund, alice)
    assert _submit(dev_node, substrate, fund_again).is_success
    assert substrate.get_account_nonce(temp.ss58_address) == 1
    with pytest.raises(Exception, match="outdated"):
        dev_node.produce([bytes(signed_drain.data.data)])


def test_licences_api_quotes_a_price(dev_node: Any) -> None:
    """LicencesApi_price answers Option<u128>: the base price of version 0, None past the head."""
    runtime = deepshard_runtime()
    state, header = dev_node.states[-1], dev_node.best
    base = int(configs.LICENCES.base_price)
    quote = runtime.apis.call("LicencesApi_price", (0).to_bytes(4, "little"), state, header)
    assert quote == b"\x01" + base.to_bytes(16, "little")
    assert runtime.apis.call("LicencesApi_price", (9).to_bytes(4, "little"), state, header) == (
        b"\x00"
    )
