"""Substrate's trie node codec (`sp_trie::NodeCodec`, layout without extension nodes).

Introduction
------------
A node is one of:

* **empty** ``0x00`` (only ever the root of the empty trie);
* **leaf**: header, packed partial key, value;
* **branch**: header, packed partial key, a 16-bit child bitmap (little-endian, bit ``i`` set
  when child ``i`` exists), the optional value, then each present child in index order.

The header's high bits give the kind; the remaining bits, plus continuation bytes when they
overflow, give the partial key's nibble count:

=============================  ==========  ===============
kind                           prefix      count bits
=============================  ==========  ===============
leaf                           ``01``      6
branch without value           ``10``      6
branch with value              ``11``      6
leaf, hashed value (V1)        ``001``     5
branch, hashed value (V1)      ``0001``    4
=============================  ==========  ===============

If the count is below the field's maximum ``m`` it is the field; otherwise the field is ``m``
and bytes follow: ``255`` for each further 255, then one byte below 255 for the rest.

An inline value is ``Compact(len) ++ bytes``; a hashed value (V1) is the 32-byte
``blake2_256(value)`` with no length. A child is referenced by ``Compact(len) ++ ref`` where
``ref`` is the child's encoding itself when that is shorter than 32 bytes (an inline child)
and its ``blake2_256`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from deepshard.primitives.codec.compact import decode_compact, encode_compact
from deepshard.primitives.codec.errors import DecodeError
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie.errors import InvalidNode
from deepshard.primitives.trie.nibbles import pack_nibbles, unpack_nibbles
from deepshard.primitives.trie.version import EMPTY_NODE, HASH_LENGTH

__all__ = [
    "LEAF_PREFIX",
    "BRANCH_WITHOUT_VALUE_PREFIX",
    "BRANCH_WITH_VALUE_PREFIX",
    "HASHED_VALUE_LEAF_PREFIX",
    "HASHED_VALUE_BRANCH_PREFIX",
    "Empty",
    "Leaf",
    "Branch",
    "Node",
    "encode_header",
    "encode_leaf",
    "encode_branch",
    "encode_node",
    "decode_node",
    "child_reference",
]

LEAF_PREFIX: Final = 0b01 << 6
"""Header prefix of a leaf with an inline value (2 bits)."""
BRANCH_WITHOUT_VALUE_PREFIX: Final = 0b10 << 6
"""Header prefix of a branch without value (2 bits)."""
BRANCH_WITH_VALUE_PREFIX: Final = 0b11 << 6
"""Header prefix of a branch with an inline value (2 bits)."""
HASHED_VALUE_LEAF_PREFIX: Final = 0b001 << 5
"""Header prefix of a leaf whose value is stored by hash (3 bits, V1)."""
HASHED_VALUE_BRANCH_PREFIX: Final = 0b0001 << 4
"""Header prefix of a branch whose value is stored by hash (4 bits, V1)."""

_PREFIX_BITS: Final = {
    LEAF_PREFIX: 2,
    BRANCH_WITHOUT_VALUE_PREFIX: 2,
    BRANCH_WITH_VALUE_PREFIX: 2,
    HASHED_VALUE_LEAF_PREFIX: 3,
    HASHED_VALUE_BRANCH_PREFIX: 4,
}


def encode_header(prefix: int, nibble_count: int) -> bytes:
    """Encode a node header: kind `prefix` (one of the ``*_PREFIX`` constants) and key length."""
    max_value = 255 >> _PREFIX_BITS[prefix]
    if nibble_count < max_value:
        return bytes((prefix | nibble_count,))
    out = bytearray((prefix | max_value,))
    rest = nibble_count - max_value
    while rest >= 255:
        out.append(255)
        rest -= 255
    out.append(rest)
    return bytes(out)


_TABLE_SIZE: Final = 512
_HEADERS: Final = {
    prefix: tuple(encode_header(prefix, n) for n in range(_TABLE_SIZE)) for prefix in _PREFIX_BITS
}
_LEAF_HEADERS: Final = _HEADERS[LEAF_PREFIX]
_HASHED_LEAF_HEADERS: Final = _HEADERS[HASHED_VALUE_LEAF_PREFIX]
_BRANCH_HEADERS: Final = _HEADERS[BRANCH_WITHOUT_VALUE_PREFIX]
_VALUE_BRANCH_HEADERS: Final = _HEADERS[BRANCH_WITH_VALUE_PREFIX]
_HASHED_BRANCH_HEADERS: Final = _HEADERS[HASHED_VALUE_BRANCH_PREFIX]


def _header(table: tuple[bytes, ...], prefix: int, nibble_count: int) -> bytes:
    if nibble_count < _TABLE_SIZE:
        return table[nibble_count]
    return encode_header(prefix, nibble_count)


@dataclass(frozen=True, slots=True)
class Empty:
    """The empty node ``0x00``: the root node of an empty trie."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """A leaf: the rest of a key and its value.

    Attributes:
        partial: The partial key as a nibble path (hex string).
        value: The value itself, or its ``blake2_256`` when `value_hashed`.
        value_hashed: Whether the value lives in a separate value node (V1 layout).
    """

    partial: str
    value: bytes
    value_hashed: bool = False


@dataclass(frozen=True, slots=True)
class Branch:
    """A branch: a partial key, an optional value and up to 16 children.

    Attributes:
        partial: The partial key as a nibble path (hex string).
        value: The value, its ``blake2_256`` when `value_hashed`, or None.
        children: 16 child references (None where absent); a 32-byte reference is the child's
            hash, a shorter one is the child's encoding, inlined.
        value_hashed: Whether the value lives in a separate value node (V1 layout).
    """

    partial: str
    value: bytes | None
    children: tuple[bytes | None, ...]
    value_hashed: bool = False


Node = Empty | Leaf | Branch
"""Any decoded trie node."""


def _value_part(value: bytes, hashed: bool) -> bytes:
    return value if hashed else encode_compact(len(value)) + value


def encode_leaf(partial: str, value: bytes, *, value_hashed: bool = False) -> bytes:
    """Encode a leaf with partial key `partial` (nibble path).

    With `value_hashed`, `value` must be the 32-byte hash of the real value (V1 value node).
    """
    n = len(partial)
    if value_hashed:
        header = _header(_HASHED_LEAF_HEADERS, HASHED_VALUE_LEAF_PREFIX, n)
        return header + pack_nibbles(partial) + value
    header = _header(_LEAF_HEADERS, LEAF_PREFIX, n)
    return header + pack_nibbles(partial) + encode_compact(len(value)) + value


def encode_branch(
    partial: str,
    value: bytes | None,
    children: Sequence[bytes | None],
    *,
    value_hashed: bool = False,
) -> bytes:
    """Encode a branch; `children` holds 16 child references (see `child_reference`)."""
    n = len(partial)
    if value is None:
        header = _header(_BRANCH_HEADERS, BRANCH_WITHOUT_VALUE_PREFIX, n)
    elif value_hashed:
        header = _header(_HASHED_BRANCH_HEADERS, HASHED_VALUE_BRANCH_PREFIX, n)
    else:
        header = _header(_VALUE_BRANCH_HEADERS, BRANCH_WITH_VALUE_PREFIX, n)
    bitmap = 0
    parts = []
    for i, child in enumerate(children):
        if child is not None:
            bitmap |= 1 << i
            parts.append(encode_compact(len(child)))
            parts.append(child)
    head = header + pack_nibbles(partial) + bitmap.to_bytes(2, "little")
    if value is not None:
        head += _value_part(value, value_hashed)
    return head + b"".join(parts)


def encode_node(node: Node) -> bytes:
    """Encode any decoded node."""
    if isinstance(node, Leaf):
        return encode_leaf(node.partial, node.value, value_hashed=node.value_hashed)
    if isinstance(node, Branch):
        return encode_branch(
            node.partial, node.value, node.children, value_hashed=node.value_hashed
        )
    return EMPTY_NODE


def child_reference(encoded: bytes) -> bytes:
    """Return how a parent refers to a node: inline below 32 bytes, else by ``blake2_256``."""
    return encoded if len(encoded) < HASH_LENGTH else blake2_256(encoded)


_EMPTY: Final = Empty()


def _decode_size(data: bytes, first: int, max_value: int) -> tuple[int, int]:
    """Return (nibble count, offset after the header)."""
    size = first & max_value
    pos = 1
    if size < max_value:
        return size, pos
    size -= 1
    while True:
        if pos >= len(data):
            raise InvalidNode("node header cut short")
        n = data[pos]
        pos += 1
        if n < 255:
            return size + n + 1, pos
        size += 255


def _read_inline_value(data: bytes, pos: int) -> tuple[bytes, int]:
    try:
        length, pos = decode_compact(data, pos)
    except DecodeError as exc:
        raise InvalidNode(f"bad value length: {exc}") from None
    end = pos + length
    if end > len(data):
        raise InvalidNode("value runs past the end of the node")
    return data[pos:end], end


def decode_node(data: bytes) -> Node:
    """Decode a node's encoding.

    Raises:
        InvalidNode: unknown header, truncated input, non-zero padding, branch without
            children, or trailing bytes.
    """
    if not data:
        raise InvalidNode("empty input is not a node")
    first = data[0]
    kind = first >> 6
    if kind == 0b01:
        count, pos = _decode_size(data, first, 63)
        leaf = True
        hashed = False
        has_value = True
    elif kind >= 0b10:
        count, pos = _decode_size(data, first, 63)
        leaf = False
        hashed = False
        has_value = kind == 0b11
    elif first == 0:
        if len(data) != 1:
            raise InvalidNode("trailing bytes after the empty node")
        return _EMPTY
    elif first & 0b1110_0000 == HASHED_VALUE_LEAF_PREFIX:
        count, pos = _decode_size(data, first, 31)
        leaf = True
        hashed = True
        has_value = True
    elif first & 0b1111_0000 == HASHED_VALUE_BRANCH_PREFIX:
        count, pos = _decode_size(data, first, 15)
        leaf = False
        hashed = True
        has_value = True
    else:
        raise InvalidNode(f"unknown node header 0x{first:02x}")
    partial = unpack_nibbles(data, pos, count)
    pos += (count + 1) // 2
    if leaf:
        if hashed:
            end = pos + HASH_LENGTH
            if end > len(data):
                raise InvalidNode("value hash cut short")
            value = data[pos:end]
        else:
            value, end = _read_inline_value(data, pos)
        if end != len(data):
            raise InvalidNode("trailing bytes after leaf")
        return Leaf(partial, value, hashed)
    if pos + 2 > len(data):
        raise InvalidNode("branch bitmap cut short")
    bitmap = data[pos] | (data[pos + 1] << 8)
    pos += 2
    if bitmap == 0:
        raise InvalidNode("branch without children")
    branch_value: bytes | None = None
    if has_value:
        if hashed:
            end = pos + HASH_LENGTH
            if end > len(data):
                raise InvalidNode("value hash cut short")
            branch_value, pos = data[pos:end], end
        else:
            branch_value, pos = _read_inline_value(data, pos)
    children: list[bytes | None] = [None] * 16
    size = len(data)
    for i in range(16):
        if bitmap >> i & 1:
            if pos >= size:
                raise InvalidNode("branch children cut short")
            head = data[pos]
            if head & 0b11 == 0:
                length = head >> 2
                pos += 1
            else:
                try:
                    length, pos = decode_compact(data, pos)
                except DecodeError as exc:
                    raise InvalidNode(f"bad child length: {exc}") from None
            end = pos + length
            if end > size or length > HASH_LENGTH:
                raise InvalidNode("bad child reference")
            children[i] = data[pos:end]
            pos = end
    if pos != size:
        raise InvalidNode("trailing bytes after branch")
    return Branch(partial, branch_value, tuple(children), hashed)
