"""`deepshard ipfs daemon`: the embedded store served over HTTP, as Kubo's RPC and as a gateway.

Two surfaces on one listener:

* ``POST /api/v0/{add,cat,block/get,block/put,block/stat,pin/add,pin/rm,pin/ls,dag/export,
  dag/import,repo/gc,version}`` with Kubo's parameter names, NDJSON/JSON shapes and error bodies
  (``{"Message", "Code", "Type": "error"}``; code 1 is a client error, answered 400, the rest
  500). As in Kubo, the RPC accepts POST only and refuses browser requests (an ``Origin``
  header not in ``allowed_origins``), so a web page cannot drive it.
* ``GET/HEAD /ipfs/{cid}[/path]``: a trustless gateway (``?format=raw|car`` or the
  ``Accept: application/vnd.ipld.raw|car`` headers) that also serves UnixFS files as plain bytes
  with ``Content-Length``, an ``ETag`` and single byte ranges.
"""

from __future__ import annotations

import asyncio
import json
import platform
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from deepshard.offchain_workers.content.car import encode_header, encode_section
from deepshard.offchain_workers.content.cids import CID, DAG_PB, RAW, cid_from_bytes, parse_cid
from deepshard.offchain_workers.content.dag import (
    decode_block,
    file_size,
    list_directory,
    resolve_path,
    walk_dag,
    walk_entity,
)
from deepshard.offchain_workers.content.embedded import READ_SIZE, BatchSink, EmbeddedStore
from deepshard.offchain_workers.content.errors import (
    BlockNotFound,
    BoundsExceeded,
    ContentError,
    InvalidCid,
    NoSuchLink,
)
from deepshard.offchain_workers.content.importer import (
    BlockSink,
    DirectoryBuilder,
    DiscardSink,
    FileBuilder,
)
from deepshard.offchain_workers.content.profiles import (
    DEFAULT_PROFILE_NAME,
    PROFILES,
    ImportProfile,
)
from deepshard.offchain_workers.content.store import Bounds
from deepshard.offchain_workers.content.unixfs import DataType

__all__ = ["DaemonConfig", "build_app", "serve", "CODE_CLIENT", "CODE_NORMAL"]

CODE_NORMAL = 0
"""Kubo's error code for a server-side failure (HTTP 500)."""
CODE_CLIENT = 1
"""Kubo's error code for a bad request (HTTP 400)."""
_HTTP = {CODE_NORMAL: 500, CODE_CLIENT: 400}

RAW_TYPE = "application/vnd.ipld.raw"
CAR_TYPE = "application/vnd.ipld.car"
_CHUNKER = re.compile(r"^size-(\d+)$")


@dataclass(frozen=True, slots=True)
class DaemonConfig:
    """Where the daemon listens and what it accepts."""

    host: str = "127.0.0.1"
    port: int = 5001
    allowed_origins: tuple[str, ...] = ()
    bounds: Bounds = field(default_factory=Bounds)


class RpcError(Exception):
    """An error answered in Kubo's JSON error shape."""

    def __init__(self, message: str, code: int = CODE_NORMAL) -> None:
        super().__init__(message)
        self.code = code


def _rpc_error(exc: Exception) -> web.Response:
    """Kubo's error body: bad arguments are client errors (400), the rest server errors (500)."""
    if isinstance(exc, RpcError):
        code = exc.code
    elif isinstance(exc, InvalidCid):
        code = CODE_CLIENT
    else:
        code = CODE_NORMAL
    body = {"Message": str(exc), "Code": code, "Type": "error"}
    return web.json_response(body, status=_HTTP.get(code, 500))


def _flag(request: web.Request, name: str, default: bool) -> bool:
    value = request.query.get(name)
    if value is None:
        return default
    if value.lower() in ("", "true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise RpcError(f"invalid boolean for {name}: {value!r}", CODE_CLIENT)


def _arg_cid(request: web.Request) -> tuple[CID, str]:
    arg = request.query.get("arg")
    if not arg:
        raise RpcError("argument 'arg' is required", CODE_CLIENT)
    path = arg.removeprefix("/ipfs/")
    head, _, rest = path.partition("/")
    return parse_cid(head), rest


def cid_from_digest_bytes(multihash: bytes) -> CID:
    """A block's CID for display from its stored multihash (as Kubo lists raw blocks: CIDv1)."""
    return cid_from_bytes(b"\x01\x55" + multihash)


def _ndjson(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


class Daemon:
    """The request handlers over one `EmbeddedStore`."""

    def __init__(self, store: EmbeddedStore, config: DaemonConfig) -> None:
        self.store = store
        self.config = config

    # --- RPC ------------------------------------------------------------------------------

    @web.middleware
    async def rpc_guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """POST only on /api/v0, no foreign origins, and Kubo's error shape for failures."""
        if not request.path.startswith("/api/v0/"):
            return await handler(request)
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self.config.allowed_origins:
            return web.Response(status=403, text="403 - Forbidden\n")
        if request.method != "POST":
            return web.Response(status=405, text="405 - Method Not Allowed\n")
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except (ContentError, RpcError, ValueError) as exc:
            return _rpc_error(exc)

    async def version(self, _request: web.Request) -> web.Response:
        """``/api/v0/version``."""
        try:
            ours = version("deepshard")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            ours = "0.0.0"
        return web.json_response(
            {
                "Version": ours,
                "Commit": "deepshard",
                "Repo": "deepshard-lmdb-1",
                "System": f"{platform.machine()}/{platform.system().lower()}",
                "Golang": "",
            }
        )

    def _profile(self, request: web.Request) -> ImportProfile:
        name = request.query.get("cid-profile", DEFAULT_PROFILE_NAME)
        if name not in PROFILES:
            raise RpcError(f"unknown cid-profile {name!r}", CODE_CLIENT)
        base = PROFILES[name]
        cid_version = request.query.get("cid-version")
        chunker = request.query.get("chunker")
        chunk_size = None
        if chunker:
            match = _CHUNKER.match(chunker)
            if match is None:
                raise RpcError(f"unsupported chunker {chunker!r} (only size-N)", CODE_CLIENT)
            chunk_size = int(match.group(1))
        raw = request.query.get("raw-leaves")
        if request.query.get("trickle") in ("true", "1"):
            raise RpcError("the trickle layout is not supported", CODE_CLIENT)
        if request.query.get("hash", "sha2-256") != "sha2-256":
            raise RpcError("only sha2-256 is supported", CODE_CLIENT)
        try:
            return base.with_options(
                cid_version=None if cid_version is None else int(cid_version),
                raw_leaves=None if raw is None else _flag(request, "raw-leaves", False),
                chunk_size=chunk_size,
            )
        except ValueError as exc:
            raise RpcError(str(exc), CODE_CLIENT) from exc

    async def add(self, request: web.Request) -> web.StreamResponse:
        """``/api/v0/add``: multipart files and directories in, NDJSON entries out."""
        profile = self._profile(request)
        pin = _flag(request, "pin", True)
        only_hash = _flag(request, "only-hash", False)
        wrap = _flag(request, "wrap-with-directory", False)
        progress = _flag(request, "progress", False)
        if not request.content_type.startswith("multipart/"):
            raise RpcError("file argument 'path' is required", CODE_CLIENT)
        response = web.StreamResponse(
            headers={"Content-Type": "application/json", "X-Chunked-Output": "1"}
        )
        await response.prepare(request)
        with ExitStack() as stack:
            sink = None if only_hash else stack.enter_context(self.store.writing())
            target: BlockSink = sink if sink is not None else DiscardSink()
            try:
                await self._add_parts(
                    request,
                    response,
                    target,
                    profile,
                    wrap=wrap,
                    pin=pin,
                    progress=progress,
                    sink=sink,
                )
            except (ContentError, RpcError, ValueError) as exc:
                # The status line is gone: the error goes into the stream as a Kubo error object
                # (what Kubo's chunked output carries), after the entries that did succeed.
                await response.write(_ndjson({"Message": str(exc), "Code": 0, "Type": "error"}))
        await response.write_eof()
        return response

    async def _add_parts(
        self,
        request: web.Request,
        response: web.StreamResponse,
        target: BlockSink,
        profile: ImportProfile,
        *,
        wrap: bool,
        pin: bool,
        progress: bool,
        sink: BatchSink | None,
    ) -> None:
        """Import every multipart part, writing one NDJSON line per entry."""
        tree = DirectoryBuilder(profile, target)
        entries: list[tuple[str, Any]] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise RpcError("nested multipart is not supported", CODE_CLIENT)
            path = unquote(part.filename or "").strip("/")
            if part.headers.get("Content-Type", "") == "application/x-directory":
                if path:
                    tree.add_directory(path)
                continue
            builder = FileBuilder(profile, target)
            done = 0
            while chunk := await part.read_chunk(READ_SIZE):
                await asyncio.to_thread(builder.write, chunk)
                done += len(chunk)
                if progress:
                    await response.write(_ndjson({"Name": path, "Bytes": done}))
            entry = await asyncio.to_thread(builder.finish)
            entries.append((path, entry))
            if path:
                tree.add_entry(path, entry)
            name = path or str(entry.cid)
            await response.write(
                _ndjson({"Name": name, "Hash": str(entry.cid), "Size": str(entry.tsize)})
            )
        dirs = tree.finish_all(wrap=wrap)
        roots: list[CID] = []
        for name in sorted(dirs, key=lambda n: (n == "", -n.count("/"), n)):
            if name == "" and not wrap:
                continue
            entry = dirs[name]
            if "/" not in name:
                roots.append(entry.cid)
            await response.write(
                _ndjson({"Name": name, "Hash": str(entry.cid), "Size": str(entry.tsize)})
            )
        if sink is not None:
            await asyncio.to_thread(sink.flush)
            if pin:
                top = (
                    [dirs[""].cid] if wrap else roots + [e.cid for p, e in entries if "/" not in p]
                )
                for cid in top:
                    self.store.record_pin(cid)

    async def cat(self, request: web.Request) -> web.StreamResponse:
        """``/api/v0/cat``: a file's bytes (``offset``/``length`` honoured)."""
        root, path = _arg_cid(request)
        cid = await resolve_path(self.store, root, path, self.config.bounds)
        offset = int(request.query.get("offset", "0"))
        length = request.query.get("length")
        if offset < 0 or (length is not None and int(length) < 0):
            raise RpcError("offset and length must not be negative", CODE_CLIENT)
        stream = self.store.cat(cid, offset=offset, length=None if length is None else int(length))
        first = await anext(aiter(stream), b"")
        response = web.StreamResponse(
            headers={"Content-Type": "text/plain", "X-Stream-Output": "1"}
        )
        await response.prepare(request)
        await self._pump(request, response, first, stream)
        return response

    async def _pump(
        self,
        request: web.Request,
        response: web.StreamResponse,
        first: bytes,
        rest: AsyncIterator[bytes],
    ) -> None:
        # Once bytes have gone out the status is sent; a later failure cuts the stream short
        # (no final chunk), which every HTTP client reports as an error.
        try:
            if first:
                await response.write(first)
            async for piece in rest:
                await response.write(piece)
        except ContentError:
            # Drop the connection without the final chunk: the body is visibly incomplete.
            if request.transport is not None:
                request.transport.abort()
            response.force_close()
            return
        await response.write_eof()

    async def block_get(self, request: web.Request) -> web.Response:
        """``/api/v0/block/get``: one block's bytes."""
        cid, path = _arg_cid(request)
        if path:
            cid = await resolve_path(self.store, cid, path, self.config.bounds)
        data = await self.store.get_block(cid)
        return web.Response(body=data, content_type="application/octet-stream")

    async def block_stat(self, request: web.Request) -> web.Response:
        """``/api/v0/block/stat``: ``{"Key", "Size"}``."""
        cid, _ = _arg_cid(request)
        found = await self.store.stat_block(cid)
        return web.json_response({"Key": str(found.cid), "Size": found.size})

    async def block_put(self, request: web.Request) -> web.Response:
        """``/api/v0/block/put``: store the multipart file part as one block."""
        codec_name = request.query.get("cid-codec") or request.query.get("format") or "raw"
        codecs = {"raw": RAW, "dag-pb": DAG_PB, "protobuf": DAG_PB, "v0": DAG_PB}
        if codec_name not in codecs:
            raise RpcError(f"unsupported cid-codec {codec_name!r}", CODE_CLIENT)
        if request.query.get("mhtype", "sha2-256") != "sha2-256":
            raise RpcError("only sha2-256 is supported", CODE_CLIENT)
        data = await _single_part(request, self.config.bounds.max_block_size)
        codec = codecs[codec_name]
        version_ = 0 if codec_name in ("v0", "protobuf") else 1
        if codec == DAG_PB:
            decode_block(CID("base32", 1, DAG_PB, b"\x00\x00"), data, "block/put")
        cid = await self.store.put_block(data, codec=codec, version=version_)
        if _flag(request, "pin", False):
            await self.store.pin_add(cid, recursive=False)
        return web.json_response({"Key": str(cid), "Size": len(data)})

    async def pin_add(self, request: web.Request) -> web.Response:
        """``/api/v0/pin/add``: ``{"Pins": [cid]}``."""
        root, path = _arg_cid(request)
        cid = await resolve_path(self.store, root, path, self.config.bounds)
        await self.store.pin_add(cid, recursive=_flag(request, "recursive", True))
        return web.json_response({"Pins": [str(cid)]})

    async def pin_rm(self, request: web.Request) -> web.Response:
        """``/api/v0/pin/rm``: ``{"Pins": [cid]}``."""
        cid, _ = _arg_cid(request)
        await self.store.pin_rm(cid)
        return web.json_response({"Pins": [str(cid)]})

    async def pin_ls(self, request: web.Request) -> web.Response:
        """``/api/v0/pin/ls``: NDJSON ``{"Cid", "Type"}`` with ``stream``, else ``{"Keys"}``."""
        wanted = request.query.get("type", "all")
        if wanted not in ("all", "recursive", "direct", "indirect"):
            raise RpcError(f"invalid type {wanted!r}", CODE_CLIENT)
        args = request.query.getall("arg", [])
        pins = []
        if args:
            for arg in args:
                pins += await self.store.pin_ls(parse_cid(arg.removeprefix("/ipfs/")))
        else:
            pins = await self.store.pin_ls()
        pins = [p for p in pins if wanted in ("all", p.type.value)]
        if _flag(request, "stream", False):
            body = b"".join(_ndjson({"Cid": str(p.cid), "Type": p.type.value}) for p in pins)
            return web.Response(body=body, content_type="application/json")
        return web.json_response({"Keys": {str(p.cid): {"Type": p.type.value} for p in pins}})

    async def repo_gc(self, _request: web.Request) -> web.Response:
        """``/api/v0/repo/gc``: collect unpinned blocks; one ``{"Key": {"/": cid}}`` line each.

        Run here, the collection sees the daemon's own adds in flight and keeps their blocks.
        """
        removed = await self.store.gc()
        body = b"".join(_ndjson({"Key": {"/": str(cid_from_digest_bytes(key))}}) for key in removed)
        return web.Response(body=body, content_type="application/json")

    async def dag_export(self, request: web.Request) -> web.StreamResponse:
        """``/api/v0/dag/export``: the DAG as CAR v1."""
        cid, _ = _arg_cid(request)
        stream = self.store.export_car(cid)
        first = await anext(aiter(stream))
        response = web.StreamResponse(headers={"Content-Type": CAR_TYPE})
        await response.prepare(request)
        await self._pump(request, response, first, stream)
        return response

    async def dag_import(self, request: web.Request) -> web.StreamResponse:
        """``/api/v0/dag/import``: CAR files in, one ``{"Root": …}`` line per root out."""
        pin = _flag(request, "pin-roots", True)
        reader = await request.multipart()
        lines = []
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise RpcError("nested multipart is not supported", CODE_CLIENT)

            async def chunks(p: BodyPartReader = part) -> AsyncIterator[bytes]:
                while chunk := await p.read_chunk(READ_SIZE):
                    yield chunk

            roots = await self.store.import_car(chunks(), pin=pin)
            lines += [_ndjson({"Root": {"Cid": {"/": str(r)}, "PinErrorMsg": ""}}) for r in roots]
        return web.Response(body=b"".join(lines), content_type="application/json")

    # --- gateway ----------------------------------------------------------------------------

    async def gateway(self, request: web.Request) -> web.StreamResponse:
        """``GET/HEAD /ipfs/{cid}[/path]``: raw blocks, CARs, or plain file bytes."""
        try:
            root = parse_cid(request.match_info["cid"])
            path = request.match_info.get("path", "")
            cid = await resolve_path(self.store, root, path, self.config.bounds)
            fmt = request.query.get("format", "")
            accept = request.headers.get("Accept", "")
            if fmt == "raw" or (not fmt and RAW_TYPE in accept):
                return await self._gateway_raw(request, cid)
            if fmt == "car" or (not fmt and CAR_TYPE in accept):
                return await self._gateway_car(request, root, path, cid)
            if fmt:
                return web.Response(status=400, text=f"unsupported format {fmt!r}\n")
            return await self._gateway_file(request, root, path, cid)
        except InvalidCid as exc:
            return web.Response(status=400, text=f"{exc}\n")
        except (BlockNotFound, NoSuchLink) as exc:
            return web.Response(status=404, text=f"{exc}\n")
        except BoundsExceeded as exc:
            return web.Response(status=413, text=f"{exc}\n")
        except ContentError as exc:
            return web.Response(status=502, text=f"{exc}\n")

    def _common(self, cid: CID, etag: str) -> dict[str, str]:
        return {
            "ETag": f'"{etag}"',
            "X-Ipfs-Path": f"/ipfs/{cid}",
            "X-Ipfs-Roots": str(cid),
            "Cache-Control": "public, max-age=29030400, immutable",
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Allow-Origin": "*",
        }

    async def _gateway_raw(self, request: web.Request, cid: CID) -> web.Response:
        data = await self.store.get_block(cid)
        headers = self._common(cid, f"{cid}.raw")
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = RAW_TYPE
        return web.Response(body=None if request.method == "HEAD" else data, headers=headers)

    async def _gateway_car(
        self, request: web.Request, root: CID, path: str, cid: CID
    ) -> web.StreamResponse:
        scope = request.query.get("dag-scope", "all")
        if scope not in ("all", "block", "entity"):
            return web.Response(status=400, text=f"unsupported dag-scope {scope!r}\n")
        headers = self._common(
            root, f"{root}/{path}.car.{scope}" if path else f"{root}.car.{scope}"
        )
        headers["Content-Type"] = f"{CAR_TYPE}; version=1; order=dfs; dups=n"
        if request.method == "HEAD":
            return web.Response(headers=headers)
        # The CAR is rooted at the requested CID and carries the blocks of the path first, so a
        # trustless client can verify every step down to the target.
        proof: list[CID] = []
        await resolve_path(self.store, root, path, self.config.bounds, visited=proof)
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)

        async def sections() -> AsyncIterator[bytes]:
            sent: set[bytes] = set()
            yield encode_header([root])
            for step in proof:
                sent.add(bytes(step))
                yield encode_section(step, await self.store.get_block(step))
            blocks: AsyncIterator[tuple[CID, bytes]]
            if scope == "block":
                blocks = _one_block(self.store, cid)
            elif scope == "entity":
                blocks = walk_entity(self.store, cid, self.config.bounds)
            else:
                blocks = walk_dag(self.store, cid, self.config.bounds)
            async for child, data in blocks:
                if bytes(child) not in sent:
                    sent.add(bytes(child))
                    yield encode_section(child, data)

        stream = sections()
        await self._pump(request, response, await anext(stream), stream)
        return response

    async def _gateway_file(
        self, request: web.Request, root: CID, path: str, cid: CID
    ) -> web.StreamResponse:
        block = await self.store.get_block(cid)
        node = decode_block(cid, block, self.store.name)
        if node.unixfs is not None and node.unixfs.type in (
            DataType.DIRECTORY,
            DataType.HAMT_SHARD,
        ):
            entries = await list_directory(self.store, cid, self.config.bounds)
            index = next((e for e in entries if e[0] == "index.html"), None)
            if index is None:
                rows = "".join(
                    f'<li><a href="/ipfs/{root}/{path + "/" if path else ""}{n}">{n}</a> {s}</li>'
                    for n, _c, s in entries
                )
                headers = self._common(cid, f"DirIndex-{cid}")
                headers["Content-Type"] = "text/html; charset=utf-8"
                return web.Response(text=f"<ul>{rows}</ul>\n", headers=headers)
            cid = index[1]
            node = decode_block(cid, await self.store.get_block(cid), self.store.name)
        total = file_size(node)
        headers = self._common(cid, str(cid))
        headers["Accept-Ranges"] = "bytes"
        headers["Content-Type"] = "application/octet-stream"
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return web.Response(status=304, headers=headers)
        start, end, status = 0, total, 200
        wanted = request.http_range
        if request.headers.get("Range"):
            try:
                first = wanted.start or 0
                last = wanted.stop if wanted.stop is not None else total
                if first < 0:
                    first, last = max(total + first, 0), total
            except ValueError:
                first, last = -1, -1
            if not 0 <= first < total or last <= first:
                headers["Content-Range"] = f"bytes */{total}"
                return web.Response(status=416, headers=headers)
            start, end, status = first, min(last, total), 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{total}"
        headers["Content-Length"] = str(end - start)
        response = web.StreamResponse(status=status, headers=headers)
        if request.method == "HEAD" or start == end:
            await response.prepare(request)
            await response.write_eof()
            return response
        stream = self.store.cat(cid, offset=start, length=end - start)
        first_piece = await anext(aiter(stream), b"")
        await response.prepare(request)
        await self._pump(request, response, first_piece, stream)
        return response


async def _one_block(store: EmbeddedStore, cid: CID) -> AsyncIterator[tuple[CID, bytes]]:
    yield cid, await store.get_block(cid)


async def _single_part(request: web.Request, limit: int) -> bytes:
    reader = await request.multipart()
    part = await reader.next()
    if not isinstance(part, BodyPartReader):
        raise RpcError("file argument 'data' is required", CODE_CLIENT)
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > limit:
            raise BoundsExceeded(f"block larger than {limit} bytes", backend="block/put")
    return bytes(data)


def build_app(store: EmbeddedStore, config: DaemonConfig | None = None) -> web.Application:
    """The aiohttp application serving ``store``."""
    daemon = Daemon(store, config or DaemonConfig())
    app = web.Application(middlewares=[daemon.rpc_guard], client_max_size=1024**4)
    rpc = {
        "add": daemon.add,
        "cat": daemon.cat,
        "block/get": daemon.block_get,
        "block/put": daemon.block_put,
        "block/stat": daemon.block_stat,
        "pin/add": daemon.pin_add,
        "pin/rm": daemon.pin_rm,
        "pin/ls": daemon.pin_ls,
        "dag/export": daemon.dag_export,
        "dag/import": daemon.dag_import,
        "repo/gc": daemon.repo_gc,
        "version": daemon.version,
    }
    for name, handler in rpc.items():
        app.router.add_route("*", f"/api/v0/{name}", handler)
    for route in ("/ipfs/{cid}", "/ipfs/{cid}/{path:.*}"):
        app.router.add_get(route, daemon.gateway)  # HEAD too
    return app


async def serve(
    store: EmbeddedStore,
    config: DaemonConfig,
    *,
    ready: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or the task is cancelled); ``ready`` gets the base URL."""
    runner = web.AppRunner(build_app(store, config), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        del site
        port = runner.addresses[0][1] if runner.addresses else config.port
        if ready is not None:
            ready(f"http://{config.host}:{port}")
        async with asyncio.TaskGroup() as group:
            group.create_task((stop or asyncio.Event()).wait())
    finally:
        await runner.cleanup()
