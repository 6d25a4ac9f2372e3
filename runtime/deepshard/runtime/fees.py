"""How the executive charges fees: the `FeeHandler` the runtime provides.

FRAME's ``ChargeTransactionPayment`` extension asks the transaction-payment pallet for the fee
and takes it through the currency. The executive only knows this small interface, so the fee
policy stays in one pallet (`deepshard.pallets.transaction_payment`) and tests can supply
their own.
"""

from __future__ import annotations

from typing import Any, Protocol

from deepshard.runtime.support import Context
from deepshard.runtime.support.runtime import DispatchMeta

__all__ = ["FeeHandler"]


class FeeHandler(Protocol):
    """Computes, checks, takes and reports transaction fees."""

    def compute_fee(self, ctx: Context, length: int, meta: DispatchMeta, tip: int) -> int:
        """Return the fee (tip included) of a transaction of `length` bytes."""
        ...

    def fee_details(
        self, ctx: Context, length: int, meta: DispatchMeta
    ) -> tuple[int, int, int] | None:
        """Return ``(base_fee, len_fee, adjusted_weight_fee)`` (no tip), None if it pays none."""
        ...

    def ensure_can_pay(self, ctx: Context, who: Any, fee: int) -> None:
        """Check that `who` can pay `fee` now; raise `TransactionInvalid(Payment)` if not."""
        ...

    def withdraw_fee(self, ctx: Context, who: Any, fee: int) -> None:
        """Take `fee` from `who`; raise `TransactionInvalid(Payment)` if it cannot be paid."""
        ...

    def deposit_fee_paid(self, ctx: Context, who: Any, fee: int, tip: int) -> None:
        """Settle the fee after dispatch and emit ``TransactionFeePaid``."""
        ...

    def priority(self, ctx: Context, length: int, meta: DispatchMeta, tip: int, fee: int) -> int:
        """Return the pool priority of the transaction."""
        ...
