"""The trustless-gateway reader: ``GET /ipfs/{cid}?format=raw|car`` from any IPFS gateway.

A gateway is read-only and untrusted. Single blocks are fetched as
``application/vnd.ipld.raw`` and hashed against their CIDs; whole DAGs as
``application/vnd.ipld.car`` and checked block by block while they stream (each block must be
asked for by one already received, and none may be missing at the end).
"""

# ruff: noqa: ARG002  (the refused writes keep the ContentStore signatures they refuse)
from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from types import TracebackType

import httpx

from deepshard.offchain_workers.content.car import encode_header, encode_section
from deepshard.offchain_workers.content.cids import CID, verify_block
from deepshard.offchain_workers.content.dag import iter_file, verified_car_blocks
from deepshard.offchain_workers.content.errors import (
    BackendUnavailable,
    BlockNotFound,
    ReadOnlyBackend,
)
from deepshard.offchain_workers.content.profiles import ImportProfile
from deepshard.offchain_workers.content.remote import read_capped, stream_body, transport_errors
from deepshard.offchain_workers.content.store import (
    DEFAULT_PROFILE,
    AddedEntry,
    BlockStat,
    Bounds,
    Pin,
)

__all__ = ["GatewayReader", "RAW_TYPE", "CAR_TYPE"]

RAW_TYPE = "application/vnd.ipld.raw"
"""Media type of a single verified block."""
CAR_TYPE = "application/vnd.ipld.car"
"""Media type of a CAR stream."""


class GatewayReader:
    """A read-only `ContentStore` over a trustless HTTP gateway."""

    def __init__(
        self,
        gateway_url: str,
        *,
        bounds: Bounds | None = None,
        timeout: float = 60.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.gateway_url = gateway_url.rstrip("/")
        self.name = f"gateway {self.gateway_url}"
        self.bounds = bounds or Bounds()
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def __aenter__(self) -> GatewayReader:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _check(self, response: httpx.Response, cid: CID) -> None:
        if response.status_code == 200:
            return
        body = await read_capped(response, 16 * 1024, cid=cid, backend=self.name)
        text = body.decode(errors="replace").strip()[:300]
        if response.status_code in (404, 410):
            raise BlockNotFound(text or "not found", cid=str(cid), backend=self.name)
        raise BackendUnavailable(
            f"HTTP {response.status_code}: {text}", cid=str(cid), backend=self.name
        )

    async def get_block(self, cid: CID, bounds: Bounds | None = None) -> bytes:
        """``GET /ipfs/{cid}?format=raw``, capped and verified."""
        limit = (bounds or self.bounds).max_block_size
        url = f"{self.gateway_url}/ipfs/{cid}"
        try:
            async with self._client.stream(
                "GET", url, params={"format": "raw"}, headers={"Accept": RAW_TYPE}
            ) as response:
                await self._check(response, cid)
                data = await read_capped(response, limit, cid=cid, backend=self.name)
        except transport_errors as exc:
            raise BackendUnavailable(f"cannot reach the gateway: {exc}", backend=self.name) from exc
        verify_block(cid, data, self.name)
        return data

    async def iter_dag(
        self, cid: CID, bounds: Bounds | None = None
    ) -> AsyncIterator[tuple[CID, bytes]]:
        """``GET /ipfs/{cid}?format=car&dag-scope=all``, checked block by block."""
        url = f"{self.gateway_url}/ipfs/{cid}"
        params = {"format": "car", "dag-scope": "all"}
        try:
            async with self._client.stream(
                "GET", url, params=params, headers={"Accept": f"{CAR_TYPE}; version=1"}
            ) as response:
                await self._check(response, cid)
                async for item in verified_car_blocks(
                    stream_body(response, self.name), cid, bounds or self.bounds, self.name
                ):
                    yield item
        except transport_errors as exc:
            raise BackendUnavailable(f"cannot reach the gateway: {exc}", backend=self.name) from exc

    def cat(
        self, cid: CID, *, offset: int = 0, length: int | None = None, bounds: Bounds | None = None
    ) -> AsyncIterator[bytes]:
        """The file's bytes, block by block, each verified."""
        return iter_file(self, cid, bounds or self.bounds, offset=offset, length=length)

    async def export_car(self, cid: CID, *, bounds: Bounds | None = None) -> AsyncIterator[bytes]:
        """The gateway's CAR, re-emitted after verification."""
        yield encode_header([cid])
        async for child, data in self.iter_dag(cid, bounds):
            yield encode_section(child, data)

    async def has(self, cid: CID) -> bool:
        """Whether the gateway serves the block (a HEAD request)."""
        try:
            response = await self._client.head(
                f"{self.gateway_url}/ipfs/{cid}",
                params={"format": "raw"},
                headers={"Accept": RAW_TYPE},
            )
        except transport_errors as exc:
            raise BackendUnavailable(f"cannot reach the gateway: {exc}", backend=self.name) from exc
        return response.status_code == 200

    async def stat_block(self, cid: CID) -> BlockStat:
        """The block's size (fetched and verified: a gateway's headers are not evidence)."""
        return BlockStat(cid, len(await self.get_block(cid)))

    def _read_only(self, what: str) -> ReadOnlyBackend:
        return ReadOnlyBackend(f"a trustless gateway cannot {what}", backend=self.name)

    async def add_bytes(
        self, data: bytes, *, profile: ImportProfile = DEFAULT_PROFILE, pin: bool = True
    ) -> AddedEntry:
        """Refused: gateways are read-only."""
        raise self._read_only("add")

    async def add_path(
        self,
        path: Path,
        *,
        profile: ImportProfile = DEFAULT_PROFILE,
        pin: bool = True,
        wrap: bool = False,
        hidden: bool = False,
    ) -> list[AddedEntry]:
        """Refused: gateways are read-only."""
        raise self._read_only("add")

    async def put_block(self, data: bytes, *, codec: int, version: int = 1) -> CID:
        """Refused: gateways are read-only."""
        raise self._read_only("store blocks")

    async def pin_add(
        self, cid: CID, *, recursive: bool = True, bounds: Bounds | None = None
    ) -> None:
        """Refused: gateways are read-only."""
        raise self._read_only("pin")

    async def pin_rm(self, cid: CID) -> None:
        """Refused: gateways are read-only."""
        raise self._read_only("unpin")

    async def pin_ls(self, cid: CID | None = None) -> list[Pin]:
        """Refused: gateways have no pins to show."""
        raise self._read_only("list pins")

    async def import_car(
        self, chunks: AsyncIterable[bytes], *, pin: bool = True, bounds: Bounds | None = None
    ) -> list[CID]:
        """Refused: gateways are read-only."""
        raise self._read_only("import")
