"""The Licences scenarios of issue 12, with the real custody cryptography.

A purchase served by t keepers lets the buyer rebuild the content key and decrypt; t - 1 shares
do not; a keeper that never delivers is slashed and the buyer refunded; ``max_price`` guards
against a price change in the same block. Balances are checked against amounts computed here
with `fractions`, independently of `logic`.
"""

from __future__ import annotations

import io
import math
from fractions import Fraction

import pytest

from deepshard.offchain_workers.keeper import custody
from deepshard.pallets.licences import (
    ESCROW_REASON,
    KEEPER_REASON,
    KeeperSlashed,
    LicenceGranted,
    PriceAboveMax,
    Pricing,
    PricingSet,
    PurchaseExpired,
    PurchaseNotOpen,
    PurchaseOpened,
    PurchasePhase,
    ShareDelivered,
)
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U32, U64, U128, Perbill
from deepshard.runtime.support import ROOT
from deepshard.runtime.support.testing import assert_has_event, assert_last_event, assert_noop

from .conftest import BUYER, KEEPERS, PLAINTEXT, Builder, LicencesExt, Registered, party

TRAINER_A = party("TrainerA").id
"""A trainer paid 3,000."""
TRAINER_B = party("TrainerB").id
"""A trainer paid 1,000."""
INFORMANT = party("Informant").id
"""The informant of the version's batch, paid 2,000."""


def exact_price(value: int, base: int = 1_000, rate: int = 10_000_000, unit: int = 100) -> int:
    """floor(base * (1 + rate / 10^9) ^ floor(value / unit)), with no rounding inside."""
    units = value // unit
    return math.floor(Fraction(base) * (1 + Fraction(rate, 10**9)) ** units)


def valued_version(ext: LicencesExt) -> int:
    """A version whose round paid trainers 3,000 and 1,000, scorers 500, the informant 2,000."""
    return ext.record_version(
        {TRAINER_A: 3_000, TRAINER_B: 1_000}, informant=(INFORMANT, 2_000), scorers_paid=500
    )


def decrypt_with(registered: Registered, shares: list[custody.Share]) -> bytes:
    """Rebuild the key from `shares` and decrypt the registered ciphertext."""
    key = custody.combine_shares(shares)
    sink = io.BytesIO()
    custody.decrypt_stream(io.BytesIO(registered.ciphertext), sink, key)
    return sink.getvalue()


def test_a_purchase_served_by_t_keepers_decrypts_and_pays_everyone(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS).build()
    version = valued_version(ext)
    registered = ext.register(version, KEEPERS, threshold=3)
    price = exact_price(3_000 + 1_000 + 500 + 2_000)
    assert int(ext.licences.price_of(U32(version)) or 0) == price
    buyer_free, pot = ext.free(BUYER.id), ext.pot()
    paid_before = {who: ext.free(who) for who in (TRAINER_A, TRAINER_B, INFORMANT)}

    ext.call(
        "buy",
        BUYER.origin,
        version=U32(version),
        buyer_box_key=BUYER.box_key,
        max_price=U128(price),
    )
    assert_last_event(
        ext,
        PurchaseOpened(purchase_id=U64(0), buyer=BUYER.id, version=U32(version), price=U128(price)),
    )
    assert ext.held(ESCROW_REASON, BUYER.id) == price
    assert ext.free(BUYER.id) == buyer_free - price

    for keeper in KEEPERS[:2]:
        ext.deliver(0, keeper)
        assert_last_event(ext, ShareDelivered(purchase_id=U64(0), keeper=keeper.id))
    open_ = ext.licences.purchases.get(U64(0))
    assert open_ is not None
    assert open_.phase is PurchasePhase.Open
    assert ext.licences.licences_of.get(BUYER.id, U32(version)) is None
    ext.check_invariants()

    ext.deliver(0, KEEPERS[3])
    assert_last_event(
        ext,
        LicenceGranted(purchase_id=U64(0), buyer=BUYER.id, version=U32(version), price=U128(price)),
    )
    served = ext.licences.purchases.get(U64(0))
    assert served is not None
    assert served.phase is PurchasePhase.Served
    assert ext.licences.licences_of.get(BUYER.id, U32(version)) == U64(0)
    assert ext.held(ESCROW_REASON, BUYER.id) == 0

    # The split, computed here: 30 % to the one informant, 50 % to the trainers 3:1.
    informants_part = price * 3 // 10
    trainers_part = price // 2
    to_a = trainers_part * 3 // 4
    to_b = trainers_part // 4
    assert ext.free(INFORMANT) - paid_before[INFORMANT] == informants_part
    assert ext.free(TRAINER_A) - paid_before[TRAINER_A] == to_a
    assert ext.free(TRAINER_B) - paid_before[TRAINER_B] == to_b
    assert ext.pot() - pot == price - informants_part - to_a - to_b

    # The buyer opens the three shares sealed to it and decrypts.
    opened = [custody.open_share(sealed, BUYER.box_secret) for _, sealed in served.deliveries]
    assert opened == [registered.shares[bytes(k.id)] for k in (*KEEPERS[:2], KEEPERS[3])]
    assert decrypt_with(registered, opened) == PLAINTEXT
    # t - 1 shares rebuild a wrong key, which the AEAD refuses on the first chunk.
    for pair in ([0, 1], [0, 2], [1, 2]):
        with pytest.raises(custody.CustodyError):
            decrypt_with(registered, [opened[i] for i in pair])
    # Nobody else can open the delivered shares.
    with pytest.raises(custody.CustodyError):
        custody.open_share(served.deliveries[0][1], KEEPERS[0].box_secret)


def test_a_silent_keeper_is_slashed_and_the_buyer_refunded(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:3]).build()
    version = valued_version(ext)
    ext.register(version, KEEPERS[:3], threshold=2)
    price = exact_price(6_500)
    buyer_free, pot, issuance = ext.free(BUYER.id), ext.pot(), ext.issuance()
    ext.call(
        "buy",
        BUYER.origin,
        version=U32(version),
        buyer_box_key=BUYER.box_key,
        max_price=U128(price),
    )
    purchase = ext.licences.purchases.get(U64(0))
    assert purchase is not None
    assert int(purchase.deadline) == ext.block + 10
    ext.deliver(0, KEEPERS[1])
    ext.run_to_block(int(purchase.deadline) - 1)
    assert ext.held(ESCROW_REASON, BUYER.id) == price  # still open the block before
    ext.run_to_block(int(purchase.deadline))

    expired = ext.licences.purchases.get(U64(0))
    assert expired is not None
    assert expired.phase is PurchasePhase.Expired
    assert ext.free(BUYER.id) == buyer_free
    assert ext.held(ESCROW_REASON, BUYER.id) == 0
    assert_has_event(ext, PurchaseExpired(purchase_id=U64(0), refunded=U128(price)))
    slash = 1_000 // 10  # KeeperSlash 10 % of the bond
    for silent in (KEEPERS[0], KEEPERS[2]):
        assert ext.held(KEEPER_REASON, silent.id) == 1_000 - slash
        info = ext.licences.keepers.get(silent.id)
        assert info is not None
        assert int(info.bond) == 1_000 - slash
        assert_has_event(
            ext, KeeperSlashed(purchase_id=U64(0), keeper=silent.id, amount=U128(slash))
        )
    assert ext.held(KEEPER_REASON, KEEPERS[1].id) == 1_000
    assert ext.pot() - pot == 2 * slash
    assert ext.issuance() == issuance  # slashes move to the treasury, nothing is burnt
    assert ext.licences.licences_of.get(BUYER.id, U32(version)) is None
    # A delivery after the expiry is refused; the buyer may buy again.
    assert_noop(ext, lambda: ext.deliver(0, KEEPERS[0]), PurchaseNotOpen)
    ext.call(
        "buy",
        BUYER.origin,
        version=U32(version),
        buyer_box_key=BUYER.box_key,
        max_price=U128(price),
    )
    assert ext.held(ESCROW_REASON, BUYER.id) == price


def test_max_price_guards_against_a_price_change_in_the_same_block(ext_builder: Builder) -> None:
    ext = ext_builder().keepers(KEEPERS[:2]).build()
    version = valued_version(ext)
    ext.register(version, KEEPERS[:2], threshold=1)
    quoted = int(ext.licences.price_of(U32(version)) or 0)
    # A later version does not move the price of this one: its value is what was behind it.
    ext.record_version({TRAINER_A: 10**6})
    assert int(ext.licences.price_of(U32(version)) or 0) == quoted
    # Root raises the base price in the same block, before the buyer's transaction.
    pricing = Pricing(
        base_price=U128(2_000),
        growth_rate=Perbill.from_parts(10_000_000),
        value_unit=U128(100),
        cap=U128(10**30),
    )
    ext.call("set_pricing", ROOT, pricing=pricing)
    assert_last_event(ext, PricingSet(pricing=pricing))
    assert int(ext.licences.price_of(U32(version)) or 0) == exact_price(6_500, base=2_000)
    assert_noop(
        ext,
        lambda: ext.call(
            "buy",
            BUYER.origin,
            version=U32(version),
            buyer_box_key=BUYER.box_key,
            max_price=U128(quoted),
        ),
        PriceAboveMax,
    )
    # With a fresh quote the purchase goes through.
    requote = exact_price(6_500, base=2_000)
    ext.call(
        "buy",
        BUYER.origin,
        version=U32(version),
        buyer_box_key=BUYER.box_key,
        max_price=U128(requote),
    )
    assert ext.held(ESCROW_REASON, BUYER.id) == requote


def test_a_payee_that_cannot_receive_leaves_its_part_to_the_treasury(
    ext_builder: Builder,
) -> None:
    ext = ext_builder().keepers(KEEPERS[:1]).build()
    tiny = AccountId32(b"\x77" * 32)  # paid 1 unit, below the ED of 10: it never existed
    version = ext.record_version({TRAINER_A: 100, tiny: 1})
    assert ext.free(tiny) == 0
    ext.register(version, KEEPERS[:1], threshold=1)
    price = int(ext.licences.price_of(U32(version)) or 0)
    pot = ext.pot()
    ext.call(
        "buy",
        BUYER.origin,
        version=U32(version),
        buyer_box_key=BUYER.box_key,
        max_price=U128(price),
    )
    purchase = ext.licences.purchases.get(U64(0))
    assert purchase is not None
    owed_tiny = {bytes(w): int(a) for w, a in purchase.payouts}[bytes(tiny)]
    assert 0 < owed_tiny < 10  # 505 // 101: too little to create the account
    ext.deliver(0, KEEPERS[0])
    assert ext.free(tiny) == 0
    assert ext.pot() - pot == int(purchase.to_treasury) + owed_tiny


def test_a_version_without_value_costs_the_base_price_and_pays_the_treasury(
    ext_builder: Builder,
) -> None:
    ext = ext_builder().keepers(KEEPERS[:1]).build()
    ext.register(0, KEEPERS[:1], threshold=1)
    assert ext.licences.price_of(U32(0)) == U128(1_000)
    pot = ext.pot()
    ext.call(
        "buy", BUYER.origin, version=U32(0), buyer_box_key=BUYER.box_key, max_price=U128(1_000)
    )
    ext.deliver(0, KEEPERS[0])
    assert ext.pot() - pot == 1_000
    assert ext.licences.licences_of.get(BUYER.id, U32(0)) == U64(0)
