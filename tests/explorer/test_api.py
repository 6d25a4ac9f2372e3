"""The REST API and pages over a database indexed from a real (in-process) node.

The database is filled by the indexer from a `local` chain node with a few authored blocks (see
`test_indexer_reorg`). The API is checked for its shapes, keyset pagination, typed errors
(400 for malformed input, 404 for what is not indexed) and the pages render; `schemathesis`
then generates requests from the OpenAPI schema and checks that no response is a 500 and every
response matches the schema.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from deepshard.client.explorer.api import create_app
from deepshard.client.explorer.database import open_engine, upgrade
from deepshard.client.explorer.indexer import Indexer
from deepshard.client.explorer.store import Store
from deepshard.client.rpc.client import ChainClient

from .test_indexer_reorg import SLOT_MS, _build, local_node

BLOCKS = 6
FERDIE = "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL"
"""An account the local chain never touches (Alice to Dave author its blocks)."""
FREE_TEXT = frozenset(
    {
        "/api/v1/accounts/{address}",
        "/api/v1/transfers",
        "/api/v1/extrinsics",
        "/api/v1/blocks",
        "/api/v1/licences",
        "/api/v1/keepers/{address}",
        "/api/v1/search",
    }
)
"""Operations taking an address or search text, whose validity no schema pattern captures."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The explorer app over an index of a node with `BLOCKS` authored blocks (+ genesis)."""
    tmp = tmp_path_factory.mktemp("api")
    engine = open_engine(f"sqlite:///{tmp / 'explorer.db'}")
    upgrade(engine)

    async def fill() -> None:
        async with local_node(tmp / "node") as (node, url):
            slot = int(time.time() * 1000) // SLOT_MS - 60
            parent = node.db.best_hash
            for offset in range(BLOCKS):
                block = _build(node, parent, slot + offset)
                node.import_received(block)
                parent = block.header.hash()
            async with ChainClient.connect(url) as chain:
                await Indexer(chain, Store(engine)).sync()

    asyncio.run(fill())
    yield create_app(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    """A test client of the app."""
    return TestClient(app)


def test_blocks_are_paginated_by_cursor(client: TestClient) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = client.get("/api/v1/blocks", params=params).json()
        assert len(page["items"]) <= 2
        seen += [b["number"] for b in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(range(BLOCKS, -1, -1))


def test_a_block_by_number_and_by_hash(client: TestClient) -> None:
    by_number = client.get("/api/v1/blocks/3").json()
    by_hash = client.get(f"/api/v1/blocks/{by_number['hash']}").json()
    assert by_number == by_hash
    assert by_number["extrinsic_count"] == len(by_number["extrinsics"]) >= 1
    assert by_number["extrinsics"][0]["pallet"] == "Timestamp"
    assert by_number["event_count"] == len(by_number["events"])
    extrinsic = client.get(f"/api/v1/extrinsics/{by_number['extrinsics'][0]['hash']}").json()
    assert extrinsic["id"] == "3-0"
    assert client.get("/api/v1/extrinsics/3-0").json() == extrinsic
    status = client.get("/api/v1/status").json()
    assert status["best"] == BLOCKS
    assert status["counts"]["blocks"] == BLOCKS + 1


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        ("/api/v1/blocks/999999", 404, "not_found"),
        ("/api/v1/blocks/0x" + "ab" * 32, 404, "not_found"),
        ("/api/v1/blocks/0xzz", 400, "bad_request"),
        ("/api/v1/blocks/-1", 400, "bad_request"),
        ("/api/v1/blocks?limit=101", 400, "bad_request"),
        ("/api/v1/blocks?limit=0", 400, "bad_request"),
        ("/api/v1/blocks?cursor=abc", 400, "bad_request"),
        ("/api/v1/extrinsics?cursor=1-x", 400, "bad_request"),
        ("/api/v1/extrinsics/99-99", 404, "not_found"),
        ("/api/v1/accounts/not-an-address", 400, "bad_request"),
        (f"/api/v1/accounts/{FERDIE}", 404, "not_found"),
        ("/api/v1/batches/7", 404, "not_found"),
        ("/api/v1/batches/x", 400, "bad_request"),
        ("/api/v1/search?q=", 400, "bad_request"),
        ("/api/v1/search?q=12345678", 404, "not_found"),
        ("/api/v1/nothing", 404, "not_found"),
        ("/api/v1/licences/5", 404, "not_found"),
        ("/api/v1/licences/x", 400, "bad_request"),
        ("/api/v1/licences?phase=Bogus", 400, "bad_request"),
        ("/api/v1/licences?version=-1", 400, "bad_request"),
        (f"/api/v1/keepers/{FERDIE}", 404, "not_found"),
        ("/api/v1/keepers/nobody", 400, "bad_request"),
        ("/api/v1/ciphertexts?cursor=z", 400, "bad_request"),
        ("/api/v1/search?q=licence%2099", 404, "not_found"),
        ("/api/v1/search?q=round%201234567890123456789", 400, "bad_request"),
    ],
)
def test_errors_are_typed(client: TestClient, path: str, status: int, kind: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["error"] == kind


def test_search_resolves_numbers_and_hashes(client: TestClient) -> None:
    block = client.get("/api/v1/blocks/2").json()
    assert client.get("/api/v1/search", params={"q": "2"}).json() == {"kind": "block", "id": "2"}
    assert client.get("/api/v1/search", params={"q": block["hash"]}).json() == {
        "kind": "block",
        "id": block["hash"],
    }
    xt = block["extrinsics"][0]["hash"]
    assert client.get("/api/v1/search", params={"q": xt}).json() == {"kind": "extrinsic", "id": xt}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("#2", {"kind": "block", "id": "2"}),
        ("block 2", {"kind": "block", "id": "2"}),
        (" Block:2 ", {"kind": "block", "id": "2"}),
        ("version 0", {"kind": "version", "id": "0"}),
        ("version #0", {"kind": "version", "id": "0"}),
        ("round 0", None),
        ("batch 0", None),
        ("version 99", None),
    ],
)
def test_search_resolves_named_numbers(
    client: TestClient, query: str, found: dict[str, str] | None
) -> None:
    response = client.get("/api/v1/search", params={"q": query})
    if found is None:
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    else:
        assert response.json() == found


def test_blocks_carry_their_author(client: TestClient) -> None:
    blocks = client.get("/api/v1/blocks", params={"limit": 100}).json()["items"]
    authors = {b["author"] for b in blocks if b["number"] > 0}
    assert None not in authors
    assert all(b["slot"] is not None for b in blocks if b["number"] > 0)
    for author in authors:
        mine = client.get("/api/v1/blocks", params={"author": author, "limit": 100}).json()
        assert {b["author"] for b in mine["items"]} == {author}
        assert len(mine["items"]) == sum(1 for b in blocks if b["author"] == author)
        account = client.get(f"/api/v1/accounts/{author}").json()
        assert account["authored_count"] == len(mine["items"])
        assert client.get("/api/v1/search", params={"q": author}).json()["kind"] == "account"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/blocks",
        "/blocks?cursor=3",
        "/block/1",
        "/extrinsic/1-0",
        "/batches",
        "/rounds",
        "/versions",
        "/version/0",
        "/licences",
        "/docs",
    ],
)
def test_pages_render(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


def test_unknown_pages_are_404_html(client: TestClient) -> None:
    response = client.get("/block/99999")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert client.get("/search", params={"q": "1"}, follow_redirects=False).headers["location"] == (
        "/block/1"
    )


def _fuzz(operation: Any, excluded: list[Any]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=30, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(excluded_checks=excluded)

    check()


def test_the_openapi_schema_holds(app: FastAPI) -> None:
    """Requests generated from the schema: no 500, every response valid against the schema."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/stream":
            continue  # endless by design

        # An address's checksum is beyond a schema pattern: a pattern-valid string may still
        # be no address, and is then rightly a 400.
        _fuzz(operation, [positive_data_acceptance] if operation.path in FREE_TEXT else [])
        checked += 1
    assert checked >= 17


def test_database_path_errors_are_typed(tmp_path: Path) -> None:
    from deepshard.client.explorer.database import DatabaseError  # noqa: PLC0415

    with pytest.raises(DatabaseError):
        open_engine("mysql://x@y/z")
    with pytest.raises(DatabaseError):
        open_engine("not a url")
    assert open_engine(f"sqlite:///{tmp_path / 'a.db'}").dialect.name == "sqlite"
