"""The explorer indexes a whole training round on a real `deepshard node --dev` process.

The round is driven exactly as `tests/e2e/test_e2e_training.py` drives it, with
py-substrate-interface (five trainers, one poisoned adapter, five scorers, Root cancelling the
outlier's slash, a new model version). It is played once for the module, while the explorer
follows the node live (`LiveExplorer`: indexer and server) and a listener on the server's
``/api/v1/stream`` re-reads the round's page at every event, as the page's script does: the
phases it sees are the round's, in order. The chain is then indexed again through the typed
client, on SQLite and on PostgreSQL, and the rounds, commitments, reveals, scores, slashes,
model versions and the round's phase at every block are compared with what substrate-interface
reads from the node. The REST API, the pages and (in Chromium) the charts are read over the
live database.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from substrateinterface import SubstrateInterface
from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.explorer.aggregation import phase_at
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
LiveExplorer = _explorer_e2e.LiveExplorer
PHASES = ["Commit", "Reveal", "Score", "Dispute", "Closed"]


class PhaseListener(threading.Thread):
    """Listens to the explorer's server-sent events and reads round `round_id`'s page at each.

    `seen` collects the phases the page shows, in order, without repeats; it stops at Closed.
    """

    def __init__(self, base: str, round_id: int) -> None:
        """Watch round `round_id` on the explorer at `base`."""
        super().__init__(daemon=True)
        self.base = base
        self.round_id = round_id
        self.seen: list[str] = []
        self.events = 0

    def run(self) -> None:
        """Follow the stream until the round page says Closed."""
        with (
            httpx.Client(base_url=self.base, timeout=120) as client,
            client.stream("GET", "/api/v1/stream") as stream,
        ):
            for line in stream.iter_lines():
                if not line.startswith("event: status"):
                    continue
                self.events += 1
                page = client.get(f"/round/{self.round_id}")
                if page.status_code != 200:
                    continue
                found = re.search(r'id="phase">([A-Za-z]+)<', page.text)
                if found and (not self.seen or self.seen[-1] != found.group(1)):
                    self.seen.append(found.group(1))
                if self.seen and self.seen[-1] == "Closed":
                    return


class BrowserPhaseWatcher(threading.Thread):
    """Headless Chromium on round `round_id`'s page, opened as soon as the round exists.

    It never reloads the page: `seen` collects the phases the page's own script shows as the
    server pushes new tips, and `not_reloaded` tells that a marker set on the window survived.
    """

    def __init__(self, base: str, round_id: int) -> None:
        """Watch round `round_id` on the explorer at `base`."""
        super().__init__(daemon=True)
        self.base = base
        self.round_id = round_id
        self.seen: list[str] = []
        self.not_reloaded = False
        self.failure: BaseException | None = None

    def run(self) -> None:
        """Open the page when the round opens, then read its phase until Closed."""
        try:
            sync_api = importlib.import_module("playwright.sync_api")
            with sync_api.sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=_explorer_e2e.CHROMIUM, args=_explorer_e2e.CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 390, "height": 844})
                deadline = time.monotonic() + 300
                while page.goto(f"{self.base}/round/{self.round_id}").status != 200:
                    assert time.monotonic() < deadline, "the round never opened"
                    time.sleep(0.5)
                page.evaluate("window.__notReloaded = true")
                while time.monotonic() < deadline:
                    phase = page.locator("#phase").inner_text()
                    if not self.seen or self.seen[-1] != phase:
                        self.seen.append(phase)
                    if phase == "Closed":
                        break
                    time.sleep(0.3)
                self.not_reloaded = page.evaluate("window.__notReloaded === true")
                browser.close()
        except BaseException as exc:  # reported by the browser test
            self.failure = exc


def _browsing(request: pytest.FixtureRequest) -> bool:
    """Whether this session runs a browser test and can: Playwright and Chromium present."""
    wanted = any(item.get_closest_marker("browser") for item in request.session.items)
    return (
        wanted
        and importlib.util.find_spec("playwright") is not None
        and Path(_explorer_e2e.CHROMIUM).exists()
    )


def _text(value: str) -> str:
    """A ``Vec<u8>`` as scalecodec shows it (text, or ``0x`` hex when not UTF-8) as text."""
    return bytes.fromhex(value[2:]).decode() if value.startswith("0x") else value


def _micro(value: int) -> str:
    whole, fraction = divmod(abs(value), 1_000_000)
    return f"{'-' if value < 0 else ''}{whole}.{fraction:06d}"


def _phase(ws: SubstrateInterface, round_id: int, number: int) -> str | None:
    found = ws.query("Training", "Rounds", [round_id], block_hash=ws.get_block_hash(number))
    return None if found.value is None else str(found.value["phase"])


@pytest.fixture(scope="module")
def live(node_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The explorer following the dev node for the whole module (index and serve)."""
    db = tmp_path_factory.mktemp("live") / "live.db"
    with LiveExplorer(node_url, f"sqlite:///{db}") as explorer:
        yield explorer


@pytest.fixture(scope="module")
def round_played(node_url: str, live: Any, request: pytest.FixtureRequest) -> dict[str, Any]:
    """One training round played to its close, watched live; what substrate-interface reads.

    When the session runs a browser test, Chromium watches the round's page as well.
    """
    ws = SubstrateInterface(url=node_url)
    try:
        next_round = ws.query("Training", "NextRoundId").value
        listener = PhaseListener(live.url, next_round)
        listener.start()
        browsing = BrowserPhaseWatcher(live.url, next_round) if _browsing(request) else None
        if browsing is not None:
            browsing.start()
        _training_e2e.test_a_round_trains_scores_and_records_a_version(ws)
        round_id = ws.query("Training", "NextRoundId").value - 1
        assert round_id == listener.round_id
        versions = {int(k.value): v.value for k, v in ws.query_map("Training", "ModelVersions")}
        listener.join(timeout=60)
        if browsing is not None:
            browsing.join(timeout=60)
        best = ws.get_block_header()["header"]["number"]
        live.wait_for(best)
        onchain = ws.query("Training", "Rounds", [round_id]).value
        return {
            "round_id": round_id,
            "round": onchain,
            "versions": versions,
            "poisoned": _training_e2e.TRAINERS[0].ss58_address,
            "scorers": [k.ss58_address for k in _training_e2e.SCORERS],
            "phases_seen": listener.seen,
            "browser": browsing,
            "stream_events": listener.events,
            "statistics": ws.get_constant("Training", "Statistics").value,
            "mad_factor": ws.get_constant("Training", "MadFactor").value,
            "phase_by_block": {
                n: _phase(ws, round_id, n)
                for n in range(onchain["commit_ends"] - 3, onchain["dispute_ends"] + 2)
            },
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


def test_the_round_page_moved_live_through_every_phase(round_played: dict[str, Any]) -> None:
    """Read at each server-sent event, the round's page showed each phase, in order."""
    assert round_played["phases_seen"] == PHASES
    assert round_played["stream_events"] >= len(PHASES)


def test_the_phase_at_every_block_is_the_chains(live: Any, round_played: dict[str, Any]) -> None:
    round_id, onchain = round_played["round_id"], round_played["round"]
    with TestClient(create_app(live.engine)) as api:
        shown = api.get(f"/api/v1/rounds/{round_id}").json()
    params = shown["parameters"]
    assert (params["reveal_ends"], params["score_ends"], params["dispute_ends"]) == (
        onchain["reveal_ends"],
        onchain["score_ends"],
        onchain["dispute_ends"],
    )
    assert params["scorer_bonds"] == {who: str(bond) for who, bond in onchain["scorers"]}
    assert params["trainer_bonds"] == {who: str(bond) for who, bond in onchain["trainers"]}
    assert params["mode"] == onchain["profile"]["mode"]
    assert params["mad_factor"] == round_played["mad_factor"]
    assert [(s["name"], s["higher_is_better"], s["floor"]) for s in params["statistics"]] == [
        (_text(s["name"]), s["higher_is_better"], s["floor"]) for s in round_played["statistics"]
    ]
    assert shown["phase"] == onchain["phase"] == "Closed"
    assert shown["next_deadline"] is None
    for number, phase in round_played["phase_by_block"].items():
        at = phase_at(
            number,
            opened=shown["opened_block"],
            commit_ends=shown["commit_ends"],
            reveal_ends=params["reveal_ends"],
            aggregated=shown["aggregated_block"],
            closed=shown["closed_block"],
        )
        assert at == phase, number


def test_the_round_statistics_are_the_chains_consensus(
    live: Any, round_played: dict[str, Any]
) -> None:
    """Every scorer submitted the same matrix, so each consensus value is that matrix's."""
    round_id, onchain = round_played["round_id"], round_played["round"]
    poisoned = round_played["poisoned"]
    good, bad = _training_e2e.GOOD, _training_e2e.BAD
    with TestClient(create_app(live.engine)) as api:
        shown = api.get(f"/api/v1/rounds/{round_id}").json()
        html = api.get(f"/round/{round_id}").text
    assert [row["trainer"] for row in shown["consensus"]] == onchain["revealed"]
    for row in shown["consensus"]:
        assert row["values"] == (bad if row["trainer"] == poisoned else good)
        assert row["outlier"] is (row["trainer"] == poisoned)
    names = [_text(s["name"]) for s in round_played["statistics"]]
    assert [s["name"] for s in shown["statistics"]] == names
    for k, statistic in enumerate(shown["statistics"]):
        assert statistic["median"] == good[k]  # four honest adapters of five
        assert statistic["low"] <= good[k] <= statistic["high"]
        marked = {v["trainer"] for v in statistic["values"] if v["outlier"]}
        assert marked == {poisoned}
    assert html.count("<figure data-statistic=") == len(names)
    assert html.count('class="dot outlier"') == len(names)
    assert "verdict-outlier" in html
    # The schema over a real round and versions: no 500, every response valid.
    prefixes = ("/api/v1/rounds", "/api/v1/versions", "/api/v1/search")
    assert _explorer_e2e.fuzz_schema(create_app(live.engine), prefixes) == 5


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


@pytest.mark.browser
def test_round_pages_in_headless_chromium(
    live: Any, round_played: dict[str, Any], tmp_path: Path
) -> None:
    """The rounds, round, versions and version pages in Chromium, checked against the chain.

    While the round played, Chromium kept its page open: the page showed every phase in
    order, updated by its own script from the server's events, never reloaded.
    """
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(_explorer_e2e.CHROMIUM).exists():
        pytest.skip(f"no Chromium at {_explorer_e2e.CHROMIUM} (apt-get install chromium)")
    watched = round_played["browser"]
    assert watched is not None
    assert watched.failure is None, watched.failure
    assert watched.seen == PHASES
    assert watched.not_reloaded
    shots = _explorer_e2e.screenshots(tmp_path)
    round_id, onchain = round_played["round_id"], round_played["round"]
    poisoned = round_played["poisoned"]
    good, bad = _training_e2e.GOOD, _training_e2e.BAD
    names = [_text(s["name"]) for s in round_played["statistics"]]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_explorer_e2e.CHROMIUM, args=_explorer_e2e.CHROMIUM_ARGS
        )
        for name, viewport in _explorer_e2e.VIEWPORTS:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.goto(live.url + "/rounds")
            row = page.locator(f"#rounds tr:has(a[href='/round/{round_id}'])")
            assert row.locator(".phase").inner_text() == onchain["phase"]
            _explorer_e2e.shoot(page, shots / f"rounds-{name}.png")
            # The round, found by searching "round N": phase, verdicts, scores, charts.
            page.fill("input[name=q]", f"round {round_id}")
            page.press("input[name=q]", "Enter")
            page.wait_for_url(f"**/round/{round_id}")
            assert page.locator("#phase").inner_text() == onchain["phase"]
            verdicts = {
                r.get_attribute("data-trainer"): r.locator("td.verdict").inner_text()
                for r in page.locator("#trainers tbody tr").all()
            }
            assert verdicts.pop(poisoned) == "outlier"
            assert set(verdicts.values()) == {"accepted"}
            headers = page.locator("#score-table thead th").all_inner_texts()[1:]
            assert [h.rstrip(" ↑↓") for h in headers] == names
            for line in page.locator("#score-table tbody tr[data-trainer]").all():
                who = line.get_attribute("data-trainer")
                cells = line.locator("td.num").all_inner_texts()
                assert cells == [_micro(v) for v in (bad if who == poisoned else good)]
                assert ("outlier" in (line.get_attribute("class") or "")) is (who == poisoned)
            charts = page.locator("#charts figure")
            assert charts.count() == len(names)
            for k in range(len(names)):
                chart = charts.nth(k)
                assert chart.get_attribute("data-statistic") == names[k]
                dot = chart.locator("circle.dot.outlier")
                assert dot.count() == 1
                assert dot.get_attribute("data-trainer") == poisoned
                assert int(dot.get_attribute("data-value") or "") == bad[k]
                assert chart.locator("text.flag").text_content() == "outlier"
                box = chart.locator("svg").bounding_box()
                assert box is not None
                assert box["width"] <= viewport[0]  # no chart wider than the screen
            _explorer_e2e.shoot(page, shots / f"round-{name}.png")
            # The version the round made, and its lineage.
            page.goto(live.url + "/versions")
            assert page.locator("#versions tbody tr").count() == len(round_played["versions"])
            _explorer_e2e.shoot(page, shots / f"versions-{name}.png")
            page.fill("input[name=q]", f"version {onchain['new_version']}")
            page.press("input[name=q]", "Enter")
            page.wait_for_url(f"**/version/{onchain['new_version']}")
            lineage = page.locator("#lineage li").all_inner_texts()
            assert [t.split(":")[0] for t in lineage] == ["version 1", "version 0"]
            adapters = page.locator("#adapters tbody tr")
            assert adapters.count() == len(round_played["versions"][1]["adapters"])
            _explorer_e2e.shoot(page, shots / f"version-{name}.png")
            page.close()
        browser.close()
