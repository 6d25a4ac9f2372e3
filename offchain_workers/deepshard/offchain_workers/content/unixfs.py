"""UnixFS v1 `Data` messages carried in the data field of dag-pb nodes.

Field numbers follow the UnixFS specification: Type 1, Data 2, filesize 3, blocksizes 4
(repeated, unpacked as Kubo and ipfs-unixfs write them), hashType 5, fanout 6, mode 7, mtime 8.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from deepshard.offchain_workers.content import protobuf as pb

__all__ = ["DataType", "UnixFSData", "encode_unixfs", "decode_unixfs", "MURMUR3_X64_64"]

MURMUR3_X64_64 = 0x22
"""Multihash code of the hash HAMT-sharded directories use to place names."""


class DataType(enum.IntEnum):
    """The kind of a UnixFS node."""

    RAW = 0
    DIRECTORY = 1
    FILE = 2
    METADATA = 3
    SYMLINK = 4
    HAMT_SHARD = 5


@dataclass(frozen=True, slots=True)
class UnixFSData:
    """A decoded UnixFS message (mode and mtime are kept so foreign nodes round-trip)."""

    type: DataType
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: tuple[int, ...] = ()
    hash_type: int | None = None
    fanout: int | None = None
    mode: int | None = None
    mtime: bytes | None = None


def encode_unixfs(msg: UnixFSData) -> bytes:
    """Serialise ``msg`` in field order, omitting absent fields and empty data."""
    out = bytearray(pb.key(1, pb.VARINT) + pb.encode_varint(int(msg.type)))
    if msg.data:
        out += pb.key(2, pb.LEN) + pb.encode_varint(len(msg.data)) + msg.data
    if msg.filesize is not None:
        out += pb.key(3, pb.VARINT) + pb.encode_varint(msg.filesize)
    for size in msg.blocksizes:
        out += pb.key(4, pb.VARINT) + pb.encode_varint(size)
    if msg.hash_type is not None:
        out += pb.key(5, pb.VARINT) + pb.encode_varint(msg.hash_type)
    if msg.fanout is not None:
        out += pb.key(6, pb.VARINT) + pb.encode_varint(msg.fanout)
    if msg.mode is not None:
        out += pb.key(7, pb.VARINT) + pb.encode_varint(msg.mode)
    if msg.mtime is not None:
        out += pb.key(8, pb.LEN) + pb.encode_varint(len(msg.mtime)) + msg.mtime
    return bytes(out)


def decode_unixfs(buf: bytes) -> UnixFSData:
    """Parse a UnixFS message.

    Raises:
        ValueError: malformed protobuf, an unknown type, or a missing type.
    """
    kind: DataType | None = None
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: list[int] = []
    hash_type: int | None = None
    fanout: int | None = None
    mode: int | None = None
    mtime: bytes | None = None
    for number, _wire, value in pb.fields(buf):
        if number == 1 and isinstance(value, int):
            kind = DataType(value)
        elif number == 2 and isinstance(value, bytes):
            data = value
        elif number == 3 and isinstance(value, int):
            filesize = value
        elif number == 4 and isinstance(value, int):
            blocksizes.append(value)
        elif number == 4 and isinstance(value, bytes):  # a packed encoding, accepted on read
            pos = 0
            while pos < len(value):
                size, pos = pb.decode_varint(value, pos)
                blocksizes.append(size)
        elif number == 5 and isinstance(value, int):
            hash_type = value
        elif number == 6 and isinstance(value, int):
            fanout = value
        elif number == 7 and isinstance(value, int):
            mode = value
        elif number == 8 and isinstance(value, bytes):
            mtime = value
        else:
            raise ValueError(f"unexpected field {number} in a UnixFS message")
    if kind is None:
        raise ValueError("UnixFS message without a type")
    return UnixFSData(kind, data, filesize, tuple(blocksizes), hash_type, fanout, mode, mtime)
