"""`deepshard ipfs ...`: add, read, pin and move IPFS content with Kubo-identical CIDs.

The embedded store (``--repo``, default ``~/.deepshard/ipfs``) is used unless ``--api URL``
names a Kubo RPC endpoint or ``--gateway URL`` a trustless gateway to read through. Every
command takes ``--json``; errors are typed and name the CID and the backend.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from deepshard.offchain_workers.content.cids import CID, RAW, parse_cid
from deepshard.offchain_workers.content.daemon import DaemonConfig, serve
from deepshard.offchain_workers.content.dag import (
    decode_block,
    file_size,
    list_directory,
    resolve_path,
)
from deepshard.offchain_workers.content.embedded import EmbeddedStore, import_path
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.offchain_workers.content.gateway import GatewayReader
from deepshard.offchain_workers.content.importer import DiscardSink
from deepshard.offchain_workers.content.kubo import KuboRpcStore
from deepshard.offchain_workers.content.profiles import PROFILES, ImportProfile
from deepshard.offchain_workers.content.store import AddedEntry
from deepshard.offchain_workers.content.unixfs import DataType

__all__ = ["app"]

T = TypeVar("T")

app = typer.Typer(
    help="IPFS content: add, read, pin and move files, with the same CIDs as Kubo.",
    no_args_is_help=True,
)
pin_app = typer.Typer(help="Pin content so garbage collection keeps it.", no_args_is_help=True)
car_app = typer.Typer(help="Export and import CAR archives.", no_args_is_help=True)
block_app = typer.Typer(help="Raw blocks.", no_args_is_help=True)
app.add_typer(pin_app, name="pin")
app.add_typer(car_app, name="car")
app.add_typer(block_app, name="block")

console = Console(stderr=True)
_CHUNKER = re.compile(r"^size-(\d+)$")


def default_repo() -> Path:
    """``$DEEPSHARD_IPFS_PATH``, else ``~/.deepshard/ipfs``."""
    env = os.environ.get("DEEPSHARD_IPFS_PATH")
    return Path(env) if env else Path.home() / ".deepshard" / "ipfs"


@dataclass(slots=True)
class Options:
    """The group options every command sees."""

    repo: Path
    api: str | None
    gateway: str | None
    json: bool


@app.callback()
def _group(
    ctx: typer.Context,
    repo: Annotated[
        Path | None, typer.Option(help="Embedded store directory [env DEEPSHARD_IPFS_PATH].")
    ] = None,
    api: Annotated[
        str | None, typer.Option(help="Use a Kubo node's RPC API, e.g. http://127.0.0.1:5001.")
    ] = None,
    gateway: Annotated[
        str | None, typer.Option(help="Read through a trustless gateway, e.g. https://ipfs.io.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    if api and gateway:
        raise typer.BadParameter("give --api or --gateway, not both")
    ctx.obj = Options(repo or default_repo(), api, gateway, json_output)


@asynccontextmanager
async def _store(opts: Options) -> AsyncIterator[Any]:
    if opts.api:
        async with KuboRpcStore(opts.api) as kubo:
            yield kubo
    elif opts.gateway:
        async with GatewayReader(opts.gateway) as reader:
            yield reader
    else:
        store = EmbeddedStore(opts.repo)
        try:
            yield store
        finally:
            store.close()


def _run(opts: Options, work: Callable[[Any], Awaitable[T]]) -> T:
    async def main() -> T:
        async with _store(opts) as store:
            return await work(store)

    try:
        return asyncio.run(main())
    except ContentError as exc:
        if opts.json:
            error = {
                "type": type(exc).__name__,
                "message": exc.reason,
                "cid": exc.cid,
                "backend": exc.backend,
            }
            typer.echo(json.dumps({"error": error}))
        else:
            console.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def _emit(opts: Options, payload: Any, lines: list[str]) -> None:
    if opts.json:
        typer.echo(json.dumps(payload))
    else:
        for line in lines:
            typer.echo(line)


def _target(text: str) -> tuple[CID, str]:
    head, _, rest = text.removeprefix("/ipfs/").partition("/")
    try:
        return parse_cid(head), rest
    except ContentError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _profile(
    name: str, cid_version: int | None, raw_leaves: bool | None, chunker: str | None
) -> ImportProfile:
    if name not in PROFILES:
        raise typer.BadParameter(f"unknown profile {name!r}; known: {', '.join(PROFILES)}")
    size = None
    if chunker is not None:
        match = _CHUNKER.match(chunker)
        if match is None:
            raise typer.BadParameter("the chunker must be size-N (fixed-size chunks of N bytes)")
        size = int(match.group(1))
    try:
        return PROFILES[name].with_options(
            cid_version=cid_version, raw_leaves=raw_leaves, chunk_size=size
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _progress(total: int) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=total < 8 * 1024 * 1024 or not console.is_terminal,
    )


def _tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@app.command()
def add(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to add.")],
    *,
    recursive: Annotated[bool, typer.Option("-r", "--recursive", help="Add directories.")] = False,
    wrap: Annotated[
        bool, typer.Option("-w", "--wrap-with-directory", help="Wrap in a directory.")
    ] = False,
    cid_version: Annotated[
        int | None, typer.Option(help="CID version (1 implies --raw-leaves, as in Kubo).")
    ] = None,
    raw_leaves: Annotated[
        bool | None, typer.Option("--raw-leaves/--no-raw-leaves", help="Raw leaf blocks.")
    ] = None,
    chunker: Annotated[str | None, typer.Option(help="Chunker: size-N.")] = None,
    profile: Annotated[
        str, typer.Option(help="unixfs-v0-2015 (Kubo's default) or unixfs-v1-2025.")
    ] = "unixfs-v0-2015",
    only_hash: Annotated[
        bool, typer.Option("-n", "--only-hash", help="Compute CIDs, store nothing.")
    ] = False,
    hidden: Annotated[bool, typer.Option("-H", "--hidden", help="Include dot-files.")] = False,
    pin: Annotated[bool, typer.Option("--pin/--no-pin", help="Pin what is added.")] = True,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only CIDs.")] = False,
) -> None:
    """Add files or directories; print one ``added CID NAME`` line per entry.

    Examples:
        1. deepshard ipfs add model.safetensors
        2. deepshard ipfs add -r --cid-version 1 ./batch-17
        3. deepshard ipfs add -n --profile unixfs-v1-2025 data.bin
    """
    opts: Options = ctx.obj
    chosen = _profile(profile, cid_version, raw_leaves, chunker)
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise typer.BadParameter(f"{path}: no such file or directory")
        if path.is_dir() and not recursive:
            raise typer.BadParameter(f"{path} is a directory, use the '-r' flag")
    total = sum(_tree_size(p) for p in paths)

    async def work(store: Any) -> list[AddedEntry]:
        found: list[AddedEntry] = []
        with _progress(total) as bar:
            task = bar.add_task("adding", total=total)

            def advance(n: int) -> None:
                bar.update(task, advance=n)

            for path in paths:
                if only_hash:
                    found += await asyncio.to_thread(
                        import_path, path, chosen, DiscardSink(), wrap=wrap, hidden=hidden
                    )
                elif isinstance(store, EmbeddedStore):
                    found += await store.add_path(
                        path, profile=chosen, pin=pin, wrap=wrap, hidden=hidden, progress=advance
                    )
                else:
                    found += await store.add_path(
                        path, profile=chosen, pin=pin, wrap=wrap, hidden=hidden
                    )
        return found

    entries = _run(opts, work)
    payload = [
        {"name": e.name, "cid": str(e.cid), "size": e.size, "cumulativeSize": e.tsize}
        for e in entries
    ]
    lines = [str(e.cid) if quiet else f"added {e.cid} {e.name}".rstrip() for e in entries]
    _emit(opts, payload, lines)


@app.command()
def cat(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="CID or /ipfs/CID/path of a file.")],
    offset: Annotated[int, typer.Option(min=0, help="Byte to start at.")] = 0,
    length: Annotated[int | None, typer.Option(min=0, help="Bytes to print at most.")] = None,
) -> None:
    """Write a file's bytes to standard output (every block verified).

    Examples:
        1. deepshard ipfs cat QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o
        2. deepshard ipfs --gateway https://ipfs.io cat bafy.../weights.safetensors > w
    """
    opts: Options = ctx.obj
    root, path = _target(target)

    async def work(store: Any) -> None:
        cid = await resolve_path(store, root, path, store.bounds)
        out = sys.stdout.buffer
        async for piece in store.cat(cid, offset=offset, length=length):
            out.write(piece)
        out.flush()

    _run(opts, work)


async def _get_into(store: Any, cid: CID, dest: Path, bar: Progress, task: Any) -> int:
    if dest.is_symlink():
        # A DAG could name an entry twice, first as a symlink: never write through one.
        raise ContentError(f"refusing to write through the symlink {dest}", cid=str(cid))
    block = await store.get_block(cid)
    node = decode_block(cid, block, store.name)
    kind = node.unixfs.type if node.unixfs else None
    if kind in (DataType.DIRECTORY, DataType.HAMT_SHARD):
        dest.mkdir(parents=True, exist_ok=True)
        total = 0
        entries = await list_directory(store, cid, store.bounds)
        if len({name for name, _, _ in entries}) != len(entries):
            raise ContentError("directory names an entry twice", cid=str(cid))
        for name, child, _size in entries:
            if name in ("", ".", "..") or "/" in name or "\\" in name:
                raise ContentError(f"unsafe entry name {name!r}", cid=str(cid))
            total += await _get_into(store, child, dest / name, bar, task)
        return total
    if kind is DataType.SYMLINK:
        assert node.unixfs is not None
        dest.symlink_to(os.fsdecode(node.unixfs.data or b""))
        return 0
    bar.update(task, total=(bar.tasks[0].total or 0) + file_size(node))
    partial = dest.with_name(dest.name + ".partial")
    written = 0
    try:
        with partial.open("wb") as fh:
            async for piece in store.cat(cid):
                fh.write(piece)
                written += len(piece)
                bar.update(task, advance=len(piece))
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return written


@app.command()
def get(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="CID or /ipfs/CID/path.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write.")] = None,
) -> None:
    """Download a file or directory tree (files land whole or not at all).

    Examples:
        1. deepshard ipfs get QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o -o hello.txt
        2. deepshard ipfs --api http://127.0.0.1:5001 get bafy... -o ./batch
    """
    opts: Options = ctx.obj
    root, path = _target(target)
    dest = output or Path(path.rsplit("/", 1)[-1] if path else str(root))
    if dest.exists() and not dest.is_dir():
        raise typer.BadParameter(f"{dest} exists")

    async def work(store: Any) -> int:
        cid = await resolve_path(store, root, path, store.bounds)
        with _progress(16 * 1024 * 1024 if console.is_terminal else 0) as bar:
            task = bar.add_task("fetching", total=0)
            return await _get_into(store, cid, dest, bar, task)

    written = _run(opts, work)
    _emit(opts, {"path": str(dest), "bytes": written}, [f"Saved {written} bytes to {dest}"])


@app.command()
def fetch(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="CID to copy into the embedded store.")],
    pin: Annotated[bool, typer.Option("--pin/--no-pin", help="Pin it once complete.")] = True,
) -> None:
    """Copy a DAG from --gateway or --api into the embedded store, verified and bounded.

    A broken, hostile or oversized DAG leaves nothing behind.

    Examples:
        1. deepshard ipfs --gateway https://ipfs.io fetch bafy...
    """
    opts: Options = ctx.obj
    if not (opts.api or opts.gateway):
        raise typer.BadParameter("fetch needs a source: --gateway URL or --api URL")
    cid, _ = _target(target)

    async def work(source: Any) -> int:
        local = EmbeddedStore(opts.repo)
        try:
            with console.status(f"fetching {cid}", spinner="dots"):
                return await local.fetch(cid, source, pin=pin)
        finally:
            local.close()

    total = _run(opts, work)
    _emit(opts, {"cid": str(cid), "bytes": total}, [f"fetched {cid} ({total} bytes)"])


@pin_app.command("add")
def pin_add(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="CID to pin.")],
    recursive: Annotated[
        bool, typer.Option("--recursive/--direct", help="Pin the whole DAG.")
    ] = True,
) -> None:
    """Pin a CID (recursively: every block under it must be present and sound)."""
    opts: Options = ctx.obj
    cid, _ = _target(target)
    _run(opts, lambda s: s.pin_add(cid, recursive=recursive))
    _emit(
        opts, {"pins": [str(cid)]}, [f"pinned {cid} {'recursively' if recursive else 'directly'}"]
    )


@pin_app.command("rm")
def pin_rm(
    ctx: typer.Context, target: Annotated[str, typer.Argument(help="CID to unpin.")]
) -> None:
    """Remove a pin (the blocks stay until `deepshard ipfs gc`)."""
    opts: Options = ctx.obj
    cid, _ = _target(target)
    _run(opts, lambda s: s.pin_rm(cid))
    _emit(opts, {"pins": [str(cid)]}, [f"unpinned {cid}"])


@pin_app.command("ls")
def pin_ls(
    ctx: typer.Context,
    target: Annotated[str | None, typer.Argument(help="Show how this CID is pinned.")] = None,
) -> None:
    """List pins."""
    opts: Options = ctx.obj
    cid = _target(target)[0] if target else None
    pins = _run(opts, lambda s: s.pin_ls(cid))
    _emit(
        opts,
        [{"cid": str(p.cid), "type": p.type.value} for p in pins],
        [f"{p.cid} {p.type.value}" for p in pins],
    )


@app.command()
def gc(ctx: typer.Context) -> None:
    """Delete every block no pin reaches (in the embedded store, or the node's with --api).

    While `deepshard ipfs daemon` serves a repo, collect through it (`--api URL gc`): it keeps
    the blocks of adds still in flight, which another process cannot see.
    """
    opts: Options = ctx.obj
    if opts.gateway:
        raise typer.BadParameter("a gateway has nothing to collect")
    removed = _run(opts, lambda s: s.gc())
    _emit(opts, {"removed": len(removed)}, [f"removed {len(removed)} blocks"])


@car_app.command("export")
def car_export(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Root CID.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CAR file to write.")],
) -> None:
    """Write the DAG under a CID as a CAR v1 file (blocks verified on the way)."""
    opts: Options = ctx.obj
    cid, _ = _target(target)

    async def work(store: Any) -> int:
        partial = output.with_name(output.name + ".partial")
        size = 0
        try:
            with partial.open("wb") as fh:
                async for piece in store.export_car(cid):
                    fh.write(piece)
                    size += len(piece)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
        return size

    size = _run(opts, work)
    _emit(opts, {"cid": str(cid), "path": str(output), "bytes": size}, [f"wrote {output}"])


@car_app.command("import")
def car_import(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="CAR files.")],
    pin: Annotated[bool, typer.Option("--pin-roots/--no-pin-roots", help="Pin roots.")] = True,
) -> None:
    """Import CAR files: every block verified, roots pinned once their DAGs are complete."""
    opts: Options = ctx.obj

    async def work(store: Any) -> list[CID]:
        roots: list[CID] = []
        for file in files:

            async def chunks(path: Path = file) -> AsyncIterator[bytes]:
                with path.open("rb") as fh:
                    while piece := fh.read(1024 * 1024):
                        yield piece

            roots += await store.import_car(chunks(), pin=pin)
        return roots

    roots = _run(opts, work)
    _emit(opts, {"roots": [str(r) for r in roots]}, [f"imported root {r}" for r in roots])


@block_app.command("stat")
def block_stat(ctx: typer.Context, target: Annotated[str, typer.Argument(help="CID.")]) -> None:
    """A block's size."""
    opts: Options = ctx.obj
    cid, _ = _target(target)
    found = _run(opts, lambda s: s.stat_block(cid))
    if opts.json:
        typer.echo(json.dumps({"Key": str(found.cid), "Size": found.size}))
        return
    table = Table(show_header=False, box=None)
    table.add_row("Key", str(found.cid))
    table.add_row("Size", str(found.size))
    Console().print(table)


@block_app.command("get")
def block_get(ctx: typer.Context, target: Annotated[str, typer.Argument(help="CID.")]) -> None:
    """Write a block's raw bytes (verified) to standard output."""
    opts: Options = ctx.obj
    cid, _ = _target(target)
    data = _run(opts, lambda s: s.get_block(cid))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@block_app.command("put")
def block_put(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="File holding the block.")],
    codec: Annotated[str, typer.Option(help="raw or dag-pb.")] = "raw",
) -> None:
    """Store one block and print its CID."""
    opts: Options = ctx.obj
    if codec not in ("raw", "dag-pb"):
        raise typer.BadParameter("codec must be raw or dag-pb")
    data = file.read_bytes()
    code = RAW if codec == "raw" else 0x70
    cid = _run(opts, lambda s: s.put_block(data, codec=code))
    _emit(opts, {"Key": str(cid), "Size": len(data)}, [str(cid)])


@app.command()
def daemon(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (Kubo's RPC port).")] = 5001,
    allow_origin: Annotated[
        list[str] | None, typer.Option(help="Browser origins allowed to use the RPC.")
    ] = None,
) -> None:
    """Serve the embedded store: Kubo's RPC under /api/v0 and a trustless gateway under /ipfs.

    Examples:
        1. deepshard ipfs daemon
        2. deepshard ipfs --repo /srv/ipfs daemon --host 0.0.0.0 --port 8080
    """
    opts: Options = ctx.obj
    if opts.api or opts.gateway:
        raise typer.BadParameter("the daemon serves the embedded store; drop --api/--gateway")
    config = DaemonConfig(host=host, port=port, allowed_origins=tuple(allow_origin or ()))
    store = EmbeddedStore(opts.repo)

    def ready(url: str) -> None:
        if opts.json:
            typer.echo(json.dumps({"api": f"{url}/api/v0", "gateway": f"{url}/ipfs"}))
        else:
            typer.echo(f"RPC API server listening on {url}/api/v0")
            typer.echo(f"Gateway server listening on {url}/ipfs")
            typer.echo("Daemon is ready")
        sys.stdout.flush()

    try:
        asyncio.run(serve(store, config, ready=ready))
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
