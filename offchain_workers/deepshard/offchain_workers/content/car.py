"""CAR v1 (content-addressed archives): a dag-cbor header naming the roots, then blocks.

Each section is ``varint(len(cid) + len(data)) || cid || data``. The header is the dag-cbor map
``{"roots": [CID...], "version": 1}``; the small CBOR subset it needs is written here.
`CarReader` parses a stream incrementally and never buffers more than one section, so an
import is bounded by the largest block, not the archive.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from deepshard.offchain_workers.content import protobuf as pb
from deepshard.offchain_workers.content.cids import CID, cid_from_bytes
from deepshard.offchain_workers.content.errors import BoundsExceeded, MalformedNode

__all__ = ["encode_header", "encode_section", "read_car", "cid_length"]

_CID_TAG = 42


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise ValueError("CBOR value too large")


def encode_header(roots: list[CID]) -> bytes:
    """The varint-prefixed dag-cbor header of a CAR v1 with ``roots``."""
    body = bytearray(_cbor_head(5, 2))
    body += _cbor_head(3, 5) + b"roots" + _cbor_head(4, len(roots))
    for root in roots:
        raw = b"\x00" + bytes(root)
        body += b"\xd8\x2a" + _cbor_head(2, len(raw)) + raw
    body += _cbor_head(3, 7) + b"version" + _cbor_head(0, 1)
    return pb.encode_varint(len(body)) + bytes(body)


def encode_section(cid: CID, data: bytes) -> bytes:
    """One block section."""
    raw = bytes(cid)
    return pb.encode_varint(len(raw) + len(data)) + raw + data


def cid_length(buf: bytes) -> int:
    """The length of the binary CID at the start of ``buf``.

    Raises:
        ValueError: not a binary CID.
    """
    if len(buf) >= 2 and buf[0] == 0x12 and buf[1] == 0x20:
        return 34
    version, pos = pb.decode_varint(buf, 0)
    if version != 1:
        raise ValueError(f"unsupported CID version {version}")
    _codec, pos = pb.decode_varint(buf, pos)
    _hash, pos = pb.decode_varint(buf, pos)
    size, pos = pb.decode_varint(buf, pos)
    if pos + size > len(buf):
        raise ValueError("truncated CID")
    return pos + size


class _Cbor:
    """A reader for the CBOR subset of a CAR header (ints, strings, arrays, maps, tag 42)."""

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            raise ValueError("truncated CBOR")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def item(self, depth: int = 0) -> object:
        if depth > 8:
            raise ValueError("CBOR nested too deeply")
        first = self._take(1)[0]
        major, info = first >> 5, first & 31
        if info < 24:
            value = info
        elif info <= 27:
            value = int.from_bytes(self._take(1 << (info - 24)), "big")
        else:
            raise ValueError("indefinite or reserved CBOR length")
        if major == 0:
            return value
        if major == 2:
            return self._take(value)
        if major == 3:
            return self._take(value).decode()
        if major == 4:
            return [self.item(depth + 1) for _ in range(value)]
        if major == 5:
            return {self.item(depth + 1): self.item(depth + 1) for _ in range(value)}
        if major == 6 and value == _CID_TAG:
            raw = self.item(depth + 1)
            if not isinstance(raw, bytes) or not raw.startswith(b"\x00"):
                raise ValueError("tag 42 without a CID")
            return cid_from_bytes(raw[1:])
        raise ValueError(f"unsupported CBOR major type {major}")


def _parse_header(buf: bytes) -> list[CID]:
    header = _Cbor(buf).item()
    if not isinstance(header, dict) or header.get("version") != 1:
        raise ValueError("not a CAR v1 header")
    roots = header.get("roots")
    if not isinstance(roots, list) or not all(isinstance(r, CID) for r in roots):
        raise ValueError("CAR header roots are not CIDs")
    return list(roots)


class _Buffer:
    def __init__(self, chunks: AsyncIterable[bytes]) -> None:
        self._it = aiter(chunks)
        self._buf = bytearray()
        self._eof = False

    async def _fill(self, n: int) -> bool:
        while len(self._buf) < n and not self._eof:
            try:
                self._buf += await anext(self._it)
            except StopAsyncIteration:
                self._eof = True
        return len(self._buf) >= n

    async def varint(self) -> int | None:
        await self._fill(10)
        if not self._buf:
            return None
        value, pos = pb.decode_varint(bytes(self._buf[:10]), 0)
        del self._buf[:pos]
        return value

    async def take(self, n: int) -> bytes:
        if not await self._fill(n):
            raise ValueError("CAR stream ends inside a section")
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


async def read_car(
    chunks: AsyncIterable[bytes], *, max_section: int, backend: str = "car"
) -> AsyncIterator[tuple[list[CID], CID | None, bytes]]:
    """Parse a CAR stream: yield ``(roots, None, b"")`` once, then ``(roots, cid, data)``.

    The blocks are *not* verified here; the caller hashes each against its CID.

    Raises:
        MalformedNode: the stream is not a CAR v1.
        BoundsExceeded: a section is larger than ``max_section``.
    """
    buf = _Buffer(chunks)
    try:
        length = await buf.varint()
        if length is None or length > 64 * 1024:
            raise ValueError("missing or oversized CAR header")
        roots = _parse_header(await buf.take(length))
        yield roots, None, b""
        while (length := await buf.varint()) is not None:
            if length > max_section:
                raise BoundsExceeded(
                    f"CAR section of {length} bytes exceeds {max_section}", backend=backend
                )
            section = await buf.take(length)
            split = cid_length(section)
            yield roots, cid_from_bytes(section[:split]), section[split:]
    except ValueError as exc:
        raise MalformedNode(f"malformed CAR: {exc}", backend=backend) from exc
