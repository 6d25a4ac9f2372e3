"""``childstate_*`` and ``state_getChildReadProof``: the answers of a chain without child tries.

Substrate keeps contracts' and crowdloans' storage in child tries, each rooted at a top-trie
key ``:child_storage:default:<id>``; clients address one by that prefixed key. Deepshard's
runtime creates no child tries, so every well-formed child key names an empty trie: values
are ``null``, key lists ``[]``, sizes and hashes ``null`` -- what a Substrate node answers for
a child trie that does not exist. A key without the ``:child_storage:default:`` prefix answers
4003 ``Client error: Invalid child storage key``, an unknown block 4003 as ``state_*`` does.
``state_getChildReadProof`` proves the absence: it is the top-trie proof for the child's root
key, which a verifier finds missing.
"""

from __future__ import annotations

from typing import Any, Final

from deepshard.client.node.interfaces import NodeView, StateReader
from deepshard.client.rpc.errors import STATE_CLIENT, STATE_INVALID_COUNT, RpcError
from deepshard.client.rpc.json import to_hex
from deepshard.client.rpc.methods.state import KEYS_PAGED_MAX_COUNT, MAX_QUERY_KEYS
from deepshard.client.rpc.module import RpcModule
from deepshard.client.rpc.params import Param, h256, hex_bytes, list_of, u32
from deepshard.primitives.codec import H256

__all__ = ["register_childstate", "DEFAULT_CHILD_STORAGE_PREFIX"]

DEFAULT_CHILD_STORAGE_PREFIX: Final = b":child_storage:default:"
"""The top-trie prefix of a default child trie's root key (``ChildType::ParentKeyId``)."""


def _client_error(message: str) -> RpcError:
    return RpcError(STATE_CLIENT, f"Client error: {message}")


def register_childstate(module: RpcModule, node: NodeView) -> None:
    """Register the ``childstate_*`` methods and ``state_getChildReadProof`` of `node`."""
    chain = node.chain

    def resolve(child_key: bytes, at: H256 | None) -> tuple[H256, StateReader]:
        if not child_key.startswith(DEFAULT_CHILD_STORAGE_PREFIX) or child_key == (
            DEFAULT_CHILD_STORAGE_PREFIX
        ):
            raise _client_error("Invalid child storage key")
        block_hash = at if at is not None else chain.best_hash
        reader = chain.state_at(block_hash)
        if reader is None:
            raise _client_error(f"UnknownBlock: State already discarded for {block_hash.to_hex()}")
        return block_hash, reader

    def get_keys(child_key: bytes, prefix: bytes, at: H256 | None) -> list[str]:
        del prefix
        resolve(child_key, at)
        return []

    def get_keys_paged(
        child_key: bytes,
        prefix: bytes | None,
        count: int,
        start_key: bytes | None,
        at: H256 | None,
    ) -> list[str]:
        del prefix, start_key
        if count > KEYS_PAGED_MAX_COUNT:
            raise RpcError(
                STATE_INVALID_COUNT,
                f"count exceeds maximum value. value: {count}, max: {KEYS_PAGED_MAX_COUNT}",
            )
        resolve(child_key, at)
        return []

    def get_storage(child_key: bytes, key: bytes, at: H256 | None) -> None:
        del key
        resolve(child_key, at)

    def get_entries(child_key: bytes, keys: list[bytes], at: H256 | None) -> list[None]:
        resolve(child_key, at)
        return [None] * len(keys)

    def get_read_proof(child_key: bytes, keys: list[bytes], at: H256 | None) -> dict[str, Any]:
        del keys
        block_hash, reader = resolve(child_key, at)
        proof = reader.read_proof([child_key])
        return {"at": to_hex(block_hash), "proof": [to_hex(node) for node in proof]}

    child = Param("child_storage_key", hex_bytes)
    key = Param("key", hex_bytes)
    at = Param("hash", h256, optional=True)
    keys = Param("keys", list_of(hex_bytes, max_len=MAX_QUERY_KEYS))
    module.register(
        "childstate_getKeys",
        get_keys,
        params=(child, Param("prefix", hex_bytes), at),
        blocking=True,
    )
    module.register(
        "childstate_getKeysPaged",
        get_keys_paged,
        params=(
            child,
            Param("prefix", hex_bytes, optional=True),
            Param("count", u32),
            Param("start_key", hex_bytes, optional=True),
            at,
        ),
        aliases=("childstate_getKeysPagedAt",),
        blocking=True,
    )
    module.register("childstate_getStorage", get_storage, params=(child, key, at), blocking=True)
    module.register(
        "childstate_getStorageEntries", get_entries, params=(child, keys, at), blocking=True
    )
    module.register(
        "childstate_getStorageHash", get_storage, params=(child, key, at), blocking=True
    )
    module.register(
        "childstate_getStorageSize", get_storage, params=(child, key, at), blocking=True
    )
    module.register(
        "state_getChildReadProof", get_read_proof, params=(child, keys, at), blocking=True
    )
