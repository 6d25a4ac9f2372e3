"""Balances: the native token -- accounts' free and reserved balances, transfers, issuance.

Overview
--------
The Balances pallet keeps the balance of every account (in ``System.Account``, FRAME's
``AccountStore = System``) and the total issuance of the token. It offers:

* dispatchable transfers (allow-death, keep-alive, transfer-all), a burn, and root-only
  forced operations (transfer, unreserve, set balance);
* a currency interface for other pallets (transaction payment, staking, licence escrow):
  reading balances, withdrawing and depositing, reserving, slashing, repatriating reserves,
  holds by reason and freezes by id. It is FRAME's ``ReservableCurrency`` plus the parts of
  ``fungible::{Mutate, MutateHold, MutateFreeze}`` the chain uses, as plain methods.

Terminology
-----------
* **Existential deposit (ED):** the least free balance an account needs to exist. An
  account whose free balance falls below it (and that has no reserve) is **reaped**: its
  ``System.Account`` entry is removed and what was left below the ED -- the **dust** -- is
  destroyed (``DustLost``, total issuance falls by it).
* **Free balance:** what the account can spend. **Reserved balance:** set aside by other
  pallets (holds and plain reserves); still owned, still counted in the total issuance.
* **Holds:** the part of the reserved balance attributed to an 8-byte reason id
  (``Balances.Holds``). Plain ``reserve``/``unreserve`` act only on the reserved balance that no
  hold accounts for, so a reserve can never eat into a hold.
* **Frozen balance:** the largest freeze (``Balances.Freezes``). The fungible operations
  (transfers, burns, holds) keep ``free + reserved >= frozen``; the legacy currency operations
  (``withdraw``, ``reserve``) keep ``free >= frozen``, as FRAME does.
* **Providers and consumers** (System's reference counts): the balance provides for the
  account while ``free >= ED`` (the first provider creates it, ``NewAccount``/``Endowed``); a
  non-zero reserved or frozen balance is a consumer, so such an account cannot be reaped.

Errors
------
As in FRAME, the dispatchable calls go through the fungible path and fail with
``TokenError``s (``FundsUnavailable``, ``NotExpendable``, ``BelowMinimum``, ``Frozen``,
``OnlyProvider``); the legacy currency methods fail with this pallet's errors
(``InsufficientBalance``, ``ExistentialDeposit``, ``Expendability``, ``LiquidityRestrictions``,
``DeadAccount``). Checked arithmetic failures are ``ArithmeticError``s.

Issuance
--------
Every method keeps ``TotalIssuance == sum(free + reserved)`` by itself (there are no imbalance
objects to carry): methods that take funds out of an account (``withdraw``, ``slash*``,
``burn_from``, dust) destroy them, methods that put funds in (``deposit_*``, ``mint_into``)
create them. To move funds between accounts use ``transfer`` / ``repatriate_reserved`` /
``transfer_on_hold``, or a ``withdraw`` followed by a ``deposit_*`` of the same amount.

Assumptions
-----------
* The existential deposit is greater than zero (`integrity_test` refuses zero).
* The total issuance fits in a `U128`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from deepshard.pallets.balances.types import (
    FREE,
    RESERVED,
    BalanceLock,
    BalanceStatus,
    DepositConsequence,
    Fortitude,
    Free,
    IdAmount,
    Preservation,
    ReasonId,
    ReserveData,
    WithdrawConsequence,
)
from deepshard.pallets.balances.weights import BalancesWeights, ReferenceWeights
from deepshard.pallets.system import EMPTY_ACCOUNT_DATA, AccountData, System
from deepshard.primitives.codec import AccountId32, Compact, Enum, Vec
from deepshard.primitives.extrinsic import MultiAddress
from deepshard.primitives.hashing import StorageHasher
from deepshard.primitives.numeric import U32, U128
from deepshard.runtime.support import (
    ArithmeticError,
    ArithmeticErrorKind,
    DispatchError,
    GenesisConfig,
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    StorageMap,
    StorageValue,
    TokenError,
    TokenErrorKind,
    ValueQuery,
    call,
    constant,
    ensure,
    ensure_root,
    ensure_signed,
    storage,
)
from deepshard.runtime.support.wire import lookup_account

__all__ = [
    "Config",
    "Event",
    "Endowed",
    "DustLost",
    "Transfer",
    "BalanceSet",
    "Reserved",
    "Unreserved",
    "ReserveRepatriated",
    "Deposit",
    "Withdraw",
    "Slashed",
    "Minted",
    "Burned",
    "Issued",
    "Rescinded",
    "Frozen",
    "Thawed",
    "Error",
    "VestingBalance",
    "LiquidityRestrictions",
    "InsufficientBalance",
    "ExistentialDeposit",
    "Expendability",
    "ExistingVestingSchedule",
    "DeadAccount",
    "TooManyReserves",
    "TooManyHolds",
    "TooManyFreezes",
    "IssuanceDeactivated",
    "DeltaZero",
    "Balances",
    "BalancesGenesis",
]

R = TypeVar("R")

_ZERO = U128(0)


# --- Config -----------------------------------------------------------------------------------


class Config(PalletConfig):
    """Configuration of the Balances pallet."""

    existential_deposit: U128 = constant(
        default=U128(1),
        doc="The minimum amount required to keep an account open. MUST BE GREATER THAN ZERO!",
    )
    max_locks: U32 = constant(
        default=U32(50),
        doc=(
            "The maximum number of locks that should exist on an account. Not strictly "
            "enforced, but used for weight estimation."
        ),
    )
    max_reserves: U32 = constant(
        default=U32(50), doc="The maximum number of named reserves that can exist on an account."
    )
    max_holds: U32 = constant(
        default=U32(8), doc="The maximum number of holds that can exist on an account at any time."
    )
    max_freezes: U32 = constant(
        default=U32(8),
        doc=(
            "The maximum number of individual freeze locks that can exist on an account at any "
            "time."
        ),
    )
    weights: BalancesWeights = ReferenceWeights()
    """The weight table of the calls."""


# --- Types ------------------------------------------------------------------------------------
# `ReasonId`, `IdAmount`, `BalanceStatus`, `Preservation`, `Fortitude` and the withdraw/deposit
# consequences live in `types.py`; the account data (`AccountData`) lives with System.


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_balances", "pallet", "Event")):
    """The `Event` enum of this pallet."""


class Endowed(Event, index=0):
    """An account was created with some free balance."""

    account: AccountId32
    free_balance: U128


class DustLost(Event, index=1):
    """An account was removed whose balance was non-zero but below ExistentialDeposit.

    The remainder is lost outright.
    """

    account: AccountId32
    amount: U128


class Transfer(Event, index=2):
    """Transfer succeeded."""

    from_: AccountId32
    to: AccountId32
    amount: U128


class BalanceSet(Event, index=3):
    """A balance was set by root."""

    who: AccountId32
    free: U128


class Reserved(Event, index=4):
    """Some balance was reserved (moved from free to reserved)."""

    who: AccountId32
    amount: U128


class Unreserved(Event, index=5):
    """Some balance was unreserved (moved from reserved to free)."""

    who: AccountId32
    amount: U128


class ReserveRepatriated(Event, index=6):
    """Some balance was moved from the reserve of the first account to the second account.

    Final argument indicates the destination balance type.
    """

    from_: AccountId32
    to: AccountId32
    amount: U128
    destination_status: BalanceStatus


class Deposit(Event, index=7):
    """Some amount was deposited (e.g. for transaction fees)."""

    who: AccountId32
    amount: U128


class Withdraw(Event, index=8):
    """Some amount was withdrawn from the account (e.g. for transaction fees)."""

    who: AccountId32
    amount: U128


class Slashed(Event, index=9):
    """Some amount was removed from the account (e.g. for misbehavior)."""

    who: AccountId32
    amount: U128


class Minted(Event, index=10):
    """Some amount was minted into an account."""

    who: AccountId32
    amount: U128


class Burned(Event, index=11):
    """Some amount was burned from an account."""

    who: AccountId32
    amount: U128


class Issued(Event, index=15):
    """Total issuance was increased by `amount`, creating a credit to be balanced."""

    amount: U128


class Rescinded(Event, index=16):
    """Total issuance was decreased by `amount`, creating a debt to be balanced."""

    amount: U128


class Frozen(Event, index=19):
    """Some balance was frozen."""

    who: AccountId32
    amount: U128


class Thawed(Event, index=20):
    """Some balance was thawed."""

    who: AccountId32
    amount: U128


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """The `Error` enum of this pallet."""


class VestingBalance(Error, index=0):
    """Vesting balance too high to send value."""


class LiquidityRestrictions(Error, index=1):
    """Account liquidity restrictions prevent withdrawal."""


class InsufficientBalance(Error, index=2):
    """Balance too low to send value."""


class ExistentialDeposit(Error, index=3):
    """Value too low to create account due to existential deposit."""


class Expendability(Error, index=4):
    """Transfer/payment would kill account."""


class ExistingVestingSchedule(Error, index=5):
    """A vesting schedule already exists for this account."""


class DeadAccount(Error, index=6):
    """Beneficiary account must pre-exist."""


class TooManyReserves(Error, index=7):
    """Number of named reserves exceed `MaxReserves`."""


class TooManyHolds(Error, index=8):
    """Number of holds exceed `VariantCountOf<T::RuntimeHoldReason>`."""


class TooManyFreezes(Error, index=9):
    """Number of freezes exceed `MaxFreezes`."""


class IssuanceDeactivated(Error, index=10):
    """The issuance cannot be modified since it is already deactivated."""


class DeltaZero(Error, index=11):
    """The delta cannot be zero."""


# --- Genesis ----------------------------------------------------------------------------------
# (declared before the pallet class, whose `genesis=` keyword names it)


@dataclass(frozen=True)
class BalancesGenesis(GenesisConfig):
    """Genesis of the Balances pallet: the initial free balance of each endowed account."""

    balances: tuple[tuple[AccountId32, int], ...] = ()
    """``(account, free balance)`` pairs; each balance at least the existential deposit."""

    def build(self, pallet: Balances) -> None:
        """Validate the endowments, then write the accounts and the total issuance.

        Each account gets one provider reference and its free balance; no event is emitted
        (FRAME emits none at genesis).

        Raises:
            ValueError: a balance below the existential deposit, an account listed twice,
                or a total that does not fit in a `U128`.
        """
        ed = pallet.config.existential_deposit
        seen: dict[AccountId32, None] = {}
        total = 0
        for who, amount in self.balances:
            if amount < ed:
                raise ValueError(
                    "the balance of any account should always be at least the existential "
                    f"deposit ({who.hex()}: {amount} < {ed})."
                )
            if who in seen:
                raise ValueError(f"duplicate balances in genesis ({who.hex()}).")
            seen[who] = None
            total += int(amount)
        if total > U128.MAX:
            raise ValueError(f"the total issuance {total} does not fit in a u128.")
        pallet.total_issuance.put(U128(total))
        system = pallet.system
        for who, amount in self.balances:
            info = system.account.get(who)
            data = replace(info.data, free=U128(amount))
            system.account.insert(who, replace(info, providers=info.providers + U32(1), data=data))


# --- Pallet -----------------------------------------------------------------------------------


class Balances(
    Pallet[Config],
    name="Balances",
    config=Config,
    event=Event,
    error=Error,
    genesis=BalancesGenesis,
):
    """The Balances pallet (FRAME's `pallet_balances`); see the module docstring."""

    # --- storage ---------------------------------------------------------------------------------

    total_issuance: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO, doc="The total units issued in the system."
    )
    inactive_issuance: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO, doc="The total units of outstanding deactivated balance in the system."
    )
    account: StorageMap[AccountId32, AccountData, ValueQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT,
        default=EMPTY_ACCOUNT_DATA,
        doc=(
            "Balances kept by this pallet itself. Unused: the balances live in `System.Account` "
            "(FRAME's `AccountStore = System`); declared, always empty, for clients that look here."
        ),
    )
    locks: StorageMap[AccountId32, Vec[BalanceLock], ValueQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT,
        default=(),
        doc="Legacy locks on account balances. Always empty: Deepshard uses `Freezes` instead.",
    )
    reserves: StorageMap[AccountId32, Vec[ReserveData], ValueQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT,
        default=(),
        doc="Named reserves on account balances. Always empty: Deepshard uses `Holds` instead.",
    )
    holds: StorageMap[AccountId32, Vec[IdAmount], ValueQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT, default=(), doc="Holds on account balances."
    )
    freezes: StorageMap[AccountId32, Vec[IdAmount], ValueQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT, default=(), doc="Freeze locks on account balances."
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=lambda w: w.transfer_allow_death())
    def transfer_allow_death(
        self, origin: Origin, dest: MultiAddress, value: Compact[U128]
    ) -> None:
        """Transfer some liquid free balance to another account.

        `transfer_allow_death` will set the `FreeBalance` of the sender and receiver.
        If the sender's account is below the existential deposit as a result
        of the transfer, the account will be reaped.

        The dispatch origin for this call must be `Signed` by the transactor.
        """
        source = ensure_signed(origin)
        target = lookup_account(dest)
        self._transfer(source, target, value, Preservation.EXPENDABLE)

    @call(index=2, weight=lambda w: w.force_transfer())
    def force_transfer(
        self, origin: Origin, source: MultiAddress, dest: MultiAddress, value: Compact[U128]
    ) -> None:
        """Exactly as `transfer_allow_death`, except the origin must be root.

        The source account may be specified.
        """
        ensure_root(origin)
        sender = lookup_account(source)
        target = lookup_account(dest)
        self._transfer(sender, target, value, Preservation.EXPENDABLE)

    @call(index=3, weight=lambda w: w.transfer_keep_alive())
    def transfer_keep_alive(self, origin: Origin, dest: MultiAddress, value: Compact[U128]) -> None:
        """Same as `transfer_allow_death`, but checks that the transfer will not kill the origin.

        99% of the time you want `transfer_allow_death` instead.
        """
        source = ensure_signed(origin)
        target = lookup_account(dest)
        self._transfer(source, target, value, Preservation.PRESERVE)

    @call(index=4, weight=lambda w: w.transfer_all())
    def transfer_all(self, origin: Origin, dest: MultiAddress, keep_alive: bool) -> None:
        """Transfer the entire transferable balance from the caller account.

        NOTE: This function only attempts to transfer _transferable_ balances. This means that
        any locked, reserved, or existential deposits (when `keep_alive` is `true`), will not be
        transferred by this function. To ensure that this function results in a killed account,
        you might need to prepare the account by removing any reference counters, storage
        deposits, etc...

        The dispatch origin of this call must be Signed.

        - `dest`: The recipient of the transfer.
        - `keep_alive`: A boolean to determine if the `transfer_all` operation should send all
          of the funds the account has, causing the sender account to be killed (false), or
          transfer everything except at least the existential deposit, which will guarantee to
          keep the sender account alive (true).
        """
        transactor = ensure_signed(origin)
        preservation = Preservation.PRESERVE if keep_alive else Preservation.EXPENDABLE
        reducible = self.reducible_balance(transactor, preservation, Fortitude.POLITE)
        target = lookup_account(dest)
        self._transfer(transactor, target, reducible, preservation)

    @call(index=5, weight=lambda w: w.force_unreserve())
    def force_unreserve(self, origin: Origin, who: MultiAddress, amount: U128) -> None:
        """Unreserve some balance from a user by force.

        Can only be called by ROOT. Balance on hold (see `hold`) is not released.
        """
        ensure_root(origin)
        account = lookup_account(who)
        self.unreserve(account, amount)

    @call(index=8, weight=lambda w: w.force_set_balance())
    def force_set_balance(self, origin: Origin, who: MultiAddress, new_free: Compact[U128]) -> None:
        """Set the regular balance of a given account.

        The dispatch origin for this call is `root`. A balance below the existential deposit
        is set to zero (the account is reaped if nothing else keeps it alive).
        """
        ensure_root(origin)
        account = lookup_account(who)
        free = _ZERO if new_free < self.config.existential_deposit else new_free

        def set_free(data: AccountData, is_new: bool) -> tuple[AccountData, U128]:
            del is_new
            return replace(data, free=free), data.free

        old_free = self._mutate_account(account, set_free)
        if free > old_free:
            self._increase_issuance(free - old_free)
            self.deposit_event(Issued(amount=free - old_free))
        elif free < old_free:
            self._decrease_issuance(old_free - free)
            self.deposit_event(Rescinded(amount=old_free - free))
        self.deposit_event(BalanceSet(who=account, free=free))

    @call(index=10, weight=lambda w, keep_alive: w.burn(keep_alive))
    def burn(self, origin: Origin, value: Compact[U128], keep_alive: bool) -> None:
        """Burn the specified liquid free balance from the origin account.

        If the origin's account ends up below the existential deposit as a result
        of the burn and `keep_alive` is false, the account will be reaped.

        Unlike sending funds to a _burn_ address, which merely makes the funds inaccessible,
        this `burn` operation will reduce total issuance by the amount _burned_.
        """
        source = ensure_signed(origin)
        self.burn_from(source, value, keep_alive=keep_alive)

    # --- currency interface: inspection --------------------------------------------------------

    @functools.cached_property
    def system(self) -> System:
        """The System pallet of this context (where the account data lives)."""
        return self.ctx.pallet(System)

    def minimum_balance(self) -> U128:
        """The existential deposit."""
        return self.config.existential_deposit

    def active_issuance(self) -> U128:
        """The total issuance minus the deactivated (inactive) issuance."""
        return self.total_issuance.get().saturating_sub(self.inactive_issuance.get())

    def account_data(self, who: AccountId32) -> AccountData:
        """The balances of `who` (free, reserved, frozen)."""
        return self.system.account_data(who)

    def free_balance(self, who: AccountId32) -> U128:
        """The free balance of `who`."""
        return self.account_data(who).free

    def reserved_balance(self, who: AccountId32) -> U128:
        """The reserved balance of `who` (holds plus plain reserves)."""
        return self.account_data(who).reserved

    def total_balance(self, who: AccountId32) -> U128:
        """Free plus reserved balance of `who`."""
        data = self.account_data(who)
        return data.free + data.reserved

    def usable_balance(self, who: AccountId32) -> U128:
        """What `who` could transfer away, allowing death: free minus frozen and required ED."""
        return self.reducible_balance(who, Preservation.EXPENDABLE, Fortitude.POLITE)

    def reducible_balance(
        self, who: AccountId32, preservation: Preservation, fortitude: Fortitude
    ) -> U128:
        """How much of the free balance of `who` can be taken away.

        With `Fortitude.POLITE` the frozen balance (which applies to free plus reserved) stays;
        the existential deposit stays when `preservation` is `PRESERVE`, when it is `PROTECT`
        and this pallet is the account's only provider, or when the account cannot lose its
        provider (it has consumers).
        """
        data = self.account_data(who)
        untouchable = _ZERO
        if fortitude is Fortitude.POLITE:
            untouchable = data.frozen.saturating_sub(data.reserved)
        if preservation is Preservation.PRESERVE:
            needs_ed = True
        elif data.free == 0:
            needs_ed = False
        elif preservation is Preservation.PROTECT:
            needs_ed = self.system.account.get(who).providers == 1
        else:
            needs_ed = not self.system.can_dec_provider(who)
        if needs_ed:
            untouchable = max(untouchable, self.config.existential_deposit)
        return data.free.saturating_sub(untouchable)

    def can_withdraw(self, who: AccountId32, amount: U128) -> WithdrawConsequence:
        """What taking `amount` from the free balance of `who` would do (changes nothing)."""
        if amount == 0:
            return WithdrawConsequence.SUCCESS
        if self.total_issuance.get() < amount:
            return WithdrawConsequence.UNDERFLOW
        data = self.account_data(who)
        if data.free < amount:
            return WithdrawConsequence.BALANCE_LOW
        new_free = data.free - amount
        if amount > self.reducible_balance(who, Preservation.EXPENDABLE, Fortitude.POLITE):
            return WithdrawConsequence.FROZEN
        outcome = WithdrawConsequence.SUCCESS
        if new_free < self.config.existential_deposit:
            if not self.system.can_dec_provider(who):
                return WithdrawConsequence.WOULD_DIE
            outcome = WithdrawConsequence.REDUCED_TO_ZERO
        if new_free.saturating_add(data.reserved) < data.frozen:
            return WithdrawConsequence.FROZEN
        return outcome

    def can_deposit(
        self, who: AccountId32, amount: U128, *, minted: bool = False
    ) -> DepositConsequence:
        """What adding `amount` to the free balance of `who` would do (changes nothing).

        Args:
            who: The account.
            amount: The amount.
            minted: Whether the amount is newly created (so the total issuance grows).
        """
        if amount == 0:
            return DepositConsequence.SUCCESS
        if minted and self.total_issuance.get().checked_add(amount) is None:
            return DepositConsequence.OVERFLOW
        data = self.account_data(who)
        new_free = data.free.checked_add(amount)
        if new_free is None:
            return DepositConsequence.OVERFLOW
        if new_free < self.config.existential_deposit:
            return DepositConsequence.BELOW_MINIMUM
        if data.reserved.checked_add(new_free) is None:
            return DepositConsequence.OVERFLOW
        return DepositConsequence.SUCCESS

    def ensure_can_withdraw(self, who: AccountId32, amount: U128, new_balance: U128) -> None:
        """Check that `who` may take `amount` from its free balance, leaving `new_balance`.

        Raises:
            LiquidityRestrictions: `new_balance` would be below the frozen balance.
        """
        if amount == 0:
            return
        ensure(new_balance >= self.account_data(who).frozen, LiquidityRestrictions)

    def can_slash(self, who: AccountId32, amount: U128) -> bool:
        """Whether the free balance of `who` covers `amount`."""
        return amount == 0 or self.free_balance(who) >= amount

    def can_reserve(self, who: AccountId32, amount: U128) -> bool:
        """Whether `reserve(who, amount)` would succeed and keep the account alive."""
        if amount == 0:
            return True
        data = self.account_data(who)
        if data.free < amount:
            return False
        new_free = data.free - amount
        return new_free >= self.config.existential_deposit and new_free >= data.frozen

    # --- currency interface: free balance --------------------------------------------------------

    def transfer(
        self, source: AccountId32, dest: AccountId32, amount: U128, *, keep_alive: bool
    ) -> U128:
        """Move `amount` of free balance from `source` to `dest`; return the amount moved.

        A no-op returning zero for a zero amount or ``source == dest``. Emits `Transfer`.

        Raises:
            TokenError: funds unavailable, not expendable (`keep_alive`), frozen, only
                provider, or `dest` would stay below the existential deposit.
            ArithmeticError: an overflow.
        """
        if amount == 0 or source == dest:
            return _ZERO
        preservation = Preservation.PRESERVE if keep_alive else Preservation.EXPENDABLE
        return self._transfer(source, dest, amount, preservation)

    def withdraw(self, who: AccountId32, amount: U128, *, keep_alive: bool) -> U128:
        """Take `amount` from the free balance of `who` and destroy it (fees); return `amount`.

        The total issuance falls by `amount`; pass the funds on with a `deposit_*` of the same
        amount. With ``keep_alive=False`` the account may be reaped (remaining dust is lost).
        Emits `Withdraw`. A no-op for a zero amount.

        Raises:
            InsufficientBalance: the free balance is below `amount`.
            Expendability: ``keep_alive`` and the withdrawal would reap the account.
            LiquidityRestrictions: the free balance would fall below the frozen balance.
            ConsumerRemaining: the account would be reaped but has consumers.
        """
        if amount == 0:
            return _ZERO
        ed = self.config.existential_deposit

        def take(data: AccountData, is_new: bool) -> tuple[AccountData, None]:
            del is_new
            ensure(data.free >= amount, InsufficientBalance)
            new_free = data.free - amount
            would_kill = new_free < ed <= data.free
            ensure(not (keep_alive and would_kill), Expendability)
            self.ensure_can_withdraw(who, amount, new_free)
            self.deposit_event(Withdraw(who=who, amount=amount))
            return data.with_free(new_free), None

        with self.ctx.transactional():
            self._mutate_account(who, take)
            self._decrease_issuance(amount)
        return amount

    def deposit_into_existing(self, who: AccountId32, amount: U128) -> U128:
        """Create `amount` in the free balance of the existing account `who`; return `amount`.

        The total issuance rises by `amount`. Emits `Deposit`. A no-op for a zero amount.

        Raises:
            DeadAccount: `who` does not exist.
            ArithmeticError: the balance or the total issuance would overflow.
        """
        if amount == 0:
            return _ZERO

        def add(data: AccountData, is_new: bool) -> tuple[AccountData, None]:
            ensure(not is_new, DeadAccount)
            self.deposit_event(Deposit(who=who, amount=amount))
            return replace(data, free=_checked_add(data.free, amount)), None

        with self.ctx.transactional():
            self._mutate_account(who, add)
            self._increase_issuance(amount)
        return amount

    def deposit_creating(self, who: AccountId32, amount: U128) -> U128:
        """Create `amount` in the free balance of `who`, creating the account if needed.

        Never fails: returns the amount deposited, zero (and changes nothing) when the account
        does not exist and `amount` is below the existential deposit, or on overflow. The total
        issuance rises by the amount deposited. Emits `Deposit` (and `Endowed` for a new
        account).
        """
        if amount == 0:
            return _ZERO
        ed = self.config.existential_deposit

        def add(data: AccountData, is_new: bool) -> tuple[AccountData, None]:
            ensure(amount >= ed or not is_new, ExistentialDeposit)
            self.deposit_event(Deposit(who=who, amount=amount))
            return replace(data, free=_checked_add(data.free, amount)), None

        try:
            with self.ctx.transactional():
                self._mutate_account(who, add)
                self._increase_issuance(amount)
        except DispatchError:
            return _ZERO
        return amount

    def mint_into(self, who: AccountId32, amount: U128) -> U128:
        """Create `amount` in the free balance of `who` (fungible ``mint_into``); return it.

        The total issuance rises by `amount`. Emits `Minted`.

        Raises:
            TokenError: the account would hold less than the existential deposit.
            ArithmeticError: the balance or the total issuance would overflow.
        """
        with self.ctx.transactional():
            _checked_add(self.total_issuance.get(), amount)
            actual = self._increase_balance(who, amount, best_effort=False)
            self._increase_issuance(actual)
            self.deposit_event(Minted(who=who, amount=amount))
        return actual

    def burn_from(
        self,
        who: AccountId32,
        amount: U128,
        *,
        keep_alive: bool,
        best_effort: bool = False,
        force: bool = False,
    ) -> U128:
        """Destroy `amount` of the free balance of `who` (fungible ``burn_from``); return it.

        Args:
            who: The account.
            amount: The amount to burn.
            keep_alive: Keep at least the existential deposit (else the account may be reaped).
            best_effort: Burn as much as possible up to `amount` instead of failing.
            force: Ignore freezes.

        Raises:
            TokenError: less than `amount` is reducible (and not `best_effort`).
        """
        preservation = Preservation.PRESERVE if keep_alive else Preservation.EXPENDABLE
        fortitude = Fortitude.FORCE if force else Fortitude.POLITE
        actual = min(self.reducible_balance(who, preservation, fortitude), amount)
        ensure(actual == amount or best_effort, TokenError(TokenErrorKind.FUNDS_UNAVAILABLE))
        ensure(self.total_issuance.get() >= actual, ArithmeticError(ArithmeticErrorKind.OVERFLOW))
        with self.ctx.transactional():
            actual = self._decrease_balance(
                who, actual, best_effort=True, preservation=preservation, fortitude=fortitude
            )
            self._decrease_issuance(actual)
            self.deposit_event(Burned(who=who, amount=actual))
        return actual

    # --- currency interface: reserves ------------------------------------------------------------

    def reserve(self, who: AccountId32, amount: U128) -> None:
        """Move `amount` from the free to the reserved balance of `who`.

        A no-op for a zero amount. Emits `Reserved`. The reserve is a consumer of the account.

        Raises:
            InsufficientBalance: the free balance is below `amount`.
            LiquidityRestrictions: the free balance would fall below the frozen balance.
            ConsumerRemaining: the free balance would fall below the existential deposit.
        """
        if amount == 0:
            return

        def move(data: AccountData, is_new: bool) -> tuple[AccountData, None]:
            del is_new
            ensure(data.free >= amount, InsufficientBalance)
            new_free = data.free - amount
            self.ensure_can_withdraw(who, amount, new_free)
            moved = replace(data, free=new_free, reserved=_checked_add(data.reserved, amount))
            return moved, None

        self._mutate_account(who, move)
        self.deposit_event(Reserved(who=who, amount=amount))

    def unreserve(self, who: AccountId32, amount: U128) -> U128:
        """Move up to `amount` of plain reserve back to the free balance; return the amount moved.

        Only the reserved balance that no hold accounts for is moved. Never fails (FRAME
        returns the amount *not* unreserved; this returns the amount unreserved). Emits
        `Unreserved`.
        """
        if amount == 0 or self.total_balance(who) == 0:
            return _ZERO
        available = self._plain_reserve(who)

        def move(data: AccountData, is_new: bool) -> tuple[AccountData, U128]:
            del is_new
            actual = min(available, amount)
            free = data.free.saturating_add(actual)
            return replace(data, free=free, reserved=data.reserved - actual), actual

        try:
            actual = self._mutate_account(who, move)
        except DispatchError:
            return _ZERO
        self.deposit_event(Unreserved(who=who, amount=actual))
        return actual

    def slash(self, who: AccountId32, amount: U128) -> U128:
        """Destroy up to `amount` of the balance of `who`, free first, then plain reserve.

        The existential deposit stays in the free balance while the account has consumers.
        Returns the amount slashed; never fails. Emits `Slashed`; the total issuance falls.
        """
        if amount == 0 or self.total_balance(who) == 0:
            return _ZERO
        ed = self.config.existential_deposit
        can_die = self.system.can_dec_provider(who)
        available = self._plain_reserve(who)

        def cut(data: AccountData, is_new: bool) -> tuple[AccountData, U128]:
            del is_new
            from_free = min(amount, data.free if can_die else data.free.saturating_sub(ed))
            from_reserved = min(amount - from_free, available)
            cut_data = replace(
                data, free=data.free - from_free, reserved=data.reserved - from_reserved
            )
            return cut_data, from_free + from_reserved

        try:
            with self.ctx.transactional():
                slashed = self._mutate_account(who, cut)
                self._decrease_issuance(slashed)
        except DispatchError:
            return _ZERO
        self.deposit_event(Slashed(who=who, amount=slashed))
        return slashed

    def slash_reserved(self, who: AccountId32, amount: U128) -> U128:
        """Destroy up to `amount` of the plain reserve of `who`; return the amount slashed.

        Never fails. Emits `Slashed`; the total issuance falls.
        """
        if amount == 0 or self.total_balance(who) == 0:
            return _ZERO
        available = self._plain_reserve(who)

        def cut(data: AccountData, is_new: bool) -> tuple[AccountData, U128]:
            del is_new
            actual = min(amount, available)
            return replace(data, reserved=data.reserved - actual), actual

        try:
            with self.ctx.transactional():
                slashed = self._mutate_account(who, cut)
                self._decrease_issuance(slashed)
        except DispatchError:
            return _ZERO
        self.deposit_event(Slashed(who=who, amount=slashed))
        return slashed

    def repatriate_reserved(
        self, slashed: AccountId32, beneficiary: AccountId32, amount: U128, status: BalanceStatus
    ) -> U128:
        """Move up to `amount` of the plain reserve of `slashed` to `beneficiary`.

        The funds land in the beneficiary's free or reserved balance by `status`. The frozen
        balance of `slashed` is respected. Returns the amount moved (FRAME returns the amount
        *not* moved). Emits `ReserveRepatriated`.

        Raises:
            DeadAccount: `beneficiary` does not exist.
            ArithmeticError: the beneficiary's balance would overflow.
        """
        if amount == 0:
            return _ZERO
        data = self.account_data(slashed)
        polite_max = data.reserved.saturating_sub(data.frozen.saturating_sub(data.free))
        actual = min(amount, self._plain_reserve(slashed), polite_max)
        if slashed == beneficiary:
            if isinstance(status, Free):
                return self.unreserve(slashed, actual)
            return actual
        ensure(self.account_data(beneficiary) != EMPTY_ACCOUNT_DATA, DeadAccount)

        def give(to: AccountData, is_new: bool) -> tuple[AccountData, None]:
            del is_new
            if isinstance(status, Free):
                return replace(to, free=_checked_add(to.free, actual)), None
            return replace(to, reserved=_checked_add(to.reserved, actual)), None

        def take(source: AccountData, is_new: bool) -> tuple[AccountData, None]:
            del is_new
            return replace(source, reserved=source.reserved - actual), None

        with self.ctx.transactional():
            self._mutate_account(beneficiary, give)
            self._mutate_account(slashed, take)
        moved = ReserveRepatriated(
            from_=slashed, to=beneficiary, amount=actual, destination_status=status
        )
        self.deposit_event(moved)
        return actual

    # --- currency interface: holds ---------------------------------------------------------------

    def balance_on_hold(self, reason: ReasonId, who: AccountId32) -> U128:
        """The balance of `who` on hold for `reason`."""
        for item in self.holds.get(who):
            if item.id == reason:
                return item.amount
        return _ZERO

    def total_balance_on_hold(self, who: AccountId32) -> U128:
        """The balance of `who` on hold for any reason (a part of its reserved balance)."""
        return sum((item.amount for item in self.holds.get(who)), _ZERO)

    def hold(self, reason: ReasonId, who: AccountId32, amount: U128) -> None:
        """Put `amount` of the free balance of `who` on hold for `reason`.

        The account is kept alive (`Preservation.PROTECT`) and freezes are respected. Emits
        `Reserved`. A no-op for a zero amount.

        Raises:
            TokenError: the account does not exist (``CannotCreateHold``) or less than
                `amount` is available (``FundsUnavailable``).
            TooManyHolds: the account has `max_holds` holds and none for `reason`.
        """
        if amount == 0:
            return
        ensure(
            self.system.account.get(who).providers > 0,
            TokenError(TokenErrorKind.CANNOT_CREATE_HOLD),
        )
        with self.ctx.transactional():
            self._decrease_balance(
                who,
                amount,
                best_effort=False,
                preservation=Preservation.PROTECT,
                fortitude=Fortitude.POLITE,
            )
            new_held = _checked_add(self.balance_on_hold(reason, who), amount)
            self._set_balance_on_hold(reason, who, new_held)
        self.deposit_event(Reserved(who=who, amount=amount))

    def release(
        self, reason: ReasonId, who: AccountId32, amount: U128, *, best_effort: bool = True
    ) -> U128:
        """Return up to `amount` held for `reason` to the free balance of `who`.

        Returns the amount released. Emits `Unreserved` when something was released.

        Raises:
            TokenError: less than `amount` is held and not `best_effort` (``FundsUnavailable``),
                or the free balance would stay below the existential deposit (``CannotCreate``).
        """
        held = self.balance_on_hold(reason, who)
        if best_effort:
            amount = min(amount, held)
        else:
            ensure(held >= amount, TokenError(TokenErrorKind.FUNDS_UNAVAILABLE))
        ensure(
            self.can_deposit(who, amount) is DepositConsequence.SUCCESS,
            TokenError(TokenErrorKind.CANNOT_CREATE),
        )
        with self.ctx.transactional():
            self._set_balance_on_hold(reason, who, held - amount)
            actual = self._increase_balance(who, amount, best_effort=best_effort)
        if actual > 0:
            self.deposit_event(Unreserved(who=who, amount=actual))
        return actual

    def slash_held(self, reason: ReasonId, who: AccountId32, amount: U128) -> U128:
        """Destroy up to `amount` held for `reason` from `who`; return the amount slashed.

        Never fails; freezes do not protect held funds from a slash. Emits `Slashed` when
        something was slashed; the total issuance falls.
        """
        held = self.balance_on_hold(reason, who)
        actual = min(amount, held)
        if actual == 0:
            return _ZERO
        with self.ctx.transactional():
            self._set_balance_on_hold(reason, who, held - actual)
            self._decrease_issuance(actual)
        self.deposit_event(Slashed(who=who, amount=actual))
        return actual

    def transfer_on_hold(
        self,
        reason: ReasonId,
        source: AccountId32,
        dest: AccountId32,
        amount: U128,
        *,
        on_hold: bool = False,
        best_effort: bool = False,
        force: bool = False,
    ) -> U128:
        """Move `amount` held for `reason` from `source` to `dest`; return the amount moved.

        Args:
            reason: The hold reason on `source` (and on `dest` when `on_hold`).
            source: The account whose held balance pays.
            dest: The receiving account.
            amount: The amount.
            on_hold: Put the funds on hold for `reason` at `dest` instead of its free balance.
            best_effort: Move as much as possible up to `amount` instead of failing.
            force: Ignore the freezes of `source`.

        Emits `ReserveRepatriated` (destination status `Reserved` when `on_hold`).

        Raises:
            TokenError: ``Frozen`` or ``FundsUnavailable`` (not enough held or movable),
                ``CannotCreate`` (`dest` would stay below the existential deposit),
                ``CannotCreateHold`` (`on_hold` and `dest` does not exist).
            TooManyHolds: `on_hold` and `dest` has no room for another hold.
        """
        held = self.balance_on_hold(reason, source)
        data = self.account_data(source)
        frozen_part = _ZERO if force else data.frozen.saturating_sub(data.free)
        liquid = data.reserved.saturating_sub(frozen_part)
        if best_effort:
            amount = min(amount, liquid, held)
        else:
            ensure(amount <= liquid, TokenError(TokenErrorKind.FROZEN))
            ensure(amount <= held, TokenError(TokenErrorKind.FUNDS_UNAVAILABLE))
        ensure(
            self.can_deposit(dest, amount) is DepositConsequence.SUCCESS,
            TokenError(TokenErrorKind.CANNOT_CREATE),
        )
        ensure(
            not on_hold or self.system.account.get(dest).providers > 0,
            TokenError(TokenErrorKind.CANNOT_CREATE_HOLD),
        )
        with self.ctx.transactional():
            self._set_balance_on_hold(reason, source, held - amount)
            if on_hold:
                new_held = _checked_add(self.balance_on_hold(reason, dest), amount)
                self._set_balance_on_hold(reason, dest, new_held)
                actual = amount
            else:
                actual = self._increase_balance(dest, amount, best_effort=best_effort)
        status = RESERVED if on_hold else FREE
        self.deposit_event(
            ReserveRepatriated(from_=source, to=dest, amount=actual, destination_status=status)
        )
        return actual

    # --- currency interface: freezes -------------------------------------------------------------

    def balance_frozen(self, freeze: ReasonId, who: AccountId32) -> U128:
        """The balance of `who` frozen by `freeze`."""
        for item in self.freezes.get(who):
            if item.id == freeze:
                return item.amount
        return _ZERO

    def set_freeze(self, freeze: ReasonId, who: AccountId32, amount: U128) -> None:
        """Freeze `amount` of the balance of `who` under `freeze` (replacing its amount).

        Zero thaws it. Emits `Frozen` or `Thawed` when the frozen balance changes.

        Raises:
            TooManyFreezes: `who` has `max_freezes` freezes and none under `freeze`.
            NoProviders: `who` does not exist.
        """
        if amount == 0:
            self.thaw(freeze, who)
            return
        self._update_freezes(who, self._with_freeze(freeze, who, lambda _: amount))

    def extend_freeze(self, freeze: ReasonId, who: AccountId32, amount: U128) -> None:
        """Raise the amount frozen under `freeze` to at least `amount`.

        Raises:
            TooManyFreezes: `who` has `max_freezes` freezes and none under `freeze`.
            NoProviders: `who` does not exist.
        """
        if amount == 0:
            return
        self._update_freezes(
            who, self._with_freeze(freeze, who, lambda current: max(current, amount))
        )

    def thaw(self, freeze: ReasonId, who: AccountId32) -> None:
        """Remove the freeze `freeze` from `who`."""
        remaining = tuple(item for item in self.freezes.get(who) if item.id != freeze)
        self._update_freezes(who, remaining)

    # --- hooks -----------------------------------------------------------------------------------

    @classmethod
    def integrity_test(cls, config: PalletConfig) -> None:
        """Refuse a zero existential deposit and zero hold/freeze limits.

        Raises:
            ValueError: the configuration is not sane.
        """
        if not isinstance(config, Config):
            raise TypeError("the Balances pallet needs a balances Config")
        if config.existential_deposit == 0:
            raise ValueError("The existential deposit must be greater than zero!")
        if config.max_holds == 0 or config.max_freezes == 0:
            raise ValueError("max_holds and max_freezes must be greater than zero")

    def try_state(self) -> None:
        """Check the pallet's invariants.

        * the total issuance equals the sum of free plus reserved over ``System.Account``;
        * no account keeps a free balance below the existential deposit without a reserve
          (that would be dust);
        * every account's reserved balance covers its holds, and its frozen balance is its
          largest freeze; hold and freeze lists respect their limits and belong to live
          accounts.

        Raises:
            RuntimeError: naming the first invariant found broken.
        """
        ed = self.config.existential_deposit
        total = 0
        for who, info in self.system.account.iter():
            data = info.data
            total += int(data.free) + int(data.reserved)
            if not (data.free == 0 or data.free >= ed or data.reserved > 0):
                raise RuntimeError(f"account {who.hex()} holds dust: free {data.free} < ED {ed}")
            on_hold = self.total_balance_on_hold(who)
            if data.reserved < on_hold:
                raise RuntimeError(
                    f"account {who.hex()}: reserved {data.reserved} < on hold {on_hold}"
                )
            largest = max((item.amount for item in self.freezes.get(who)), default=_ZERO)
            if data.frozen != largest:
                raise RuntimeError(
                    f"account {who.hex()}: frozen {data.frozen} != largest freeze {largest}"
                )
        for items, limit, kind in (
            (self.holds.iter(), self.config.max_holds, "holds"),
            (self.freezes.iter(), self.config.max_freezes, "freezes"),
        ):
            for who, entries in items:
                if len(entries) > limit or not entries:
                    raise RuntimeError(f"account {who.hex()}: {len(entries)} {kind}")
                if not self.system.account_exists(who):
                    raise RuntimeError(f"{kind} of a dead account {who.hex()}")
        issuance = self.total_issuance.get()
        if total != issuance:
            raise RuntimeError(f"total issuance {issuance} != sum of balances {total}")

    # --- helpers ---------------------------------------------------------------------------------

    def _plain_reserve(self, who: AccountId32) -> U128:
        """The reserved balance of `who` that no hold accounts for."""
        return self.reserved_balance(who).saturating_sub(self.total_balance_on_hold(who))

    def _increase_issuance(self, amount: U128) -> None:
        self.total_issuance.put(_checked_add(self.total_issuance.get(), amount))

    def _decrease_issuance(self, amount: U128) -> None:
        # Saturating, as FRAME: the invariant makes the issuance at least any balance.
        self.total_issuance.put(self.total_issuance.get().saturating_sub(amount))

    def _mutate_account(
        self, who: AccountId32, update: Callable[[AccountData, bool], tuple[AccountData, R]]
    ) -> R:
        """Apply `update` to the balances of `who`, enforcing the existential-deposit rules.

        `update` gets the current data and whether the account is new (its data is empty) and
        returns the new data and a result. Afterwards, as FRAME's ``try_mutate_account``:

        1. a free balance reaching the ED takes a provider reference (maybe creating the
           account); a reserved or frozen balance appearing takes a consumer reference, and
           one disappearing drops it; a free balance falling below the ED drops the provider
           (maybe reaping the account, which fails with `ConsumerRemaining` if it has
           consumers);
        2. a free balance below the ED with no reserve is dust: it is destroyed (`DustLost`,
           total issuance) and the stored data is emptied;
        3. the data is stored if the account still exists; a new account emits `Endowed`.

        Everything happens in a transactional layer: if `update` or a reference-count change
        raises, nothing is written and no event stays.

        Raises:
            DispatchError: whatever `update` raises, or a reference-count error.
        """
        system = self.system
        ed = self.config.existential_deposit
        with self.ctx.transactional():
            account = system.account.get(who).data
            is_new = account == EMPTY_ACCOUNT_DATA
            did_provide = account.free >= ed
            did_consume = not is_new and (account.reserved > 0 or account.frozen > 0)
            new, result = update(account, is_new)
            does_provide = new.free >= ed
            does_consume = new.reserved > 0 or new.frozen > 0
            if not did_provide and does_provide:
                system.inc_providers(who)
            if did_consume and not does_consume:
                system.dec_consumers(who)
            if not did_consume and does_consume:
                system.inc_consumers(who)
            if does_consume and system.account.get(who).consumers == 0:
                system.inc_consumers(who)  # failsafe, as FRAME's
            if did_provide and not does_provide:
                system.dec_providers(who)  # may reap the account, so it goes last
            dust = _ZERO
            stored = new
            if new.free < ed and new.reserved == 0:
                dust = new.free
                stored = EMPTY_ACCOUNT_DATA
            info = system.account.get(who)
            if info.providers > 0 or info.sufficients > 0:
                system.account.insert(who, info.with_data(stored))
            if is_new and new != EMPTY_ACCOUNT_DATA:
                self.deposit_event(Endowed(account=who, free_balance=new.free))
            if dust > 0:
                self._decrease_issuance(dust)
                self.deposit_event(DustLost(account=who, amount=dust))
        return result

    def _write_balance(self, who: AccountId32, new_free: U128) -> None:
        """Set the free balance of `who` (fungible ``write_balance``).

        Raises:
            InsufficientBalance: the reduction exceeds what may be taken ignoring freezes.
        """

        def write(data: AccountData, is_new: bool) -> tuple[AccountData, None]:
            del is_new
            if new_free < data.free:  # only a reduction is limited (nothing is written yet)
                max_reduction = self.reducible_balance(
                    who, Preservation.EXPENDABLE, Fortitude.FORCE
                )
                ensure(data.free - new_free <= max_reduction, InsufficientBalance)
            return data.with_free(new_free), None

        self._mutate_account(who, write)

    def _decrease_balance(
        self,
        who: AccountId32,
        amount: U128,
        *,
        best_effort: bool,
        preservation: Preservation,
        fortitude: Fortitude,
    ) -> U128:
        """Take up to `amount` from the free balance of `who`; return what was taken."""
        old = self.free_balance(who)
        reducible = self.reducible_balance(who, preservation, fortitude)
        if best_effort:
            amount = min(amount, reducible)
        else:
            ensure(reducible >= amount, TokenError(TokenErrorKind.FUNDS_UNAVAILABLE))
        ensure(old >= amount, TokenError(TokenErrorKind.FUNDS_UNAVAILABLE))
        self._write_balance(who, old - amount)
        return amount

    def _increase_balance(self, who: AccountId32, amount: U128, *, best_effort: bool) -> U128:
        """Add `amount` to the free balance of `who`; return what was added.

        A result below the existential deposit adds nothing (`best_effort`) or fails.

        Raises:
            TokenError: ``BelowMinimum`` (not `best_effort`).
            ArithmeticError: overflow (not `best_effort`).
        """
        old = self.free_balance(who)
        new = old.saturating_add(amount) if best_effort else _checked_add(old, amount)
        if new < self.config.existential_deposit:
            ensure(best_effort, TokenError(TokenErrorKind.BELOW_MINIMUM))
            return _ZERO
        if new == old:
            return _ZERO
        self._write_balance(who, new)
        return new - old

    def _transfer(
        self, source: AccountId32, dest: AccountId32, amount: U128, preservation: Preservation
    ) -> U128:
        """FRAME's ``fungible::Mutate::transfer``: check both sides, move, emit `Transfer`."""
        self.can_withdraw(source, amount).into_result(
            keep_nonzero=preservation is not Preservation.EXPENDABLE
        )
        self.can_deposit(dest, amount).into_result()
        if source == dest:
            return amount
        with self.ctx.transactional():
            self._decrease_balance(
                source,
                amount,
                best_effort=False,
                preservation=preservation,
                fortitude=Fortitude.POLITE,
            )
            # Best effort, as FRAME: `can_deposit` has ruled out overflow and a result below
            # the ED other than a zero amount (which then adds nothing rather than failing).
            self._increase_balance(dest, amount, best_effort=True)
            self.deposit_event(Transfer(from_=source, to=dest, amount=amount))
        return amount

    def _set_balance_on_hold(self, reason: ReasonId, who: AccountId32, amount: U128) -> None:
        """Set the amount held for `reason` to `amount`, moving the difference in `reserved`.

        Raises:
            TooManyHolds: a new hold would exceed `max_holds`.
            ArithmeticError: the reserved balance would overflow or underflow.
        """
        holds = list(self.holds.get(who))
        previous = _ZERO
        for position, item in enumerate(holds):
            if item.id == reason:
                previous = item.amount
                if amount == 0:
                    del holds[position]
                else:
                    holds[position] = IdAmount(id=reason, amount=amount)
                break
        else:
            if amount > 0:
                ensure(len(holds) < self.config.max_holds, TooManyHolds)
                holds.append(IdAmount(id=reason, amount=amount))

        def adjust(data: AccountData, is_new: bool) -> tuple[AccountData, None]:
            del is_new
            if amount >= previous:
                reserved = _checked_add(data.reserved, amount - previous)
            else:
                reserved = _checked_sub(data.reserved, previous - amount)
            return replace(data, reserved=reserved), None

        with self.ctx.transactional():
            self._mutate_account(who, adjust)
            if holds:
                self.holds.insert(who, tuple(holds))
            elif self.holds.contains_key(who):
                self.holds.remove(who)

    def _with_freeze(
        self, freeze: ReasonId, who: AccountId32, amount_of: Callable[[U128], U128]
    ) -> tuple[IdAmount, ...]:
        """The freezes of `who` with `freeze` set to ``amount_of(current amount)``.

        Raises:
            TooManyFreezes: `freeze` is new and `who` already has `max_freezes` freezes.
        """
        freezes = list(self.freezes.get(who))
        for position, item in enumerate(freezes):
            if item.id == freeze:
                freezes[position] = IdAmount(id=freeze, amount=amount_of(item.amount))
                return tuple(freezes)
        ensure(len(freezes) < self.config.max_freezes, TooManyFreezes)
        freezes.append(IdAmount(id=freeze, amount=amount_of(_ZERO)))
        return tuple(freezes)

    def _update_freezes(self, who: AccountId32, freezes: tuple[IdAmount, ...]) -> None:
        """Store the freezes of `who` and set its frozen balance to the largest of them."""
        largest = max((item.amount for item in freezes), default=_ZERO)

        def refreeze(data: AccountData, is_new: bool) -> tuple[AccountData, U128]:
            del is_new
            return replace(data, frozen=largest), data.frozen

        with self.ctx.transactional():
            previous = self._mutate_account(who, refreeze)
            if freezes:
                self.freezes.insert(who, freezes)
            elif self.freezes.contains_key(who):
                self.freezes.remove(who)
        if previous > largest:
            self.deposit_event(Thawed(who=who, amount=previous - largest))
        elif largest > previous:
            self.deposit_event(Frozen(who=who, amount=largest - previous))


def _checked_add(a: U128, b: U128) -> U128:
    """``a + b``, or raise ``ArithmeticError::Overflow``."""
    result = a.checked_add(b)
    if result is None:
        raise ArithmeticError(ArithmeticErrorKind.OVERFLOW)
    return result


def _checked_sub(a: U128, b: U128) -> U128:
    """``a - b``, or raise ``ArithmeticError::Underflow``."""
    result = a.checked_sub(b)
    if result is None:
        raise ArithmeticError(ArithmeticErrorKind.UNDERFLOW)
    return result
