"""Blocks in LMDB: record encodings and the block-tree operations of one transaction.

`ChainTxn` wraps one LMDB transaction (read or write) and the sub-database handles
(`Tables`); every read and write of headers, bodies, justifications, the canonical index, the
children index, the leaf set and the kept states goes through it, so that a whole import is
one transaction by construction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from deepshard.client.db.errors import CorruptDatabase, InvalidBlock, UnknownBlock
from deepshard.client.db.schema import (
    META_BEST,
    META_FINALIZED,
    META_GENESIS,
    key_number,
    number_key,
)
from deepshard.primitives.codec import H256, decode_compact, encode_compact

__all__ = [
    "Tables",
    "encode_body",
    "decode_body",
    "encode_justifications",
    "decode_justifications",
    "header_link",
    "ChainTxn",
]


@dataclass(frozen=True, slots=True)
class Tables:
    """The LMDB sub-database handles (see `schema`)."""

    meta: Any
    """Genesis, best, finalized, schema version, pruning mode."""
    headers: Any
    """Block hash -> SCALE header."""
    bodies: Any
    """Block hash -> encoded extrinsics."""
    justifications: Any
    """Block hash -> SCALE justifications."""
    canonical: Any
    """Block number (u32 BE) -> block hash of the best chain."""
    children: Any
    """Parent hash ++ child hash -> empty."""
    leaves: Any
    """Leaf hash -> block number (u32 BE)."""
    states: Any
    """Block hash -> state root, for every block whose state is kept."""
    nodes: Any
    """Node hash -> trie node or V1 value."""
    refs: Any
    """Node hash -> reference count record."""


def encode_body(extrinsics: Sequence[bytes]) -> bytes:
    """Encode a body: ``Compact(n)`` then each extrinsic's full (length-prefixed) encoding.

    Raises:
        InvalidBlock: an extrinsic is not exactly one length-prefixed encoding.
    """
    for index, extrinsic in enumerate(extrinsics):
        try:
            length, start = decode_compact(extrinsic, 0)
        except Exception as exc:
            raise InvalidBlock(f"extrinsic {index} has no valid length prefix") from exc
        if start + length != len(extrinsic):
            raise InvalidBlock(f"extrinsic {index} is not one length-prefixed encoding")
    return encode_compact(len(extrinsics)) + b"".join(extrinsics)


def decode_body(data: bytes) -> tuple[bytes, ...]:
    """Split an encoded body into the extrinsics' full encodings.

    Raises:
        CorruptDatabase: the bytes are not a well-formed body.
    """
    try:
        count, pos = decode_compact(data, 0)
        out: list[bytes] = []
        for _ in range(count):
            length, start = decode_compact(data, pos)
            end = start + length
            if end > len(data):
                raise ValueError("truncated extrinsic")
            out.append(data[pos:end])
            pos = end
    except Exception as exc:
        raise CorruptDatabase([f"undecodable block body: {exc}"]) from exc
    if pos != len(data):
        raise CorruptDatabase(["block body has trailing bytes"])
    return tuple(out)


def encode_justifications(items: Sequence[tuple[bytes, bytes]]) -> bytes:
    """Encode ``Justifications``: ``Vec<(ConsensusEngineId, Vec<u8>)>``."""
    out = bytearray(encode_compact(len(items)))
    for engine, data in items:
        if len(engine) != 4:
            raise ValueError(f"a consensus engine id is 4 bytes, got {len(engine)}")
        out += engine + encode_compact(len(data)) + data
    return bytes(out)


def decode_justifications(data: bytes) -> list[tuple[bytes, bytes]]:
    """Decode ``Justifications`` (see `encode_justifications`)."""
    count, pos = decode_compact(data, 0)
    out: list[tuple[bytes, bytes]] = []
    for _ in range(count):
        engine = data[pos : pos + 4]
        length, start = decode_compact(data, pos + 4)
        out.append((engine, data[start : start + length]))
        pos = start + length
    return out


def header_link(encoded_header: bytes) -> tuple[bytes, int]:
    """Return ``(parent hash, number)`` read straight from a SCALE header's first fields."""
    number, _ = decode_compact(encoded_header, 32)
    return encoded_header[:32], number


class ChainTxn:
    """Block-tree reads and writes inside one LMDB transaction."""

    __slots__ = ("t", "txn")

    def __init__(self, txn: Any, tables: Tables) -> None:
        self.txn = txn
        self.t = tables

    # --- meta ------------------------------------------------------------------------------

    def meta(self, key: bytes) -> bytes | None:
        """Return a meta value, or None."""
        value: bytes | None = self.txn.get(key, db=self.t.meta)
        return value

    def put_meta(self, key: bytes, value: bytes) -> None:
        """Write a meta value."""
        self.txn.put(key, value, db=self.t.meta)

    def heads(self) -> tuple[H256, H256, H256] | None:
        """Return ``(genesis, best, finalized)``, or None before genesis."""
        genesis = self.meta(META_GENESIS)
        best = self.meta(META_BEST)
        finalized = self.meta(META_FINALIZED)
        if genesis is None or best is None or finalized is None:
            return None
        return H256(genesis), H256(best), H256(finalized)

    # --- blocks ----------------------------------------------------------------------------

    def header_bytes(self, block_hash: bytes) -> bytes | None:
        """Return a stored header's encoding, or None."""
        value: bytes | None = self.txn.get(block_hash, db=self.t.headers)
        return value

    def link(self, block_hash: bytes) -> tuple[bytes, int]:
        """Return ``(parent hash, number)`` of a stored block.

        Raises:
            UnknownBlock: no such block.
        """
        raw = self.header_bytes(block_hash)
        if raw is None:
            raise UnknownBlock(f"unknown block 0x{block_hash.hex()}")
        return header_link(raw)

    def number(self, block_hash: bytes) -> int | None:
        """Return a stored block's number, or None."""
        raw = self.header_bytes(block_hash)
        return None if raw is None else header_link(raw)[1]

    def body_bytes(self, block_hash: bytes) -> bytes | None:
        """Return a stored body's encoding, or None."""
        value: bytes | None = self.txn.get(block_hash, db=self.t.bodies)
        return value

    def put_block(
        self, block_hash: bytes, parent: bytes, header: bytes, body: bytes | None
    ) -> None:
        """Write a header (and body), index it under its parent, and make it a leaf."""
        txn, t = self.txn, self.t
        txn.put(block_hash, header, db=t.headers)
        if body is not None:
            txn.put(block_hash, body, db=t.bodies)
        _, number = header_link(header)
        if number > 0:
            txn.put(parent + block_hash, b"", db=t.children)
            txn.delete(parent, db=t.leaves)
        txn.put(block_hash, number_key(number), db=t.leaves)

    def children(self, block_hash: bytes) -> list[H256]:
        """Return the stored children of a block, in hash order."""
        out: list[H256] = []
        cursor = self.txn.cursor(db=self.t.children)
        if cursor.set_range(block_hash):
            for key in cursor.iternext(keys=True, values=False):
                if key[:32] != block_hash:
                    break
                out.append(H256(key[32:]))
        return out

    def leaves(self) -> list[tuple[H256, int]]:
        """Return ``(hash, number)`` of every leaf."""
        cursor = self.txn.cursor(db=self.t.leaves)
        return [(H256(k), key_number(v)) for k, v in cursor.iternext(keys=True, values=True)]

    def remove_leaf(self, block_hash: bytes) -> None:
        """Take a block out of the leaf set."""
        self.txn.delete(block_hash, db=self.t.leaves)

    def justifications_bytes(self, block_hash: bytes) -> bytes | None:
        """Return a block's encoded justifications, or None."""
        value: bytes | None = self.txn.get(block_hash, db=self.t.justifications)
        return value

    def add_justification(self, block_hash: bytes, engine: bytes, data: bytes) -> None:
        """Store a justification, replacing one of the same engine."""
        raw = self.justifications_bytes(block_hash)
        items = [] if raw is None else decode_justifications(raw)
        items = [(e, d) for e, d in items if e != engine] + [(engine, data)]
        self.txn.put(block_hash, encode_justifications(items), db=self.t.justifications)

    # --- canonical index -------------------------------------------------------------------

    def canonical(self, number: int) -> bytes | None:
        """Return the best chain's block hash at `number`, or None."""
        value: bytes | None = self.txn.get(number_key(number), db=self.t.canonical)
        return value

    def is_canonical(self, block_hash: bytes, number: int) -> bool:
        """Whether the block `block_hash` (numbered `number`) is on the best chain."""
        return self.canonical(number) == block_hash

    def set_canonical(self, number: int, block_hash: bytes) -> None:
        """Write one canonical entry."""
        self.txn.put(number_key(number), block_hash, db=self.t.canonical)

    def truncate_canonical(self, above: int) -> None:
        """Delete the canonical entries of numbers greater than `above`."""
        cursor = self.txn.cursor(db=self.t.canonical)
        if cursor.set_range(number_key(above + 1)):
            while cursor.delete():
                pass

    def canonical_entries(self) -> Iterator[tuple[int, bytes]]:
        """Yield ``(number, hash)`` of the canonical index, in number order."""
        cursor = self.txn.cursor(db=self.t.canonical)
        for key, value in cursor.iternext(keys=True, values=True):
            yield key_number(key), value

    def branch(self, block_hash: bytes, number: int) -> tuple[list[bytes], bytes, int]:
        """Walk back from a block to the best chain.

        Returns:
            ``(route, ancestor, ancestor_number)``: the non-canonical blocks from `block_hash`
            down (highest first; empty if `block_hash` is canonical) and the canonical block
            they branch from (`block_hash` itself when it is canonical).

        Raises:
            CorruptDatabase: the walk reaches a missing header before the canonical chain.
        """
        route: list[bytes] = []
        current, current_number = block_hash, number
        while not self.is_canonical(current, current_number):
            route.append(current)
            raw = self.header_bytes(current)
            if raw is None or current_number == 0:
                raise CorruptDatabase([f"block 0x{current.hex()} does not lead to the genesis"])
            current, current_number = raw[:32], current_number - 1
        return route, current, current_number

    # --- states ----------------------------------------------------------------------------

    def state_root(self, block_hash: bytes) -> bytes | None:
        """Return the root of a block's kept state, or None if it is not kept."""
        value: bytes | None = self.txn.get(block_hash, db=self.t.states)
        return value

    def put_state(self, block_hash: bytes, root: bytes) -> None:
        """Mark a block's state as kept (its root is held by the node store separately)."""
        self.txn.put(block_hash, root, db=self.t.states)

    def delete_state(self, block_hash: bytes) -> None:
        """Unmark a block's state."""
        self.txn.delete(block_hash, db=self.t.states)

    def kept_states(self) -> Iterator[tuple[bytes, bytes]]:
        """Yield ``(block hash, state root)`` of every kept state."""
        cursor = self.txn.cursor(db=self.t.states)
        yield from cursor.iternext(keys=True, values=True)
