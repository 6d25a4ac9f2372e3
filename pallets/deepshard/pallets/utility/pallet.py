"""Utility: dispatch several calls in one transaction, through a pseudonym, or as another origin.

Overview
--------
FRAME's ``pallet_utility``, with its call, event and error indices, so that wallets and
exchanges (polkadot.js ``tx.utility.batchAll``, substrate-interface ``compose_call("Utility",
...)``) build their calls unchanged:

=====  ====================  ==========================================================
index  call                  behaviour
=====  ====================  ==========================================================
0      ``batch``             calls in order; stops at the first failure (earlier calls
                             stay applied, the failed one is undone), ``BatchInterrupted``
1      ``as_derivative``     one call from the signer's pseudonym `index`
                             (`derivative_account_id`)
2      ``batch_all``         all calls or none: the first failure fails the whole call
3      ``dispatch_as``       Root dispatches a call as any origin; ``DispatchedAs`` records
                             the outcome
4      ``force_batch``       every call, failures recorded (``ItemFailed``) and skipped
5      ``with_weight``       Root dispatches a call with a weight it declares
6      ``dispatch_as_checked``  as ``dispatch_as``, but the call's failure is the result
=====  ====================  ==========================================================

Every inner call runs in its own storage layer, so a failed one leaves nothing behind. Batches
refuse the ``None`` origin and more than `BATCHED_CALLS_LIMIT` calls (``TooManyCalls``). As in
FRAME, a signed ``batch_all`` may not contain another ``batch_all`` (at any depth): the inner
one fails with ``System.CallFiltered``; Root bypasses that filter.

Weights and fees
----------------
A batch weighs the table's figure for its length plus the declared weight of every inner call;
``as_derivative`` and ``dispatch_as`` add their inner call's weight; ``with_weight`` weighs what
Root declares. Deepshard has no post-dispatch refund: an interrupted batch pays for all of its
calls. All calls are ``Normal`` (FRAME makes a batch of only ``Operational`` calls
``Operational``; Deepshard's runtime has no operational calls that users batch).
"""

from __future__ import annotations

from typing import Any, Final

from deepshard.pallets.sudo.pallet import inner_dispatch_meta
from deepshard.pallets.system.pallet import CallFiltered
from deepshard.pallets.utility.logic import derivative_account_id
from deepshard.pallets.utility.weights import BenchmarkedWeights, UtilityWeights
from deepshard.primitives.codec import Enum, Err, Ok, Vec
from deepshard.primitives.dispatch import DispatchError, DispatchResult
from deepshard.primitives.numeric import U16, U32
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    ROOT,
    BadOrigin,
    NoneOrigin,
    Origin,
    OuterCall,
    OuterOrigin,
    Pallet,
    PalletConfig,
    PalletError,
    Root,
    Signed,
    call,
    constant,
    ensure,
    ensure_root,
    ensure_signed,
)
from deepshard.runtime.support.errors import DispatchError as RaisedError
from deepshard.runtime.support.wire import to_wire

__all__ = [
    "BATCHED_CALLS_LIMIT",
    "Config",
    "Event",
    "BatchInterrupted",
    "BatchCompleted",
    "BatchCompletedWithErrors",
    "ItemCompleted",
    "ItemFailed",
    "DispatchedAs",
    "Error",
    "TooManyCalls",
    "Utility",
]

BATCHED_CALLS_LIMIT: Final = 10_922
"""FRAME's limit for a runtime whose call enum fits 1 KiB: 32 MiB / 3 / 1024."""


# --- Config -----------------------------------------------------------------------------------


class Config(PalletConfig):
    """Configuration of the Utility pallet."""

    batched_calls_limit: U32 = constant(
        default=U32(BATCHED_CALLS_LIMIT),
        doc="The limit on the number of batched calls.",
        name="batched_calls_limit",
    )
    weights: Any = BenchmarkedWeights()
    """The weight table of the calls (`UtilityWeights`)."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_utility", "pallet", "Event")):
    """The `Event` enum of this pallet."""


class BatchInterrupted(Event, index=0):
    """A batch stopped at a failing call; the calls before it were applied."""

    index: U32
    """The position of the call that failed."""
    error: DispatchError
    """Why it failed."""


class BatchCompleted(Event, index=1):
    """Every call of a batch succeeded."""


class BatchCompletedWithErrors(Event, index=2):
    """A ``force_batch`` ran every call, and some of them failed."""


class ItemCompleted(Event, index=3):
    """One call of a batch succeeded."""


class ItemFailed(Event, index=4):
    """One call of a ``force_batch`` failed (its writes were undone)."""

    error: DispatchError
    """Why it failed."""


class DispatchedAs(Event, index=5):
    """``dispatch_as`` dispatched its call."""

    result: DispatchResult
    """The call's outcome."""


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Errors of the Utility pallet."""


class TooManyCalls(Error, index=0):
    """The batch holds more calls than ``batched_calls_limit``."""


# --- Weights of the calls (each takes the weight table, then the call's arguments) -------------


def _inner(calls: Any) -> Weight:
    total = Weight.zero()
    for one in calls:
        total = total.saturating_add(inner_dispatch_meta(one).weight)
    return total


def _batch_weight(weights: UtilityWeights, calls: Any) -> Weight:
    return weights.batch(len(calls)).saturating_add(_inner(calls))


def _batch_all_weight(weights: UtilityWeights, calls: Any) -> Weight:
    return weights.batch_all(len(calls)).saturating_add(_inner(calls))


def _force_batch_weight(weights: UtilityWeights, calls: Any) -> Weight:
    return weights.force_batch(len(calls)).saturating_add(_inner(calls))


def _as_derivative_weight(weights: UtilityWeights, index: Any, call: Any) -> Weight:
    del index
    return weights.as_derivative().saturating_add(inner_dispatch_meta(call).weight)


def _dispatch_as_weight(weights: UtilityWeights, as_origin: Any, call: Any) -> Weight:
    del as_origin
    return weights.dispatch_as().saturating_add(inner_dispatch_meta(call).weight)


def _with_weight_weight(weights: UtilityWeights, call: Any, weight: Weight) -> Weight:
    del weights, call
    return weight


# --- Pallet -----------------------------------------------------------------------------------


class Utility(Pallet[Config], name="Utility", config=Config, event=Event, error=Error):
    """The Utility pallet (FRAME's `pallet_utility`)."""

    _filtered_depth = 0
    """How many signed ``batch_all`` calls enclose the one running (FRAME's origin filter)."""

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=_batch_weight)
    def batch(self, origin: Origin, calls: Vec[OuterCall]) -> None:
        """Dispatch `calls` in order from this origin, stopping at the first failure.

        The call itself succeeds; ``BatchInterrupted`` names the failed call and its error, or
        ``BatchCompleted`` says every call succeeded. Any origin but ``None``.
        """
        # Fails with BadOrigin (None origin) or TooManyCalls.
        self._check_batch(origin, calls)
        for index, one in enumerate(calls):
            failure = self._try_dispatch(one, origin)
            if failure is not None:
                self.deposit_event(BatchInterrupted(index=U32(index), error=failure))
                return
            self.deposit_event(ItemCompleted())
        self.deposit_event(BatchCompleted())

    @call(index=1, weight=_as_derivative_weight)
    def as_derivative(self, origin: Origin, index: U16, call: OuterCall) -> None:
        """Dispatch `call` from the signer's pseudonym `index` (see `derivative_account_id`).

        The call's failure is this call's failure. Origin: signed.
        """
        who = ensure_signed(origin)
        pseudonym = derivative_account_id(who, int(index))
        self.ctx.runtime.dispatch(self.ctx, call, Signed(pseudonym))

    @call(index=2, weight=_batch_all_weight)
    def batch_all(self, origin: Origin, calls: Vec[OuterCall]) -> None:
        """Dispatch `calls` in order from this origin, all or none.

        The first failing call fails this call with its error, and every earlier call is undone.
        Any origin but ``None``.
        """
        # Fails with BadOrigin, TooManyCalls, CallFiltered (nested in a signed batch_all), or
        # the first inner call's error.
        self._check_batch(origin, calls)
        root = isinstance(origin, Root)
        ensure(root or self._filtered_depth == 0, CallFiltered)
        if not root:
            self._filtered_depth += 1
        try:
            for one in calls:
                self.ctx.runtime.dispatch(self.ctx, one, origin)
                self.deposit_event(ItemCompleted())
        finally:
            if not root:
                self._filtered_depth -= 1
        self.deposit_event(BatchCompleted())

    @call(index=3, weight=_dispatch_as_weight)
    def dispatch_as(self, origin: Origin, as_origin: OuterOrigin, call: OuterCall) -> None:
        """Dispatch `call` from `as_origin`; ``DispatchedAs`` records the outcome. Origin: root."""
        ensure_root(origin)
        failure = self._try_dispatch(call, self.ctx.runtime.origin_of(as_origin))
        self.deposit_event(DispatchedAs(result=Ok(()) if failure is None else Err(failure)))

    @call(index=4, weight=_force_batch_weight)
    def force_batch(self, origin: Origin, calls: Vec[OuterCall]) -> None:
        """Dispatch every one of `calls` from this origin, whatever fails.

        ``ItemCompleted`` or ``ItemFailed`` follows each call, then ``BatchCompleted`` or
        ``BatchCompletedWithErrors``. Any origin but ``None``.
        """
        # Fails with BadOrigin (None origin) or TooManyCalls.
        self._check_batch(origin, calls)
        failed = False
        for one in calls:
            failure = self._try_dispatch(one, origin)
            if failure is None:
                self.deposit_event(ItemCompleted())
            else:
                failed = True
                self.deposit_event(ItemFailed(error=failure))
        self.deposit_event(BatchCompletedWithErrors() if failed else BatchCompleted())

    @call(index=5, weight=_with_weight_weight)
    def with_weight(self, origin: Origin, call: OuterCall, weight: Weight) -> None:
        """Dispatch `call` as Root, weighing `weight` whatever the call declares. Origin: root.

        The call's failure is this call's failure.
        """
        del weight  # only the declared weight uses it
        ensure_root(origin)
        self.ctx.runtime.dispatch(self.ctx, call, ROOT)

    @call(index=6, weight=_dispatch_as_weight)
    def dispatch_as_checked(self, origin: Origin, as_origin: OuterOrigin, call: OuterCall) -> None:
        """Dispatch `call` from `as_origin`; its failure is this call's failure. Origin: root."""
        ensure_root(origin)
        self.ctx.runtime.dispatch(self.ctx, call, self.ctx.runtime.origin_of(as_origin))
        self.deposit_event(DispatchedAs(result=Ok(())))

    # --- helpers ---------------------------------------------------------------------------------

    def _check_batch(self, origin: Origin, calls: Any) -> None:
        """Refuse the ``None`` origin and oversized batches.

        Raises:
            BadOrigin: the origin is ``None``.
            TooManyCalls: more calls than the configured limit.
        """
        if isinstance(origin, NoneOrigin):
            raise BadOrigin
        ensure(len(calls) <= int(self.config.batched_calls_limit), TooManyCalls)

    def _try_dispatch(self, outer_call: Any, origin: Origin) -> DispatchError | None:
        """Dispatch in its own layer; return the wire error if it failed, else None."""
        runtime = self.ctx.runtime
        try:
            runtime.dispatch(self.ctx, outer_call, origin)
        except RaisedError as error:
            return to_wire(runtime, error)
        return None
