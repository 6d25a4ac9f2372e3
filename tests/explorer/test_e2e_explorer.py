"""The explorer against a real `deepshard node --dev` process with real activity.

py-substrate-interface (unmodified, metadata-driven) makes a transfer and drives an Informants
batch through bonding, submission, votes (one changed) and its close; the indexer then indexes
the chain through the typed client, on SQLite and on PostgreSQL, and every row is compared with
what substrate-interface reads from the node: block hashes, authors (its own Aura pre-digest
decoding and ``Aura.Authorities`` at the parent), extrinsic and event counts, the transfer,
balances, the batch's votes and outcome. The REST API is read over the same database,
`Indexer.run` is shown to follow new blocks live, and the browser test watches a live page.

`LiveExplorer` (an indexer following the node and the server over its database, in threads)
is shared with the training round's module.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import schemathesis
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from scalecodec.base import ScaleBytes
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select
from sqlalchemy.orm import Session
from substrateinterface import Keypair, SubstrateInterface

from deepshard.client.explorer.api import create_app
from deepshard.client.explorer.database import open_engine, upgrade
from deepshard.client.explorer.indexer import Indexer
from deepshard.client.explorer.models import Batch, Block, Event, Extrinsic, Transfer, Vote
from deepshard.client.explorer.rows import cid_text
from deepshard.client.explorer.store import Store
from deepshard.client.rpc.client import ChainClient
from deepshard.offchain_workers.keeper import custody
from deepshard.primitives.crypto import Keypair as DeepshardKeypair
from deepshard.primitives.crypto.box_key import licence_box_keypair

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


class LiveExplorer:
    """``deepshard explorer index`` and ``serve`` as a user runs them, in two threads.

    `Indexer.run` follows the node into the database at `db_url`; uvicorn serves the explorer's
    app over the same database at `url` (live pages look at the tip every 0.2 s).
    """

    def __init__(self, node_url: str, db_url: str) -> None:
        """Follow `node_url` into `db_url` and serve it, once entered."""
        self.node_url = node_url
        self.db_url = db_url
        self.engine = open_engine(db_url)
        upgrade(self.engine)
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(
                create_app(self.engine, live_interval=0.2),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._threads = [
            threading.Thread(target=self._index, daemon=True),
            threading.Thread(target=self.server.run, daemon=True),
        ]
        self.failure: BaseException | None = None

    def _index(self) -> None:
        async def follow() -> None:
            async with ChainClient.connect(self.node_url) as chain:
                await Indexer(chain, Store(self.engine)).run(stop=self._stop)

        try:
            self._loop.run_until_complete(follow())
        except BaseException as exc:  # reported by `tip` and at exit
            self.failure = exc

    def tip(self) -> int:
        """The indexed best block number (-1 while empty)."""
        assert self.failure is None, self.failure
        found = Store(self.engine).tip()
        return -1 if found is None else found[0]

    def wait_for(self, number: int, timeout: float = 60) -> None:
        """Wait until block `number` is indexed."""
        deadline = time.monotonic() + timeout
        while self.tip() < number:
            assert time.monotonic() < deadline, f"block #{number} was not indexed in time"
            time.sleep(0.2)

    def __enter__(self) -> LiveExplorer:
        """Start the indexer and the server."""
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the explorer did not start"
            time.sleep(0.1)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop both and report an indexer failure."""
        self.server.should_exit = True
        self._loop.call_soon_threadsafe(self._stop.set)
        for thread in self._threads:
            thread.join(timeout=30)
        self.engine.dispose()
        assert self.failure is None, self.failure


def aura_author(ws: SubstrateInterface, block_hash: str) -> str | None:
    """The author of a block as substrate-interface sees it: its Aura pre-digest slot, decoded
    by scalecodec, indexing ``Aura.Authorities`` read at the parent block."""
    header = ws.get_block_header(block_hash)["header"]
    slot = None
    for log in header["digest"]["logs"]:
        value = log.value if hasattr(log, "value") else log
        if "PreRuntime" in value and bytes.fromhex(value["PreRuntime"][0][2:]) == b"aura":
            digest = ws.runtime_config.create_scale_object(
                "RawAuraPreDigest", data=ScaleBytes(value["PreRuntime"][1])
            )
            slot = digest.decode()["slot_number"]
    if slot is None:
        return None
    authorities = ws.query("Aura", "Authorities", block_hash=header["parentHash"]).value
    owner: str = authorities[slot % len(authorities)]
    return ws.ss58_encode(owner) if owner.startswith("0x") else owner


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


@pytest.fixture(scope="module")
def licence_activity(node_url: str, activity: dict[str, Any]) -> dict[str, Any]:
    """A licence bought and served with the real custody crypto, by signed extrinsics.

    Charlie and Dave bond as keepers with their licence box keys; Charlie encrypts a payload
    for model version 0, splits the content key 2-of-2 and registers the ciphertext with each
    share sealed to its keeper; Alice buys with her box key; both keepers open their share and
    deliver it re-sealed to Alice, which serves the purchase; Alice opens the delivered shares
    from storage and rebuilds the key.
    """
    ws: SubstrateInterface = activity["ws"]
    lic = "Licences"
    keepers = [(CURATORS[1], "//Charlie"), (CURATORS[2], "//Dave")]
    boxes = {
        k.ss58_address: licence_box_keypair(DeepshardKeypair.from_uri(uri)) for k, uri in keepers
    }
    alice_secret, alice_public = licence_box_keypair(DeepshardKeypair.from_uri("//Alice"))
    _submit(
        ws,
        [
            (
                k,
                ws.compose_call(
                    lic,
                    "bond_keeper",
                    {"amount": 1_500 * UNIT, "box_key": "0x" + boxes[k.ss58_address][1].hex()},
                ),
            )
            for k, _ in keepers
        ],
    )
    key = secrets.token_bytes(32)
    sink = io.BytesIO()
    custody.encrypt_stream(io.BytesIO(b"adapter weights " * 64), sink, key)
    sha = hashlib.sha256(sink.getvalue()).digest()
    cid = bytes.fromhex("01551220") + sha
    shares = custody.split_key(key, 2, 2)
    sealed = [
        ["0x" + k.public_key.hex(), "0x" + custody.seal_share(s, boxes[k.ss58_address][1]).hex()]
        for (k, _), s in zip(keepers, shares, strict=True)
    ]
    register = ws.compose_call(
        lic,
        "register_ciphertext",
        {
            "version": 0,
            "cid": "0x" + cid.hex(),
            "sha256": "0x" + sha.hex(),
            "threshold": 2,
            "shares": sealed,
        },
    )
    _submit(ws, [(keepers[0][0], register)])
    purchase_id = ws.query(lic, "NextPurchaseId").value
    buy = ws.compose_call(
        lic,
        "buy",
        {"version": 0, "buyer_box_key": "0x" + alice_public.hex(), "max_price": 5_000 * UNIT},
    )
    bought = _submit(ws, [(ALICE, buy)])
    deliveries = []
    for keeper, _ in keepers:
        mine = ws.query(lic, "KeeperShares", [0, keeper.ss58_address]).value
        share = custody.open_share(bytes.fromhex(mine[2:]), boxes[keeper.ss58_address][0])
        resealed = custody.seal_share(share, alice_public)
        deliveries.append(
            (
                keeper,
                ws.compose_call(
                    lic,
                    "deliver_share",
                    {"purchase_id": purchase_id, "sealed_share": "0x" + resealed.hex()},
                ),
            )
        )
    _submit(ws, deliveries)
    purchase = ws.query(lic, "Purchases", [purchase_id]).value
    opened = [
        custody.open_share(bytes.fromhex(s[2:]), alice_secret) for _, s in purchase["deliveries"]
    ]
    assert custody.combine_shares(opened) == key
    return {
        "purchase_id": purchase_id,
        "purchase": purchase,
        "bought": bought,
        "cid": cid,
        "ciphertext": ws.query(lic, "Ciphertexts", [0]).value,
        "keepers": {
            k.ss58_address: ws.query(lic, "Keepers", [k.ss58_address]).value for k, _ in keepers
        },
        "licence": ws.query(lic, "LicencesOf", [ALICE.ss58_address, 0]).value,
    }


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
            assert block.author == aura_author(ws, block_hash)
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


def test_a_licence_is_indexed_as_the_chain_holds_it(
    node_url: str, licence_activity: dict[str, Any], db_url: str
) -> None:
    """Keepers, the ciphertext, the purchase and the licence equal what substrate-interface
    reads, on SQLite and on PostgreSQL, through the REST API."""
    asyncio.run(_index(node_url, db_url))
    engine = open_engine(db_url)
    purchase_id, onchain = licence_activity["purchase_id"], licence_activity["purchase"]
    try:
        with TestClient(create_app(engine)) as api:
            shown = api.get(f"/api/v1/licences/{purchase_id}").json()
            assert shown["phase"] == onchain["phase"] == "Served"
            assert shown["buyer"] == onchain["buyer"] == ALICE.ss58_address
            assert int(shown["price"]) == onchain["price"]
            assert shown["deadline"] == onchain["deadline"]
            assert shown["buyer_box_key"] == onchain["buyer_box_key"]
            assert [d["keeper"] for d in shown["deliveries"]] == [
                k for k, _ in onchain["deliveries"]
            ]
            assert shown["payouts"] == {who: str(a) for who, a in onchain["payouts"]}
            assert int(shown["to_treasury"]) == onchain["to_treasury"]
            assert shown["licence"]["purchase_id"] == licence_activity["licence"] == purchase_id
            assert shown["licence"]["block_hash"] == shown["events"][-1]["block_hash"]
            ciphertext = licence_activity["ciphertext"]
            assert shown["ciphertext"]["cid"] == cid_text(licence_activity["cid"])
            assert shown["ciphertext"]["sha256"] == ciphertext["sha256"]
            assert shown["threshold"] == shown["ciphertext"]["threshold"] == ciphertext["threshold"]
            assert shown["keepers"] == onchain["keepers"] == ciphertext["keepers"]
            assert shown["ciphertext"]["keepers"] == ciphertext["keepers"]
            assert shown["ciphertext"]["registrar"] == ciphertext["registrar"]
            listed = api.get("/api/v1/licences", params={"buyer": ALICE.ss58_address}).json()
            assert [p["purchase_id"] for p in listed["items"]] == [purchase_id]
            assert api.get("/api/v1/licences", params={"phase": "Expired"}).json()["items"] == []
            assert api.get("/api/v1/licences", params={"version": 0}).json()["items"]
            for who, info in licence_activity["keepers"].items():
                keeper = api.get(f"/api/v1/keepers/{who}").json()
                assert int(keeper["bond"]) == info["bond"]
                assert keeper["box_key"] == info["box_key"]
                assert keeper["status"] == "Bonded"
                assert keeper["share_of_versions"] == [0]
            assert len(api.get("/api/v1/keepers").json()["items"]) == 2
            assert api.get("/api/v1/search", params={"q": f"licence {purchase_id}"}).json() == {
                "kind": "licence",
                "id": str(purchase_id),
            }
            assert api.get("/api/v1/versions/0").json()["licences"] == 1
            page = api.get(f"/licence/{purchase_id}").text
            assert "Served" in page
            assert api.get("/licences").status_code == 200
            assert api.get(f"/keeper/{CURATORS[1].ss58_address}").status_code == 200
        if db_url.startswith("sqlite"):  # the schema over real licences (once is enough)
            prefixes = ("/api/v1/licences", "/api/v1/keepers", "/api/v1/ciphertexts")
            assert fuzz_schema(create_app(engine), prefixes) == 5
    finally:
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
def served(
    node_url: str, activity: dict[str, Any], licence_activity: dict[str, Any], tmp_path: Path
) -> Iterator[LiveExplorer]:
    """The explorer following the dev node live (index and serve), caught up with it."""
    del licence_activity
    with LiveExplorer(node_url, f"sqlite:///{tmp_path / 'browser.db'}") as live:
        live.wait_for(activity["ws"].get_block_header()["header"]["number"])
        yield live


def screenshots(tmp_path: Path) -> Path:
    """Where the browser tests save screenshots (``EXPLORER_SCREENSHOTS`` or a temp dir)."""
    shots = Path(os.environ.get("EXPLORER_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


VIEWPORTS = (("desktop", (1280, 900)), ("phone", (390, 844)))
"""The viewports every page is shot in."""


def _fuzz(operation: Any, excluded: list[Any]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=25, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(excluded_checks=excluded)

    check()


def fuzz_schema(app: Any, prefixes: tuple[str, ...]) -> int:
    """Run schemathesis over the operations under `prefixes`: no 500, every response valid.

    Returns how many operations it ran. Addresses and search text are free text to a schema (a
    pattern-valid string may still be no address, rightly a 400), so operations taking one skip
    the check that schema-valid input is accepted.
    """
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(prefixes):
            continue
        names = {p.name for p in operation.iter_parameters()}
        free_text = bool(names & {"address", "buyer", "author", "q"})
        _fuzz(operation, [positive_data_acceptance] if free_text else [])
        ran += 1
    return ran


def shoot(page: Any, path: Path) -> None:
    """Check the page fits its viewport's width (no sideways scrolling), then screenshot it."""
    width = page.viewport_size["width"]
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 0.5)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (path.name, wide)
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.browser
def test_pages_in_headless_chromium(
    served: LiveExplorer,
    activity: dict[str, Any],
    licence_activity: dict[str, Any],
    tmp_path: Path,
) -> None:
    """Every page in Chromium, checked against the chain; screenshots for a human to look at."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    ws: SubstrateInterface = activity["ws"]
    shots = screenshots(tmp_path)
    base = served.url
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, viewport in VIEWPORTS:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.goto(base + "/")
            assert page.locator("#blocks tbody tr").count() >= 5
            # Live: the node authors a block, the indexer stores it, the page shows it -- with
            # no reload (a marker set on this window survives).
            top = int(page.locator("#blocks tbody tr td a").first.inner_text().lstrip("#"))
            page.evaluate("window.__notReloaded = true")
            page.wait_for_function(
                "n => parseInt(document.querySelector('#blocks tbody tr td a')"
                ".textContent.slice(1)) > n",
                arg=top,
                timeout=30_000,
            )
            assert page.evaluate("window.__notReloaded") is True
            assert "on" in (page.locator("#live").get_attribute("class") or "")
            shoot(page, shots / f"home-{name}.png")
            # A block: its hash and author are the chain's.
            page.goto(base + "/block/3")
            block_hash = ws.get_block_hash(3)
            assert page.locator("#block-hash").inner_text() == block_hash
            assert page.locator("#author").inner_text() == aura_author(ws, block_hash)
            shoot(page, shots / f"block-{name}.png")
            # The block list: every author is the chain's.
            page.goto(base + "/blocks")
            for row in page.locator("#blocks tbody tr").all()[:4]:
                link = row.locator("td a").first.inner_text().lstrip("#")
                author = row.locator("td.mono a").first.get_attribute("href") or ""
                assert author == f"/account/{aura_author(ws, ws.get_block_hash(int(link)))}"
            shoot(page, shots / f"blocks-{name}.png")
            # The transfer's extrinsic, reached through the search box.
            page.goto(base + "/")
            page.fill("input[name=q]", activity["transfer"].extrinsic_hash)
            page.press("input[name=q]", "Enter")
            page.wait_for_url("**/extrinsic/**")
            assert page.locator("#call").inner_text() == "Balances.transfer_keep_alive"
            assert "success" in page.locator("#result").inner_text()
            shoot(page, shots / f"extrinsic-{name}.png")
            # Bob's account: the balance the chain holds at the indexed tip.
            page.goto(base + f"/account/{BOB.ss58_address}")
            tip = ws.get_block_hash(int(page.request.get(base + "/api/v1/status").json()["best"]))
            free = ws.query("System", "Account", [BOB.ss58_address], block_hash=tip).value
            whole, fraction = divmod(free["data"]["free"], UNIT)
            assert page.locator("#free").inner_text() == f"{whole:,}.{fraction:012d}"[:-8]
            assert page.locator("#transfers tbody tr").count() >= 1
            shoot(page, shots / f"account-{name}.png")
            # The batch, reached from the list and by searching "batch N": votes and outcome.
            page.goto(base + "/batches")
            shoot(page, shots / f"batches-{name}.png")
            page.click(f"#batches a[href='/batch/{activity['batch_id']}']")
            page.fill("input[name=q]", f"batch {activity['batch_id']}")
            page.press("input[name=q]", "Enter")
            page.wait_for_url(f"**/batch/{activity['batch_id']}")
            assert activity["phase"] in page.locator("#status").inner_text()
            assert page.locator("#votes tbody tr").count() == 4
            ayes = sum(1 for aye in activity["votes"].values() if aye)
            assert page.locator("#tally").inner_text().startswith(f"{ayes} aye")
            shoot(page, shots / f"batch-{name}.png")
            # Licences: the purchase, its keepers, the licensed version.
            purchase_id = licence_activity["purchase_id"]
            onchain = licence_activity["purchase"]
            page.goto(base + "/licences")
            row = page.locator(f"#purchases tr:has(a[href='/licence/{purchase_id}'])")
            assert row.locator(".phase-cell").inner_text() == "licensed"
            assert page.locator("#keepers tbody tr").count() == len(licence_activity["keepers"])
            shoot(page, shots / f"licences-{name}.png")
            page.fill("input[name=q]", f"licence {purchase_id}")
            page.press("input[name=q]", "Enter")
            page.wait_for_url(f"**/licence/{purchase_id}")
            assert page.locator("#phase").inner_text().startswith(onchain["phase"])
            delivered = len(onchain["deliveries"])
            assert page.locator("#shares").inner_text().startswith(f"{delivered} delivered")
            whole, fraction = divmod(onchain["price"], UNIT)
            assert page.locator("#price").inner_text() == f"{whole:,}.{fraction:012d}"[:-8]
            shoot(page, shots / f"licence-{name}.png")
            keeper, info = next(iter(licence_activity["keepers"].items()))
            page.goto(base + f"/keeper/{keeper}")
            whole, fraction = divmod(info["bond"], UNIT)
            assert page.locator("#bond").inner_text() == f"{whole:,}.{fraction:012d}"[:-8]
            assert page.locator("#holds").inner_text() == "version 0"
            shoot(page, shots / f"keeper-{name}.png")
            page.goto(base + "/version/0")
            assert "1 licence granted" in page.locator("#licensing").inner_text()
            page.close()
        browser.close()
