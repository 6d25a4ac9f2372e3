"""`deepshard chain-spec ...`: commands that read and check chain specifications."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Read and check chain specifications.",
    no_args_is_help=True,
)


@app.command()
def inspect(spec: str) -> None:
    """Print the genesis state root and genesis block hash of a raw chain spec."""
    raise typer.Exit(1)
