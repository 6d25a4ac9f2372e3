"""SCALE `Compact<T>`: the variable-length unsigned integer encoding.

The two low bits of the first byte select the mode:

* ``0b00`` single byte, values ``0 .. 2**6 - 1`` (value << 2);
* ``0b01`` two bytes LE, values ``2**6 .. 2**14 - 1``;
* ``0b10`` four bytes LE, values ``2**14 .. 2**30 - 1``;
* ``0b11`` "big integer": the upper six bits of the first byte are ``n - 4`` where ``n`` is the
  number of little-endian bytes that follow (4 to 67), for values ``2**30 .. 2**536 - 1``.

Substrate rejects non-canonical encodings (a value written in a longer mode than needed, or a
big integer with a zero top byte); so do we.
"""

from __future__ import annotations

from deepshard.primitives.codec.errors import EncodeError, NonCanonicalCompact, Truncated

__all__ = ["encode_compact", "decode_compact", "COMPACT_MAX"]

COMPACT_MAX = (1 << 536) - 1
"""The largest value the big-integer mode can carry (67 bytes)."""

_SINGLE_BYTE = tuple(bytes(((v << 2),)) for v in range(64))


def encode_compact(value: int) -> bytes:
    """Encode a non-negative integer as `Compact`.

    Raises:
        EncodeError: `value` is negative or above `COMPACT_MAX`.
    """
    if type(value) is not int:  # a checked integer (U32...) would refuse the shifts below
        value = int(value)
    if value < 64:
        if value < 0:
            raise EncodeError(f"Compact cannot encode negative {value}")
        return _SINGLE_BYTE[value]
    if value < 1 << 14:
        return ((value << 2) | 0b01).to_bytes(2, "little")
    if value < 1 << 30:
        return ((value << 2) | 0b10).to_bytes(4, "little")
    if value > COMPACT_MAX:
        raise EncodeError(f"Compact cannot encode {value}: above 2**536 - 1")
    length = (value.bit_length() + 7) >> 3
    return bytes((((length - 4) << 2) | 0b11,)) + value.to_bytes(length, "little")


def decode_compact(data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[int, int]:
    """Decode a `Compact` integer starting at `offset`.

    Returns:
        ``(value, next_offset)``.

    Raises:
        Truncated: the input ends inside the integer.
        NonCanonicalCompact: the integer is not in its shortest mode.
    """
    try:
        first = data[offset]
    except IndexError:
        raise Truncated("expected a Compact integer, input ended", offset) from None
    mode = first & 0b11
    if mode == 0b00:
        return first >> 2, offset + 1
    if mode == 0b01:
        end = offset + 2
        if end > len(data):
            raise Truncated("two-byte Compact integer cut short", offset)
        value = int.from_bytes(data[offset:end], "little") >> 2
        if value < 64:
            raise NonCanonicalCompact(f"Compact {value} should use the one-byte mode", offset)
        return value, end
    if mode == 0b10:
        end = offset + 4
        if end > len(data):
            raise Truncated("four-byte Compact integer cut short", offset)
        value = int.from_bytes(data[offset:end], "little") >> 2
        if value < 1 << 14:
            raise NonCanonicalCompact(f"Compact {value} should use a shorter mode", offset)
        return value, end
    length = (first >> 2) + 4
    end = offset + 1 + length
    if end > len(data):
        raise Truncated(f"{length}-byte Compact integer cut short", offset)
    value = int.from_bytes(data[offset + 1 : end], "little")
    if value < 1 << 30 or data[end - 1] == 0:
        raise NonCanonicalCompact("big-integer Compact is not in its shortest form", offset)
    return value, end
