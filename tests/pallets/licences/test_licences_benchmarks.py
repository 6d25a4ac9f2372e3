"""The Licences benchmarks build the worst cases they claim (on the Deepshard runtime)."""

from __future__ import annotations

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.pallets.licences import Licences, PurchasePhase
from deepshard.pallets.licences import benchmarking as bench
from deepshard.pallets.licences.pallet import MAX_PAYEES
from deepshard.primitives.numeric import U32, U64
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support.testing import TestExternalities


def fresh() -> TestExternalities:
    ext = TestExternalities(deepshard_runtime().runtime, genesis_from_patch(preset_patch(DEV)))
    bench.SUITE.prepare(ext)
    return ext


def test_buy_at_the_deepest_version_pays_the_most_payees() -> None:
    ext = fresh()
    bench.buy.setup(ext, depth=bench.MAX_DEPTH)()
    pallet = ext.pallet(Licences)
    purchase = pallet.purchases.get(U64(0))
    assert purchase is not None
    assert purchase.version == U32(bench.MAX_DEPTH)
    assert len(purchase.payouts) == 2 * MAX_PAYEES
    pallet.try_state()


def test_deliver_share_serves_and_pays_out() -> None:
    ext = fresh()
    bench.deliver_share.setup(ext)()
    pallet = ext.pallet(Licences)
    purchase = pallet.purchases.get(U64(0))
    assert purchase is not None
    assert purchase.phase is PurchasePhase.Served
    assert len(purchase.payouts) == 2 * MAX_PAYEES
    pallet.try_state()


def test_expire_purchase_slashes_every_keeper() -> None:
    ext = fresh()
    bench.expire_purchase.setup(ext, keepers=bench.MAX_KEEPERS)()
    pallet = ext.pallet(Licences)
    purchase = pallet.purchases.get(U64(0))
    assert purchase is not None
    assert purchase.phase is PurchasePhase.Expired
    assert all(int(info.open_purchases) == 0 for _, info in pallet.keepers.iter())
    assert all(
        int(info.bond) < 10 * int(pallet.config.keeper_min_bond)
        for _, info in pallet.keepers.iter()
    )
