"""Pure functions of the Utility pallet."""

from __future__ import annotations

from typing import Final

from deepshard.primitives.codec import AccountId32
from deepshard.primitives.hashing import blake2_256

__all__ = ["DERIVATIVE_PREFIX", "derivative_account_id"]

DERIVATIVE_PREFIX: Final = b"modlpy/utilisuba"
"""The 16 bytes FRAME hashes before the owner and the index (a ``PalletId`` plus ``suba``)."""


def derivative_account_id(who: bytes, index: int) -> AccountId32:
    """Return the account ``as_derivative`` dispatches from: ``who``'s pseudonym `index`.

    FRAME's ``derivative_account_id``: ``blake2_256(b"modlpy/utilisuba" ++ who ++ u16 LE)``,
    the 32-byte hash being the account id itself.

    Raises:
        ValueError: `who` is not 32 bytes, or `index` is not a ``u16``.
    """
    # Verify the inputs fit the encoded types.
    if len(who) != 32:
        raise ValueError(f"an account id has 32 bytes, not {len(who)}")
    if not 0 <= index <= 0xFFFF:
        raise ValueError(f"a derivative index is a u16, not {index}")
    return AccountId32(blake2_256(DERIVATIVE_PREFIX + bytes(who) + index.to_bytes(2, "little")))
