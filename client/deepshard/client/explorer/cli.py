"""``deepshard explorer``: index a chain into SQL, and serve its REST API and pages.

Examples::

    deepshard explorer index --node ws://127.0.0.1:9944                  # follow, into explorer.db
    deepshard explorer index --node ws://... --db postgresql://me@db/explorer
    deepshard explorer index --node ws://... --once --json                # catch up, print, exit
    deepshard explorer serve --db sqlite:///explorer.db --port 8080
"""

from __future__ import annotations

import asyncio
import json
import signal
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from deepshard.client.explorer.database import DEFAULT_URL, DatabaseError, open_engine, upgrade
from deepshard.client.explorer.indexer import Indexer, StateUnavailable, SyncReport
from deepshard.client.explorer.store import Store, WrongChain
from deepshard.client.rpc.client import ChainClient, ClientError

__all__ = ["app", "BarProgress"]

app = typer.Typer(
    help="Block explorer: index a chain into SQL, serve its REST API and pages.",
    no_args_is_help=True,
)
console = Console(stderr=True)


class BarProgress:
    """A rich progress bar for backfills (a `ProgressSink`)."""

    def __init__(self, enabled: bool) -> None:
        """Draw the bar only if `enabled` (off with ``--json`` or ``--quiet``)."""
        self.enabled = enabled
        self._bar: Progress | None = None
        self._task: int | None = None
        self._first = 0

    def start(self, first: int, last: int) -> None:
        """Show a bar for blocks `first`..`last`."""
        if not self.enabled:
            return
        self._first = first
        self._bar = Progress(
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("blocks"),
            TimeRemainingColumn(),
            console=console,
        )
        self._bar.start()
        self._task = self._bar.add_task("index", total=last - first + 1)

    def advance(self, number: int) -> None:
        """Blocks up to `number` are stored."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=number - self._first + 1)  # type: ignore[arg-type]

    def finish(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _known_failure(exc: BaseException) -> str | None:
    """The message of an expected failure (possibly inside a task group), else None."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _known_failure(inner)
            if found is not None:
                return found
        return None
    if isinstance(exc, (DatabaseError, WrongChain, StateUnavailable, ClientError)):
        return str(exc)
    return None


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


async def _index(
    node: str, db: str, window: int, once: bool, bar: BarProgress
) -> SyncReport | None:
    engine = open_engine(db)
    await asyncio.to_thread(upgrade, engine)
    try:
        async with ChainClient.connect(node) as chain:
            indexer = Indexer(chain, Store(engine), window=window, progress=bar)
            if once:
                return await indexer.sync()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            console.print(f"following {node} into {engine.url.render_as_string()}; Ctrl-C stops")
            await indexer.run(stop=stop)
            return None
    finally:
        engine.dispose()


@app.command()
def index(
    node: Annotated[str, typer.Option(help="The node's RPC URL (ws:// or http://).")] = (
        "ws://127.0.0.1:9944"
    ),
    db: Annotated[str, typer.Option(help="SQLAlchemy database URL.")] = DEFAULT_URL,
    window: Annotated[int, typer.Option(min=1, max=1024, help="Blocks fetched at once.")] = 64,
    once: Annotated[bool, typer.Option(help="Catch up to the best block once, then exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Index the chain at NODE into DB: backfill from genesis (or resume), then follow."""
    try:
        report = asyncio.run(_index(node, db, window, once, BarProgress(not as_json)))
    except Exception as exc:
        known = _known_failure(exc)
        if known is None:
            raise
        raise _fail(known) from exc
    if report is None:
        return
    if as_json:
        print(json.dumps(asdict(report)))
    else:
        console.print(
            f"indexed up to #{report.best} (finalized #{report.finalized}): "
            f"{report.added} added, {report.retracted} retracted"
        )


@app.command()
def serve(
    db: Annotated[str, typer.Option(help="SQLAlchemy database URL.")] = DEFAULT_URL,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8080,
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /docs) and the web pages from DB."""
    import uvicorn  # noqa: PLC0415 - the web stack loads only for `serve`

    from deepshard.client.explorer.api import create_app  # noqa: PLC0415

    try:
        engine = open_engine(db)
        upgrade(engine)
    except DatabaseError as exc:
        raise _fail(str(exc)) from exc
    uvicorn.run(create_app(engine), host=host, port=port, log_level="info")
