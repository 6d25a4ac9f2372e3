"""Trie roots computed in one pass over sorted pairs (`trie_root`, `ordered_trie_root`).

Introduction
------------
This is the fast path used for genesis, extrinsics roots and benchmarks, the analogue of the
`trie-root` crate. Keys are sorted once; the trie is then encoded bottom-up by recursion over
ranges of the sorted list: a range of one key is a leaf; otherwise the range's common prefix
becomes a branch whose children are the sub-ranges sharing the next nibble (found by bisection,
since the keys are sorted). Nothing but the encodings on the current path is kept in memory.

`encode_trie` can also hand every node that a node store would keep to a ``sink`` dict
(hash -> encoding, V1 value nodes included), which is how `Trie.from_pairs` bulk-loads a store.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Final

from deepshard.primitives.codec.compact import encode_compact
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie.node import (
    BRANCH_WITH_VALUE_PREFIX,
    BRANCH_WITHOUT_VALUE_PREFIX,
    HASHED_VALUE_BRANCH_PREFIX,
    HASHED_VALUE_LEAF_PREFIX,
    LEAF_PREFIX,
    encode_header,
)
from deepshard.primitives.trie.version import EMPTY_NODE, StateVersion, value_threshold

__all__ = ["trie_root", "ordered_trie_root", "encode_trie", "sorted_pairs"]

_NEXT_DIGIT: Final = dict(zip("0123456789abcde", "123456789abcdef", strict=True))
_CHILD_INDEX: Final = {c: i for i, c in enumerate("0123456789abcdef")}
_TABLE: Final = 256
_LEAF_H: Final = tuple(encode_header(LEAF_PREFIX, n) for n in range(_TABLE))
_HLEAF_H: Final = tuple(encode_header(HASHED_VALUE_LEAF_PREFIX, n) for n in range(_TABLE))
_BRANCH_H: Final = tuple(encode_header(BRANCH_WITHOUT_VALUE_PREFIX, n) for n in range(_TABLE))
_VBRANCH_H: Final = tuple(encode_header(BRANCH_WITH_VALUE_PREFIX, n) for n in range(_TABLE))
_HBRANCH_H: Final = tuple(encode_header(HASHED_VALUE_BRANCH_PREFIX, n) for n in range(_TABLE))
_LEN_PREFIX: Final = tuple(encode_compact(n) for n in range(64))
_HASH_REF_PREFIX: Final = encode_compact(32)


def sorted_pairs(pairs: Iterable[tuple[bytes, bytes]]) -> tuple[list[str], list[bytes]]:
    """Deduplicate (last value wins, as a `BTreeMap` collects) and sort pairs by key.

    Returns:
        The keys as nibble paths, and the values, both in key order.
    """
    table = dict(pairs)
    keys = sorted(table)
    return [k.hex() for k in keys], [table[k] for k in keys]


def encode_trie(
    keys: Sequence[str],
    values: Sequence[bytes],
    version: StateVersion,
    sink: dict[bytes, bytes] | None = None,
) -> bytes:
    """Return the encoded root node of the trie holding ``keys[i] -> values[i]``.

    Args:
        keys: Distinct nibble paths (even length), sorted.
        values: The value of each key.
        version: Layout: in V1, values of 33 bytes or more are stored as value nodes.
        sink: If given, receives every node a store keeps, by hash: each node of 32 bytes or
            more and each V1 value node. (The root node is not added: the caller hashes it.)
    """
    if not keys:
        return EMPTY_NODE
    threshold = value_threshold(version) or (1 << 62)
    blake = blake2_256
    compact = encode_compact
    fromhex = bytes.fromhex

    def leaf(partial: str, value: bytes) -> bytes:
        n = len(partial)
        packed = fromhex(partial) if n % 2 == 0 else fromhex("0" + partial)
        if len(value) >= threshold:
            value_hash = blake(value)
            if sink is not None:
                sink[value_hash] = value
            head = _HLEAF_H[n] if n < _TABLE else encode_header(HASHED_VALUE_LEAF_PREFIX, n)
            return head + packed + value_hash
        head = _LEAF_H[n] if n < _TABLE else encode_header(LEAF_PREFIX, n)
        return head + packed + compact(len(value)) + value

    def reference(encoded: bytes) -> bytes:
        size = len(encoded)
        if size < 32:
            return _LEN_PREFIX[size] + encoded
        node_hash = blake(encoded)
        if sink is not None:
            sink[node_hash] = encoded
        return _HASH_REF_PREFIX + node_hash

    def build(lo: int, hi: int, depth: int) -> bytes:
        first = keys[lo]
        if hi - lo == 1:
            return leaf(first[depth:], values[lo])
        last = keys[hi - 1]
        end = depth
        limit = min(len(first), len(last))
        while end < limit and first[end] == last[end]:
            end += 1
        value: bytes | None = None
        start = lo
        if len(first) == end:
            value = values[lo]
            start = lo + 1
        bitmap = 0
        parts: list[bytes] = []
        i = start
        small = hi - start <= 8
        while i < hi:
            digit = keys[i][end]
            if small:
                # Few keys: a linear scan beats bisection's slicing and call.
                j = i + 1
                while j < hi and keys[j][end] == digit:
                    j += 1
            else:
                nxt = _NEXT_DIGIT.get(digit)
                j = hi if nxt is None else bisect_left(keys, keys[i][:end] + nxt, i + 1, hi)
            bitmap |= 1 << _CHILD_INDEX[digit]
            if j - i == 1:
                parts.append(reference(leaf(keys[i][end + 1 :], values[i])))
            else:
                parts.append(reference(build(i, j, end + 1)))
            i = j
        partial = first[depth:end]
        n = len(partial)
        packed = fromhex(partial) if n % 2 == 0 else fromhex("0" + partial)
        if value is None:
            head = _BRANCH_H[n] if n < _TABLE else encode_header(BRANCH_WITHOUT_VALUE_PREFIX, n)
            return head + packed + bitmap.to_bytes(2, "little") + b"".join(parts)
        if len(value) >= threshold:
            value_hash = blake(value)
            if sink is not None:
                sink[value_hash] = value
            head = _HBRANCH_H[n] if n < _TABLE else encode_header(HASHED_VALUE_BRANCH_PREFIX, n)
            body = value_hash
        else:
            head = _VBRANCH_H[n] if n < _TABLE else encode_header(BRANCH_WITH_VALUE_PREFIX, n)
            body = compact(len(value)) + value
        return head + packed + bitmap.to_bytes(2, "little") + body + b"".join(parts)

    return build(0, len(keys), 0)


def trie_root(
    pairs: Iterable[tuple[bytes, bytes]], version: StateVersion = StateVersion.V0
) -> bytes:
    """Return the root hash of the trie holding `pairs` (Substrate's `LayoutVx::trie_root`).

    Duplicate keys keep their last value. The empty trie's root is ``blake2_256(0x00)``.
    """
    keys, values = sorted_pairs(pairs)
    return blake2_256(encode_trie(keys, values, version))


def ordered_trie_root(values: Iterable[bytes], version: StateVersion = StateVersion.V0) -> bytes:
    """Return the root of the trie mapping ``Compact<u32>(i)`` to the i-th value.

    This is a block's extrinsics root (`BlakeTwo256::ordered_trie_root`), where each value is
    a full encoded extrinsic, length prefix included.
    """
    return trie_root(((encode_compact(i), v) for i, v in enumerate(values)), version)
