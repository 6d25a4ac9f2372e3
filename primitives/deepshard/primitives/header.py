"""Substrate's block header and digest (`sp_runtime::generic::{header, digest}`).

Introduction
------------
The header is ``parent_hash ++ Compact<u32>(number) ++ state_root ++ extrinsics_root ++ digest``
and the block hash is ``blake2_256`` of that encoding (`Header.hash`). polkadot.js recomputes the
hash locally and signs mortal transactions against it, so a node must serve exactly the header
it hashed.

The digest is a list of `DigestItem`s; the variant indices are Substrate's (2 and 7 are retired
changes-trie items and stay unused):

===== ============================ ==========================================================
index variant                      payload
===== ============================ ==========================================================
0     `Other`                      opaque bytes
4     `Consensus`                  engine id ([u8; 4]), bytes: a message to the consensus engine
5     `Seal`                       engine id, bytes: the block author's seal (signature)
6     `PreRuntime`                 engine id, bytes: e.g. the Aura slot
8     `RuntimeEnvironmentUpdated`  none: the runtime code or heap pages changed
===== ============================ ==========================================================
"""

from __future__ import annotations

from typing import Annotated, Final

from deepshard.primitives.codec import H256, Compact, Enum, FixedLen, Struct, Vec
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U32

__all__ = [
    "ConsensusEngineId",
    "AURA_ENGINE_ID",
    "BABE_ENGINE_ID",
    "GRANDPA_ENGINE_ID",
    "DigestItem",
    "Other",
    "Consensus",
    "Seal",
    "PreRuntime",
    "RuntimeEnvironmentUpdated",
    "Digest",
    "Header",
]

ConsensusEngineId = Annotated[bytes, FixedLen(4)]
"""A 4-byte consensus engine identifier (``[u8; 4]``), e.g. ``b"aura"``."""

AURA_ENGINE_ID: Final = b"aura"
"""Aura's engine id: its pre-runtime digest carries the slot (u64 LE), its seal a signature."""
BABE_ENGINE_ID: Final = b"BABE"
"""BABE's engine id."""
GRANDPA_ENGINE_ID: Final = b"FRNK"
"""GRANDPA's engine id (authority-set changes travel as `Consensus` items)."""


class DigestItem(Enum, type_path=("sp_runtime", "generic", "digest", "DigestItem")):
    """One item of a header digest."""


class Other(DigestItem, index=0, unnamed=True):
    """Opaque data no consensus engine interprets."""

    data: bytes


class Consensus(DigestItem, index=4, unnamed=True):
    """A message from the runtime to the consensus engine `engine`."""

    engine: ConsensusEngineId
    data: bytes


class Seal(DigestItem, index=5, unnamed=True):
    """A seal (the author's signature over the pre-seal header hash); always the last item."""

    engine: ConsensusEngineId
    data: bytes


class PreRuntime(DigestItem, index=6, unnamed=True):
    """Data the block author gives the runtime before execution (e.g. the Aura slot)."""

    engine: ConsensusEngineId
    data: bytes


class RuntimeEnvironmentUpdated(DigestItem, index=8):
    """The runtime code or heap pages changed in this block."""


class Digest(Struct, type_path=("sp_runtime", "generic", "digest", "Digest")):
    """The header digest: a list of `DigestItem`s."""

    logs: Vec[DigestItem] = ()
    """The items, in order."""


class Header(
    Struct,
    type_path=("sp_runtime", "generic", "header", "Header"),
    type_params=(("Number", U32), ("Hash", None)),
):
    """A block header; its hash (`hash`) is the block hash."""

    parent_hash: H256
    """Hash of the parent block (all zeros for genesis)."""
    number: Compact[U32]
    """Block number (0 for genesis); compact on the wire."""
    state_root: H256
    """Root of the state trie after executing the block."""
    extrinsics_root: H256
    """Ordered trie root of the block's extrinsics."""
    digest: Digest = Digest()
    """Consensus and runtime items (pre-runtime slot, seal, ...)."""

    def hash(self) -> H256:
        """Return the block hash: ``blake2_256`` of the SCALE-encoded header."""
        return H256(blake2_256(self.encode()))
