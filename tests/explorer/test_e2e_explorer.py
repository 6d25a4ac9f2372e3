"""The explorer against a real `deepshard node --dev` process with real activity.

py-substrate-interface (unmodified, metadata-driven) makes a transfer and drives an Informants
batch through bonding, submission, votes (one changed) and its close; the indexer then indexes
the chain through the typed client, on SQLite and on PostgreSQL, and every row is compared with
what substrate-interface reads from the node: block hashes, extrinsic and event counts, the
transfer, balances, the batch's votes and outcome. The REST API is read over the same database,
and `Indexer.run` is shown to follow new blocks live.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from substrateinterface import Keypair, SubstrateInterface

from deepshard.client.explorer.api import create_app
from deepshard.client.explorer.database import open_engine, upgrade
from deepshard.client.explorer.indexer import Indexer
from deepshard.client.explorer.models import Batch, Block, Event, Extrinsic, Transfer, Vote
from deepshard.client.explorer.store import Store
from deepshard.client.rpc.client import ChainClient

pytestmark = pytest.mark.e2e

UNIT = 10**12
ALICE = Keypair.create_from_uri("//Alice")
BOB = Keypair.create_from_uri("//Bob")
CURATORS = tuple(Keypair.create_from_uri(f"//{name}") for name in ("Bob", "Charlie", "Dave"))
CID = bytes.fromhex("01551220") + bytes(range(7, 39))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCORES = {
    "novelty": 80,
    "reproducibility": 70,
    "alignment": 90,
    "truthfulness": 60,
    "objectivity": 100,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def node_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `deepshard node --dev` process, started as a user starts it."""
    tmp = tmp_path_factory.mktemp("node")
    port = _free_port()
    script = Path(sys.executable).with_name("deepshard")
    with (tmp / "node.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(script),
                "node",
                "--dev",
                "--base-path",
                str(tmp / "base"),
                "--rpc-port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"ws://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                SubstrateInterface(url=url).close()
                break
            except Exception:
                assert process.poll() is None, (tmp / "node.log").read_text()
                assert time.monotonic() < deadline, "the node did not start"
                time.sleep(0.3)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _submit(ws: SubstrateInterface, calls: list[tuple[Keypair, Any]]) -> Any:
    for signer, call in calls[:-1]:
        ws.submit_extrinsic(ws.create_signed_extrinsic(call=call, keypair=signer))
    signer, call = calls[-1]
    receipt = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=call, keypair=signer), wait_for_inclusion=True
    )
    assert receipt.is_success, receipt.error_message
    return receipt


@pytest.fixture(scope="module")
def activity(node_url: str) -> Iterator[dict[str, Any]]:
    """A transfer, and one Informants batch voted on (Bob changes his vote) and closed."""
    ws = SubstrateInterface(url=node_url)
    info = "Informants"
    transfer = _submit(
        ws,
        [
            (
                ALICE,
                ws.compose_call(
                    "Balances", "transfer_keep_alive", {"dest": BOB.ss58_address, "value": 7 * UNIT}
                ),
            )
        ],
    )
    period = ws.compose_call(info, "set_voting_period", {"period": 4})
    _submit(
        ws,
        [
            *[(k, ws.compose_call(info, "bond_curator", {"amount": 200 * UNIT})) for k in CURATORS],
            (ALICE, ws.compose_call("Sudo", "sudo", {"call": period})),
        ],
    )
    batch_id = ws.query(info, "NextBatchId").value
    submit = {
        "cid": "0x" + CID.hex(),
        "byte_size": 1000,
        "item_count": 10,
        "stake": 20 * UNIT,
        "metadata_cid": "0x",
    }
    _submit(ws, [(ALICE, ws.compose_call(info, "submit_batch", submit))])

    def vote(aye: bool) -> Any:
        return ws.compose_call(info, "vote", {"batch_id": batch_id, "aye": aye, "scores": SCORES})

    _submit(ws, [(CURATORS[0], vote(False)), (CURATORS[1], vote(True)), (CURATORS[2], vote(True))])
    _submit(ws, [(CURATORS[0], vote(True))])
    votes = {str(k.value): v.value["aye"] for k, v in ws.query_map(info, "Votes", [batch_id])}
    deadline = time.monotonic() + 90
    while ws.query(info, "Batches", [batch_id]).value["phase"] == "Voting":
        assert time.monotonic() < deadline, "the batch never closed"
        time.sleep(1)
    yield {
        "ws": ws,
        "transfer": transfer,
        "batch_id": batch_id,
        "votes": votes,
        "phase": ws.query(info, "Batches", [batch_id]).value["phase"],
    }
    ws.close()


async def _index(node_url: str, db_url: str) -> int:
    engine = open_engine(db_url)
    try:
        upgrade(engine)
        async with ChainClient.connect(node_url) as chain:
            return (await Indexer(chain, Store(engine)).sync()).best
    finally:
        engine.dispose()


def test_indexed_rows_equal_what_substrate_interface_reads(
    node_url: str, activity: dict[str, Any], db_url: str
) -> None:
    ws: SubstrateInterface = activity["ws"]
    best = asyncio.run(_index(node_url, db_url))
    engine = open_engine(db_url)
    with Session(engine) as session:
        blocks = {b.number: b for b in session.scalars(select(Block))}
        assert sorted(blocks) == list(range(best + 1))
        for number, block in blocks.items():
            block_hash = ws.get_block_hash(number)
            assert block.hash == block_hash
            chain_block = ws.get_block(block_hash)
            assert block.extrinsic_count == len(chain_block["extrinsics"])
            events = ws.get_events(block_hash)
            assert block.event_count == len(events)
            stored = session.scalars(
                select(Event).where(Event.block_hash == block_hash).order_by(Event.index)
            ).all()
            assert [(e.pallet, e.name) for e in stored] == [
                (e.value["module_id"], e.value["event_id"]) for e in events
            ]
        # The transfer, where substrate-interface's receipt says it is.
        receipt = activity["transfer"]
        transfer = session.scalars(
            select(Transfer).where(Transfer.block_hash == receipt.block_hash)
        ).one()
        assert (transfer.sender, transfer.receiver, transfer.amount) == (
            ALICE.ss58_address,
            BOB.ss58_address,
            7 * UNIT,
        )
        extrinsic = session.scalars(
            select(Extrinsic).where(Extrinsic.hash == receipt.extrinsic_hash)
        ).one()
        assert (extrinsic.pallet, extrinsic.call, extrinsic.signer, extrinsic.success) == (
            "Balances",
            "transfer_keep_alive",
            ALICE.ss58_address,
            True,
        )
        assert extrinsic.fee == receipt.total_fee_amount
        # The batch: its votes (Bob's change included) and its outcome.
        batch_id = activity["batch_id"]
        batch = session.get(Batch, batch_id)
        assert batch is not None
        assert batch.informant == ALICE.ss58_address
        assert batch.cid == "0x" + CID.hex()
        assert batch.status == activity["phase"]
        expected_ayes = sum(1 for aye in activity["votes"].values() if aye)
        assert (batch.ayes, batch.nays) == (expected_ayes, len(activity["votes"]) - expected_ayes)
        votes = session.scalars(select(Vote).where(Vote.batch_id == batch_id)).all()
        assert len(votes) == 4
        assert [v.changed for v in votes if v.curator == CURATORS[0].ss58_address] == [False, True]
    # Balances equal the chain's at the indexed tip, read through the REST API.
    tip = blocks[best].hash
    api = TestClient(create_app(engine))
    for keypair in (ALICE, BOB):
        account = api.get(f"/api/v1/accounts/{keypair.ss58_address}").json()
        chain = ws.query("System", "Account", [keypair.ss58_address], block_hash=tip).value
        assert int(account["free"]) == chain["data"]["free"]
        assert int(account["reserved"]) == chain["data"]["reserved"]
    found = api.get("/api/v1/search", params={"q": activity["transfer"].extrinsic_hash}).json()
    assert found == {"kind": "extrinsic", "id": activity["transfer"].extrinsic_hash}
    page = api.get(f"/api/v1/batches/{batch_id}").json()
    assert len(page["votes"]) == 4
    assert api.get(f"/batch/{batch_id}").status_code == 200
    engine.dispose()


def test_run_follows_new_blocks_live(node_url: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = open_engine(url)
    upgrade(engine)
    store = Store(engine)

    async def follow() -> tuple[int, int]:
        async with ChainClient.connect(node_url) as chain:
            indexer = Indexer(chain, store)
            stop = asyncio.Event()
            task = asyncio.create_task(indexer.run(stop=stop))
            deadline = time.monotonic() + 60
            while store.tip() is None:
                await asyncio.sleep(0.2)
            first = store.tip()
            assert first is not None
            while (store.tip() or (0, ""))[0] <= first[0] + 1:
                assert time.monotonic() < deadline, "no new block was indexed"
                assert not task.done(), task
                await asyncio.sleep(0.2)
            stop.set()
            await asyncio.wait_for(task, 30)
            last = store.tip()
            assert last is not None
            return first[0], last[0]

    first, last = asyncio.run(follow())
    assert last >= first + 2
    engine.dispose()


@pytest.fixture
def served(node_url: str, activity: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """`deepshard explorer serve`'s app over a fresh index of the dev node, on a free port."""
    del activity
    db_url = f"sqlite:///{tmp_path / 'browser.db'}"
    asyncio.run(_index(node_url, db_url))
    engine = open_engine(db_url)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the explorer did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.mark.browser
def test_pages_in_headless_chromium(served: str, activity: dict[str, Any], tmp_path: Path) -> None:
    """Every page in Chromium, checked against the chain; screenshots for a human to look at."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    ws: SubstrateInterface = activity["ws"]
    shots = Path(os.environ.get("EXPLORER_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, viewport in (("desktop", (1280, 900)), ("phone", (390, 844))):
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.goto(served + "/")
            assert page.locator("#blocks tbody tr").count() >= 5
            page.screenshot(path=str(shots / f"home-{name}.png"), full_page=True)
            # A block: its hash is the chain's.
            page.goto(served + "/block/3")
            assert page.locator("#block-hash").inner_text() == ws.get_block_hash(3)
            page.screenshot(path=str(shots / f"block-{name}.png"), full_page=True)
            # The transfer's extrinsic, reached through the search box.
            page.goto(served + "/")
            page.fill("input[name=q]", activity["transfer"].extrinsic_hash)
            page.press("input[name=q]", "Enter")
            page.wait_for_url("**/extrinsic/**")
            assert page.locator("#call").inner_text() == "Balances.transfer_keep_alive"
            assert "success" in page.locator("#result").inner_text()
            page.screenshot(path=str(shots / f"extrinsic-{name}.png"), full_page=True)
            # Bob's account: the balance the chain holds at the indexed tip.
            page.goto(served + f"/account/{BOB.ss58_address}")
            tip = ws.get_block_hash(int(page.request.get(served + "/api/v1/status").json()["best"]))
            free = ws.query("System", "Account", [BOB.ss58_address], block_hash=tip).value
            whole, fraction = divmod(free["data"]["free"], UNIT)
            assert page.locator("#free").inner_text() == f"{whole:,}.{fraction:012d}"[:-8]
            assert page.locator("#transfers tbody tr").count() >= 1
            page.screenshot(path=str(shots / f"account-{name}.png"), full_page=True)
            # The batch: its votes and outcome.
            page.goto(served + "/batches")
            page.click(f"#batches a[href='/batch/{activity['batch_id']}']")
            assert activity["phase"] in page.locator("#status").inner_text()
            assert page.locator("#votes tbody tr").count() == 4
            ayes = sum(1 for aye in activity["votes"].values() if aye)
            assert page.locator("#tally").inner_text().startswith(f"{ayes} aye")
            page.screenshot(path=str(shots / f"batch-{name}.png"), full_page=True)
            page.close()
        browser.close()
