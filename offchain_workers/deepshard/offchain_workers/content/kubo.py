"""The Kubo RPC backend: plain HTTP ``POST /api/v0/*`` to a Kubo node (or our daemon).

Nothing Kubo says is taken on trust: blocks are fetched with ``block/get`` and hashed against
their CIDs, files are read by walking their DAG block by block (never with an unverified
``cat``), CAR exports are checked block by block as they stream, and the CID Kubo reports for an
add is recomputed here from the same bytes.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from deepshard.offchain_workers.content.car import encode_header, encode_section
from deepshard.offchain_workers.content.cids import CID, RAW, block_cid, parse_cid, verify_block
from deepshard.offchain_workers.content.dag import iter_file, verified_car_blocks
from deepshard.offchain_workers.content.embedded import import_path
from deepshard.offchain_workers.content.errors import (
    BackendUnavailable,
    BlockNotFound,
    CidMismatch,
    ContentError,
    PinNotFound,
)
from deepshard.offchain_workers.content.importer import DiscardSink, import_bytes
from deepshard.offchain_workers.content.profiles import ImportProfile
from deepshard.offchain_workers.content.remote import read_capped, stream_body, transport_errors
from deepshard.offchain_workers.content.store import (
    DEFAULT_PROFILE,
    AddedEntry,
    BlockStat,
    Bounds,
    Pin,
    PinType,
)

__all__ = ["KuboRpcStore"]


def _add_params(profile: ImportProfile, *, pin: bool, wrap: bool) -> dict[str, str]:
    return {
        "cid-version": str(profile.cid_version),
        "raw-leaves": str(profile.raw_leaves).lower(),
        "chunker": f"size-{profile.chunk_size}",
        "pin": str(pin).lower(),
        "wrap-with-directory": str(wrap).lower(),
        "stream-channels": "true",
    }


class KuboRpcStore:
    """A `ContentStore` backed by a Kubo node's RPC API (``http://127.0.0.1:5001`` by default)."""

    def __init__(
        self,
        api_url: str = "http://127.0.0.1:5001",
        *,
        bounds: Bounds | None = None,
        timeout: float = 60.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.name = f"kubo-rpc {self.api_url}"
        self.bounds = bounds or Bounds()
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def __aenter__(self) -> KuboRpcStore:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # --- transport --------------------------------------------------------------------------

    def _request(self, command: str, params: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self._client.stream(
            "POST", f"{self.api_url}/api/v0/{command}", params=params or {}, **kwargs
        )

    async def _raise_for(self, response: httpx.Response, cid: CID | None) -> None:
        if response.status_code == 200:
            return
        body = await read_capped(response, 64 * 1024, cid=cid, backend=self.name)
        try:
            message = str(json.loads(body).get("Message", ""))
        except ValueError:
            message = body.decode(errors="replace").strip()
        shown = str(cid) if cid else None
        lowered = message.lower()
        if "not pinned" in lowered:
            raise PinNotFound(message, cid=shown, backend=self.name)
        if response.status_code == 404 or "not found" in lowered or "not in the store" in lowered:
            raise BlockNotFound(message or "not found", cid=shown, backend=self.name)
        raise BackendUnavailable(
            f"HTTP {response.status_code}: {message[:500]}", cid=shown, backend=self.name
        )

    async def _json(
        self, command: str, params: dict[str, str], *, cid: CID | None = None, **kwargs: Any
    ) -> Any:
        try:
            async with self._request(command, params, **kwargs) as response:
                await self._raise_for(response, cid)
                body = await read_capped(response, 64 * 1024 * 1024, cid=cid, backend=self.name)
        except transport_errors as exc:
            raise BackendUnavailable(f"cannot reach the node: {exc}", backend=self.name) from exc
        try:
            return [json.loads(line) for line in body.splitlines() if line.strip()]
        except ValueError as exc:
            raise BackendUnavailable(f"{command}: not JSON", backend=self.name) from exc

    async def version(self) -> dict[str, Any]:
        """The node's ``/api/v0/version`` answer."""
        found = await self._json("version", {})
        return dict(found[0]) if found else {}

    # --- blocks -----------------------------------------------------------------------------

    async def get_block(self, cid: CID, bounds: Bounds | None = None) -> bytes:
        """``block/get``, capped at the block-size bound and verified."""
        limit = (bounds or self.bounds).max_block_size
        try:
            async with self._request("block/get", {"arg": str(cid)}) as response:
                await self._raise_for(response, cid)
                data = await read_capped(response, limit, cid=cid, backend=self.name)
        except transport_errors as exc:
            raise BackendUnavailable(f"cannot reach the node: {exc}", backend=self.name) from exc
        verify_block(cid, data, self.name)
        return data

    async def put_block(self, data: bytes, *, codec: int, version: int = 1) -> CID:
        """``block/put``; the CID the node reports must equal ours."""
        expected = block_cid(data, codec=codec, version=version)
        params = {"cid-codec": "raw" if codec == RAW else "dag-pb", "mhtype": "sha2-256"}
        found = await self._json("block/put", params, files={"data": ("data", data)})
        reported = parse_cid(found[0]["Key"]) if found else None
        if reported is None or reported.digest != expected.digest:
            raise CidMismatch(f"node stored {reported}", cid=str(expected), backend=self.name)
        return expected

    async def stat_block(self, cid: CID) -> BlockStat:
        """``block/stat``."""
        found = await self._json("block/stat", {"arg": str(cid)}, cid=cid)
        return BlockStat(cid, int(found[0]["Size"]))

    async def has(self, cid: CID) -> bool:
        """``block/stat`` offline: whether the node holds the block without fetching it."""
        try:
            await self._json("block/stat", {"arg": str(cid), "offline": "true"}, cid=cid)
        except BlockNotFound:
            return False
        return True

    # --- files ------------------------------------------------------------------------------

    async def _add(
        self, files: list[tuple[str, tuple[str, Any, str]]], params: dict[str, str]
    ) -> list[AddedEntry]:
        found = await self._json("add", params, files=files)
        for line in found:
            if line.get("Type") == "error":
                raise BackendUnavailable(f"add failed: {line.get('Message')}", backend=self.name)
        return [
            AddedEntry(e["Name"], parse_cid(e["Hash"]), int(e.get("Size", 0)), 0)
            for e in found
            if "Hash" in e
        ]

    async def add_bytes(
        self, data: bytes, *, profile: ImportProfile = DEFAULT_PROFILE, pin: bool = True
    ) -> AddedEntry:
        """``add`` of one file; its CID must equal the one computed here."""
        expected = await asyncio.to_thread(import_bytes, data, profile)
        params = _add_params(profile, pin=pin, wrap=False)
        entries = await self._add([("file", ("", data, "application/octet-stream"))], params)
        if not entries or entries[-1].cid != expected.cid:
            got = entries[-1].cid if entries else None
            raise CidMismatch(f"node computed {got}", cid=str(expected.cid), backend=self.name)
        return AddedEntry(str(expected.cid), expected.cid, expected.tsize, expected.size)

    async def add_path(
        self,
        path: Path,
        *,
        profile: ImportProfile = DEFAULT_PROFILE,
        pin: bool = True,
        wrap: bool = False,
        hidden: bool = False,
    ) -> list[AddedEntry]:
        """``add`` of a file or tree, streamed from disk; every CID is checked against ours."""
        ours = await asyncio.to_thread(
            import_path, path, profile, DiscardSink(), wrap=wrap, hidden=hidden
        )
        files: list[tuple[str, tuple[str, Any, str]]] = []
        handles = []
        try:
            if path.is_dir() and not path.is_symlink():
                for dirpath, dirnames, filenames in sorted_walk(path, hidden=hidden):
                    rel = Path(dirpath).relative_to(path.parent).as_posix()
                    files.append(("file", (quote(rel, safe=""), b"", "application/x-directory")))
                    del dirnames
                    for name in filenames:
                        fh = (Path(dirpath) / name).open("rb")
                        handles.append(fh)
                        target = quote(f"{rel}/{name}", safe="")
                        files.append(("file", (target, fh, "application/octet-stream")))
            else:
                fh = path.open("rb")
                handles.append(fh)
                files.append(("file", (quote(path.name, safe=""), fh, "application/octet-stream")))
            theirs = await self._add(files, _add_params(profile, pin=pin, wrap=wrap))
        finally:
            for fh in handles:
                fh.close()
        reported = {e.name: e.cid for e in theirs}
        for entry in ours:
            if reported.get(entry.name) != entry.cid:
                raise CidMismatch(
                    f"node computed {reported.get(entry.name)} for {entry.name!r}",
                    cid=str(entry.cid),
                    backend=self.name,
                )
        return ours

    def cat(
        self, cid: CID, *, offset: int = 0, length: int | None = None, bounds: Bounds | None = None
    ) -> AsyncIterator[bytes]:
        """The file's bytes, walked block by block with ``block/get`` (each verified)."""
        return iter_file(self, cid, bounds or self.bounds, offset=offset, length=length)

    # --- pins ---------------------------------------------------------------------------------

    async def pin_add(
        self, cid: CID, *, recursive: bool = True, bounds: Bounds | None = None
    ) -> None:
        """``pin/add``."""
        del bounds
        await self._json("pin/add", {"arg": str(cid), "recursive": str(recursive).lower()}, cid=cid)

    async def pin_rm(self, cid: CID) -> None:
        """``pin/rm``."""
        await self._json("pin/rm", {"arg": str(cid)}, cid=cid)

    async def pin_ls(self, cid: CID | None = None) -> list[Pin]:
        """``pin/ls`` (streamed NDJSON), recursive and direct pins, or one CID's pin."""
        params = {"stream": "true"}
        if cid is not None:
            params["arg"] = str(cid)
        else:
            params["type"] = "all"
        try:
            found = await self._json("pin/ls", params, cid=cid)
        except BackendUnavailable as exc:
            if cid is not None and "not pinned" in str(exc):
                raise PinNotFound("not pinned", cid=str(cid), backend=self.name) from exc
            raise
        pins: list[Pin] = []
        for line in found:
            if "Keys" in line:
                pins += [Pin(parse_cid(k), PinType(v["Type"])) for k, v in line["Keys"].items()]
            else:
                pins.append(Pin(parse_cid(line["Cid"]), PinType(line["Type"].split()[0])))
        if cid is None:
            pins = [p for p in pins if p.type is not PinType.INDIRECT]
        return pins

    async def gc(self) -> list[CID]:
        """``repo/gc`` on the node; the CIDs of the blocks it removed."""
        found = await self._json("repo/gc", {"stream-errors": "true"})
        errors = [line["Error"] for line in found if line.get("Error")]
        if errors:
            raise BackendUnavailable(f"repo/gc: {errors[0]}", backend=self.name)
        return [parse_cid(line["Key"]["/"]) for line in found if "Key" in line]

    # --- CAR ----------------------------------------------------------------------------------

    async def iter_dag(
        self, cid: CID, bounds: Bounds | None = None
    ) -> AsyncIterator[tuple[CID, bytes]]:
        """The DAG under ``cid`` from ``dag/export``, every block checked as it streams."""
        try:
            async with self._request("dag/export", {"arg": str(cid)}) as response:
                await self._raise_for(response, cid)
                async for item in verified_car_blocks(
                    stream_body(response, self.name), cid, bounds or self.bounds, self.name
                ):
                    yield item
        except transport_errors as exc:
            raise BackendUnavailable(f"cannot reach the node: {exc}", backend=self.name) from exc

    async def export_car(self, cid: CID, *, bounds: Bounds | None = None) -> AsyncIterator[bytes]:
        """``dag/export`` re-emitted after verification."""
        yield encode_header([cid])
        async for child, data in self.iter_dag(cid, bounds):
            yield encode_section(child, data)

    async def import_car(
        self, chunks: AsyncIterable[bytes], *, pin: bool = True, bounds: Bounds | None = None
    ) -> list[CID]:
        """``dag/import`` of a CAR stream (sent as it is read); the node pins the roots."""
        del bounds
        boundary = f"deepshard-{secrets.token_hex(12)}"

        async def body() -> AsyncIterator[bytes]:
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="car"\r\nContent-Type: application/vnd.ipld.car\r\n\r\n'
            ).encode()
            async for chunk in chunks:
                yield chunk
            yield f"\r\n--{boundary}--\r\n".encode()

        found = await self._json(
            "dag/import",
            {"pin-roots": str(pin).lower()},
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        roots = []
        for line in found:
            root = line.get("Root")
            if root is None:
                continue
            if root.get("PinErrorMsg"):
                raise ContentError(root["PinErrorMsg"], cid=root["Cid"]["/"], backend=self.name)
            roots.append(parse_cid(root["Cid"]["/"]))
        return roots


def sorted_walk(path: Path, *, hidden: bool) -> list[tuple[str, list[str], list[str]]]:
    """``os.walk`` in name order, skipping dot-files unless ``hidden`` (as `import_path` does)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if hidden or not d.startswith("."))
        out.append(
            (dirpath, dirnames, sorted(f for f in filenames if hidden or not f.startswith(".")))
        )
    return out
