"""Following finalized heads: the new JSON-RPC spec, the legacy subscription, or polling.

`follow_finalized(client)` yields every finalized block once, in order, whichever way the node
offers:

* ``chainHead_v1_follow`` (paritytech/json-rpc-interface-spec), when ``rpc_methods`` lists it:
  notifications ``chainHead_v1_followEvent`` carry ``initialized`` (the finalized block(s)),
  ``newBlock``, ``bestBlockChanged``, ``finalized`` (``finalizedBlockHashes`` in increasing
  order, ``prunedBlockHashes``) and ``stop``. Every reported block stays pinned until the
  client calls ``chainHead_v1_unpin``; this follower unpins a block once it is finalized
  (after reading its header with ``chainHead_v1_header``, a hex SCALE header) or pruned. On
  ``stop`` the subscription is dead and a new one is started; the gap is filled by number.
* ``chain_subscribeFinalizedHeads`` (legacy): one header per notification; Substrate may skip
  blocks finalized together, so missing numbers are fetched from the canonical chain.
* polling ``chain_getFinalizedHead`` over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Final

from deepshard.client.rpc.client.errors import ConnectionClosed, DecodeFailed, RpcCallError
from deepshard.client.rpc.client.transport import Subscription
from deepshard.client.rpc.client.types import FinalizedHead
from deepshard.client.rpc.client.wire import from_hex, header_from_json
from deepshard.primitives.codec import CodecError
from deepshard.primitives.header import Header

if TYPE_CHECKING:
    from deepshard.client.rpc.client.client import ChainClient

__all__ = ["follow_finalized", "CHAIN_HEAD_FOLLOW"]

CHAIN_HEAD_FOLLOW: Final = "chainHead_v1_follow"
"""The new spec's follow method; used when ``rpc_methods`` lists it."""


async def follow_finalized(
    client: ChainClient, poll_interval: float
) -> AsyncIterator[FinalizedHead]:
    """Yield finalized heads from the current one on (see the module docs)."""
    last: int | None = None
    if not client.transport.supports_subscriptions:
        source: AsyncIterator[FinalizedHead] = _poll(client, poll_interval)
    elif CHAIN_HEAD_FOLLOW in client.methods:
        source = _chain_head(client)
    else:
        source = _legacy(client)
    async for head in source:
        if last is not None and head.number <= last:
            continue
        if last is not None and head.number > last + 1:
            async for missing in _fill(client, last + 1, head.number):
                yield missing
        last = head.number
        yield head


async def _fill(client: ChainClient, first: int, stop: int) -> AsyncIterator[FinalizedHead]:
    """Yield the canonical blocks ``first..stop-1`` (all final: they precede a final block)."""
    for number in range(first, stop):
        block_hash = await client.block_hash(number)
        yield FinalizedHead(block_hash, await client.header(block_hash))


async def _poll(client: ChainClient, interval: float) -> AsyncIterator[FinalizedHead]:
    seen: bytes | None = None
    while True:
        block_hash = await client.finalized_hash()
        if block_hash != seen:
            seen = block_hash
            yield FinalizedHead(block_hash, await client.header(block_hash))
        await asyncio.sleep(interval)


async def _legacy(client: ChainClient) -> AsyncIterator[FinalizedHead]:
    subscription = await client.transport.subscribe(
        "chain_subscribeFinalizedHeads", [], "chain_unsubscribeFinalizedHeads"
    )
    try:
        async for notification in subscription:
            header = header_from_json(notification)
            yield FinalizedHead(header.hash(), header)
    finally:
        await subscription.unsubscribe()


async def _chain_head(client: ChainClient) -> AsyncIterator[FinalizedHead]:
    while True:
        subscription = await client.transport.subscribe(
            CHAIN_HEAD_FOLLOW, [False], "chainHead_v1_unfollow"
        )
        try:
            async for head in _chain_head_events(client, subscription):
                yield head
        finally:
            await subscription.unsubscribe()


async def _chain_head_events(
    client: ChainClient, subscription: Subscription
) -> AsyncIterator[FinalizedHead]:
    """Yield the finalized heads of one follow subscription, until it stops.

    Pinning: every reported block is pinned by the node. The latest finalized block stays
    pinned (the spec's reference point); older finalized blocks and pruned ones are unpinned as
    soon as their headers are read.
    """
    follow_id = subscription.id
    kept: str | None = None
    async for event in subscription:
        if not isinstance(event, Mapping):
            continue
        kind = event.get("event")
        if kind == "stop":
            return
        if kind == "initialized":
            hashes = event.get("finalizedBlockHashes")
            if hashes is None and "finalizedBlockHash" in event:
                hashes = [event["finalizedBlockHash"]]
            final, pruned = [str(h) for h in hashes or ()], []
        elif kind == "finalized":
            final = [str(h) for h in event.get("finalizedBlockHashes") or ()]
            pruned = [str(h) for h in event.get("prunedBlockHashes") or ()]
        else:
            continue  # newBlock, bestBlockChanged, operation*: pinned until finalized or pruned
        for hex_hash in final:
            header = await _pinned_header(client, follow_id, hex_hash)
            if header is None:
                return  # the subscription died under us: start again
            yield FinalizedHead(from_hex(hex_hash, "block hash"), header)
        release = [*final[:-1], *pruned]
        if final:
            if kept is not None:
                release.append(kept)
            kept = final[-1]
        if release:
            # already unpinned or unknown to the node: nothing left to release
            with contextlib.suppress(RpcCallError):
                await client.rpc("chainHead_v1_unpin", [follow_id, release])


async def _pinned_header(client: ChainClient, follow_id: str, hex_hash: str) -> Header | None:
    try:
        raw = await client.rpc("chainHead_v1_header", [follow_id, hex_hash])
    except (RpcCallError, ConnectionClosed):
        return None
    if raw is None:
        return None
    try:
        return Header.decode(from_hex(raw, "chainHead_v1_header"))
    except CodecError as exc:
        raise DecodeFailed(f"chainHead_v1_header: {exc}") from exc
