"""JSON shapes of the Substrate RPC the client reads: hex strings and header objects."""

from __future__ import annotations

from typing import Any

from deepshard.client.rpc.client.errors import DecodeFailed
from deepshard.primitives.codec import H256, CodecError
from deepshard.primitives.header import Digest, DigestItem, Header
from deepshard.primitives.numeric import U32

__all__ = ["to_hex", "from_hex", "header_from_json"]


def to_hex(data: bytes) -> str:
    """Return ``0x`` followed by the lowercase hex of `data`."""
    return "0x" + bytes(data).hex()


def from_hex(value: Any, what: str) -> bytes:
    """Return the bytes of a ``0x`` hex string from the node.

    Raises:
        DecodeFailed: `value` is not a ``0x`` hex string (`what` names it in the message).
    """
    if not isinstance(value, str) or not value.startswith("0x"):
        raise DecodeFailed(f"{what}: expected 0x-hex, got {value!r:.80}")
    try:
        return bytes.fromhex(value[2:])
    except ValueError as exc:
        raise DecodeFailed(f"{what}: invalid hex {value!r:.80}") from exc


def header_from_json(value: Any) -> Header:
    """Build a `Header` from its JSON form (``chain_getHeader``, head notifications).

    Raises:
        DecodeFailed: the JSON is not a header.
    """
    try:
        logs = tuple(
            DigestItem.decode(from_hex(item, "digest log")) for item in value["digest"]["logs"]
        )
        return Header(
            parent_hash=H256(from_hex(value["parentHash"], "parentHash")),
            number=U32(int(value["number"], 16)),
            state_root=H256(from_hex(value["stateRoot"], "stateRoot")),
            extrinsics_root=H256(from_hex(value["extrinsicsRoot"], "extrinsicsRoot")),
            digest=Digest(logs=logs),
        )
    except (KeyError, TypeError, ValueError, CodecError) as exc:
        raise DecodeFailed(f"not a header: {value!r:.120}") from exc
