"""TransactionPayment: what a transaction pays for inclusion (`pallet_transaction_payment`).

Overview
--------
A signed transaction pays, before it is dispatched, its *final fee*::

    inclusion_fee = base_fee + len_fee + adjusted_weight_fee
    final_fee     = inclusion_fee + tip

* ``base_fee`` = ``weight_to_fee(base_extrinsic)`` of the call's dispatch class (System's
  ``BlockWeights``): the cost every extrinsic has;
* ``len_fee`` = ``length_to_fee(encoded length)``;
* ``adjusted_weight_fee`` = ``NextFeeMultiplier.saturating_mul_int(weight_to_fee(weight))``,
  where the weight is capped at the block's ``max_block`` first;
* a call declared ``Pays::No`` pays only its tip (no inclusion fee).

``weight_to_fee`` and ``length_to_fee`` are configurable `WeightToFee` conversions (linear:
`IdentityFee`, `ConstantMultiplier`; or a `WeightToFeePolynomial`), both looking at
``ref_time`` only, as FRAME's. The *fee multiplier* follows congestion: at the end of every
block (``on_finalize``) the configured `MultiplierUpdate` turns the block's ``Normal`` weight
into the next multiplier -- `TargetedFeeAdjustment` (FRAME's formula, in `FixedU128` integer
arithmetic) raises it when blocks are fuller than the target and lowers it when emptier,
within ``[minimum, maximum]``; `ConstFeeMultiplier` keeps it fixed.

The executive takes the fee through ``Config.currency`` (`Currency`, implemented by Balances)
with `withdraw_fee` (keep-alive; failure is ``InvalidTransaction::Payment``) and settles it after
dispatch with `correct_and_deposit_fee`, which emits ``TransactionFeePaid``. FRAME refunds the
fee of unused weight after dispatch (a call may report a smaller actual weight, or
``Pays::No``); Deepshard calls have no post-dispatch information yet, so the declared weight
is what is charged and the refund path only returns an over-withdrawal. Fees are burned
(FRAME's ``OnChargeTransaction`` with ``()`` as the handler, the node template's choice)
unless ``Config.fee_destination`` names an account that receives them.

The pool orders transactions by `get_priority` (FRAME's ``ChargeTransactionPayment``): the tip
scaled by how many such transactions fit in a block, plus, for ``Operational`` calls, a
"virtual tip" of ``final_fee * OperationalFeeMultiplier``.

``NextFeeMultiplier`` holds a `FixedU128`, which the codec encodes as FRAME does: its inner
``u128`` (``value * 10**18``), typed ``sp_arithmetic::fixed_point::FixedU128`` in metadata.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

from deepshard.pallets.system import System
from deepshard.primitives.codec import AccountId32, Enum
from deepshard.primitives.numeric import U8, U64, U128, FixedU128, Perbill, Perquintill
from deepshard.primitives.transaction_validity import Payment, TransactionInvalid
from deepshard.primitives.weights import (
    BlockWeights,
    DispatchClass,
    DispatchInfo,
    FeeDetails,
    InclusionFee,
    Pays,
    PerDispatchClassWeight,
    RuntimeDispatchInfo,
    Weight,
)
from deepshard.runtime.support import (
    Context,
    DispatchError,
    DispatchMeta,
    GenesisConfig,
    Pallet,
    PalletConfig,
    StorageValue,
    ValueQuery,
    constant,
    storage,
)

__all__ = [
    "Multiplier",
    "MULTIPLIER_DEFAULT_VALUE",
    "Currency",
    "WeightToFee",
    "IdentityFee",
    "ConstantMultiplier",
    "WeightToFeeCoefficient",
    "WeightToFeePolynomial",
    "MultiplierUpdate",
    "TargetedFeeAdjustment",
    "ConstFeeMultiplier",
    "Config",
    "Releases",
    "Event",
    "TransactionFeePaid",
    "TransactionPaymentGenesis",
    "TransactionPayment",
    "get_priority",
]

Multiplier = FixedU128
"""The fee multiplier type (FRAME's ``Multiplier = FixedU128``)."""

MULTIPLIER_DEFAULT_VALUE: Final = FixedU128.one()
"""The multiplier of a fresh chain, and the value of an empty ``NextFeeMultiplier``."""

_WeightFeeKey = tuple[Weight, DispatchClass, FixedU128]
"""What the weight-dependent parts of a fee depend on besides the configuration."""

_ZERO: Final = U128(0)
_MAX_MULTIPLIER: Final = FixedU128.max_value()


# --- Config -----------------------------------------------------------------------------------


class Currency(Protocol):
    """What the pallet needs of the currency that pays fees (implemented by Balances)."""

    def free_balance(self, who: AccountId32) -> U128:
        """Return the free balance of `who`."""
        ...

    def withdraw(self, who: AccountId32, amount: U128, *, keep_alive: bool) -> U128:
        """Take `amount` from `who` and destroy it; return it (raise a `DispatchError` if not)."""
        ...

    def deposit_into_existing(self, who: AccountId32, amount: U128) -> U128:
        """Create `amount` in the existing account `who`; raise a `DispatchError` if not."""
        ...

    def deposit_creating(self, who: AccountId32, amount: U128) -> U128:
        """Create `amount` in `who`, creating the account; return what was deposited."""
        ...


class WeightToFee(Protocol):
    """Converts a weight (its ``ref_time``) into a fee (FRAME's ``WeightToFee``)."""

    def weight_to_fee(self, weight: Weight) -> U128:
        """Return the fee of `weight`."""
        ...


@dataclass(frozen=True, slots=True)
class IdentityFee:
    """One unit of fee per unit of ``ref_time`` (FRAME's ``IdentityFee``)."""

    def weight_to_fee(self, weight: Weight) -> U128:
        """Return ``ref_time``."""
        return U128(int(weight.ref_time))


@dataclass(frozen=True, slots=True)
class ConstantMultiplier:
    """``multiplier`` units of fee per unit of ``ref_time`` (FRAME's ``ConstantMultiplier``)."""

    multiplier: U128
    """Fee per unit of ``ref_time`` (or per byte, as a ``length_to_fee``)."""

    def weight_to_fee(self, weight: Weight) -> U128:
        """Return ``multiplier * ref_time``, saturating."""
        return self.multiplier.saturating_mul(U128(int(weight.ref_time)))


@dataclass(frozen=True, slots=True)
class WeightToFeeCoefficient:
    """One term ``±(integer + frac) * w**degree`` of a fee polynomial."""

    coeff_integer: U128
    """The integral part of the coefficient."""
    coeff_frac: Perbill
    """The fractional part of the coefficient."""
    negative: bool
    """Whether the term is subtracted."""
    degree: int
    """The power of ``w``."""


@dataclass(frozen=True, slots=True)
class WeightToFeePolynomial:
    """A polynomial in ``ref_time`` (FRAME's ``WeightToFeePolynomial``), saturating at 0 and max.

    Terms are applied in order, as FRAME folds them: for each, ``w = ref_time ** degree``
    (saturating), then ``coeff_frac * w`` (rounded to nearest) and ``coeff_integer * w`` are
    added or subtracted, saturating.
    """

    coefficients: tuple[WeightToFeeCoefficient, ...]
    """The terms, in order."""

    def weight_to_fee(self, weight: Weight) -> U128:
        """Return the polynomial's value at ``ref_time``."""
        acc = _ZERO
        base = U128(int(weight.ref_time))
        for term in self.coefficients:
            w = base.saturating_pow(term.degree)
            frac: U128 = term.coeff_frac * w
            integer = term.coeff_integer.saturating_mul(w)
            if term.negative:
                acc = acc.saturating_sub(frac).saturating_sub(integer)
            else:
                acc = acc.saturating_add(frac).saturating_add(integer)
        return acc


class MultiplierUpdate(Protocol):
    """Computes the next block's fee multiplier (FRAME's ``MultiplierUpdate``)."""

    def convert(
        self,
        previous: FixedU128,
        block_weight: PerDispatchClassWeight,
        block_weights: BlockWeights,
    ) -> FixedU128:
        """Return the next multiplier after a block that consumed `block_weight`."""
        ...

    def min(self) -> FixedU128:
        """The smallest multiplier `convert` returns."""
        ...

    def max(self) -> FixedU128:
        """The largest multiplier `convert` returns."""
        ...

    def target(self) -> Perquintill:
        """The target block fullness (of the ``Normal`` capacity)."""
        ...

    def variability(self) -> FixedU128:
        """The adjustment variable ``v``."""
        ...


@dataclass(frozen=True, slots=True)
class TargetedFeeAdjustment:
    """FRAME's ``TargetedFeeAdjustment``: steer blocks towards a target fullness.

    With ``s`` the block's ``Normal`` weight in its limiting dimension, ``s'`` the target
    (``target_block_fullness`` of the ``Normal`` maximum ``m``), ``diff = (s - s') / m`` and
    ``v`` the adjustment variable::

        next = previous * (1 + v * diff + (v * diff)**2 / 2)

    clamped to ``[minimum_multiplier, maximum_multiplier]``. The limiting dimension is the one
    (``ref_time`` or ``proof_size``) whose used share of its maximum is larger. Every step is
    `FixedU128` arithmetic with FRAME's rounding, so the result is FRAME's to the last unit.
    """

    target_block_fullness: Perquintill
    """Target share of the ``Normal`` capacity (``S``)."""
    adjustment_variable: FixedU128
    """How fast the multiplier moves (``V``)."""
    minimum_multiplier: FixedU128
    """Lower bound (``M``); keep it high enough to recover (see `recovers_from_minimum`)."""
    maximum_multiplier: FixedU128 = _MAX_MULTIPLIER
    """Upper bound (``X``)."""

    def __post_init__(self) -> None:
        if self.minimum_multiplier > self.maximum_multiplier:
            raise ValueError("TargetedFeeAdjustment: the minimum multiplier exceeds the maximum")

    def min(self) -> FixedU128:
        """The minimum multiplier."""
        return self.minimum_multiplier

    def max(self) -> FixedU128:
        """The maximum multiplier."""
        return self.maximum_multiplier

    def target(self) -> Perquintill:
        """The target block fullness."""
        return self.target_block_fullness

    def variability(self) -> FixedU128:
        """The adjustment variable."""
        return self.adjustment_variable

    def convert(
        self,
        previous: FixedU128,
        block_weight: PerDispatchClassWeight,
        block_weights: BlockWeights,
    ) -> FixedU128:
        """Return the next multiplier after a block that consumed `block_weight`."""
        minimum, maximum = self.minimum_multiplier, self.maximum_multiplier
        # Defensive, as FRAME: a stored value below the minimum could never move again.
        previous = max(previous, minimum)
        normal_max = block_weights.get(DispatchClass.Normal).max_total or block_weights.max_block
        normal_used = block_weight.normal.min(normal_max)
        ref_share = Perbill.from_rational(
            int(normal_used.ref_time), max(int(normal_max.ref_time), 1)
        )
        proof_share = Perbill.from_rational(
            int(normal_used.proof_size), max(int(normal_max.proof_size), 1)
        )
        if ref_share < proof_share:
            used, limit = int(normal_used.proof_size), int(normal_max.proof_size)
        else:
            used, limit = int(normal_used.ref_time), int(normal_max.ref_time)
        target_weight = int(self.target_block_fullness * U64(limit))
        positive = used >= target_weight
        diff = FixedU128.saturating_from_rational(abs(used - target_weight), max(limit, 1))
        diff_squared = diff.saturating_mul(diff)
        v = self.adjustment_variable
        v_squared_2 = v.saturating_mul(v).saturating_div(FixedU128.saturating_from_integer(2))
        first_term = v.saturating_mul(diff)
        second_term = v_squared_2.saturating_mul(diff_squared)
        if positive:
            excess = first_term.saturating_add(second_term).saturating_mul(previous)
            result = previous.saturating_add(excess)
        else:
            negative = first_term.saturating_sub(second_term).saturating_mul(previous)
            result = previous.saturating_sub(negative)
        return min(max(result, minimum), maximum)

    def recovers_from_minimum(self, block_weights: BlockWeights) -> bool:
        """Whether a block 1% above target lifts the minimum multiplier (FRAME's check).

        FRAME's ``integrity_test`` asserts this; a runtime's tests should too (a pallet's
        `integrity_test` does not see System's ``BlockWeights``).
        """
        normal_max = block_weights.get(DispatchClass.Normal).max_total
        if normal_max is None:
            return False
        target = self.target_block_fullness * normal_max
        addition = target.checked_div(100) or Weight.zero()
        if addition.is_zero():
            return True  # a test setup with zero weights: FRAME skips the check
        consumed = PerDispatchClassWeight(
            normal=target.saturating_add(addition),
            operational=Weight.zero(),
            mandatory=Weight.zero(),
        )
        return self.convert(self.minimum_multiplier, consumed, block_weights) > (
            self.minimum_multiplier
        )


@dataclass(frozen=True, slots=True)
class ConstFeeMultiplier:
    """A fixed multiplier (FRAME's ``ConstFeeMultiplier``; the node template uses 1)."""

    multiplier: FixedU128 = MULTIPLIER_DEFAULT_VALUE
    """The multiplier, every block."""

    def min(self) -> FixedU128:
        """The multiplier."""
        return self.multiplier

    def max(self) -> FixedU128:
        """The multiplier."""
        return self.multiplier

    def target(self) -> Perquintill:
        """Zero (no target)."""
        return Perquintill.zero()

    def variability(self) -> FixedU128:
        """Zero (no adjustment)."""
        return FixedU128.zero()

    def convert(
        self,
        previous: FixedU128,
        block_weight: PerDispatchClassWeight,
        block_weights: BlockWeights,
    ) -> FixedU128:
        """Return the multiplier, whatever the block."""
        del previous, block_weight, block_weights
        return self.multiplier


class Config(PalletConfig):
    """Configuration of the TransactionPayment pallet."""

    currency: type[Pallet[Any]]
    """The pallet that holds balances and pays fees (a `Currency`: Balances)."""
    operational_fee_multiplier: U8 = constant(
        default=U8(5),
        doc=(
            'A fee multiplier for `Operational` extrinsics to compute "virtual tip" to boost '
            "their\n`priority`\n"
            "\n"
            'This value is multiplied by the `final_fee` to obtain a "virtual tip" that is '
            "later\nadded to a tip component in regular `priority` calculations.\n"
            "It means that a `Normal` transaction can front-run a similarly-sized `Operational`"
            "\nextrinsic (with no tip), by including a tip value greater than the virtual tip.\n"
            "\n"
            "```rust,ignore\n"
            "// For `Normal`\n"
            "let priority = priority_calc(tip);\n"
            "\n"
            "// For `Operational`\n"
            "let virtual_tip = (inclusion_fee + tip) * OperationalFeeMultiplier;\n"
            "let priority = priority_calc(tip + virtual_tip);\n"
            "```\n"
            "\n"
            "Note that since we use `final_fee` the multiplier applies also to the regular `tip`"
            "\nsent with the transaction. So, not only does the transaction get a priority bump "
            "based\non the `inclusion_fee`, but we also amplify the impact of tips applied to "
            "`Operational`\ntransactions."
        ),
        name="OperationalFeeMultiplier",
    )
    weight_to_fee: Any = IdentityFee()
    """Converts a weight into a fee (`WeightToFee`)."""
    length_to_fee: Any = IdentityFee()
    """Converts an encoded length, as a ``ref_time``, into a fee (`WeightToFee`)."""
    fee_multiplier_update: Any = ConstFeeMultiplier()
    """Computes the next fee multiplier at the end of each block (`MultiplierUpdate`)."""
    fee_destination: AccountId32 | None = None
    """Account that receives fees and tips; None burns them."""


# --- Types ------------------------------------------------------------------------------------


class Releases(enum.IntEnum):
    """Storage releases of the pallet."""

    __module__ = "pallet_transaction_payment"  # the metadata type path

    V1Ancient = 0
    """Original version of the pallet."""
    V2 = 1
    """One that bumps the usage to FixedU128 from FixedI128."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_transaction_payment", "pallet", "Event")):
    """The `Event` enum of this pallet."""


class TransactionFeePaid(Event, index=0):
    """A transaction fee `actual_fee`, of which `tip` was added to the minimum inclusion fee,
    has been paid by `who`.
    """  # noqa: D205 - FRAME's docs, line for line

    who: AccountId32
    actual_fee: U128
    tip: U128


# --- Genesis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransactionPaymentGenesis(GenesisConfig):
    """Genesis of the TransactionPayment pallet: the initial fee multiplier."""

    multiplier: FixedU128 = MULTIPLIER_DEFAULT_VALUE
    """The fee multiplier of block 1."""

    def build(self, pallet: TransactionPayment) -> None:
        """Store the storage version and the initial multiplier."""
        pallet.storage_version.put(Releases.V2)
        pallet.fee_multiplier.put(self.multiplier)


# --- Pallet -----------------------------------------------------------------------------------


class TransactionPayment(
    Pallet[Config],
    name="TransactionPayment",
    config=Config,
    event=Event,
    genesis=TransactionPaymentGenesis,
):
    """The TransactionPayment pallet (FRAME's `pallet_transaction_payment`)."""

    def __init__(self, ctx: Context, config: Config, index: int) -> None:
        """Bind the pallet to `ctx` (see `Pallet`), with an empty fee memo."""
        super().__init__(ctx, config, index)
        self._weight_fee_memo: dict[_WeightFeeKey, tuple[U128, U128]] = {}

    fee_multiplier: StorageValue[FixedU128, ValueQuery] = storage(
        default=MULTIPLIER_DEFAULT_VALUE, name="NextFeeMultiplier", doc=""
    )
    storage_version: StorageValue[Releases, ValueQuery] = storage(
        default=Releases.V1Ancient, doc=""
    )

    # --- hooks -----------------------------------------------------------------------------------

    def on_finalize(self, n: int) -> None:
        """Update ``NextFeeMultiplier`` from this block's ``Normal`` weight."""
        del n
        system = self.ctx.pallet(System)
        update = cast(MultiplierUpdate, self.config.fee_multiplier_update)
        nxt = update.convert(
            self.next_fee_multiplier(), system.block_weight.get(), system.config.block_weights
        )
        self.fee_multiplier.put(nxt)

    @classmethod
    def integrity_test(cls, config: PalletConfig) -> None:
        """Check that the currency is a pallet with the `Currency` methods.

        Raises:
            ValueError: ``currency`` lacks a method the pallet calls.
        """
        if not isinstance(config, Config):
            return
        for method in ("withdraw", "deposit_into_existing", "deposit_creating", "free_balance"):
            if not callable(getattr(config.currency, method, None)):
                raise ValueError(
                    f"TransactionPayment.currency: {config.currency.__name__} has no {method}"
                )

    # --- fee computation -------------------------------------------------------------------------

    def next_fee_multiplier(self) -> FixedU128:
        """Return the multiplier that applies to this block's fees."""
        return self.fee_multiplier.get()

    def weight_to_fee(self, weight: Weight) -> U128:
        """Return the unadjusted fee of `weight`, capped first at the block's ``max_block``."""
        capped = weight.min(self._block_weights().max_block)
        return cast(WeightToFee, self.config.weight_to_fee).weight_to_fee(capped)

    def length_to_fee(self, length: int) -> U128:
        """Return the fee of `length` encoded bytes."""
        return cast(WeightToFee, self.config.length_to_fee).weight_to_fee(
            Weight.from_parts(length, 0)
        )

    def adjusted_weight_fee(self, weight: Weight) -> U128:
        """Return the fee of `weight` times the current multiplier (FRAME's ``Convert``)."""
        return self.next_fee_multiplier().saturating_mul_int(self.weight_to_fee(weight))

    def compute_fee_details(
        self, length: int, info: DispatchMeta | DispatchInfo, tip: U128 = _ZERO
    ) -> FeeDetails:
        """Return the fee of a transaction of `length` bytes with dispatch `info`, in parts.

        ``inclusion_fee`` is None when the call does not pay (``Pays::No``).
        """
        weight, dispatch_class, pays_fee = _parts(info)
        if pays_fee is not Pays.Yes:
            return FeeDetails(inclusion_fee=None, tip=tip)
        base_fee, adjusted_weight_fee = self._weight_fees(weight, dispatch_class)
        return FeeDetails(
            inclusion_fee=InclusionFee(
                base_fee=base_fee,
                len_fee=self.length_to_fee(length),
                adjusted_weight_fee=adjusted_weight_fee,
            ),
            tip=tip,
        )

    def compute_fee(
        self, length: int, info: DispatchMeta | DispatchInfo, tip: U128 = _ZERO
    ) -> U128:
        """Return the final fee (inclusion fee plus `tip`; just `tip` for ``Pays::No``).

        This is ``compute_fee_details(length, info, tip).final_fee()``, summed in the same
        order without building the details (it runs for every transaction).
        """
        weight, dispatch_class, pays_fee = _parts(info)
        if pays_fee is not Pays.Yes:
            return tip
        base_fee, adjusted_weight_fee = self._weight_fees(weight, dispatch_class)
        inclusion_fee = base_fee.saturating_add(self.length_to_fee(length)).saturating_add(
            adjusted_weight_fee
        )
        return inclusion_fee.saturating_add(tip)

    def _weight_fees(self, weight: Weight, dispatch_class: DispatchClass) -> tuple[U128, U128]:
        """``(base_fee, adjusted_weight_fee)`` of a call of `weight` and `dispatch_class`.

        Both depend only on the configuration, the weight, the class and the multiplier, so
        they are remembered per context under those (the multiplier is part of the key).
        """
        multiplier = self.next_fee_multiplier()
        key = (weight, dispatch_class, multiplier)
        known = self._weight_fee_memo.get(key)
        if known is None:
            base_extrinsic = self._block_weights().get(dispatch_class).base_extrinsic
            known = (
                self.weight_to_fee(base_extrinsic),
                multiplier.saturating_mul_int(self.weight_to_fee(weight)),
            )
            self._weight_fee_memo[key] = known
        return known

    # --- runtime APIs (TransactionPaymentApi, TransactionPaymentCallApi) -------------------------

    def query_info(
        self, length: int, info: DispatchMeta | DispatchInfo, *, is_bare: bool = False
    ) -> RuntimeDispatchInfo:
        """Return weight, class and partial fee (no tip) of an extrinsic of `length` bytes.

        A bare (unsigned) extrinsic has no partial fee.
        """
        weight, dispatch_class, _ = _parts(info)
        partial = _ZERO if is_bare else self.compute_fee(length, info)
        return RuntimeDispatchInfo(weight=weight, class_=dispatch_class, partial_fee=partial)

    def query_fee_details(
        self, length: int, info: DispatchMeta | DispatchInfo, *, is_bare: bool = False
    ) -> FeeDetails:
        """Return the fee of an extrinsic of `length` bytes in parts (no tip).

        A bare (unsigned) extrinsic has no inclusion fee.
        """
        if is_bare:
            return FeeDetails(inclusion_fee=None, tip=_ZERO)
        return self.compute_fee_details(length, info)

    def query_call_info(self, call: Any, length: int) -> RuntimeDispatchInfo:
        """Return weight, class and partial fee of the runtime call value `call`."""
        return self.query_info(length, self.ctx.runtime.dispatch_meta(call))

    def query_call_fee_details(self, call: Any, length: int) -> FeeDetails:
        """Return the fee in parts of the runtime call value `call`."""
        return self.compute_fee_details(length, self.ctx.runtime.dispatch_meta(call))

    # --- charging (ChargeTransactionPayment, with the executive) ---------------------------------

    def can_withdraw_fee(self, who: AccountId32, fee: U128) -> None:
        """Check that `who` could pay `fee` now, changing nothing (pool validation).

        Raises:
            TransactionInvalid: ``InvalidTransaction::Payment``.
        """
        if fee == 0:
            return
        try:
            with self.ctx.transactional():
                self._currency().withdraw(who, fee, keep_alive=True)
                raise _DryRun
        except _DryRun:
            return
        except DispatchError as error:
            raise TransactionInvalid(Payment()) from error

    def withdraw_fee(self, who: AccountId32, fee: U128) -> U128:
        """Take `fee` from `who`, keeping the account alive; return the amount taken.

        Raises:
            TransactionInvalid: ``InvalidTransaction::Payment`` -- `who` cannot pay (nothing
                was changed).
        """
        if fee == 0:
            return _ZERO
        try:
            with self.ctx.transactional():
                return self._currency().withdraw(who, fee, keep_alive=True)
        except DispatchError as error:
            raise TransactionInvalid(Payment()) from error

    def correct_and_deposit_fee(
        self, who: AccountId32, corrected_fee: U128, tip: U128, already_withdrawn: U128
    ) -> None:
        """Settle a transaction's fee after dispatch and emit ``TransactionFeePaid``.

        Any amount withdrawn above `corrected_fee` is returned to `who` (if that fails, it is
        kept, as FRAME does); the fee is then burned or paid to ``fee_destination``. With fees
        charged on the declared weight, `corrected_fee` equals what was withdrawn.
        """
        currency = self._currency()
        refund = already_withdrawn.saturating_sub(corrected_fee)
        if refund > 0:
            try:
                with self.ctx.transactional():
                    currency.deposit_into_existing(who, refund)
            except DispatchError:
                refund = _ZERO
        paid = already_withdrawn - refund
        destination = self.config.fee_destination
        if destination is not None and paid > 0:
            currency.deposit_creating(destination, paid)
        self.deposit_event(TransactionFeePaid(who=who, actual_fee=corrected_fee, tip=tip))

    def priority(
        self, info: DispatchMeta | DispatchInfo, length: int, tip: U128, final_fee: U128
    ) -> U64:
        """Return the pool priority of a transaction (FRAME's ``get_priority``)."""
        system = self.ctx.pallet(System)
        _, dispatch_class, _ = _parts(info)
        return get_priority(
            info,
            length,
            tip,
            final_fee,
            max_block_weight=system.config.block_weights.max_block,
            max_block_length=int(system.config.block_length.max.get(dispatch_class)),
            operational_fee_multiplier=int(self.config.operational_fee_multiplier),
        )

    # --- internals -------------------------------------------------------------------------------

    def _currency(self) -> Currency:
        return cast(Currency, self.ctx.pallet(self.config.currency))

    def _block_weights(self) -> BlockWeights:
        return self.ctx.pallet(System).config.block_weights


class _DryRun(Exception):
    """Unwinds a trial withdrawal (`can_withdraw_fee`)."""


def _parts(info: DispatchMeta | DispatchInfo) -> tuple[Weight, DispatchClass, Pays]:
    if isinstance(info, DispatchInfo):
        return info.weight, info.class_, info.pays_fee
    return info.weight, info.dispatch_class, info.pays_fee


# --- Priority (FRAME's ChargeTransactionPayment::get_priority) --------------------------------


def get_priority(
    info: DispatchMeta | DispatchInfo,
    length: int,
    tip: U128,
    final_fee: U128,
    *,
    max_block_weight: Weight,
    max_block_length: int,
    operational_fee_multiplier: int,
) -> U64:
    """Return the pool priority of a transaction, exactly as FRAME computes it.

    The tip (plus one, so that smaller no-tip transactions win) is scaled by how many
    transactions like this one fit in an empty block -- by weight (per component) or by length,
    whichever is scarcer. ``Operational`` calls add a "virtual tip" of
    ``final_fee * operational_fee_multiplier``, scaled the same way. Saturates at ``u64::MAX``.

    Args:
        info: The call's weight and class.
        length: The encoded length of the transaction.
        tip: The tip.
        final_fee: The fee the transaction pays (inclusion fee plus tip).
        max_block_weight: System's ``BlockWeights.max_block``.
        max_block_length: System's ``BlockLength`` maximum for the call's class.
        operational_fee_multiplier: TransactionPayment's ``OperationalFeeMultiplier``.
    """
    weight, dispatch_class, _ = _parts(info)
    bounded_weight = weight.max(Weight.from_parts(1, 1)).min(max_block_weight)
    bounded_length = min(max(length, 1), max_block_length)
    per_weight = _checked_div_per_component(max_block_weight, bounded_weight)
    per_weight = 1 if per_weight is None else per_weight
    per_length = max_block_length // bounded_length if bounded_length else 0
    max_tx_per_block = U128(min(per_length, per_weight))
    scaled_tip = tip.saturating_add(U128(1)).saturating_mul(max_tx_per_block)
    priority = scaled_tip
    if dispatch_class is DispatchClass.Operational:
        virtual_tip = final_fee.saturating_mul(U128(operational_fee_multiplier))
        priority = scaled_tip.saturating_add(virtual_tip.saturating_mul(max_tx_per_block))
    return U64(min(int(priority), U64.MAX))


def _checked_div_per_component(weight: Weight, other: Weight) -> int | None:
    """FRAME's ``Weight::checked_div_per_component``: the smaller per-component quotient."""
    ref_time = proof_size = U64.MAX
    all_zero = True
    if other.ref_time != 0:
        ref_time = int(weight.ref_time) // int(other.ref_time)
        all_zero = False
    if other.proof_size != 0:
        proof_size = int(weight.proof_size) // int(other.proof_size)
        all_zero = False
    if all_zero:
        return None
    return min(ref_time, proof_size)
