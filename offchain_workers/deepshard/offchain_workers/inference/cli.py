"""``deepshard infer``: serve or query a licensed model version.

Examples:
    1. deepshard infer serve --version 1 --key //Alice --node ws://127.0.0.1:9944 --port 8000
    2. deepshard infer generate --version 1 --key //Alice "def fibonacci(n):" --max-tokens 64
    3. curl localhost:8000/v1/chat/completions -d '{"model": "deepshard-v1",
       "messages": [{"role": "user", "content": "Hello"}]}' -H 'content-type: application/json'

Both commands first unlock the version (`licence.unlock_version`): they refuse to start, with
exit status 1 and the reason, when no licence for the key's account is recorded on chain, or the
shares, ciphertext or bundle do not check out. torch is imported only after that, inside the
command; ``deepshard`` itself starts without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["app", "MODEL_PREFIX"]

MODEL_PREFIX = "deepshard-v"
"""A served version's model id is this prefix and its number (``deepshard-v1``)."""

app = typer.Typer(
    help="The inference node: unlock a licensed model version and serve it (OpenAI API).",
    no_args_is_help=True,
)

VersionOpt = Annotated[int, typer.Option("--version", min=0, help="The licensed model version.")]
NodeOpt = Annotated[str, typer.Option(help="Node RPC URL.")]
KeyOpt = Annotated[str | None, typer.Option(help="Secret URI of the licence holder's key.")]
KeystoreOpt = Annotated[Path | None, typer.Option(help="Keystore directory with its key.")]
RepoOpt = Annotated[
    Path | None, typer.Option(help="Embedded content store [env DEEPSHARD_IPFS_PATH].")
]
ApiOpt = Annotated[str | None, typer.Option(help="Kubo RPC API instead of --repo.")]
BaseOpt = Annotated[
    Path | None,
    typer.Option("--base-model", help="Local base model instead of fetching it by CID."),
]
DeviceOpt = Annotated[str | None, typer.Option(help="torch device (default: cuda if present).")]
LogOpt = Annotated[str, typer.Option("--log", "-l", help="Log directives, as the node's.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _unlock(  # noqa: PLR0917 - the shared options of both commands
    version: int,
    node: str,
    key: str | None,
    keystore: Path | None,
    repo: Path | None,
    ipfs_api: str | None,
    base_model: Path | None,
) -> tuple[Path, list[bytes]]:
    """Unlock `version` and return the base model directory and the adapters (or exit)."""
    from deepshard.client.rpc.client import ChainClient, ClientError  # noqa: PLC0415
    from deepshard.offchain_workers.content.cids import parse_cid  # noqa: PLC0415
    from deepshard.offchain_workers.content.cli import default_repo  # noqa: PLC0415
    from deepshard.offchain_workers.content.embedded import EmbeddedStore  # noqa: PLC0415
    from deepshard.offchain_workers.content.errors import ContentError  # noqa: PLC0415
    from deepshard.offchain_workers.content.kubo import KuboRpcStore  # noqa: PLC0415
    from deepshard.offchain_workers.inference.errors import InferenceError  # noqa: PLC0415
    from deepshard.offchain_workers.inference.licence import unlock_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.base_model import default_cache  # noqa: PLC0415
    from deepshard.offchain_workers.ml.content import fetch_model  # noqa: PLC0415
    from deepshard.offchain_workers.ml.errors import MLError  # noqa: PLC0415
    from deepshard.offchain_workers.worker.keys import KeyError_, load_key  # noqa: PLC0415
    from deepshard.primitives.crypto.box_key import licence_box_keypair  # noqa: PLC0415

    try:
        keypair = load_key(key, keystore)
    except KeyError_ as exc:
        raise typer.BadParameter(str(exc)) from None
    secret, public = licence_box_keypair(keypair)

    async def main() -> tuple[Path, list[bytes]]:
        async with contextlib.AsyncExitStack() as stack:
            store: Any
            if ipfs_api:
                store = await stack.enter_async_context(KuboRpcStore(ipfs_api))
            else:
                store = EmbeddedStore(repo or default_repo())
                stack.callback(store.close)
            chain = await stack.enter_async_context(ChainClient.connect(node))
            unlocked = await unlock_version(
                chain,
                store,
                keypair.public_key,
                version,
                box_secret=secret,
                box_public=public,
            )
            base = base_model
            if base is None:
                cid = parse_cid(unlocked.manifest.base_model_cid)
                base = default_cache() / "by-cid" / str(cid)
                if not (base / "config.json").exists():
                    await fetch_model(store, cid, base)
            return base, list(unlocked.adapters)

    try:
        return asyncio.run(main())
    except InferenceError as exc:
        raise _fail(f"{exc} (account {keypair.ss58_address()})") from None
    except (ContentError, MLError) as exc:
        raise _fail(f"cannot fetch the version's content: {exc}") from None
    except (ClientError, OSError) as exc:
        raise _fail(f"cannot reach the node at {node}: {exc}") from None


def _engine(base: Path, adapters: list[bytes], version: int, device: str | None) -> Any:
    from deepshard.offchain_workers.inference.engine import load_engine  # noqa: PLC0415
    from deepshard.offchain_workers.ml.errors import MLError  # noqa: PLC0415

    try:
        return load_engine(base, adapters, f"{MODEL_PREFIX}{version}", device)
    except MLError as exc:
        raise _fail(f"cannot load the model: {exc}") from None


@app.command()
def serve(  # noqa: PLR0917 - one parameter per command-line option
    version: VersionOpt,
    node: NodeOpt = "ws://127.0.0.1:9944",
    key: KeyOpt = None,
    keystore: KeystoreOpt = None,
    repo: RepoOpt = None,
    ipfs_api: ApiOpt = None,
    base_model: BaseOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    device: DeviceOpt = None,
    log: LogOpt = "info",
) -> None:
    """Unlock a licensed version and serve /v1/models, /v1/completions, /v1/chat/completions."""
    from deepshard.offchain_workers.worker.logs import configure_logging  # noqa: PLC0415

    try:
        configure_logging(log)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    base, adapters = _unlock(version, node, key, keystore, repo, ipfs_api, base_model)
    engine = _engine(base, adapters, version, device)

    import uvicorn  # noqa: PLC0415

    from deepshard.offchain_workers.inference.api import create_app  # noqa: PLC0415
    from deepshard.offchain_workers.inference.engine import SamplingParams  # noqa: PLC0415

    typer.echo(f"serving {engine.model_id} on http://{host}:{port}/v1", err=True)
    uvicorn.run(create_app(engine, SamplingParams), host=host, port=port, log_level="warning")


@app.command()
def generate(  # noqa: PLR0917 - one parameter per command-line option
    prompt: Annotated[str, typer.Argument(help="The prompt to complete.")],
    version: VersionOpt,
    node: NodeOpt = "ws://127.0.0.1:9944",
    key: KeyOpt = None,
    keystore: KeystoreOpt = None,
    repo: RepoOpt = None,
    ipfs_api: ApiOpt = None,
    base_model: BaseOpt = None,
    max_tokens: Annotated[int, typer.Option(min=1, help="Most tokens to generate.")] = 64,
    temperature: Annotated[float, typer.Option(min=0, max=2, help="0 is greedy.")] = 1.0,
    top_p: Annotated[float, typer.Option(min=0, max=1, help="Nucleus mass.")] = 1.0,
    seed: Annotated[int | None, typer.Option(help="Sampler seed (reproducible text).")] = None,
    stop: Annotated[list[str] | None, typer.Option(help="A stop sequence (repeatable).")] = None,
    device: DeviceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Unlock a licensed version and print its completion of one prompt."""
    from deepshard.offchain_workers.inference.errors import BadRequest  # noqa: PLC0415

    base, adapters = _unlock(version, node, key, keystore, repo, ipfs_api, base_model)
    engine = _engine(base, adapters, version, device)
    from deepshard.offchain_workers.inference.engine import Finish, SamplingParams  # noqa: PLC0415

    params = SamplingParams(
        max_tokens=max_tokens,
        temperature=temperature,
        top_p=top_p if top_p > 0 else 1.0,
        stop=tuple(stop or ()),
        seed=seed,
    )
    parts: list[str] = []
    finish: Any = None
    try:
        for item in engine.stream(prompt, params):
            if isinstance(item, Finish):
                finish = item
            else:
                parts.append(item)
                if not as_json:
                    sys.stdout.write(item)
                    sys.stdout.flush()
    except BadRequest as exc:
        raise _fail(str(exc), 2) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "model": engine.model_id,
                    "text": "".join(parts),
                    "finish_reason": finish.finish_reason,
                    "prompt_tokens": finish.prompt_tokens,
                    "completion_tokens": finish.completion_tokens,
                }
            )
        )
    else:
        sys.stdout.write("\n")
