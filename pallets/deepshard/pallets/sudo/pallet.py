"""Sudo: one privileged account that may dispatch any call as `Root` (FRAME's `pallet_sudo`).

Overview
--------
The *sudo key* (``Sudo.Key``) is an account allowed to dispatch calls with the `Root` origin
(``sudo``, ``sudo_unchecked_weight``) or as any other account (``sudo_as``), to hand the key
over (``set_key``) and to give it up for good (``remove_key``). A devnet starts with a key
(`SudoGenesis`); governance would replace it later.

Every call first checks that the origin is the sudo key (or `Root` itself, as in the newest
FRAME); anyone else fails with `RequireSudo`, an unsigned origin with `BadOrigin`. The
wrapped call then runs in its own storage layer: if it fails, its writes are undone, and the
sudo call still *succeeds*, recording the wrapped call's outcome (``Ok(())`` or
``Err(DispatchError)``) in ``Sudid`` / ``SudoAsDone``. A `RuntimePanic` in the wrapped call is
not caught: the block is invalid, as a panic is in FRAME.

Weights and fees
----------------
``sudo`` and ``sudo_as`` weigh the table's figure plus the wrapped call's weight, so a block
cannot be overfilled through sudo; ``sudo_unchecked_weight`` weighs what its caller declares.
FRAME takes the wrapped call's dispatch class and, after dispatch, returns ``Pays::No`` (the
fee paid up front is refunded). Deepshard has no post-dispatch correction: sudo calls are
``Normal`` and pay their declared fee like any other call (an open point; a successful sudo
call thus costs the key holder a fee, and a failed ``RequireSudo`` attempt costs the caller one,
as in FRAME).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepshard.pallets.sudo.weights import ReferenceWeights, SudoWeights
from deepshard.primitives.codec import AccountId32, Enum, Err, Ok
from deepshard.primitives.dispatch import DispatchResult
from deepshard.primitives.extrinsic import MultiAddress
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    ROOT,
    DispatchError,
    DispatchMeta,
    GenesisConfig,
    OptionQuery,
    Origin,
    OuterCall,
    Pallet,
    PalletConfig,
    PalletError,
    Root,
    Runtime,
    Signed,
    StorageValue,
    call,
    ensure,
    ensure_signed,
    storage,
)
from deepshard.runtime.support.wire import lookup_account, to_wire

__all__ = [
    "Config",
    "Event",
    "Sudid",
    "KeyChanged",
    "KeyRemoved",
    "SudoAsDone",
    "Error",
    "RequireSudo",
    "SudoGenesis",
    "Sudo",
    "inner_dispatch_meta",
]


# --- Config -----------------------------------------------------------------------------------


class Config(PalletConfig):
    """Configuration of the Sudo pallet."""

    weights: Any = ReferenceWeights()
    """The weight table of the calls (`SudoWeights`)."""


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_sudo", "pallet", "Event")):
    """The `Event` enum of this pallet."""


class Sudid(Event, index=0):
    """A sudo call just took place."""

    sudo_result: DispatchResult
    """The result of the call made by the sudo user."""


class KeyChanged(Event, index=1):
    """The sudo key has been updated."""

    old: AccountId32 | None
    """The old sudo key (if one was previously set)."""
    new: AccountId32
    """The new sudo key (if one was set)."""


class KeyRemoved(Event, index=2):
    """The key was permanently removed."""


class SudoAsDone(Event, index=3):
    """A [sudo_as](Pallet::sudo_as) call just took place."""

    sudo_result: DispatchResult
    """The result of the call made by the sudo user."""


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Error for the Sudo pallet."""


class RequireSudo(Error, index=0):
    """Sender must be the Sudo account."""


# --- Genesis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SudoGenesis(GenesisConfig):
    """Genesis of the Sudo pallet: the initial sudo key, if any."""

    key: AccountId32 | None = None
    """The `AccountId` of the sudo key (None: the chain starts without one)."""

    def build(self, pallet: Sudo) -> None:
        """Store the key, if one is given."""
        if self.key is not None:
            pallet.key.put(AccountId32(self.key))


# --- Weights of the calls (each takes the weight table, then the call's arguments) -------------


def _sudo_weight(weights: SudoWeights, call: Any) -> Weight:
    return weights.sudo().saturating_add(inner_dispatch_meta(call).weight)


def _unchecked_weight(weights: SudoWeights, call: Any, weight: Weight) -> Weight:
    del weights, call
    return weight


def _sudo_as_weight(weights: SudoWeights, who: MultiAddress, call: Any) -> Weight:
    del who
    return weights.sudo_as().saturating_add(inner_dispatch_meta(call).weight)


# --- Pallet -----------------------------------------------------------------------------------


class Sudo(
    Pallet[Config], name="Sudo", config=Config, event=Event, error=Error, genesis=SudoGenesis
):
    """The Sudo pallet (FRAME's `pallet_sudo`)."""

    key: StorageValue[AccountId32, OptionQuery] = storage(doc="The `AccountId` of the sudo key.")

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=_sudo_weight)
    def sudo(self, origin: Origin, call: OuterCall) -> None:
        """Authenticates the sudo key and dispatches a function call with `Root` origin."""
        # Fails with RequireSudo or BadOrigin; the wrapped call's failure is recorded instead.
        self.ensure_sudo(origin)
        self.deposit_event(Sudid(sudo_result=self._dispatch(call, ROOT)))

    @call(index=1, weight=_unchecked_weight)
    def sudo_unchecked_weight(self, origin: Origin, call: OuterCall, weight: Weight) -> None:
        """Authenticates the sudo key and dispatches a function call with `Root` origin.
        This function does not check the weight of the call, and instead allows the
        Sudo user to specify the weight of the call.

        The dispatch origin for this call must be _Signed_.
        """  # noqa: D205 - FRAME's docs, line for line (they are the metadata docs)
        del weight  # only the call's declared weight uses it
        self.ensure_sudo(origin)
        self.deposit_event(Sudid(sudo_result=self._dispatch(call, ROOT)))

    @call(index=2, weight=lambda w: w.set_key())
    def set_key(self, origin: Origin, new: MultiAddress) -> None:
        """Authenticates the current sudo key and sets the given AccountId (`new`) as the new sudo
        key.
        """  # noqa: D205 - FRAME's docs, line for line (they are the metadata docs)
        # Fails with RequireSudo, BadOrigin or CannotLookup (a non-Id address).
        self.ensure_sudo(origin)
        account = lookup_account(new)
        self.deposit_event(KeyChanged(old=self.key.get(), new=account))
        self.key.put(account)

    @call(index=3, weight=_sudo_as_weight)
    def sudo_as(self, origin: Origin, who: MultiAddress, call: OuterCall) -> None:
        """Authenticates the sudo key and dispatches a function call with `Signed` origin from
        a given account.

        The dispatch origin for this call must be _Signed_.
        """  # noqa: D205 - FRAME's docs, line for line (they are the metadata docs)
        # Fails with RequireSudo, BadOrigin or CannotLookup; the wrapped call's failure is
        # recorded instead.
        self.ensure_sudo(origin)
        account = lookup_account(who)
        self.deposit_event(SudoAsDone(sudo_result=self._dispatch(call, Signed(account))))

    @call(index=4, weight=lambda w: w.remove_key())
    def remove_key(self, origin: Origin) -> None:
        """Permanently removes the sudo key.

        **This cannot be un-done.**
        """
        # Fails with RequireSudo or BadOrigin.
        self.ensure_sudo(origin)
        self.deposit_event(KeyRemoved())
        self.key.kill()

    # --- helpers ---------------------------------------------------------------------------------

    def ensure_sudo(self, origin: Origin) -> None:
        """Check that `origin` is `Root` or signed by the sudo key.

        Raises:
            BadOrigin: the origin is neither signed nor root.
            RequireSudo: the signer is not the sudo key (or there is none).
        """
        if isinstance(origin, Root):
            return
        who = ensure_signed(origin)
        ensure(self.key.get() == who, RequireSudo)

    def _dispatch(self, outer_call: Any, origin: Origin) -> Any:
        """Dispatch `outer_call` from `origin` in its own layer; return its `DispatchResult`."""
        runtime = self.ctx.runtime
        try:
            runtime.dispatch(self.ctx, outer_call, origin)
        except DispatchError as error:
            return Err(to_wire(runtime, error))
        return Ok(())


def inner_dispatch_meta(outer_call: Any) -> DispatchMeta:
    """Return the weight, class and fee flag of a wrapped `RuntimeCall` value.

    The value's runtime is found through its ``RuntimeCall`` class (``RuntimeCall.RUNTIME``).

    Raises:
        TypeError: `outer_call` is not a call value of a composed `Runtime`.
    """
    runtime = getattr(type(outer_call), "RUNTIME", None)
    if not isinstance(runtime, Runtime):
        raise TypeError(f"{outer_call!r} is not a RuntimeCall value of a composed runtime")
    return runtime.dispatch_meta(outer_call)
