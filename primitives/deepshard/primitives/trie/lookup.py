"""Read-only walks over a stored trie: point lookups and ordered iteration.

Both take a ``fetch`` callable that returns the bytes stored under a hash (raising when they
are missing), so that the same walk serves a node store, a proof being verified, or a proof
being recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from deepshard.primitives.trie.node import Branch, Empty, Node, decode_node
from deepshard.primitives.trie.version import EMPTY_TRIE_ROOT, HASH_LENGTH

__all__ = ["Fetch", "Decode", "lookup", "iterate", "closest_descendant_merkle_value"]

Fetch = Callable[[bytes], bytes]
"""Return the bytes stored under a hash; raise (`MissingNode`, `InvalidProof`) if absent."""
Decode = Callable[[bytes], Node]
"""Decode a node's encoding (`decode_node`, or a caching wrapper of it)."""

_HEX: Final = "0123456789abcdef"
_INDEX: Final = {c: i for i, c in enumerate(_HEX)}


def lookup(fetch: Fetch, root: bytes, key: bytes, decode: Decode = decode_node) -> bytes | None:
    """Return the value stored under `key` in the trie with root hash `root`, or None.

    V1 hashed values are resolved through `fetch` too. `decode` decodes each node on the path
    (a reader that looks up many keys may pass one that remembers decoded nodes).
    """
    if root == EMPTY_TRIE_ROOT:
        return None
    path = key.hex()
    size = len(path)
    data = fetch(root)
    depth = 0
    while True:
        node = decode(data)
        if isinstance(node, Empty):
            return None
        partial = node.partial
        if not path.startswith(partial, depth):
            return None
        depth += len(partial)
        if depth == size:
            value = node.value
            if value is None:
                return None
            return fetch(value) if node.value_hashed else value
        if not isinstance(node, Branch):
            return None
        child = node.children[_INDEX[path[depth]]]
        if child is None:
            return None
        depth += 1
        data = fetch(child) if len(child) == HASH_LENGTH else child


def closest_descendant_merkle_value(
    fetch: Fetch, root: bytes, key: bytes, decode: Decode = decode_node
) -> bytes | None:
    """Return the Merkle value of the node at `key`, or of its closest descendant; or None.

    The Merkle value of a node is how its parent refers to it: its hash, or its encoding when
    shorter than 32 bytes (the root is always referred to by its hash). The closest descendant
    is the first node whose full key starts with `key` (a branch counts), found by walking
    down from the root; None when no key of the trie starts with `key`
    (``chainHead_v1_storage`` type ``closestDescendantMerkleValue``).
    """
    if root == EMPTY_TRIE_ROOT:
        return None
    path = key.hex()
    reference = root
    data = fetch(root)
    depth = 0
    while True:
        node = decode(data)
        if isinstance(node, Empty):
            return None
        partial = node.partial
        remaining = path[depth:]
        if partial.startswith(remaining):
            return reference  # `key` ends inside or at this node: it is the closest
        if not remaining.startswith(partial) or not isinstance(node, Branch):
            return None  # diverges, or continues below a leaf
        depth += len(partial)
        child = node.children[_INDEX[path[depth]]]
        if child is None:
            return None
        depth += 1
        reference = child
        data = fetch(child) if len(child) == HASH_LENGTH else child


def iterate(
    fetch: Fetch,
    root: bytes,
    prefix: bytes = b"",
    start: bytes | None = None,
    *,
    with_values: bool = True,
) -> Iterator[tuple[bytes, bytes | None]]:
    """Yield ``(key, value)`` in key order for keys starting with `prefix` and ``>= start``.

    With ``with_values=False`` the value is None and V1 value nodes are not fetched. Only the
    nodes that can hold such keys are visited, so seeking to `start` costs one path.
    """
    if root == EMPTY_TRIE_ROOT:
        return
    want = prefix.hex()
    bound = start.hex() if start is not None else ""
    yield from _walk(fetch, fetch(root), "", want, bound, with_values=with_values)


def _walk(
    fetch: Fetch, data: bytes, path: str, want: str, bound: str, *, with_values: bool
) -> Iterator[tuple[bytes, bytes | None]]:
    node = decode_node(data)
    if isinstance(node, Empty):
        return
    full = path + node.partial
    n = min(len(full), len(want))
    if full[:n] != want[:n]:
        return
    if bound:
        head = bound[: len(full)]
        if full < head:
            return
        if full > head:
            bound = ""
    value = node.value
    if value is not None and len(full) >= len(want) and (not bound or full >= bound):
        if with_values:
            yield bytes.fromhex(full), fetch(value) if node.value_hashed else value
        else:
            yield bytes.fromhex(full), None
    if not isinstance(node, Branch):
        return
    for i, child in enumerate(node.children):
        if child is None:
            continue
        child_path = full + _HEX[i]
        n = min(len(child_path), len(want))
        if child_path[:n] != want[:n]:
            continue
        if bound and child_path < bound[: len(child_path)]:
            continue
        child_data = fetch(child) if len(child) == HASH_LENGTH else child
        yield from _walk(fetch, child_data, child_path, want, bound, with_values=with_values)
