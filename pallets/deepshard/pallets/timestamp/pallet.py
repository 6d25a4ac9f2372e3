"""Timestamp: the on-chain time, set once per block by an inherent (FRAME's `pallet_timestamp`).

Overview
--------
Every block carries one ``Timestamp.set(now)`` inherent, put there by its author from the
node's clock (inherent identifier ``b"timstap0"``, a ``u64`` of milliseconds since the Unix
epoch). The pallet stores it in ``Timestamp.Now``; other pallets read it with `Timestamp.get`.
A consensus pallet that must agree with the time (Aura: the slot of the timestamp must be the
block's slot) is notified through ``Config.on_timestamp_set``.

Terminology
-----------
* *minimum period*: the least time between two blocks' timestamps (``MinimumPeriod``); Aura's
  slot duration is twice this by default.
* *drift*: how far into the future, by the importing node's own clock, a timestamp may lie
  (`MAX_TIMESTAMP_DRIFT_MILLIS`); checked by `check_inherent`, not by `set`.

Assumptions and failure modes
-----------------------------
A block without the inherent, with two of them, or with a timestamp less than
``MinimumPeriod`` after its parent's is an invalid block: FRAME panics, Deepshard raises a
`RuntimePanic` (`TimestampNotSet`, `TimestampAlreadySet`, `TimestampTooEarly`), which the
executive turns into block rejection. Only the first block after genesis (``Now`` still zero)
may carry any timestamp. Inherents are applied in pallet-index order, so Timestamp must come
before every pallet that reads the time in its own inherent.

The pallet has no events and no error enum (as FRAME's); its metadata is FRAME's exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final, Protocol, cast

from deepshard.pallets.timestamp.weights import ReferenceWeights
from deepshard.primitives.codec import Compact, encode
from deepshard.primitives.numeric import U64
from deepshard.primitives.weights import DispatchClass, Weight
from deepshard.runtime.support import (
    Origin,
    Pallet,
    PalletConfig,
    StorageValue,
    ValueQuery,
    call,
    constant,
    ensure_none,
    storage,
)
from deepshard.runtime.support.inherents import InherentData, InherentDataError, InherentError
from deepshard.runtime.support.panic import RuntimePanic

__all__ = [
    "INHERENT_IDENTIFIER",
    "MAX_TIMESTAMP_DRIFT_MILLIS",
    "Config",
    "OnTimestampSet",
    "TimestampInherentError",
    "TimestampAlreadySet",
    "TimestampTooEarly",
    "TimestampNotSet",
    "Timestamp",
]

INHERENT_IDENTIFIER: Final = b"timstap0"
"""Identifier of the timestamp's inherent data (``sp_timestamp::INHERENT_IDENTIFIER``)."""

MAX_TIMESTAMP_DRIFT_MILLIS: Final = U64(30_000)
"""How far past the checking node's own time a block's timestamp may be (FRAME: 30 s)."""


# --- Config -----------------------------------------------------------------------------------


class OnTimestampSet(Protocol):
    """A pallet told about each new timestamp (FRAME's ``OnTimestampSet``), e.g. Aura."""

    def on_timestamp_set(self, moment: U64) -> None:
        """React to the block's timestamp `moment` (raise `RuntimePanic` to reject the block)."""
        ...


class Config(PalletConfig):
    """Configuration of the Timestamp pallet."""

    minimum_period: U64 = constant(
        default=U64(3_000),
        doc=(
            "The minimum period between blocks.\n"
            "\n"
            "Be aware that this is different to the *expected* period that the block production\n"
            "apparatus provides. Your chosen consensus system will generally work with this to\n"
            "determine a sensible block time. For example, in the Aura pallet it will be double "
            "this\nperiod on default settings."
        ),
        name="MinimumPeriod",
    )
    on_timestamp_set: tuple[type[Any], ...] = ()
    """Pallet classes notified of each timestamp, in order (each an `OnTimestampSet`)."""
    weights: Any = ReferenceWeights()
    """The weight table (`TimestampWeights`)."""


# --- Types ------------------------------------------------------------------------------------


class TimestampInherentError(enum.IntEnum):
    """Why a timestamp inherent fails `check_inherent` (``sp_timestamp::InherentError``).

    Both are fatal: the importing node rejects the block.
    """

    __module__ = "sp_timestamp"  # the metadata type path

    TooEarly = 0
    """The time since the last timestamp is lower than the minimum period."""
    TooFarInFuture = 1
    """The timestamp of the block is too far in the future."""


_INHERENT_MESSAGES: Final = {
    TimestampInherentError.TooEarly: (
        "The time since the last timestamp is lower than the minimum period."
    ),
    TimestampInherentError.TooFarInFuture: "The timestamp of the block is too far in the future.",
}


# --- Errors (block-level: the block is invalid) -----------------------------------------------


class TimestampAlreadySet(RuntimePanic):
    """Timestamp must be updated only once in the block."""


class TimestampTooEarly(RuntimePanic):
    """Timestamp must increment by at least <MinimumPeriod> between sequential blocks."""


class TimestampNotSet(RuntimePanic):
    """Timestamp must be updated once in the block."""


# --- Pallet -----------------------------------------------------------------------------------


class Timestamp(Pallet[Config], name="Timestamp", config=Config):
    """The Timestamp pallet (FRAME's `pallet_timestamp`)."""

    INHERENT_IDENTIFIER: Final = INHERENT_IDENTIFIER
    """The identifier of the pallet's inherent data (`ProvideInherent`)."""
    INHERENT_CALL: Final = "set"
    """The pallet's inherent call (`ProvideInherent`)."""

    now: StorageValue[U64, ValueQuery] = storage(
        default=U64(0), doc="The current time for the current block."
    )
    did_update: StorageValue[bool, ValueQuery] = storage(
        default=False,
        doc=(
            "Whether the timestamp has been updated in this block.\n"
            "\n"
            "This value is updated to `true` upon successful submission of a timestamp by a "
            "node.\nIt is then checked at the end of each block execution in the `on_finalize` "
            "hook."
        ),
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=lambda w: w.set(), dispatch_class=DispatchClass.Mandatory)
    def set(self, origin: Origin, now: Compact[U64]) -> None:
        """Set the current time.

        This call should be invoked exactly once per block. It will panic at the finalization
        phase, if this call hasn't been invoked by that time.

        The timestamp should be greater than the previous one by the amount specified by
        [`Config::MinimumPeriod`].

        The dispatch origin for this call must be _None_.

        This dispatch class is _Mandatory_ to ensure it gets executed in the block. Be aware
        that changing the complexity of this call could result exhausting the resources in a
        block to execute any other calls.

        ## Complexity
        - `O(1)` (Note that implementations of `OnTimestampSet` must also be `O(1)`)
        - 1 storage read and 1 storage mutation (codec `O(1)` because of `DidUpdate::take` in
          `on_finalize`)
        - 1 event handler `on_timestamp_set`. Must be `O(1)`.
        """
        # Fails with BadOrigin (not None), TimestampAlreadySet or TimestampTooEarly; the two
        # panics make the block invalid. (The docstring is the call's metadata docs: FRAME's.)
        ensure_none(origin)
        if self.did_update.exists():
            raise TimestampAlreadySet
        previous = self.now.get()
        if previous != 0 and now < previous.saturating_add(self.config.minimum_period):
            raise TimestampTooEarly(
                f"Timestamp must increment by at least {int(self.config.minimum_period)} ms "
                f"between sequential blocks: {int(now)} follows {int(previous)}"
            )
        self._store(now)

    # --- hooks -----------------------------------------------------------------------------------

    def on_initialize(self, n: int) -> Weight:  # noqa: ARG002 - hook signature
        """Charge the weight of `on_finalize` up front (FRAME does the same)."""
        weight: Weight = self.config.weights.on_finalize()
        return weight

    def on_finalize(self, n: int) -> None:
        """Check that the block had its timestamp inherent, and clear the flag.

        Raises:
            TimestampNotSet: no ``Timestamp.set`` was applied in block `n`.
        """
        if not self.did_update.take():
            raise TimestampNotSet(
                f"Timestamp must be updated once in the block: block {n} has no timestamp "
                "inherent, so it is invalid"
            )

    # --- inherent (FRAME's ProvideInherent) ------------------------------------------------------

    def create_inherent(self, data: InherentData) -> dict[str, Any] | None:
        """Return the arguments of the block's ``set`` inherent from the author's `data`.

        The time is the author's clock, but at least ``MinimumPeriod`` after the previous
        block's timestamp.

        Raises:
            InherentDataError: `data` has no (or a malformed) timestamp entry.
        """
        moment = self._moment_of(data)
        earliest = self.now.get().saturating_add(self.config.minimum_period)
        return {"now": max(moment, earliest)}

    def check_inherent(self, arguments: Mapping[str, Any], data: InherentData) -> None:
        """Check a block's ``set(now)`` against the importing node's `data`.

        Raises:
            InherentError: ``now`` lies more than `MAX_TIMESTAMP_DRIFT_MILLIS` past the node's
                time (``TooFarInFuture``) or less than ``MinimumPeriod`` after the previous
                timestamp (``TooEarly``); both are fatal.
            InherentDataError: `data` has no (or a malformed) timestamp entry.
        """
        moment = U64(arguments["now"])
        local = self._moment_of(data)
        minimum = self.now.get().saturating_add(self.config.minimum_period)
        if moment > local.saturating_add(MAX_TIMESTAMP_DRIFT_MILLIS):
            raise _inherent_error(TimestampInherentError.TooFarInFuture)
        if moment < minimum:
            raise _inherent_error(TimestampInherentError.TooEarly)

    def is_inherent(self, call_name: str) -> bool:
        """Whether the call `call_name` of this pallet is its inherent (``set``)."""
        return call_name == self.INHERENT_CALL

    # --- helpers ---------------------------------------------------------------------------------

    def get(self) -> U64:
        """Return the current time (milliseconds since the Unix epoch).

        Before this block's inherent is applied, this is the previous block's time (zero at
        genesis).
        """
        return self.now.get()

    def set_timestamp(self, now: U64) -> None:
        """Set the time without the call's checks (tests and benchmarks, as FRAME's)."""
        self._store(now)

    def _store(self, now: U64) -> None:
        self.now.put(now)
        self.did_update.put(True)
        for listener in self.config.on_timestamp_set:
            cast(OnTimestampSet, self.ctx.pallet(listener)).on_timestamp_set(now)

    @staticmethod
    def _moment_of(data: InherentData) -> U64:
        moment = data.get_data(INHERENT_IDENTIFIER, U64)
        if moment is None:
            raise InherentDataError("Timestamp inherent data must be provided")
        return cast(U64, moment)

    @classmethod
    def integrity_test(cls, config: PalletConfig) -> None:
        """Check that every ``on_timestamp_set`` listener has an ``on_timestamp_set`` method.

        Raises:
            ValueError: a listener cannot be notified.
        """
        listeners = config.on_timestamp_set if isinstance(config, Config) else ()
        for listener in listeners:
            if not callable(getattr(listener, "on_timestamp_set", None)):
                raise ValueError(
                    f"Timestamp.on_timestamp_set: {listener.__name__} has no on_timestamp_set"
                )


def _inherent_error(kind: TimestampInherentError) -> InherentError:
    return InherentError(
        INHERENT_IDENTIFIER,
        encode(kind, TimestampInherentError),
        fatal=True,
        message=_INHERENT_MESSAGES[kind],
    )
