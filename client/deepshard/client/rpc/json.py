"""The JSON shapes of Substrate's RPC answers: hex, headers, blocks, storage change sets.

* bytes are ``0x``-prefixed lowercase hex (``sp_core::Bytes``);
* a header is ``{"parentHash","number","stateRoot","extrinsicsRoot","digest":{"logs":[...]}}``
  with ``number`` the minimal hex of the block number (``"0x0"`` for genesis) and each log the
  hex of its SCALE ``DigestItem``;
* a block is ``{"block":{"header":...,"extrinsics":["0x<len-prefixed xt>",...]},
  "justifications":null|[[engine id bytes, justification bytes], ...]}`` -- the engine id and
  the justification are JSON arrays of byte values, as serde writes ``[u8; 4]`` and
  ``Vec<u8>`` (``sp_runtime::Justifications`` is not ``Bytes``);
* a storage change set is ``{"block":"0x..","changes":[["0xkey","0xvalue"|null],...]}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from deepshard.primitives.header import Header

__all__ = [
    "to_hex",
    "number_hex",
    "header_json",
    "block_json",
    "justifications_json",
    "change_set_json",
]


def to_hex(data: bytes | bytearray | memoryview) -> str:
    """Return ``0x``-prefixed lowercase hex."""
    return "0x" + bytes(data).hex()


def number_hex(number: int) -> str:
    """Return the minimal hex form of a block number (``U256`` serde): ``0x0``, ``0x1a``."""
    return hex(int(number))


def header_json(header: Header) -> dict[str, Any]:
    """Return the JSON form of a header (``chain_getHeader``, head notifications)."""
    return {
        "parentHash": to_hex(header.parent_hash),
        "number": number_hex(header.number),
        "stateRoot": to_hex(header.state_root),
        "extrinsicsRoot": to_hex(header.extrinsics_root),
        "digest": {"logs": [to_hex(item.encode()) for item in header.digest.logs]},
    }


def justifications_json(justifications: Sequence[tuple[bytes, bytes]] | None) -> Any:
    """Return the JSON form of a block's justifications (None or a list of pairs)."""
    if not justifications:
        return None
    return [[list(engine), list(data)] for engine, data in justifications]


def block_json(
    header: Header,
    extrinsics: Iterable[bytes],
    justifications: Sequence[tuple[bytes, bytes]] | None = None,
) -> dict[str, Any]:
    """Return the JSON form of a signed block (``chain_getBlock``)."""
    return {
        "block": {"header": header_json(header), "extrinsics": [to_hex(x) for x in extrinsics]},
        "justifications": justifications_json(justifications),
    }


def change_set_json(
    block_hash: bytes, changes: Iterable[tuple[bytes, bytes | None]]
) -> dict[str, Any]:
    """Return a ``StorageChangeSet`` (``state_queryStorageAt``, ``state_storage`` notifications)."""
    return {
        "block": to_hex(block_hash),
        "changes": [[to_hex(k), None if v is None else to_hex(v)] for k, v in changes],
    }
