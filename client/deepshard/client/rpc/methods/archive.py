"""``archive_v1_*``: any block's header, body, storage and runtime calls, on archive nodes.

Registered only when the node keeps every state (``--archive`` / ``--pruning archive``), as
the spec intends: an archive answer for a block at or below ``archive_v1_finalizedHeight`` never
changes. ``archive_v1_hashByHeight`` answers the finalized block at or below the finalized
height, else the best chain's block (this node does not index side forks by height).
``archive_v1_storage`` is a subscription (``archive_v1_storageEvent``): one ``storage`` event
per item found (descendant queries resume after ``paginationStartKey``), then ``storageDone``,
or ``storageError``; ``archive_v1_stopStorage`` ends it early. ``archive_v1_storageDiff``
(``archive_v1_storageDiffEvent``) reports each key added, modified or deleted between a block
and its parent (or an ancestor, ``previousHash``) under the requested prefixes, then
``storageDiffDone``, or ``storageDiffError``; ``archive_v1_stopStorageDiff`` ends it early. There
are no child tries: a ``childTrie`` / ``childTrieKey`` query finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from deepshard.client.node.interfaces import NodeView
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.methods.chain_head import STORAGE_QUERY_TYPES
from deepshard.client.rpc.module import RpcModule, SubscriptionSink
from deepshard.client.rpc.params import Param, ParamError, h256, hex_bytes, text, u32
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.runtime.apis import ApiError

__all__ = [
    "register_archive",
    "STORAGE_EVENT",
    "STORAGE_DIFF_EVENT",
    "MAX_DESCENDANTS",
    "storage_diff",
]

STORAGE_EVENT: Final = "archive_v1_storageEvent"
"""The notification method of ``archive_v1_storage``."""
STORAGE_DIFF_EVENT: Final = "archive_v1_storageDiffEvent"
"""The notification method of ``archive_v1_storageDiff``."""
MAX_DESCENDANTS: Final = 10_000
"""Most entries one descendants query returns; the client resumes with
``paginationStartKey`` set to the last key it received."""


def _item(value: Any) -> tuple[bytes, str, bytes | None]:
    if not isinstance(value, dict):
        raise ParamError(f"a storage item is an object, got {value!r}")
    kind = value.get("type")
    if kind not in STORAGE_QUERY_TYPES:
        raise ParamError(f"unknown storage query type {kind!r}")
    start = value.get("paginationStartKey")
    return hex_bytes(value.get("key")), kind, None if start is None else hex_bytes(start)


def _items(value: Any) -> list[tuple[bytes, str, bytes | None]]:
    if not isinstance(value, list):
        raise ParamError("items must be an array")
    return [_item(item) for item in value]


def _optional_hex(value: Any) -> bytes | None:
    return None if value is None else hex_bytes(value)


def _optional_h256(value: Any) -> H256 | None:
    return None if value is None else h256(value)


DiffItem = tuple[bytes, str, bytes | None]
"""``(key prefix, "value" | "hash", child trie key or None)`` of ``archive_v1_storageDiff``."""


def _diff_item(value: Any) -> DiffItem:
    if not isinstance(value, dict):
        raise ParamError(f"a storage diff item is an object, got {value!r}")
    kind = value.get("returnType")
    if kind not in ("value", "hash"):
        raise ParamError(f"returnType must be 'value' or 'hash', got {kind!r}")
    key = value.get("key")
    return (b"" if key is None else hex_bytes(key), kind, _optional_hex(value.get("childTrieKey")))


def _diff_items(value: Any) -> list[DiffItem] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ParamError("items must be an array")
    return [_diff_item(item) for item in value]


def _merged(
    old: Any, new: Any, prefix: bytes
) -> Iterator[tuple[bytes, bytes | None, bytes | None]]:
    """``(key, old value, new value)`` for every key under `prefix` in either state, in order."""
    old_keys: Iterator[bytes] = old.iter_keys(prefix)
    new_keys: Iterator[bytes] = new.iter_keys(prefix)
    a, b = next(old_keys, None), next(new_keys, None)
    while a is not None or b is not None:
        if a is not None and (b is None or a < b):
            yield a, old.get(a), None
            a = next(old_keys, None)
        elif b is not None and (a is None or b < a):
            yield b, None, new.get(b)
            b = next(new_keys, None)
        elif a is not None:  # the same key in both
            yield a, old.get(a), new.get(a)
            a, b = next(old_keys, None), next(new_keys, None)


def storage_diff(old: Any, new: Any, items: list[DiffItem]) -> Iterator[dict[str, str]]:
    """The ``storageDiff`` events from state `old` to state `new` for `items` (see the module).

    A key under several requested prefixes is reported once per return type; child-trie items
    find nothing (this chain has none).
    """
    seen: set[tuple[bytes, str]] = set()
    for prefix, kind, child in items:
        if child is not None:
            continue
        for key, before, after in _merged(old, new, prefix):
            if before == after or (key, kind) in seen:
                continue
            seen.add((key, kind))
            event = {"event": "storageDiff", "key": to_hex(key)}
            if after is None:
                event["type"] = "deleted"
            else:
                event[kind] = to_hex(after if kind == "value" else blake2_256(after))
                event["type"] = "added" if before is None else "modified"
            yield event


def register_archive(module: RpcModule, node: NodeView) -> None:
    """Register the ``archive_v1_*`` methods of `node`."""
    chain = node.chain

    def finalized_height() -> int:
        header = chain.header(chain.finalized_hash)
        return 0 if header is None else int(header.number)

    def header(block_hash: H256) -> str | None:
        found = chain.header(block_hash)
        return None if found is None else to_hex(found.encode())

    def body(block_hash: H256) -> list[str] | None:
        found = chain.body(block_hash)
        return None if found is None else [to_hex(xt) for xt in found]

    def hash_by_height(height: int) -> list[str]:
        found = chain.canonical_hash(height)
        return [] if found is None else [to_hex(found)]

    def call(block_hash: H256, function: str, parameters: bytes) -> dict[str, Any] | None:
        if chain.header(block_hash) is None or chain.state_at(block_hash) is None:
            return None
        try:
            output = node.call_runtime(function, parameters, block_hash)
        except ApiError as error:
            return {"success": False, "error": str(error)}
        return {"success": True, "value": to_hex(output)}

    def storage(
        sink: SubscriptionSink,
        block_hash: H256,
        items: list[tuple[bytes, str, bytes | None]],
        child_trie: bytes | None,
    ) -> None:
        reader = chain.state_at(block_hash)
        if reader is None:
            sink.send({"event": "storageError", "error": "unknown or pruned block"})
            sink.close()
            return
        if child_trie is None:
            for key, kind, start in items:
                if sink.closed:
                    return
                for event in _storage_events(reader, key, kind, start):
                    sink.send(event)
        sink.send({"event": "storageDone"})
        sink.close()

    def descends(block_hash: H256, ancestor: H256) -> bool:
        target = chain.header(ancestor)
        current: H256 | None = block_hash
        while current is not None and target is not None:
            if current == ancestor:
                return True
            found = chain.header(current)
            if found is None or int(found.number) <= int(target.number):
                return False
            current = found.parent_hash
        return False

    def storage_diff_subscription(
        sink: SubscriptionSink,
        block_hash: H256,
        items: list[DiffItem] | None,
        previous: H256 | None,
    ) -> None:
        def fail(error: str) -> None:
            sink.send({"event": "storageDiffError", "error": error})
            sink.close()

        header = chain.header(block_hash)
        if header is None:
            return fail("unknown block")
        if previous is None:
            if int(header.number) == 0:
                return fail("the genesis block has no parent: give previousHash")
            previous = header.parent_hash
        elif not descends(block_hash, previous):
            return fail("previousHash is not an ancestor of hash")
        new, old = chain.state_at(block_hash), chain.state_at(previous)
        try:
            if new is None or old is None:
                return fail("the state of a block is unknown or pruned")
            wanted: list[DiffItem] = [(b"", "value", None)] if items is None else items
            for event in storage_diff(old, new, wanted):
                if sink.closed:
                    return None
                sink.send(event)
            sink.send({"event": "storageDiffDone"})
            sink.close()
            return None
        finally:
            for reader in (new, old):  # a database snapshot holds a read transaction
                close = getattr(reader, "close", None)
                if close is not None:
                    close()

    at = Param("hash", h256)
    module.register("archive_v1_finalizedHeight", finalized_height, blocking=True)
    module.register("archive_v1_genesisHash", lambda: to_hex(chain.genesis_hash))
    module.register("archive_v1_header", header, params=(at,), blocking=True)
    module.register("archive_v1_body", body, params=(at,), blocking=True)
    module.register(
        "archive_v1_hashByHeight", hash_by_height, params=(Param("height", u32),), blocking=True
    )
    module.register(
        "archive_v1_call",
        call,
        params=(at, Param("function", text), Param("callParameters", hex_bytes)),
        blocking=True,
    )
    module.register_subscription(
        "archive_v1_storage",
        "archive_v1_stopStorage",
        STORAGE_EVENT,
        storage,
        params=(at, Param("items", _items), Param("childTrie", _optional_hex, optional=True)),
        blocking=True,
    )
    module.register_subscription(
        "archive_v1_storageDiff",
        "archive_v1_stopStorageDiff",
        STORAGE_DIFF_EVENT,
        storage_diff_subscription,
        params=(
            at,
            Param("items", _diff_items, optional=True),
            Param("previousHash", _optional_h256, optional=True),
        ),
        blocking=True,
    )


def _storage_events(
    reader: Any, key: bytes, kind: str, start: bytes | None
) -> list[dict[str, str]]:
    if kind in {"value", "hash"}:
        value = reader.get(key)
        if value is None:
            return []
        found = value if kind == "value" else blake2_256(value)
        return [{"event": "storage", "key": to_hex(key), kind: to_hex(found)}]
    if kind == "closestDescendantMerkleValue":
        method = getattr(reader, "closest_descendant_merkle_value", None)
        merkle = None if method is None else method(key)
        if merkle is None:
            return []
        return [{"event": "storage", "key": to_hex(key), kind: to_hex(merkle)}]
    field = "hash" if kind == "descendantsHashes" else "value"
    events = []
    for each in reader.iter_keys(key, start):
        value = reader.get(each)
        if value is None:
            continue
        found = blake2_256(value) if field == "hash" else value
        events.append({"event": "storage", "key": to_hex(each), field: to_hex(found)})
        if len(events) >= MAX_DESCENDANTS:
            break
    return events
