"""Pure functions of the Multisig pallet: the composite account and the signatory list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from deepshard.primitives.codec import AccountId32, encode_compact
from deepshard.primitives.hashing import blake2_256

__all__ = ["MULTI_ACCOUNT_PREFIX", "multi_account_id", "deposit_for"]

MULTI_ACCOUNT_PREFIX: Final = b"modlpy/utilisuba"
"""The 16 bytes FRAME hashes before the signatories and the threshold."""


def multi_account_id(signatories: Sequence[bytes], threshold: int) -> AccountId32:
    """Return the account of the multisig of `signatories` (sorted) with `threshold`.

    FRAME's ``multi_account_id``: ``blake2_256(b"modlpy/utilisuba" ++ SCALE(Vec<AccountId>) ++
    u16 LE)``; the hash is the account id. The result depends on the order, so `signatories`
    must be sorted (as every call of the pallet makes them).

    Raises:
        ValueError: a signatory is not 32 bytes, or `threshold` is not a ``u16``.
    """
    # Verify the inputs fit the encoded types.
    if any(len(s) != 32 for s in signatories):
        raise ValueError("every signatory is a 32-byte account id")
    if not 0 <= threshold <= 0xFFFF:
        raise ValueError(f"a threshold is a u16, not {threshold}")
    encoded = encode_compact(len(signatories)) + b"".join(bytes(s) for s in signatories)
    return AccountId32(blake2_256(MULTI_ACCOUNT_PREFIX + encoded + threshold.to_bytes(2, "little")))


def deposit_for(threshold: int, base: int, factor: int) -> int:
    """Return the deposit an open operation holds: ``base + threshold * factor``."""
    return base + threshold * factor
