"""What the Kubo RPC backend and the gateway reader share: an httpx client, bounded reads.

Both are remote and untrusted: every response body is read with a byte cap, transport failures
become `BackendUnavailable`, and everything read goes through the same verified DAG walks as the
embedded store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from deepshard.offchain_workers.content.cids import CID
from deepshard.offchain_workers.content.errors import BackendUnavailable, BoundsExceeded

__all__ = ["read_capped", "stream_body", "transport_errors"]

transport_errors = (httpx.TransportError, httpx.StreamError)
"""httpx failures that mean the backend could not be reached or broke off."""


async def read_capped(
    response: httpx.Response, limit: int, *, cid: CID | None, backend: str
) -> bytes:
    """The whole body of a streamed response, refusing more than ``limit`` bytes.

    Raises:
        BoundsExceeded: the body (or its declared length) is larger than ``limit``.
        BackendUnavailable: the connection broke.
    """
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BoundsExceeded(
            f"response of {declared} bytes exceeds {limit}",
            cid=str(cid) if cid else None,
            backend=backend,
        )
    body = bytearray()
    try:
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) > limit:
                raise BoundsExceeded(
                    f"response exceeds {limit} bytes",
                    cid=str(cid) if cid else None,
                    backend=backend,
                )
    except transport_errors as exc:
        raise BackendUnavailable(f"connection broke: {exc}", backend=backend) from exc
    return bytes(body)


async def stream_body(response: httpx.Response, backend: str) -> AsyncIterator[bytes]:
    """The body of a streamed response, chunk by chunk."""
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except transport_errors as exc:
        raise BackendUnavailable(f"connection broke: {exc}", backend=backend) from exc
