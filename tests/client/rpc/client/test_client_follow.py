"""Following finalized heads over the new JSON-RPC spec's ``chainHead_v1_follow``.

The node side of the new spec lands separately; here a small WebSocket server plays it,
written from the spec's text (paritytech/json-rpc-interface-spec, ``chainHead_v1_follow``):
``initialized`` with ``finalizedBlockHashes``, ``newBlock``, ``bestBlockChanged``,
``finalized`` with ``prunedBlockHashes``, a ``stop`` that kills the subscription, SCALE headers
from ``chainHead_v1_header`` for pinned blocks only, and ``chainHead_v1_unpin``. The legacy
path (``chain_subscribeFinalizedHeads``) is tested against a real node in the e2e suite.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from deepshard.client.rpc.client import (
    ChainClient,
    HttpTransport,
    RpcCallError,
    SubscriptionsUnavailable,
)
from deepshard.client.rpc.json import header_json
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32
from deepshard.runtime.runtime import VERSION, deepshard_runtime


def _chain(length: int) -> list[Header]:
    headers = [Header(parent_hash=H256(), number=U32(0), state_root=H256(), extrinsics_root=H256())]
    for n in range(1, length):
        headers.append(
            Header(
                parent_hash=headers[-1].hash(),
                number=U32(n),
                state_root=H256(bytes([n]) * 32),
                extrinsics_root=H256(),
            )
        )
    return headers


def _hex(data: bytes) -> str:
    return "0x" + bytes(data).hex()


class SpecNode:
    """The chainHead side of a node, following the spec's text, over a fixed chain."""

    def __init__(self) -> None:
        self.headers = _chain(7)
        self.fork = Header(
            parent_hash=self.headers[1].hash(),
            number=U32(2),
            state_root=H256(b"\xff" * 32),
            extrinsics_root=H256(),
        )
        self.pinned: set[str] = set()
        self.unpinned: list[str] = []
        self.follows = 0

    def h(self, n: int) -> str:
        return _hex(self.headers[n].hash())

    def script(self, follow: int) -> list[dict[str, Any]]:
        """The events of the `follow`-th subscription."""
        if follow == 1:
            fork = _hex(self.fork.hash())
            return [
                {"event": "initialized", "finalizedBlockHashes": [self.h(0)]},
                {"event": "newBlock", "blockHash": self.h(1), "parentBlockHash": self.h(0)},
                {"event": "newBlock", "blockHash": self.h(2), "parentBlockHash": self.h(1)},
                {"event": "newBlock", "blockHash": fork, "parentBlockHash": self.h(1)},
                {"event": "bestBlockChanged", "bestBlockHash": self.h(2)},
                {
                    "event": "finalized",
                    "finalizedBlockHashes": [self.h(1), self.h(2)],
                    "prunedBlockHashes": [fork],
                },
                {"event": "stop"},
            ]
        # the second subscription starts later: #3 and #4 were finalized meanwhile (a gap)
        return [
            {"event": "initialized", "finalizedBlockHashes": [self.h(5)]},
            {"event": "newBlock", "blockHash": self.h(6), "parentBlockHash": self.h(5)},
            {"event": "finalized", "finalizedBlockHashes": [self.h(6)], "prunedBlockHashes": []},
        ]

    def by_hash(self, value: str) -> Header | None:
        for header in (*self.headers, self.fork):
            if _hex(header.hash()) == value:
                return header
        return None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            call = json.loads(message.data)
            method, params = call["method"], call.get("params") or []
            result, notify = self.answer(method, params)
            await ws.send_str(json.dumps({"jsonrpc": "2.0", "id": call["id"], "result": result}))
            for event in notify:
                if "blockHash" in event:
                    self.pinned.add(event["blockHash"])
                self.pinned.update(event.get("finalizedBlockHashes", ()))
                await ws.send_str(
                    json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "chainHead_v1_followEvent",
                            "params": {"subscription": result, "result": event},
                        }
                    )
                )
        return ws

    def answer(self, method: str, params: list[Any]) -> tuple[Any, list[dict[str, Any]]]:
        runtime = deepshard_runtime()
        if method == "rpc_methods":
            return {"methods": ["chainHead_v1_follow", "chainHead_v1_header"]}, []
        if method == "chain_getBlockHash":
            return self.h(params[0] if params else 6), []
        if method == "system_properties":
            return {}, []
        if method == "state_getRuntimeVersion":
            version = {"specVersion": int(VERSION.spec_version), "transactionVersion": 1}
            return version, []
        if method == "state_getMetadata":
            return _hex(runtime.metadata.encoded), []
        if method == "chainHead_v1_follow":
            self.follows += 1
            return f"follow-{self.follows}", self.script(self.follows)
        if method == "chainHead_v1_header":
            header = self.by_hash(params[1])
            if params[1] not in self.pinned or header is None:
                return None, []
            return _hex(header.encode()), []
        if method == "chainHead_v1_unpin":
            for value in params[1]:
                self.pinned.discard(value)
                self.unpinned.append(value)
            return None, []
        if method == "chain_getHeader":
            header = self.by_hash(params[0])
            assert header is not None
            return header_json(header), []
        return None, []


def test_follow_finalized_over_chain_head_v1() -> None:
    node = SpecNode()

    async def main() -> list[Any]:
        app = web.Application()
        app.router.add_get("/", node.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with ChainClient.connect(f"ws://127.0.0.1:{port}") as chain:
                heads = []
                async for head in chain.follow_finalized():
                    heads.append(head)
                    if head.number == 6:
                        break
                return heads
        finally:
            await runner.cleanup()

    heads = asyncio.run(asyncio.wait_for(main(), 30))
    assert [h.number for h in heads] == [0, 1, 2, 3, 4, 5, 6]
    assert [h.hash for h in heads] == [header.hash() for header in node.headers]
    assert node.follows == 2  # the stop event made the follower subscribe again
    # older finalized blocks and the pruned fork were unpinned; #2 stayed as the reference
    assert node.h(0) in node.unpinned
    assert node.h(1) in node.unpinned
    assert _hex(node.fork.hash()) in node.unpinned
    assert node.h(2) not in node.unpinned


def test_websocket_url_falls_back_to_http_and_polls() -> None:
    """A node that does not upgrade to WebSocket is used over HTTP; following polls."""
    node = SpecNode()

    async def post(request: web.Request) -> web.Response:
        call = await request.json()
        method, params = call["method"], call.get("params") or []
        if method == "chain_getFinalizedHead":
            return web.json_response({"jsonrpc": "2.0", "id": call["id"], "result": node.h(4)})
        if method == "state_getStorage":
            error = {"code": -32602, "message": "Invalid params"}
            return web.json_response({"jsonrpc": "2.0", "id": call["id"], "error": error})
        result, _events = node.answer(method, params)
        return web.json_response({"jsonrpc": "2.0", "id": call["id"], "result": result})

    async def main() -> tuple[Any, ...]:
        app = web.Application()
        app.router.add_post("/", post)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with ChainClient.connect(f"ws://127.0.0.1:{port}") as chain:
                heads = chain.follow_finalized(poll_interval=0.05)
                head = await anext(heads)
                await heads.aclose()
                try:
                    await chain.query("System", "Number")
                except RpcCallError as error:
                    failure = error
                with pytest.raises(SubscriptionsUnavailable):
                    await chain.transport.subscribe("chain_subscribeNewHeads", [], "x")
                return type(chain.transport), head, failure
        finally:
            await runner.cleanup()

    kind, head, failure = asyncio.run(asyncio.wait_for(main(), 30))
    assert kind is HttpTransport
    assert head is not None
    assert head.number == 4
    assert (failure.code, failure.method) == (-32602, "state_getStorage")
