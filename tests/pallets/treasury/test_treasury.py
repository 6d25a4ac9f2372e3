"""Treasury: the pot's account as FRAME derives it, spending, the emission budget and minting."""

from __future__ import annotations

import pytest
from substrateinterface.utils.ss58 import ss58_encode

from deepshard.pallets.balances import Balances
from deepshard.pallets.treasury import (
    Config,
    EmissionAccrued,
    InsufficientFunds,
    RewardMinted,
    Spent,
    Treasury,
    ZeroAmount,
    compute_pallet_account,
)
from deepshard.pallets.treasury.logic import compute_mint, compute_next_budget
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U128
from deepshard.runtime.support import ROOT, BadOrigin, Signed
from deepshard.runtime.support.testing import assert_last_event, assert_noop

from ..informants.conftest import ALICE, BOB, ED, InformantsExt


def test_pot_account_is_frames_derivation() -> None:
    # The well-known treasury account of Substrate chains (PalletId *b"py/trsry"), SS58 42.
    account = compute_pallet_account(b"py/trsry")
    assert account.hex() == "6d6f646c70792f74727372790000000000000000000000000000000000000000"
    assert ss58_encode(account, 42) == "5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z"
    with pytest.raises(ValueError, match="8 bytes"):
        compute_pallet_account(b"short")


def test_genesis_endows_the_pot(ext: InformantsExt) -> None:
    assert int(ext.treasury.pot()) == ED
    assert ext.treasury.inflows.get() == U128(ED)


def test_emission_accrues_up_to_the_cap(ext: InformantsExt) -> None:
    budget = int(ext.treasury.emission_budget.get())
    ext.next_block()
    assert ext.treasury.emission_budget.get() == U128(budget + 1_000)
    assert EmissionAccrued(amount=U128(1_000), budget=U128(budget + 1_000)) in ext.events()
    assert compute_next_budget(999_500, 1_000, 1_000_000) == 1_000_000
    assert compute_next_budget(2_000_000, 1_000, 1_000_000) == 2_000_000  # never cut


def test_mint_reward_is_bounded_by_the_budget(ext_builder: object) -> None:
    ext = ext_builder().with_balances({ALICE: 1_000}).budget(500).build()  # type: ignore[operator]
    issuance = ext.issuance()
    assert ext.treasury.mint_reward(ALICE, U128(300)) == U128(300)
    assert_last_event(ext, RewardMinted(who=ALICE, amount=U128(300)))
    assert ext.treasury.mint_reward(ALICE, U128(300)) == U128(200)  # what is left
    assert ext.treasury.mint_reward(ALICE, U128(1)) == U128(0)
    assert ext.issuance() == issuance + 500
    assert ext.treasury.total_minted.get() == U128(500)
    assert compute_mint(10, 25) == (10, 0)


def test_no_mint_below_the_existential_deposit_to_a_new_account(ext: InformantsExt) -> None:
    budget = ext.treasury.emission_budget.get()
    assert ext.treasury.mint_reward(BOB.__class__(b"\x77" * 32), U128(ED - 1)) == U128(0)
    assert ext.treasury.emission_budget.get() == budget


def test_spend(ext: InformantsExt) -> None:
    pot = ext.treasury.account_id()
    ext.balances.transfer(ALICE, pot, U128(500), keep_alive=True)  # a gift: pot >= recorded
    ext.treasury.try_state()
    free = ext.free(BOB)
    ext.call_in(Treasury, "spend", ROOT, beneficiary=Id(BOB), amount=200)
    assert_last_event(ext, Spent(beneficiary=BOB, amount=U128(200)))
    assert ext.free(BOB) == free + 200
    assert ext.treasury.outflows.get() == U128(200)
    assert_noop(
        ext,
        lambda: ext.call_in(Treasury, "spend", Signed(ALICE), beneficiary=Id(BOB), amount=1),
        BadOrigin,
    )
    assert_noop(
        ext, lambda: ext.call_in(Treasury, "spend", ROOT, beneficiary=Id(BOB), amount=0), ZeroAmount
    )
    assert_noop(
        ext,
        lambda: ext.call_in(Treasury, "spend", ROOT, beneficiary=Id(BOB), amount=301),
        InsufficientFunds,  # the pot keeps its existential deposit
    )


def test_integrity_refuses_a_cap_below_the_emission() -> None:
    with pytest.raises(ValueError, match="MaxEmissionBudget"):
        Treasury.integrity_test(
            Config(currency=Balances, emission_per_block=U128(10), max_emission_budget=U128(5))
        )
