"""The wallet's Training commands: decoding rounds and versions, verdicts, and every `--help`."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.wallet.training import round_data, verdicts, version_data
from deepshard.primitives.crypto import ss58_encode

A, B, C, S = (bytes([n]) * 32 for n in (1, 2, 3, 9))


def _round(**over: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "parent_version": 0, "batch_id": 4, "shard": 1, "layers": (4, 8), "seed": b"\x07" * 32,
        "profile": {}, "probe_set_cid": b"", "commit_ends": 10, "reveal_ends": 20,
        "score_ends": 30, "dispute_ends": 40, "phase": "Dispute", "outcome": "Accepted",
        "trainers": [(A, 100), (B, 200), (C, 300)], "scorers": [(S, 500)],
        "revealed": [A, B], "accepted": [A], "improvement": 5_000, "held_out_loss": -1_250_000,
        "new_version": 1, "emission": 7, "slashes": 0, "paid": 0, "to_treasury": 0,
        "scorer_paid": 0,
    }  # fmt: skip
    raw.update(over)
    return raw


def test_round_data_decodes_every_field() -> None:
    data = round_data(3, _round(), 42)
    assert data["round_id"] == 3
    assert data["layers"] == [4, 8]
    assert data["trainers"][1] == {"account": ss58_encode(B, 42), "bond": 200}
    assert data["revealed"] == [ss58_encode(A, 42), ss58_encode(B, 42)]
    assert data["seed"] == "0x" + "07" * 32
    assert data["new_version"] == 1
    assert data["probe_set_cid"] == "-"
    assert round_data(3, _round(phase={"Commit": None}, new_version=None), 42)["phase"] == "Commit"


def test_verdicts_after_aggregation_name_each_trainer() -> None:
    data = round_data(3, _round(), 42)
    a, b, c = (ss58_encode(x, 42) for x in (A, B, C))
    got = verdicts(data, [a, b], {b: {"amount": 20, "outlier": True}})
    assert got == {a: "accepted", b: "slash pending (outlier)", c: "missed commit"}
    got = verdicts(data, [a, b, c], {c: {"amount": 30, "outlier": False}})
    assert got[b] == "rejected"
    assert got[c] == "slash pending (liveness)"


def test_verdicts_before_aggregation_show_progress() -> None:
    data = round_data(3, _round(phase="Reveal", outcome="Pending", revealed=[A], accepted=[]), 42)
    a, b, c = (ss58_encode(x, 42) for x in (A, B, C))
    assert verdicts(data, [a, b], {}) == {a: "revealed", b: "committed", c: "drawn"}


def test_version_data() -> None:
    raw = {
        "parent": 0, "base_cid": b"\x01\x02", "layer_count": 12, "shards": [(0, 6), (6, 12)],
        "adapters": [{"shard": 1, "cid": b"", "sha256": b"\xaa" * 32}], "held_out_loss": 2_000_000,
        "round_id": 5,
    }  # fmt: skip
    data = version_data(2, raw)
    assert data["parent"] == 0
    assert data["round_id"] == 5
    assert data["shards"] == [[0, 6], [6, 12]]
    assert data["adapters"] == [{"shard": 1, "cid": "-", "sha256": "0x" + "aa" * 32}]
    assert data["base_cid"] == "0x0102"  # not a CID: shown as hex, not lost
    genesis = version_data(0, {**raw, "parent": None, "round_id": None, "adapters": []})
    assert genesis["parent"] is None
    assert genesis["round_id"] is None


def test_every_training_command_has_help_with_examples() -> None:
    runner = CliRunner()
    verbs = ("bond", "unbond", "withdraw", "status")
    commands = [[role, verb] for role in ("trainer", "scorer") for verb in verbs]
    commands += [["rounds"], ["round"], ["versions"], ["version"]]
    for command in commands:
        result = runner.invoke(app, ["wallet", *command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, command
        assert "Examples" in result.output, command
        assert "deepshard wallet" in result.output, command


def test_round_rejects_a_negative_id() -> None:
    result = CliRunner().invoke(app, ["wallet", "round", "-1"])
    assert result.exit_code == 2
