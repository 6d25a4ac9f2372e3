"""Training rounds projected from their events, and each trainer's verdict, with no node."""

from __future__ import annotations

from typing import Any

from deepshard.client.explorer.queries import trainer_table
from deepshard.client.explorer.store import project_round, slash_reason
from deepshard.primitives.crypto import ss58_encode

KEYS = [bytes([n]) * 32 for n in range(1, 5)]
HEX = ["0x" + k.hex() for k in KEYS]
SS58 = [ss58_encode(k, 42) for k in KEYS]


def _opened() -> tuple[int, str, dict[str, Any]]:
    return (
        5,
        "RoundOpened",
        {
            "round_id": 0, "batch_id": 3, "parent_version": 0, "shard": 2,
            "seed": "0x" + "ab" * 32, "trainers": HEX[:3], "scorers": HEX[3:], "commit_ends": 7,
        },
    )  # fmt: skip


def test_a_round_without_its_opening_is_not_projected() -> None:
    assert project_round([(9, "Committed", {"round_id": 0, "trainer": HEX[0]})], 42) is None


def test_the_whole_life_of_a_round() -> None:
    events = [
        _opened(),
        (8, "Committed", {"round_id": 0, "trainer": HEX[0]}),
        (
            12,
            "RoundAggregated",
            {
                "round_id": 0,
                "outcome": "Accepted",
                "accepted": HEX[:1],
                "outliers": HEX[1:2],
                "improvement": 50_000,
            },
        ),
        (12, "SlashPending", {"round_id": 0, "trainer": HEX[1], "amount": 10, "outlier": True}),
        (12, "SlashPending", {"round_id": 0, "trainer": HEX[2], "amount": 20, "outlier": False}),
        (13, "SlashCancelled", {"round_id": 0, "trainer": HEX[1], "amount": 10}),
        (14, "SlashApplied", {"round_id": 0, "trainer": HEX[2], "amount": 20}),
        (14, "TrainerRewarded", {"round_id": 0, "trainer": HEX[0], "amount": 99}),
        (
            14,
            "ScorerRewarded",
            {"round_id": 0, "scorer": HEX[3], "agreement": 5, "amount": 7},
        ),
        (14, "VersionRecorded", {"round_id": 0, "version": 1, "parent": 0, "held_out_loss": 9}),
        (
            14,
            "RoundClosed",
            {"round_id": 0, "outcome": "Accepted", "paid": 99, "to_treasury": 20},
        ),
    ]
    got = project_round(events, 42)
    assert got is not None
    assert got["status"] == "Closed"
    assert (got["opened_block"], got["aggregated_block"], got["closed_block"]) == (5, 12, 14)
    assert got["trainers"] == SS58[:3]
    assert got["scorers"] == SS58[3:]
    assert got["accepted"] == SS58[:1]
    assert got["outliers"] == SS58[1:2]
    assert got["slashes"] == {
        SS58[1]: {"amount": "10", "outlier": True, "status": "cancelled"},
        SS58[2]: {"amount": "20", "outlier": False, "status": "applied"},
    }
    assert slash_reason(got["slashes"][SS58[2]]) == "MissedDeadline"
    assert slash_reason(got["slashes"][SS58[1]]) == "Outlier"
    assert got["rewards"] == {SS58[0]: "99"}
    assert got["scorer_rewards"] == {SS58[3]: {"amount": "7", "agreement": 5}}
    assert (got["new_version"], got["paid"], got["to_treasury"]) == (1, 99, 20)

    # Events of a retracted block are gone: the projection goes back to the aggregated round.
    earlier = project_round(events[:5], 42)
    assert earlier is not None
    assert earlier["status"] == "Aggregated"
    assert earlier["slashes"][SS58[1]]["status"] == "pending"
    assert earlier["new_version"] is None

    data = {
        **got,
        "commitments": [
            {"trainer": SS58[0], "kind": "commit"},
            {"trainer": SS58[0], "kind": "reveal", "cid": "bafy", "sha256": "0x00"},
            {"trainer": SS58[1], "kind": "commit"},
        ],
        "scores": [{"scorer": SS58[3], "trainers": [SS58[0]], "statistics": [[1, 2]]}],
    }
    table = {row["trainer"]: row for row in trainer_table(data)}
    assert table[SS58[0]]["verdict"] == "accepted"
    assert table[SS58[0]]["scores"] == {SS58[3]: [1, 2]}
    assert table[SS58[0]]["reward"] == "99"
    assert table[SS58[1]]["verdict"] == "outlier"
    assert table[SS58[2]]["verdict"] == "missed commit"
    assert table[SS58[2]]["slash"]["status"] == "applied"
    pending = trainer_table({**data, "outcome": None})
    assert {row["verdict"] for row in pending} == {"pending"}
