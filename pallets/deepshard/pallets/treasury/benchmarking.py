"""Benchmarks of the Treasury pallet: ``spend`` and the emission hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deepshard.pallets.treasury.pallet import Treasury
from deepshard.pallets.treasury.weights import TreasuryWeights
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import ROOT
from deepshard.runtime.support.benchmarking import BenchmarkSuite, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["SUITE"]

Action = Callable[[], object]


@benchmark()
def spend(ext: TestExternalities) -> Action:
    """Root pays a new account out of a funded pot (the account is created)."""
    pallet = ext.pallet(Treasury)
    currency: Any = ext.ctx.pallet(pallet.config.currency)
    currency.deposit_creating(pallet.account_id(), U128(10**24))
    pallet.inflows.put(pallet.inflows.get() + U128(10**24))
    outer = ext.runtime.make_call(
        Treasury, "spend", beneficiary=Id(AccountId32(b"\x42" * 32)), amount=U128(10**15)
    )
    return lambda: ext.runtime.dispatch(ext.ctx, outer, ROOT)


@benchmark()
def on_initialize(ext: TestExternalities) -> Action:
    """The budget grows (a read, a write and an event)."""
    pallet = ext.pallet(Treasury)
    return lambda: pallet.on_initialize(ext.ctx.block_number)


SUITE = BenchmarkSuite(
    pallet="Treasury", weights_protocol=TreasuryWeights, benchmarks=(spend, on_initialize)
)
"""Every benchmark of the Treasury pallet."""
