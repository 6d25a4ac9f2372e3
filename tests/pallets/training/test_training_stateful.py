"""A hypothesis state machine over bonds, rounds, commits, reveals, scores, cancels and blocks.

After every step:

* every pallet's ``try_state`` passes (holds = recorded bonds; pending slashes within bonds;
  nobody in two roles of a round; closed rounds paid exactly; the treasury's and Balances'
  own invariants);
* the total issuance is the genesis issuance plus everything the treasury minted, exactly;
* a step that failed left no write and no event behind.

Whenever a round closes, its payout is recomputed here from the round record alone (accepted
trainers, their drawn bonds, the slashes applied) with plain arithmetic, and every trainer's
reward must match it to the unit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from deepshard.pallets.training import (
    Role,
    RoundClosed,
    RoundOutcome,
    RoundPhase,
    SlashApplied,
    TrainerRewarded,
    logic,
)
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.numeric import U32, U64, U128
from deepshard.runtime.support import ROOT, DispatchError, Origin, Signed

from .conftest import account, adapter_cid, sha

ACCOUNTS = tuple(account(n) for n in range(1, 9))
GOOD = [2_000_000, 50_000, -1_000_000, 300_000, 10_000]
BAD = [2_400_000, -350_000, -1_600_000, 900_000, 500_000]
EMISSION = 1_000

accounts = st.sampled_from(ACCOUNTS)
roles = st.sampled_from([Role.Trainer, Role.Scorer])


class TrainingMachine(RuleBasedStateMachine):
    """Random use of the Training pallet with the invariants checked after each step."""

    def __init__(self, ext_builder: Callable[[], Any]) -> None:
        super().__init__()
        self.ext = (
            ext_builder()
            .with_balances(dict.fromkeys(ACCOUNTS, 5_000))
            .trainers({ACCOUNTS[0]: 300, ACCOUNTS[1]: 500, ACCOUNTS[2]: 700})
            .scorers({ACCOUNTS[3]: 400, ACCOUNTS[4]: 600})
            .config(
                trainers_per_round=U32(3),
                scorers_per_round=U32(2),
                commit_period=U32(2),
                reveal_period=U32(2),
                score_period=U32(2),
                dispute_period=U32(2),
                unbonding_period=U32(3),
                round_emission=U128(EMISSION),
                scorer_reward=U128(97),
            )
            .build()
        )
        self.genesis_issuance = self.ext.issuance()
        self.checked_rounds = 0
        self.seen_rounds: set[int] = set()

    def attempt(self, name: str, origin: Origin, **arguments: Any) -> None:
        """Dispatch; a failure must leave nothing behind."""
        before = self.ext.snapshot()
        try:
            self.ext.call(name, origin, **arguments)
        except DispatchError:
            assert self.ext.snapshot() == before, f"{name} failed but left changes"

    def active(self) -> tuple[U64, Any] | None:
        """The open round, if any."""
        round_id = self.ext.training.active_round.get()
        if round_id is None:
            return None
        return round_id, self.ext.training.rounds.get(round_id)

    # --- rules -----------------------------------------------------------------------------------

    @rule(who=accounts, role=roles, amount=st.sampled_from([0, 50, 100, 400, 6_000]))
    def bond(self, who: AccountId32, role: Role, amount: int) -> None:
        """Bond (sometimes too little or unaffordable)."""
        self.attempt("bond", Signed(who), role=role, amount=amount)

    @rule(who=accounts, role=roles, amount=st.sampled_from([1, 100, 300, 700]))
    def unbond(self, who: AccountId32, role: Role, amount: int) -> None:
        """Start unbonding."""
        self.attempt("unbond", Signed(who), role=role, amount=amount)

    @rule(who=accounts, role=roles)
    def withdraw(self, who: AccountId32, role: Role) -> None:
        """Withdraw what has unbonded (refused while drawn in the open round)."""
        self.attempt("withdraw_unbonded", Signed(who), role=role)

    @rule()
    def queue_batch(self) -> None:
        """An accepted batch joins the training queue."""
        if self.ext.pallet_queue_length() < 3:
            self.ext.queue_batch()

    @rule(data=st.data(), poisoned=st.booleans())
    def commit(self, data: st.DataObject, poisoned: bool) -> None:
        """A drawn trainer (or someone else) commits to an honest or a poisoned adapter."""
        current = self.active()
        if current is None:
            return
        round_id, round_ = current
        who = data.draw(st.sampled_from([w for w, _ in round_.trainers] + [ACCOUNTS[7]]))
        n = 2 if poisoned else 1
        digest = logic.compute_commitment(adapter_cid(n), bytes(sha(n)), b"s", bytes(who))
        self.attempt("commit", Signed(who), round_id=round_id, commitment=H256(digest))

    @rule(data=st.data(), honest_salt=st.booleans())
    def reveal(self, data: st.DataObject, honest_salt: bool) -> None:
        """A trainer reveals (the right salt or a wrong one), trying both adapters."""
        current = self.active()
        if current is None:
            return
        round_id, round_ = current
        who = data.draw(st.sampled_from([w for w, _ in round_.trainers]))
        for n in (1, 2):
            self.attempt(
                "reveal",
                Signed(who),
                round_id=round_id,
                cid=adapter_cid(n),
                sha256=sha(n),
                salt=b"s" if honest_salt else b"t",
            )

    @rule(data=st.data(), liar=st.booleans())
    def score(self, data: st.DataObject, liar: bool) -> None:
        """A drawn scorer scores every revealed adapter (honestly, or lying)."""
        current = self.active()
        if current is None:
            return
        round_id, round_ = current
        who = data.draw(st.sampled_from([w for w, _ in round_.scorers]))
        matrix = []
        for trainer in round_.revealed:
            reveal = self.ext.training.reveals.get(round_id, trainer)
            row = GOOD if reveal is not None and reveal.sha256 == sha(1) else BAD
            matrix.append([v + 777_777 for v in row] if liar else list(row))
        self.attempt("submit_scores", Signed(who), round_id=round_id, scores=matrix)

    @rule(data=st.data())
    def everyone_plays(self, data: st.DataObject) -> None:
        """Every drawn account acts in the current phase (the common case).

        Commit: each trainer commits to the honest adapter, a poisoned one, or not at all.
        Reveal: each committer reveals. Score: each scorer scores, mostly honestly.
        """
        current = self.active()
        if current is None:
            return
        round_id, round_ = current
        now = logic.next_phase(round_.phase, self.ext.block, **_deadlines(round_))
        if now is not round_.phase:
            return
        if round_.phase is RoundPhase.Commit:
            for who, _ in round_.trainers:
                n = data.draw(st.sampled_from([1, 1, 1, 2, 0]))
                if n:
                    digest = logic.compute_commitment(
                        adapter_cid(n), bytes(sha(n)), b"s", bytes(who)
                    )
                    self.attempt("commit", Signed(who), round_id=round_id, commitment=H256(digest))
        elif round_.phase is RoundPhase.Reveal:
            self.reveal_all(round_id, round_)
        elif round_.phase is RoundPhase.Score:
            for _ in round_.scorers:
                self.score(data, data.draw(st.sampled_from([False, False, False, True])))

    @rule(data=st.data())
    def play_round(self, data: st.DataObject) -> None:
        """Queue a batch if needed and play a whole round, block by block, to its close."""
        if self.active() is None:
            if self.ext.pallet_queue_length() == 0:
                self.ext.queue_batch()
            self.advance(1)
        for _ in range(12):
            current = self.active()
            if current is None:
                return
            self.everyone_plays(data)
            self.advance(1)

    def reveal_all(self, round_id: U64, round_: Any) -> None:
        """Every committer reveals whichever adapter it committed to."""
        for who, _ in round_.trainers:
            for n in (1, 2):
                self.attempt(
                    "reveal",
                    Signed(who),
                    round_id=round_id,
                    cid=adapter_cid(n),
                    sha256=sha(n),
                    salt=b"s",
                )

    @rule(data=st.data(), root=st.booleans())
    def cancel(self, data: st.DataObject, root: bool) -> None:
        """Root (or not) cancels a pending slash."""
        pending = [(r, w) for r, w, _ in self.ext.training.pending_slashes.iter()]
        if not pending:
            return
        round_id, who = data.draw(st.sampled_from(sorted(pending)))
        origin: Origin = ROOT if root else Signed(who)
        self.attempt("cancel_slash", origin, round_id=round_id, trainer=who)

    @rule(blocks=st.integers(1, 3))
    def advance(self, blocks: int) -> None:
        """Produce blocks; every round that closes is checked against the reference payout."""
        for _ in range(blocks):
            self.ext.next_block()
            self.check_closed_rounds()

    # --- the reference payout ----------------------------------------------------------------

    def check_closed_rounds(self) -> None:
        """Recompute the payout of a round closed in this block and compare, to the unit."""
        events = self.ext.events()
        closed = [
            e
            for e in events
            if isinstance(e, RoundClosed) and int(e.round_id) not in self.seen_rounds
        ]
        for event in closed:
            self.seen_rounds.add(int(event.round_id))
            round_ = self.ext.training.rounds.get(event.round_id)
            assert round_ is not None
            assert round_.phase is RoundPhase.Closed
            slashes = sum(
                int(e.amount)
                for e in events
                if isinstance(e, SlashApplied) and e.round_id == event.round_id
            )
            assert slashes == int(round_.slashes)
            rewards = {
                bytes(e.trainer): int(e.amount)
                for e in events
                if isinstance(e, TrainerRewarded) and e.round_id == event.round_id
            }
            bonds = {bytes(w): int(b) for w, b in round_.trainers}
            accepted = [bytes(w) for w in round_.accepted]
            if round_.outcome is not RoundOutcome.Accepted or not accepted:
                assert rewards == {}
                assert int(round_.to_treasury) == slashes
                continue
            total = sum(bonds[w] for w in accepted)
            for who in accepted:
                expected = EMISSION * bonds[who] // total + slashes * bonds[who] // total
                assert rewards[who] == expected, (who.hex(), rewards[who], expected)
            assert sum(rewards.values()) == int(round_.paid)
            assert int(round_.paid) + int(round_.to_treasury) == EMISSION + slashes
            self.checked_rounds += 1

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


def _deadlines(round_: Any) -> dict[str, int]:
    return {
        "commit_ends": int(round_.commit_ends),
        "reveal_ends": int(round_.reveal_ends),
        "score_ends": int(round_.score_ends),
        "dispute_ends": int(round_.dispute_ends),
    }


def test_training_state_machine(ext_builder: Callable[[], Any]) -> None:
    machines: list[TrainingMachine] = []

    def machine() -> TrainingMachine:
        machines.append(TrainingMachine(ext_builder))
        return machines[-1]

    run_state_machine_as_test(
        machine,  # type: ignore[arg-type] # a factory, as hypothesis accepts
        settings=settings(
            max_examples=60,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # the machine reaches the end of rounds, accepted ones included
    assert sum(m.checked_rounds for m in machines) > 0
