"""One ``chainHead_v1_follow`` subscription: its pins, its blocks, its operations, its events.

The functions are in `deepshard.client.rpc.methods.chain_head`. A `FollowSubscription` lives
on the event loop: node events arrive from any thread and are marshalled onto the loop before
they touch it. It reports only blocks whose parent it has reported (else it stops), keeps the
best block above the finalized one when it announces finality, stops when the client pins too
many blocks, and hands out the operation slots (`Operation`) that body, call and storage
requests hold while they run.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from deepshard.client.node.interfaces import NodeView, Unsubscribe
from deepshard.client.rpc.errors import RpcError, internal_error
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.module import SubscriptionSink
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.version import RuntimeVersion

__all__ = [
    "ChainHeadLimits",
    "FollowSubscription",
    "Operation",
    "runtime_spec_json",
    "FOLLOW",
    "FOLLOW_EVENT",
    "TOO_MANY_FOLLOWS",
    "INVALID_BLOCK",
    "INVALID_RUNTIME_CALL",
    "INVALID_CONTINUE",
    "DUPLICATE_HASHES",
]

FOLLOW: Final = "chainHead_v1_follow"
"""The subscribe method."""
FOLLOW_EVENT: Final = "chainHead_v1_followEvent"
"""The notification method of a follow subscription."""

TOO_MANY_FOLLOWS: Final = -32800
"""The connection already holds the maximum number of follow subscriptions."""
INVALID_BLOCK: Final = -32801
"""The block hash was never reported by this subscription, or was unpinned."""
INVALID_RUNTIME_CALL: Final = -32802
"""``chainHead_v1_call`` on a subscription made with ``withRuntime: false``."""
INVALID_CONTINUE: Final = -32803
"""``chainHead_v1_continue`` on an operation that is not waiting for it."""
DUPLICATE_HASHES: Final = -32804
"""``chainHead_v1_unpin`` with the same hash twice."""


@dataclass(frozen=True, slots=True)
class ChainHeadLimits:
    """The resource limits of the ``chainHead`` functions."""

    max_follows: int = 2
    """Follow subscriptions per connection (the spec guarantees clients two)."""
    max_pinned_blocks: int = 512
    """Pinned blocks per subscription before it is stopped."""
    max_operations: int = 16
    """Operation slots per subscription (the spec guarantees clients sixteen)."""
    storage_page_size: int = 64
    """Descendant items sent before an ``operationWaitingForContinue``."""
    max_lagging: int = 512
    """Notifications that may wait unwritten before the subscription is stopped."""


def runtime_spec_json(version: RuntimeVersion) -> dict[str, Any]:
    """The ``{"type": "valid", "spec": ...}`` runtime description of the new spec."""
    return {
        "type": "valid",
        "spec": {
            "specName": version.spec_name,
            "implName": version.impl_name,
            "specVersion": int(version.spec_version),
            "implVersion": int(version.impl_version),
            "transactionVersion": int(version.transaction_version),
            "apis": {to_hex(ident): int(v) for ident, v in version.apis},
        },
    }


class Operation:
    """One body, call or storage operation of a follow subscription."""

    __slots__ = ("id", "resume", "slots", "task", "waiting")

    def __init__(self, op_id: str, slots: int) -> None:
        self.id = op_id
        self.slots = slots
        self.task: asyncio.Task[None] | None = None
        self.resume = asyncio.Event()
        self.waiting = False


class FollowSubscription:
    """One ``chainHead_v1_follow`` subscription; lives on the event loop."""

    def __init__(
        self,
        node: NodeView,
        sink: SubscriptionSink,
        with_runtime: bool,
        limits: ChainHeadLimits,
        forget: Callable[[SubscriptionSink], None],
    ) -> None:
        self.node = node
        self.sink = sink
        self.with_runtime = with_runtime
        self.limits = limits
        self._forget = forget
        self.pinned: set[H256] = set()
        self.tree: dict[H256, Header] = {}
        """The current finalized block and every reported block not yet finalized or pruned."""
        self.finalized = H256()
        self.best: H256 | None = None
        self.operations: dict[str, Operation] = {}
        self.busy = 0
        self._ids = itertools.count()
        self._ready = False
        self._pending: list[tuple[str, Header]] = []
        self._sources: list[Unsubscribe] = []
        self.stopped = False

    # --- the block stream ------------------------------------------------------------------------

    def start(self) -> None:
        """Subscribe to the node, then report the finalized block and the blocks above it."""
        events = self.node.events
        call_soon = self.sink.session.call_soon
        self._sources = [
            events.on_imported(lambda h: call_soon(self._on_event, "imported", h)),
            events.on_new_best(lambda h: call_soon(self._on_event, "best", h)),
            events.on_finalized(lambda h: call_soon(self._on_event, "finalized", h)),
        ]
        chain = self.node.chain
        self.finalized = chain.finalized_hash
        finalized = chain.header(self.finalized)
        if finalized is None:
            raise internal_error("the finalized block is missing from the database")
        self.tree[self.finalized] = finalized
        self.pinned.add(self.finalized)
        event: dict[str, Any] = {
            "event": "initialized",
            "finalizedBlockHashes": [to_hex(self.finalized)],
        }
        if self.with_runtime:
            event["finalizedBlockRuntime"] = runtime_spec_json(
                self.node.runtime_version(self.finalized)
            )
        self.sink.send(event)
        for header in self._descendants_of_finalized():
            if self.stopped:
                return  # too many to pin: the client got `stop`
            self._new_block(header)
        self._set_best(chain.best_hash if chain.best_hash in self.tree else self.finalized)
        self._ready = True
        pending, self._pending = self._pending, []
        for kind, header in pending:
            self._on_event(kind, header)

    def _descendants_of_finalized(self) -> list[Header]:
        """Every stored block above the finalized one, forks included, parents first.

        The spec: one ``newBlock`` "for each non-finalized block currently in the node's
        memory (including all forks)", each after its parent.
        """
        found: list[Header] = []
        level = [self.finalized]
        while level:
            following: list[H256] = []
            for parent in level:
                for block_hash in self.node.chain.children(parent):
                    header = self.node.chain.header(block_hash)
                    if header is not None:
                        found.append(header)
                        following.append(block_hash)
            level = following
        return found

    def _on_event(self, kind: str, header: Header) -> None:
        if self.stopped or self.sink.closed:
            return
        if not self._ready:
            self._pending.append((kind, header))
            return
        block_hash = header.hash()
        if kind == "imported":
            self._on_imported(block_hash, header)
        elif kind == "best":
            if block_hash in self.tree and block_hash != self.best:
                self._set_best(block_hash)
        else:
            self._on_finalized(block_hash, header)

    def _on_imported(self, block_hash: H256, header: Header) -> None:
        if block_hash in self.tree:
            return
        if int(header.number) <= int(self.tree[self.finalized].number):
            return  # on a fork below the finalized block: never reported, never needed
        if header.parent_hash not in self.tree:
            self.stop()  # a gap: the client could not place this block
            return
        self._new_block(header)

    def _new_block(self, header: Header) -> None:
        block_hash = header.hash()
        self.tree[block_hash] = header
        self.pinned.add(block_hash)
        event: dict[str, Any] = {
            "event": "newBlock",
            "blockHash": to_hex(block_hash),
            "parentBlockHash": to_hex(header.parent_hash),
        }
        if self.with_runtime:
            version = self.node.runtime_version(block_hash)
            parent = self.node.runtime_version(header.parent_hash)
            event["newRuntime"] = None if version == parent else runtime_spec_json(version)
        self.sink.send(event)
        if len(self.pinned) > self.limits.max_pinned_blocks:
            self.stop()

    def _set_best(self, block_hash: H256) -> None:
        self.best = block_hash
        self.sink.send({"event": "bestBlockChanged", "bestBlockHash": to_hex(block_hash)})

    def _on_finalized(self, block_hash: H256, header: Header) -> None:
        if block_hash == self.finalized:
            return
        if int(header.number) <= int(self.tree[self.finalized].number):
            return
        route: list[H256] = []
        current = block_hash
        while current != self.finalized:
            parent = self.tree.get(current)
            if parent is None:
                self.stop()  # finality jumped to a block this subscription never saw
                return
            route.append(current)
            current = parent.parent_hash
        route.reverse()
        finalized_number = int(header.number)
        on_route = set(route)
        pruned = [
            h
            for h in self.tree
            if h != self.finalized
            and h not in on_route
            and not self._descends_from(h, block_hash, finalized_number)
        ]
        if self.best is not None and (
            self.best in pruned or (self.best in on_route and self.best != block_hash)
        ):
            # The best block must be the new finalized one or above it (spec, `finalized`).
            best = self.node.chain.best_hash
            ok = best in self.tree and self._descends_from(best, block_hash, finalized_number)
            self._set_best(best if ok and best not in pruned else block_hash)
        for gone in (self.finalized, *route[:-1], *pruned):
            self.tree.pop(gone, None)
        self.finalized = block_hash
        self.sink.send(
            {
                "event": "finalized",
                "finalizedBlockHashes": [to_hex(h) for h in route],
                "prunedBlockHashes": [to_hex(h) for h in pruned],
            }
        )

    def _descends_from(self, block: H256, ancestor: H256, ancestor_number: int) -> bool:
        current = block
        while current != ancestor:
            header = self.tree.get(current)
            if header is None or int(header.number) <= ancestor_number:
                return False
            current = header.parent_hash
        return True

    def stop(self) -> None:
        """Send ``{"event": "stop"}`` and end the subscription."""
        if self.stopped:
            return
        self.stopped = True
        self.sink.send({"event": "stop"})
        self.sink.close()

    def close(self) -> None:
        """Release everything (the subscription ended, whoever ended it)."""
        self.stopped = True
        for unsubscribe in self._sources:
            unsubscribe()
        self._sources = []
        for operation in list(self.operations.values()):
            if operation.task is not None:
                operation.task.cancel()
        self.operations.clear()
        self._forget(self.sink)

    # --- operations ------------------------------------------------------------------------------

    def check_pinned(self, block_hash: H256) -> None:
        """Raise -32801 unless `block_hash` is pinned by this subscription."""
        if block_hash not in self.pinned:
            raise RpcError(
                INVALID_BLOCK,
                "Invalid block hash: not reported by this subscription, or unpinned",
                to_hex(block_hash),
            )

    def begin(self, wanted: int) -> Operation | None:
        """Take up to `wanted` operation slots; None if there is none free."""
        free = self.limits.max_operations - self.busy
        if free <= 0 or wanted <= 0:
            return None
        slots = min(free, wanted)
        operation = Operation(str(next(self._ids)), slots)
        self.operations[operation.id] = operation
        self.busy += slots
        return operation

    def end(self, operation: Operation) -> None:
        """Release an operation's slots (idempotent)."""
        if self.operations.pop(operation.id, None) is not None:
            self.busy -= operation.slots

    def launch(self, operation: Operation, work: Any) -> None:
        """Run `work` (a coroutine) as the operation, after the current response is sent."""

        async def run() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the operation fails, the subscription lives on
                self.emit(operation, "operationError", error=f"internal error: {error}")
            finally:
                self.end(operation)

        operation.task = asyncio.get_running_loop().create_task(run())

    def emit(self, operation: Operation, event: str, **fields: Any) -> None:
        """Send one ``operation*`` event for `operation`."""
        if operation.id in self.operations:
            self.sink.send({"event": event, "operationId": operation.id, **fields})
