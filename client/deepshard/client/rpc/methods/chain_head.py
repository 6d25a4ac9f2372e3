"""``chainHead_v1_*``: following the head of the chain, as the new JSON-RPC spec defines it.

Introduction
------------
``chainHead_v1_follow(withRuntime)`` opens a subscription (notifications
``chainHead_v1_followEvent``) that reports, in order: ``initialized`` with the finalized block
(and its runtime), a ``newBlock`` for each non-finalized block of the best chain, then
``bestBlockChanged``; afterwards ``newBlock`` for every imported block, ``bestBlockChanged``
when the best block moves, and ``finalized`` with the newly finalized blocks and the pruned
ones. Every reported block is *pinned* for that subscription until the client unpins it
(``chainHead_v1_unpin``); ``chainHead_v1_header``, ``_body``, ``_call`` and ``_storage`` work
on pinned blocks only (-32801 otherwise). Body, call and storage are *operations*: they answer
``{"result": "started", "operationId"}`` at once and report through ``operation*`` events on
the follow subscription; ``chainHead_v1_stopOperation`` cancels one, ``chainHead_v1_continue``
resumes a storage iteration paused by ``operationWaitingForContinue``.

Limits (`ChainHeadLimits`), as the spec asks and Substrate sets them:

* two follow subscriptions per connection (a third answers -32800);
* pinned blocks per subscription: past the limit the subscription gets ``{"event": "stop"}``;
* sixteen operation slots per subscription (each storage item takes one): past them body and
  call answer ``limitReached`` and storage discards items from the back (``discardedItems``);
* a subscription whose notifications pile up unwritten (a client that stops reading) gets
  ``{"event": "stop"}`` and ends;
* descendants storage queries pause every ``storage_page_size`` items.

An unknown or stale follow subscription makes header answer null, operations
``limitReached``, and unpin, continue and stopOperation do nothing, as the spec says.
Deepshard has no child tries: a storage query on a ``childTrie`` finds nothing.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from deepshard.client.node.interfaces import NodeView, Unsubscribe
from deepshard.client.rpc.errors import RpcError, internal_error
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.module import CallContext, RpcModule, SubscriptionSink
from deepshard.client.rpc.params import (
    Param,
    ParamError,
    boolean,
    h256,
    hex_bytes,
    list_or_value,
    text,
)
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header
from deepshard.primitives.version import RuntimeVersion
from deepshard.runtime.apis import ApiError

__all__ = [
    "ChainHeadLimits",
    "register_chain_head",
    "runtime_spec_json",
    "FOLLOW",
    "FOLLOW_EVENT",
    "TOO_MANY_FOLLOWS",
    "INVALID_BLOCK",
    "INVALID_RUNTIME_CALL",
    "INVALID_CONTINUE",
    "DUPLICATE_HASHES",
    "STORAGE_QUERY_TYPES",
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

STORAGE_QUERY_TYPES: Final = frozenset(
    {"value", "hash", "closestDescendantMerkleValue", "descendantsValues", "descendantsHashes"}
)
"""The ``type`` of a ``chainHead_v1_storage`` item."""

_LIMIT_REACHED: Final = {"result": "limitReached"}


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


def _storage_item(value: Any) -> tuple[bytes, str]:
    if not isinstance(value, dict):
        raise ParamError(f"a storage item is an object, got {value!r}")
    kind = value.get("type")
    if kind not in STORAGE_QUERY_TYPES:
        raise ParamError(f"unknown storage query type {kind!r}")
    return hex_bytes(value.get("key")), kind


def _storage_items(value: Any) -> list[tuple[bytes, str]]:
    if not isinstance(value, list):
        raise ParamError("items must be an array")
    return [_storage_item(item) for item in value]


def _optional_hex(value: Any) -> bytes | None:
    return None if value is None else hex_bytes(value)


class _Operation:
    """One body, call or storage operation of a follow subscription."""

    __slots__ = ("id", "resume", "slots", "task", "waiting")

    def __init__(self, op_id: str, slots: int) -> None:
        self.id = op_id
        self.slots = slots
        self.task: asyncio.Task[None] | None = None
        self.resume = asyncio.Event()
        self.waiting = False


class _Follow:
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
        self.operations: dict[str, _Operation] = {}
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
        for header in self._best_chain_above_finalized(chain.best_hash, int(finalized.number)):
            self._new_block(header)
        self._set_best(chain.best_hash if chain.best_hash in self.tree else self.finalized)
        self._ready = True
        pending, self._pending = self._pending, []
        for kind, header in pending:
            self._on_event(kind, header)

    def _best_chain_above_finalized(self, best: H256, finalized_number: int) -> list[Header]:
        path: list[Header] = []
        current = best
        while current != self.finalized:
            header = self.node.chain.header(current)
            if header is None or int(header.number) <= finalized_number:
                return []  # the best block is not above the finalized one: report none
            path.append(header)
            current = header.parent_hash
        path.reverse()
        return path

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

    def begin(self, wanted: int) -> _Operation | None:
        """Take up to `wanted` operation slots; None if there is none free."""
        free = self.limits.max_operations - self.busy
        if free <= 0 or wanted <= 0:
            return None
        slots = min(free, wanted)
        operation = _Operation(str(next(self._ids)), slots)
        self.operations[operation.id] = operation
        self.busy += slots
        return operation

    def end(self, operation: _Operation) -> None:
        """Release an operation's slots (idempotent)."""
        if self.operations.pop(operation.id, None) is not None:
            self.busy -= operation.slots

    def launch(self, operation: _Operation, work: Any) -> None:
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

    def emit(self, operation: _Operation, event: str, **fields: Any) -> None:
        """Send one ``operation*`` event for `operation`."""
        if operation.id in self.operations:
            self.sink.send({"event": event, "operationId": operation.id, **fields})


@dataclass(slots=True)
class _Registry:
    node: NodeView
    limits: ChainHeadLimits
    follows: dict[SubscriptionSink, _Follow]

    def forget(self, sink: SubscriptionSink) -> None:
        self.follows.pop(sink, None)

    def find(self, ctx: CallContext, follow_id: str) -> _Follow | None:
        sink = ctx.session.subscriptions.get(follow_id)
        if sink is None or sink.group != FOLLOW:
            return None
        follow = self.follows.get(sink)
        return None if follow is None or follow.stopped else follow


def register_chain_head(
    module: RpcModule, node: NodeView, limits: ChainHeadLimits | None = None
) -> None:
    """Register the ``chainHead_v1_*`` methods of `node`."""
    registry = _Registry(node, limits or ChainHeadLimits(), {})
    chain = node.chain
    loop_executor = module.executor

    def follow(sink: SubscriptionSink, with_runtime: bool) -> Callable[[], None]:
        held = sum(1 for s in sink.session.subscriptions.values() if s.group == FOLLOW)
        if held > registry.limits.max_follows:  # this one is already counted
            raise RpcError(
                TOO_MANY_FOLLOWS,
                "Maximum number of chainHead_follow has been reached",
                registry.limits.max_follows,
            )
        sink.buffer_limit = registry.limits.max_lagging
        sink.lag_result = {"event": "stop"}
        state = _Follow(node, sink, with_runtime, registry.limits, registry.forget)
        registry.follows[sink] = state
        try:
            state.start()
        except BaseException:
            state.close()
            raise
        return state.close

    async def blocking(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(loop_executor, fn, *args)

    def header(ctx: CallContext, follow_id: str, block_hash: H256) -> str | None:
        state = registry.find(ctx, follow_id)
        if state is None:
            return None
        state.check_pinned(block_hash)
        found = chain.header(block_hash)
        if found is None:
            raise internal_error("a pinned block's header is missing from the database")
        return to_hex(found.encode())

    def body(ctx: CallContext, follow_id: str, block_hash: H256) -> dict[str, Any]:
        state = registry.find(ctx, follow_id)
        if state is None:
            return dict(_LIMIT_REACHED)
        state.check_pinned(block_hash)
        operation = state.begin(1)
        if operation is None:
            return dict(_LIMIT_REACHED)

        async def work() -> None:
            extrinsics = await blocking(chain.body, block_hash)
            if extrinsics is None:
                state.emit(operation, "operationInaccessible")
            else:
                state.emit(operation, "operationBodyDone", value=[to_hex(x) for x in extrinsics])

        state.launch(operation, work())
        return {"result": "started", "operationId": operation.id}

    def call(
        ctx: CallContext, follow_id: str, block_hash: H256, function: str, parameters: bytes
    ) -> dict[str, Any]:
        state = registry.find(ctx, follow_id)
        if state is None:
            return dict(_LIMIT_REACHED)
        state.check_pinned(block_hash)
        if not state.with_runtime:
            raise RpcError(INVALID_RUNTIME_CALL, "Invalid runtime call: withRuntime was false")
        operation = state.begin(1)
        if operation is None:
            return dict(_LIMIT_REACHED)

        def run() -> tuple[str, dict[str, Any]]:
            if chain.state_at(block_hash) is None:
                return "operationInaccessible", {}
            try:
                output = node.call_runtime(function, parameters, block_hash)
            except ApiError as error:
                return "operationError", {"error": str(error)}
            return "operationCallDone", {"output": to_hex(output)}

        async def work() -> None:
            event, fields = await blocking(run)
            state.emit(operation, event, **fields)

        state.launch(operation, work())
        return {"result": "started", "operationId": operation.id}

    def storage(
        ctx: CallContext,
        follow_id: str,
        block_hash: H256,
        items: list[tuple[bytes, str]],
        child_trie: bytes | None,
    ) -> dict[str, Any]:
        state = registry.find(ctx, follow_id)
        if state is None:
            return dict(_LIMIT_REACHED)
        state.check_pinned(block_hash)
        operation = state.begin(len(items))
        if operation is None:
            return dict(_LIMIT_REACHED)
        accepted = items[: operation.slots]
        page_size = registry.limits.storage_page_size

        async def work() -> None:
            reader = await blocking(chain.state_at, block_hash)
            if reader is None:
                state.emit(operation, "operationInaccessible")
                return
            if child_trie is not None:  # no child tries on this chain: nothing to find
                state.emit(operation, "operationStorageDone")
                return
            direct = await blocking(_direct_items, reader, accepted)
            if direct:
                state.emit(operation, "operationStorageItems", items=direct)
            for key, kind in accepted:
                if kind not in ("descendantsValues", "descendantsHashes"):
                    continue
                pages = _descendant_pages(reader, key, kind == "descendantsHashes", page_size)
                while True:
                    page = await blocking(next, pages, None)
                    if page is None:
                        break
                    state.emit(operation, "operationStorageItems", items=page)
                    if len(page) == page_size:  # maybe more: let the client pace us
                        operation.waiting = True
                        state.emit(operation, "operationWaitingForContinue")
                        await operation.resume.wait()
                        operation.resume.clear()
            state.emit(operation, "operationStorageDone")

        state.launch(operation, work())
        return {
            "result": "started",
            "operationId": operation.id,
            "discardedItems": len(items) - len(accepted),
        }

    def unpin(ctx: CallContext, follow_id: str, hashes: tuple[bool, Any]) -> None:
        state = registry.find(ctx, follow_id)
        if state is None:
            return
        is_list, value = hashes
        wanted: list[H256] = list(value) if is_list else [value]
        if len(set(wanted)) != len(wanted):
            raise RpcError(DUPLICATE_HASHES, "Invalid parameter: duplicate block hashes")
        for block_hash in wanted:
            state.check_pinned(block_hash)
        state.pinned.difference_update(wanted)

    def continue_(ctx: CallContext, follow_id: str, operation_id: str) -> None:
        state = registry.find(ctx, follow_id)
        operation = None if state is None else state.operations.get(operation_id)
        if operation is None:
            return
        if not operation.waiting:
            raise RpcError(INVALID_CONTINUE, "Invalid continue: the operation is not waiting")
        operation.waiting = False
        operation.resume.set()

    def stop_operation(ctx: CallContext, follow_id: str, operation_id: str) -> None:
        state = registry.find(ctx, follow_id)
        operation = None if state is None else state.operations.get(operation_id)
        if state is None or operation is None:
            return
        state.end(operation)
        if operation.task is not None:
            operation.task.cancel()

    follow_id = Param("followSubscription", text)
    block = Param("hash", h256)
    module.register_subscription(
        FOLLOW,
        "chainHead_v1_unfollow",
        FOLLOW_EVENT,
        follow,
        params=(Param("withRuntime", boolean),),
    )
    module.register("chainHead_v1_header", header, params=(follow_id, block), with_context=True)
    module.register("chainHead_v1_body", body, params=(follow_id, block), with_context=True)
    module.register(
        "chainHead_v1_call",
        call,
        params=(follow_id, block, Param("function", text), Param("callParameters", hex_bytes)),
        with_context=True,
    )
    module.register(
        "chainHead_v1_storage",
        storage,
        params=(
            follow_id,
            block,
            Param("items", _storage_items),
            Param("childTrie", _optional_hex, optional=True),
        ),
        with_context=True,
    )
    module.register(
        "chainHead_v1_unpin",
        unpin,
        params=(follow_id, Param("hashOrHashes", list_or_value(h256))),
        with_context=True,
    )
    operation_id = Param("operationId", text)
    module.register(
        "chainHead_v1_continue", continue_, params=(follow_id, operation_id), with_context=True
    )
    module.register(
        "chainHead_v1_stopOperation",
        stop_operation,
        params=(follow_id, operation_id),
        with_context=True,
    )


def _direct_items(reader: Any, items: list[tuple[bytes, str]]) -> list[dict[str, str]]:
    found = []
    for key, kind in items:
        if kind in {"value", "hash"}:
            value = reader.get(key)
            if value is None:
                continue
            field = "value" if kind == "value" else "hash"
            found.append(
                {"key": to_hex(key), field: to_hex(value if kind == "value" else blake2_256(value))}
            )
        elif kind == "closestDescendantMerkleValue":
            merkle = closest_descendant_merkle_value(reader, key)
            if merkle is not None:
                found.append({"key": to_hex(key), "closestDescendantMerkleValue": to_hex(merkle)})
    return found


def _descendant_pages(
    reader: Any, prefix: bytes, hashes: bool, page_size: int
) -> Iterator[list[dict[str, str]]]:
    page: list[dict[str, str]] = []
    for key in reader.iter_keys(prefix):
        value = reader.get(key)
        if value is None:
            continue
        field = {"hash": to_hex(blake2_256(value))} if hashes else {"value": to_hex(value)}
        page.append({"key": to_hex(key), **field})
        if len(page) == page_size:
            yield page
            page = []
    if page:
        yield page


def closest_descendant_merkle_value(reader: Any, key: bytes) -> bytes | None:
    """The Merkle value of the trie node at `key` or of its closest descendant, or None.

    Needs a reader over a trie (``closest_descendant_merkle_value``); readers without one
    answer None.
    """
    method = getattr(reader, "closest_descendant_merkle_value", None)
    return None if method is None else method(key)
