"""``state_*`` methods: storage, keys, proofs, metadata, runtime version, runtime calls.

Every ``at`` parameter is optional (null: the best block). An unknown block or a pruned
state answers 4003 ``Client error: ...``, a failed ``state_call`` 4003 ``Client error:
Execution failed: ...``, and ``state_getKeysPaged`` with a count above 1000 answers 4002, as
sc-rpc does.

``state_subscribeStorage`` sends the current values of the keys at once, then, on each new
best block, the keys whose values differ from the last values sent. Subscribing to every key
(no key list) is unsafe in Substrate and is not offered here: it answers the unsafe-call
error where unsafe methods are denied and -32602 otherwise. ``state_subscribeRuntimeVersion``
sends the current version at once, then each change on the best chain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final

from deepshard.client.node.interfaces import NodeView, StateReader, Unsubscribe
from deepshard.client.rpc.errors import (
    STATE_CLIENT,
    STATE_INVALID_BLOCK_RANGE,
    STATE_INVALID_COUNT,
    RpcError,
    invalid_params,
    unsafe_rpc_called,
)
from deepshard.client.rpc.json import change_set_json, to_hex
from deepshard.client.rpc.module import CallContext, RpcModule, SubscriptionSink
from deepshard.client.rpc.params import Param, h256, hex_bytes, list_of, text, u32
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header
from deepshard.runtime.apis import ApiError

__all__ = [
    "register_state",
    "KEYS_PAGED_MAX_COUNT",
    "MAX_SUBSCRIBED_KEYS",
    "MAX_QUERY_KEYS",
    "SAFE_STORAGE_SIZE_KEYS",
    "MAX_QUERY_STORAGE_BLOCKS",
]

KEYS_PAGED_MAX_COUNT: Final = 1000
"""Largest ``count`` of ``state_getKeysPaged`` (sc-rpc's ``STORAGE_KEYS_PAGED_MAX_COUNT``)."""
MAX_SUBSCRIBED_KEYS: Final = 1000
"""Most keys one ``state_subscribeStorage`` may watch."""
MAX_QUERY_KEYS: Final = 10_000
"""Most keys one ``state_queryStorageAt`` / ``state_getReadProof`` may name."""
SAFE_STORAGE_SIZE_KEYS: Final = 100_000
"""Where unsafe calls are denied, ``state_getStorageSize`` over a prefix sums at most this
many values (Substrate bounds it with a 30 s timeout instead)."""
MAX_QUERY_STORAGE_BLOCKS: Final = 10_000
"""Longest block range of ``state_queryStorage``."""


def _client_error(message: str) -> RpcError:
    return RpcError(STATE_CLIENT, f"Client error: {message}")


def register_state(module: RpcModule, node: NodeView) -> None:
    """Register the ``state_*`` methods of `node`."""
    chain = node.chain

    def block(at: H256 | None) -> H256:
        block_hash = at if at is not None else chain.best_hash
        if chain.header(block_hash) is None:
            raise _client_error(
                f"UnknownBlock: Header was not found in the database: {block_hash.to_hex()}"
            )
        return block_hash

    def state(at: H256 | None) -> tuple[H256, StateReader]:
        block_hash = at if at is not None else chain.best_hash
        reader = chain.state_at(block_hash)
        if reader is None:
            raise _client_error(f"UnknownBlock: State already discarded for {block_hash.to_hex()}")
        return block_hash, reader

    def get_storage(key: bytes, at: H256 | None) -> str | None:
        value = state(at)[1].get(key)
        return None if value is None else to_hex(value)

    def get_storage_hash(key: bytes, at: H256 | None) -> str | None:
        value = state(at)[1].get(key)
        return None if value is None else to_hex(blake2_256(value))

    def get_storage_size(ctx: CallContext, key: bytes, at: H256 | None) -> int | None:
        reader = state(at)[1]
        value = reader.get(key)
        if value is not None:
            return len(value)
        total = 0
        for count, each in enumerate(reader.iter_keys(key), start=1):
            if ctx.deny_unsafe and count > SAFE_STORAGE_SIZE_KEYS:
                raise _client_error("Query timeout: the prefix holds too many keys")
            total += len(reader.get(each) or b"")
        return total or None

    def get_keys(prefix: bytes, at: H256 | None) -> list[str]:
        return [to_hex(k) for k in state(at)[1].iter_keys(prefix)]

    def get_pairs(prefix: bytes, at: H256 | None) -> list[list[str]]:
        reader = state(at)[1]
        pairs = []
        for key in reader.iter_keys(prefix):
            value = reader.get(key)
            if value is not None:
                pairs.append([to_hex(key), to_hex(value)])
        return pairs

    def get_keys_paged(
        prefix: bytes | None, count: int, start_key: bytes | None, at: H256 | None
    ) -> list[str]:
        if count > KEYS_PAGED_MAX_COUNT:
            raise RpcError(
                STATE_INVALID_COUNT,
                f"count exceeds maximum value. value: {count}, max: {KEYS_PAGED_MAX_COUNT}",
            )
        keys = []
        if count:
            for key in state(at)[1].iter_keys(prefix or b"", start_key):
                keys.append(to_hex(key))
                if len(keys) >= count:
                    break
        return keys

    metadata_cache: list[tuple[bytes, str]] = []

    def get_metadata(at: H256 | None) -> str:
        encoded = node.metadata(block(at))
        if metadata_cache and metadata_cache[0][0] is encoded:
            return metadata_cache[0][1]
        hexed = to_hex(encoded)
        metadata_cache[:] = [(encoded, hexed)]
        return hexed

    def get_runtime_version(at: H256 | None) -> dict[str, Any]:
        return node.runtime_version(block(at)).to_json()

    def call(method: str, data: bytes, at: H256 | None) -> str:
        block_hash = block(at)
        try:
            return to_hex(node.call_runtime(method, data, block_hash))
        except ApiError as error:
            raise _client_error(f"Execution failed: {error}") from None

    def query_storage_at(keys: list[bytes], at: H256 | None) -> list[dict[str, Any]]:
        block_hash, reader = state(at)
        if not keys:
            return []
        return [change_set_json(block_hash, [(k, reader.get(k)) for k in keys])]

    def query_storage(
        keys: list[bytes], from_hash: H256, to_hash: H256 | None
    ) -> list[dict[str, Any]]:
        hashes = _block_range(node, from_hash, to_hash if to_hash is not None else chain.best_hash)
        last: dict[bytes, bytes | None] = {}
        result = []
        for block_hash in hashes:
            reader = chain.state_at(block_hash)
            if reader is None:
                raise _client_error(
                    f"UnknownBlock: State already discarded for {block_hash.to_hex()}"
                )
            changes = []
            for key in keys:
                value = reader.get(key)
                if key not in last or last[key] != value:
                    changes.append((key, value))
                last[key] = value
            if changes:
                result.append(change_set_json(block_hash, changes))
        return result

    def get_read_proof(keys: list[bytes], at: H256 | None) -> dict[str, Any]:
        block_hash, reader = state(at)
        return {"at": to_hex(block_hash), "proof": [to_hex(n) for n in reader.read_proof(keys)]}

    key = Param("key", hex_bytes)
    prefix = Param("prefix", hex_bytes)
    at = Param("hash", h256, optional=True)
    keys = Param("keys", list_of(hex_bytes, max_len=MAX_QUERY_KEYS))
    module.register(
        "state_getStorage", get_storage, params=(key, at), aliases=("state_getStorageAt",)
    )
    module.register(
        "state_getStorageHash",
        get_storage_hash,
        params=(key, at),
        aliases=("state_getStorageHashAt",),
    )
    module.register(
        "state_getStorageSize",
        get_storage_size,
        params=(key, at),
        aliases=("state_getStorageSizeAt",),
        blocking=True,
        with_context=True,
    )
    module.register("state_getKeys", get_keys, params=(prefix, at), blocking=True)
    module.register("state_getPairs", get_pairs, params=(prefix, at), blocking=True)
    module.register(
        "state_getKeysPaged",
        get_keys_paged,
        params=(
            Param("prefix", hex_bytes, optional=True),
            Param("count", u32),
            Param("start_key", hex_bytes, optional=True),
            at,
        ),
        aliases=("state_getKeysPagedAt",),
    )
    module.register("state_getMetadata", get_metadata, params=(at,))
    module.register(
        "state_getRuntimeVersion",
        get_runtime_version,
        params=(at,),
        aliases=("chain_getRuntimeVersion",),
    )
    module.register(
        "state_call",
        call,
        params=(Param("name", text), Param("bytes", hex_bytes), at),
        aliases=("state_callAt",),
        blocking=True,
    )
    module.register("state_queryStorageAt", query_storage_at, params=(keys, at), blocking=True)
    module.register(
        "state_queryStorage",
        query_storage,
        params=(keys, Param("block", h256), Param("hash", h256, optional=True)),
        blocking=True,
    )
    module.register("state_getReadProof", get_read_proof, params=(keys, at), blocking=True)

    module.register_subscription(
        "state_subscribeRuntimeVersion",
        "state_unsubscribeRuntimeVersion",
        "state_runtimeVersion",
        _runtime_versions(node),
        aliases=("chain_subscribeRuntimeVersion",),
        unsubscribe_aliases=("chain_unsubscribeRuntimeVersion",),
    )
    module.register_subscription(
        "state_subscribeStorage",
        "state_unsubscribeStorage",
        "state_storage",
        _storage_changes(node),
        params=(Param("keys", list_of(hex_bytes), optional=True),),
    )


def _block_range(node: NodeView, from_hash: H256, to_hash: H256) -> list[H256]:
    """The hashes from `from_hash` to `to_hash` (inclusive), walking parents back from `to`."""
    chain = node.chain
    first = chain.header(from_hash)
    last = chain.header(to_hash)
    if first is None or last is None:
        missing = from_hash if first is None else to_hash
        raise RpcError(
            STATE_INVALID_BLOCK_RANGE,
            f"Cannot resolve a block range ['{from_hash.to_hex()}' ... '{to_hash.to_hex()}]. "
            f"Header was not found in the database: {missing.to_hex()}",
        )
    if int(first.number) > int(last.number):
        raise RpcError(
            STATE_INVALID_BLOCK_RANGE,
            f"Cannot resolve a block range ['{from_hash.to_hex()}' ... '{to_hash.to_hex()}]. "
            "from number > to number",
        )
    if int(last.number) - int(first.number) >= MAX_QUERY_STORAGE_BLOCKS:
        raise invalid_params(f"a block range spans at most {MAX_QUERY_STORAGE_BLOCKS} blocks")
    hashes = [to_hash]
    header: Header | None = last
    while header is not None and int(header.number) > int(first.number):
        hashes.append(header.parent_hash)
        header = chain.header(header.parent_hash)
    if hashes[-1] != from_hash:
        raise RpcError(
            STATE_INVALID_BLOCK_RANGE,
            f"Cannot resolve a block range ['{from_hash.to_hex()}' ... '{to_hash.to_hex()}]. "
            "from and to are on different forks",
        )
    hashes.reverse()
    return hashes


def _runtime_versions(node: NodeView) -> Callable[[SubscriptionSink], Unsubscribe]:
    def subscribe(sink: SubscriptionSink) -> Unsubscribe:
        lock = threading.RLock()
        with lock:
            current = node.runtime_version(node.chain.best_hash)
            last = [current]

            def on_best(header: Header) -> None:
                version = node.runtime_version(header.hash())
                with lock:
                    if version == last[0]:
                        return
                    last[0] = version
                sink.send(version.to_json())

            unsubscribe = node.events.on_new_best(on_best)
            sink.send(current.to_json())
        return unsubscribe

    return subscribe


def _storage_changes(
    node: NodeView,
) -> Callable[[SubscriptionSink, list[bytes] | None], Unsubscribe | None]:
    def subscribe(sink: SubscriptionSink, keys: list[bytes] | None) -> Unsubscribe | None:
        if keys is None:
            if sink.deny_unsafe:
                raise unsafe_rpc_called()
            raise invalid_params("state_subscribeStorage needs a list of keys")
        if len(keys) > MAX_SUBSCRIBED_KEYS:
            raise invalid_params(f"at most {MAX_SUBSCRIBED_KEYS} keys per subscription")
        if not keys:
            return None
        watched = list(dict.fromkeys(keys))
        lock = threading.RLock()
        last: dict[bytes, bytes | None] = {}

        def on_best(header: Header) -> None:
            block_hash = header.hash()
            reader = node.chain.state_at(block_hash)
            if reader is None:
                return
            with lock:
                changes = []
                for key in watched:
                    value = reader.get(key)
                    if last.get(key) != value:
                        changes.append((key, value))
                        last[key] = value
                if changes:
                    sink.send(change_set_json(block_hash, changes))

        with lock:
            unsubscribe = node.events.on_new_best(on_best)
            best = node.chain.best_hash
            reader = node.chain.state_at(best)
            if reader is None:
                unsubscribe()
                raise _client_error(f"UnknownBlock: State already discarded for {best.to_hex()}")
            initial = [(key, reader.get(key)) for key in watched]
            last.update(initial)
            sink.send(change_set_json(best, [(key, last[key]) for key in keys]))
        return unsubscribe

    return subscribe
