"""``deepshard worker ROLE``: run an off-chain worker against a node.

Examples:
    1. deepshard worker curator --node ws://127.0.0.1:9944 --key //Bob --bond 200000000000000
    2. deepshard worker curator --keystore ~/.deepshard/worker-keys --prometheus-port 9616
    3. deepshard worker trainer --node ws://127.0.0.1:9944 --key //Charlie --bond 100000000000000
    4. deepshard worker scorer --node ws://127.0.0.1:9944 --key //Dave --bond 100000000000000
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["app"]

app = typer.Typer(help="Off-chain workers: curator, trainer, scorer.", no_args_is_help=True)


@app.command()
def curator(  # noqa: PLR0917 - one parameter per command-line option
    node: Annotated[str, typer.Option(help="Node RPC URL.")] = "ws://127.0.0.1:9944",
    key: Annotated[str | None, typer.Option(help="Secret URI of the worker's key.")] = None,
    keystore: Annotated[Path | None, typer.Option(help="Keystore directory with its key.")] = None,
    repo: Annotated[
        Path | None, typer.Option(help="Embedded content store [env DEEPSHARD_IPFS_PATH].")
    ] = None,
    ipfs_api: Annotated[str | None, typer.Option(help="Kubo RPC API instead of --repo.")] = None,
    state: Annotated[
        Path | None, typer.Option(help="SQLite state file (default: ~/.deepshard/workers/).")
    ] = None,
    bond: Annotated[int, typer.Option(help="Curator bond to keep (smallest units).")] = 0,
    prometheus_port: Annotated[int | None, typer.Option(help="Expose metrics here.")] = None,
    log: Annotated[
        str, typer.Option("--log", "-l", help="Log directives, as the node's.")
    ] = "info",
) -> None:
    """Curate batches: fetch, check, dedupe, judge and vote with the five criteria."""
    from deepshard.offchain_workers.content.cli import default_repo  # noqa: PLC0415
    from deepshard.offchain_workers.content.embedded import EmbeddedStore  # noqa: PLC0415
    from deepshard.offchain_workers.content.kubo import KuboRpcStore  # noqa: PLC0415
    from deepshard.offchain_workers.worker.curator import CuratorRole  # noqa: PLC0415
    from deepshard.offchain_workers.worker.keys import KeyError_, load_key  # noqa: PLC0415
    from deepshard.offchain_workers.worker.logs import configure_logging  # noqa: PLC0415
    from deepshard.offchain_workers.worker.runner import WorkerConfig, run_worker  # noqa: PLC0415

    try:
        configure_logging(log)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        keypair = load_key(key, keystore)
    except KeyError_ as exc:
        raise typer.BadParameter(str(exc)) from None
    address = keypair.ss58_address()
    path = state or Path.home() / ".deepshard" / "workers" / f"curator-{address}.sqlite"

    async def main() -> None:
        async with contextlib.AsyncExitStack() as stack:
            store: Any
            if ipfs_api:
                store = await stack.enter_async_context(KuboRpcStore(ipfs_api))
            else:
                store = EmbeddedStore(repo or default_repo())
                stack.callback(store.close)
            role = CuratorRole(store, bond=bond)
            config = WorkerConfig(node, keypair, path, prometheus_port)
            await run_worker(config, role)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


NodeOpt = Annotated[str, typer.Option(help="Node RPC URL.")]
KeyOpt = Annotated[str | None, typer.Option(help="Secret URI of the worker's key.")]
KeystoreOpt = Annotated[Path | None, typer.Option(help="Keystore directory with its key.")]
RepoOpt = Annotated[
    Path | None, typer.Option(help="Embedded content store [env DEEPSHARD_IPFS_PATH].")
]
ApiOpt = Annotated[str | None, typer.Option(help="Kubo RPC API instead of --repo.")]
StateOpt = Annotated[
    Path | None, typer.Option(help="SQLite state file (default: ~/.deepshard/workers/).")
]
BondOpt = Annotated[int, typer.Option(help="Bond to keep (smallest units).")]
PortOpt = Annotated[int | None, typer.Option(help="Expose metrics here.")]
LogOpt = Annotated[str, typer.Option("--log", "-l", help="Log directives, as the node's.")]
BaseOpt = Annotated[
    Path | None,
    typer.Option("--base-model", help="Local base model instead of fetching it by CID."),
]


def _serve(  # noqa: PLR0917 - the shared options of a worker command
    role_name: str,
    node: str,
    key: str | None,
    keystore: Path | None,
    repo: Path | None,
    ipfs_api: str | None,
    state: Path | None,
    prometheus_port: int | None,
    log: str,
    make_role: Callable[[Any, Path], Any],
) -> None:
    from deepshard.offchain_workers.content.cli import default_repo  # noqa: PLC0415
    from deepshard.offchain_workers.content.embedded import EmbeddedStore  # noqa: PLC0415
    from deepshard.offchain_workers.content.kubo import KuboRpcStore  # noqa: PLC0415
    from deepshard.offchain_workers.worker.keys import KeyError_, load_key  # noqa: PLC0415
    from deepshard.offchain_workers.worker.logs import configure_logging  # noqa: PLC0415
    from deepshard.offchain_workers.worker.runner import WorkerConfig, run_worker  # noqa: PLC0415

    try:
        configure_logging(log)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        keypair = load_key(key, keystore)
    except KeyError_ as exc:
        raise typer.BadParameter(str(exc)) from None
    address = keypair.ss58_address()
    path = state or Path.home() / ".deepshard" / "workers" / f"{role_name}-{address}.sqlite"
    cache = path.parent / f"{role_name}-{address}.cache"

    async def main() -> None:
        async with contextlib.AsyncExitStack() as stack:
            store: Any
            if ipfs_api:
                store = await stack.enter_async_context(KuboRpcStore(ipfs_api))
            else:
                store = EmbeddedStore(repo or default_repo())
                stack.callback(store.close)
            role = make_role(store, cache)
            stack.callback(role.jobs.close)  # the training/scoring job process
            config = WorkerConfig(node, keypair, path, prometheus_port)
            await run_worker(config, role)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


@app.command()
def trainer(  # noqa: PLR0917 - one parameter per command-line option
    node: NodeOpt = "ws://127.0.0.1:9944",
    key: KeyOpt = None,
    keystore: KeystoreOpt = None,
    repo: RepoOpt = None,
    ipfs_api: ApiOpt = None,
    state: StateOpt = None,
    bond: BondOpt = 0,
    base_model: BaseOpt = None,
    poison: Annotated[
        str | None,
        typer.Option(
            help="TESTS AND DEVNETS ONLY: train on corrupted text (random | reversed); "
            "the chain will slash this trainer.",
            hidden=True,
        ),
    ] = None,
    nproc: Annotated[
        int,
        typer.Option(
            min=1,
            help="Train each shard as N DDP processes (torch's elastic launcher); every "
            "replica of a deterministic round must use the same N.",
        ),
    ] = 1,
    prometheus_port: PortOpt = None,
    log: LogOpt = "info",
) -> None:
    """Train the rounds this key is drawn for: fetch, train the LoRA shard, pin, commit, reveal."""
    from deepshard.offchain_workers.worker.trainer import POISONS, TrainerRole  # noqa: PLC0415

    if poison is not None and poison not in POISONS:
        raise typer.BadParameter(f"--poison is one of {', '.join(POISONS)}")
    _serve(
        "trainer",
        node,
        key,
        keystore,
        repo,
        ipfs_api,
        state,
        prometheus_port,
        log,
        lambda store, cache: TrainerRole(store, cache, bond, base_model, poison, nproc=nproc),
    )


@app.command()
def scorer(  # noqa: PLR0917 - one parameter per command-line option
    node: NodeOpt = "ws://127.0.0.1:9944",
    key: KeyOpt = None,
    keystore: KeystoreOpt = None,
    repo: RepoOpt = None,
    ipfs_api: ApiOpt = None,
    state: StateOpt = None,
    bond: BondOpt = 0,
    base_model: BaseOpt = None,
    prometheus_port: PortOpt = None,
    log: LogOpt = "info",
) -> None:
    """Score every revealed adapter of the rounds this key is drawn for, and submit once."""
    from deepshard.offchain_workers.worker.scorer import ScorerRole  # noqa: PLC0415

    _serve(
        "scorer",
        node,
        key,
        keystore,
        repo,
        ipfs_api,
        state,
        prometheus_port,
        log,
        lambda store, cache: ScorerRole(store, cache, bond, base_model),
    )
