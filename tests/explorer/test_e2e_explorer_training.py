"""The explorer indexes a whole training round on a real `deepshard node --dev` process.

The round is driven exactly as `tests/e2e/test_e2e_training.py` drives it, with
py-substrate-interface (five trainers, one poisoned adapter, five scorers, Root cancelling the
outlier's slash, a new model version). The indexer then indexes the chain through the typed client,
on SQLite and on PostgreSQL, and the rounds, commitments, reveals, scores, slashes and model
versions it stored are compared with what substrate-interface reads from the node. The REST API
and the round and version pages are read over the same database.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from substrateinterface import SubstrateInterface
from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.explorer.api import create_app
from deepshard.client.explorer.database import open_engine, upgrade
from deepshard.client.explorer.indexer import Indexer
from deepshard.client.explorer.models import ModelVersion, Round, RoundCommitment, RoundScore
from deepshard.client.explorer.rows import cid_text
from deepshard.client.explorer.store import Store
from deepshard.client.rpc.client import ChainClient

pytestmark = pytest.mark.e2e

UNIT = 10**12


def _sibling(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HERE = Path(__file__).parent
_explorer_e2e = _sibling(HERE / "test_e2e_explorer.py", "explorer_e2e_node")
_training_e2e = _sibling(HERE.parent / "e2e" / "test_e2e_training.py", "training_e2e_round")
node_url = _explorer_e2e.node_url  # the module-scoped dev node fixture


@pytest.fixture(scope="module")
def round_played(node_url: str) -> dict[str, Any]:
    """One training round played to its close; what substrate-interface reads afterwards."""
    ws = SubstrateInterface(url=node_url)
    try:
        _training_e2e.test_a_round_trains_scores_and_records_a_version(ws)
        round_id = ws.query("Training", "NextRoundId").value - 1
        versions = {int(k.value): v.value for k, v in ws.query_map("Training", "ModelVersions")}
        return {
            "round_id": round_id,
            "round": ws.query("Training", "Rounds", [round_id]).value,
            "versions": versions,
            "poisoned": _training_e2e.TRAINERS[0].ss58_address,
            "scorers": [k.ss58_address for k in _training_e2e.SCORERS],
        }
    finally:
        ws.close()


async def _index(node_url: str, db_url: str) -> None:
    engine = open_engine(db_url)
    try:
        upgrade(engine)
        async with ChainClient.connect(node_url) as chain:
            await Indexer(chain, Store(engine)).sync()
    finally:
        engine.dispose()


def test_a_round_is_indexed_as_the_chain_holds_it(
    node_url: str, round_played: dict[str, Any], db_url: str
) -> None:
    asyncio.run(_index(node_url, db_url))
    engine = open_engine(db_url)
    round_id, onchain = round_played["round_id"], round_played["round"]
    poisoned = round_played["poisoned"]
    try:
        with Session(engine) as session:
            indexed = session.get(Round, round_id)
            assert indexed is not None
            assert indexed.status == "Closed"
            assert indexed.outcome == onchain["outcome"] == "Accepted"
            assert indexed.batch_id == onchain["batch_id"]
            assert indexed.shard == onchain["shard"]
            assert indexed.seed == onchain["seed"]
            assert indexed.commit_ends == onchain["commit_ends"]
            assert indexed.trainers == [t[0] for t in onchain["trainers"]]
            assert indexed.scorers == [s[0] for s in onchain["scorers"]]
            assert sorted(indexed.accepted) == sorted(onchain["accepted"])
            assert indexed.outliers == [poisoned]
            assert indexed.improvement == onchain["improvement"]
            assert indexed.new_version == onchain["new_version"] == 1
            assert (indexed.paid, indexed.to_treasury) == (onchain["paid"], onchain["to_treasury"])
            assert indexed.slashes == {
                poisoned: {"amount": str(100 * UNIT), "outlier": True, "status": "cancelled"}
            }
            assert sum(int(a) for a in indexed.rewards.values()) == onchain["paid"]
            assert sorted(indexed.scorer_rewards) == sorted(round_played["scorers"])

            entries = session.scalars(
                select(RoundCommitment).where(RoundCommitment.round_id == round_id)
            ).all()
            commits = sorted(e.trainer for e in entries if e.kind == "commit")
            assert commits == sorted(t[0] for t in onchain["trainers"])
            reveals = [e for e in entries if e.kind == "reveal"]
            assert [e.trainer for e in reveals] == onchain["revealed"]  # in reveal order
            for entry in reveals:
                cid, sha = _training_e2e.adapter(2 if entry.trainer == poisoned else 1)
                assert entry.cid == cid_text(cid)
                assert entry.sha256 == "0x" + sha.hex()

            scores = session.scalars(select(RoundScore).where(RoundScore.round_id == round_id))
            by_scorer = {s.scorer: s for s in scores}
            assert sorted(by_scorer) == sorted(round_played["scorers"])
            good, bad = _training_e2e.GOOD, _training_e2e.BAD
            for score in by_scorer.values():
                assert score.trainers == onchain["revealed"]
                assert score.statistics == [
                    bad if who == poisoned else good for who in onchain["revealed"]
                ]

            versions = {v.version_id: v for v in session.scalars(select(ModelVersion))}
            assert sorted(versions) == sorted(round_played["versions"])
            for version_id, raw in round_played["versions"].items():
                row = versions[version_id]
                assert (row.parent, row.round_id) == (raw["parent"], raw["round_id"])
                assert row.held_out_loss == raw["held_out_loss"]
                assert row.layer_count == raw["layer_count"]
                assert row.shards == [list(s) for s in raw["shards"]]
                assert [a["sha256"] for a in row.adapters] == [a["sha256"] for a in raw["adapters"]]

        api = TestClient(create_app(engine))
        listed = api.get("/api/v1/rounds").json()
        assert [r["round_id"] for r in listed["items"]] == [round_id]
        detail = api.get(f"/api/v1/rounds/{round_id}").json()
        verdicts = {t["trainer"]: t["verdict"] for t in detail["trainer_table"]}
        assert verdicts.pop(poisoned) == "outlier"
        assert set(verdicts.values()) == {"accepted"}
        assert api.get("/api/v1/rounds/999").status_code == 404
        assert api.get("/api/v1/rounds/999").json()["error"] == "not_found"
        assert api.get("/api/v1/rounds/x").json()["error"] == "bad_request"
        assert api.get("/api/v1/rounds?limit=0").status_code == 400
        page = api.get("/api/v1/versions?limit=1").json()
        assert [v["version_id"] for v in page["items"]] == [1]
        assert page["next_cursor"] == "1"
        rest = api.get(f"/api/v1/versions?limit=1&cursor={page['next_cursor']}").json()
        assert [v["version_id"] for v in rest["items"]] == [0]
        assert rest["next_cursor"] is None
        one = api.get("/api/v1/versions/1").json()
        assert [v["version_id"] for v in one["lineage"]] == [1, 0]
        assert api.get("/api/v1/versions/0").json()["children"] == [1]
        assert api.get("/api/v1/versions/7").status_code == 404

        html = api.get(f"/round/{round_id}").text
        assert "outlier" in html
        assert "cancelled" in html
        assert poisoned in html
        assert "version 0" in api.get("/version/1").text
        assert api.get("/rounds").status_code == 200
        assert api.get("/versions").status_code == 200
    finally:
        engine.dispose()


def test_the_wallet_shows_the_played_round_and_versions(
    node_url: str, round_played: dict[str, Any]
) -> None:
    def wallet(*args: str) -> Any:
        result = CliRunner().invoke(
            app, ["wallet", *args, "--json"], env={"DEEPSHARD_NODE": node_url}
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    round_id, onchain = round_played["round_id"], round_played["round"]
    poisoned = round_played["poisoned"]
    shown = wallet("round", str(round_id))
    assert shown["phase"] == onchain["phase"] == "Closed"
    assert shown["outcome"] == "Accepted"
    assert [t["account"] for t in shown["trainers"]] == [t[0] for t in onchain["trainers"]]
    assert shown["revealed"] == onchain["revealed"]
    assert sorted(shown["accepted"]) == sorted(onchain["accepted"])
    assert shown["paid"] == onchain["paid"]
    assert shown["verdicts"][poisoned] == "rejected"
    assert {v for who, v in shown["verdicts"].items() if who != poisoned} == {"accepted"}
    assert shown["pending_slashes"] == {}  # Root cancelled the only one
    assert [r["round_id"] for r in wallet("rounds")] == [round_id]
    assert [v["version_id"] for v in wallet("versions")] == sorted(round_played["versions"])
    assert wallet("version", "1")["lineage"] == [1, 0]
