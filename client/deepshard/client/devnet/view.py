"""What a devnet shows while it runs: a live `rich` view on a terminal, plain lines elsewhere.

`LiveView` redraws the steps and the round (votes, each trainer's commit, reveal, held-out loss
by scorer, verdict, slash and reward, the new version) four times a second on stderr, so stdout
stays for the summary (``--json``). `LineView` prints one line whenever a step changes, for logs
and CI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from deepshard.client.devnet.summary import Names, render_round, render_steps

if TYPE_CHECKING:
    from deepshard.client.devnet.runner import Devnet, Endpoints

__all__ = ["LineView", "LiveView", "endpoints_table"]


def endpoints_table(endpoints: Endpoints) -> Table:
    """Every endpoint, one a row."""
    table = Table(title="endpoints", title_justify="left", box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for index, url in enumerate(endpoints.rpc):
        table.add_row(f"validator-{index + 1} RPC", url)
    for index, address in enumerate(endpoints.p2p):
        table.add_row(f"validator-{index + 1} p2p", address)
    table.add_row("IPFS (Kubo RPC)", endpoints.ipfs_api)
    table.add_row("IPFS gateway", endpoints.gateway)
    table.add_row("explorer", endpoints.explorer)
    table.add_row("polkadot.js Apps", endpoints.as_json()["polkadotJsApps"])
    table.add_row("directory", str(endpoints.directory))
    table.add_row("logs", str(endpoints.directory / "logs"))
    return table


class LiveView:
    """The live view (module docs)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._live = Live(console=console, auto_refresh=False, transient=False)
        self._started = False

    def __enter__(self) -> LiveView:
        self._live.start()
        self._started = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def show_endpoints(self, endpoints: Endpoints) -> None:
        """Print the endpoints above the live region."""
        self._live.console.print(endpoints_table(endpoints))

    def message(self, text: str) -> None:
        """Print a line above the live region."""
        self._live.console.print(text)

    def refresh(self, devnet: Devnet) -> None:
        """Redraw."""
        if not self._started:
            return
        names = Names(devnet.state)
        self._live.update(
            Group(render_steps(list(devnet.board)), render_round(devnet.tracker.report, names)),
            refresh=True,
        )


class LineView:
    """Plain lines: one per step change (module docs)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._seen: dict[str, tuple[str, str]] = {}

    def __enter__(self) -> LineView:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def show_endpoints(self, endpoints: Endpoints) -> None:
        """Print the endpoints."""
        self.console.print(endpoints_table(endpoints))

    def message(self, text: str) -> None:
        """Print a line."""
        self.console.print(text, highlight=False)

    def refresh(self, devnet: Devnet) -> None:
        """Print the steps that changed since the last call."""
        for record in devnet.board:
            now = (record.state.value, record.detail)
            key = record.info.step.value
            if self._seen.get(key) != now and record.state.value != "pending":
                self._seen[key] = now
                self.console.print(
                    f"[{devnet.board.elapsed():6.1f}s] {key:<9} {record.state.value:<8} "
                    f"{record.detail}",
                    highlight=False,
                    soft_wrap=True,
                )
