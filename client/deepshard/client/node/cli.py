"""`deepshard node`: run a node, purge its chain data, manage its keys."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from deepshard.chain_spec.builder import GenesisError, plain_chain_spec, raw_chain_spec
from deepshard.chain_spec.genesis_model import apply_to_plain_spec, load_genesis_model, with_model
from deepshard.chain_spec.presets import PRESETS
from deepshard.chain_spec.raw import ChainSpecError
from deepshard.client.node.config import NodeConfig, P2pOptions
from deepshard.client.node.keystore import Keystore, KeystoreError
from deepshard.client.node.logs import LogError, configure_logging, logger
from deepshard.client.node.service import NodeError, NodeService
from deepshard.primitives.crypto import DEV_ACCOUNT_NAMES, KeyType
from deepshard.runtime.runtime import deepshard_runtime

__all__ = ["app"]

log = logger("node")
DEFAULT_BASE_PATH = Path.home() / ".local" / "share" / "deepshard"
DEV_KEYS = tuple(name.lower() for name in DEV_ACCOUNT_NAMES)

app = typer.Typer(
    help="Run a Deepshard node, purge its chain data, manage its keys.",
    invoke_without_command=True,
)
key_app = typer.Typer(help="Manage the node's session keys.", no_args_is_help=True)
app.add_typer(key_app, name="key")


def load_chain_spec(chain: str, genesis_model: Path | None = None) -> dict[str, Any]:
    """Return the raw chain spec for a preset name (dev, local) or a spec file (raw or plain).

    `genesis_model` (a file from ``deepshard ml bootstrap --json``) replaces the model version
    0 of a preset or a plain spec.

    Raises:
        ChainSpecError: the file is missing or not a chain spec.
        GenesisError: a plain spec's genesis is invalid, or the genesis model is (or the spec
            is raw and a genesis model is given).
    """
    runtime = deepshard_runtime()
    model = None if genesis_model is None else load_genesis_model(genesis_model)
    preset = PRESETS.get(chain)
    if preset is not None:
        chosen = preset if model is None else with_model(preset, model)
        return raw_chain_spec(plain_chain_spec(chosen, runtime), runtime)
    path = Path(chain)
    if not path.exists():
        raise ChainSpecError(f"{chain}: no such chain spec file (presets: {', '.join(PRESETS)})")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ChainSpecError(f"{path}: not a readable JSON chain spec: {error}") from error
    if not isinstance(document, dict):
        raise ChainSpecError(f"{path}: a chain spec is a JSON object")
    genesis = document.get("genesis", {})
    if isinstance(genesis, dict) and "runtimeGenesis" in genesis:
        if model is not None:
            document = apply_to_plain_spec(document, model)
        return raw_chain_spec(document, runtime)
    if model is not None:
        raise GenesisError(f"{path}: --genesis-model needs a preset or a plain chain spec")
    return document


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


@app.callback()
def node(  # noqa: PLR0917 - one option per CLI flag
    ctx: typer.Context,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev", help="Development chain: --chain dev --alice --validator, temporary data."
        ),
    ] = False,
    chain: Annotated[
        str | None, typer.Option("--chain", help="dev, local, or a chain spec file.")
    ] = None,
    genesis_model: Annotated[
        Path | None,
        typer.Option(
            "--genesis-model",
            help="Model version 0 from `deepshard ml bootstrap --repo R --json` (a file).",
        ),
    ] = None,
    base_path: Annotated[
        Path | None, typer.Option("--base-path", "-d", help="Where chain data and keys live.")
    ] = None,
    tmp: Annotated[
        bool, typer.Option("--tmp", help="Use a temporary base path, deleted on exit.")
    ] = False,
    name: Annotated[str, typer.Option("--name", help="Human-readable node name.")] = "deepshard",
    validator: Annotated[
        bool, typer.Option("--validator", help="Author blocks with the node's Aura key.")
    ] = False,
    alice: Annotated[
        bool, typer.Option("--alice", help="Shortcut: --name Alice --validator with //Alice's key.")
    ] = False,
    bob: Annotated[bool, typer.Option("--bob", help="Same, with //Bob's key.")] = False,
    charlie: Annotated[bool, typer.Option("--charlie", help="Same, with //Charlie's key.")] = False,
    dave: Annotated[bool, typer.Option("--dave", help="Same, with //Dave's key.")] = False,
    eve: Annotated[bool, typer.Option("--eve", help="Same, with //Eve's key.")] = False,
    ferdie: Annotated[bool, typer.Option("--ferdie", help="Same, with //Ferdie's key.")] = False,
    rpc_port: Annotated[
        int, typer.Option("--rpc-port", help="JSON-RPC port (HTTP and WS).")
    ] = 9944,
    rpc_external: Annotated[
        bool, typer.Option("--rpc-external", help="Listen on all interfaces (safe methods only).")
    ] = False,
    rpc_methods: Annotated[
        str, typer.Option("--rpc-methods", help="auto, safe or unsafe.")
    ] = "auto",
    rpc_max_connections: Annotated[
        int, typer.Option("--rpc-max-connections", help="Most JSON-RPC connections.")
    ] = 100,
    prometheus_port: Annotated[
        int | None, typer.Option("--prometheus-port", help="Expose Prometheus metrics here.")
    ] = None,
    pruning: Annotated[
        str, typer.Option("--pruning", "--state-pruning", help="archive, or states to keep.")
    ] = "256",
    archive: Annotated[bool, typer.Option("--archive", help="Same as --pruning archive.")] = False,
    log_directives: Annotated[
        str, typer.Option("--log", "-l", help="Log levels: info,txpool=debug ...")
    ] = "info",
    listen_addr: Annotated[
        list[str] | None,
        typer.Option("--listen-addr", help="P2P multiaddr to listen on (repeatable)."),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="P2P TCP port (default 30333).")
    ] = None,
    public_addr: Annotated[
        list[str] | None,
        typer.Option("--public-addr", help="P2P multiaddr others should dial (repeatable)."),
    ] = None,
    bootnodes: Annotated[
        list[str] | None,
        typer.Option("--bootnodes", help="Multiaddr (with /p2p/<peer id>) to start from."),
    ] = None,
    reserved_nodes: Annotated[
        list[str] | None,
        typer.Option("--reserved-nodes", help="Peers always kept connected (with /p2p/ id)."),
    ] = None,
    reserved_only: Annotated[
        bool, typer.Option("--reserved-only", help="Connect to reserved nodes only.")
    ] = False,
    in_peers: Annotated[int, typer.Option("--in-peers", help="Most inbound peers.")] = 32,
    out_peers: Annotated[int, typer.Option("--out-peers", help="Most outbound peers.")] = 8,
    node_key: Annotated[
        str | None, typer.Option("--node-key", help="The ed25519 node key, 64 hex digits.")
    ] = None,
    node_key_file: Annotated[
        Path | None, typer.Option("--node-key-file", help="File holding the node key.")
    ] = None,
    no_network: Annotated[
        bool, typer.Option("--no-network", help="Run alone: no P2P listener, no peers.")
    ] = False,
) -> None:
    """Run a Deepshard node (``deepshard node --dev`` for a development chain).

    **Examples**

    * `deepshard node --dev`
    * `deepshard node --dev --genesis-model gm.json` (gm.json from `deepshard ml bootstrap
      --repo R --json`: the real base model and probe set as version 0)
    * `deepshard node --chain local --alice --base-path /tmp/alice --rpc-port 9944`
    * `deepshard node --chain local --bob --port 30334 --rpc-port 9945
      --bootnodes /ip4/127.0.0.1/tcp/30333/p2p/<alice's peer id>`
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        configure_logging(log_directives)
    except LogError as error:
        raise _fail(str(error)) from error
    if rpc_methods not in ("auto", "safe", "unsafe"):
        raise _fail("--rpc-methods takes auto, safe or unsafe")
    dev_key = next(
        (k for k, on in zip(DEV_KEYS, (alice, bob, charlie, dave, eve, ferdie), strict=True) if on),
        None,
    )
    if dev:
        chain = chain or "dev"
        dev_key = dev_key or "alice"
        tmp = tmp or base_path is None
    if dev_key is not None:
        validator = True
        name = dev_key.capitalize() if name == "deepshard" else name
    if pruning != "archive" and not pruning.isdigit():
        raise _fail("--pruning takes `archive` or a number of blocks")
    keep_all = archive or pruning == "archive"
    try:
        spec = load_chain_spec(chain or "dev", genesis_model)
    except (ChainSpecError, GenesisError) as error:
        raise _fail(str(error)) from error
    p2p_flags = (listen_addr, port, public_addr, bootnodes, reserved_nodes, node_key, node_key_file)
    # A development chain runs alone unless a P2P option asks otherwise (several `--dev`
    # nodes on one machine must not fight over port 30333); other chains are networked.
    networked = not no_network and (
        spec.get("chainType") != "Development" or any(f is not None for f in p2p_flags)
    )
    p2p = (
        P2pOptions(
            listen=tuple(listen_addr or (f"/ip4/0.0.0.0/tcp/{port or 30333}",)),
            public=tuple(public_addr or ()),
            bootnodes=tuple(bootnodes or spec.get("bootNodes") or ()),
            reserved=tuple(reserved_nodes or ()),
            reserved_only=reserved_only,
            in_peers=in_peers,
            out_peers=out_peers,
            node_key=node_key,
            node_key_file=node_key_file,
        )
        if networked
        else None
    )
    temporary = tempfile.mkdtemp(prefix="deepshard-") if tmp else None
    base = Path(temporary) if temporary else (base_path or DEFAULT_BASE_PATH)
    config = NodeConfig(
        chain_spec=spec,
        base_path=base,
        name=name,
        validator=validator,
        dev_key=dev_key.capitalize() if dev_key else None,
        rpc_host="0.0.0.0" if rpc_external else "127.0.0.1",
        rpc_port=rpc_port,
        rpc_methods=rpc_methods,
        rpc_max_connections=rpc_max_connections,
        prometheus_port=prometheus_port,
        archive=keep_all,
        state_pruning=256 if keep_all else int(pruning),
        p2p=p2p,
    )
    try:
        asyncio.run(_run(config))
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


async def _run(config: NodeConfig) -> None:
    log.info("Deepshard Node")
    log.info("✌️  version %s", config.version)
    log.info("📋 Chain specification: %s", config.chain_spec.get("name", "?"))
    log.info("🏷  Node name: %s", config.name)
    log.info("👤 Role: %s", "AUTHORITY" if config.validator else "FULL")
    log.info("💾 Database: LMDB at %s", config.database_path)
    try:
        service = NodeService(config)
    except NodeError as error:
        log.error("Error: %s", error)
        raise typer.Exit(1) from error
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await service.start()
    best = service.best_header()
    log.info("📦 Highest known block at #%d", int(best.number))
    await stop.wait()
    log.info("Shutting down…")
    await service.stop()


@app.command("purge-chain")
def purge_chain(
    chain: Annotated[str, typer.Option("--chain", help="dev, local or a chain spec file.")] = "dev",
    base_path: Annotated[Path | None, typer.Option("--base-path", "-d")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a chain's database (its keys are kept)."""
    try:
        spec = load_chain_spec(chain)
    except (ChainSpecError, GenesisError) as error:
        raise _fail(str(error)) from error
    config = NodeConfig(chain_spec=spec, base_path=base_path or DEFAULT_BASE_PATH)
    target = config.database_path
    if not target.exists():
        typer.echo(f"{target} did not exist.")
        return
    if not yes and not typer.confirm(f"Are you sure to remove {target}?"):
        typer.echo("Aborted")
        raise typer.Exit(1)
    shutil.rmtree(target)
    typer.echo(f"{target} removed.")


@key_app.command("insert")
def key_insert(
    suri: Annotated[str, typer.Option("--suri", help="Secret URI, e.g. //Alice or a phrase.")],
    key_type: Annotated[str, typer.Option("--key-type", help="Key type, e.g. aura.")],
    scheme: Annotated[str, typer.Option("--scheme", help="sr25519 or ed25519.")] = "sr25519",
    chain: Annotated[str, typer.Option("--chain", help="dev, local or a chain spec file.")] = "dev",
    base_path: Annotated[Path | None, typer.Option("--base-path", "-d")] = None,
) -> None:
    """Insert a session key into the node's keystore (as ``subkey``/``key insert``)."""
    schemes = {"sr25519": KeyType.SR25519, "ed25519": KeyType.ED25519}
    if scheme not in schemes:
        raise _fail("--scheme takes sr25519 or ed25519")
    try:
        spec = load_chain_spec(chain)
    except (ChainSpecError, GenesisError) as error:
        raise _fail(str(error)) from error
    config = NodeConfig(chain_spec=spec, base_path=base_path or DEFAULT_BASE_PATH)
    try:
        keypair = Keystore(config.keystore_path).insert(key_type, suri, schemes[scheme])
    except KeystoreError as error:
        raise _fail(str(error)) from error
    typer.echo(f"Inserted {key_type} key 0x{keypair.public_key.hex()} ({keypair.ss58_address()})")
