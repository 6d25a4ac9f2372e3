"""The transport: JSON-RPC 2.0 over HTTP POST and WebSocket on one port, as Substrate serves 9944.

Introduction
------------
`RpcServer` is one aiohttp application. A ``POST`` carries one request or a batch and gets
the answer in the response body; a ``GET`` with ``Upgrade: websocket`` opens a connection
that carries requests, responses and subscription notifications. Any path is accepted, as
jsonrpsee does; ``GET /health`` answers ``system_health``.

Limits follow Substrate's defaults (`RpcLimits`) and jsonrpsee's answers:

* request size (15 MiB): HTTP answers 413 with error -32007 ``Request is too big``; a WebSocket
  message over the limit gets the same error (id null) and the connection stays open, up to a
  hard cap of twice the limit beyond which the socket closes with 1009 (message too big);
* response size (15 MiB): the response is replaced by -32008 ``Response is too big`` (a
  batch: -32011);
* connections (100, WebSocket connections plus HTTP requests in flight): 429;
* subscriptions per connection (1024): -32006 ``Too many subscriptions on the connection``;
* batch length (1000; Substrate's default is unlimited, a Python server is not that fast):
  -32010 ``The batch request was too large``;
* per connection, at most ``message_buffer_capacity`` calls in flight and queued responses
  before the server stops reading that socket; a subscription lagging more than
  ``subscription_buffer`` notifications behind is ended, as sc-rpc ends it.

Malformed JSON answers -32700, a non-request -32600, an unknown method -32601, bad params
-32602 and a failing handler -32603; requests without ``id`` (notifications) are not
answered. One client's bad input never reaches another: every connection has its own
session, queue and limits, and handler failures are answered, logged and contained.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import WSMsgType, web

from deepshard.client.rpc.errors import (
    RpcError,
    internal_error,
    invalid_request,
    parse_error,
    too_big_batch_request,
    too_big_batch_response,
    too_big_request,
    too_big_response,
)
from deepshard.client.rpc.module import AfterSend, RpcModule, Session, SubscriptionSink
from deepshard.client.rpc.policy import CorsPolicy, RpcPolicy

__all__ = ["MIB", "RpcLimits", "RpcServer", "HttpSession", "WsSession", "BackgroundRpcServer"]

log = logging.getLogger(__name__)

MIB: Final = 1024 * 1024
"""One mebibyte."""
_JSON_CONTENT_TYPES: Final = frozenset(
    {"application/json", "application/json-rpc"},
)
_JSON_HEADERS: Final = {"Content-Type": "application/json; charset=utf-8"}
_BATCH_YIELD_EVERY: Final = 64
_SHUTDOWN_TIMEOUT: Final = 5.0
_CLOSE_TIMEOUT: Final = 1.0


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _error_text(request_id: Any, error: RpcError) -> str:
    return _dumps({"jsonrpc": "2.0", "error": error.to_json(), "id": request_id})


@dataclass(frozen=True, slots=True)
class RpcLimits:
    """Resource limits of the server (Substrate's defaults unless noted)."""

    max_request_size: int = 15 * MIB
    """Largest request body or WebSocket message, in bytes (``--rpc-max-request-size``)."""
    max_response_size: int = 15 * MIB
    """Largest response, in bytes (``--rpc-max-response-size``)."""
    max_connections: int = 100
    """Most WebSocket connections plus HTTP requests in flight (``--rpc-max-connections``)."""
    max_subscriptions_per_connection: int = 1024
    """Most subscriptions one connection holds (``--rpc-max-subscriptions-per-connection``)."""
    max_batch_len: int | None = 1000
    """Most entries in a batch; None: unlimited (Substrate's default)."""
    batches_allowed: bool = True
    """False answers every batch with -32005 (``--rpc-disable-batch-requests``)."""
    message_buffer_capacity: int = 64
    """Calls in flight and responses queued per connection before it stops being read."""
    subscription_buffer: int = 16
    """Notifications one subscription may have queued before it is ended as too slow."""

    @property
    def ws_hard_message_size(self) -> int:
        """WebSocket messages above this close the connection (1009) instead of an error."""
        return 2 * self.max_request_size


class HttpSession(Session):
    """The session of one HTTP request: no subscriptions."""

    supports_subscriptions = False


class WsSession(Session):
    """One WebSocket connection: a queue of outgoing text written in order by one task."""

    supports_subscriptions = True

    def __init__(self, ws: web.WebSocketResponse, *, deny_unsafe: bool, limits: RpcLimits) -> None:
        super().__init__(
            deny_unsafe=deny_unsafe, max_subscriptions=limits.max_subscriptions_per_connection
        )
        self.ws = ws
        """The aiohttp WebSocket."""
        self.limits = limits
        """The server's limits."""
        self.slots = asyncio.Semaphore(limits.message_buffer_capacity)
        """Calls in flight on this connection."""
        self.transport: asyncio.Transport | None = None
        """The TCP transport (aborted at shutdown if the client stopped reading)."""
        self._queue: deque[tuple[str, SubscriptionSink | None]] = deque()
        self._wakeup = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()

    def push(self, text: str) -> None:
        """Queue a response (always accepted; callers then await `drained`)."""
        if self.closed:
            return
        self._queue.append((text, None))
        if len(self._queue) > self.limits.message_buffer_capacity:
            self._drained.clear()
        self._wakeup.set()

    async def drained(self) -> None:
        """Wait until the queue is back under the buffer capacity (or the socket closed)."""
        while not self._drained.is_set() and not self.closed:
            await self._drained.wait()

    def notify(self, sink: SubscriptionSink, result: Any) -> None:
        """Queue one notification of `sink`; a subscription lagging too far is ended."""
        if self.closed or sink.closed:
            return
        limit = sink.buffer_limit or self.limits.subscription_buffer
        if sink.queued >= limit:
            log.warning("subscription %s lags behind; closing it", sink.id)
            if sink.lag_result is not None:  # its last word, past the limit
                self._queue.append((self._notification(sink, sink.lag_result), None))
                self._wakeup.set()
            self.drop_subscription(sink)
            return
        try:
            text = self._notification(sink, result)
        except (TypeError, ValueError):
            log.exception("subscription %s: notification is not JSON", sink.id)
            return
        if len(text) > self.limits.max_response_size:
            log.warning("subscription %s: notification over the response size limit", sink.id)
            return
        sink.queued += 1
        self._queue.append((text, sink))
        self._wakeup.set()

    @staticmethod
    def _notification(sink: SubscriptionSink, result: Any) -> str:
        return _dumps(
            {
                "jsonrpc": "2.0",
                "method": sink.method,
                "params": {"subscription": sink.id, "result": result},
            }
        )

    async def run_writer(self) -> None:
        """Write queued messages in order until the session closes."""
        try:
            while True:
                while not self._queue:
                    if self.closed:
                        return
                    self._wakeup.clear()
                    await self._wakeup.wait()
                text, sink = self._queue.popleft()
                if sink is not None:
                    sink.queued -= 1  # already queued notifications go out even if it ended
                if len(self._queue) <= self.limits.message_buffer_capacity:
                    self._drained.set()
                await self.ws.send_str(text)
        except (ConnectionError, RuntimeError) as error:
            log.debug("WebSocket writer stopped: %s", error)
        finally:
            self._drained.set()

    def close(self) -> None:
        """End the subscriptions and stop the writer."""
        super().close()
        self._queue.clear()
        self._wakeup.set()
        self._drained.set()


class RpcServer:
    """JSON-RPC over HTTP and WebSocket on one host and port (port 0: an ephemeral port)."""

    def __init__(
        self,
        methods: RpcModule,
        *,
        host: str = "127.0.0.1",
        port: int = 9944,
        limits: RpcLimits | None = None,
        policy: RpcPolicy | None = None,
        cors: CorsPolicy | None = None,
    ) -> None:
        self.methods = methods
        """The registry served."""
        self.host = host
        """The interface listened on."""
        self.port = port
        """The port (the bound one once started)."""
        self.limits = limits if limits is not None else RpcLimits()
        """Resource limits."""
        self.policy = policy if policy is not None else RpcPolicy(listen_host=host)
        """Whether unsafe methods are served."""
        self.cors = cors if cors is not None else CorsPolicy.local()
        """Allowed browser origins."""
        self.connections = 0
        """Open WebSocket connections plus HTTP requests in flight."""
        self._sessions: set[WsSession] = set()
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=self.limits.max_request_size + 1)
        """The aiohttp application (mountable elsewhere)."""
        self.app.router.add_route("*", "/{tail:.*}", self._handle)
        self.app.on_shutdown.append(self._on_shutdown)

    # --- life cycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and serve; afterwards `port` is the bound port.

        Raises:
            OSError: the address cannot be bound.
        """
        if self._runner is not None:
            raise RuntimeError("the server is already started")
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        log.info(
            "Running JSON-RPC server: addr=%s:%d, allowed origins=%s%s",
            self.host,
            self.port,
            "*" if self.cors.origins is None else list(self.cors.origins),
            ", unsafe methods refused" if self.policy.deny_unsafe else "",
        )

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    @property
    def url_http(self) -> str:
        """``http://host:port``."""
        return f"http://{self._url_host}:{self.port}"

    @property
    def url_ws(self) -> str:
        """``ws://host:port``."""
        return f"ws://{self._url_host}:{self.port}"

    @property
    def _url_host(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"[{host}]" if ":" in host else host

    async def _on_shutdown(self, app: web.Application) -> None:
        del app
        sessions = list(self._sessions)
        for session in sessions:
            session.close()
        await asyncio.gather(*(self._close_ws(s) for s in sessions))

    @staticmethod
    async def _close_ws(session: WsSession, code: int = 1001) -> None:
        """Close the socket; a client that neither reads nor answers is cut off after 1 s."""
        if session.ws.closed:
            return
        try:
            await asyncio.wait_for(session.ws.close(code=code), _CLOSE_TIMEOUT)
        except (TimeoutError, ConnectionError):
            if session.transport is not None:
                session.transport.abort()  # even a closing one: its buffer may never drain

    # --- HTTP -------------------------------------------------------------------------------------

    def _cors_headers(self, request: web.Request) -> dict[str, str]:
        origin = request.headers.get("Origin")
        if origin is None or not self.cors.allows(origin):
            return {}
        if self.cors.origins is None:
            return {"Access-Control-Allow-Origin": "*"}
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        cors = self._cors_headers(request)
        if request.method == "OPTIONS":
            return self._preflight(request, cors)
        if request.method == "GET" and request.headers.get("Upgrade", "").lower() == "websocket":
            if not self.cors.allows(request.headers.get("Origin")):
                return web.Response(status=403, text="Origin not allowed\n")
            if self.connections >= self.limits.max_connections:
                return self._too_many_connections()
            return await self._serve_ws(request)
        if request.method == "GET" and request.path.rstrip("/") in ("/health", "/health/readiness"):
            return await self._health(request.path.rstrip("/").endswith("readiness"), cors)
        if request.method != "POST":
            return web.Response(
                status=405, text="Used HTTP Method is not allowed. POST is required\n", headers=cors
            )
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in _JSON_CONTENT_TYPES:
            return web.Response(
                status=415,
                text="Supplied content type is not allowed. "
                "Content-Type: application/json is required\n",
                headers=cors,
            )
        if self.connections >= self.limits.max_connections:
            return self._too_many_connections()
        self.connections += 1
        try:
            return await self._serve_http(request, cors)
        finally:
            self.connections -= 1

    def _too_many_connections(self) -> web.Response:
        return web.Response(status=429, text="Too many connections. Please try again later.")

    def _preflight(self, request: web.Request, cors: dict[str, str]) -> web.Response:
        if not cors:
            return web.Response(status=200)
        headers = dict(cors)
        headers["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS"
        headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "content-type"
        )
        headers["Access-Control-Max-Age"] = "3600"
        return web.Response(status=200, headers=headers)

    async def _health(self, readiness: bool, cors: dict[str, str]) -> web.Response:
        session = HttpSession(deny_unsafe=self.policy.deny_unsafe)
        try:
            health, _ = await self.methods.call("system_health", [], session)
        except RpcError as error:
            return web.json_response(error.to_json(), status=500, headers=cors)
        healthy = not health.get("isSyncing") and (
            health.get("peers", 0) > 0 or not health.get("shouldHavePeers")
        )
        status = 500 if readiness and not healthy else 200
        return web.json_response(health, status=status, headers=cors)

    async def _read_body(self, request: web.Request) -> bytes | None:
        limit = self.limits.max_request_size
        if request.content_length is not None and request.content_length > limit:
            return None
        body = bytearray()
        async for chunk in request.content.iter_chunked(256 * 1024):
            body += chunk
            if len(body) > limit:
                return None
        return bytes(body)

    async def _serve_http(self, request: web.Request, cors: dict[str, str]) -> web.Response:
        headers = {**_JSON_HEADERS, **cors}
        body = await self._read_body(request)
        if body is None:
            text = _error_text(None, too_big_request(self.limits.max_request_size))
            return web.Response(status=413, text=text, headers=headers)
        if _first_char(body) not in (b"{", b"["):
            return web.Response(status=400, text=_error_text(None, parse_error()), headers=headers)
        session = HttpSession(deny_unsafe=self.policy.deny_unsafe)
        reply, _ = await self._process_text(body, session)
        return web.Response(status=200, text=reply or "", headers=headers)

    # --- WebSocket --------------------------------------------------------------------------------

    async def _serve_ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=self.limits.ws_hard_message_size, autoping=True)
        await ws.prepare(request)
        session = WsSession(ws, deny_unsafe=self.policy.deny_unsafe, limits=self.limits)
        session.transport = (
            request.transport if isinstance(request.transport, asyncio.Transport) else None
        )
        self.connections += 1
        self._sessions.add(session)
        writer = asyncio.create_task(session.run_writer())
        calls: set[asyncio.Task[None]] = set()
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    data: str | bytes = message.data
                elif message.type is WSMsgType.BINARY:
                    data = message.data
                else:
                    break
                if _over_limit(data, self.limits.max_request_size):
                    session.push(_error_text(None, too_big_request(self.limits.max_request_size)))
                    continue
                await session.slots.acquire()
                task = asyncio.create_task(self._ws_call(session, data))
                calls.add(task)
                task.add_done_callback(calls.discard)
        finally:
            self._sessions.discard(session)
            self.connections -= 1
            for task in calls:
                task.cancel()
            session.close()
            await self._close_ws(session, code=1000)
            try:
                await asyncio.wait_for(writer, _CLOSE_TIMEOUT)
            except TimeoutError:  # stuck writing to a client that does not read
                if session.transport is not None:
                    session.transport.abort()
        return ws

    async def _ws_call(self, session: WsSession, data: str | bytes) -> None:
        try:
            raw = data.encode() if isinstance(data, str) else data
            if _first_char(raw) not in (b"{", b"["):
                session.push(_error_text(None, parse_error()))
                return
            text, after = await self._process_text(raw, session)
            if text is not None:
                session.push(text)
            for hook in after:
                hook()
            await session.drained()
        except Exception:
            log.exception("WebSocket call failed")
        finally:
            session.slots.release()

    # --- JSON-RPC envelope ------------------------------------------------------------------------

    async def _process_text(
        self, body: bytes, session: Session
    ) -> tuple[str | None, list[AfterSend]]:
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return _error_text(None, parse_error()), []
        if isinstance(request, list):
            return await self._process_batch(request, session)
        text, after = await self._process_one(request, session)
        return text, [after] if after is not None else []

    async def _process_batch(
        self, batch: list[Any], session: Session
    ) -> tuple[str | None, list[AfterSend]]:
        limits = self.limits
        if not limits.batches_allowed:
            error = RpcError(-32005, "Batched requests are not supported by this server")
            return _error_text(None, error), []
        if not batch:
            return _error_text(None, invalid_request()), []
        if limits.max_batch_len is not None and len(batch) > limits.max_batch_len:
            return _error_text(None, too_big_batch_request(limits.max_batch_len)), []
        parts: list[str] = []
        hooks: list[AfterSend] = []
        size = 1
        for index, entry in enumerate(batch):
            if index and index % _BATCH_YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let other connections run during long batches
            text, after = await self._process_one(entry, session)
            if after is not None:
                hooks.append(after)
            if text is None:
                continue
            size += len(text) + 1
            if size > limits.max_response_size:
                return _error_text(None, too_big_batch_response(limits.max_response_size)), hooks
            parts.append(text)
        if not parts:
            return None, hooks
        return "[" + ",".join(parts) + "]", hooks

    async def _process_one(
        self, request: Any, session: Session
    ) -> tuple[str | None, AfterSend | None]:
        if not isinstance(request, dict):
            return _error_text(None, invalid_request()), None
        has_id = "id" in request
        request_id = request.get("id")
        if has_id and not _valid_id(request_id):
            return _error_text(None, invalid_request()), None
        method = request.get("method")
        if request.get("jsonrpc") != "2.0" or not isinstance(method, str):
            return _error_text(request_id, invalid_request()), None
        if not has_id:
            return None, None  # a notification: jsonrpsee neither runs nor answers it
        try:
            result, after = await self.methods.call(method, request.get("params"), session)
        except RpcError as error:
            return _error_text(request_id, error), None
        try:
            text = _dumps({"jsonrpc": "2.0", "result": result, "id": request_id})
        except (TypeError, ValueError):
            log.exception("RPC method %s returned a value that is not JSON", method)
            return _error_text(request_id, internal_error()), after
        if len(text) > self.limits.max_response_size:
            return _error_text(request_id, too_big_response(self.limits.max_response_size)), after
        return text, after


def _valid_id(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, int) and not isinstance(value, bool)


def _first_char(body: bytes) -> bytes:
    return body[:128].lstrip()[:1]


def _over_limit(data: str | bytes, limit: int) -> bool:
    if len(data) > limit:
        return True
    if isinstance(data, bytes) or len(data) * 4 <= limit:
        return False
    return len(data.encode()) > limit


class BackgroundRpcServer:
    """An `RpcServer` on its own event loop in a daemon thread (tests, tools, benchmarks).

    Use as a context manager; `loop` is the server's loop, for code that must run on it.
    """

    def __init__(self, server_factory: Callable[[], RpcServer]) -> None:
        """`server_factory` builds the server; it is called on the background loop."""
        self._factory = server_factory
        self.loop = asyncio.new_event_loop()
        """The background event loop."""
        self.server: RpcServer | None = None
        """The running server (after `start`)."""
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="rpc")

    def start(self) -> RpcServer:
        """Start the loop thread and the server; return the server."""
        self._thread.start()

        async def boot() -> RpcServer:
            server = self._factory()
            await server.start()
            return server

        self.server = asyncio.run_coroutine_threadsafe(boot(), self.loop).result(timeout=30)
        return self.server

    def stop(self) -> None:
        """Stop the server and the loop thread."""
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=30)
            self.server = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()

    def __enter__(self) -> RpcServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
