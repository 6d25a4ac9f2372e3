"""Weights, dispatch classes, block limits and fees: FRAME's weight-related wire types.

The types come from `sp_weights`, `frame_support::dispatch`, `frame_system::limits` and
`pallet_transaction_payment::types`.

Introduction
------------
A `Weight` is the two-dimensional cost of executing something: ``ref_time`` (picoseconds of
execution on reference hardware) and ``proof_size`` (bytes of storage proof). Both are
``Compact<u64>`` on the wire; py-substrate-interface switches to this layout when the metadata
has the path ``sp_weights::weight_v2::Weight``. Arithmetic follows sp-weights: ``+`` and ``-``
are checked (they raise `Overflow` / `Underflow`), and the ``checked_*`` / ``saturating_*``
variants are named; the comparisons are per component (`all_lte`, `any_gt`, ...), because two
weights are not totally ordered.

Every dispatch has a `DispatchInfo` (weight, `DispatchClass`, `Pays`); ``System.ExtrinsicSuccess``
and ``ExtrinsicFailed`` carry it, and py-substrate-interface reads ``dispatch_info.weight`` from
them. The block limits are the System constants `BlockWeights` and `BlockLength`; they are built
the way FRAME builds them (`BlockWeights.with_sensible_defaults`, `BlockWeightsBuilder`,
`BlockLength.max_with_normal_ratio`), with sp-arithmetic's integer `Perbill` rounding.

`RuntimeDispatchInfo`, `InclusionFee` and `FeeDetails` are what the ``TransactionPaymentApi``
runtime API (and the ``payment_queryInfo`` RPC) return.

Payload-less enums (`DispatchClass`, `Pays`) are `enum.IntEnum` classes: the member's value is
the variant index, and the member's name the variant name (``DispatchClass.Normal``, as in Rust).
The codec derives an IntEnum's metadata path from ``__module__`` and the class name, so each sets
``__module__`` to the Rust module that declares it.

Rust's field ``class`` is a Python keyword, so it is declared as ``class_``; the metadata must
show ``class`` (a trailing underscore after a keyword is PEP 8's spelling of that name).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final, Generic, Self, TypeVar

from deepshard.primitives.codec import Compact, Struct
from deepshard.primitives.numeric import U32, U64, U128, Perbill, PerThing

__all__ = [
    "WEIGHT_REF_TIME_PER_SECOND",
    "WEIGHT_REF_TIME_PER_MILLIS",
    "WEIGHT_REF_TIME_PER_MICROS",
    "WEIGHT_REF_TIME_PER_NANOS",
    "WEIGHT_PROOF_SIZE_PER_MB",
    "WEIGHT_PROOF_SIZE_PER_KB",
    "Weight",
    "RuntimeDbWeight",
    "ROCKS_DB_WEIGHT",
    "PARITY_DB_WEIGHT",
    "BLOCK_EXECUTION_WEIGHT",
    "EXTRINSIC_BASE_WEIGHT",
    "DEFAULT_NORMAL_RATIO",
    "DispatchClass",
    "Pays",
    "DispatchInfo",
    "PerDispatchClassWeight",
    "PerDispatchClassU32",
    "PerDispatchClassWeightsPerClass",
    "WeightsPerClass",
    "BlockWeights",
    "BlockWeightsBuilder",
    "InvalidBlockWeights",
    "BlockLength",
    "RuntimeDispatchInfo",
    "InclusionFee",
    "FeeDetails",
]

_T = TypeVar("_T")

# --- Constants (sp_weights::constants) -----------------------------------------------------

WEIGHT_REF_TIME_PER_SECOND: Final = U64(1_000_000_000_000)
"""``ref_time`` of one second of execution (ref_time counts picoseconds)."""
WEIGHT_REF_TIME_PER_MILLIS: Final = U64(1_000_000_000)
"""``ref_time`` of one millisecond."""
WEIGHT_REF_TIME_PER_MICROS: Final = U64(1_000_000)
"""``ref_time`` of one microsecond."""
WEIGHT_REF_TIME_PER_NANOS: Final = U64(1_000)
"""``ref_time`` of one nanosecond."""
WEIGHT_PROOF_SIZE_PER_MB: Final = U64(1024 * 1024)
"""``proof_size`` of one MiB of proof."""
WEIGHT_PROOF_SIZE_PER_KB: Final = U64(1024)
"""``proof_size`` of one KiB of proof."""


# --- Weight (sp_weights::weight_v2) --------------------------------------------------------


class Weight(Struct, type_path=("sp_weights", "weight_v2", "Weight")):
    """The cost of a computation: execution time and proof size.

    ``+`` and ``-`` are checked per component and raise `Overflow` / `Underflow`, as U64
    arithmetic does; use the ``checked_*`` forms for None instead, or ``saturating_*`` to clamp.
    ``ratio * weight`` with a per-thing (`Perbill`...) scales both components, rounding to the
    nearest integer (half-way down), as FRAME's ``Perbill * Weight``.
    """

    ref_time: Compact[U64]
    """Computational time on reference hardware, in picoseconds."""
    proof_size: Compact[U64]
    """Size of the storage proof needed to validate the computation, in bytes."""

    MAX: ClassVar[Weight]
    """Both components at ``u64::MAX`` (FRAME's ``Weight::MAX``)."""

    # --- construction --------------------------------------------------------------------

    @classmethod
    def zero(cls) -> Weight:
        """Return the zero weight."""
        return _ZERO

    @classmethod
    def from_parts(cls, ref_time: int, proof_size: int) -> Weight:
        """Build from the two components.

        Raises:
            Overflow: a component is above ``u64::MAX``.
            Underflow: a component is negative.
        """
        return Weight(U64(ref_time), U64(proof_size))

    @classmethod
    def from_all(cls, value: int) -> Weight:
        """Build with `value` for both components."""
        return Weight(U64(value), U64(value))

    def set_ref_time(self, ref_time: int) -> Weight:
        """Return a copy with ``ref_time`` replaced."""
        return Weight(U64(ref_time), self.proof_size)

    def set_proof_size(self, proof_size: int) -> Weight:
        """Return a copy with ``proof_size`` replaced."""
        return Weight(self.ref_time, U64(proof_size))

    def is_zero(self) -> bool:
        """Whether both components are zero."""
        return self.ref_time == 0 and self.proof_size == 0

    # --- arithmetic ----------------------------------------------------------------------

    def __add__(self, other: object) -> Weight:
        if type(other) is not Weight:
            return NotImplemented
        return Weight(self.ref_time + other.ref_time, self.proof_size + other.proof_size)

    def __sub__(self, other: object) -> Weight:
        if type(other) is not Weight:
            return NotImplemented
        return Weight(self.ref_time - other.ref_time, self.proof_size - other.proof_size)

    def __rmul__(self, ratio: object) -> Weight:
        """``ratio * weight`` for a per-thing: each component scaled, rounded to nearest."""
        if not isinstance(ratio, PerThing):
            return NotImplemented
        scaled: tuple[U64, U64] = (ratio * self.ref_time, ratio * self.proof_size)
        return Weight(*scaled)

    def checked_add(self, other: Weight) -> Weight | None:
        """Return ``self + other``, or None if a component overflows."""
        ref_time = self.ref_time.checked_add(other.ref_time)
        proof_size = self.proof_size.checked_add(other.proof_size)
        if ref_time is None or proof_size is None:
            return None
        return Weight(ref_time, proof_size)

    def checked_sub(self, other: Weight) -> Weight | None:
        """Return ``self - other``, or None if a component underflows."""
        ref_time = self.ref_time.checked_sub(other.ref_time)
        proof_size = self.proof_size.checked_sub(other.proof_size)
        if ref_time is None or proof_size is None:
            return None
        return Weight(ref_time, proof_size)

    def checked_mul(self, scalar: int) -> Weight | None:
        """Return both components times `scalar`, or None if one overflows."""
        factor = U64(scalar)
        ref_time = self.ref_time.checked_mul(factor)
        proof_size = self.proof_size.checked_mul(factor)
        if ref_time is None or proof_size is None:
            return None
        return Weight(ref_time, proof_size)

    def checked_div(self, scalar: int) -> Weight | None:
        """Return both components divided (truncating) by `scalar`, or None if it is zero."""
        if scalar == 0:
            return None
        factor = U64(scalar)
        return Weight(self.ref_time // factor, self.proof_size // factor)

    def saturating_add(self, other: Weight) -> Weight:
        """Return ``self + other``, each component clamped at ``u64::MAX``."""
        return Weight(
            self.ref_time.saturating_add(other.ref_time),
            self.proof_size.saturating_add(other.proof_size),
        )

    def saturating_sub(self, other: Weight) -> Weight:
        """Return ``self - other``, each component clamped at zero."""
        return Weight(
            self.ref_time.saturating_sub(other.ref_time),
            self.proof_size.saturating_sub(other.proof_size),
        )

    def saturating_mul(self, scalar: int) -> Weight:
        """Return both components times `scalar`, clamped at ``u64::MAX``."""
        factor = U64(scalar)
        return Weight(self.ref_time.saturating_mul(factor), self.proof_size.saturating_mul(factor))

    def try_add(self, other: Weight, limit: Weight) -> Weight | None:
        """Return ``self + other`` if it overflows nothing and stays within `limit`, else None."""
        total = self.checked_add(other)
        if total is None or total.any_gt(limit):
            return None
        return total

    def min(self, other: Weight) -> Weight:
        """Return the component-wise minimum (the conservative bound)."""
        return Weight(min(self.ref_time, other.ref_time), min(self.proof_size, other.proof_size))

    def max(self, other: Weight) -> Weight:
        """Return the component-wise maximum (the aggressive bound)."""
        return Weight(max(self.ref_time, other.ref_time), max(self.proof_size, other.proof_size))

    # --- per-component comparisons -------------------------------------------------------

    def all_lte(self, other: Weight) -> bool:
        """Whether every component is ``<=`` the other's."""
        return self.ref_time <= other.ref_time and self.proof_size <= other.proof_size

    def all_lt(self, other: Weight) -> bool:
        """Whether every component is ``<`` the other's."""
        return self.ref_time < other.ref_time and self.proof_size < other.proof_size

    def all_gte(self, other: Weight) -> bool:
        """Whether every component is ``>=`` the other's."""
        return self.ref_time >= other.ref_time and self.proof_size >= other.proof_size

    def all_gt(self, other: Weight) -> bool:
        """Whether every component is ``>`` the other's."""
        return self.ref_time > other.ref_time and self.proof_size > other.proof_size

    def any_lte(self, other: Weight) -> bool:
        """Whether some component is ``<=`` the other's."""
        return self.ref_time <= other.ref_time or self.proof_size <= other.proof_size

    def any_lt(self, other: Weight) -> bool:
        """Whether some component is ``<`` the other's."""
        return self.ref_time < other.ref_time or self.proof_size < other.proof_size

    def any_gte(self, other: Weight) -> bool:
        """Whether some component is ``>=`` the other's."""
        return self.ref_time >= other.ref_time or self.proof_size >= other.proof_size

    def any_gt(self, other: Weight) -> bool:
        """Whether some component is ``>`` the other's (i.e. `self` does not fit in `other`)."""
        return self.ref_time > other.ref_time or self.proof_size > other.proof_size

    def any_eq(self, other: Weight) -> bool:
        """Whether some component equals the other's."""
        return self.ref_time == other.ref_time or self.proof_size == other.proof_size

    def to_json(self) -> dict[str, int]:
        """Return the serde JSON form, ``{"ref_time": n, "proof_size": n}`` (snake_case)."""
        return {"ref_time": int(self.ref_time), "proof_size": int(self.proof_size)}


_ZERO: Final = Weight(U64(0), U64(0))
Weight.MAX = Weight(U64(U64.MAX), U64(U64.MAX))


class RuntimeDbWeight(Struct, type_path=("sp_weights", "RuntimeDbWeight")):
    """The ``ref_time`` cost of one storage read and one storage write (System ``DbWeight``)."""

    read: U64
    """``ref_time`` of one database read."""
    write: U64
    """``ref_time`` of one database write."""

    def reads(self, count: int) -> Weight:
        """Return the weight of `count` reads (saturating, no proof size)."""
        return Weight(self.read.saturating_mul(U64(count)), U64(0))

    def writes(self, count: int) -> Weight:
        """Return the weight of `count` writes (saturating, no proof size)."""
        return Weight(self.write.saturating_mul(U64(count)), U64(0))

    def reads_writes(self, reads: int, writes: int) -> Weight:
        """Return the weight of `reads` reads plus `writes` writes (saturating)."""
        return self.reads(reads).saturating_add(self.writes(writes))


ROCKS_DB_WEIGHT: Final = RuntimeDbWeight(
    read=U64(25_000) * WEIGHT_REF_TIME_PER_NANOS, write=U64(100_000) * WEIGHT_REF_TIME_PER_NANOS
)
"""FRAME's ``RocksDbWeight``: 25 µs per read, 100 µs per write."""
PARITY_DB_WEIGHT: Final = RuntimeDbWeight(
    read=U64(8_000) * WEIGHT_REF_TIME_PER_NANOS, write=U64(50_000) * WEIGHT_REF_TIME_PER_NANOS
)
"""FRAME's ``ParityDbWeight``: 8 µs per read, 50 µs per write."""

BLOCK_EXECUTION_WEIGHT: Final = Weight.from_parts(U64(453_383) * WEIGHT_REF_TIME_PER_NANOS, 0)
"""FRAME's benchmarked ``BlockExecutionWeight`` (an empty block; 453 µs on Parity's reference
machine). The default `BlockWeights.base_block`; a runtime passes its own benchmark instead."""
EXTRINSIC_BASE_WEIGHT: Final = Weight.from_parts(U64(107_074) * WEIGHT_REF_TIME_PER_NANOS, 0)
"""FRAME's benchmarked ``ExtrinsicBaseWeight`` (a no-op extrinsic; 107 µs on Parity's reference
machine). The default `WeightsPerClass.base_extrinsic`."""
DEFAULT_NORMAL_RATIO: Final = Perbill.from_percent(75)
"""The share of a block `Normal` dispatches may use by default (FRAME's 75%)."""


# --- Dispatch classes and info (frame_support::dispatch) -----------------------------------


class DispatchClass(enum.IntEnum):
    """A generalized group of dispatches; each class has its own block limits.

    ``Normal`` (0) is for user transactions, ``Operational`` (1) for operational ones with
    reserved block space, and ``Mandatory`` (2) for inherents that are always included
    whatever their weight (so they must be validated to be light).
    """

    __module__ = "frame_support.dispatch"  # the metadata type path (see the module docs)

    Normal = 0
    Operational = 1
    Mandatory = 2

    @classmethod
    def non_mandatory(cls) -> tuple[DispatchClass, ...]:
        """Return every class except `Mandatory`."""
        return (cls.Normal, cls.Operational)

    def to_json(self) -> str:
        """Return the serde JSON form: the camelCase name (``"normal"``, ...)."""
        return self.name[0].lower() + self.name[1:]


class Pays(enum.IntEnum):
    """Whether the transactor pays the fee of a dispatch (``Yes`` = 0, ``No`` = 1)."""

    __module__ = "frame_support.dispatch"  # the metadata type path (see the module docs)

    Yes = 0
    No = 1


class DispatchInfo(Struct, type_path=("frame_support", "dispatch", "DispatchInfo")):
    """Static information about a dispatch: its weight, class and whether it pays a fee.

    This is the layout ``System.ExtrinsicSuccess`` / ``ExtrinsicFailed`` carry (the newest
    polkadot-sdk names the event's copy ``frame_system::DispatchEventInfo``, with the same three
    fields; its internal ``DispatchInfo`` splits the weight into call and extension weights,
    which never reach the wire). py-substrate-interface reads ``dispatch_info.weight``.
    """

    weight: Weight
    """The dispatch's weight (call plus any transaction-extension weight)."""
    class_: DispatchClass
    """The dispatch class (named ``class`` on the wire and in metadata)."""
    pays_fee: Pays = Pays.Yes
    """Whether the transactor pays the fee."""


class _PerDispatchClass(Generic[_T]):
    """Access by `DispatchClass` for the `PerDispatchClass*` structs."""

    __slots__ = ()

    normal: _T
    operational: _T
    mandatory: _T

    def get(self, dispatch_class: DispatchClass) -> _T:
        """Return the value for `dispatch_class`."""
        if dispatch_class is DispatchClass.Normal:
            return self.normal
        if dispatch_class is DispatchClass.Operational:
            return self.operational
        return self.mandatory

    def with_value(self, dispatch_class: DispatchClass, value: _T) -> Self:
        """Return a copy with the value for `dispatch_class` replaced."""
        normal, operational, mandatory = self.normal, self.operational, self.mandatory
        if dispatch_class is DispatchClass.Normal:
            normal = value
        elif dispatch_class is DispatchClass.Operational:
            operational = value
        else:
            mandatory = value
        make: Any = type(self)
        copy: Self = make(normal=normal, operational=operational, mandatory=mandatory)
        return copy


_PER_CLASS_PATH: Final = ("frame_support", "dispatch", "PerDispatchClass")


class PerDispatchClassWeight(
    _PerDispatchClass[Weight],
    Struct,
    type_path=_PER_CLASS_PATH,
    type_params=(("T", Weight),),
):
    """A `Weight` per dispatch class (``PerDispatchClass<Weight>``, e.g. ``System.BlockWeight``)."""

    normal: Weight
    """Value for `Normal` dispatches."""
    operational: Weight
    """Value for `Operational` dispatches."""
    mandatory: Weight
    """Value for `Mandatory` dispatches."""

    def total(self) -> Weight:
        """Return the sum over the classes, saturating."""
        return self.normal.saturating_add(self.operational).saturating_add(self.mandatory)


class PerDispatchClassU32(
    _PerDispatchClass[U32],
    Struct,
    type_path=_PER_CLASS_PATH,
    type_params=(("T", U32),),
):
    """A ``u32`` per dispatch class (``PerDispatchClass<u32>``, e.g. block length limits)."""

    normal: U32
    """Value for `Normal` dispatches."""
    operational: U32
    """Value for `Operational` dispatches."""
    mandatory: U32
    """Value for `Mandatory` dispatches."""


class WeightsPerClass(Struct, type_path=("frame_system", "limits", "WeightsPerClass")):
    """The weight limits of one dispatch class."""

    base_extrinsic: Weight
    """Base weight of a single extrinsic of this class."""
    max_extrinsic: Weight | None
    """Largest weight of a single extrinsic (excluding `base_extrinsic`); None: no limit."""
    max_total: Weight | None
    """Largest total weight of the class in a block; None: not limited."""
    reserved: Weight | None
    """Weight reserved for this class even when the block is otherwise full; None: the class
    may use the whole block (up to `max_total`)."""


class PerDispatchClassWeightsPerClass(
    _PerDispatchClass[WeightsPerClass],
    Struct,
    type_path=_PER_CLASS_PATH,
    type_params=(("T", WeightsPerClass),),
):
    """`WeightsPerClass` per dispatch class (``PerDispatchClass<WeightsPerClass>``)."""

    normal: WeightsPerClass
    """Limits for `Normal` dispatches."""
    operational: WeightsPerClass
    """Limits for `Operational` dispatches."""
    mandatory: WeightsPerClass
    """Limits for `Mandatory` dispatches."""


# --- Block limits (frame_system::limits) ---------------------------------------------------


class InvalidBlockWeights(ValueError):
    """A `BlockWeights` configuration violates FRAME's consistency rules (see ``errors``)."""

    def __init__(self, errors: tuple[str, ...]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
        """One message per violated rule."""


class BlockWeights(Struct, type_path=("frame_system", "limits", "BlockWeights")):
    """Block weight limits and base values (the System constant ``BlockWeights``).

    Each block starts with `base_block` consumed; each extrinsic costs its class's
    ``base_extrinsic`` on top of its own weight; each class is limited by its ``max_total``, the
    block by `max_block`, except for the ``reserved`` space of a class.
    """

    base_block: Weight
    """Weight of executing an empty block."""
    max_block: Weight
    """Largest total weight of all extrinsics (without reserved space)."""
    per_class: PerDispatchClassWeightsPerClass
    """The limits of each dispatch class."""

    def get(self, dispatch_class: DispatchClass) -> WeightsPerClass:
        """Return the limits of `dispatch_class`."""
        return self.per_class.get(dispatch_class)

    def validation_errors(self) -> tuple[str, ...]:
        """Return FRAME's consistency violations (``BlockWeights::validate``); empty if valid."""
        errors: list[str] = []
        for dispatch_class in DispatchClass:
            weights = self.get(dispatch_class)
            name = dispatch_class.name
            max_for_class = _or_max(weights.max_total)
            base_for_class = weights.base_extrinsic
            reserved = _or_max(weights.reserved)
            if (
                not (max_for_class.all_gt(self.base_block) and max_for_class.all_gt(base_for_class))
                and not max_for_class.is_zero()
            ):
                errors.append(
                    f"[{name}] {max_for_class} (total) has to be greater than {self.base_block} "
                    f"(base block) & {base_for_class} (base extrinsic)"
                )
            room = max_for_class.saturating_sub(base_for_class)
            if not (weights.max_extrinsic or _ZERO).all_lte(room):
                errors.append(
                    f"[{name}] {weights.max_extrinsic} (max_extrinsic) can't be greater than "
                    f"{room} (max for class)"
                )
            if not _or_max(weights.max_extrinsic).all_gt(_ZERO):
                errors.append(f"[{name}] {weights.max_extrinsic} (max_extrinsic) must not be 0")
            if not reserved.all_gt(base_for_class) and not reserved.is_zero():
                errors.append(
                    f"[{name}] {reserved} (reserved) has to be greater than {base_for_class} "
                    "(base extrinsic) if set"
                )
            if not self.max_block.all_gte(weights.max_total or _ZERO):
                errors.append(
                    f"[{name}] {self.max_block} (max block) has to be greater than "
                    f"{weights.max_total} (max for class)"
                )
            if not self.max_block.all_gt(base_for_class.saturating_add(self.base_block)):
                errors.append(
                    f"[{name}] {self.max_block} (max block) must fit at least one extrinsic "
                    f"{base_for_class.saturating_add(self.base_block)} (base weight)"
                )
        return tuple(errors)

    def validate(self) -> BlockWeights:
        """Return `self` if it is consistent.

        Raises:
            InvalidBlockWeights: a rule of FRAME's ``BlockWeights::validate`` is violated.
        """
        errors = self.validation_errors()
        if errors:
            raise InvalidBlockWeights(errors)
        return self

    @staticmethod
    def builder(
        base_block: Weight = BLOCK_EXECUTION_WEIGHT, base_extrinsic: Weight = EXTRINSIC_BASE_WEIGHT
    ) -> BlockWeightsBuilder:
        """Start building (FRAME's ``BlockWeights::builder``).

        Every class starts with `base_extrinsic` and no ``max_extrinsic``; `Normal` and
        `Operational` start with zero ``max_total`` and ``reserved`` (so nothing fits until they
        are set), `Mandatory` with no limits.
        """
        return BlockWeightsBuilder(base_block, base_extrinsic)

    @classmethod
    def simple_max(cls, block_weight: Weight) -> BlockWeights:
        """Limit `Normal` and `Operational` to `block_weight`, with zero base weights.

        No space is reserved for `Operational`, so this is not meant for production.
        """
        return (
            cls.builder(base_block=_ZERO, base_extrinsic=_ZERO)
            .for_class(
                DispatchClass.non_mandatory(),
                lambda w: dataclasses.replace(w, max_total=block_weight),
            )
            .build()
        )

    @classmethod
    def with_sensible_defaults(
        cls,
        expected_block_weight: Weight,
        normal_ratio: Perbill,
        *,
        base_block: Weight = BLOCK_EXECUTION_WEIGHT,
        base_extrinsic: Weight = EXTRINSIC_BASE_WEIGHT,
    ) -> BlockWeights:
        """FRAME's ``BlockWeights::with_sensible_defaults``.

        `Normal` may use ``normal_ratio * expected_block_weight`` (rounded to nearest per
        component); `Operational` may use the whole block and has the rest reserved; block
        initialization is assumed to take 10%, which bounds the largest single extrinsic.

        Raises:
            InvalidBlockWeights: the result is inconsistent (e.g. a tiny block weight).
        """
        normal_weight = normal_ratio * expected_block_weight
        return (
            cls.builder(base_block, base_extrinsic)
            .for_class(
                DispatchClass.Normal, lambda w: dataclasses.replace(w, max_total=normal_weight)
            )
            .for_class(
                DispatchClass.Operational,
                lambda w: dataclasses.replace(
                    w,
                    max_total=expected_block_weight,
                    reserved=expected_block_weight - normal_weight,
                ),
            )
            .avg_block_initialization(Perbill.from_percent(10))
            .build()
        )


def _or_max(weight: Weight | None) -> Weight:
    return Weight.MAX if weight is None else weight


class BlockWeightsBuilder:
    """An opinionated builder of `BlockWeights` (FRAME's ``BlockWeightsBuilder``)."""

    def __init__(self, base_block: Weight, base_extrinsic: Weight) -> None:
        self._base_block = base_block
        self._per_class: dict[DispatchClass, WeightsPerClass] = {}
        for dispatch_class in DispatchClass:
            initial = None if dispatch_class is DispatchClass.Mandatory else _ZERO
            self._per_class[dispatch_class] = WeightsPerClass(
                base_extrinsic=base_extrinsic,
                max_extrinsic=None,
                max_total=initial,
                reserved=initial,
            )
        self._init_cost: Perbill | None = None

    def base_block(self, base_block: Weight) -> Self:
        """Set the weight of an empty block."""
        self._base_block = base_block
        return self

    def avg_block_initialization(self, init_cost: Perbill) -> Self:
        """Set the share of `max_block` that block initialization takes on average.

        `build` then derives each class's ``max_extrinsic`` (where not set) as
        ``max_total - init_cost * max_block - base_extrinsic``, so that an extrinsic admitted to
        the pool can fit in a block after ``on_initialize``.
        """
        self._init_cost = init_cost
        return self

    def for_class(
        self,
        classes: DispatchClass | Iterable[DispatchClass],
        update: Callable[[WeightsPerClass], WeightsPerClass],
    ) -> Self:
        """Replace the limits of each class in `classes` by ``update(current limits)``."""
        for dispatch_class in (classes,) if isinstance(classes, DispatchClass) else classes:
            self._per_class[dispatch_class] = update(self._per_class[dispatch_class])
        return self

    def build(self) -> BlockWeights:
        """Derive `max_block` and the ``max_extrinsic`` limits, then validate.

        ``max_block`` is the component-wise maximum of the classes' ``max_total``.

        Raises:
            InvalidBlockWeights: the result violates FRAME's consistency rules.
        """
        per_class = dict(self._per_class)
        max_block = _ZERO
        for dispatch_class in DispatchClass:
            max_total = per_class[dispatch_class].max_total
            if max_total is not None:
                max_block = max_total.max(max_block)
        if self._init_cost is not None:
            init_weight = self._init_cost * max_block
            for dispatch_class, limits in per_class.items():
                if limits.max_extrinsic is None and limits.max_total is not None:
                    per_class[dispatch_class] = dataclasses.replace(
                        limits,
                        max_extrinsic=limits.max_total.saturating_sub(init_weight).saturating_sub(
                            limits.base_extrinsic
                        ),
                    )
        weights = BlockWeights(
            base_block=self._base_block,
            max_block=max_block,
            per_class=PerDispatchClassWeightsPerClass(
                normal=per_class[DispatchClass.Normal],
                operational=per_class[DispatchClass.Operational],
                mandatory=per_class[DispatchClass.Mandatory],
            ),
        )
        return weights.validate()


class BlockLength(Struct, type_path=("frame_system", "limits", "BlockLength")):
    """Block length limits in bytes, per dispatch class (the System constant ``BlockLength``).

    This is FRAME's long-standing layout; the newest polkadot-sdk appends a
    ``max_header_size: Option<u32>`` field (clients decode whichever the metadata declares).
    """

    max: PerDispatchClassU32
    """Largest total length of the extrinsics of each class."""

    @classmethod
    def with_max(cls, max_length: int) -> BlockLength:
        """Allow `max_length` bytes for every class (FRAME's ``BlockLength::max``)."""
        value = U32(max_length)
        return cls(PerDispatchClassU32(value, value, value))

    @classmethod
    def max_with_normal_ratio(cls, max_length: int, normal: Perbill) -> BlockLength:
        """Allow ``normal * max_length`` for `Normal` and `max_length` for the other classes.

        The ratio rounds to the nearest byte, half-way down (sp-arithmetic's ``Perbill * u32``).
        """
        value = U32(max_length)
        normal_length: U32 = normal * value
        return cls(PerDispatchClassU32(normal_length, value, value))


# --- Fees (pallet_transaction_payment::types) ----------------------------------------------


class RuntimeDispatchInfo(
    Struct,
    type_path=("pallet_transaction_payment", "types", "RuntimeDispatchInfo"),
    type_params=(("Balance", U128), ("Weight", Weight)),
):
    """What ``TransactionPaymentApi_query_info`` returns: weight, class and the partial fee.

    py-substrate-interface decodes it as ``{weight: Weight, class: DispatchClass, partialFee:
    u128}`` and needs exactly these bytes.
    """

    weight: Weight
    """Weight of the dispatch."""
    class_: DispatchClass
    """Class of the dispatch (``class`` on the wire)."""
    partial_fee: U128
    """The inclusion fee: base + length + weight fee, without tip or anything else that depends
    on the signature."""

    def to_json(self) -> dict[str, Any]:
        """Return the ``payment_queryInfo`` JSON form (the fee as a decimal string)."""
        return {
            "weight": self.weight.to_json(),
            "class": self.class_.to_json(),
            "partialFee": str(int(self.partial_fee)),
        }


class InclusionFee(
    Struct,
    type_path=("pallet_transaction_payment", "types", "InclusionFee"),
    type_params=(("Balance", U128),),
):
    """The fee a transaction pays to be included, in three parts."""

    base_fee: U128
    """The minimum fee of any transaction (the base extrinsic weight, converted to a fee)."""
    len_fee: U128
    """The fee for the encoded length of the transaction."""
    adjusted_weight_fee: U128
    """The fee for the weight, times the congestion multiplier."""

    def inclusion_fee(self) -> U128:
        """Return ``base_fee + len_fee + adjusted_weight_fee``, saturating."""
        return self.base_fee.saturating_add(self.len_fee).saturating_add(self.adjusted_weight_fee)


class FeeDetails(
    Struct,
    type_path=("pallet_transaction_payment", "types", "FeeDetails"),
    type_params=(("Balance", U128),),
):
    """What ``TransactionPaymentApi_query_fee_details`` returns."""

    inclusion_fee: InclusionFee | None
    """The inclusion fee; None for transactions that do not pay (``Pays::No``)."""
    tip: U128 = U128(0)
    """The tip (SCALE-encoded, but left out of the JSON form, as Substrate does)."""

    def final_fee(self) -> U128:
        """Return the inclusion fee (zero if none) plus the tip, saturating."""
        base = U128(0) if self.inclusion_fee is None else self.inclusion_fee.inclusion_fee()
        return base.saturating_add(self.tip)
