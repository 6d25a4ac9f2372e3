"""Treasury: the chain's pot (a `PalletId` account) and the emission budget that pays rewards.

Overview
--------
* **The pot** is the account derived from ``Config.pallet_id`` (FRAME's derivation, see
  `logic.compute_pallet_account`). Slashes from other pallets land in it through
  `receive_held`, which moves held funds into the pot and records the inflow; Root may pay
  out of it with ``spend`` (keeping it alive), which records the outflow. Genesis endows it
  with the existential deposit so that it always exists; that endowment is the first inflow.
* **Emission**: each block ``on_initialize`` adds ``EmissionPerBlock`` to ``EmissionBudget``
  (up to ``MaxEmissionBudget``). Other pallets reward accounts with `mint_reward`, which mints
  new tokens out of the budget (never beyond it) and emits `RewardMinted`, so every mint is an
  event and the total issuance stays the exact sum of all balances.

Invariants (``try_state``)
--------------------------
The pot's balance is at least ``Inflows - Outflows`` and exactly that unless someone made a
plain transfer to the pot (a gift the treasury cannot see; it only ever adds); the pot exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, cast

from deepshard.pallets.balances.types import ReasonId
from deepshard.pallets.treasury.logic import (
    compute_mint,
    compute_next_budget,
    compute_pallet_account,
)
from deepshard.pallets.treasury.weights import UnitWeights
from deepshard.primitives.codec import AccountId32, Compact, Enum, FixedBytes
from deepshard.primitives.extrinsic import MultiAddress
from deepshard.primitives.numeric import U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    GenesisConfig,
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    StorageValue,
    ValueQuery,
    call,
    constant,
    ensure,
    ensure_root,
    storage,
)
from deepshard.runtime.support.wire import lookup_account

__all__ = [
    "PalletId",
    "TreasuryCurrency",
    "Config",
    "Event",
    "Deposit",
    "Spent",
    "RewardMinted",
    "EmissionAccrued",
    "Error",
    "InsufficientFunds",
    "ZeroAmount",
    "TreasuryGenesis",
    "Treasury",
]

_ZERO = U128(0)


class PalletId(FixedBytes, length=8, type_path=("frame_support", "PalletId")):
    """An 8-byte pallet identifier (``*b"py/trsry"``); its account is ``modl ++ id ++ 0…``."""


# --- Config -----------------------------------------------------------------------------------


class TreasuryCurrency(Protocol):
    """What the Treasury needs of the currency (implemented by Balances)."""

    def free_balance(self, who: AccountId32) -> U128:
        """The free balance of `who`."""
        ...

    def minimum_balance(self) -> U128:
        """The existential deposit."""
        ...

    def deposit_creating(self, who: AccountId32, amount: U128) -> U128:
        """Mint `amount` into `who` (creating it); return what was minted (zero if nothing)."""
        ...

    def transfer(
        self, source: AccountId32, dest: AccountId32, amount: U128, *, keep_alive: bool
    ) -> U128:
        """Move free balance; raise a `DispatchError` if it cannot."""
        ...

    def transfer_on_hold(
        self, reason: ReasonId, source: AccountId32, dest: AccountId32, amount: U128
    ) -> U128:
        """Move `amount` held for `reason` on `source` into the free balance of `dest`."""
        ...


class Config(PalletConfig):
    """Configuration of the Treasury pallet."""

    currency: type[Pallet[Any]]
    """The pallet holding balances (a `TreasuryCurrency`: Balances)."""
    pallet_id: PalletId = constant(
        default=PalletId(b"py/trsry"),
        doc="The treasury's id, from which its pot account is derived.",
    )
    emission_per_block: U128 = constant(
        default=U128(0), doc="Tokens added to the emission budget at the start of every block."
    )
    max_emission_budget: U128 = constant(
        default=U128(0), doc="The emission budget never grows beyond this amount."
    )
    weights: Any = UnitWeights()
    """The weight table (`TreasuryWeights`)."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_treasury", "pallet", "Event")):
    """Events of the Treasury pallet."""


class Deposit(Event, index=0):
    """Funds entered the pot (a slash, or the genesis endowment)."""

    value: U128
    """The amount received."""


class Spent(Event, index=1):
    """Root paid `amount` out of the pot to `beneficiary`."""

    beneficiary: AccountId32
    """The account paid."""
    amount: U128
    """The amount paid."""


class RewardMinted(Event, index=2):
    """`amount` new tokens were minted out of the emission budget as a reward to `who`."""

    who: AccountId32
    """The rewarded account."""
    amount: U128
    """The amount minted."""


class EmissionAccrued(Event, index=3):
    """The emission budget grew by `amount` this block, to `budget`."""

    amount: U128
    """The amount added."""
    budget: U128
    """The budget now."""


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Errors of the Treasury pallet."""


class InsufficientFunds(Error, index=0):
    """The pot cannot pay this amount and stay alive."""


class ZeroAmount(Error, index=1):
    """The amount is zero."""


# --- Genesis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreasuryGenesis(GenesisConfig):
    """Genesis of the Treasury: the pot is endowed with the existential deposit."""

    initial_budget: U128 = _ZERO
    """The emission budget at genesis."""

    def build(self, pallet: Treasury) -> None:
        """Create the pot with the existential deposit and set the initial budget."""
        pot = pallet.account_id()
        minimum = pallet.currency.minimum_balance()
        if pallet.currency.free_balance(pot) < minimum:
            minted = pallet.currency.deposit_creating(pot, minimum)
            pallet.inflows.put(pallet.inflows.get() + minted)
        pallet.emission_budget.put(U128(self.initial_budget))


# --- Pallet -----------------------------------------------------------------------------------


class Treasury(
    Pallet[Config],
    name="Treasury",
    config=Config,
    event=Event,
    error=Error,
    genesis=TreasuryGenesis,
):
    """The Treasury pallet: the pot and the emission budget."""

    inflows: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO, doc="Everything that ever entered the pot through the treasury."
    )
    outflows: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO, doc="Everything that ever left the pot through the treasury."
    )
    emission_budget: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO, doc="Tokens that may still be minted as rewards."
    )
    total_minted: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO, doc="Every token ever minted as a reward."
    )
    earmarked: StorageValue[U128, ValueQuery] = storage(
        default=_ZERO,
        doc="Emission set aside for rewards that are claimed later (no longer in the budget).",
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=lambda w: w.spend())
    def spend(self, origin: Origin, beneficiary: MultiAddress, amount: Compact[U128]) -> None:
        """Pay `amount` out of the pot to `beneficiary`. Origin: Root.

        The pot is kept alive (it keeps at least the existential deposit).
        """
        # Fails with BadOrigin, CannotLookup, ZeroAmount or InsufficientFunds.
        ensure_root(origin)
        who = lookup_account(beneficiary)
        amount = U128(amount)
        ensure(amount > 0, ZeroAmount)
        pot = self.account_id()
        spendable = self.currency.free_balance(pot).saturating_sub(self.currency.minimum_balance())
        ensure(amount <= spendable, InsufficientFunds)
        self.currency.transfer(pot, who, amount, keep_alive=True)
        self.outflows.put(self.outflows.get() + amount)
        self.deposit_event(Spent(beneficiary=who, amount=amount))

    # --- hooks -----------------------------------------------------------------------------------

    def on_initialize(self, n: int) -> Weight:
        """Add this block's emission to the budget (bounded: one read, one write)."""
        del n
        budget = self.emission_budget.get()
        grown = compute_next_budget(
            int(budget), int(self.config.emission_per_block), int(self.config.max_emission_budget)
        )
        if grown != budget:
            self.emission_budget.put(U128(grown))
            self.deposit_event(
                EmissionAccrued(amount=U128(grown - int(budget)), budget=U128(grown))
            )
        return cast(Weight, self.config.weights.on_initialize())

    @classmethod
    def integrity_test(cls, config: Any) -> None:
        """The emission cap admits at least one block's emission."""
        if config.max_emission_budget < config.emission_per_block:
            raise ValueError("Treasury: MaxEmissionBudget is below EmissionPerBlock")

    def try_state(self) -> None:
        """Check that the pot exists and holds at least ``inflows - outflows``.

        Raises:
            RuntimeError: naming the broken invariant.
        """
        pot = self.account_id()
        balance = int(self.currency.free_balance(pot))
        recorded = int(self.inflows.get()) - int(self.outflows.get())
        if balance < recorded:
            raise RuntimeError(f"treasury pot holds {balance} < inflows - outflows {recorded}")
        if balance < int(self.currency.minimum_balance()):
            raise RuntimeError("treasury pot fell below the existential deposit")

    # --- interface for other pallets ----------------------------------------------------------

    @property
    def currency(self) -> TreasuryCurrency:
        """The configured currency pallet."""
        return cast(TreasuryCurrency, self.ctx.pallet(self.config.currency))

    def account_id(self) -> AccountId32:
        """The pot's account (``modl ++ pallet_id``, zero-padded)."""
        return AccountId32(compute_pallet_account(bytes(self.config.pallet_id)))

    def pot(self) -> U128:
        """The pot's free balance."""
        return self.currency.free_balance(self.account_id())

    def receive_held(self, reason: ReasonId, source: AccountId32, amount: U128) -> U128:
        """Move `amount` held for `reason` on `source` into the pot; return the amount moved.

        Raises:
            TokenError: less than `amount` is held (nothing moves).
        """
        if amount == 0:
            return _ZERO
        moved = self.currency.transfer_on_hold(reason, source, self.account_id(), amount)
        self.inflows.put(self.inflows.get() + moved)
        self.deposit_event(Deposit(value=moved))
        return moved

    def mint_reward(self, who: AccountId32, amount: U128) -> U128:
        """Mint up to `amount` out of the emission budget into `who`; return what was minted.

        The reward is cut to the budget; nothing is minted to an account that does not exist
        when the reward is below the existential deposit (the budget keeps it). Never fails.
        """
        minted, _ = compute_mint(int(self.emission_budget.get()), int(amount))
        if minted == 0:
            return _ZERO
        actual = self.currency.deposit_creating(who, U128(minted))
        if actual == 0:
            return _ZERO
        self.emission_budget.put(self.emission_budget.get() - actual)
        self.total_minted.put(self.total_minted.get() + actual)
        self.deposit_event(RewardMinted(who=who, amount=actual))
        return actual

    def earmark(self, amount: U128) -> U128:
        """Set aside up to `amount` of the budget for rewards claimed later; return it."""
        taken, left = compute_mint(int(self.emission_budget.get()), int(amount))
        if taken:
            self.emission_budget.put(U128(left))
            self.earmarked.put(self.earmarked.get() + U128(taken))
        return U128(taken)

    def earmarked_total(self) -> U128:
        """All emission currently earmarked for rewards claimed later."""
        return self.earmarked.get()

    def release_earmark(self, amount: U128) -> None:
        """Return `amount` of earmarked emission to the budget (a reward nobody will claim)."""
        amount = min(amount, self.earmarked.get())
        self.earmarked.put(self.earmarked.get() - amount)
        self.emission_budget.put(self.emission_budget.get() + amount)

    def mint_earmarked(self, who: AccountId32, amount: U128) -> U128:
        """Mint `amount` of earmarked emission into `who`; return what was minted.

        What cannot be minted (a new account would stay below the existential deposit) goes
        back to the budget. Never fails.
        """
        amount = min(amount, self.earmarked.get())
        if amount == 0:
            return _ZERO
        self.earmarked.put(self.earmarked.get() - amount)
        actual = self.currency.deposit_creating(who, amount)
        if actual == 0:
            self.emission_budget.put(self.emission_budget.get() + amount)
            return _ZERO
        self.total_minted.put(self.total_minted.get() + actual)
        self.deposit_event(RewardMinted(who=who, amount=actual))
        return actual
