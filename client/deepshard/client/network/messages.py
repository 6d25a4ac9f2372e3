"""The messages nodes exchange inside a session, SCALE-encoded, one per frame.

``Status`` is the protocol handshake (always the first message each way): protocol version,
genesis hash, roles, best and finalized heads, and the addresses the sender listens on.
Then, in any order:

* ``BlockAnnounce`` -- a new block header (and whether it is the sender's best);
* ``Transactions`` -- transactions to gossip (each seen once per peer);
* ``BlockRequest`` / ``BlockResponse`` -- a range of blocks from a hash or a number, up or
  down, with the fields asked for (header, body, justification);
* ``PeersRequest`` / ``Peers`` -- peer exchange: known nodes and their addresses;
* ``Finality`` -- a message of the finality gadget (votes, commits), opaque here.
"""

from __future__ import annotations

import enum
from typing import Final

from deepshard.primitives.codec import H256, DecodeError, Enum, Struct, Vec, decode
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U8, U32, U64

__all__ = [
    "PROTOCOL_VERSION",
    "MIN_PROTOCOL_VERSION",
    "Role",
    "BlockFields",
    "MessageError",
    "Message",
    "Status",
    "BlockAnnounce",
    "Transactions",
    "BlockRequest",
    "BlockData",
    "BlockResponse",
    "PeersRequest",
    "PeerRecord",
    "Peers",
    "Finality",
    "decode_message",
]

PROTOCOL_VERSION: Final = 1
"""The version this node speaks."""

MIN_PROTOCOL_VERSION: Final = 1
"""The oldest version it accepts."""


class Role(enum.IntFlag):
    """What a node does (Substrate's roles)."""

    FULL = 1
    AUTHORITY = 4


class BlockFields(enum.IntFlag):
    """Which parts of each block a request asks for."""

    HEADER = 1
    BODY = 2
    JUSTIFICATION = 16


class MessageError(ValueError):
    """A frame is not a valid message."""


class Message(Enum):
    """One protocol message."""


class Status(Message, index=0):
    """The protocol handshake."""

    version: U32
    min_version: U32
    roles: U8
    genesis: H256
    best_number: U32
    best_hash: H256
    finalized_number: U32
    finalized_hash: H256
    listen: Vec[str]


class BlockAnnounce(Message, index=1):
    """A new block."""

    header: Header
    is_best: bool


class Transactions(Message, index=2):
    """Transactions to gossip (full encodings)."""

    extrinsics: Vec[bytes]


class BlockRequest(Message, index=3):
    """Ask for up to `max` blocks starting at `from_hash` (if set) or `from_number`."""

    id: U64
    fields: U8
    from_hash: H256 | None
    from_number: U32
    ascending: bool
    max: U32


class BlockData(Struct):
    """One block of a response, with the fields that were asked for."""

    hash: H256
    header: Header | None
    body: Vec[bytes] | None
    justification: bytes | None


class BlockResponse(Message, index=4):
    """The answer to a `BlockRequest` (empty when nothing is known)."""

    id: U64
    blocks: Vec[BlockData]


class PeersRequest(Message, index=5):
    """Ask for known peers."""


class PeerRecord(Struct):
    """A known node and where it listens."""

    peer_id: bytes
    addresses: Vec[str]


class Peers(Message, index=6):
    """Known peers (peer exchange)."""

    peers: Vec[PeerRecord]


class Finality(Message, index=7):
    """A finality-gadget message (its own encoding)."""

    payload: bytes


def decode_message(frame: bytes) -> Message:
    """Decode one frame.

    Raises:
        MessageError: the frame is not exactly one valid message.
    """
    try:
        message = decode(Message, frame)
    except DecodeError as error:
        raise MessageError(f"undecodable message: {error}") from error
    if not isinstance(message, Message):
        raise MessageError("not a message")
    return message
