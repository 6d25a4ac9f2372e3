"""Block notifications: a small thread-safe publish/subscribe hub (`NodeEvents`)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from deepshard.client.node.interfaces import Unsubscribe
from deepshard.primitives.header import Header

__all__ = ["EventHub"]

_Callback = Callable[[Header], None]


class _Topic:
    __slots__ = ("_callbacks", "_lock", "_next")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: dict[int, _Callback] = {}
        self._next = 0

    def subscribe(self, callback: _Callback) -> Unsubscribe:
        with self._lock:
            token = self._next
            self._next += 1
            self._callbacks[token] = callback

        def unsubscribe() -> None:
            with self._lock:
                self._callbacks.pop(token, None)

        return unsubscribe

    def publish(self, header: Header) -> None:
        with self._lock:
            callbacks = list(self._callbacks.values())
        for callback in callbacks:
            callback(header)


class EventHub:
    """Implements `NodeEvents`: new best, finalized and every imported header."""

    def __init__(self) -> None:
        self._best = _Topic()
        self._finalized = _Topic()
        self._imported = _Topic()

    def on_new_best(self, callback: _Callback) -> Unsubscribe:
        """Call `callback` with each new best header."""
        return self._best.subscribe(callback)

    def on_finalized(self, callback: _Callback) -> Unsubscribe:
        """Call `callback` with each newly finalized header."""
        return self._finalized.subscribe(callback)

    def on_imported(self, callback: _Callback) -> Unsubscribe:
        """Call `callback` with every imported header."""
        return self._imported.subscribe(callback)

    def publish_imported(self, header: Header, *, best: bool, finalized: bool) -> None:
        """Announce an imported block (and that it is the new best / finalized)."""
        self._imported.publish(header)
        if best:
            self._best.publish(header)
        if finalized:
            self._finalized.publish(header)

    def publish_finalized(self, header: Header) -> None:
        """Announce a newly finalized block (the finality gadget's)."""
        self._finalized.publish(header)
