"""Nibble paths, written as lowercase hex strings, and their packed node encoding.

Introduction
------------
The trie has radix 16: a key is walked one nibble (half byte, high half first) at a time. We
write a nibble path as a lowercase hex string, one character per nibble, so ``key.hex()`` *is*
the key's path, slicing and prefix tests are string operations, and string order equals the
byte order of keys.

In a node, a partial key of ``n`` nibbles is packed into ``ceil(n / 2)`` bytes, right-aligned:
an odd count puts the first nibble alone in the low half of the first byte (high half zero).
"""

from __future__ import annotations

from typing import Final

from deepshard.primitives.trie.errors import InvalidNode

__all__ = [
    "HEX_DIGITS",
    "NIBBLE_INDEX",
    "key_to_nibbles",
    "nibbles_to_key",
    "pack_nibbles",
    "unpack_nibbles",
    "common_prefix_length",
]

HEX_DIGITS: Final = "0123456789abcdef"
"""Nibble value -> its character in a nibble path."""

NIBBLE_INDEX: Final[dict[str, int]] = {c: i for i, c in enumerate(HEX_DIGITS)}
"""Character of a nibble path -> nibble value (child index of a branch)."""


def key_to_nibbles(key: bytes) -> str:
    """Return the nibble path of a byte key."""
    return key.hex()


def nibbles_to_key(nibbles: str) -> bytes:
    """Return the byte key of an even-length nibble path.

    Raises:
        ValueError: the path has an odd number of nibbles.
    """
    if len(nibbles) % 2:
        raise ValueError(f"a key has an even number of nibbles, got {len(nibbles)}")
    return bytes.fromhex(nibbles)


def pack_nibbles(nibbles: str) -> bytes:
    """Pack a partial key into bytes, right-aligned (odd counts get a zero high half first)."""
    if len(nibbles) % 2:
        return bytes.fromhex("0" + nibbles)
    return bytes.fromhex(nibbles)


def unpack_nibbles(data: bytes, offset: int, count: int) -> str:
    """Read a packed partial key of `count` nibbles starting at byte `offset`.

    Raises:
        InvalidNode: the input is too short, or the padding half-byte of an odd count is not 0.
    """
    end = offset + (count + 1) // 2
    if end > len(data):
        raise InvalidNode("partial key runs past the end of the node")
    text = data[offset:end].hex()
    if count % 2:
        if text[0] != "0":
            raise InvalidNode("non-zero padding nibble in partial key")
        return text[1:]
    return text


def common_prefix_length(a: str, b: str, start: int = 0) -> int:
    """Return how many nibbles `a[start:]` and `b[start:]` share at their start."""
    end = min(len(a), len(b))
    i = start
    while i < end and a[i] == b[i]:
        i += 1
    return i - start
