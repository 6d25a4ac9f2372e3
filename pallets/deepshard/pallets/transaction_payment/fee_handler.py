"""`PalletFeeHandler`: the executive's fee interface, backed by the TransactionPayment pallet.

The executive (`deepshard.runtime.executive`) charges fees through a small ``FeeHandler``
protocol that takes the block's context; this class implements it (structurally: pallets do
not import the runtime crate) by delegating to the context's `TransactionPayment` instance, so
a runtime passes ``fees=PalletFeeHandler()`` to its executive.
"""

from __future__ import annotations

from typing import Any

from deepshard.pallets.transaction_payment.pallet import TransactionPayment
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import Context, DispatchMeta

__all__ = ["PalletFeeHandler"]


class PalletFeeHandler:
    """Computes, checks, takes and reports fees through `TransactionPayment`."""

    __slots__ = ()

    def compute_fee(self, ctx: Context, length: int, meta: DispatchMeta, tip: int) -> int:
        """Return the final fee (tip included) of a transaction of `length` bytes."""
        return int(ctx.pallet(TransactionPayment).compute_fee(length, meta, U128(tip)))

    def fee_details(
        self, ctx: Context, length: int, meta: DispatchMeta
    ) -> tuple[int, int, int] | None:
        """Return ``(base_fee, len_fee, adjusted_weight_fee)``, or None for ``Pays::No``."""
        details = ctx.pallet(TransactionPayment).compute_fee_details(length, meta)
        fee = details.inclusion_fee
        if fee is None:
            return None
        return int(fee.base_fee), int(fee.len_fee), int(fee.adjusted_weight_fee)

    def ensure_can_pay(self, ctx: Context, who: Any, fee: int) -> None:
        """Check that `who` can pay `fee` now; raise ``TransactionInvalid(Payment)`` if not."""
        ctx.pallet(TransactionPayment).can_withdraw_fee(AccountId32(who), U128(fee))

    def withdraw_fee(self, ctx: Context, who: Any, fee: int) -> None:
        """Take `fee` from `who`; raise ``TransactionInvalid(Payment)`` if it cannot be paid."""
        ctx.pallet(TransactionPayment).withdraw_fee(AccountId32(who), U128(fee))

    def deposit_fee_paid(self, ctx: Context, who: Any, fee: int, tip: int) -> None:
        """Settle the fee (withdrawn in full before dispatch) and emit ``TransactionFeePaid``."""
        amount = U128(fee)
        ctx.pallet(TransactionPayment).correct_and_deposit_fee(
            AccountId32(who), amount, U128(tip), amount
        )

    def priority(self, ctx: Context, length: int, meta: DispatchMeta, tip: int, fee: int) -> int:
        """Return the pool priority of the transaction."""
        return int(ctx.pallet(TransactionPayment).priority(meta, length, U128(tip), U128(fee)))
