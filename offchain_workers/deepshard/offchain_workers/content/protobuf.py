"""The few protobuf wire primitives dag-pb and UnixFS need: varints and length-delimited fields.

Decoding is strict: truncated varints, lengths past the buffer and varints longer than ten
bytes raise `ValueError`, which the callers turn into a typed `MalformedNode`.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["encode_varint", "varint_size", "decode_varint", "key", "fields"]

VARINT = 0
"""Wire type of a varint field."""
LEN = 2
"""Wire type of a length-delimited field."""
FIXED32 = 5
"""Wire type of a 4-byte fixed field (UnixFS mtime nanoseconds)."""
FIXED64 = 1
"""Wire type of an 8-byte fixed field."""


def encode_varint(value: int) -> bytes:
    """Unsigned LEB128, as protobuf writes uint64 fields."""
    if value < 0:
        value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def varint_size(value: int) -> int:
    """Number of bytes `encode_varint` writes for ``value``."""
    return max(1, (value.bit_length() + 6) // 7)


def key(field: int, wire_type: int) -> bytes:
    """The tag that opens ``field`` with ``wire_type``."""
    return encode_varint((field << 3) | wire_type)


def decode_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Read a varint at ``pos``; return it and the position after it.

    Raises:
        ValueError: truncated or longer than ten bytes.
    """
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ValueError("varint longer than ten bytes")


def fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Walk a message: yield ``(field, wire_type, value)`` with bytes for length-delimited ones.

    Raises:
        ValueError: a malformed tag, length or wire type.
    """
    pos = 0
    end = len(buf)
    while pos < end:
        tag, pos = decode_varint(buf, pos)
        field, wire_type = tag >> 3, tag & 7
        if field == 0:
            raise ValueError("field number 0")
        if wire_type == VARINT:
            value, pos = decode_varint(buf, pos)
            yield field, wire_type, value
        elif wire_type == LEN:
            length, pos = decode_varint(buf, pos)
            if pos + length > end:
                raise ValueError("length-delimited field runs past the end")
            yield field, wire_type, bytes(buf[pos : pos + length])
            pos += length
        elif wire_type == FIXED32:
            if pos + 4 > end:
                raise ValueError("truncated fixed32")
            yield field, wire_type, int.from_bytes(buf[pos : pos + 4], "little")
            pos += 4
        elif wire_type == FIXED64:
            if pos + 8 > end:
                raise ValueError("truncated fixed64")
            yield field, wire_type, int.from_bytes(buf[pos : pos + 8], "little")
            pos += 8
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
