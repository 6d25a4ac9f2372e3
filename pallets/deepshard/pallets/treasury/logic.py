"""Pure rules of the Treasury: the pot's account id and the emission budget.

Introduction
------------
The treasury's pot is an account no key controls. Its id is derived from the pallet's 8-byte
`PalletId` exactly as FRAME derives it (``PalletId::into_account_truncating``): the four bytes
``modl`` (FRAME's ``TypeId`` of a pallet id), then the id, then zero bytes up to 32 bytes. So
the pot of ``py/trsry`` is the same account on this chain as on any Substrate chain.

Emission is a *budget*, not a payment: every block adds ``emission_per_block`` to the budget,
up to ``max_budget``; rewards are minted out of the budget and never beyond it, so the issuance
grows by at most ``emission_per_block`` per block on average, and only for work the chain paid.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MODULE_PREFIX", "compute_pallet_account", "compute_next_budget", "compute_mint"]

MODULE_PREFIX: Final = b"modl"
"""FRAME's type id of a `PalletId` (the first four bytes of every pallet account)."""

ACCOUNT_LENGTH: Final = 32
"""Length of an `AccountId32`."""


def compute_pallet_account(pallet_id: bytes) -> bytes:
    """Return the 32-byte account of `pallet_id`: ``modl ++ pallet_id`` padded with zeros.

    Raises:
        ValueError: `pallet_id` is not 8 bytes long.
    """
    # Verify the id has FRAME's fixed length.
    if len(pallet_id) != 8:
        raise ValueError(f"a PalletId is 8 bytes, got {len(pallet_id)}")
    seed = MODULE_PREFIX + pallet_id
    return seed + b"\x00" * (ACCOUNT_LENGTH - len(seed))


def compute_next_budget(budget: int, emission_per_block: int, max_budget: int) -> int:
    """Return the emission budget after one more block: ``min(budget + emission, max_budget)``.

    A budget already above the cap (the cap was lowered by an upgrade) is kept, not cut.

    Raises:
        ValueError: a negative argument.
    """
    # Verify the amounts are balances.
    if min(budget, emission_per_block, max_budget) < 0:
        raise ValueError("budgets and emissions are non-negative")
    if budget >= max_budget:
        return budget
    return min(budget + emission_per_block, max_budget)


def compute_mint(budget: int, wanted: int) -> tuple[int, int]:
    """Return ``(minted, budget_left)`` for a reward of `wanted` out of `budget`.

    The reward is cut to what the budget holds; nothing is ever minted beyond it.

    Raises:
        ValueError: a negative argument.
    """
    # Verify the amounts are balances.
    if budget < 0 or wanted < 0:
        raise ValueError("budgets and rewards are non-negative")
    minted = min(budget, wanted)
    return minted, budget - minted
