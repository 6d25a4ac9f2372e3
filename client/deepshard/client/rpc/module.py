"""The method registry: plain methods, aliases, subscriptions, and per-connection sessions.

Introduction
------------
An `RpcModule` maps method names (and their aliases) to handlers, as jsonrpsee's
``RpcModule`` does. A handler is a plain function (or coroutine function) taking the bound
parameters (`deepshard.client.rpc.params`) and returning a JSON value; ``blocking=True``
runs it on a worker thread so database reads and runtime calls never stall the event loop.

A subscription is three names: ``subscribe`` (answers a subscription id, a random
16-character string like Substrate's), ``unsubscribe`` (answers true/false) and the
notification method the server pushes with::

    {"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"<id>","result":...}}

-- no ``id`` member. Its handler receives a `SubscriptionSink` and the bound parameters, may
send at once (the current value) and returns the function that stops its sources (or None).
`SubscriptionSink.send` may be called from any thread: values are marshalled onto the event
loop with ``loop.call_soon_threadsafe``. Notifications wait until the subscribe response has
been queued, so a client always sees the id before the first notification.

A `Session` is one client connection as the registry sees it: whether unsafe methods are
denied, whether it can hold subscriptions (WebSocket) and which it holds; the transport
subclasses it to deliver text. Closing the session ends all its subscriptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import secrets
import string
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from deepshard.client.rpc.errors import (
    RpcError,
    internal_error,
    invalid_params,
    method_not_found,
    subscriptions_unsupported,
    too_many_subscriptions,
    unsafe_rpc_called,
)
from deepshard.client.rpc.params import Param, ParamError, bind
from deepshard.client.rpc.policy import UNSAFE_METHODS

__all__ = [
    "Handler",
    "CallContext",
    "MethodSpec",
    "SubscriptionSink",
    "Session",
    "RpcModule",
    "AfterSend",
]

log = logging.getLogger(__name__)

Handler = Callable[..., Any]
"""A method handler: ``handler(*arguments)`` (or ``handler(ctx, *arguments)``), sync or async."""
AfterSend = Callable[[], None]
"""Run by the transport once the response carrying it has been queued."""

_ID_ALPHABET: Final = string.ascii_letters + string.digits
_ID_LENGTH: Final = 16


def _new_subscription_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


@dataclass(frozen=True, slots=True)
class CallContext:
    """What a handler registered with ``with_context=True`` learns about the caller."""

    session: Session
    """The caller's connection."""

    @property
    def deny_unsafe(self) -> bool:
        """Whether unsafe methods (and unsafe variants, such as watching every key) are refused."""
        return self.session.deny_unsafe


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """One registered method (an alias shares its primary's spec)."""

    name: str
    """The primary name."""
    handler: Handler
    """The function called."""
    params: tuple[Param, ...] = ()
    """The declared parameters."""
    unsafe: bool = False
    """Refused where the policy denies unsafe methods."""
    blocking: bool = False
    """Run on a worker thread."""
    with_context: bool = False
    """Pass a `CallContext` before the parameters."""
    kind: str = "method"
    """``method``, ``subscribe`` or ``unsubscribe``."""
    notification: str = ""
    """For ``subscribe``: the notification method name."""
    group: str = ""
    """For ``subscribe``/``unsubscribe``: the subscribe method's primary name."""


class SubscriptionSink:
    """Where a subscription handler sends its values; safe to use from any thread."""

    __slots__ = (
        "_active",
        "_buffer",
        "_cleanup",
        "_close_requested",
        "_closed",
        "_session",
        "buffer_limit",
        "group",
        "id",
        "lag_result",
        "method",
        "queued",
    )

    def __init__(self, session: Session, sub_id: str, method: str, group: str) -> None:
        self._session = session
        self.id = sub_id
        """The subscription id the client received."""
        self.method = method
        """The notification method name."""
        self.group = group
        """The subscribe method's primary name (its unsubscribe method must match)."""
        self.queued = 0
        """Notifications queued on the connection but not yet written (transport-owned)."""
        self.buffer_limit: int | None = None
        """How many notifications may wait unwritten before the subscription is ended for
        lagging (None: the server's ``subscription_buffer``)."""
        self.lag_result: Any = None
        """If not None, the last notification sent when the subscription is ended for lagging
        (``chainHead_v1_follow`` sends ``{"event": "stop"}``)."""
        self._active = False
        self._buffer: list[Any] = []
        self._closed = False
        self._close_requested = False
        self._cleanup: Callable[[], None] | None = None

    @property
    def deny_unsafe(self) -> bool:
        """Whether the subscriber's connection refuses unsafe methods."""
        return self._session.deny_unsafe

    @property
    def closed(self) -> bool:
        """Whether the subscription has ended (unsubscribed, closed, or connection gone)."""
        return self._closed

    @property
    def session(self) -> Session:
        """The connection that holds the subscription."""
        return self._session

    def send(self, result: Any) -> None:
        """Send one notification with `result` (a JSON value); thread-safe, never blocks."""
        self._session.call_soon(self._deliver, result)

    def close(self) -> None:
        """End the subscription from the server side (e.g. after a final status); thread-safe."""
        self._session.call_soon(self._close_from_server)

    # --- on the event loop ------------------------------------------------------------------------

    def _deliver(self, result: Any) -> None:
        if self._closed:
            return
        if not self._active:
            self._buffer.append(result)
            return
        self._session.notify(self, result)

    def _close_from_server(self) -> None:
        if not self._active:
            self._close_requested = True
            return
        self._session.drop_subscription(self)

    def _activate(self) -> None:
        if self._closed:
            return
        self._active = True
        buffered, self._buffer = self._buffer, []
        for result in buffered:
            if self.closed:  # a notification may have ended it (too slow)
                return
            self._session.notify(self, result)
        if self._close_requested:
            self._session.drop_subscription(self)

    def _finish(self) -> None:
        """Mark closed and stop the sources (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._buffer = []
        cleanup, self._cleanup = self._cleanup, None
        if cleanup is not None:
            try:
                cleanup()
            except Exception:
                log.exception("subscription %s: cleanup failed", self.id)


class Session:
    """One client connection as the registry sees it; transports subclass it.

    The base class holds the subscriptions; `notify` must be overridden by transports that
    support them (``supports_subscriptions``).
    """

    supports_subscriptions: bool = False
    """Whether subscription methods may be called (WebSocket: yes; HTTP: no)."""

    def __init__(
        self,
        *,
        deny_unsafe: bool,
        max_subscriptions: int = 1024,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.deny_unsafe = deny_unsafe
        """Whether unsafe methods are refused."""
        self.max_subscriptions = max_subscriptions
        """Most subscriptions this connection may hold at once."""
        self.loop = loop if loop is not None else asyncio.get_running_loop()
        """The event loop the connection lives on."""
        self.subscriptions: dict[str, SubscriptionSink] = {}
        """Active subscriptions by id (including ones whose subscribe call is in flight)."""
        self.closed = False
        """Whether the connection has ended."""

    def call_soon(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on the session's loop: now if called there, else thread-safely."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            fn(*args)
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: the server has stopped
            self.loop.call_soon_threadsafe(fn, *args)

    def notify(self, sink: SubscriptionSink, result: Any) -> None:
        """Deliver one notification of `sink` (transport-specific; on the loop)."""
        raise NotImplementedError

    def reserve(self, sink: SubscriptionSink) -> None:
        """Count a new subscription against the limit.

        Raises:
            RpcError: -32603 without subscription support, -32006 at the limit.
        """
        if not self.supports_subscriptions:
            raise subscriptions_unsupported()
        if len(self.subscriptions) >= self.max_subscriptions:
            raise too_many_subscriptions(self.max_subscriptions)
        self.subscriptions[sink.id] = sink

    def drop_subscription(self, sink: SubscriptionSink) -> None:
        """End one subscription and release its slot."""
        if self.subscriptions.get(sink.id) is sink:
            del self.subscriptions[sink.id]
        sink._finish()

    def unsubscribe(self, group: str, raw_params: Any) -> bool:
        """Handle an unsubscribe call: True if a subscription of `group` with that id ended."""
        sub_id: Any = None
        if isinstance(raw_params, list) and raw_params:
            sub_id = raw_params[0]
        elif isinstance(raw_params, dict) and len(raw_params) == 1:
            sub_id = next(iter(raw_params.values()))
        if isinstance(sub_id, bool) or not isinstance(sub_id, (str, int)):
            return False
        sink = self.subscriptions.get(str(sub_id))
        if sink is None or sink.group != group:
            return False
        self.drop_subscription(sink)
        return True

    def close(self) -> None:
        """End every subscription (the connection is gone)."""
        self.closed = True
        for sink in list(self.subscriptions.values()):
            self.drop_subscription(sink)


@dataclass(slots=True)
class RpcModule:
    """The registry of methods and subscriptions served by an `RpcServer`."""

    executor: Executor | None = None
    """Where ``blocking`` handlers run (None: the event loop's default executor)."""
    observer: Callable[[str, bool], None] | None = None
    """Told ``(method name, failed)`` after every call (the node's RPC metrics)."""
    _methods: dict[str, MethodSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.register("rpc_methods", self._rpc_methods)

    # --- registration -----------------------------------------------------------------------------

    def _insert(self, name: str, spec: MethodSpec) -> None:
        if not name or not isinstance(name, str):
            raise ValueError("a method name is a non-empty string")
        if name in self._methods:
            raise ValueError(f"method {name!r} is already registered")
        self._methods[name] = spec

    def register(
        self,
        name: str,
        handler: Handler,
        *,
        params: Sequence[Param] = (),
        aliases: Iterable[str] = (),
        unsafe: bool | None = None,
        blocking: bool = False,
        with_context: bool = False,
    ) -> None:
        """Register method `name` (and `aliases`).

        Args:
            name: The primary method name.
            handler: Called with the bound `params` (after a `CallContext` if
                `with_context`); may be a coroutine function.
            params: The declared parameters.
            aliases: Other names for the same method (all listed by ``rpc_methods``).
            unsafe: Refused where unsafe methods are denied; None: unsafe if Substrate
                lists `name` as unsafe (`UNSAFE_METHODS`).
            blocking: Run `handler` on a worker thread.
            with_context: Pass a `CallContext` first.

        Raises:
            ValueError: a name is already registered.
        """
        spec = MethodSpec(
            name=name,
            handler=handler,
            params=tuple(params),
            unsafe=name in UNSAFE_METHODS if unsafe is None else unsafe,
            blocking=blocking,
            with_context=with_context,
        )
        for each in (name, *aliases):
            self._insert(each, spec)

    def register_subscription(
        self,
        subscribe_name: str,
        unsubscribe_name: str,
        notification_name: str,
        handler: Handler,
        *,
        params: Sequence[Param] = (),
        aliases: Iterable[str] = (),
        unsubscribe_aliases: Iterable[str] = (),
        unsafe: bool | None = None,
        blocking: bool = False,
    ) -> None:
        """Register a subscription: subscribe and unsubscribe methods and the notification name.

        `handler` is called as ``handler(sink, *arguments)``; it may send through the
        `SubscriptionSink` at once and returns the function that stops its sources (or None).
        Raising `RpcError` refuses the subscription with that error.

        Raises:
            ValueError: a name is already registered, or subscribe equals unsubscribe.
        """
        if subscribe_name == unsubscribe_name:
            raise ValueError("subscribe and unsubscribe methods need different names")
        subscribe = MethodSpec(
            name=subscribe_name,
            handler=handler,
            params=tuple(params),
            unsafe=subscribe_name in UNSAFE_METHODS if unsafe is None else unsafe,
            blocking=blocking,
            kind="subscribe",
            notification=notification_name,
            group=subscribe_name,
        )
        unsubscribe = MethodSpec(
            name=unsubscribe_name,
            handler=self._rpc_methods,  # never called: sessions handle unsubscribe
            kind="unsubscribe",
            group=subscribe_name,
        )
        for each in (subscribe_name, *aliases):
            self._insert(each, subscribe)
        for each in (unsubscribe_name, *unsubscribe_aliases):
            self._insert(each, unsubscribe)

    def merge(self, other: RpcModule) -> None:
        """Add every method of `other` (except its ``rpc_methods``).

        Raises:
            ValueError: a name is registered in both.
        """
        for name, spec in other._methods.items():
            if name != "rpc_methods":
                self._insert(name, spec)

    # --- lookup -----------------------------------------------------------------------------------

    @property
    def method_names(self) -> list[str]:
        """Every method name and alias, sorted (what ``rpc_methods`` lists)."""
        return sorted(self._methods)

    def spec(self, name: str) -> MethodSpec | None:
        """The spec registered under `name` (primary or alias), or None."""
        return self._methods.get(name)

    def _rpc_methods(self) -> dict[str, list[str]]:
        return {"methods": self.method_names}

    # --- calling ----------------------------------------------------------------------------------

    async def call(
        self, name: str, raw_params: Any, session: Session
    ) -> tuple[Any, AfterSend | None]:
        """Call method `name` with the request's params for `session`.

        Returns:
            ``(result, after_send)``: the JSON result and, for subscriptions, the hook the
            transport runs once the response is queued (it releases buffered notifications).

        Raises:
            RpcError: the JSON-RPC error to answer.
        """
        if self.observer is None:
            return await self._call(name, raw_params, session)
        try:
            answer = await self._call(name, raw_params, session)
        except RpcError:
            self.observer(name if name in self._methods else "unknown", True)
            raise
        self.observer(name, False)
        return answer

    async def _call(
        self, name: str, raw_params: Any, session: Session
    ) -> tuple[Any, AfterSend | None]:
        spec = self._methods.get(name)
        if spec is None:
            raise method_not_found()
        if spec.unsafe and session.deny_unsafe:
            raise unsafe_rpc_called()
        if spec.kind == "unsubscribe":
            if not session.supports_subscriptions:
                raise subscriptions_unsupported()
            return session.unsubscribe(spec.group, raw_params), None
        arguments = bind(spec.params, raw_params)
        if spec.kind == "subscribe":
            return await self._subscribe(spec, arguments, session)
        if spec.with_context:
            arguments.insert(0, CallContext(session))
        return await self._invoke(spec, arguments, session), None

    async def _subscribe(
        self, spec: MethodSpec, arguments: list[Any], session: Session
    ) -> tuple[Any, AfterSend | None]:
        sink = SubscriptionSink(session, _new_subscription_id(), spec.notification, spec.group)
        while sink.id in session.subscriptions:  # pragma: no cover - 62**16 ids
            sink.id = _new_subscription_id()
        session.reserve(sink)
        try:
            cleanup = await self._invoke(spec, [sink, *arguments], session)
        except BaseException:
            session.drop_subscription(sink)
            raise
        if cleanup is not None and not callable(cleanup):
            session.drop_subscription(sink)
            raise internal_error("subscription handler returned a non-callable")
        sink._cleanup = cleanup
        if session.closed or sink.closed:
            session.drop_subscription(sink)
        return sink.id, sink._activate

    async def _invoke(self, spec: MethodSpec, arguments: list[Any], session: Session) -> Any:
        try:
            if spec.blocking:
                result = await session.loop.run_in_executor(
                    self.executor, partial(spec.handler, *arguments)
                )
            else:
                result = spec.handler(*arguments)
            if inspect.isawaitable(result):
                result = await result
        except RpcError:
            raise
        except ParamError as error:
            raise invalid_params(str(error)) from None
        except Exception as error:
            log.exception("RPC method %s failed", spec.name)
            raise internal_error() from error
        return result
