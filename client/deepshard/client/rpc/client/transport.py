"""JSON-RPC 2.0 transports: WebSocket (requests, pipelining, subscriptions) and plain HTTP.

`connect_transport(url)` opens a `WsTransport` for ``ws://`` / ``wss://`` URLs and an
`HttpTransport` for ``http://`` / ``https://`` ones; a WebSocket URL whose node does not upgrade
falls back to HTTP on the same address (subscriptions are then unavailable, and callers poll).

Over WebSocket one reader task matches answers to waiting requests by ``id`` and routes
notifications to subscriptions by ``params.subscription``; notifications that arrive before
their subscribe call has answered are kept and delivered (Substrate sends the first one at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any, Final, Protocol

import aiohttp

from deepshard.client.rpc.client.errors import (
    ConnectionClosed,
    ConnectionFailed,
    RequestTimeout,
    RpcCallError,
    SubscriptionsUnavailable,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "Transport",
    "Subscription",
    "WsTransport",
    "HttpTransport",
    "connect_transport",
]

DEFAULT_TIMEOUT: Final = 60.0
"""Seconds a request may wait for its answer."""
_MAX_MESSAGE: Final = 64 * 1024 * 1024
"""Largest WebSocket message accepted (a block or metadata fits many times over)."""
_BACKLOG: Final = 1024
"""Notifications kept for a subscription id that has not been claimed yet."""


class Subscription:
    """A stream of notifications of one subscription; iterate it, then `unsubscribe`."""

    def __init__(self, transport: WsTransport, sub_id: str, unsubscribe_method: str) -> None:
        """Bind the subscription to its transport (built by `WsTransport.subscribe`)."""
        self.id = sub_id
        self._transport = transport
        self._unsubscribe_method = unsubscribe_method
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._closed = False

    def _push(self, result: Any) -> None:
        self._queue.put_nowait(result)

    def _close(self) -> None:
        self._queue.put_nowait(_CLOSED)

    async def next(self, timeout: float | None = None) -> Any:
        """Return the next notification's ``result``.

        Raises:
            ConnectionClosed: the connection closed (or the subscription was ended).
            RequestTimeout: nothing came within `timeout` seconds.
        """
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError as exc:
            raise RequestTimeout(
                f"no notification on subscription {self.id} in {timeout} s"
            ) from exc
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            raise ConnectionClosed(f"subscription {self.id} ended: the connection closed")
        return item

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while True:
            try:
                yield await self.next()
            except ConnectionClosed:
                return

    async def unsubscribe(self) -> None:
        """End the subscription on the node (quietly if the connection is already gone)."""
        if self._closed:
            return
        self._closed = True
        self._transport._subscriptions.pop(self.id, None)
        with contextlib.suppress(ConnectionClosed, RpcCallError, RequestTimeout):
            await self._transport.request(self._unsubscribe_method, [self.id])


_CLOSED: Final = object()


class Transport(Protocol):
    """What the chain client needs from a connection."""

    url: str
    """The node's address."""
    supports_subscriptions: bool
    """Whether `subscribe` works (WebSocket) or raises (HTTP)."""

    async def request(self, method: str, params: list[Any] | None = None) -> Any:
        """Send one request and return its ``result``."""
        ...

    async def subscribe(self, method: str, params: list[Any], unsubscribe: str) -> Subscription:
        """Start a subscription."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...


def _raise_for(method: str, answer: dict[str, Any]) -> Any:
    error = answer.get("error")
    if error is not None:
        if not isinstance(error, dict):
            raise RpcCallError(method, -32603, f"malformed error object {error!r:.80}")
        raise RpcCallError(
            method, int(error.get("code", 0)), str(error.get("message", "")), error.get("data")
        )
    if "result" not in answer:
        raise RpcCallError(method, -32603, "answer without result or error")
    return answer["result"]


class WsTransport:
    """A JSON-RPC connection over one WebSocket."""

    supports_subscriptions = True

    def __init__(
        self,
        url: str,
        session: aiohttp.ClientSession,
        ws: aiohttp.ClientWebSocketResponse,
        timeout: float,
    ) -> None:
        """Wrap an open WebSocket (use `connect_transport`)."""
        self.url = url
        self._session = session
        self._ws = ws
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[str, asyncio.Future[Any]]] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._early: dict[str, list[Any]] = {}
        self._closed = False
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def request(self, method: str, params: list[Any] | None = None) -> Any:
        """Send one request and return its ``result``.

        Raises:
            RpcCallError: the node answered with an error.
            ConnectionClosed: the connection closed before the answer.
            RequestTimeout: no answer in time.
        """
        if self._closed:
            raise ConnectionClosed(f"the connection to {self.url} is closed")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = (method, future)
        message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or []}
        try:
            await self._ws.send_str(json.dumps(message))
            return await asyncio.wait_for(future, self._timeout)
        except TimeoutError as exc:
            raise RequestTimeout(f"{method}: no answer in {self._timeout} s") from exc
        except (aiohttp.ClientError, ConnectionResetError) as exc:
            raise ConnectionClosed(f"{method}: connection lost: {exc}") from exc
        finally:
            self._pending.pop(request_id, None)

    async def subscribe(self, method: str, params: list[Any], unsubscribe: str) -> Subscription:
        """Call a subscribe method and return the stream of its notifications."""
        sub_id = await self.request(method, params)
        if not isinstance(sub_id, (str, int)):
            raise RpcCallError(method, -32603, f"subscription id {sub_id!r:.80} is not a string")
        key = str(sub_id)
        subscription = Subscription(self, key, unsubscribe)
        self._subscriptions[key] = subscription
        for early in self._early.pop(key, ()):
            subscription._push(early)
        return subscription

    async def close(self) -> None:
        """Close the WebSocket and end every waiting request and subscription."""
        self._closed = True
        await self._ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        self._fail_all()
        await self._session.close()

    def _fail_all(self) -> None:
        for method, future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionClosed(f"{method}: the connection closed"))
        for subscription in self._subscriptions.values():
            subscription._close()

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    continue
                for item in payload if isinstance(payload, list) else [payload]:
                    if isinstance(item, dict):
                        self._dispatch(item)
        finally:
            self._closed = True
            self._fail_all()

    def _dispatch(self, item: dict[str, Any]) -> None:
        request_id = item.get("id")
        if request_id is not None:
            waiting = self._pending.get(request_id) if isinstance(request_id, int) else None
            if waiting is None:
                return
            method, future = waiting
            if future.done():
                return
            try:
                future.set_result(_raise_for(method, item))
            except RpcCallError as exc:
                future.set_exception(exc)
            return
        params = item.get("params")
        if not isinstance(params, dict) or "subscription" not in params:
            return
        key = str(params["subscription"])
        subscription = self._subscriptions.get(key)
        if subscription is not None:
            subscription._push(params.get("result"))
        else:
            backlog = self._early.setdefault(key, [])
            if len(backlog) < _BACKLOG:
                backlog.append(params.get("result"))


class HttpTransport:
    """JSON-RPC over HTTP POST: requests only, no subscriptions."""

    supports_subscriptions = False

    def __init__(self, url: str, session: aiohttp.ClientSession, timeout: float) -> None:
        """Use `session` to POST to `url` (use `connect_transport`)."""
        self.url = url
        self._session = session
        self._timeout = timeout
        self._ids = itertools.count(1)

    async def request(self, method: str, params: list[Any] | None = None) -> Any:
        """POST one request and return its ``result``.

        Raises:
            RpcCallError: the node answered with an error.
            ConnectionFailed: the node could not be reached or answered non-JSON.
            RequestTimeout: no answer in time.
        """
        message = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "method": method,
            "params": params or [],
        }
        try:
            async with self._session.post(
                self.url, json=message, timeout=aiohttp.ClientTimeout(total=self._timeout)
            ) as response:
                text = await response.text()
        except TimeoutError as exc:
            raise RequestTimeout(f"{method}: no answer in {self._timeout} s") from exc
        except aiohttp.ClientError as exc:
            raise ConnectionFailed(f"{method}: {self.url} unreachable: {exc}") from exc
        try:
            answer = json.loads(text)
        except ValueError as exc:
            raise ConnectionFailed(f"{method}: the node answered non-JSON: {text[:80]!r}") from exc
        if not isinstance(answer, dict):
            raise ConnectionFailed(f"{method}: unexpected answer {answer!r:.80}")
        return _raise_for(method, answer)

    async def subscribe(self, method: str, params: list[Any], unsubscribe: str) -> Subscription:
        """Always raises: HTTP has no subscriptions.

        Raises:
            SubscriptionsUnavailable: always.
        """
        del params, unsubscribe  # the Transport protocol's signature
        raise SubscriptionsUnavailable(f"{method} needs a WebSocket connection, not {self.url}")

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._session.close()


def _http_url(url: str) -> str:
    if url.startswith("ws://"):
        return "http://" + url[len("ws://") :]
    if url.startswith("wss://"):
        return "https://" + url[len("wss://") :]
    return url


async def connect_transport(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Transport:
    """Open a transport to the node at `url` (WebSocket, else HTTP).

    Raises:
        ConnectionFailed: the URL's scheme is unknown, or the node cannot be reached.
    """
    if not url.startswith(("ws://", "wss://", "http://", "https://")):
        raise ConnectionFailed(f"{url!r}: expected a ws://, wss://, http:// or https:// URL")
    session = aiohttp.ClientSession()
    try:
        if url.startswith(("ws://", "wss://")):
            try:
                ws = await session.ws_connect(
                    url, max_msg_size=_MAX_MESSAGE, timeout=aiohttp.ClientWSTimeout(ws_close=5.0)
                )
                return WsTransport(url, session, ws, timeout)
            except aiohttp.WSServerHandshakeError:
                pass  # the node answers but does not upgrade: use HTTP on the same address
            except (aiohttp.ClientError, OSError) as exc:
                raise ConnectionFailed(f"cannot connect to {url}: {exc}") from exc
        transport = HttpTransport(_http_url(url), session, timeout)
        with contextlib.suppress(RpcCallError):  # reachable; the method may be filtered
            await transport.request("system_health")
        return transport
    except BaseException:
        await session.close()
        raise
