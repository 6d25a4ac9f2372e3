"""Conversions between the support library's exceptions and Substrate's wire values.

A failed call raises a `DispatchError` *exception*; ``System.ExtrinsicFailed``, ``Sudo.Sudid``
and the ``apply_extrinsic`` result carry an `sp_runtime::DispatchError` *value*. `to_wire`
converts one into the other, resolving a pallet error to ``Module{pallet index, error}``
through the runtime that raised it. `lookup_account` resolves a call's `MultiAddress`
argument the way FRAME's `AccountIdLookup` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deepshard.primitives import dispatch as wire
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id, MultiAddress
from deepshard.runtime.support import errors

if TYPE_CHECKING:
    from deepshard.runtime.support.runtime import Runtime

__all__ = ["to_wire", "lookup_account"]

_SIMPLE: dict[type[errors.DispatchError], wire.DispatchError] = {
    errors.Other: wire.Other(),
    errors.CannotLookup: wire.CannotLookup(),
    errors.BadOrigin: wire.BadOrigin(),
    errors.ConsumerRemaining: wire.ConsumerRemaining(),
    errors.NoProviders: wire.NoProviders(),
    errors.TooManyConsumers: wire.TooManyConsumers(),
    errors.Exhausted: wire.Exhausted(),
    errors.Corruption: wire.Corruption(),
    errors.Unavailable: wire.Unavailable(),
    errors.RootNotAllowed: wire.RootNotAllowed(),
}


def to_wire(runtime: Runtime, error: errors.DispatchError) -> wire.DispatchError:
    """Return the `sp_runtime::DispatchError` value of a raised dispatch error.

    Raises:
        KeyError: a pallet error of a pallet that is not part of `runtime`.
    """
    if isinstance(error, errors.PalletError):
        pallet_index, error_index = runtime.module_error(error)
        return wire.module_error(pallet_index, error_index)
    if isinstance(error, errors.TokenError):
        return wire.Token(wire.TokenError(int(error.kind)))
    if isinstance(error, errors.ArithmeticError):
        return wire.Arithmetic(wire.ArithmeticError(int(error.kind)))
    for klass in type(error).__mro__:
        value = _SIMPLE.get(klass)
        if value is not None:
            return value
    return wire.Other()


def lookup_account(address: MultiAddress) -> AccountId32:
    """Resolve a `MultiAddress` to an account id (only the ``Id`` form has one here).

    Raises:
        CannotLookup: an index, raw or 20-byte address.
    """
    if type(address) is Id:
        return address.account
    raise errors.CannotLookup
