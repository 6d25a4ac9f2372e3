"""py-substrate-interface, unmodified, drives a training round's whole life on a running dev node.

Every Training call is composed from the node's metadata, signed and submitted (Root's through
Sudo); rounds, commitments, reveals, scores, pending slashes and model versions are read back
from storage with types decoded from metadata alone, and the statistics layout from the
metadata's constants. Root shortens the Informants voting period and the round's phases to two
blocks each, so the whole life (a batch accepted, a round opened on it, commit, reveal, score,
aggregation, dispute, close and a new model version) takes about a dozen blocks.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface
from substrateinterface.base import ExtrinsicReceipt

pytestmark = pytest.mark.e2e

UNIT = 10**12
ALICE = Keypair.create_from_uri("//Alice")
NAMES = ("Bob", "Charlie", "Dave", "Eve", "Ferdie")
TRAINERS = tuple(Keypair.create_from_uri(f"//{name}") for name in NAMES)
SCORERS = tuple(Keypair.create_from_uri(f"//{name}//stash") for name in NAMES)
BATCH_CID = bytes.fromhex("01551220") + bytes(range(150, 182))
SALT = b"e2e-salt"
GOOD = [2_000_000, 50_000, -1_000_000, 300_000, 10_000]
BAD = [2_400_000, -350_000, -1_600_000, 900_000, 500_000]
CRITERIA = {
    "novelty": 80,
    "reproducibility": 70,
    "alignment": 90,
    "truthfulness": 60,
    "objectivity": 100,
}


def adapter(n: int) -> tuple[bytes, bytes]:
    """The CID and sha256 of adapter `n` (honest: 1, poisoned: 2)."""
    sha = hashlib.sha256(f"adapter {n}".encode()).digest()
    return bytes.fromhex("01551220") + sha, sha


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


def wait_for(what: str, predicate: Callable[[], bool], timeout: float = 60) -> None:
    """Poll until `predicate` holds (blocks come every few seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def sudo(ws: SubstrateInterface, call: Any) -> Any:
    """Root's call through Sudo."""
    return ws.compose_call("Sudo", "sudo", {"call": call})


def test_a_round_trains_scores_and_records_a_version(ws: SubstrateInterface) -> None:
    training = "Training"
    # 0. The statistics layout and the profile are metadata constants.
    layout = ws.get_constant(training, "Statistics").value
    assert [s["name"] for s in layout][:2] == ["heldout_loss", "heldout_improvement"]
    assert len(layout) == len(GOOD)
    assert ws.get_constant(training, "Profile").value["mode"] == "Deterministic"
    version0 = ws.query(training, "ModelVersions", [0]).value
    assert version0["parent"] is None
    assert version0["adapters"] == []

    # 1. Root shortens the periods and draws five of each (the dev genesis draws 4 and 2);
    # trainers and scorers bond (scorers also curate).
    periods = {"commit": 2, "reveal": 2, "score": 2, "dispute": 2}
    root = ws.compose_call(
        "Utility",
        "batch_all",
        {
            "calls": [
                ws.compose_call(training, "set_round_periods", {"periods": periods}),
                ws.compose_call(
                    training, "set_round_size", {"size": {"trainers": 5, "scorers": 5}}
                ),
                ws.compose_call("Informants", "set_voting_period", {"period": 2}),
            ]
        },
    )
    trainer_bond = ws.compose_call(training, "bond", {"role": "Trainer", "amount": 200 * UNIT})
    scorer_calls = ws.compose_call(
        "Utility",
        "batch_all",
        {
            "calls": [
                ws.compose_call(training, "bond", {"role": "Scorer", "amount": 150 * UNIT}),
                ws.compose_call("Informants", "bond_curator", {"amount": 200 * UNIT}),
            ]
        },
    )
    submit_all(
        ws,
        [
            *[(k, trainer_bond) for k in TRAINERS],
            *[(k, scorer_calls) for k in SCORERS],
            (ALICE, sudo(ws, root)),
        ],
    )
    wait_for(
        "the bonds",
        lambda: (
            all(
                ws.query(training, "ScorerBonds", [k.ss58_address]).value is not None
                for k in SCORERS
            )
            and all(
                ws.query(training, "TrainerBonds", [k.ss58_address]).value is not None
                for k in TRAINERS
            )
        ),
    )
    assert ws.query(training, "RoundPeriods").value == periods
    ledger = ws.query(training, "TrainerBonds", [TRAINERS[0].ss58_address]).value
    assert ledger["active"] == 200 * UNIT
    assert tuple(ws.query(training, "BondedCounts").value) == (5, 5)

    # 2. A batch is submitted and accepted; the round opens on it in the same block.
    batch_id = ws.query("Informants", "NextBatchId").value
    round_id = ws.query(training, "NextRoundId").value
    submit = ws.compose_call(
        "Informants",
        "submit_batch",
        {
            "cid": "0x" + BATCH_CID.hex(),
            "byte_size": 10_000,
            "item_count": 100,
            "stake": 20 * UNIT,
            "metadata_cid": "0x",
        },
    )
    submit_all(ws, [(ALICE, submit)])
    vote = ws.compose_call(
        "Informants", "vote", {"batch_id": batch_id, "aye": True, "scores": CRITERIA}
    )
    submit_all(ws, [(k, vote) for k in SCORERS])
    wait_for("the round", lambda: ws.query(training, "ActiveRound").value == round_id)
    round_ = ws.query(training, "Rounds", [round_id]).value
    assert round_["batch_id"] == batch_id
    assert round_["phase"] == "Commit"
    assert round_["parent_version"] == 0
    assert round_["profile"]["lora_rank"] > 0
    assert round_["reveal_ends"] - round_["commit_ends"] == 2
    drawn = {t[0] for t in round_["trainers"]}
    assert drawn == {k.ss58_address for k in TRAINERS}
    assert {s[0] for s in round_["scorers"]} == {k.ss58_address for k in SCORERS}

    # 3. Trainers commit (Bob trains a poisoned adapter); a drawn trainer cannot withdraw.
    poisoned = TRAINERS[0]
    commits = []
    for k in TRAINERS:
        cid, sha = adapter(2 if k is poisoned else 1)
        digest = hashlib.blake2b(cid + sha + SALT + k.public_key, digest_size=32).digest()
        commits.append(
            (
                k,
                ws.compose_call(
                    training, "commit", {"round_id": round_id, "commitment": "0x" + digest.hex()}
                ),
            )
        )
    submit_all(ws, commits)
    withdraw = ws.compose_call(training, "withdraw_unbonded", {"role": "Trainer"})
    receipt = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=withdraw, keypair=TRAINERS[1]), wait_for_inclusion=True
    )
    assert receipt.is_success is False
    assert receipt.error_message["name"] == "InOpenRound"
    stored = [key.value for key, _ in ws.query_map(training, "Commitments", [round_id])]
    assert sorted(stored) == sorted(k.ss58_address for k in TRAINERS)

    # 4. Reveal.

    def phase() -> str:
        return str(ws.query(training, "Rounds", [round_id]).value["phase"])

    wait_for("the reveal phase", lambda: phase() == "Reveal")
    reveals = []
    for k in TRAINERS:
        cid, sha = adapter(2 if k is poisoned else 1)
        reveals.append(
            (
                k,
                ws.compose_call(
                    training,
                    "reveal",
                    {
                        "round_id": round_id,
                        "cid": "0x" + cid.hex(),
                        "sha256": "0x" + sha.hex(),
                        "salt": "0x" + SALT.hex(),
                    },
                ),
            )
        )
    submit_all(ws, reveals)
    wait_for("the score phase", lambda: phase() == "Score")
    round_ = ws.query(training, "Rounds", [round_id]).value
    revealed = round_["revealed"]
    assert sorted(revealed) == sorted(k.ss58_address for k in TRAINERS)

    # 5. Scorers submit one statistics vector per revealed adapter, in reveal order.
    matrix = [list(BAD if who == poisoned.ss58_address else GOOD) for who in revealed]
    scores = ws.compose_call(training, "submit_scores", {"round_id": round_id, "scores": matrix})
    submit_all(ws, [(k, scores) for k in SCORERS])
    stored_scores = ws.query(training, "Scores", [round_id, SCORERS[0].ss58_address]).value
    assert stored_scores == matrix

    # 6. Aggregation: four honest adapters accepted, Bob's slash pending; Root cancels it.
    wait_for("the aggregation", lambda: phase() == "Dispute")
    round_ = ws.query(training, "Rounds", [round_id]).value
    assert round_["outcome"] == "Accepted"
    assert sorted(round_["accepted"]) == sorted(k.ss58_address for k in TRAINERS[1:])
    pending = ws.query(training, "PendingSlashes", [round_id, poisoned.ss58_address]).value
    assert pending["outlier"] is True
    assert pending["amount"] == 100 * UNIT  # half of 200 DSH
    cancel = ws.compose_call(
        training, "cancel_slash", {"round_id": round_id, "trainer": poisoned.ss58_address}
    )
    (receipt,) = submit_all(ws, [(ALICE, sudo(ws, cancel))])
    events = [e.value["event_id"] for e in receipt.triggered_events]
    assert "SlashCancelled" in events
    assert round_["held_out_loss"] == GOOD[0]
    assert round_["improvement"] == GOOD[1]

    # 7. The round closes: the accepted trainers are paid, nobody is slashed, a new version.
    wait_for("the close", lambda: phase() == "Closed")
    version_id = ws.query(training, "CurrentVersion").value
    assert version_id == 1
    version = ws.query(training, "ModelVersions", [version_id]).value
    cid, sha = adapter(1)
    assert version["parent"] == 0
    assert version["round_id"] == round_id
    assert version["held_out_loss"] == GOOD[0]
    assert version["adapters"] == [
        {"shard": round_["shard"], "cid": "0x" + cid.hex(), "sha256": "0x" + sha.hex()}
    ]
    round_ = ws.query(training, "Rounds", [round_id]).value
    assert round_["slashes"] == 0
    assert round_["paid"] + round_["to_treasury"] == round_["emission"]
    assert round_["paid"] > 0
    assert ws.query(training, "ActiveRound").value is None
    ledger = ws.query(training, "TrainerBonds", [poisoned.ss58_address]).value
    assert ledger["active"] == 200 * UNIT
    # 8. Unbonding starts now; withdrawing waits for the unbonding period.
    unbond = ws.compose_call(training, "unbond", {"role": "Trainer", "amount": 100 * UNIT})
    submit_all(ws, [(TRAINERS[1], unbond)])
    receipt = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=withdraw, keypair=TRAINERS[1]), wait_for_inclusion=True
    )
    assert receipt.error_message["name"] == "NothingToWithdraw"
