"""Multisig: accounts controlled by `threshold` of a set of signatories (FRAME's `pallet_multisig`).

Overview
--------
A multisig account has no key: its id is derived from its sorted signatories and its threshold
(`multi_account_id`), so anyone can compute it and fund it. A call is dispatched from it once
`threshold` signatories have approved the same call (identified by its ``blake2_256`` hash):

1. the first approval (``as_multi`` or ``approve_as_multi``, no timepoint) opens an operation
   in ``Multisigs[multisig][call_hash]``, records its *timepoint* (block number and extrinsic
   index) and holds a deposit of ``DepositBase + threshold * DepositFactor`` from the opener;
2. later approvals name that timepoint (``NoTimepoint`` / ``WrongTimepoint`` otherwise);
3. the approval that reaches the threshold must carry the call itself (``as_multi``) and a
   ``max_weight`` at least the call's weight; the operation is removed, the deposit released,
   and the call dispatched from the multisig account; ``MultisigExecuted`` records its result.

The opener may cancel (``cancel_as_multi``) and re-price the deposit after a configuration
change (``poke_deposit``). ``as_multi_threshold_1`` dispatches at once for a threshold of one.
Call, event and error indices, argument names and the storage layout are FRAME's, so wallets
build these calls unchanged.

Deposits are holds on Balances with the reason `MULTISIG_HOLD`; `try_state` checks that every
account's hold equals the deposits of the operations it opened.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Final, Protocol, cast

from deepshard.pallets.balances import Balances, ReasonId
from deepshard.pallets.multisig.logic import deposit_for, multi_account_id
from deepshard.pallets.multisig.weights import BenchmarkedWeights, MultisigWeights
from deepshard.pallets.sudo.pallet import inner_dispatch_meta
from deepshard.primitives.codec import AccountId32, Enum, Err, FixedLen, Ok, Struct, Vec
from deepshard.primitives.dispatch import DispatchResult
from deepshard.primitives.hashing import StorageHasher, blake2_256
from deepshard.primitives.numeric import U16, U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    OptionQuery,
    Origin,
    OuterCall,
    Pallet,
    PalletConfig,
    PalletError,
    Signed,
    StorageDoubleMap,
    call,
    constant,
    ensure,
    ensure_signed,
    storage,
)
from deepshard.runtime.support.errors import DispatchError as RaisedError
from deepshard.runtime.support.wire import to_wire

__all__ = [
    "MULTISIG_HOLD",
    "CallHash",
    "Config",
    "HoldCurrency",
    "Timepoint",
    "Multisig",
    "Event",
    "NewMultisig",
    "MultisigApproval",
    "MultisigExecuted",
    "MultisigCancelled",
    "DepositPoked",
    "Error",
    "MinimumThreshold",
    "AlreadyApproved",
    "NoApprovalsNeeded",
    "TooFewSignatories",
    "TooManySignatories",
    "SignatoriesOutOfOrder",
    "SenderInSignatories",
    "NotFound",
    "NotOwner",
    "NoTimepoint",
    "WrongTimepoint",
    "UnexpectedTimepoint",
    "MaxWeightTooLow",
    "AlreadyStored",
    "MultisigPallet",
]

MULTISIG_HOLD: Final = ReasonId(b"multisig")
"""The hold reason of multisig deposits."""

CallHash = Annotated[bytes, FixedLen(32)]
"""``blake2_256`` of an encoded call (FRAME's ``[u8; 32]``)."""


# --- Config -----------------------------------------------------------------------------------


class HoldCurrency(Protocol):
    """What the pallet needs of the currency that holds deposits (implemented by Balances)."""

    def hold(self, reason: ReasonId, who: AccountId32, amount: U128) -> None:
        """Put `amount` of `who`'s free balance on hold for `reason`."""
        ...

    def release(
        self, reason: ReasonId, who: AccountId32, amount: U128, *, best_effort: bool = True
    ) -> U128:
        """Return up to `amount` held for `reason` to `who`'s free balance."""
        ...

    def balance_on_hold(self, reason: ReasonId, who: AccountId32) -> U128:
        """The balance of `who` on hold for `reason`."""
        ...


class Config(PalletConfig):
    """Configuration of the Multisig pallet."""

    deposit_base: U128 = constant(
        default=U128(0),
        doc="The deposit held for opening a multisig operation (one storage item).",
        name="DepositBase",
    )
    deposit_factor: U128 = constant(
        default=U128(0),
        doc="The deposit held per unit of threshold of an open operation (32 bytes each).",
        name="DepositFactor",
    )
    max_signatories: U32 = constant(
        default=U32(100), doc="The maximum number of signatories of a multisig."
    )
    currency: type[Pallet[Any]] = Balances
    """The pallet that holds deposits (`HoldCurrency`)."""
    weights: Any = BenchmarkedWeights()
    """The weight table of the calls (`MultisigWeights`)."""


# --- Types ------------------------------------------------------------------------------------


class Timepoint(
    Struct, type_path=("pallet_multisig", "Timepoint"), type_params=(("BlockNumber", U32),)
):
    """Where an operation was opened: a block height and an extrinsic index in it."""

    height: U32
    """The block number."""
    index: U32
    """The index of the extrinsic in that block."""


class Multisig(
    Struct,
    type_path=("pallet_multisig", "Multisig"),
    type_params=(("BlockNumber", U32), ("Balance", U128), ("AccountId", AccountId32)),
):
    """An open multisig operation."""

    when: Timepoint
    """Where it was opened."""
    deposit: U128
    """The deposit held from the depositor until the operation ends."""
    depositor: AccountId32
    """The signatory who opened it (its first approval)."""
    approvals: Vec[AccountId32]
    """The signatories who approved so far, the depositor included; always sorted."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_multisig", "pallet", "Event")):
    """The `Event` enum of this pallet."""


class NewMultisig(Event, index=0):
    """A multisig operation was opened."""

    approving: AccountId32
    multisig: AccountId32
    call_hash: CallHash


class MultisigApproval(Event, index=1):
    """A signatory approved an open operation."""

    approving: AccountId32
    timepoint: Timepoint
    multisig: AccountId32
    call_hash: CallHash


class MultisigExecuted(Event, index=2):
    """An operation reached its threshold and its call was dispatched."""

    approving: AccountId32
    timepoint: Timepoint
    multisig: AccountId32
    call_hash: CallHash
    result: DispatchResult


class MultisigCancelled(Event, index=3):
    """An operation was cancelled by its depositor."""

    cancelling: AccountId32
    timepoint: Timepoint
    multisig: AccountId32
    call_hash: CallHash


class DepositPoked(Event, index=4):
    """The deposit of an open operation was re-priced."""

    who: AccountId32
    call_hash: CallHash
    old_deposit: U128
    new_deposit: U128


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Errors of the Multisig pallet."""


class MinimumThreshold(Error, index=0):
    """The threshold must be 2 or more (use ``as_multi_threshold_1`` for 1)."""


class AlreadyApproved(Error, index=1):
    """This signatory already approved the operation."""


class NoApprovalsNeeded(Error, index=2):
    """The operation needs no more approvals."""


class TooFewSignatories(Error, index=3):
    """There must be at least one other signatory."""


class TooManySignatories(Error, index=4):
    """More signatories than ``MaxSignatories``."""


class SignatoriesOutOfOrder(Error, index=5):
    """The other signatories must be sorted, without duplicates."""


class SenderInSignatories(Error, index=6):
    """The sender must not be among the other signatories."""


class NotFound(Error, index=7):
    """No such open operation."""


class NotOwner(Error, index=8):
    """Only the depositor may cancel the operation or re-price its deposit."""


class NoTimepoint(Error, index=9):
    """The operation is open: its timepoint must be given."""


class WrongTimepoint(Error, index=10):
    """The timepoint given is not the open operation's."""


class UnexpectedTimepoint(Error, index=11):
    """A timepoint was given but no operation is open."""


class MaxWeightTooLow(Error, index=12):
    """``max_weight`` is below the call's weight."""


class AlreadyStored(Error, index=13):
    """The data is already stored (kept for FRAME's error numbering)."""


# --- Weights of the calls (each takes the weight table, then the call's arguments) -------------


def _call_len(call_value: Any) -> int:
    return len(call_value.encode())


def _threshold_1_weight(weights: MultisigWeights, other_signatories: Any, call: Any) -> Weight:
    del other_signatories
    return weights.as_multi_threshold_1(_call_len(call)).saturating_add(
        inner_dispatch_meta(call).weight
    )


def _as_multi_weight(  # noqa: PLR0917 - the call's arguments
    weights: MultisigWeights,
    threshold: Any,
    other_signatories: Any,
    maybe_timepoint: Any,
    call: Any,
    max_weight: Weight,
) -> Weight:
    del threshold, maybe_timepoint
    s, z = len(other_signatories), _call_len(call)
    return (
        weights.as_multi_create(s, z)
        .max(weights.as_multi_approve(s, z))
        .max(weights.as_multi_complete(s, z))
        .saturating_add(max_weight)
    )


def _approve_weight(  # noqa: PLR0917 - the call's arguments
    weights: MultisigWeights,
    threshold: Any,
    other_signatories: Any,
    maybe_timepoint: Any,
    call_hash: Any,
    max_weight: Weight,
) -> Weight:
    del threshold, maybe_timepoint, call_hash
    s = len(other_signatories)
    return (
        weights.approve_as_multi_create(s)
        .max(weights.approve_as_multi_approve(s))
        .saturating_add(max_weight)
    )


def _cancel_weight(
    weights: MultisigWeights, threshold: Any, other_signatories: Any, timepoint: Any, call_hash: Any
) -> Weight:
    del threshold, timepoint, call_hash
    return weights.cancel_as_multi(len(other_signatories))


def _poke_weight(
    weights: MultisigWeights, threshold: Any, other_signatories: Any, call_hash: Any
) -> Weight:
    del threshold, call_hash
    return weights.poke_deposit(len(other_signatories))


# --- Pallet -----------------------------------------------------------------------------------


class MultisigPallet(Pallet[Config], name="Multisig", config=Config, event=Event, error=Error):
    """The Multisig pallet (FRAME's `pallet_multisig`)."""

    multisigs: StorageDoubleMap[AccountId32, CallHash, Multisig, OptionQuery] = storage(
        hashers=(StorageHasher.TWOX_64_CONCAT, StorageHasher.BLAKE2_128_CONCAT),
        doc="The open multisig operations, by multisig account and call hash.",
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=_threshold_1_weight)
    def as_multi_threshold_1(
        self, origin: Origin, other_signatories: Vec[AccountId32], call: OuterCall
    ) -> None:
        """Dispatch `call` at once from the multisig of the sender and `other_signatories` with
        threshold 1. The call's failure is this call's failure. Origin: signed.
        """  # noqa: D205
        # Fails with BadOrigin, TooFewSignatories, TooManySignatories, SignatoriesOutOfOrder,
        # SenderInSignatories, or the call's error.
        who = ensure_signed(origin)
        signatories = self._signatories(other_signatories, who)
        multisig = multi_account_id(signatories, 1)
        self.ctx.runtime.dispatch(self.ctx, call, Signed(multisig))

    @call(index=1, weight=_as_multi_weight)
    def as_multi(  # noqa: PLR0917 - FRAME's arguments
        self,
        origin: Origin,
        threshold: U16,
        other_signatories: Vec[AccountId32],
        maybe_timepoint: Timepoint | None,
        call: OuterCall,
        max_weight: Weight,
    ) -> None:
        """Approve `call` from the multisig of the sender and `other_signatories`; dispatch it if
        this approval reaches `threshold`. Opening holds ``DepositBase + threshold *
        DepositFactor`` from the sender. Origin: signed.
        """  # noqa: D205
        who = ensure_signed(origin)
        self._operate(who, int(threshold), other_signatories, maybe_timepoint, call, max_weight)

    @call(index=2, weight=_approve_weight)
    def approve_as_multi(  # noqa: PLR0917 - FRAME's arguments
        self,
        origin: Origin,
        threshold: U16,
        other_signatories: Vec[AccountId32],
        maybe_timepoint: Timepoint | None,
        call_hash: CallHash,
        max_weight: Weight,
    ) -> None:
        """Approve the call whose hash is `call_hash` (the final approval must use `as_multi`).
        Opening holds ``DepositBase + threshold * DepositFactor`` from the sender. Origin: signed.
        """  # noqa: D205
        who = ensure_signed(origin)
        self._operate(
            who, int(threshold), other_signatories, maybe_timepoint, bytes(call_hash), max_weight
        )

    @call(index=3, weight=_cancel_weight)
    def cancel_as_multi(
        self,
        origin: Origin,
        threshold: U16,
        other_signatories: Vec[AccountId32],
        timepoint: Timepoint,
        call_hash: CallHash,
    ) -> None:
        """Cancel an open operation and release its deposit. Origin: signed, the depositor."""
        # Fails with BadOrigin, MinimumThreshold, the signatory errors, NotFound,
        # WrongTimepoint or NotOwner.
        who = ensure_signed(origin)
        ensure(int(threshold) >= 2, MinimumThreshold)
        signatories = self._signatories(other_signatories, who)
        multisig = multi_account_id(signatories, int(threshold))
        operation = self.multisigs.get(multisig, bytes(call_hash))
        ensure(operation is not None, NotFound)
        assert operation is not None
        ensure(operation.when == timepoint, WrongTimepoint)
        ensure(operation.depositor == who, NotOwner)
        self._currency.release(MULTISIG_HOLD, who, operation.deposit)
        self.multisigs.remove(multisig, bytes(call_hash))
        self.deposit_event(
            MultisigCancelled(
                cancelling=who, timepoint=timepoint, multisig=multisig, call_hash=bytes(call_hash)
            )
        )

    @call(index=4, weight=_poke_weight)
    def poke_deposit(
        self,
        origin: Origin,
        threshold: U16,
        other_signatories: Vec[AccountId32],
        call_hash: CallHash,
    ) -> None:
        """Re-price the deposit of an open operation to the current configuration.

        Origin: signed, the depositor.
        """
        # Fails with BadOrigin, MinimumThreshold, the signatory errors, NotFound, NotOwner, or
        # a Token error when the extra deposit cannot be held.
        who = ensure_signed(origin)
        ensure(int(threshold) >= 2, MinimumThreshold)
        signatories = self._signatories(other_signatories, who)
        multisig = multi_account_id(signatories, int(threshold))
        key = bytes(call_hash)
        operation = self.multisigs.get(multisig, key)
        ensure(operation is not None, NotFound)
        assert operation is not None
        ensure(operation.depositor == who, NotOwner)
        new = U128(self._deposit(int(threshold)))
        old = operation.deposit
        if new == old:
            return
        if new > old:
            self._currency.hold(MULTISIG_HOLD, who, U128(new - old))
        else:
            self._currency.release(MULTISIG_HOLD, who, U128(old - new))
        self.multisigs.insert(multisig, key, dataclasses.replace(operation, deposit=new))
        self.deposit_event(DepositPoked(who=who, call_hash=key, old_deposit=old, new_deposit=new))

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def _currency(self) -> HoldCurrency:
        return cast(HoldCurrency, self.ctx.pallet(self.config.currency))

    def _deposit(self, threshold: int) -> int:
        return deposit_for(
            threshold, int(self.config.deposit_base), int(self.config.deposit_factor)
        )

    def timepoint(self) -> Timepoint:
        """The current timepoint: this block and the extrinsic being applied."""
        return Timepoint(height=U32(self.block_number), index=U32(self.ctx.extrinsic_index))

    def _signatories(self, others: Any, who: AccountId32) -> list[AccountId32]:
        """Check `others` (non-empty, sorted, within the limit, without `who`), insert `who`.

        Raises:
            TooFewSignatories / TooManySignatories / SignatoriesOutOfOrder / SenderInSignatories.
        """
        ensure(len(others) > 0, TooFewSignatories)
        ensure(len(others) < int(self.config.max_signatories), TooManySignatories)
        position = 0
        for i, item in enumerate(others):
            # Verify strict order and that the sender is not listed.
            ensure(i == 0 or bytes(others[i - 1]) < bytes(item), SignatoriesOutOfOrder)
            if bytes(item) <= bytes(who):
                ensure(bytes(item) != bytes(who), SenderInSignatories)
                position += 1
        signatories = [AccountId32(a) for a in others]
        signatories.insert(position, who)
        return signatories

    def _operate(  # noqa: PLR0917 - FRAME's operate
        self,
        who: AccountId32,
        threshold: int,
        others: Any,
        maybe_timepoint: Timepoint | None,
        call_or_hash: Any,
        max_weight: Weight,
    ) -> None:
        """Open, approve or execute an operation (FRAME's ``operate``).

        Raises:
            MinimumThreshold, the signatory errors, NoTimepoint, WrongTimepoint,
            UnexpectedTimepoint, AlreadyApproved, MaxWeightTooLow, or a Token error when the
            deposit cannot be held.
        """
        ensure(threshold >= 2, MinimumThreshold)
        signatories = self._signatories(others, who)
        multisig = multi_account_id(signatories, threshold)
        call_value = None if isinstance(call_or_hash, bytes) else call_or_hash
        call_hash = call_or_hash if call_value is None else blake2_256(call_value.encode())
        operation = self.multisigs.get(multisig, call_hash)
        if operation is None:
            # Verify no timepoint was given for a new operation, then open it.
            ensure(maybe_timepoint is None, UnexpectedTimepoint)
            deposit = U128(self._deposit(threshold))
            self._currency.hold(MULTISIG_HOLD, who, deposit)
            self.multisigs.insert(
                multisig,
                call_hash,
                Multisig(when=self.timepoint(), deposit=deposit, depositor=who, approvals=(who,)),
            )
            self.deposit_event(NewMultisig(approving=who, multisig=multisig, call_hash=call_hash))
            return
        # Verify the timepoint names the open operation.
        ensure(maybe_timepoint is not None, NoTimepoint)
        ensure(operation.when == maybe_timepoint, WrongTimepoint)
        approvals = list(operation.approvals)
        counted = len(approvals)
        new_approval = who not in approvals and counted < threshold
        if new_approval:
            counted += 1
        if call_value is not None and counted >= threshold:
            # Verify the caller allowed enough weight for the call.
            ensure(inner_dispatch_meta(call_value).weight.all_lte(max_weight), MaxWeightTooLow)
            self.multisigs.remove(multisig, call_hash)
            self._currency.release(MULTISIG_HOLD, operation.depositor, operation.deposit)
            failure = self._try_dispatch(call_value, Signed(multisig))
            self.deposit_event(
                MultisigExecuted(
                    approving=who,
                    timepoint=operation.when,
                    multisig=multisig,
                    call_hash=call_hash,
                    result=Ok(()) if failure is None else Err(failure),
                )
            )
            return
        # Verify this approval adds something (a stored call is not kept here).
        ensure(new_approval, AlreadyApproved)
        approvals.append(who)
        approvals.sort(key=bytes)
        self.multisigs.insert(
            multisig, call_hash, dataclasses.replace(operation, approvals=tuple(approvals))
        )
        self.deposit_event(
            MultisigApproval(
                approving=who, timepoint=operation.when, multisig=multisig, call_hash=call_hash
            )
        )

    def _try_dispatch(self, outer_call: Any, origin: Origin) -> Any:
        runtime = self.ctx.runtime
        try:
            runtime.dispatch(self.ctx, outer_call, origin)
        except RaisedError as error:
            return to_wire(runtime, error)
        return None

    # --- invariants ------------------------------------------------------------------------------

    def try_state(self) -> None:
        """Check that every open operation is consistent and that holds match deposits.

        Raises:
            AssertionError: an operation has unsorted approvals, a depositor who did not
                approve, or an account's hold differs from its operations' deposits.
        """
        held: dict[bytes, int] = {}
        for _multisig, _hash, operation in self.multisigs.iter():
            approvals = [bytes(a) for a in operation.approvals]
            assert approvals == sorted(approvals), "approvals are not sorted"
            assert len(set(approvals)) == len(approvals), "an approval is counted twice"
            assert bytes(operation.depositor) in approvals, "the depositor has not approved"
            key = bytes(operation.depositor)
            held[key] = held.get(key, 0) + int(operation.deposit)
        for who in sorted(held):
            on_hold = int(self._currency.balance_on_hold(MULTISIG_HOLD, AccountId32(who)))
            assert on_hold == held[who], f"hold {on_hold} != deposits {held[who]}"
