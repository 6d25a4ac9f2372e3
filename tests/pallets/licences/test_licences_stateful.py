"""A brute-force reference model of escrows, payouts, refunds and slashes, checked under hypothesis.

Random purchases, deliveries, keeper unbonds, withdrawals and re-bonds, and blocks run through
the mock runtime and through a model written
here from the issue's rules alone (exact rationals for the price and the split, no `logic`).
After every step the chain must agree with the model on every balance (buyers' free and
escrowed funds, keepers' bonds and holds, the payees, the treasury pot), on each purchase's
phase and on the licences recorded; ``try_state`` must pass; and a refused call must leave
nothing behind.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from deepshard.pallets import licences as pallet
from deepshard.pallets.licences import ESCROW_REASON, KEEPER_REASON, PurchasePhase
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U32, U64, U128, Perbill
from deepshard.runtime.support import DispatchError, TokenError

from .conftest import ED, KEEPERS, OTHER, ExtBuilder, LicencesExt, Party, party

BASE, RATE, UNIT = 1_000, Fraction(1, 2), 1_000
"""The price curve of the model: 1,000 x 1.5 ^ (value / 1,000) (exact in FixedU128 here)."""
INFORMANTS_SHARE, TRAINERS_SHARE = Fraction(3, 10), Fraction(1, 2)
KEEPER_SLASH = Fraction(1, 10)
PERIOD = 4
UNBONDING = 3
BOND = 1_000

K1, K2, K3 = KEEPERS[:3]
RICH, POOR = party("RichBuyer"), party("PoorBuyer")
TRAINER_A, TRAINER_B, TRAINER_C = (party(n).id for n in ("TrainerA", "TrainerB", "TrainerC"))
INFORMANT = party("Informant").id

VERSIONS = {
    # version: (trainers paid, informant paid, threshold, share set)
    0: ({}, 0, 1, (K1,)),
    1: ({TRAINER_A: 2_000, TRAINER_C: 1_000}, 1_000, 2, (K1, K2, K3)),
    2: ({TRAINER_B: 4_000}, 0, 1, (K3,)),
}
"""The chain's history: v1 on v0 on top of genesis, v2 on v1; a ciphertext for each."""


def lineage(version: int) -> tuple[dict[bytes, int], dict[bytes, int]]:
    """What the informants and the trainers behind `version` were paid, by account."""
    informants: dict[bytes, int] = {}
    trainers: dict[bytes, int] = {}
    for v in range(version + 1):
        paid, informant_paid, _, _ = VERSIONS[v]
        for who, amount in paid.items():
            trainers[bytes(who)] = trainers.get(bytes(who), 0) + amount
        if informant_paid:
            informants[bytes(INFORMANT)] = informants.get(bytes(INFORMANT), 0) + informant_paid
    return informants, trainers


def model_price(version: int) -> int:
    """floor(BASE x (1 + RATE) ^ floor(value / UNIT)), exactly."""
    informants, trainers = lineage(version)
    units = (sum(informants.values()) + sum(trainers.values())) // UNIT
    return math.floor(BASE * (1 + RATE) ** units)


def model_payouts(version: int, price: int) -> tuple[int, dict[bytes, int]]:
    """The treasury's part and each payee's, by brute force."""
    informants, trainers = lineage(version)
    payouts: dict[bytes, int] = {}
    to_treasury = price
    for share, members in ((INFORMANTS_SHARE, informants), (TRAINERS_SHARE, trainers)):
        part = math.floor(price * share)
        total = sum(members.values())
        for who, paid in members.items():
            amount = math.floor(Fraction(part * paid, total))
            payouts[who] = payouts.get(who, 0) + amount
            to_treasury -= amount
    return to_treasury, payouts


@dataclass
class ModelPurchase:
    """A purchase as the model sees it."""

    buyer: Party
    version: int
    price: int
    deadline: int
    owing: list[Party]
    phase: PurchasePhase = PurchasePhase.Open
    delivered: list[Party] = field(default_factory=list)


class LicencesMachine(RuleBasedStateMachine):
    """Random purchases, deliveries and blocks against the reference model."""

    def __init__(self) -> None:
        super().__init__()
        built: list[LicencesExt] = []
        self.ext = (
            ExtBuilder(built)
            .keepers([K1, K2, K3], bond=BOND)
            .with_balances({RICH.id: 200_000, POOR.id: 6_000})
            .config(
                growth_rate=Perbill.from_parts(500_000_000),
                value_unit=U128(UNIT),
                purchase_period=U32(PERIOD),
                unbonding_period=U32(UNBONDING),
                max_purchases_per_block=U32(64),
            )
            .build()
        )
        for version in (1, 2):
            paid, informant_paid, _, _ = VERSIONS[version]
            informant = (INFORMANT, informant_paid) if informant_paid else None
            assert self.ext.record_version(paid, informant=informant) == version
        for version, (_, _, threshold, keepers) in VERSIONS.items():
            self.ext.register(version, keepers, threshold)
        self.watched = [RICH.id, POOR.id, INFORMANT, TRAINER_A, TRAINER_B, TRAINER_C]
        self.free = {bytes(w): self.ext.free(w) for w in self.watched}
        self.escrow: dict[bytes, int] = {bytes(RICH.id): 0, bytes(POOR.id): 0}
        self.bonds: dict[bytes, int | None] = {bytes(k.id): BOND for k in (K1, K2, K3)}
        """Each keeper's bond (None once withdrawn)."""
        self.unlock_at: dict[bytes, int | None] = {bytes(k.id): None for k in (K1, K2, K3)}
        self.pot = self.ext.pot()
        self.purchases: list[ModelPurchase] = []
        self.licensed: dict[tuple[bytes, int], int] = {}

    # --- steps ---------------------------------------------------------------------------------

    def attempt(self, action: Callable[[], object], expected: type[DispatchError] | None) -> None:
        """Run `action`; it fails with `expected` (leaving nothing behind), or succeeds."""
        before = self.ext.snapshot()
        refused: DispatchError | None = None
        try:
            action()
        except DispatchError as error:
            refused = error
        if refused is None:
            assert expected is None, f"expected {expected.__name__}, but the call succeeded"
            return
        assert expected is not None, f"unexpected {type(refused).__name__}: {refused}"
        assert isinstance(refused, expected), f"{type(refused).__name__} != {expected.__name__}"
        assert self.ext.snapshot() == before, "a refused call left changes behind"

    @rule(
        buyer=st.sampled_from([RICH, POOR]),
        version=st.integers(0, 3),
        slack=st.sampled_from([-1, 0, 10**9]),
    )
    def buy(self, buyer: Party, version: int, slack: int) -> None:
        price = model_price(version) if version in VERSIONS else 0
        active = [k for k in VERSIONS[version][3] if self.active(k)] if version in VERSIONS else []
        expected: Any = None
        if version not in VERSIONS:
            expected = pallet.UnknownVersion
        elif (bytes(buyer.id), version) in self.licensed:
            expected = pallet.AlreadyLicensed
        elif len(active) < VERSIONS[version][2]:
            expected = pallet.NotEnoughKeepers
        elif price > price + slack:
            expected = pallet.PriceAboveMax
        elif self.free[bytes(buyer.id)] - price < ED:
            expected = TokenError
        self.attempt(
            lambda: self.ext.call(
                "buy",
                buyer.origin,
                version=U32(version),
                buyer_box_key=buyer.box_key,
                max_price=U128(max(0, price + slack)),
            ),
            expected,
        )
        if expected is None:
            self.free[bytes(buyer.id)] -= price
            self.escrow[bytes(buyer.id)] += price
            deadline = self.ext.block + PERIOD
            self.purchases.append(ModelPurchase(buyer, version, price, deadline, active))

    @rule(index=st.integers(0, 40), keeper=st.sampled_from([K1, K2, K3, OTHER]))
    def deliver(self, index: int, keeper: Party) -> None:
        index %= len(self.purchases) + 1  # a stored purchase, or the next id: unknown
        purchase = self.purchases[index] if index < len(self.purchases) else None
        expected: Any = None
        if purchase is None:
            expected = pallet.UnknownPurchase
        elif purchase.phase is not PurchasePhase.Open:
            expected = pallet.PurchaseNotOpen
        elif keeper not in VERSIONS[purchase.version][3]:
            expected = pallet.NotShareKeeper
        elif keeper in purchase.delivered:
            expected = pallet.AlreadyDelivered
        self.attempt(
            lambda: self.ext.call(
                "deliver_share",
                keeper.origin,
                purchase_id=U64(index),
                sealed_share=b"sealed share of " + bytes(keeper.id),
            ),
            expected,
        )
        if expected is not None or purchase is None:
            return
        purchase.delivered.append(keeper)
        if len(purchase.delivered) == VERSIONS[purchase.version][2]:
            purchase.phase = PurchasePhase.Served
            to_treasury, payouts = model_payouts(purchase.version, purchase.price)
            self.escrow[bytes(purchase.buyer.id)] -= purchase.price
            self.pot += to_treasury
            for who, amount in payouts.items():
                self.free[who] += amount
            self.licensed[(bytes(purchase.buyer.id), purchase.version)] = index

    @rule(blocks=st.integers(1, 3))
    def advance(self, blocks: int) -> None:
        for _ in range(blocks):
            self.ext.next_block()
            now = self.ext.block
            for purchase in self.purchases:
                if purchase.phase is PurchasePhase.Open and purchase.deadline == now:
                    purchase.phase = PurchasePhase.Expired
                    buyer = bytes(purchase.buyer.id)
                    self.escrow[buyer] -= purchase.price
                    self.free[buyer] += purchase.price
                    for keeper in purchase.owing:
                        if keeper not in purchase.delivered:
                            bond = self.bonds[bytes(keeper.id)]
                            assert bond is not None
                            slash = math.floor(bond * KEEPER_SLASH)
                            self.bonds[bytes(keeper.id)] = bond - slash
                            self.pot += slash

    @rule(keeper=st.sampled_from([K1, K2, K3]))
    def unbond(self, keeper: Party) -> None:
        who = bytes(keeper.id)
        expected: Any = None
        if self.bonds[who] is None:
            expected = pallet.NotKeeper
        elif self.unlock_at[who] is not None:
            expected = pallet.KeeperUnbonding
        self.attempt(lambda: self.ext.call("unbond_keeper", keeper.origin), expected)
        if expected is None:
            self.unlock_at[who] = self.ext.block + UNBONDING

    @rule(keeper=st.sampled_from([K1, K2, K3]))
    def withdraw(self, keeper: Party) -> None:
        who = bytes(keeper.id)
        unlock_at = self.unlock_at[who]
        busy = any(p.phase is PurchasePhase.Open and keeper in p.owing for p in self.purchases)
        expected: Any = None
        if self.bonds[who] is None:
            expected = pallet.NotKeeper
        elif unlock_at is None:
            expected = pallet.NotUnbonding
        elif unlock_at > self.ext.block:
            expected = pallet.UnbondingNotOver
        elif busy:
            expected = pallet.KeeperBusy
        self.attempt(lambda: self.ext.call("withdraw_keeper", keeper.origin), expected)
        if expected is None:
            self.bonds[who] = None
            self.unlock_at[who] = None

    @rule(keeper=st.sampled_from([K1, K2, K3]))
    def rebond(self, keeper: Party) -> None:
        who = bytes(keeper.id)
        expected: Any = pallet.KeeperUnbonding if self.unlock_at[who] is not None else None
        self.attempt(
            lambda: self.ext.call(
                "bond_keeper", keeper.origin, amount=U128(BOND), box_key=keeper.box_key
            ),
            expected,
        )
        if expected is None:
            self.bonds[who] = (self.bonds[who] or 0) + BOND

    def active(self, keeper: Party) -> bool:
        """Whether `keeper` is bonded and not unbonding in the model."""
        who = bytes(keeper.id)
        return self.bonds[who] is not None and self.unlock_at[who] is None

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def chain_agrees_with_the_model(self) -> None:
        ext = self.ext
        for who in self.watched:
            assert ext.free(who) == self.free[bytes(who)], f"free of {who.hex()[:8]}"
        for buyer, held in self.escrow.items():
            assert ext.held(ESCROW_REASON, AccountId32(buyer)) == held
        for keeper, bond in self.bonds.items():
            info = ext.licences.keepers.get(AccountId32(keeper))
            held = ext.held(KEEPER_REASON, AccountId32(keeper))
            if bond is None:
                assert info is None
                assert held == 0
                continue
            assert info is not None
            assert int(info.bond) == bond == held
            assert info.unlock_at == (
                None if self.unlock_at[keeper] is None else U32(self.unlock_at[keeper] or 0)
            )
            owed = sum(
                1
                for p in self.purchases
                if p.phase is PurchasePhase.Open and any(bytes(k.id) == keeper for k in p.owing)
            )
            assert int(info.open_purchases) == owed
        assert ext.pot() == self.pot
        for index, purchase in enumerate(self.purchases):
            stored = ext.licences.purchases.get(U64(index))
            assert stored is not None
            assert stored.phase is purchase.phase
            assert stored.keepers == tuple(k.id for k in purchase.owing)
            assert int(stored.price) == purchase.price
        for (buyer, version), index in self.licensed.items():
            assert ext.licences.licences_of.get(AccountId32(buyer), U32(version)) == U64(index)
        ext.check_invariants()


def test_licences_state_machine() -> None:
    """Random purchases keep the chain equal to the model (scales with the hypothesis profile)."""
    examples = max(10, settings.default.max_examples // 4)
    run_state_machine_as_test(
        LicencesMachine,
        settings=settings(settings.default, max_examples=examples, stateful_step_count=30),
    )
