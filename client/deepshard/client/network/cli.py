"""`deepshard key generate-node-key | inspect-node-key`: node keys as ``subkey`` handles them.

``generate-node-key`` writes a fresh ed25519 secret (64 hex digits) to ``--file`` or stdout
and prints the peer id on stderr, so ``deepshard key generate-node-key > key`` keeps only the
secret; ``--json`` prints both as one object. ``inspect-node-key --file F`` prints the peer id
of a key file (hex or 32 raw bytes).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from deepshard.client.network.identity import NodeKey, NodeKeyError

__all__ = ["key_app"]

key_app = typer.Typer(help="Generate and inspect keys.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


@key_app.command("generate-node-key")
def generate_node_key(
    file: Annotated[
        Path | None, typer.Option("--file", help="Write the secret here (owner-only, new file).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {peerId, secret} as JSON.")
    ] = False,
) -> None:
    """Generate a node key; print its peer id (stderr) and secret (stdout or --file)."""
    key = NodeKey.generate()
    if file is not None:
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as error:
            raise _fail(f"{file} exists; refusing to overwrite a node key") from error
        except OSError as error:
            raise _fail(f"{file}: {error}") from error
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key.secret_hex())
    if as_json:
        document = {"peerId": str(key.peer_id)}
        if file is None:
            document["secret"] = key.secret_hex()
        else:
            document["file"] = str(file)
        typer.echo(json.dumps(document))
        return
    typer.echo(str(key.peer_id), err=True)
    if file is None:
        typer.echo(key.secret_hex())


@key_app.command("inspect-node-key")
def inspect_node_key(
    file: Annotated[Path, typer.Option("--file", help="The key file (hex or 32 raw bytes).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {peerId} as JSON.")] = False,
) -> None:
    """Print the peer id of a node key file."""
    try:
        key = NodeKey.from_file(file)
    except NodeKeyError as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps({"peerId": str(key.peer_id)}))
    else:
        typer.echo(str(key.peer_id))
