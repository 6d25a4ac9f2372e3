"""`deepshard chain-spec ...`: commands that read and check chain specifications."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from deepshard.chain_spec.builder import GenesisError, plain_chain_spec, raw_chain_spec
from deepshard.chain_spec.genesis_model import apply_to_plain_spec, load_genesis_model, with_model
from deepshard.chain_spec.presets import PRESETS
from deepshard.chain_spec.raw import (
    ChainSpecError,
    GenesisSummary,
    load_raw_chain_spec,
    summarize_genesis,
)
from deepshard.primitives.trie import StateVersion
from deepshard.runtime.runtime import deepshard_runtime

__all__ = ["app"]

app = typer.Typer(
    help="Read and check chain specifications.",
    no_args_is_help=True,
)


class StateVersionOption(StrEnum):
    """Trie layouts selectable on the command line."""

    V0 = "0"
    V1 = "1"


def _summary_as_json(summary: GenesisSummary) -> dict[str, object]:
    spec = summary.spec
    runtime = summary.runtime_version
    return {
        "name": spec.name,
        "id": spec.id,
        "chainType": spec.chain_type,
        "topKeys": None if spec.top is None else len(spec.top),
        "childTries": len(spec.children_default),
        "runtime": None
        if runtime is None
        else {
            "specName": runtime.spec_name,
            "specVersion": runtime.spec_version,
            "transactionVersion": runtime.transaction_version,
            "systemVersion": runtime.system_version,
        },
        "stateVersion": int(summary.state_version),
        "stateVersionSource": summary.state_version_source,
        "stateRoot": "0x" + summary.state_root.hex(),
        "genesisHash": "0x" + summary.genesis_hash.hex(),
    }


def _summary_rows(summary: GenesisSummary) -> list[tuple[str, str]]:
    spec = summary.spec
    runtime = summary.runtime_version
    rows = [("Chain", f"{spec.name} ({spec.id}, {spec.chain_type or 'unknown type'})")]
    if runtime is not None:
        rows.append(
            (
                "Runtime",
                f"{runtime.spec_name} spec {runtime.spec_version}, "
                f"transaction {runtime.transaction_version}, system {runtime.system_version}",
            )
        )
    if spec.top is not None:
        storage = f"{len(spec.top)} top-trie keys, {len(spec.children_default)} child tries"
        rows.append(("Storage", storage))
    rows.append(
        ("State version", f"V{int(summary.state_version)} ({summary.state_version_source})")
    )
    rows.append(("State root", "0x" + summary.state_root.hex()))
    rows.append(("Genesis hash", "0x" + summary.genesis_hash.hex()))
    return rows


@app.command()
def build(
    chain: Annotated[
        str, typer.Option("--chain", help="A preset (dev, local) or a plain chain spec file.")
    ] = "dev",
    raw: Annotated[
        bool, typer.Option("--raw", help="Write the raw form (genesis storage).")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    genesis_model: Annotated[
        Path | None,
        typer.Option(
            "--genesis-model",
            help="Model version 0 from `deepshard ml bootstrap --repo R --json` (a file).",
        ),
    ] = None,
) -> None:
    """Print (or write) a chain specification, as Substrate's ``build-spec`` does.

    Without `--raw` the spec is *plain*: the genesis as each pallet's configuration, editable
    by hand. With `--raw` it is the genesis storage a node starts from; a plain spec file given
    to `--chain` is converted.

    **Examples**

    * `deepshard chain-spec build --chain local > local.json`
    * `deepshard chain-spec build --chain local.json --raw -o local-raw.json`
    * `deepshard chain-spec build --chain dev --genesis-model gm.json --raw -o dev-raw.json`
    """
    err = Console(stderr=True)
    try:
        runtime = deepshard_runtime()
        model = None if genesis_model is None else load_genesis_model(genesis_model)
        preset = PRESETS.get(chain)
        if preset is not None:
            spec = plain_chain_spec(preset if model is None else with_model(preset, model), runtime)
        else:
            spec = _read_plain_spec(Path(chain))
            if model is not None:
                spec = apply_to_plain_spec(spec, model)
        if raw:
            spec = raw_chain_spec(spec, runtime)
    except (ChainSpecError, GenesisError) as error:
        err.print(f"[red]error:[/red] {error}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from error
    text = json.dumps(spec, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        err.print(f"[red]error:[/red] cannot write {output}: {error}", soft_wrap=True)
        raise typer.Exit(1) from error
    err.print(f"wrote {'raw' if raw else 'plain'} chain spec {spec['id']!r} to {output}")


def _read_plain_spec(path: Path) -> dict[str, Any]:
    if not path.exists():
        known = ", ".join(PRESETS)
        raise ChainSpecError(f"{path}: no such file (and not a preset: {known})")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ChainSpecError(f"{path}: cannot be read: {error}") from error
    except json.JSONDecodeError as error:
        raise ChainSpecError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from error
    if not isinstance(document, dict) or "runtimeGenesis" not in document.get("genesis", {}):
        raise ChainSpecError(f"{path}: not a plain chain spec (no genesis.runtimeGenesis)")
    return document


@app.command()
def inspect(
    spec: Annotated[Path, typer.Argument(help="A raw chain spec JSON file (with genesis.raw).")],
    state_version: Annotated[
        StateVersionOption | None,
        typer.Option(
            "--state-version",
            help="Trie layout of the genesis state; by default the genesis runtime's own.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the genesis state root and genesis block hash a raw chain spec defines.

    Works on the raw specs of any Substrate chain (relay chains, parachains, dev chains), so
    an operator can check a spec against the chain's published genesis hash before starting
    a node.

    **Examples**

    * `deepshard chain-spec inspect polkadot.json`
    * `deepshard chain-spec inspect spec.json --json | jq -r .genesisHash`
    """
    err = Console(stderr=True)
    try:
        loaded = load_raw_chain_spec(spec)
        forced = None if state_version is None else StateVersion(int(state_version.value))
        summary = summarize_genesis(loaded, forced)
    except ChainSpecError as error:
        err.print(f"[red]error:[/red] {error}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(_summary_as_json(summary), indent=2))
    else:
        out = Console(highlight=False)
        for label, value in _summary_rows(summary):
            out.print(f"[bold]{label:<14}[/bold]{value}", soft_wrap=True)
