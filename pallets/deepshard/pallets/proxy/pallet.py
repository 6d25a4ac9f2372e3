"""Proxy: accounts that act for other accounts, within a `ProxyType` (FRAME's `pallet_proxy`).

Overview
--------
An account (the *real* one) registers *delegates* with ``add_proxy``: each may then dispatch
calls from the real account with ``proxy``, limited by its `ProxyType` (``Any``,
``NonTransfer``, ``CancelProxy``, ``Protocol``; see `ProxyType`). A proxy with a *delay* must
first ``announce`` the call's hash and wait `delay` blocks before ``proxy_announced``, during
which the real account may ``reject_announcement``: a cold key can thus guard a hot one.

``create_pure`` spawns a keyless *pure* account whose only access is the spawner's proxy
(`pure_account` derives it from the spawner, the block, the extrinsic index, the type and a
disambiguation index); ``kill_pure``, dispatched from the pure account through its proxy,
removes it and returns the spawner's deposit. ``poke_deposit`` re-prices the sender's
deposits after the deposit constants change.

Deposits, as FRAME prices them, are Balances holds: ``ProxyDepositBase + n *
ProxyDepositFactor`` for n proxies (reason `PROXY_HOLD`) and ``AnnouncementDepositBase + n *
AnnouncementDepositFactor`` for n pending announcements (reason `ANNOUNCEMENT_HOLD`).

Filters: a proxied call, and every call nested in it (batches, ``as_derivative``, ...), must be
allowed by the proxy's type, and a proxy may only add or remove proxies its type covers
(`is_superset`) and only an ``Any`` proxy may ``remove_proxies``, ``create_pure`` or
``kill_pure``. A refused call is recorded as ``ProxyExecuted { result: Err(CallFiltered) }``,
as in FRAME. Call, event and error indices, argument names and storage layout are FRAME's.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import Any, Final, Protocol, cast

from deepshard.pallets.balances import Balances, ReasonId
from deepshard.pallets.proxy.logic import ProxyType, deposit_for, is_superset, pure_account
from deepshard.pallets.proxy.weights import BenchmarkedWeights, ProxyWeights
from deepshard.pallets.sudo.pallet import inner_dispatch_meta
from deepshard.pallets.system.pallet import CallFiltered
from deepshard.primitives.codec import H256, AccountId32, Compact, Enum, Err, Ok, Struct, Vec
from deepshard.primitives.dispatch import DispatchResult
from deepshard.primitives.extrinsic import MultiAddress
from deepshard.primitives.hashing import StorageHasher, blake2_256
from deepshard.primitives.numeric import U16, U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    Origin,
    OuterCall,
    Pallet,
    PalletConfig,
    PalletError,
    Signed,
    StorageMap,
    ValueQuery,
    call,
    constant,
    ensure,
    ensure_signed,
    storage,
)
from deepshard.runtime.support.errors import DispatchError as RaisedError
from deepshard.runtime.support.wire import lookup_account, to_wire

__all__ = [
    "PROXY_HOLD",
    "ANNOUNCEMENT_HOLD",
    "MAX_PROXIES",
    "MAX_PENDING",
    "PROTOCOL_PALLETS",
    "Config",
    "ProxyDefinition",
    "Announcement",
    "Event",
    "ProxyExecuted",
    "PureCreated",
    "Announced",
    "ProxyAdded",
    "ProxyRemoved",
    "PureKilled",
    "DepositKind",
    "DepositPoked",
    "Error",
    "TooMany",
    "NotFound",
    "NotProxy",
    "Unproxyable",
    "Duplicate",
    "NoPermission",
    "Unannounced",
    "NoSelfProxy",
    "ProxyPallet",
    "call_allowed",
]

PROXY_HOLD: Final = ReasonId(b"proxydep")
"""The hold reason of proxy deposits."""
ANNOUNCEMENT_HOLD: Final = ReasonId(b"announce")
"""The hold reason of announcement deposits."""
MAX_PROXIES: Final = 32
"""The default ``MaxProxies`` (FRAME's node); weights are priced at it."""
MAX_PENDING: Final = 32
"""The default ``MaxPending`` (FRAME's node); weights are priced at it."""
PROTOCOL_PALLETS: Final = frozenset({"Informants", "Training", "Licences"})
"""The pallets whose calls a ``Protocol`` proxy may make."""
_BATCHES: Final = frozenset({"batch", "batch_all", "force_batch"})


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


class Config(PalletConfig):
    """Configuration of the Proxy pallet."""

    proxy_deposit_base: U128 = constant(
        default=U128(0),
        doc="The deposit held for having any proxy (one storage item).",
        name="ProxyDepositBase",
    )
    proxy_deposit_factor: U128 = constant(
        default=U128(0),
        doc="The deposit held per proxy (33 bytes each: an account and a proxy type).",
        name="ProxyDepositFactor",
    )
    max_proxies: U32 = constant(
        default=U32(MAX_PROXIES), doc="The maximum number of proxies of one account."
    )
    max_pending: U32 = constant(
        default=U32(MAX_PENDING), doc="The maximum number of pending announcements of a proxy."
    )
    announcement_deposit_base: U128 = constant(
        default=U128(0),
        doc="The deposit held for having any pending announcement (one storage item).",
        name="AnnouncementDepositBase",
    )
    announcement_deposit_factor: U128 = constant(
        default=U128(0),
        doc="The deposit held per pending announcement (68 bytes each).",
        name="AnnouncementDepositFactor",
    )
    currency: type[Pallet[Any]] = Balances
    """The pallet that holds deposits (`HoldCurrency`)."""
    weights: Any = BenchmarkedWeights()
    """The weight table of the calls (`ProxyWeights`)."""


# --- Types ------------------------------------------------------------------------------------


class ProxyDefinition(
    Struct,
    type_path=("pallet_proxy", "ProxyDefinition"),
    type_params=(("AccountId", AccountId32), ("ProxyType", ProxyType), ("BlockNumber", U32)),
):
    """A delegate of an account, its type and its announcement delay."""

    delegate: AccountId32
    """The account that may act."""
    proxy_type: ProxyType
    """What it may do."""
    delay: U32
    """Blocks an announcement must wait before the call (0: no announcement needed)."""


class Announcement(
    Struct,
    type_path=("pallet_proxy", "Announcement"),
    type_params=(("AccountId", AccountId32), ("Hash", H256), ("BlockNumber", U32)),
):
    """A call a delegate announced it will make for `real`."""

    real: AccountId32
    """The account the call will be made for."""
    call_hash: H256
    """``blake2_256`` of the call."""
    height: U32
    """The block in which it was announced."""


Proxies = tuple[Vec[ProxyDefinition], U128]
Announcements = tuple[Vec[Announcement], U128]


def _definition_key(d: ProxyDefinition) -> tuple[bytes, int, int]:
    """FRAME's order of proxy definitions: delegate, then type, then delay."""
    return bytes(d.delegate), int(d.proxy_type), int(d.delay)


# --- Events -----------------------------------------------------------------------------------


class Event(Enum, type_path=("pallet_proxy", "pallet", "Event")):
    """The `Event` enum of this pallet."""


class ProxyExecuted(Event, index=0):
    """A proxied call was dispatched."""

    result: DispatchResult


class PureCreated(Event, index=1):
    """A pure account was created, with its spawner as its proxy."""

    pure: AccountId32
    who: AccountId32
    proxy_type: ProxyType
    disambiguation_index: U16


class Announced(Event, index=2):
    """A delegate announced a call it will make for `real`."""

    real: AccountId32
    proxy: AccountId32
    call_hash: H256


class ProxyAdded(Event, index=3):
    """A proxy was registered."""

    delegator: AccountId32
    delegatee: AccountId32
    proxy_type: ProxyType
    delay: U32


class ProxyRemoved(Event, index=4):
    """A proxy was removed."""

    delegator: AccountId32
    delegatee: AccountId32
    proxy_type: ProxyType
    delay: U32


class PureKilled(Event, index=5):
    """A pure account was removed."""

    pure: AccountId32
    spawner: AccountId32
    proxy_type: ProxyType
    disambiguation_index: U16


class DepositKind(enum.IntEnum):
    """Which deposit ``DepositPoked`` re-priced (FRAME's ``pallet_proxy::DepositKind``)."""

    __module__ = "pallet_proxy"  # the metadata type path

    Proxies = 0
    Announcements = 1


class DepositPoked(Event, index=6):
    """A deposit of `who` was re-priced to the current configuration by ``poke_deposit``."""

    who: AccountId32
    kind: DepositKind
    old_deposit: U128
    new_deposit: U128


# --- Errors -----------------------------------------------------------------------------------


class Error(PalletError):
    """Errors of the Proxy pallet."""


class TooMany(Error, index=0):
    """Too many proxies, or too many pending announcements."""


class NotFound(Error, index=1):
    """No such proxy or announcement."""


class NotProxy(Error, index=2):
    """The sender is not a proxy of the account."""


class Unproxyable(Error, index=3):
    """The call is not allowed by the proxy's type."""


class Duplicate(Error, index=4):
    """The proxy (or the pure account) already exists."""


class NoPermission(Error, index=5):
    """The call would escalate the proxy's rights, or the caller is not that pure account."""


class Unannounced(Error, index=6):
    """The call was not announced, or its delay has not passed."""


class NoSelfProxy(Error, index=7):
    """An account cannot be its own proxy."""


# --- Filters ----------------------------------------------------------------------------------


def _nested_calls(runtime: Any, outer_call: Any) -> Iterator[Any]:
    """Yield every call nested in the arguments of `outer_call` (batches, wrappers), deep."""
    route, inner = runtime.route(outer_call)
    for name in route.argument_names:
        value = getattr(inner, name)
        items = value if isinstance(value, (tuple, list)) else (value,)
        for item in items:
            if isinstance(item, runtime.runtime_call):
                yield item
                yield from _nested_calls(runtime, item)


def call_allowed(runtime: Any, proxy_type: ProxyType, outer_call: Any) -> bool:
    """Whether a proxy of `proxy_type` may make `outer_call` (and every call nested in it).

    The checks of FRAME's ``do_proxy`` filter plus this chain's `ProxyType` filter.
    """
    for one in (outer_call, *_nested_calls(runtime, outer_call)):
        route, inner = runtime.route(one)
        pallet, name = route.entry.pallet.NAME, route.info.name
        if route.entry.pallet is ProxyPallet or issubclass(route.entry.pallet, ProxyPallet):
            if name in ("add_proxy", "remove_proxy") and not is_superset(
                proxy_type, ProxyType(inner.proxy_type)
            ):
                return False
            if name in ("remove_proxies", "kill_pure", "create_pure") and (
                proxy_type is not ProxyType.Any
            ):
                return False
        if not _type_allows(proxy_type, pallet, name):
            return False
    return True


def _type_allows(proxy_type: ProxyType, pallet: str, name: str) -> bool:
    if proxy_type is ProxyType.Any:
        return True
    if pallet == "Utility" and name in _BATCHES:
        return True  # the calls inside are checked one by one
    if proxy_type is ProxyType.NonTransfer:
        return pallet != "Balances"
    if proxy_type is ProxyType.CancelProxy:
        return (pallet, name) == ("Proxy", "reject_announcement")
    return pallet in PROTOCOL_PALLETS


# --- Weights of the calls (each takes the weight table, then the call's arguments) -------------


def _proxy_weight(weights: ProxyWeights, real: Any, force_proxy_type: Any, call: Any) -> Weight:
    del real, force_proxy_type
    return weights.proxy(MAX_PROXIES).saturating_add(inner_dispatch_meta(call).weight)


def _proxy_announced_weight(
    weights: ProxyWeights, delegate: Any, real: Any, force_proxy_type: Any, call: Any
) -> Weight:
    del delegate, real, force_proxy_type
    return weights.proxy_announced(MAX_PENDING, MAX_PROXIES).saturating_add(
        inner_dispatch_meta(call).weight
    )


# --- Pallet -----------------------------------------------------------------------------------


class ProxyPallet(Pallet[Config], name="Proxy", config=Config, event=Event, error=Error):
    """The Proxy pallet (FRAME's `pallet_proxy`)."""

    proxies: StorageMap[AccountId32, Proxies, ValueQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        default=((), U128(0)),
        doc="The proxies of each account, with the deposit held for them.",
    )
    announcements: StorageMap[AccountId32, Announcements, ValueQuery] = storage(
        hasher=StorageHasher.TWOX_64_CONCAT,
        default=((), U128(0)),
        doc="The pending announcements of each delegate, with the deposit held for them.",
    )

    # --- calls -----------------------------------------------------------------------------------

    @call(index=0, weight=_proxy_weight)
    def proxy(
        self,
        origin: Origin,
        real: MultiAddress,
        force_proxy_type: ProxyType | None,
        call: OuterCall,
    ) -> None:
        """Dispatch `call` from `real`, for which the sender is a proxy without delay.

        ``ProxyExecuted`` records the call's result. Origin: signed, a proxy of `real`.
        """
        # Fails with BadOrigin, CannotLookup, NotProxy or Unannounced (the proxy has a delay).
        who = ensure_signed(origin)
        real_id = lookup_account(real)
        definition = self._find_proxy(real_id, who, force_proxy_type)
        ensure(int(definition.delay) == 0, Unannounced)
        self._do_proxy(definition, real_id, call)

    @call(index=1, weight=lambda w: w.add_proxy(MAX_PROXIES))
    def add_proxy(
        self, origin: Origin, delegate: MultiAddress, proxy_type: ProxyType, delay: U32
    ) -> None:
        """Register `delegate` as a proxy of the sender. Origin: signed."""
        # Fails with BadOrigin, CannotLookup, NoSelfProxy, Duplicate, TooMany or a Token error.
        who = ensure_signed(origin)
        self._add_proxy(who, lookup_account(delegate), ProxyType(proxy_type), U32(delay))

    @call(index=2, weight=lambda w: w.remove_proxy(MAX_PROXIES))
    def remove_proxy(
        self, origin: Origin, delegate: MultiAddress, proxy_type: ProxyType, delay: U32
    ) -> None:
        """Remove the sender's proxy `delegate` of `proxy_type` and `delay`. Origin: signed."""
        # Fails with BadOrigin, CannotLookup or NotFound.
        who = ensure_signed(origin)
        delegatee = lookup_account(delegate)
        definitions, old = self.proxies.get(who)
        wanted = ProxyDefinition(
            delegate=delegatee, proxy_type=ProxyType(proxy_type), delay=U32(delay)
        )
        ensure(wanted in definitions, NotFound)
        remaining = tuple(d for d in definitions if d != wanted)
        new = self._proxy_deposit(len(remaining))
        self._rejig(PROXY_HOLD, who, int(old), new)
        if remaining:
            self.proxies.insert(who, (remaining, U128(new)))
        else:
            self.proxies.remove(who)
        self.deposit_event(
            ProxyRemoved(
                delegator=who, delegatee=delegatee, proxy_type=wanted.proxy_type, delay=wanted.delay
            )
        )

    @call(index=3, weight=lambda w: w.remove_proxies(MAX_PROXIES))
    def remove_proxies(self, origin: Origin) -> None:
        """Remove every proxy of the sender and release the deposit. Origin: signed."""
        who = ensure_signed(origin)
        _definitions, deposit = self.proxies.take(who)
        self._currency.release(PROXY_HOLD, who, deposit)

    @call(index=4, weight=lambda w: w.create_pure(MAX_PROXIES))
    def create_pure(self, origin: Origin, proxy_type: ProxyType, delay: U32, index: U16) -> None:
        """Create a keyless account whose proxy (of `proxy_type`) is the sender. Origin: signed.

        `index` tells apart several pure accounts made in one extrinsic (e.g. in a batch).
        """
        # Fails with BadOrigin, Duplicate or a Token error (the deposit).
        who = ensure_signed(origin)
        kind = ProxyType(proxy_type)
        pure = pure_account(who, kind, int(index), self.block_number, int(self.ctx.extrinsic_index))
        ensure(not self.proxies.contains_key(pure), Duplicate)
        deposit = U128(int(self.config.proxy_deposit_base) + int(self.config.proxy_deposit_factor))
        self._currency.hold(PROXY_HOLD, who, deposit)
        definition = ProxyDefinition(delegate=who, proxy_type=kind, delay=U32(delay))
        self.proxies.insert(pure, ((definition,), deposit))
        self.deposit_event(
            PureCreated(pure=pure, who=who, proxy_type=kind, disambiguation_index=U16(index))
        )

    @call(index=5, weight=lambda w: w.kill_pure(MAX_PROXIES))
    def kill_pure(  # noqa: PLR0917 - FRAME's arguments
        self,
        origin: Origin,
        spawner: MultiAddress,
        proxy_type: ProxyType,
        index: U16,
        height: Compact[U32],
        ext_index: Compact[U32],
    ) -> None:
        """Remove the sender, a pure account made by `spawner` at `height`/`ext_index`, and
        return the spawner's deposit. All access to the account is lost. Origin: signed, the
        pure account (through its proxy).
        """  # noqa: D205
        # Fails with BadOrigin, CannotLookup or NoPermission (not that pure account).
        who = ensure_signed(origin)
        spawner_id = lookup_account(spawner)
        kind = ProxyType(proxy_type)
        pure = pure_account(spawner_id, kind, int(index), int(height), int(ext_index))
        ensure(pure == who, NoPermission)
        _definitions, deposit = self.proxies.take(who)
        self._currency.release(PROXY_HOLD, spawner_id, deposit)
        self.deposit_event(
            PureKilled(
                pure=who, spawner=spawner_id, proxy_type=kind, disambiguation_index=U16(index)
            )
        )

    @call(index=6, weight=lambda w: w.announce(MAX_PENDING, MAX_PROXIES))
    def announce(self, origin: Origin, real: MultiAddress, call_hash: H256) -> None:
        """Announce that the sender, a proxy of `real`, will make the call `call_hash`.

        Holds the announcement deposit. Origin: signed, a proxy of `real`.
        """
        # Fails with BadOrigin, CannotLookup, NotProxy, TooMany or a Token error.
        who = ensure_signed(origin)
        real_id = lookup_account(real)
        definitions, _ = self.proxies.get(real_id)
        ensure(any(d.delegate == who for d in definitions), NotProxy)
        pending, old = self.announcements.get(who)
        ensure(len(pending) < int(self.config.max_pending), TooMany)
        made = Announcement(real=real_id, call_hash=H256(call_hash), height=U32(self.block_number))
        pending = (*pending, made)
        new = self._announcement_deposit(len(pending))
        self._rejig(ANNOUNCEMENT_HOLD, who, int(old), new)
        self.announcements.insert(who, (pending, U128(new)))
        self.deposit_event(Announced(real=real_id, proxy=who, call_hash=H256(call_hash)))

    @call(index=7, weight=lambda w: w.remove_announcement(MAX_PENDING, MAX_PROXIES))
    def remove_announcement(self, origin: Origin, real: MultiAddress, call_hash: H256) -> None:
        """Withdraw the sender's announcement of `call_hash` for `real`. Origin: signed."""
        # Fails with BadOrigin, CannotLookup or NotFound.
        who = ensure_signed(origin)
        real_id = lookup_account(real)
        self._edit_announcements(who, lambda a: a.real != real_id or a.call_hash != call_hash)

    @call(index=8, weight=lambda w: w.reject_announcement(MAX_PENDING, MAX_PROXIES))
    def reject_announcement(self, origin: Origin, delegate: MultiAddress, call_hash: H256) -> None:
        """Veto `delegate`'s announcement of `call_hash` for the sender. Origin: signed."""
        # Fails with BadOrigin, CannotLookup or NotFound.
        who = ensure_signed(origin)
        delegate_id = lookup_account(delegate)
        self._edit_announcements(delegate_id, lambda a: a.real != who or a.call_hash != call_hash)

    @call(index=9, weight=_proxy_announced_weight)
    def proxy_announced(
        self,
        origin: Origin,
        delegate: MultiAddress,
        real: MultiAddress,
        force_proxy_type: ProxyType | None,
        call: OuterCall,
    ) -> None:
        """Dispatch `call` from `real` as `delegate` announced it, once its delay has passed;
        the announcement is removed. Anyone may submit it. Origin: signed.
        """  # noqa: D205
        # Fails with BadOrigin, CannotLookup, NotProxy or Unannounced.
        ensure_signed(origin)
        delegate_id = lookup_account(delegate)
        real_id = lookup_account(real)
        definition = self._find_proxy(real_id, delegate_id, force_proxy_type)
        encoded: bytes = cast(Any, call).encode()
        call_hash = blake2_256(encoded)
        now, delay = self.block_number, int(definition.delay)

        def keep(a: Announcement) -> bool:
            return a.real != real_id or a.call_hash != call_hash or now - int(a.height) < delay

        try:
            self._edit_announcements(delegate_id, keep)
        except NotFound as missing:
            raise Unannounced from missing
        self._do_proxy(definition, real_id, call)

    @call(index=10, weight=lambda w: w.poke_deposit())
    def poke_deposit(self, origin: Origin) -> None:
        """Re-price the sender's proxy and announcement deposits to the current configuration,
        holding more or releasing the difference; ``DepositPoked`` for each one that changed.
        Origin: signed.

        A pure account's first deposit is held by its spawner, not by the account: such a
        deposit (more recorded than the account holds) is left as it is.
        """  # noqa: D205
        # Fails with BadOrigin, or a Token error when a higher deposit cannot be held.
        who = ensure_signed(origin)
        definitions, old = self.proxies.get(who)
        new = self._proxy_deposit(len(definitions))
        if new != int(old) and self._holds_own(PROXY_HOLD, who, int(old)):
            self._rejig(PROXY_HOLD, who, int(old), new)
            if definitions:
                self.proxies.insert(who, (definitions, U128(new)))
            else:
                self.proxies.remove(who)
            self.deposit_event(
                DepositPoked(
                    who=who, kind=DepositKind.Proxies, old_deposit=old, new_deposit=U128(new)
                )
            )
        pending, old = self.announcements.get(who)
        new = self._announcement_deposit(len(pending))
        if new != int(old):
            self._rejig(ANNOUNCEMENT_HOLD, who, int(old), new)
            if pending:
                self.announcements.insert(who, (pending, U128(new)))
            else:
                self.announcements.remove(who)
            self.deposit_event(
                DepositPoked(
                    who=who, kind=DepositKind.Announcements, old_deposit=old, new_deposit=U128(new)
                )
            )

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def _currency(self) -> HoldCurrency:
        return cast(HoldCurrency, self.ctx.pallet(self.config.currency))

    def _proxy_deposit(self, count: int) -> int:
        config = self.config
        return deposit_for(count, int(config.proxy_deposit_base), int(config.proxy_deposit_factor))

    def _announcement_deposit(self, count: int) -> int:
        config = self.config
        return deposit_for(
            count, int(config.announcement_deposit_base), int(config.announcement_deposit_factor)
        )

    def _holds_own(self, reason: ReasonId, who: AccountId32, deposit: int) -> bool:
        """Whether `who` itself holds at least `deposit` for `reason`."""
        return int(self.ctx.pallet(Balances).balance_on_hold(reason, who)) >= deposit

    def _rejig(self, reason: ReasonId, who: AccountId32, old: int, new: int) -> None:
        """Hold more or release the difference so that `who` holds `new` for `reason`."""
        if new > old:
            self._currency.hold(reason, who, U128(new - old))
        elif new < old:
            self._currency.release(reason, who, U128(old - new))

    def _add_proxy(
        self, delegator: AccountId32, delegatee: AccountId32, kind: ProxyType, delay: U32
    ) -> None:
        """Register a proxy (FRAME's ``add_proxy_delegate``).

        Raises:
            NoSelfProxy / Duplicate / TooMany, or a Token error when the deposit cannot be held.
        """
        ensure(delegator != delegatee, NoSelfProxy)
        definitions, old = self.proxies.get(delegator)
        definition = ProxyDefinition(delegate=delegatee, proxy_type=kind, delay=delay)
        ensure(definition not in definitions, Duplicate)
        ensure(len(definitions) < int(self.config.max_proxies), TooMany)
        updated = tuple(sorted((*definitions, definition), key=_definition_key))
        new = self._proxy_deposit(len(updated))
        self._rejig(PROXY_HOLD, delegator, int(old), new)
        self.proxies.insert(delegator, (updated, U128(new)))
        self.deposit_event(
            ProxyAdded(delegator=delegator, delegatee=delegatee, proxy_type=kind, delay=delay)
        )

    def _edit_announcements(self, delegate: AccountId32, keep: Callable[[Any], bool]) -> None:
        """Drop `delegate`'s announcements that `keep` rejects and re-price the deposit.

        Raises:
            NotFound: nothing was dropped.
        """
        pending, old = self.announcements.get(delegate)
        remaining = tuple(a for a in pending if keep(a))
        ensure(len(remaining) < len(pending), NotFound)
        new = self._announcement_deposit(len(remaining))
        self._rejig(ANNOUNCEMENT_HOLD, delegate, int(old), new)
        if remaining:
            self.announcements.insert(delegate, (remaining, U128(new)))
        else:
            self.announcements.remove(delegate)

    def _find_proxy(
        self, real: AccountId32, delegate: AccountId32, force: ProxyType | None
    ) -> ProxyDefinition:
        """Return `delegate`'s proxy definition for `real` (of type `force`, if given).

        Raises:
            NotProxy: there is none.
        """
        definitions, _ = self.proxies.get(real)
        for definition in definitions:
            if definition.delegate == delegate and (
                force is None or definition.proxy_type == force
            ):
                return definition
        raise NotProxy

    def _do_proxy(self, definition: ProxyDefinition, real: AccountId32, outer_call: Any) -> None:
        """Dispatch `outer_call` from `real` if the proxy's type allows it; record the result."""
        runtime = self.ctx.runtime
        if not call_allowed(runtime, ProxyType(definition.proxy_type), outer_call):
            result: Any = Err(to_wire(runtime, CallFiltered()))
        else:
            try:
                runtime.dispatch(self.ctx, outer_call, Signed(real))
                result = Ok(())
            except RaisedError as error:
                result = Err(to_wire(runtime, error))
        self.deposit_event(ProxyExecuted(result=result))

    # --- invariants ------------------------------------------------------------------------------

    def try_state(self) -> None:
        """Check the stored lists and that the deposits held match what is stored.

        Raises:
            AssertionError: a list is unsorted, too long or empty, a deposit is not what its
                list costs, or the holds differ from the deposits.
        """
        config = self.config
        proxy_deposits = 0
        for _who, (definitions, deposit) in self.proxies.iter():
            keys = [_definition_key(d) for d in definitions]
            assert keys == sorted(keys), "proxies are not sorted"
            assert 0 < len(keys) <= int(config.max_proxies), "empty or too many proxies"
            proxy_deposits += int(deposit)
        for who, (pending, deposit) in self.announcements.iter():
            assert 0 < len(pending) <= int(config.max_pending), "empty or too many announcements"
            assert int(deposit) == self._announcement_deposit(len(pending)), "wrong deposit"
            held = int(self.ctx.pallet(Balances).balance_on_hold(ANNOUNCEMENT_HOLD, who))
            assert held == int(deposit), "announcement hold differs from the deposit"
        held_total = sum(
            int(item.amount)
            for _who, items in self.ctx.pallet(Balances).holds.iter()
            for item in items
            if item.id == PROXY_HOLD
        )
        assert held_total == proxy_deposits, "proxy holds differ from the deposits"
