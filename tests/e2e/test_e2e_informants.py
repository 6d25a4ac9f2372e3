"""py-substrate-interface, unmodified, drives a batch's whole life on a running dev node.

Every Informants call (and Treasury's ``spend``) is composed from the node's metadata, signed
and submitted; batch, vote, curator and queue storage is read back with types decoded from
metadata alone (no custom type registry). Root shortens the voting period to three blocks
through Sudo, so the test takes a handful of blocks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface
from substrateinterface.base import ExtrinsicReceipt

pytestmark = pytest.mark.e2e

UNIT = 10**12
ALICE = Keypair.create_from_uri("//Alice")
CURATORS = tuple(Keypair.create_from_uri(f"//{name}") for name in ("Bob", "Charlie", "Dave", "Eve"))
CID = bytes.fromhex("01551220") + bytes(range(100, 132))
"""A CIDv1 (raw codec, sha2-256) of the batch."""
SCORES = {
    "novelty": 80,
    "reproducibility": 70,
    "alignment": 90,
    "truthfulness": 60,
    "objectivity": 100,
}


@pytest.fixture(scope="module")
def ws(dev_node: Any) -> Iterator[SubstrateInterface]:
    interface = SubstrateInterface(url=dev_node.ws_url)
    yield interface
    interface.close()


def submit_all(ws: SubstrateInterface, calls: list[tuple[Keypair, Any]]) -> list[ExtrinsicReceipt]:
    """Submit one extrinsic per signer, wait until the last is in a block, return receipts."""
    receipts = [
        ws.submit_extrinsic(ws.create_signed_extrinsic(call=c, keypair=k), wait_for_inclusion=False)
        for k, c in calls[:-1]
    ]
    signer, last = calls[-1]
    final = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=last, keypair=signer), wait_for_inclusion=True
    )
    assert final.is_success, final.error_message
    return [*receipts, final]


def test_a_batch_is_submitted_voted_on_and_accepted(ws: SubstrateInterface) -> None:
    informants = "Informants"
    # 1. Root shortens the voting period; four curators bond.
    set_period = ws.compose_call(informants, "set_voting_period", {"period": 3})
    submit_all(
        ws,
        [
            *[
                (k, ws.compose_call(informants, "bond_curator", {"amount": 200 * UNIT}))
                for k in CURATORS
            ],
            (ALICE, ws.compose_call("Sudo", "sudo", {"call": set_period})),
        ],
    )
    for curator in CURATORS:
        ledger = ws.query(informants, "Curators", [curator.ss58_address]).value
        assert ledger["active"] == 200 * UNIT
    assert ws.query(informants, "VotingPeriod").value == 3
    total_bond = ws.query(informants, "TotalCuratorBond").value
    assert total_bond >= 800 * UNIT

    # 2. Alice submits a batch with a stake.
    batch_id = ws.query(informants, "NextBatchId").value
    submit = ws.compose_call(
        informants,
        "submit_batch",
        {
            "cid": "0x" + CID.hex(),
            "byte_size": 123_456,
            "item_count": 400,
            "stake": 20 * UNIT,
            "metadata_cid": "0x",
        },
    )
    (receipt,) = submit_all(ws, [(ALICE, submit)])
    submitted = [
        e.value for e in receipt.triggered_events if e.value["event_id"] == "BatchSubmitted"
    ]
    assert submitted[0]["attributes"]["batch_id"] == batch_id
    batch = ws.query(informants, "Batches", [batch_id]).value
    assert batch["informant"] == ALICE.ss58_address
    assert batch["cid"] == "0x" + CID.hex()
    assert batch["phase"] == "Voting"
    assert batch["stake"] == 20 * UNIT
    assert batch["item_count"] == 400

    # 3. The curators vote: three aye, one nay (Bob first votes nay, then changes his mind).
    votes = [
        (
            k,
            ws.compose_call(
                informants, "vote", {"batch_id": batch_id, "aye": aye, "scores": SCORES}
            ),
        )
        for k, aye in zip(CURATORS, (False, True, True, False), strict=True)
    ]
    submit_all(ws, votes)
    change = ws.compose_call(
        informants, "vote", {"batch_id": batch_id, "aye": True, "scores": SCORES}
    )
    unbond = ws.compose_call(informants, "unbond_curator", {"amount": 50 * UNIT})
    submit_all(ws, [(CURATORS[3], unbond), (CURATORS[0], change)])
    stored = {
        str(key.value): value.value for key, value in ws.query_map(informants, "Votes", [batch_id])
    }
    assert len(stored) == 4
    assert stored[CURATORS[0].ss58_address]["aye"] is True
    assert stored[CURATORS[3].ss58_address]["aye"] is False
    assert stored[CURATORS[1].ss58_address]["scores"] == SCORES
    assert ws.query(informants, "Batches", [batch_id]).value["vote_count"] == 4

    # 4. The period ends; on_initialize closes the batch: accepted, queued for training.
    deadline = time.monotonic() + 60
    while ws.query(informants, "Batches", [batch_id]).value["phase"] == "Voting":
        assert time.monotonic() < deadline, "the batch never closed"
        time.sleep(1)
    batch = ws.query(informants, "Batches", [batch_id]).value
    assert batch["phase"] == "Accepted"
    assert batch["value"] > 0
    queued = [value.value for _, value in ws.query_map(informants, "TrainingQueue")]
    assert batch_id in queued
    assert ws.query(informants, "ScoreHistograms", [batch_id]).value is None

    # 5. The curators claim their votes: the three ayes share the curator reward.
    claim = ws.compose_call(informants, "claim_curator_reward", {"batch_id": batch_id})
    receipts = submit_all(ws, [(k, claim) for k in CURATORS])
    claimed = [
        e.value["attributes"]
        for e in receipts[-1].triggered_events
        if e.value["event_id"] == "CuratorRewardClaimed"
    ]
    assert claimed
    assert claimed[0]["curator"] == CURATORS[-1].ss58_address
    assert claimed[0]["amount"] == 0  # Eve voted nay
    assert list(ws.query_map(informants, "Votes", [batch_id])) == []
    assert ws.query(informants, "Batches", [batch_id]).value["vote_count"] == 0

    # 6. Eve's unbonded funds are not yet withdrawable; Root pays from the treasury pot.
    withdraw = ws.compose_call(informants, "withdraw_unbonded", {})
    receipt = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=withdraw, keypair=CURATORS[3]), wait_for_inclusion=True
    )
    assert receipt.is_success is False
    assert receipt.error_message["name"] == "NothingToWithdraw"
    assert ws.get_constant("Treasury", "PalletId").value == "0x" + b"py/trsry".hex()
    spend = ws.compose_call(
        "Treasury", "spend", {"beneficiary": CURATORS[0].ss58_address, "amount": 1}
    )
    receipt = ws.submit_extrinsic(
        ws.create_signed_extrinsic(
            call=ws.compose_call("Sudo", "sudo", {"call": spend}), keypair=ALICE
        ),
        wait_for_inclusion=True,
    )
    sudid = [e.value for e in receipt.triggered_events if e.value["event_id"] == "Sudid"]
    # The pot holds only its existential deposit on a fresh chain: the spend is refused.
    assert sudid[0]["attributes"]["sudo_result"]["Err"]["Module"]["index"] == 7
