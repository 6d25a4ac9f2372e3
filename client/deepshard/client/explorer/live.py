"""Live updates: one poller of the indexed tip, fanned out to every server-sent-events client.

The indexer (``deepshard explorer index``) and the server (``deepshard explorer serve``) are
separate processes sharing only the database, so the server learns of new rows by looking: a
single `TipWatcher` task reads the tip (best number and hash, finalized height) every
`interval` seconds while at least one client listens, and hands each change to every
subscriber. A subscriber keeps only the newest tip (a slow client skips states, it never
queues them), and the poller stops when the last one leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable
from typing import Any

from sqlalchemy.exc import OperationalError

__all__ = ["TipWatcher"]


class TipWatcher:
    """Polls `read` (a blocking function returning the tip) for all subscribers at once."""

    def __init__(self, read: Callable[[], dict[str, Any]], *, interval: float = 1.0) -> None:
        """Poll `read` in a worker thread every `interval` seconds while anyone listens."""
        self.read = read
        self.interval = interval
        self.latest: dict[str, Any] | None = None
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def listeners(self) -> int:
        """How many subscribers are connected."""
        return len(self._queues)

    async def subscribe(
        self, *, heartbeat: float = 15.0
    ) -> AsyncGenerator[dict[str, Any] | None, None]:
        """Yield the current tip, then every change; None every `heartbeat` seconds of quiet."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1)
        self._queues.add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll())
        try:
            if self.latest is not None:
                queue.put_nowait(self.latest)
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), heartbeat)
                except TimeoutError:
                    yield None
        finally:
            self._queues.discard(queue)
            if not self._queues and self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None

    async def _poll(self) -> None:
        while self._queues:
            try:
                tip = await asyncio.to_thread(self.read)
            except OperationalError:  # the database is busy or restarting: look again later
                await asyncio.sleep(self.interval)
                continue
            if tip != self.latest:
                self.latest = tip
                for queue in list(self._queues):
                    if queue.full():
                        queue.get_nowait()  # keep only the newest state
                    queue.put_nowait(tip)
            await asyncio.sleep(self.interval)
