"""``chainHead_v1_*``: following the head of the chain, as the new JSON-RPC spec defines it.

Introduction
------------
``chainHead_v1_follow(withRuntime)`` opens a subscription (notifications
``chainHead_v1_followEvent``) that reports, in order: ``initialized`` with the finalized block
(and its runtime), a ``newBlock`` for each block above it that the node holds (side forks
included, parents first), then ``bestBlockChanged``; afterwards ``newBlock`` for every imported
block, ``bestBlockChanged`` when the best block moves, and ``finalized`` with the newly
finalized blocks and the pruned ones. Every reported block is *pinned* for that subscription
until the client unpins it (``chainHead_v1_unpin``); ``chainHead_v1_header``, ``_body``,
``_call`` and ``_storage`` work on pinned blocks only (-32801 otherwise). Body, call and storage
are *operations*: they answer ``{"result": "started", "operationId"}`` at once and report
through ``operation*`` events on the follow subscription; ``chainHead_v1_stopOperation`` cancels
one, ``chainHead_v1_continue`` resumes a storage iteration paused by
``operationWaitingForContinue``.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from deepshard.client.node.interfaces import NodeView
from deepshard.client.rpc.errors import RpcError, internal_error
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.methods.chain_head_follow import (
    DUPLICATE_HASHES,
    FOLLOW,
    FOLLOW_EVENT,
    INVALID_BLOCK,
    INVALID_CONTINUE,
    INVALID_RUNTIME_CALL,
    TOO_MANY_FOLLOWS,
    ChainHeadLimits,
    FollowSubscription,
    runtime_spec_json,
)
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

STORAGE_QUERY_TYPES: Final = frozenset(
    {"value", "hash", "closestDescendantMerkleValue", "descendantsValues", "descendantsHashes"}
)
"""The ``type`` of a ``chainHead_v1_storage`` item."""

_LIMIT_REACHED: Final = {"result": "limitReached"}


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


@dataclass(slots=True)
class _Registry:
    node: NodeView
    limits: ChainHeadLimits
    follows: dict[SubscriptionSink, FollowSubscription]

    def forget(self, sink: SubscriptionSink) -> None:
        self.follows.pop(sink, None)

    def find(self, ctx: CallContext, follow_id: str) -> FollowSubscription | None:
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
        state = FollowSubscription(node, sink, with_runtime, registry.limits, registry.forget)
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
