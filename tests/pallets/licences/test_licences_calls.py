"""Every call of the Licences pallet and every error path; each refusal leaves no trace."""

from __future__ import annotations

from typing import Any

import pytest

from deepshard.offchain_workers.keeper import custody
from deepshard.pallets.balances import Balances
from deepshard.pallets.licences import (
    KEEPER_REASON,
    AlreadyDelivered,
    AlreadyLicensed,
    BadShare,
    BadThreshold,
    BondTooLow,
    BoxKey,
    CiphertextExists,
    CiphertextRegistered,
    Config,
    DeadlinePassed,
    DuplicateKeeper,
    InvalidCid,
    InvalidPricing,
    KeeperBonded,
    KeeperBusy,
    KeeperNotBonded,
    KeeperUnbonded,
    KeeperUnbonding,
    KeeperWithdrawn,
    Licences,
    NoCiphertext,
    NotEnoughKeepers,
    NotKeeper,
    NotShareKeeper,
    NotUnbonding,
    Pricing,
    TooManyKeepers,
    TooManyPurchases,
    UnbondingNotOver,
    UnknownPurchase,
    UnknownVersion,
)
from deepshard.pallets.licences.pallet import MAX_SHARE_LENGTH
from deepshard.pallets.system import System
from deepshard.pallets.treasury import Treasury
from deepshard.primitives.codec import H256
from deepshard.primitives.numeric import U32, U64, U128, Perbill
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import ROOT, BadOrigin, TokenError
from deepshard.runtime.support.testing import assert_last_event, assert_noop

from .conftest import (
    BUYER,
    CIPHERTEXT_CID,
    KEEPERS,
    OTHER,
    Builder,
    LicencesExt,
    mock_runtime,
    party,
)

SHA = H256(b"\x01" * 32)
"""A stand-in sha256 for registrations that fail before it matters."""


def buy(ext: LicencesExt, version: int = 0, max_price: int = 10**9, who: Any = BUYER) -> None:
    """`who` buys `version` with its real box key."""
    ext.call(
        "buy",
        who.origin,
        version=U32(version),
        buyer_box_key=who.box_key,
        max_price=U128(max_price),
    )


def register(ext: LicencesExt, **overrides: Any) -> None:
    """``register_ciphertext`` from KEEPERS[0] of version 0 with sealed shares of KEEPERS[:3]."""
    _, _, _, sealed = ext.seal_shares(KEEPERS[:3], 2)
    arguments: dict[str, Any] = {
        "version": U32(0),
        "cid": CIPHERTEXT_CID,
        "sha256": SHA,
        "threshold": U32(2),
        "shares": sealed,
    }
    arguments.update(overrides)
    origin = arguments.pop("origin", KEEPERS[0].origin)
    ext.call("register_ciphertext", origin, **arguments)


# --- keeper bonds ----------------------------------------------------------------------------


def test_bond_top_up_rotate_unbond_withdraw(ext_builder: Builder) -> None:
    ext = ext_builder().build()
    keeper = KEEPERS[0]
    ext.call("bond_keeper", keeper.origin, amount=U128(150), box_key=keeper.box_key)
    assert_last_event(ext, KeeperBonded(keeper=keeper.id, amount=U128(150), box_key=keeper.box_key))
    assert ext.held(KEEPER_REASON, keeper.id) == 150
    rotated = BoxKey(b"\x42" * 32)
    ext.call("bond_keeper", keeper.origin, amount=U128(0), box_key=rotated)
    ext.call("bond_keeper", keeper.origin, amount=U128(50), box_key=rotated)
    info = ext.licences.keepers.get(keeper.id)
    assert info is not None
    assert (int(info.bond), info.box_key, info.unlock_at) == (200, rotated, None)
    assert ext.held(KEEPER_REASON, keeper.id) == 200

    assert_noop(ext, lambda: ext.call("withdraw_keeper", keeper.origin), NotUnbonding)
    ext.call("unbond_keeper", keeper.origin)
    assert_last_event(ext, KeeperUnbonded(keeper=keeper.id, unlock_at=U32(ext.block + 10)))
    assert_noop(ext, lambda: ext.call("unbond_keeper", keeper.origin), KeeperUnbonding)
    assert_noop(
        ext,
        lambda: ext.call("bond_keeper", keeper.origin, amount=U128(10), box_key=rotated),
        KeeperUnbonding,
    )
    assert_noop(ext, lambda: ext.call("withdraw_keeper", keeper.origin), UnbondingNotOver)
    ext.run_to_block(ext.block + 10)
    free = ext.free(keeper.id)
    ext.call("withdraw_keeper", keeper.origin)
    assert_last_event(ext, KeeperWithdrawn(keeper=keeper.id, amount=U128(200)))
    assert ext.free(keeper.id) == free + 200
    assert ext.licences.keepers.get(keeper.id) is None


def test_bond_errors(ext_builder: Builder) -> None:
    ext = ext_builder().with_balances({party("Poor").id: 120}).build()
    keeper, poor = KEEPERS[0], party("Poor")
    assert_noop(
        ext,
        lambda: ext.call("bond_keeper", ROOT, amount=U128(500), box_key=keeper.box_key),
        BadOrigin,
    )
    assert_noop(
        ext,
        lambda: ext.call("bond_keeper", keeper.origin, amount=U128(99), box_key=keeper.box_key),
        BondTooLow,
    )
    assert_noop(
        ext,
        lambda: ext.call("bond_keeper", poor.origin, amount=U128(115), box_key=poor.box_key),
        TokenError,  # the account would fall below the existential deposit
    )
    assert_noop(ext, lambda: ext.call("unbond_keeper", keeper.origin), NotKeeper)
    assert_noop(ext, lambda: ext.call("withdraw_keeper", keeper.origin), NotKeeper)


def test_a_keeper_counted_by_an_open_purchase_cannot_withdraw(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:2]).config(unbonding_period=U32(5)).build()
    ext.register(0, KEEPERS[:2], threshold=1)
    buy(ext)
    info = ext.licences.keepers.get(KEEPERS[1].id)
    assert info is not None
    assert int(info.open_purchases) == 1
    ext.call("unbond_keeper", KEEPERS[1].origin)
    ext.run_to_block(ext.block + 6)  # the unbonding period ends before the deadline
    assert_noop(ext, lambda: ext.call("withdraw_keeper", KEEPERS[1].origin), KeeperBusy)
    ext.deliver(0, KEEPERS[1])  # an unbonding keeper still serves; the purchase closes
    ext.run_to_block(ext.block + 1)
    ext.call("withdraw_keeper", KEEPERS[1].origin)
    assert ext.licences.keepers.get(KEEPERS[1].id) is None


# --- registration ----------------------------------------------------------------------------


def test_register_ciphertext_records_the_share_set(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:3]).build()
    registered = ext.register(0, KEEPERS[:3], threshold=2)
    assert_last_event(ext, CiphertextRegistered(version=U32(0), cid=CIPHERTEXT_CID))
    info = ext.licences.ciphertexts.get(U32(0))
    assert info is not None
    assert info.keepers == tuple(k.id for k in KEEPERS[:3])
    assert (int(info.threshold), info.registrar, info.cid) == (2, KEEPERS[0].id, CIPHERTEXT_CID)
    for keeper in KEEPERS[:3]:
        sealed = ext.licences.keeper_shares.get(U32(0), keeper.id)
        assert sealed is not None
        assert custody.open_share(sealed, keeper.box_secret) == registered.shares[bytes(keeper.id)]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"origin": OTHER.origin}, NotKeeper),
        ({"version": U32(7)}, UnknownVersion),
        ({"cid": b"not a cid"}, InvalidCid),
        ({"cid": CIPHERTEXT_CID + b"\x00" * 200}, InvalidCid),
        ({"threshold": U32(0)}, BadThreshold),
        ({"threshold": U32(4)}, BadThreshold),
        ({"shares": []}, BadThreshold),
    ],
)
def test_register_errors(ext_builder: Builder, overrides: dict[str, Any], error: type) -> None:
    ext = ext_builder().keepers(KEEPERS[:3]).build()
    assert_noop(ext, lambda: register(ext, **overrides), error)


def test_register_checks_every_listed_keeper(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:3]).build()
    _, _, _, sealed = ext.seal_shares(KEEPERS[:3], 2)
    assert_noop(
        ext, lambda: register(ext, shares=[sealed[0], sealed[1], sealed[0]]), DuplicateKeeper
    )
    _, _, _, outsider = ext.seal_shares([KEEPERS[0], OTHER], 1)
    assert_noop(ext, lambda: register(ext, shares=outsider, threshold=U32(1)), KeeperNotBonded)
    assert_noop(
        ext, lambda: register(ext, shares=[(KEEPERS[1].id, b"")], threshold=U32(1)), BadShare
    )
    too_long = (KEEPERS[1].id, b"\x00" * (MAX_SHARE_LENGTH + 1))
    assert_noop(ext, lambda: register(ext, shares=[too_long], threshold=U32(1)), BadShare)
    ext.call("unbond_keeper", KEEPERS[2].origin)
    assert_noop(ext, lambda: register(ext), KeeperNotBonded)
    assert_noop(ext, lambda: register(ext, origin=KEEPERS[2].origin), KeeperUnbonding)
    register(ext, shares=sealed[:2])
    assert_noop(ext, lambda: register(ext, shares=sealed[:2]), CiphertextExists)


def test_register_lists_at_most_max_keepers(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:3]).config(max_keepers=U32(2)).build()
    assert_noop(ext, lambda: register(ext), TooManyKeepers)


# --- purchases -------------------------------------------------------------------------------


def test_buy_errors(ext_builder: Builder) -> None:
    poor = party("Poor")
    ext = ext_builder().keepers(KEEPERS[:3]).with_balances({poor.id: 1_005}).build()
    assert_noop(ext, lambda: buy(ext, version=9), UnknownVersion)
    assert_noop(ext, lambda: buy(ext), NoCiphertext)
    ext.register(0, KEEPERS[:3], threshold=2)
    assert_noop(ext, lambda: buy(ext, who=poor), TokenError)  # 1,000 would leave 5 < ED
    assert_noop(
        ext,
        lambda: ext.call(
            "buy", ROOT, version=U32(0), buyer_box_key=BUYER.box_key, max_price=U128(10**6)
        ),
        BadOrigin,
    )
    buy(ext)
    ext.deliver(0, KEEPERS[0])
    ext.deliver(0, KEEPERS[1])
    assert_noop(ext, lambda: buy(ext), AlreadyLicensed)


def test_buy_needs_threshold_keepers_still_bonded(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:3]).build()
    ext.register(0, KEEPERS[:3], threshold=2)
    ext.call("unbond_keeper", KEEPERS[1].origin)
    ext.run_to_block(ext.block + 10)
    ext.call("withdraw_keeper", KEEPERS[1].origin)
    ext.call("unbond_keeper", KEEPERS[2].origin)  # unbonding: no new purchase counts on it
    assert_noop(ext, lambda: buy(ext), NotEnoughKeepers)
    ext.bond(KEEPERS[1:2])  # back: two active keepers again
    buy(ext)
    purchase = ext.licences.purchases.get(U64(0))
    assert purchase is not None
    assert purchase.keepers == (KEEPERS[0].id, KEEPERS[1].id)


def test_a_deadline_block_takes_at_most_max_purchases(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:1]).config(max_purchases_per_block=U32(2)).build()
    ext.register(0, KEEPERS[:1], threshold=1)
    buy(ext)
    buy(ext)
    assert_noop(ext, lambda: buy(ext), TooManyPurchases)
    ext.run_to_block(ext.block + 1)
    buy(ext)  # the next block's purchases fall due a block later


def test_deliver_errors(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:4]).build()
    ext.register(0, KEEPERS[:3], threshold=2)
    assert_noop(
        ext,
        lambda: ext.call("deliver_share", KEEPERS[0].origin, purchase_id=U64(0), sealed_share=b"x"),
        UnknownPurchase,
    )
    buy(ext)
    assert_noop(
        ext,
        lambda: ext.call("deliver_share", KEEPERS[3].origin, purchase_id=U64(0), sealed_share=b"x"),
        NotShareKeeper,
    )
    assert_noop(
        ext,
        lambda: ext.call("deliver_share", OTHER.origin, purchase_id=U64(0), sealed_share=b"x"),
        NotShareKeeper,
    )
    assert_noop(
        ext,
        lambda: ext.call("deliver_share", KEEPERS[0].origin, purchase_id=U64(0), sealed_share=b""),
        BadShare,
    )
    ext.deliver(0, KEEPERS[0])
    assert_noop(ext, lambda: ext.deliver(0, KEEPERS[0]), AlreadyDelivered)
    # The hook expires a purchase at its deadline before any extrinsic; a delivery that
    # reaches the pallet at the deadline all the same is refused as late.
    purchase = ext.licences.purchases.get(U64(0))
    assert purchase is not None
    ext.ctx.block_number = int(purchase.deadline)
    assert_noop(ext, lambda: ext.deliver(0, KEEPERS[1]), DeadlinePassed)
    ext.ctx.block_number = int(purchase.deadline) - 1


# --- pricing ---------------------------------------------------------------------------------


def test_set_pricing_errors(ext_builder: Builder) -> None:
    ext = ext_builder().build()
    pricing = Pricing(
        base_price=U128(5), growth_rate=Perbill.from_parts(1), value_unit=U128(1), cap=U128(9)
    )
    assert_noop(ext, lambda: ext.call("set_pricing", BUYER.origin, pricing=pricing), BadOrigin)
    for bad in (
        Pricing(
            base_price=U128(5), growth_rate=Perbill.from_parts(1), value_unit=U128(0), cap=U128(9)
        ),
        Pricing(
            base_price=U128(10), growth_rate=Perbill.from_parts(1), value_unit=U128(1), cap=U128(9)
        ),
    ):
        assert_noop(ext, lambda bad=bad: ext.call("set_pricing", ROOT, pricing=bad), InvalidPricing)


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"informants_share": Perbill.from_parts(600_000_000)}, "shares exceed one"),
        ({"value_unit": U128(0)}, "value unit"),
        ({"base_price": U128(10), "price_cap": U128(9)}, "value unit"),
        ({"min_threshold": U32(0)}, "MinThreshold"),
        ({"min_threshold": U32(17)}, "MinThreshold"),
        ({"keeper_min_bond": U128(0)}, "positive"),
        ({"purchase_period": U32(0)}, "positive"),
        ({"max_purchases_per_block": U32(0)}, "at least one purchase"),
        ({"max_expiry_weight": Weight.from_parts(10, 0)}, "MaxExpiryWeight"),
    ],
)
def test_integrity_test_refuses_bad_configurations(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mock_runtime(**overrides)


def test_integrity_test_names_a_missing_interface() -> None:
    config = Config(currency=Balances, treasury=Treasury, training=System, informants=System)
    with pytest.raises(ValueError, match="System lacks version_record"):
        Licences.integrity_test(config)


def test_a_purchase_counts_on_the_keepers_bonded_when_it_opened(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:2]).config(unbonding_period=U32(1)).build()
    ext.register(0, KEEPERS[:2], threshold=1)
    ext.call("unbond_keeper", KEEPERS[1].origin)
    ext.run_to_block(ext.block + 1)
    ext.call("withdraw_keeper", KEEPERS[1].origin)
    buy(ext)  # KEEPERS[1] has left: only KEEPERS[0] owes its share
    purchase = ext.licences.purchases.get(U64(0))
    assert purchase is not None
    assert purchase.keepers == (KEEPERS[0].id,)
    ext.bond(KEEPERS[1:2])  # back before the purchase closes: not counted, not slashed
    ext.check_invariants()
    ext.run_to_block(int(purchase.deadline))
    assert ext.held(KEEPER_REASON, KEEPERS[0].id) == 900  # silent: slashed 10 %
    assert ext.held(KEEPER_REASON, KEEPERS[1].id) == 1_000
    for keeper in KEEPERS[:2]:
        info = ext.licences.keepers.get(keeper.id)
        assert info is not None
        assert int(info.open_purchases) == 0
