"""A hypothesis state machine over random submits, votes, bonds, unbonds, withdrawals and blocks.

After every step:

* every pallet's ``try_state`` passes (holds = recorded stakes, deposits and bonds; the
  treasury pot = inflows - outflows; total issuance = the sum of all balances; queues and
  phases agree);
* the total issuance is the genesis issuance plus everything the treasury minted, exactly;
* a step that failed left no write and no event behind;
* the closing hook never used more than its budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from deepshard.pallets.informants import Informants
from deepshard.pallets.treasury import Treasury
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U32
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import ROOT, DispatchError, Signed

from .conftest import CID_V0, CID_V1_RAW, scores

ACCOUNTS = tuple(AccountId32(bytes([n]) * 32) for n in range(1, 7))
BUDGET = Weight.from_parts(40, 0)

accounts = st.sampled_from(ACCOUNTS)


class InformantsMachine(RuleBasedStateMachine):
    """Random use of the Informants pallet with the invariants checked after each step."""

    def __init__(self, ext_builder: Callable[[], Any]) -> None:
        super().__init__()
        self.ext = (
            ext_builder()
            .with_balances(dict.fromkeys(ACCOUNTS, 2000))
            .curators({ACCOUNTS[2]: 100, ACCOUNTS[3]: 100, ACCOUNTS[4]: 300})
            .config(
                default_voting_period=U32(3),
                unbonding_period=U32(4),
                max_open_batches=U32(2),
                max_batches_per_block=U32(3),
                max_votes_per_batch=U32(4),
                max_closing_weight=BUDGET,
            )
            .budget(5_000)
            .build()
        )
        self.genesis_issuance = self.ext.issuance()

    def attempt(self, name: str, who: AccountId32, **arguments: Any) -> None:
        """Dispatch; a failure must leave nothing behind."""
        before = self.ext.snapshot()
        try:
            self.ext.call(name, Signed(who), **arguments)
        except DispatchError:
            assert self.ext.snapshot() == before, f"{name} failed but left changes"

    def attempt_as(
        self, origin: Any, name: str, pallet: Any = Informants, **arguments: Any
    ) -> None:
        """Dispatch from `origin`; a failure must leave nothing behind."""
        before = self.ext.snapshot()
        try:
            self.ext.call_in(pallet, name, origin, **arguments)
        except DispatchError:
            assert self.ext.snapshot() == before, f"{name} failed but left changes"

    def batch_ids(self) -> list[int]:
        """Every id handed out so far (and one beyond)."""
        return list(range(int(self.ext.informants.next_batch_id.get()) + 1))

    # --- rules -----------------------------------------------------------------------------------

    @rule(
        who=accounts,
        stake=st.sampled_from([50, 100, 250, 1_990]),
        cid=st.sampled_from([CID_V0, CID_V1_RAW, b"\x12\x20"]),
        items=st.integers(0, 500),
    )
    def submit(self, who: AccountId32, stake: int, cid: bytes, items: int) -> None:
        """Propose a batch (sometimes invalid or unaffordable)."""
        self.attempt(
            "submit_batch",
            who,
            cid=cid,
            byte_size=items * 10,
            item_count=items,
            stake=stake,
            metadata_cid=b"",
        )

    @rule(who=accounts, amount=st.sampled_from([0, 10, 50, 200, 1_500]))
    def bond(self, who: AccountId32, amount: int) -> None:
        """Bond as a curator."""
        self.attempt("bond_curator", who, amount=amount)

    @rule(who=accounts, amount=st.sampled_from([1, 50, 100, 300]))
    def unbond(self, who: AccountId32, amount: int) -> None:
        """Start unbonding."""
        self.attempt("unbond_curator", who, amount=amount)

    @rule(who=accounts)
    def withdraw(self, who: AccountId32) -> None:
        """Withdraw what has unbonded."""
        self.attempt("withdraw_unbonded", who)

    @rule(who=accounts, data=st.data(), aye=st.booleans(), score=st.integers(0, 100))
    def vote(self, who: AccountId32, data: st.DataObject, aye: bool, score: int) -> None:
        """Vote on some batch (possibly closed or unknown)."""
        batch_id = data.draw(st.sampled_from(self.batch_ids()))
        self.attempt("vote", who, batch_id=batch_id, aye=aye, scores=scores(score))

    @rule(data=st.data())
    def curators_vote(self, data: st.DataObject) -> None:
        """Bonded curators vote on a batch in voting (the common case), each aye or nay."""
        informants = self.ext.informants
        open_ids = [int(i) for i, b in informants.batches.iter() if b.phase == 0]
        curators = [who for who, ledger in informants.curators.iter() if ledger.active > 0]
        if not open_ids or not curators:
            return
        batch_id = data.draw(st.sampled_from(sorted(open_ids)))
        for who in curators:
            aye = data.draw(st.sampled_from([True, True, False, None]))
            if aye is not None:
                score = data.draw(st.integers(0, 100))
                self.attempt("vote", who, batch_id=batch_id, aye=aye, scores=scores(score))

    @rule(blocks=st.integers(1, 3))
    def advance(self, blocks: int) -> None:
        """Produce blocks (closing what is due)."""
        for _ in range(blocks):
            self.ext.next_block()
            assert self.ext.hook_weight[-1].all_lte(BUDGET)

    @rule(who=accounts, data=st.data())
    def claim(self, who: AccountId32, data: st.DataObject) -> None:
        """A curator claims its vote on some batch (decided or not)."""
        batch_id = data.draw(st.sampled_from(self.batch_ids()))
        self.attempt("claim_curator_reward", who, batch_id=batch_id)

    @rule(data=st.data())
    def claim_decided(self, data: st.DataObject) -> None:
        """A curator with a vote on a decided batch claims it (the common case)."""
        informants = self.ext.informants
        pending = [
            (int(batch_id), who)
            for batch_id, batch in informants.batches.iter()
            if batch.phase >= 2
            for who, _ in informants.votes.iter_prefix(batch_id)
        ]
        if pending:
            batch_id, who = data.draw(st.sampled_from(pending))
            self.attempt("claim_curator_reward", who, batch_id=batch_id)

    @rule(period=st.integers(0, 5))
    def set_voting_period(self, period: int) -> None:
        """Root changes the voting period (0 and beyond the unbonding period are refused)."""
        self.attempt_as(ROOT, "set_voting_period", period=period)

    @rule(who=accounts, amount=st.sampled_from([0, 1, 5, 50, 10**6]))
    def spend(self, who: AccountId32, amount: int) -> None:
        """Root pays out of the treasury pot."""
        self.attempt_as(ROOT, "spend", pallet=Treasury, beneficiary=Id(who), amount=amount)

    @rule()
    def take_for_training(self) -> None:
        """The training pallet takes an accepted batch."""
        self.ext.pallet(Informants).take_for_training()

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def pallets_are_consistent(self) -> None:
        """Every pallet's try_state."""
        self.ext.check_invariants()

    @invariant()
    def issuance_grows_only_by_minting(self) -> None:
        """Issuance = genesis issuance + minted rewards (slashes move, never burn)."""
        minted = int(self.ext.treasury.total_minted.get())
        assert self.ext.issuance() == self.genesis_issuance + minted


def test_informants_state_machine(ext_builder: Callable[[], Any]) -> None:
    run_state_machine_as_test(
        lambda: InformantsMachine(ext_builder),
        settings=settings(
            max_examples=60,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
