"""Benchmarks of the Balances pallet's calls.

Each at its worst case: accounts created or reaped, the most storage touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deepshard.pallets.balances.pallet import Balances
from deepshard.pallets.balances.weights import BalancesWeights
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import ROOT, Origin, Signed
from deepshard.runtime.support.benchmarking import BenchmarkSuite, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["SUITE"]

Action = Callable[[], object]
CALLER = AccountId32(b"bench:caller" + bytes(20))
RECIPIENT = AccountId32(b"bench:recipient" + bytes(17))
FUNDS = U128(10**20)


def _call(ext: TestExternalities, name: str, origin: Origin, **arguments: Any) -> Action:
    outer = ext.runtime.make_call(Balances, name, **arguments)
    return lambda: ext.runtime.dispatch(ext.ctx, outer, origin)


def _funded(ext: TestExternalities, who: AccountId32 = CALLER) -> Balances:
    balances = ext.pallet(Balances)
    balances.deposit_creating(who, FUNDS)
    return balances


@benchmark()
def transfer_allow_death(ext: TestExternalities) -> Action:
    """The caller is reaped and the recipient created."""
    _funded(ext)
    return _call(ext, "transfer_allow_death", Signed(CALLER), dest=Id(RECIPIENT), value=FUNDS)


@benchmark()
def force_transfer(ext: TestExternalities) -> Action:
    """Root moves everything of the source to a new account."""
    _funded(ext)
    return _call(ext, "force_transfer", ROOT, source=Id(CALLER), dest=Id(RECIPIENT), value=FUNDS)


@benchmark()
def transfer_keep_alive(ext: TestExternalities) -> Action:
    """The recipient is created."""
    _funded(ext)
    return _call(ext, "transfer_keep_alive", Signed(CALLER), dest=Id(RECIPIENT), value=U128(10**15))


@benchmark()
def transfer_all(ext: TestExternalities) -> Action:
    """Everything moves to a new account and the caller is reaped."""
    _funded(ext)
    return _call(ext, "transfer_all", Signed(CALLER), dest=Id(RECIPIENT), keep_alive=False)


@benchmark()
def force_unreserve(ext: TestExternalities) -> Action:
    """Root unreserves a whole reserve."""
    balances = _funded(ext)
    balances.reserve(CALLER, U128(10**15))
    return _call(ext, "force_unreserve", ROOT, who=Id(CALLER), amount=U128(10**15))


@benchmark()
def force_set_balance(ext: TestExternalities) -> Action:
    """Root sets a balance to zero (the account is reaped)."""
    _funded(ext)
    return _call(ext, "force_set_balance", ROOT, who=Id(CALLER), new_free=U128(0))


@benchmark()
def burn(ext: TestExternalities) -> Action:
    """The caller burns everything and is reaped (``keep_alive`` false)."""
    _funded(ext)
    return _call(ext, "burn", Signed(CALLER), value=FUNDS, keep_alive=False)


SUITE = BenchmarkSuite(
    pallet="Balances",
    weights_protocol=BalancesWeights,
    benchmarks=(
        transfer_allow_death,
        force_transfer,
        transfer_keep_alive,
        transfer_all,
        force_unreserve,
        force_set_balance,
        burn,
    ),
)
"""Every benchmark of the Balances pallet."""
