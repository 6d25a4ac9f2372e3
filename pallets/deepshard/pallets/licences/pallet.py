"""Licences: weight licences priced by the network's value, keys held by no single keeper.

Overview
--------
The seed's *inference node* buys a copy of the network's weights. The chain never sees a key
or a weight: it prices licences, holds the payment in escrow, and records which bonded keepers
owe a share of the content key to which buyer (see
`deepshard.offchain_workers.keeper.custody` for the cryptography and its trust model).

* **Keepers.** ``bond_keeper(amount, box_key)`` holds a keeper bond (at least
  ``KeeperMinBond``) and publishes the X25519 key the keeper's own shares are sealed to; called
  again it tops the bond up and rotates the key. ``unbond_keeper`` starts an unbonding period;
  ``withdraw_keeper`` releases the bond after it, once no open purchase counts on the keeper.
* **Ciphertexts.** A bonded keeper encrypts a model version's weights once, pins them, and
  ``register_ciphertext(version, cid, sha256, threshold, shares)``: one Shamir share of the
  content key per listed keeper, each sealed to that keeper's box key; any ``threshold`` of them
  rebuild the key.
* **Price.** ``price(version) = min(PriceCap, BasePrice x (1 + GrowthRate) ^ units)``, where
  ``units`` is the value paid out by Informants (accepted batches) and Training (rounds) for
  the version and all its ancestors, in value units (`logic.compute_price`); Root may
  replace the curve (``set_pricing``). Wallets quote it with ``LicencesApi_price``.
* **Purchases.** ``buy(version, buyer_box_key, max_price)`` holds the price on the buyer's
  account (escrow; ``PriceAboveMax`` guards against a price that moved since the quote) and
  opens a purchase due by ``PurchasePeriod`` blocks. Each keeper of the version's share set
  delivers (``deliver_share``) its share re-sealed to the buyer's box key. At the ``threshold``-th
  delivery the purchase is **Served**: the escrow is split between the treasury, the
  informants of the version's batches and its trainers (``InformantsShare``,
  ``TrainersShare``, pro rata to what each was paid; remainders to the treasury) and the
  licence is recorded in ``LicencesOf``. If the deadline comes first the purchase
  **Expires** in ``on_initialize``: the buyer is refunded and every keeper of the set that did
  not deliver loses ``KeeperSlash`` of its bond to the treasury.

Stakes and holds
----------------
Keeper bonds are held under ``keepbond``, escrows under ``licescrw``. ``try_state`` ties them
to the records: each keeper's hold equals its bond, each buyer's escrow hold equals the prices
of its open purchases, and each keeper's count of open purchases matches the purchases.

Bounds
------
A ciphertext lists at most ``MaxKeepers`` keepers; at most ``MaxPurchasesPerBlock`` purchases
share a deadline, so the expiries of one block are bounded; the payout of a purchase names at
most `MAX_PAYEES` informants and as many trainers (the best paid), computed at ``buy`` (whose
weight grows with the version's depth), so a delivery's weight is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final, Protocol, cast

from deepshard.pallets.balances.types import DepositConsequence, ReasonId
from deepshard.pallets.informants.logic import is_valid_cid
from deepshard.pallets.licences import logic
from deepshard.pallets.licences.logic import PurchasePhase
from deepshard.pallets.licences.types import BoxKey, CiphertextInfo, KeeperInfo, Pricing, Purchase
from deepshard.pallets.licences.weights import LicencesWeights, UnitWeights
from deepshard.primitives.codec import H256, AccountId32, Compact, Enum, Vec
from deepshard.primitives.hashing import StorageHasher
from deepshard.primitives.numeric import U32, U64, U128, Perbill
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    GenesisConfig,
    OptionQuery,
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    StorageDoubleMap,
    StorageMap,
    StorageValue,
    ValueQuery,
    call,
    constant,
    ensure,
    ensure_root,
    ensure_signed,
    storage,
)

__all__ = [
    "KEEPER_REASON",
    "ESCROW_REASON",
    "MAX_PAYEES",
    "MAX_SHARE_LENGTH",
    "HoldCurrency",
    "LicenceTreasury",
    "ModelRegistry",
    "BatchRewards",
    "Config",
    "Event",
    "KeeperBonded",
    "KeeperUnbonded",
    "KeeperWithdrawn",
    "CiphertextRegistered",
    "PurchaseOpened",
    "ShareDelivered",
    "LicenceGranted",
    "PurchaseExpired",
    "KeeperSlashed",
    "PricingSet",
    "Error",
    "BondTooLow",
    "NotKeeper",
    "KeeperUnbonding",
    "NotUnbonding",
    "UnbondingNotOver",
    "KeeperBusy",
    "UnknownVersion",
    "CiphertextExists",
    "InvalidCid",
    "BadThreshold",
    "TooManyKeepers",
    "DuplicateKeeper",
    "KeeperNotBonded",
    "BadShare",
    "NoCiphertext",
    "NotEnoughKeepers",
    "AlreadyLicensed",
    "PriceAboveMax",
    "TooManyPurchases",
    "UnknownPurchase",
    "PurchaseNotOpen",
    "DeadlinePassed",
    "NotShareKeeper",
    "AlreadyDelivered",
    "InvalidPricing",
    "LicencesGenesis",
    "Licences",
]

KEEPER_REASON: Final = ReasonId(b"keepbond")
"""Hold reason of a keeper's bond."""
ESCROW_REASON: Final = ReasonId(b"licescrw")
"""Hold reason of a purchase's escrow (on the buyer's account)."""
MAX_PAYEES: Final = 32
"""The most informants, and the most trainers, one purchase pays (the best paid of each)."""
MAX_SHARE_LENGTH: Final = 256
"""The longest sealed share accepted (a 68-byte share sealed is 116 bytes)."""

_ZERO: Final = U128(0)
_PERBILL = Perbill.from_parts


# --- Config -----------------------------------------------------------------------------------


class HoldCurrency(Protocol):
    """What the pallet needs of the currency: holds by reason (implemented by Balances)."""

    def hold(self, reason: ReasonId, who: AccountId32, amount: U128) -> None:
        """Put `amount` of the free balance of `who` on hold; raise a `DispatchError` if not."""
        ...

    def release(self, reason: ReasonId, who: AccountId32, amount: U128) -> U128:
        """Return up to `amount` held for `reason` to `who`; return the amount released."""
        ...

    def balance_on_hold(self, reason: ReasonId, who: AccountId32) -> U128:
        """The balance of `who` on hold for `reason`."""
        ...

    def transfer_on_hold(
        self, reason: ReasonId, source: AccountId32, dest: AccountId32, amount: U128
    ) -> U128:
        """Move `amount` held for `reason` on `source` into the free balance of `dest`."""
        ...

    def can_deposit(self, who: AccountId32, amount: U128) -> DepositConsequence:
        """Whether `amount` can be added to the free balance of `who`."""
        ...


class LicenceTreasury(Protocol):
    """What the pallet needs of the treasury (implemented by Treasury)."""

    def receive_held(self, reason: ReasonId, source: AccountId32, amount: U128) -> U128:
        """Move `amount` held for `reason` on `source` into the pot; return the amount."""
        ...


class ModelRegistry(Protocol):
    """What the pallet needs of Training: model versions and what their rounds paid."""

    def version_record(self, version: U32) -> tuple[U32 | None, Any] | None:
        """``(parent, payout)`` of a version (payout: trainers, scorers_paid, batch_id)."""
        ...


class BatchRewards(Protocol):
    """What the pallet needs of Informants: what each accepted batch's informant was paid."""

    def batch_reward(self, batch_id: U64) -> tuple[AccountId32, U128] | None:
        """The informant of an accepted batch and what it was paid."""
        ...


class Config(PalletConfig):
    """Configuration of the Licences pallet (see the module docs for the rules)."""

    currency: type[Pallet[Any]]
    """The pallet holding balances (a `HoldCurrency`: Balances)."""
    treasury: type[Pallet[Any]]
    """The pallet receiving the treasury's part and slashes (a `LicenceTreasury`: Treasury)."""
    training: type[Pallet[Any]]
    """The pallet of model versions (a `ModelRegistry`: Training)."""
    informants: type[Pallet[Any]]
    """The pallet of batch rewards (a `BatchRewards`: Informants)."""
    base_price: U128 = constant(
        default=U128(1_000), doc="The price of a licence for a version with no value behind it."
    )
    growth_rate: Perbill = constant(
        default=_PERBILL(10_000_000), doc="The price's growth per value unit (a Perbill)."
    )
    value_unit: U128 = constant(
        default=U128(100), doc="The value paid out by Informants and Training per unit."
    )
    price_cap: U128 = constant(default=U128(10**30), doc="The most a licence ever costs.")
    informants_share: Perbill = constant(
        default=_PERBILL(300_000_000), doc="The informants' share of a licence's price."
    )
    trainers_share: Perbill = constant(
        default=_PERBILL(500_000_000), doc="The trainers' share of a licence's price."
    )
    purchase_period: U32 = constant(
        default=U32(10), doc="Blocks the keepers have to serve a purchase."
    )
    keeper_min_bond: U128 = constant(default=U128(100), doc="The least keeper bond.")
    keeper_slash: Perbill = constant(
        default=_PERBILL(100_000_000),
        doc="Share of its bond a keeper loses for each purchase it leaves unserved.",
    )
    min_threshold: U32 = constant(
        default=U32(1), doc="The least number of shares a ciphertext's key may need."
    )
    max_keepers: U32 = constant(default=U32(16), doc="The most keepers one ciphertext lists.")
    unbonding_period: U32 = constant(
        default=U32(10), doc="Blocks an unbonding keeper waits before it can withdraw."
    )
    max_purchases_per_block: U32 = constant(
        default=U32(16), doc="The most purchases whose deadline falls in one block."
    )
    max_cid_length: U32 = constant(default=U32(128), doc="The longest ciphertext CID accepted.")
    max_expiry_weight: Weight = constant(
        default=Weight.from_parts(1_000_000_000_000, 0),
        doc="The most weight the expiries of one block may take in on_initialize.",
    )
    weights: Any = UnitWeights()
    """The weight table (`LicencesWeights`)."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_licences", "pallet", "Event")):
    """Events of the Licences pallet."""


class KeeperBonded(Event, index=0):
    """A keeper bonded `amount` more (possibly zero) and published its box key."""

    keeper: AccountId32
    """The keeper."""
    amount: U128
    """The amount added to its bond."""
    box_key: BoxKey
    """Its X25519 public key."""


class KeeperUnbonded(Event, index=1):
    """A keeper started unbonding; it may withdraw from `unlock_at`."""

    keeper: AccountId32
    """The keeper."""
    unlock_at: U32
    """The first block it may withdraw."""


class KeeperWithdrawn(Event, index=2):
    """A keeper withdrew its bond and left."""

    keeper: AccountId32
    """The keeper."""
    amount: U128
    """The amount released."""


class CiphertextRegistered(Event, index=3):
    """A model version's encrypted weights were registered; licences for it can be bought."""

    version: U32
    """The model version."""
    cid: bytes
    """The ciphertext's CID."""


class PurchaseOpened(Event, index=4):
    """A buyer paid a licence's price into escrow; its keepers deliver until the deadline."""

    purchase_id: U64
    """The purchase."""
    buyer: AccountId32
    """The buyer."""
    version: U32
    """The model version."""
    price: U128
    """The price held in escrow."""


class ShareDelivered(Event, index=5):
    """A keeper delivered its share, sealed to the buyer."""

    purchase_id: U64
    """The purchase."""
    keeper: AccountId32
    """The keeper."""


class LicenceGranted(Event, index=6):
    """Enough shares were delivered: the escrow was paid out and the licence recorded."""

    purchase_id: U64
    """The purchase."""
    buyer: AccountId32
    """The licensee."""
    version: U32
    """The model version."""
    price: U128
    """The price paid."""


class PurchaseExpired(Event, index=7):
    """The deadline passed before enough shares came: the buyer was refunded."""

    purchase_id: U64
    """The purchase."""
    refunded: U128
    """The amount returned to the buyer."""


class KeeperSlashed(Event, index=8):
    """A keeper that left an expired purchase unserved lost part of its bond to the treasury."""

    purchase_id: U64
    """The purchase."""
    keeper: AccountId32
    """The keeper."""
    amount: U128
    """The amount taken from its bond."""


class PricingSet(Event, index=9):
    """Root replaced the price curve."""

    pricing: Pricing
    """The new curve."""


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Errors of the Licences pallet."""


class BondTooLow(Error, index=0):
    """The keeper bond would be below `KeeperMinBond`."""


class NotKeeper(Error, index=1):
    """The account has no keeper bond."""


class KeeperUnbonding(Error, index=2):
    """The keeper is unbonding: it may not top up, rotate its key or take new shares."""


class NotUnbonding(Error, index=3):
    """The keeper has not started unbonding."""


class UnbondingNotOver(Error, index=4):
    """The keeper's unbonding period has not ended yet."""


class KeeperBusy(Error, index=5):
    """Open purchases still count on this keeper's share; it can withdraw once they close."""


class UnknownVersion(Error, index=6):
    """No model version has this id."""


class CiphertextExists(Error, index=7):
    """A ciphertext is already registered for this version."""


class InvalidCid(Error, index=8):
    """The CID is not a binary CID with sha2-256, or longer than `MaxCidLength`."""


class BadThreshold(Error, index=9):
    """The threshold must be at least `MinThreshold` and at most the number of shares."""


class TooManyKeepers(Error, index=10):
    """A ciphertext lists at most `MaxKeepers` keepers."""


class DuplicateKeeper(Error, index=11):
    """A keeper is listed twice in the share set."""


class KeeperNotBonded(Error, index=12):
    """A listed keeper has no active bond of at least `KeeperMinBond`, or is unbonding."""


class BadShare(Error, index=13):
    """A sealed share is empty or longer than 256 bytes."""


class NoCiphertext(Error, index=14):
    """No ciphertext is registered for this version yet: nothing can be sold."""


class NotEnoughKeepers(Error, index=15):
    """Fewer than `threshold` keepers of the version's share set are bonded and not unbonding."""


class AlreadyLicensed(Error, index=16):
    """The buyer already holds a licence for this version."""


class PriceAboveMax(Error, index=17):
    """The price is above the buyer's `max_price` (it moved since the quote)."""


class TooManyPurchases(Error, index=18):
    """`MaxPurchasesPerBlock` purchases already share this deadline; try in the next block."""


class UnknownPurchase(Error, index=19):
    """No purchase has this id."""


class PurchaseNotOpen(Error, index=20):
    """The purchase was served or has expired."""


class DeadlinePassed(Error, index=21):
    """The purchase's deadline has passed: the delivery is late."""


class NotShareKeeper(Error, index=22):
    """The account holds no share of this purchase's version."""


class AlreadyDelivered(Error, index=23):
    """The keeper has delivered its share for this purchase already."""


class InvalidPricing(Error, index=24):
    """The value unit must be positive and the base price at most the cap."""


# --- Genesis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LicencesGenesis(GenesisConfig):
    """Genesis of the Licences pallet: keepers bonded from the start."""

    keepers: tuple[tuple[AccountId32, U128, BoxKey], ...] = ()
    """``(keeper, bond, box key)`` bonded at genesis."""

    def build(self, pallet: Licences) -> None:
        """Validate, then bond the keepers.

        Raises:
            ValueError: a keeper listed twice or a bond below the minimum.
        """
        accounts = [bytes(who) for who, _, _ in self.keepers]
        if len(dict.fromkeys(accounts)) != len(accounts):
            raise ValueError("Licences genesis: a keeper is listed twice")
        for who, bond, box_key in self.keepers:
            if bond < pallet.config.keeper_min_bond:
                raise ValueError(f"Licences genesis: keeper bond {bond} below the minimum")
            pallet.do_bond(AccountId32(who), U128(bond), BoxKey(box_key))


# --- Pallet -----------------------------------------------------------------------------------


class Licences(
    Pallet[Config],
    name="Licences",
    config=Config,
    event=Event,
    error=Error,
    genesis=LicencesGenesis,
):
    """The Licences pallet."""

    keepers: StorageMap[AccountId32, KeeperInfo, OptionQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT, doc="Each keeper's bond and box key."
    )
    ciphertexts: StorageMap[U32, CiphertextInfo, OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        doc="Each model version's encrypted weights and its share set.",
    )
    keeper_shares: StorageDoubleMap[U32, AccountId32, bytes, OptionQuery] = storage(
        hashers=(StorageHasher.TWOX_64_CONCAT, StorageHasher.BLAKE2_128_CONCAT),
        doc="Each keeper's share of a version's content key, sealed to the keeper's box key.",
    )
    purchases: StorageMap[U64, Purchase, OptionQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT, doc="Every purchase, by id."
    )
    next_purchase_id: StorageValue[U64, ValueQuery] = storage(
        default=U64(0), doc="The id the next purchase gets."
    )
    licences_of: StorageDoubleMap[AccountId32, U32, U64, OptionQuery] = storage(
        hashers=(StorageHasher.BLAKE2_128_CONCAT, StorageHasher.TWOX_64_CONCAT),
        doc="The served purchase that licensed each (buyer, version).",
    )
    purchase_deadlines: StorageMap[U32, Vec[U64], ValueQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        default=(),
        doc="The purchases whose deadline is each block (checked by on_initialize).",
    )
    pricing: StorageValue[Pricing, OptionQuery] = storage(
        doc="The price curve, if Root set one (else the configured constants)."
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=lambda w: w.bond_keeper())
    def bond_keeper(self, origin: Origin, amount: Compact[U128], box_key: BoxKey) -> None:
        """Bond `amount` more as a keeper (held) and publish `box_key`. Origin: signed.

        A new keeper bonds at least `KeeperMinBond`; a bonded one may add any amount (zero
        only rotates its box key). Not while unbonding.
        """
        # Fails with BadOrigin, KeeperUnbonding, BondTooLow or a TokenError.
        who = ensure_signed(origin)
        amount = U128(amount)
        info = self.keepers.get(who)
        ensure(info is None or info.unlock_at is None, KeeperUnbonding)
        bond = info.bond if info is not None else _ZERO
        ensure(bond + amount >= self.config.keeper_min_bond, BondTooLow)
        self.do_bond(who, amount, BoxKey(box_key))
        self.deposit_event(KeeperBonded(keeper=who, amount=amount, box_key=BoxKey(box_key)))

    @call(index=1, weight=lambda w: w.unbond_keeper())
    def unbond_keeper(self, origin: Origin) -> None:
        """Start unbonding the whole keeper bond. Origin: signed (a keeper).

        The keeper takes no new shares and no new purchase counts on it; it may withdraw after
        `UnbondingPeriod` blocks, once the open purchases that count on it have closed (it
        still owes them its share, and can be slashed for them).
        """
        # Fails with BadOrigin, NotKeeper or KeeperUnbonding.
        who = ensure_signed(origin)
        info = self.keepers.get(who)
        ensure(info is not None, NotKeeper)
        assert info is not None  # for the type checker: ensured above
        ensure(info.unlock_at is None, KeeperUnbonding)
        unlock_at = U32(self.block_number + int(self.config.unbonding_period))
        self.keepers.insert(who, replace(info, unlock_at=unlock_at))
        self.deposit_event(KeeperUnbonded(keeper=who, unlock_at=unlock_at))

    @call(index=2, weight=lambda w: w.withdraw_keeper())
    def withdraw_keeper(self, origin: Origin) -> None:
        """Release the bond of a keeper whose unbonding period ended. Origin: signed."""
        # Fails with BadOrigin, NotKeeper, NotUnbonding, UnbondingNotOver or KeeperBusy.
        who = ensure_signed(origin)
        info = self.keepers.get(who)
        ensure(info is not None, NotKeeper)
        assert info is not None  # for the type checker: ensured above
        ensure(info.unlock_at is not None, NotUnbonding)
        ensure(int(info.unlock_at or 0) <= self.block_number, UnbondingNotOver)
        ensure(info.open_purchases == 0, KeeperBusy)
        released = self.currency.release(KEEPER_REASON, who, info.bond)
        self.keepers.remove(who)
        self.deposit_event(KeeperWithdrawn(keeper=who, amount=released))

    @call(index=3, weight=lambda w, shares: w.register_ciphertext(len(shares)))
    def register_ciphertext(  # noqa: PLR0917 - the call's wire arguments
        self,
        origin: Origin,
        version: U32,
        cid: bytes,
        sha256: H256,
        threshold: U32,
        shares: Vec[tuple[AccountId32, bytes]],
    ) -> None:
        """Register a version's encrypted weights and its key shares. Origin: signed (a keeper).

        `shares` lists ``(keeper, share sealed to that keeper's box key)``: every keeper
        bonded (at least `KeeperMinBond`, not unbonding) and listed once, at most
        `MaxKeepers`; any `threshold` shares rebuild the content key
        (``MinThreshold <= threshold <= len(shares)``). Once per version.
        """
        # Fails with BadOrigin, NotKeeper, KeeperUnbonding, UnknownVersion, CiphertextExists,
        # InvalidCid, BadThreshold, TooManyKeepers, DuplicateKeeper, KeeperNotBonded or
        # BadShare.
        who = ensure_signed(origin)
        config = self.config
        registrar = self.keepers.get(who)
        ensure(registrar is not None, NotKeeper)
        assert registrar is not None  # for the type checker: ensured above
        ensure(registrar.unlock_at is None, KeeperUnbonding)
        ensure(self.models.version_record(version) is not None, UnknownVersion)
        ensure(not self.ciphertexts.contains_key(version), CiphertextExists)
        ensure(len(cid) <= config.max_cid_length and is_valid_cid(bytes(cid)), InvalidCid)
        ensure(len(shares) <= config.max_keepers, TooManyKeepers)
        ensure(config.min_threshold <= threshold <= len(shares), BadThreshold)
        listed = [bytes(keeper) for keeper, _ in shares]
        ensure(len(dict.fromkeys(listed)) == len(listed), DuplicateKeeper)
        for keeper, share in shares:
            info = self.keepers.get(keeper)
            ensure(
                info is not None and info.unlock_at is None and info.bond >= config.keeper_min_bond,
                KeeperNotBonded,
            )
            ensure(0 < len(share) <= MAX_SHARE_LENGTH, BadShare)
        for keeper, share in shares:
            self.keeper_shares.insert(version, keeper, bytes(share))
        self.ciphertexts.insert(
            version,
            CiphertextInfo(
                cid=bytes(cid),
                sha256=sha256,
                threshold=U32(threshold),
                keepers=tuple(AccountId32(keeper) for keeper, _ in shares),
                registrar=who,
            ),
        )
        self.deposit_event(CiphertextRegistered(version=version, cid=bytes(cid)))

    @call(index=4, weight=lambda w, version: w.buy(int(version)))
    def buy(
        self, origin: Origin, version: U32, buyer_box_key: BoxKey, max_price: Compact[U128]
    ) -> None:
        """Buy a licence for `version`: its price moves into escrow. Origin: signed (the buyer).

        Fails if the price is above `max_price`. The version's keepers deliver their shares,
        sealed to `buyer_box_key`, within `PurchasePeriod` blocks, else the buyer is refunded.
        """
        # Fails with BadOrigin, UnknownVersion, NoCiphertext, AlreadyLicensed,
        # NotEnoughKeepers, PriceAboveMax, TooManyPurchases or a TokenError (the balance).
        buyer = ensure_signed(origin)
        config = self.config
        lineage = self.lineage_payouts(version)
        ensure(lineage is not None, UnknownVersion)
        assert lineage is not None  # for the type checker: ensured above
        ciphertext = self.ciphertexts.get(version)
        ensure(ciphertext is not None, NoCiphertext)
        assert ciphertext is not None  # for the type checker: ensured above
        ensure(not self.licences_of.contains_key(buyer, version), AlreadyLicensed)
        serving = [k for k in ciphertext.keepers if self._is_active_keeper(k)]
        ensure(len(serving) >= ciphertext.threshold, NotEnoughKeepers)
        value, informants, trainers = lineage
        price = self.price_for_value(value)
        ensure(price <= int(max_price), PriceAboveMax)
        deadline = U32(self.block_number + int(config.purchase_period))
        due = self.purchase_deadlines.get(deadline)
        ensure(len(due) < config.max_purchases_per_block, TooManyPurchases)
        to_treasury, payouts = logic.compute_payouts(
            price,
            int(config.informants_share.deconstruct()),
            int(config.trainers_share.deconstruct()),
            logic.compute_payees(informants, MAX_PAYEES),
            logic.compute_payees(trainers, MAX_PAYEES),
        )
        self.currency.hold(ESCROW_REASON, buyer, U128(price))
        purchase_id = self.next_purchase_id.get()
        self.next_purchase_id.put(purchase_id + U64(1))
        self.purchases.insert(
            purchase_id,
            Purchase(
                buyer=buyer,
                version=version,
                buyer_box_key=BoxKey(buyer_box_key),
                price=U128(price),
                deadline=deadline,
                phase=PurchasePhase.Open,
                keepers=tuple(serving),
                deliveries=(),
                payouts=tuple((AccountId32(who), U128(amount)) for who, amount in payouts),
                to_treasury=U128(to_treasury),
            ),
        )
        self.purchase_deadlines.insert(deadline, (*due, purchase_id))
        for keeper in serving:
            self._count_open(keeper, +1)
        self.deposit_event(
            PurchaseOpened(purchase_id=purchase_id, buyer=buyer, version=version, price=U128(price))
        )

    @call(index=5, weight=lambda w: w.deliver_share())
    def deliver_share(self, origin: Origin, purchase_id: U64, sealed_share: bytes) -> None:
        """Deliver one's share of the key, re-sealed to the buyer's box key. Origin: signed.

        By a keeper of the version's share set, once per purchase, before its deadline. The
        `threshold`-th delivery serves the purchase: the escrow is paid out and the licence
        recorded in `LicencesOf`.
        """
        # Fails with BadOrigin, UnknownPurchase, PurchaseNotOpen, DeadlinePassed,
        # NotShareKeeper, AlreadyDelivered or BadShare.
        keeper = ensure_signed(origin)
        purchase = self.purchases.get(purchase_id)
        ensure(purchase is not None, UnknownPurchase)
        assert purchase is not None  # for the type checker: ensured above
        ensure(purchase.phase is PurchasePhase.Open, PurchaseNotOpen)
        ensure(self.block_number < int(purchase.deadline), DeadlinePassed)
        ensure(self.keeper_shares.contains_key(purchase.version, keeper), NotShareKeeper)
        ensure(all(k != keeper for k, _ in purchase.deliveries), AlreadyDelivered)
        ensure(0 < len(sealed_share) <= MAX_SHARE_LENGTH, BadShare)
        ciphertext = self.ciphertexts.get(purchase.version)
        assert ciphertext is not None  # a purchase's version has a ciphertext
        deliveries = (*purchase.deliveries, (keeper, bytes(sealed_share)))
        phase = logic.next_phase(
            purchase.phase,
            len(deliveries),
            int(ciphertext.threshold),
            int(purchase.deadline),
            self.block_number,
        )
        purchase = replace(purchase, deliveries=deliveries, phase=phase)
        self.purchases.insert(purchase_id, purchase)
        self.deposit_event(ShareDelivered(purchase_id=purchase_id, keeper=keeper))
        if phase is PurchasePhase.Served:
            self.do_serve(purchase_id, purchase)

    @call(index=6, weight=lambda w: w.set_pricing())
    def set_pricing(self, origin: Origin, pricing: Pricing) -> None:
        """Replace the price curve of every version from now on. Origin: Root."""
        # Fails with BadOrigin or InvalidPricing.
        ensure_root(origin)
        ensure(pricing.value_unit > 0 and pricing.base_price <= pricing.cap, InvalidPricing)
        self.pricing.put(pricing)
        self.deposit_event(PricingSet(pricing=pricing))

    # --- hooks -----------------------------------------------------------------------------------

    def on_initialize(self, n: int) -> Weight:
        """Expire the open purchases whose deadline is block `n`; return the weight used."""
        weights = cast(LicencesWeights, self.config.weights)
        used = weights.on_initialize_base()
        due = self.purchase_deadlines.take(U32(n))
        for purchase_id in due:
            purchase = self.purchases.get(purchase_id)
            assert purchase is not None  # a listed purchase is stored
            ciphertext = self.ciphertexts.get(purchase.version)
            assert ciphertext is not None  # a purchase's version has a ciphertext
            phase = logic.next_phase(
                purchase.phase,
                len(purchase.deliveries),
                int(ciphertext.threshold),
                int(purchase.deadline),
                n,
            )
            if purchase.phase is PurchasePhase.Open and phase is PurchasePhase.Expired:
                self.do_expire(purchase_id, purchase)
                used = used.saturating_add(weights.expire_purchase(len(ciphertext.keepers)))
        return used

    @classmethod
    def integrity_test(cls, config: Any) -> None:
        """Check the configuration, and that a block's expiries fit in `MaxExpiryWeight`.

        Raises:
            ValueError: naming the first problem found.
        """
        for interface, pallet in (
            (HoldCurrency, config.currency),
            (LicenceTreasury, config.treasury),
            (ModelRegistry, config.training),
            (BatchRewards, config.informants),
        ):
            missing = [
                name
                for name in vars(interface)
                if not name.startswith("_") and not callable(getattr(pallet, name, None))
            ]
            if missing:
                raise ValueError(f"Licences: {pallet.__name__} lacks {', '.join(missing)}")
        shares = int(config.informants_share.deconstruct()) + int(
            config.trainers_share.deconstruct()
        )
        if shares > logic.PERBILL:
            raise ValueError("Licences: the informants' and trainers' shares exceed one")
        if config.value_unit == 0 or config.base_price > config.price_cap:
            raise ValueError("Licences: the value unit is positive, the base price <= the cap")
        if config.min_threshold == 0 or config.min_threshold > config.max_keepers:
            raise ValueError("Licences: 1 <= MinThreshold <= MaxKeepers")
        if config.keeper_min_bond == 0 or config.purchase_period == 0:
            raise ValueError("Licences: the keeper bond and the purchase period are positive")
        if config.max_purchases_per_block == 0:
            raise ValueError("Licences: at least one purchase per deadline block")
        weights = config.weights
        worst = weights.on_initialize_base()
        for _ in range(int(config.max_purchases_per_block)):
            worst = worst.saturating_add(weights.expire_purchase(int(config.max_keepers)))
        if worst.any_gt(config.max_expiry_weight):
            raise ValueError(
                f"Licences: a block's expiries {worst} exceed MaxExpiryWeight "
                f"{config.max_expiry_weight}"
            )

    def try_state(self) -> None:
        """Check the pallet's invariants.

        * each keeper's hold equals its bond;
        * each buyer's escrow hold equals the prices of its open purchases (escrow = sum of
          open purchases), and every open purchase is listed under its deadline;
        * each keeper's open-purchase count equals the open purchases that counted on it, and
          no open purchase counts on a keeper that withdrew;
        * a served purchase has at least ``threshold`` deliveries and a licence; its payouts and
          treasury part add up to its price; deliveries come from the share set, once each.

        Raises:
            RuntimeError: naming the first invariant found broken.
        """
        for who, info in self.keepers.iter():
            held = int(self.currency.balance_on_hold(KEEPER_REASON, who))
            if held != int(info.bond):
                raise RuntimeError(f"keeper {who.hex()}: hold {held} != bond {info.bond}")
        escrow: dict[bytes, int] = {}
        naming: dict[bytes, int] = {}
        scheduled = {
            int(purchase_id) for _, due in self.purchase_deadlines.iter() for purchase_id in due
        }
        for purchase_id, purchase in self.purchases.iter():
            ciphertext = self.ciphertexts.get(purchase.version)
            if ciphertext is None:
                raise RuntimeError(f"purchase {purchase_id}: version without a ciphertext")
            delivered = [bytes(k) for k, _ in purchase.deliveries]
            listed = [bytes(k) for k in ciphertext.keepers]
            if len(dict.fromkeys(delivered)) != len(delivered) or any(
                k not in listed for k in delivered
            ):
                raise RuntimeError(f"purchase {purchase_id}: a delivery twice or from outside")
            paid = sum(int(a) for _, a in purchase.payouts) + int(purchase.to_treasury)
            if paid != int(purchase.price):
                raise RuntimeError(f"purchase {purchase_id}: payouts {paid} != {purchase.price}")
            if any(bytes(k) not in listed for k in purchase.keepers):
                raise RuntimeError(f"purchase {purchase_id}: counts on a keeper outside its set")
            if purchase.phase is PurchasePhase.Open:
                buyer = bytes(purchase.buyer)
                escrow[buyer] = escrow.get(buyer, 0) + int(purchase.price)
                if int(purchase_id) not in scheduled:
                    raise RuntimeError(f"purchase {purchase_id}: open but not scheduled")
                for keeper in purchase.keepers:
                    naming[bytes(keeper)] = naming.get(bytes(keeper), 0) + 1
            elif purchase.phase is PurchasePhase.Served:
                if len(delivered) < int(ciphertext.threshold):
                    raise RuntimeError(f"purchase {purchase_id}: served without enough shares")
                if self.licences_of.get(purchase.buyer, purchase.version) is None:
                    raise RuntimeError(f"purchase {purchase_id}: served without a licence")
        for buyer, total in sorted(escrow.items()):
            held = int(self.currency.balance_on_hold(ESCROW_REASON, AccountId32(buyer)))
            if held != total:
                raise RuntimeError(f"buyer {buyer.hex()}: escrow {held} != open purchases {total}")
        for who, info in self.keepers.iter():
            if int(info.open_purchases) != naming.pop(bytes(who), 0):
                raise RuntimeError(f"keeper {who.hex()}: open purchases miscounted")
        if naming:
            raise RuntimeError("an open purchase counts on a keeper that withdrew")
        for version, ciphertext in self.ciphertexts.iter():
            for keeper in ciphertext.keepers:
                if not self.keeper_shares.contains_key(version, keeper):
                    raise RuntimeError(f"version {version}: keeper {keeper.hex()} has no share")

    # --- interface for other pallets and clients ----------------------------------------------

    @property
    def currency(self) -> HoldCurrency:
        """The configured currency pallet."""
        return cast(HoldCurrency, self.ctx.pallet(self.config.currency))

    @property
    def treasury(self) -> LicenceTreasury:
        """The configured treasury pallet."""
        return cast(LicenceTreasury, self.ctx.pallet(self.config.treasury))

    @property
    def models(self) -> ModelRegistry:
        """The configured pallet of model versions."""
        return cast(ModelRegistry, self.ctx.pallet(self.config.training))

    @property
    def batch_rewards(self) -> BatchRewards:
        """The configured pallet of batch rewards."""
        return cast(BatchRewards, self.ctx.pallet(self.config.informants))

    def current_pricing(self) -> Pricing:
        """The price curve in force: Root's, else the configured one."""
        pricing = self.pricing.get()
        if pricing is not None:
            return pricing
        config = self.config
        return Pricing(
            base_price=config.base_price,
            growth_rate=config.growth_rate,
            value_unit=config.value_unit,
            cap=config.price_cap,
        )

    def price_for_value(self, value: int) -> int:
        """The price of a licence for a version with `value` paid out behind it."""
        pricing = self.current_pricing()
        units = logic.compute_value_units(value, int(pricing.value_unit))
        return logic.compute_price(
            int(pricing.base_price),
            int(pricing.growth_rate.deconstruct()),
            units,
            int(pricing.cap),
        )

    def lineage_payouts(
        self, version: U32
    ) -> tuple[int, list[tuple[bytes, int]], list[tuple[bytes, int]]] | None:
        """``(value, informants paid, trainers paid)`` behind `version`, or None if unknown.

        Walks the version's ancestors (`logic.compute_version_value`): the value is what
        their batches' informants, trainers and scorers were paid; the lists hold
        ``(account, amount)`` for the informants and the trainers, ancestors included.
        """
        parents: dict[int, int | None] = {}
        paid: dict[int, int] = {}
        informants: list[tuple[bytes, int]] = []
        trainers: list[tuple[bytes, int]] = []
        current: U32 | None = version
        while current is not None and int(current) not in parents:
            record = self.models.version_record(current)
            if record is None:
                if current == version:
                    return None
                break
            parent, payout = record
            parents[int(current)] = None if parent is None else int(parent)
            amount = 0
            if payout is not None:
                for who, received in payout.trainers:
                    trainers.append((bytes(who), int(received)))
                    amount += int(received)
                amount += int(payout.scorers_paid)
                reward = self.batch_rewards.batch_reward(payout.batch_id)
                if reward is not None:
                    informants.append((bytes(reward[0]), int(reward[1])))
                    amount += int(reward[1])
            paid[int(current)] = amount
            current = parent
        value = logic.compute_version_value(int(version), parents, paid)
        return value, informants, trainers

    def price_of(self, version: U32) -> U128 | None:
        """The price of a licence for `version` now, or None if the version does not exist."""
        lineage = self.lineage_payouts(version)
        if lineage is None:
            return None
        return U128(self.price_for_value(lineage[0]))

    def do_bond(self, who: AccountId32, amount: U128, box_key: BoxKey) -> None:
        """Hold `amount` more as the keeper bond of `who` and set its box key (no checks).

        Raises:
            TokenError: the amount cannot be held.
        """
        self.currency.hold(KEEPER_REASON, who, amount)
        info = self.keepers.get(who) or KeeperInfo(
            bond=_ZERO, box_key=box_key, unlock_at=None, open_purchases=U32(0)
        )
        self.keepers.insert(who, replace(info, bond=info.bond + amount, box_key=box_key))

    def do_serve(self, purchase_id: U64, purchase: Purchase) -> None:
        """Pay a served purchase's escrow out and record the licence.

        A payee that cannot receive its part (a dead account and a part below the existential
        deposit) leaves it to the treasury.
        """
        buyer = purchase.buyer
        to_treasury = int(purchase.to_treasury)
        for who, amount in purchase.payouts:
            if self.currency.can_deposit(who, amount) is DepositConsequence.SUCCESS:
                self.currency.transfer_on_hold(ESCROW_REASON, buyer, who, amount)
            else:
                to_treasury += int(amount)
        self.treasury.receive_held(ESCROW_REASON, buyer, U128(to_treasury))
        self._release_keepers(purchase)
        self.licences_of.insert(buyer, purchase.version, purchase_id)
        self.deposit_event(
            LicenceGranted(
                purchase_id=purchase_id,
                buyer=buyer,
                version=purchase.version,
                price=purchase.price,
            )
        )

    def do_expire(self, purchase_id: U64, purchase: Purchase) -> None:
        """Expire an unserved purchase: refund the buyer, slash the silent keepers."""
        self.purchases.insert(purchase_id, replace(purchase, phase=PurchasePhase.Expired))
        refunded = self.currency.release(ESCROW_REASON, purchase.buyer, purchase.price)
        self.deposit_event(PurchaseExpired(purchase_id=purchase_id, refunded=refunded))
        delivered = {bytes(k) for k, _ in purchase.deliveries}
        owing = [bytes(k) for k in purchase.keepers]
        silent = logic.compute_silent_keepers(owing, delivered & set(owing))
        fraction = int(self.config.keeper_slash.deconstruct())
        for keeper in silent:
            info = self.keepers.get(AccountId32(keeper))
            assert info is not None  # a keeper counted by an open purchase cannot withdraw
            amount = (int(info.bond) * fraction) // logic.PERBILL
            moved = self.treasury.receive_held(KEEPER_REASON, AccountId32(keeper), U128(amount))
            self.keepers.insert(AccountId32(keeper), replace(info, bond=info.bond - moved))
            self.deposit_event(
                KeeperSlashed(purchase_id=purchase_id, keeper=AccountId32(keeper), amount=moved)
            )
        self._release_keepers(purchase)

    # --- helpers ---------------------------------------------------------------------------------

    def _release_keepers(self, purchase: Purchase) -> None:
        """Count a closed purchase out of the open purchases of the keepers it counted on."""
        for keeper in purchase.keepers:
            self._count_open(keeper, -1)

    def _is_active_keeper(self, keeper: AccountId32) -> bool:
        """Whether `keeper` is bonded and not unbonding (new purchases count on it)."""
        info = self.keepers.get(keeper)
        return info is not None and info.unlock_at is None

    def _count_open(self, keeper: AccountId32, step: int) -> None:
        info = self.keepers.get(keeper)
        assert info is not None  # a keeper counted by an open purchase cannot withdraw
        self.keepers.insert(
            keeper, replace(info, open_purchases=U32(int(info.open_purchases) + step))
        )
