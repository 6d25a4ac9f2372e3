"""Benchmarks of the Licences pallet: the worst case of every call and of an expiry.

Each setup runs on fresh genesis state of the runtime being benchmarked (its own configuration:
bonds, ``MaxKeepers``, the price curve), funds the accounts it needs, builds the worst case and
returns the action the benchmark step measures. Model versions are written straight into the
Training and Informants storage the way closed rounds leave them (`record_lineage`), each with
`TRAINERS_PER_VERSION` trainers and an informant, all distinct, so that a purchase's payout
names the most payees. ``deepshard benchmark pallet --pallet licences`` fits the measurements
and writes ``weights.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from deepshard.pallets.licences.logic import PurchasePhase
from deepshard.pallets.licences.pallet import (
    ESCROW_REASON,
    MAX_PAYEES,
    MAX_SHARE_LENGTH,
    Licences,
)
from deepshard.pallets.licences.types import BoxKey, CiphertextInfo, Pricing, Purchase
from deepshard.pallets.licences.weights import LicencesWeights
from deepshard.pallets.training.types import VersionPayout
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.numeric import U32, U64, U128, Perbill
from deepshard.runtime.support import ROOT, Origin, Signed
from deepshard.runtime.support.benchmarking import BenchmarkSuite, Component, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = [
    "SUITE",
    "MAX_KEEPERS",
    "MAX_DEPTH",
    "TRAINERS_PER_VERSION",
    "CIPHERTEXT_CID",
    "account",
    "record_lineage",
]

MAX_KEEPERS: Final = 16
"""The most keepers a ciphertext is benchmarked with (the runtime's ``MaxKeepers``)."""
MAX_DEPTH: Final = 64
"""The deepest version a purchase is benchmarked on."""
TRAINERS_PER_VERSION: Final = 5
"""Trainers paid for each benchmarked version (the runtime's round size)."""
CIPHERTEXT_CID: Final = bytes.fromhex("01551220") + b"\xc1" * 32
"""A CIDv1 (raw, sha2-256) standing for a pinned ciphertext."""

Action = Callable[[], object]


def account(n: int) -> AccountId32:
    """The `n`-th benchmark account."""
    return AccountId32(b"bench:licences:" + n.to_bytes(17, "big"))


def _pallet(ext: TestExternalities) -> Licences:
    return ext.pallet(Licences)


def fund(ext: TestExternalities, who: AccountId32) -> None:
    """Give `who` plenty of free balance (minted through the configured currency)."""
    currency: Any = ext.ctx.pallet(_pallet(ext).config.currency)
    currency.deposit_creating(who, U128(10**30))


def call(ext: TestExternalities, name: str, origin: Origin, **arguments: Any) -> Action:
    """The action of dispatching ``Licences.<name>`` (as an extrinsic would, in a layer)."""
    runtime = ext.runtime
    outer = runtime.make_call(Licences, name, **arguments)
    return lambda: runtime.dispatch(ext.ctx, outer, origin)


def keeper(ext: TestExternalities, n: int) -> AccountId32:
    """Fund account `n` and bond it as a keeper with ten times the minimum."""
    who = account(n)
    fund(ext, who)
    pallet = _pallet(ext)
    pallet.do_bond(who, pallet.config.keeper_min_bond * U128(10), BoxKey(bytes([n % 256]) * 32))
    return who


def record_lineage(ext: TestExternalities, depth: int) -> U32:
    """Record `depth` versions on top of the head, each paid as a closed round pays; the last.

    Every version pays `TRAINERS_PER_VERSION` new trainers and a new informant (funded), so the
    lineage names as many distinct payees as it can.
    """
    pallet = _pallet(ext)
    training: Any = ext.ctx.pallet(pallet.config.training)
    informants: Any = ext.ctx.pallet(pallet.config.informants)
    version = training.current_version.get()
    for step in range(depth):
        parent = training.model_versions.get(version)
        child = U32(int(version) + 1)
        batch_id = U64(10_000 + int(child))
        training.model_versions.insert(child, replace(parent, parent=version, round_id=None))
        paid = []
        for t in range(TRAINERS_PER_VERSION):
            who = account(100_000 + step * 10 + t)
            fund(ext, who)
            paid.append((who, U128(1_000 + t)))
        informant = account(200_000 + step)
        fund(ext, informant)
        informants.batch_rewards.insert(batch_id, (informant, U128(2_000)))
        training.version_payouts.insert(
            child,
            VersionPayout(
                round_id=U64(int(child)),
                batch_id=batch_id,
                trainers=tuple(paid),
                scorers_paid=U128(500),
            ),
        )
        training.current_version.put(child)
        version = child
    return U32(version)


def ciphertext_for(ext: TestExternalities, version: U32, keepers: int, threshold: int) -> None:
    """Register a ciphertext of `version` shared among `keepers` new keepers."""
    pallet = _pallet(ext)
    listed = tuple(keeper(ext, 1 + n) for n in range(keepers))
    for who in listed:
        pallet.keeper_shares.insert(version, who, b"\x01" * MAX_SHARE_LENGTH)
    pallet.ciphertexts.insert(
        version,
        CiphertextInfo(
            cid=CIPHERTEXT_CID,
            sha256=H256(bytes(32)),
            threshold=U32(threshold),
            keepers=listed,
            registrar=listed[0],
        ),
    )


def _count_open(ext: TestExternalities, keepers: tuple[AccountId32, ...]) -> None:
    """Count one open purchase on each of `keepers`, as ``buy`` does."""
    pallet = _pallet(ext)
    for who in keepers:
        info = pallet.keepers.get(who)
        assert info is not None  # bonded by `ciphertext_for`
        pallet.keepers.insert(who, replace(info, open_purchases=U32(1)))


def _max_keepers(ext: TestExternalities) -> int:
    return min(MAX_KEEPERS, int(_pallet(ext).config.max_keepers))


# --- calls ----------------------------------------------------------------------------------------


@benchmark()
def bond_keeper(ext: TestExternalities) -> Action:
    """A keeper tops up its bond and rotates its box key."""
    who = keeper(ext, 1)
    return call(ext, "bond_keeper", Signed(who), amount=U128(10**12), box_key=BoxKey(b"\x09" * 32))


@benchmark()
def unbond_keeper(ext: TestExternalities) -> Action:
    """A bonded keeper starts unbonding."""
    return call(ext, "unbond_keeper", Signed(keeper(ext, 1)))


@benchmark()
def withdraw_keeper(ext: TestExternalities) -> Action:
    """An unbonded keeper whose period ended withdraws its whole bond."""
    who = keeper(ext, 1)
    call(ext, "unbond_keeper", Signed(who))()
    ext.ctx.block_number += int(_pallet(ext).config.unbonding_period)
    return call(ext, "withdraw_keeper", Signed(who))


@benchmark(Component("keepers", 1, MAX_KEEPERS))
def register_ciphertext(ext: TestExternalities, keepers: int) -> Action:
    """`keepers` bonded keepers each get a share of the longest length."""
    listed = [keeper(ext, 1 + n) for n in range(keepers)]
    return call(
        ext,
        "register_ciphertext",
        Signed(listed[0]),
        version=U32(0),
        cid=CIPHERTEXT_CID,
        sha256=H256(bytes(32)),
        threshold=U32(keepers),
        shares=[(who, b"\x01" * MAX_SHARE_LENGTH) for who in listed],
    )


@benchmark(Component("depth", 0, MAX_DEPTH))
def buy(ext: TestExternalities, depth: int) -> Action:
    """A version `depth` versions deep, shared among `MaxKeepers` keepers, is bought."""
    version = record_lineage(ext, depth)
    ciphertext_for(ext, version, _max_keepers(ext), 1)
    buyer = account(0)
    fund(ext, buyer)
    return call(
        ext,
        "buy",
        Signed(buyer),
        version=version,
        buyer_box_key=BoxKey(b"\x07" * 32),
        max_price=U128(2**128 - 1),
    )


@benchmark()
def deliver_share(ext: TestExternalities) -> Action:
    """The last of `MaxKeepers` keepers delivers: the escrow pays 2 x `MAX_PAYEES` payees."""
    pallet = _pallet(ext)
    keepers = _max_keepers(ext)
    ciphertext_for(ext, U32(0), keepers, keepers)
    ciphertext = pallet.ciphertexts.get(U32(0))
    assert ciphertext is not None  # registered above
    buyer = account(0)
    fund(ext, buyer)
    payees = []
    for n in range(2 * MAX_PAYEES):
        who = account(300_000 + n)
        fund(ext, who)
        payees.append((who, U128(1_000)))
    price = U128(1_000 * len(payees) + 1_000)
    currency: Any = ext.ctx.pallet(pallet.config.currency)
    currency.hold(ESCROW_REASON, buyer, price)
    deadline = U32(ext.ctx.block_number + 10)
    pallet.purchases.insert(
        U64(0),
        Purchase(
            buyer=buyer,
            version=U32(0),
            buyer_box_key=BoxKey(b"\x07" * 32),
            price=price,
            deadline=deadline,
            phase=PurchasePhase.Open,
            keepers=ciphertext.keepers,
            deliveries=tuple((who, b"\x02" * MAX_SHARE_LENGTH) for who in ciphertext.keepers[1:]),
            payouts=tuple(payees),
            to_treasury=U128(1_000),
        ),
    )
    pallet.next_purchase_id.put(U64(1))
    pallet.purchase_deadlines.insert(deadline, (U64(0),))
    _count_open(ext, ciphertext.keepers)
    return call(
        ext,
        "deliver_share",
        Signed(ciphertext.keepers[0]),
        purchase_id=U64(0),
        sealed_share=b"\x03" * MAX_SHARE_LENGTH,
    )


@benchmark()
def set_pricing(ext: TestExternalities) -> Action:
    """Root sets the price curve."""
    pricing = Pricing(
        base_price=U128(10**12),
        growth_rate=Perbill.from_parts(10_000_000),
        value_unit=U128(10**14),
        cap=U128(10**18),
    )
    return call(ext, "set_pricing", ROOT, pricing=pricing)


# --- the hook -------------------------------------------------------------------------------------


@benchmark()
def on_initialize_base(ext: TestExternalities) -> Action:
    """No purchase falls due."""
    pallet = _pallet(ext)
    return lambda: pallet.on_initialize(ext.ctx.block_number)


@benchmark(Component("keepers", 1, MAX_KEEPERS))
def expire_purchase(ext: TestExternalities, keepers: int) -> Action:
    """An open purchase of a version shared among `keepers` keepers expires, none delivered."""
    pallet = _pallet(ext)
    ciphertext_for(ext, U32(0), keepers, keepers)
    ciphertext = pallet.ciphertexts.get(U32(0))
    assert ciphertext is not None  # registered above
    buyer = account(0)
    fund(ext, buyer)
    price = U128(10**15)
    currency: Any = ext.ctx.pallet(pallet.config.currency)
    currency.hold(ESCROW_REASON, buyer, price)
    purchase = Purchase(
        buyer=buyer,
        version=U32(0),
        buyer_box_key=BoxKey(b"\x07" * 32),
        price=price,
        deadline=U32(ext.ctx.block_number),
        phase=PurchasePhase.Open,
        keepers=ciphertext.keepers,
        deliveries=(),
        payouts=(),
        to_treasury=price,
    )
    pallet.purchases.insert(U64(0), purchase)
    _count_open(ext, ciphertext.keepers)
    return lambda: pallet.do_expire(U64(0), purchase)


SUITE = BenchmarkSuite(
    pallet="Licences",
    weights_protocol=LicencesWeights,
    benchmarks=(
        bond_keeper,
        unbond_keeper,
        withdraw_keeper,
        register_ciphertext,
        buy,
        deliver_share,
        set_pricing,
        on_initialize_base,
        expire_purchase,
    ),
)
"""Every benchmark of the Licences pallet."""
