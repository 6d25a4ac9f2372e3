"""Who authored a block: the Aura slot of its header and the authority that owns the slot.

An Aura author writes its slot into the header as a pre-runtime digest item (engine ``aura``,
the slot as a little-endian ``u64``); slot ``s`` belongs to ``authorities[s % n]``, the
authority set in force when the block was built -- ``Aura.Authorities`` in its parent's state.
A change of that set is announced by a ``Consensus`` digest item of engine ``aura`` in the block
whose state holds the new set, so the set only needs reading again after such a block.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from deepshard.primitives.header import AURA_ENGINE_ID, Consensus, Header, PreRuntime

__all__ = ["aura_slot", "slot_owner", "announces_authorities"]

_SLOT_BYTES: Final = 8


def aura_slot(header: Header) -> int | None:
    """Return the slot of `header`'s Aura pre-runtime digest (None without a well-formed one)."""
    for item in header.digest.logs:
        if isinstance(item, PreRuntime) and bytes(item.engine) == AURA_ENGINE_ID:
            data = bytes(item.data)
            if len(data) != _SLOT_BYTES:
                return None
            return int.from_bytes(data, "little")
    return None


def slot_owner(slot: int, authorities: Sequence[bytes]) -> bytes | None:
    """Return the authority that owns `slot` (``authorities[slot % n]``), None without any."""
    if not authorities:
        return None
    return bytes(authorities[slot % len(authorities)])


def announces_authorities(header: Header) -> bool:
    """Whether `header` carries an Aura ``Consensus`` item (an authority-set change)."""
    return any(
        isinstance(item, Consensus) and bytes(item.engine) == AURA_ENGINE_ID
        for item in header.digest.logs
    )
