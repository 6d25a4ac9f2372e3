"""The one place the wallet prints: commands return a `Report`, the presenter renders it.

A human gets a rich table on stdout; ``--json`` prints the report's ``data`` as one JSON
document; ``--quiet`` prints nothing but errors. Prompts, previews and spinners go to stderr so
that stdout stays clean for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from deepshard.client.wallet.errors import WalletError

__all__ = ["Report", "Presenter"]


@dataclass(frozen=True, slots=True)
class Report:
    """A command's result: a titled table for people and a JSON object for scripts."""

    title: str
    """The table's title."""
    data: Any
    """The JSON form (a dict or a list)."""
    columns: Sequence[str] = ()
    """Column headings; empty for a two-column ``field: value`` table."""
    rows: Sequence[Sequence[str]] = ()
    """The table's rows (each as many cells as columns, or two for a field table)."""
    notes: Sequence[str] = field(default_factory=tuple)
    """Lines printed under the table (warnings, hints)."""


class Presenter:
    """Renders reports and errors according to ``--json`` / ``--quiet``."""

    def __init__(
        self,
        *,
        json_output: bool = False,
        quiet: bool = False,
        out: Console | None = None,
        err: Console | None = None,
    ) -> None:
        """Render to `out` (stdout) and `err` (stderr) unless given."""
        self.json_output = json_output
        self.quiet = quiet
        self.out = out or Console(soft_wrap=True)
        self.err = err or Console(stderr=True)

    @property
    def interactive(self) -> bool:
        """Whether previews and spinners are shown (neither ``--json`` nor ``--quiet``)."""
        return not (self.json_output or self.quiet)

    def table(self, report: Report) -> Table:
        """The rich table of `report`."""
        table = Table(title=report.title, title_justify="left", show_header=bool(report.columns))
        if report.columns:
            for column in report.columns:
                table.add_column(column)
        else:
            table.add_column("field", style="bold")
            table.add_column("value", overflow="fold")
        for row in report.rows:
            table.add_row(*row)
        return table

    def show(self, report: Report) -> None:
        """Print `report` as the command's result."""
        if self.quiet:
            return
        if self.json_output:
            self.out.print_json(json.dumps(report.data, default=str))
            return
        self.out.print(self.table(report))
        for note in report.notes:
            self.out.print(note)

    def preview(self, report: Report) -> None:
        """Print `report` to stderr as what is about to happen (not in ``--json``/``--quiet``)."""
        if self.interactive:
            self.err.print(self.table(report))
            for note in report.notes:
                self.err.print(note)

    def error(self, error: WalletError) -> None:
        """Print `error`: a JSON object on stdout with ``--json``, else a red line on stderr."""
        if self.json_output:
            body = {
                "error": type(error).__name__,
                "message": str(error),
                "exit_code": error.exit_code,
                **error.details(),
            }
            self.out.print_json(json.dumps(body, default=str))
            return
        self.err.print(f"[bold red]Error:[/] {error}", highlight=False)
        docs = error.details().get("docs")
        if docs:
            self.err.print(f"  {docs}", highlight=False)
