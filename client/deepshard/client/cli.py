"""The `deepshard` command: one root, with a sub-command group per area registered here.

Each group lives beside the code it drives (``deepshard.chain_spec.cli`` for ``chain-spec``)
and is attached to the root below, so ``deepshard --help`` lists every door in one place.
"""

from __future__ import annotations

import typer

from deepshard.chain_spec.cli import app as chain_spec_app
from deepshard.client.benchmarking.cli import app as benchmark_app
from deepshard.client.devnet.cli import devnet
from deepshard.client.explorer.cli import app as explorer_app
from deepshard.client.network.cli import key_app
from deepshard.client.node.cli import app as node_app
from deepshard.client.wallet.cli import app as wallet_app
from deepshard.offchain_workers.content.cli import app as ipfs_app
from deepshard.offchain_workers.inference.cli import app as infer_app
from deepshard.offchain_workers.ml.cli import app as ml_app
from deepshard.offchain_workers.worker.cli import app as worker_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="deepshard",
    help="Deepshard: a Substrate-compatible chain whose useful work trains a shared model.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
app.add_typer(node_app, name="node")
app.add_typer(chain_spec_app, name="chain-spec")
app.add_typer(benchmark_app, name="benchmark")
app.add_typer(ipfs_app, name="ipfs")
app.add_typer(key_app, name="key")
app.add_typer(wallet_app, name="wallet")
app.add_typer(explorer_app, name="explorer")
app.add_typer(ml_app, name="ml")
app.add_typer(worker_app, name="worker")
app.add_typer(infer_app, name="infer")
app.command("devnet")(devnet)


def main() -> None:
    """Entry point of the `deepshard` console script."""
    app()


if __name__ == "__main__":
    main()
