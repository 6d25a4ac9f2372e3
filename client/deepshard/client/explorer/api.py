"""The explorer's HTTP service: the REST API under ``/api/v1`` and the web pages, one process.

FastAPI was chosen over aiohttp (already a dependency of the node) because the issue's API
contract is its OpenAPI schema: FastAPI derives it from the typed endpoints (served at
``/openapi.json``, browsable at ``/docs``), validates parameters against it, and that schema is
what ``schemathesis`` fuzzes; with aiohttp the schema would be written and kept in step by hand.

Errors are typed JSON, ``{"error": kind, "message": text}``: ``400 bad_request`` for input that
cannot name anything (a malformed hash, address, cursor or limit), ``404 not_found`` for what is
not indexed. Pages are server-rendered Jinja2 templates (the round page's statistics as inline
SVG, `charts`); live pages (home, the block and round lists, a round) listen to the
``/api/v1/stream`` server-sent events and re-render their ``<main>`` when the indexed tip moves.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from deepshard.client.explorer.charts import label, statistic_chart
from deepshard.client.explorer.live import TipWatcher
from deepshard.client.explorer.queries import MAX_LIMIT, BadRequest, Explorer, NotFound, Page

__all__ = ["create_app", "ErrorBody", "PageBody"]

_TEMPLATES: Final = pathlib.Path(__file__).with_name("templates")
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (≤ {MAX_LIMIT}).")]
NUMBER: Final = "[0-9]{1,18}"
HASH: Final = "0x[0-9a-fA-F]{64}"
PAIR: Final = "[0-9]{1,18}-[0-9]{1,9}"
NumberCursor = Annotated[
    str | None, Query(pattern=f"^{NUMBER}$", description="`next_cursor` of the previous page.")
]
PairCursor = Annotated[
    str | None, Query(pattern=f"^{PAIR}$", description="`next_cursor` of the previous page.")
]
AddressCursor = Annotated[
    str | None, Query(max_length=80, description="`next_cursor` of the previous page.")
]
Address = Annotated[str | None, Query(max_length=80, description="SS58 address or 0x account id.")]


class ErrorBody(BaseModel):
    """A typed error."""

    error: str
    """``bad_request`` or ``not_found``."""
    message: str
    """What went wrong."""


class PageBody(BaseModel):
    """One page of a list."""

    items: list[dict[str, Any]]
    """The items, newest first."""
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; null on the last page."""


class SearchBody(BaseModel):
    """What a search string names."""

    kind: str
    """``block``, ``extrinsic``, ``account``, ``round``, ``batch`` or ``version``."""
    id: str
    """Its identifier (number or hash, hash, SS58 address, round/batch/version number)."""


_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    400: {"model": ErrorBody, "description": "Malformed input."},
    404: {"model": ErrorBody, "description": "Not indexed."},
}


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message}, status_code=status)


def _page(page: Page) -> PageBody:
    return PageBody(items=page.items, next_cursor=page.next_cursor)


def _when(milliseconds: int | None) -> str:
    if milliseconds is None:
        return "-"
    return datetime.fromtimestamp(milliseconds / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _units(value: int | str | None, decimals: int = 12) -> str:
    """Render planck as whole tokens with four decimals, in integers (no float rounding)."""
    if value is None:
        return "-"
    whole, fraction = divmod(int(value), 10**decimals)
    return f"{whole:,}.{fraction:0{decimals}d}"[: len(f"{whole:,}") + 5]


def _micro(value: int | None) -> str:
    """Render a x10^6 fixed-point integer (a loss, a statistic) with six decimals."""
    if value is None:
        return "-"
    whole, fraction = divmod(abs(int(value)), 1_000_000)
    return f"{'-' if int(value) < 0 else ''}{whole}.{fraction:06d}"


def _api(app: FastAPI, explorer: Explorer, watcher: TipWatcher) -> None:
    @app.get("/api/v1/status", tags=["chain"], responses=_ERRORS)
    def status() -> dict[str, Any]:
        """The indexed tip, the finalized height, the genesis hash and table sizes."""
        return explorer.status()

    @app.get("/api/v1/blocks", tags=["blocks"], responses=_ERRORS)
    def blocks(limit: Limit = 25, cursor: NumberCursor = None, author: Address = None) -> PageBody:
        """Blocks, newest first, with their Aura author; filter by author."""
        return _page(explorer.blocks(limit, cursor, author))

    @app.get("/api/v1/blocks/{block_id}", tags=["blocks"], responses=_ERRORS)
    def block(
        block_id: Annotated[
            str, Path(pattern=f"^({NUMBER}|{HASH})$", description="Number or hash.")
        ],
    ) -> dict[str, Any]:
        """A block by number or 0x hash, with its extrinsics and events."""
        return explorer.block(block_id)

    @app.get("/api/v1/extrinsics", tags=["extrinsics"], responses=_ERRORS)
    def extrinsics(
        limit: Limit = 25,
        cursor: PairCursor = None,
        signer: Address = None,
        pallet: Annotated[str | None, Query(max_length=64)] = None,
        signed: bool = False,
    ) -> PageBody:
        """Extrinsics, newest first; filter by signer, pallet, or signed only."""
        return _page(explorer.extrinsics(limit, cursor, signer, pallet, signed))

    @app.get("/api/v1/extrinsics/{extrinsic_id}", tags=["extrinsics"], responses=_ERRORS)
    def extrinsic(
        extrinsic_id: Annotated[
            str, Path(pattern=f"^({HASH}|{PAIR})$", description="Hash or block-index.")
        ],
    ) -> dict[str, Any]:
        """An extrinsic by 0x hash or ``block-index``, with its events."""
        return explorer.extrinsic(extrinsic_id)

    @app.get("/api/v1/events", tags=["events"], responses=_ERRORS)
    def events(
        limit: Limit = 25,
        cursor: PairCursor = None,
        pallet: Annotated[str | None, Query(max_length=64)] = None,
        name: Annotated[str | None, Query(max_length=64)] = None,
    ) -> PageBody:
        """Events, newest first; filter by pallet and name."""
        return _page(explorer.events(limit, cursor, pallet, name))

    @app.get("/api/v1/accounts", tags=["accounts"], responses=_ERRORS)
    def accounts(limit: Limit = 25, cursor: AddressCursor = None) -> PageBody:
        """Accounts in address order, with balances."""
        return _page(explorer.accounts(limit, cursor))

    @app.get("/api/v1/accounts/{address}", tags=["accounts"], responses=_ERRORS)
    def account(address: Annotated[str, Path(max_length=80)]) -> dict[str, Any]:
        """An account by SS58 address or 0x account id: balances, latest transfers, slashes."""
        return explorer.account(address)

    @app.get("/api/v1/transfers", tags=["accounts"], responses=_ERRORS)
    def transfers(
        limit: Limit = 25,
        cursor: NumberCursor = None,
        address: Address = None,
    ) -> PageBody:
        """Balance transfers, newest first; filter by an account on either side."""
        return _page(explorer.transfers(limit, cursor, address))

    @app.get("/api/v1/batches", tags=["informants"], responses=_ERRORS)
    def batches(
        limit: Limit = 25,
        cursor: NumberCursor = None,
        status: Annotated[str | None, Query(max_length=16)] = None,
    ) -> PageBody:
        """Informants data batches, newest first; filter by status (Voting, Accepted...)."""
        return _page(explorer.batches(limit, cursor, status))

    @app.get("/api/v1/batches/{batch_id}", tags=["informants"], responses=_ERRORS)
    def batch(batch_id: Annotated[int, Path(ge=0, le=2**63 - 1)]) -> dict[str, Any]:
        """A batch with its votes and events."""
        return explorer.batch(batch_id)

    @app.get("/api/v1/rounds", tags=["training"], responses=_ERRORS)
    def rounds(
        limit: Limit = 25,
        cursor: NumberCursor = None,
        status: Annotated[str | None, Query(max_length=16)] = None,
    ) -> PageBody:
        """Training rounds, newest first; filter by status (Open, Aggregated, Closed)."""
        return _page(explorer.rounds(limit, cursor, status))

    @app.get("/api/v1/rounds/{round_id}", tags=["training"], responses=_ERRORS)
    def round_(round_id: Annotated[int, Path(ge=0, le=2**63 - 1)]) -> dict[str, Any]:
        """A round: drawn trainers and scorers, commits, reveals, scores, verdicts, slashes."""
        return explorer.round(round_id)

    @app.get("/api/v1/versions", tags=["training"], responses=_ERRORS)
    def versions(limit: Limit = 25, cursor: NumberCursor = None) -> PageBody:
        """Model versions, newest first."""
        return _page(explorer.versions(limit, cursor))

    @app.get("/api/v1/versions/{version_id}", tags=["training"], responses=_ERRORS)
    def version(version_id: Annotated[int, Path(ge=0, le=2**63 - 1)]) -> dict[str, Any]:
        """A model version with its adapters, lineage and children."""
        return explorer.version(version_id)

    @app.get("/api/v1/licences", tags=["licences"], responses=_ERRORS)
    def licences(
        limit: Limit = 25,
        cursor: NumberCursor = None,
        phase: Annotated[
            str | None, Query(pattern="^(Open|Served|Expired)$", description="Purchase phase.")
        ] = None,
        buyer: Address = None,
        version: Annotated[int | None, Query(ge=0, le=2**32 - 1)] = None,
    ) -> PageBody:
        """Licence purchases, newest first; filter by phase, buyer or model version."""
        return _page(explorer.purchases(limit, cursor, phase, buyer, version))

    @app.get("/api/v1/licences/{purchase_id}", tags=["licences"], responses=_ERRORS)
    def licence(purchase_id: Annotated[int, Path(ge=0, le=2**63 - 1)]) -> dict[str, Any]:
        """A purchase: its terms, share deliveries, outcome, the licence granted, its events."""
        return explorer.purchase(purchase_id)

    @app.get("/api/v1/keepers", tags=["licences"], responses=_ERRORS)
    def keepers(limit: Limit = 25, cursor: AddressCursor = None) -> PageBody:
        """Licence keepers in address order, with bond, status and box key."""
        return _page(explorer.keepers(limit, cursor))

    @app.get("/api/v1/keepers/{address}", tags=["licences"], responses=_ERRORS)
    def keeper(address: Annotated[str, Path(max_length=80)]) -> dict[str, Any]:
        """A keeper: bond, box key, the versions it holds shares of, its slashes."""
        return explorer.keeper(address)

    @app.get("/api/v1/ciphertexts", tags=["licences"], responses=_ERRORS)
    def ciphertexts(limit: Limit = 25, cursor: NumberCursor = None) -> PageBody:
        """Registered ciphertexts of model versions, newest version first."""
        return _page(explorer.ciphertexts(limit, cursor))

    @app.get("/api/v1/search", tags=["search"], responses=_ERRORS)
    def search(q: Annotated[str, Query(min_length=1, max_length=80)]) -> SearchBody:
        """Resolve a block number or hash, extrinsic hash, address, ``round N``, ``batch N``..."""
        return SearchBody(**explorer.search(q))

    @app.get("/api/v1/stream", tags=["chain"], response_class=StreamingResponse)
    async def stream() -> StreamingResponse:
        """Server-sent ``status`` events: the indexed tip now and whenever it moves.

        Each carries ``{best, best_hash, finalized}``; a comment line keeps a quiet stream open
        every 15 s.
        """

        async def events() -> AsyncIterator[str]:
            yield "retry: 2000\n\n"
            async with contextlib.aclosing(watcher.subscribe()) as tips:
                async for tip in tips:
                    if tip is None:
                        yield ": keep-alive\n\n"
                    else:
                        yield f"event: status\nid: {tip['best']}\ndata: {json.dumps(tip)}\n\n"

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


def _pages(app: FastAPI, explorer: Explorer) -> None:
    templates = Jinja2Templates(directory=str(_TEMPLATES))
    templates.env.filters["when"] = _when
    templates.env.filters["short"] = lambda text: (
        f"{text[:10]}…{text[-6:]}" if isinstance(text, str) and len(text) > 20 else text
    )
    templates.env.filters["units"] = _units
    templates.env.filters["micro"] = _micro
    templates.env.filters["chart"] = statistic_chart
    templates.env.filters["tiny"] = label
    templates.env.filters["milli"] = lambda n: f"{int(n) // 1000}.{int(n) % 1000:03d}".rstrip(
        "0"
    ).rstrip(".")

    def render(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"tip": explorer.tip(), **context})

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return render(
            request,
            "home.html",
            status=explorer.status(),
            blocks=explorer.blocks(20).items,
            transfers=explorer.transfers(10).items,
            batches=explorer.batches(10).items,
            extrinsics=explorer.extrinsics(10, signed_only=True).items,
        )

    @app.get("/blocks", include_in_schema=False)
    def blocks_page(request: Request, cursor: str | None = None) -> HTMLResponse:
        return render(request, "blocks.html", page=explorer.blocks(25, cursor), cursor=cursor)

    @app.get("/block/{block_id}", include_in_schema=False)
    def block_page(request: Request, block_id: str) -> HTMLResponse:
        return render(request, "block.html", block=explorer.block(block_id))

    @app.get("/extrinsic/{extrinsic_id}", include_in_schema=False)
    def extrinsic_page(request: Request, extrinsic_id: str) -> HTMLResponse:
        return render(request, "extrinsic.html", x=explorer.extrinsic(extrinsic_id))

    @app.get("/account/{address}", include_in_schema=False)
    def account_page(request: Request, address: str) -> HTMLResponse:
        return render(request, "account.html", account=explorer.account(address))

    @app.get("/batches", include_in_schema=False)
    def batches_page(request: Request, cursor: str | None = None) -> HTMLResponse:
        return render(request, "batches.html", page=explorer.batches(25, cursor))

    @app.get("/batch/{batch_id}", include_in_schema=False)
    def batch_page(
        request: Request, batch_id: Annotated[int, Path(ge=0, le=2**63 - 1)]
    ) -> HTMLResponse:
        return render(request, "batch.html", batch=explorer.batch(batch_id))

    @app.get("/rounds", include_in_schema=False)
    def rounds_page(request: Request, cursor: str | None = None) -> HTMLResponse:
        return render(request, "rounds.html", page=explorer.rounds(25, cursor), cursor=cursor)

    @app.get("/round/{round_id}", include_in_schema=False)
    def round_page(
        request: Request, round_id: Annotated[int, Path(ge=0, le=2**63 - 1)]
    ) -> HTMLResponse:
        return render(request, "round.html", round=explorer.round(round_id))

    @app.get("/versions", include_in_schema=False)
    def versions_page(request: Request, cursor: str | None = None) -> HTMLResponse:
        return render(request, "versions.html", page=explorer.versions(25, cursor))

    @app.get("/version/{version_id}", include_in_schema=False)
    def version_page(
        request: Request, version_id: Annotated[int, Path(ge=0, le=2**63 - 1)]
    ) -> HTMLResponse:
        return render(request, "version.html", version=explorer.version(version_id))

    @app.get("/licences", include_in_schema=False)
    def licences_page(request: Request, cursor: str | None = None) -> HTMLResponse:
        return render(
            request,
            "licences.html",
            page=explorer.purchases(25, cursor),
            ciphertexts=explorer.ciphertexts(25).items,
            keepers=explorer.keepers(100).items,
            cursor=cursor,
        )

    @app.get("/licence/{purchase_id}", include_in_schema=False)
    def licence_page(
        request: Request, purchase_id: Annotated[int, Path(ge=0, le=2**63 - 1)]
    ) -> HTMLResponse:
        return render(request, "licence.html", p=explorer.purchase(purchase_id))

    @app.get("/keeper/{address}", include_in_schema=False)
    def keeper_page(request: Request, address: str) -> HTMLResponse:
        return render(request, "keeper.html", keeper=explorer.keeper(address))

    @app.get("/search", include_in_schema=False)
    def search_page(q: str = "") -> RedirectResponse:
        found = explorer.search(q)
        return RedirectResponse(f"/{found['kind']}/{found['id']}", status_code=303)


def create_app(engine: Engine, *, live_interval: float = 1.0) -> FastAPI:
    """Return the explorer's ASGI application over the database behind `engine`.

    Live pages learn of new blocks by a look at the database every `live_interval` seconds
    (one look for all listeners).
    """
    explorer = Explorer(engine)
    watcher = TipWatcher(explorer.tip, interval=live_interval)
    app = FastAPI(
        title="Deepshard explorer",
        version="1",
        description="Blocks, extrinsics, events, accounts, transfers, Informants batches, "
        "Training rounds and model versions, licences and their keepers "
        "of a Deepshard chain, as indexed by `deepshard explorer index`.",
    )

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    def failure(request: Request, status: int, kind: str, message: str) -> Any:
        if wants_html(request):
            return HTMLResponse(
                f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{kind}: "
                f"{_escape(message)}</p><p><a href='/'>home</a></p>",
                status_code=status,
            )
        return _error(status, kind, message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Any:
        return failure(request, 404, "not_found", str(exc))

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Any:
        return failure(request, 400, "bad_request", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return failure(request, 400, "bad_request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        kind = "not_found" if exc.status_code == 404 else "http_error"
        return failure(request, exc.status_code, kind, str(exc.detail))

    _api(app, explorer, watcher)
    _pages(app, explorer)
    return app


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
