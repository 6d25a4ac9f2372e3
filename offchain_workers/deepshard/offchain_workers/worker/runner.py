"""The worker framework: connect, follow finalized blocks, let the role act, reconnect on loss.

`run_worker` runs until cancelled, in an `asyncio.TaskGroup`: one task follows the chain, a
heartbeat task logs progress. Within a connection, following and acting are separate tasks:
the follower only records the newest finalized head, and the actor hands the role the newest
head each time it is free, so a role busy with a long job (training, scoring: run in a child
process, `jobs.JobPool`) never holds up the subscription, and acts on the chain as it is when
the job ends, not on a backlog of stale heads (roles read state at the head they are given,
so skipping heads loses nothing). When the connection drops (node restarted, network) it
reconnects with exponential backoff (capped, reset after a success).
`Submitter.submit_once` is how a role acts: through the `Outbox`, so a restart never applies an
action twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from deepshard.client.rpc.client import (
    Call,
    ChainClient,
    ClientError,
    FinalizedHead,
    TransactionDropped,
    TransactionRejected,
)
from deepshard.offchain_workers.worker.metrics import WorkerMetrics
from deepshard.offchain_workers.worker.outbox import Outbox, Status
from deepshard.primitives.crypto import Keypair

__all__ = ["LatestHead", "Role", "Submitter", "WorkerConfig", "run_worker"]

log = logging.getLogger("deepshard.worker")


class Role(Protocol):
    """What a worker does: set up once per connection, then act on each finalized block."""

    name: str
    """The role's name (``curator``)."""

    async def on_connect(self, chain: ChainClient, submitter: Submitter) -> None:
        """Prepare (e.g. bond) after each (re)connection."""
        ...

    async def on_finalized(
        self, chain: ChainClient, head: FinalizedHead, submitter: Submitter
    ) -> None:
        """Act on a finalized block."""
        ...


@dataclass(slots=True)
class WorkerConfig:
    """How a worker reaches the node and where it keeps its state."""

    node: str
    """The node's RPC URL (``ws://127.0.0.1:9944``)."""
    key: Keypair
    """The worker's signing key."""
    state: Path
    """Its SQLite file."""
    prometheus_port: int | None = None
    """Where to expose metrics (None: not exposed)."""
    backoff_initial: float = 0.5
    """First reconnection delay (seconds)."""
    backoff_max: float = 30.0
    """Longest reconnection delay."""


class Submitter:
    """Signs, stores and submits a role's transactions exactly once each (`Outbox`)."""

    def __init__(self, chain: ChainClient, key: Keypair, outbox: Outbox, metrics: WorkerMetrics):
        self.chain = chain
        self.key = key
        self.outbox = outbox
        self.metrics = metrics

    async def submit_once(
        self, action: str, make_call: Callable[[], Call], applied: Callable[[], Awaitable[bool]]
    ) -> str:
        """Perform `action` at most once; return its status (a `Status` value or ``"pending"``).

        `applied` reads chain state and says whether the action already took effect; it is
        asked when the node refuses stored bytes and before signing anything new.
        """
        entry = self.outbox.get(action)
        if entry is not None and entry.status != Status.SIGNED:
            return entry.status
        if entry is None:
            if await applied():
                self.outbox.store(action, b"")
                self.outbox.mark(action, Status.INCLUDED)
                return Status.INCLUDED
            signed = await self.chain.sign(make_call(), self.key)
            self.outbox.store(action, signed.encoded)
            encoded = signed.encoded
        else:
            encoded = entry.encoded
        try:
            receipt = await self.chain.submit(encoded, "in_block")
        except (TransactionRejected, TransactionDropped) as exc:
            if await applied():
                self.outbox.mark(action, Status.INCLUDED)
                return Status.INCLUDED
            text = str(exc).lower()
            if "already imported" in text or "temporarily banned" in text:
                return "pending"  # in the pool (or just seen): wait for the next block
            log.info("%s: refused (%s); will sign again", action, exc)
            self.outbox.forget(action)
            self.metrics.submitted.labels(self.metrics.role, "refused").inc()
            return "pending"
        assert not isinstance(receipt, bytes)
        if receipt.success:
            self.outbox.mark(action, Status.INCLUDED, receipt.block_number)
            self.metrics.submitted.labels(self.metrics.role, "included").inc()
            log.info("%s: included in #%d", action, receipt.block_number)
            return Status.INCLUDED
        error = str(receipt.error)
        self.outbox.mark(action, Status.FAILED, receipt.block_number, error)
        self.metrics.submitted.labels(self.metrics.role, "failed").inc()
        log.warning("%s: failed in #%d: %s", action, receipt.block_number, error)
        return Status.FAILED


class LatestHead:
    """The newest finalized head seen, for an actor that may be slower than the chain."""

    def __init__(self) -> None:
        self._head: FinalizedHead | None = None
        self._ready = asyncio.Event()

    def put(self, head: FinalizedHead) -> None:
        """Record `head` (replacing any head not yet taken)."""
        self._head = head
        self._ready.set()

    async def take(self) -> FinalizedHead:
        """Wait for a head not yet taken; return the newest."""
        await self._ready.wait()
        self._ready.clear()
        assert self._head is not None  # set before the event
        return self._head


async def _act(
    chain: ChainClient, role: Role, submitter: Submitter, latest: LatestHead, outbox: Outbox
) -> None:
    last = -1
    while True:
        head = await latest.take()
        if head.number <= last:
            continue
        if last >= 0 and head.number > last + 1:
            log.debug(
                "%s: acting at #%d (#%d..#%d passed meanwhile)",
                role.name,
                head.number,
                last + 1,
                head.number - 1,
            )
        await role.on_finalized(chain, head, submitter)
        last = head.number
        outbox.set_value("last_finalized", str(head.number))


async def _session(
    config: WorkerConfig, role: Role, outbox: Outbox, metrics: WorkerMetrics
) -> None:
    async with ChainClient.connect(config.node) as chain:
        submitter = Submitter(chain, config.key, outbox, metrics)
        log.info(
            "%s worker connected to %s as %s", role.name, config.node, config.key.ss58_address()
        )
        await role.on_connect(chain, submitter)
        latest = LatestHead()

        async def follow() -> None:
            async for head in chain.follow_finalized():
                metrics.finalized.set(head.number)
                latest.put(head)
            raise ConnectionError("the finalized-head subscription ended")

        async with asyncio.TaskGroup() as group:
            group.create_task(follow())
            group.create_task(_act(chain, role, submitter, latest, outbox))


async def _follow(config: WorkerConfig, role: Role, outbox: Outbox, metrics: WorkerMetrics) -> None:
    delay = config.backoff_initial
    while True:
        lost: BaseException | None = None
        try:
            await _session(config, role, outbox, metrics)
        except* (ClientError, OSError) as group:
            lost = group.exceptions[0]
        if lost is None:
            delay = config.backoff_initial
            await asyncio.sleep(delay)
            continue
        metrics.reconnects.inc()
        log.warning("connection to %s lost (%s); retrying in %.1fs", config.node, lost, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, config.backoff_max)


async def _heartbeat(role: Role, outbox: Outbox, every: float = 30.0) -> None:
    while True:
        await asyncio.sleep(every)
        log.info(
            "💤 %s: finalized #%s, %d included, %d pending",
            role.name,
            outbox.get_value("last_finalized") or "-",
            outbox.count(Status.INCLUDED),
            outbox.count(Status.SIGNED),
        )


async def run_worker(config: WorkerConfig, role: Role) -> None:
    """Run `role` against the node until cancelled (module docs)."""
    outbox = Outbox(config.state)
    metrics = WorkerMetrics(role.name)
    if config.prometheus_port is not None:
        metrics.serve(config.prometheus_port)
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(_follow(config, role, outbox, metrics))
            group.create_task(_heartbeat(role, outbox))
    finally:
        outbox.close()
