"""A hypothesis state machine driving random balance operations through the mock runtime.

Rules are the calls (transfers, transfer-all, burns, forced operations) and the currency
interface (fee-like withdrawals, deposits, reserves, unreserves, slashes, repatriations, holds,
freezes). After every step:

* ``try_state`` of Balances and System pass (total issuance == sum of free + reserved, no
  dust, reserves cover holds, every stored account has a provider);
* a step that failed left no write and no event behind (the overlay's pending changes and the
  event count are exactly as before);
* no account's nonce changed (a reaped account's nonce is kept in ``System.ReapedNonce``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from deepshard.pallets.balances import FREE, RESERVED, ReasonId
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U32, U128
from deepshard.runtime.support import ROOT, DispatchError, Signed

ACCOUNTS = tuple(AccountId32(bytes([n]) * 32) for n in range(1, 7))
REASONS = (ReasonId(b"staking "), ReasonId(b"licence "), ReasonId(b"curation"))
ED = 10

accounts = st.sampled_from(ACCOUNTS)
reasons = st.sampled_from(REASONS)
amounts = st.one_of(
    st.tuples(st.just("abs"), st.integers(0, 3 * ED)),
    st.tuples(st.just("abs"), st.integers(0, 500)),
    st.tuples(st.sampled_from(("free", "reserved")), st.integers(-ED - 2, 2)),
    st.tuples(st.just("part"), st.integers(2, 6)),
    st.just(("abs", U128.MAX)),
)
"""Amount specs, resolved against the debited account when the rule runs, so that the
boundaries (all of the free balance, the free balance less about one ED) come up often."""
Amount = tuple[str, int]


class BalancesMachine(RuleBasedStateMachine):
    """Random balance operations with the invariants checked after each."""

    def __init__(self, ext_builder: Callable[[], Any]) -> None:
        super().__init__()
        endowed = {who: 100 * (n + 1) for n, who in enumerate(ACCOUNTS[:4])}
        self.ext = (
            ext_builder()
            .existential_deposit(ED)
            .max_holds(2)  # three reasons: some holds and freezes fail for want of room
            .max_freezes(2)
            .with_balances(endowed)
            .skip_invariants()
            .build()
        )
        for n, who in enumerate(ACCOUNTS[:4]):
            for _ in range(n + 1):
                self.ext.system.inc_account_nonce(who)
        self.nonces = {who: self._nonce(who) for who in ACCOUNTS}
        self.failures = 0

    # --- helpers -------------------------------------------------------------------------------

    def _nonce(self, who: AccountId32) -> int:
        system = self.ext.system
        if system.account_exists(who):
            return int(system.account.get(who).nonce)
        return int(system.reaped_nonce.get(who) or U32(0))

    def resolve(self, who: AccountId32, spec: Amount) -> U128:
        """The amount `spec` stands for, given the balances of `who` now."""
        kind, value = spec
        data = self.ext.data(who)
        if kind == "free":
            return U128(max(0, int(data.free) + value))
        if kind == "reserved":
            return U128(max(0, int(data.reserved) + value))
        if kind == "part":
            return U128(int(data.free) // value)
        return U128(value)

    def attempt(self, action: Callable[[], object]) -> None:
        """Run `action`; if it fails, check it left nothing behind."""
        before = self.ext.snapshot()
        try:
            action()
        except DispatchError:
            self.failures += 1
            assert self.ext.snapshot() == before, "a failed operation left changes behind"

    def call(self, name: str, origin: Any, **arguments: Any) -> None:
        """Dispatch a Balances call."""
        self.attempt(lambda: self.ext.call(name, origin, **arguments))

    # --- calls ---------------------------------------------------------------------------------

    @rule(source=accounts, dest=accounts, value=amounts, keep_alive=st.booleans())
    def transfer(
        self, source: AccountId32, dest: AccountId32, value: Amount, keep_alive: bool
    ) -> None:
        name = "transfer_keep_alive" if keep_alive else "transfer_allow_death"
        self.call(name, Signed(source), dest=Id(dest), value=self.resolve(source, value))

    @rule(source=accounts, dest=accounts, keep_alive=st.booleans())
    def transfer_all(self, source: AccountId32, dest: AccountId32, keep_alive: bool) -> None:
        self.call("transfer_all", Signed(source), dest=Id(dest), keep_alive=keep_alive)

    @rule(source=accounts, dest=accounts, value=amounts)
    def force_transfer(self, source: AccountId32, dest: AccountId32, value: Amount) -> None:
        amount = self.resolve(source, value)
        self.call("force_transfer", ROOT, source=Id(source), dest=Id(dest), value=amount)

    @rule(who=accounts, value=amounts, keep_alive=st.booleans())
    def burn(self, who: AccountId32, value: Amount, keep_alive: bool) -> None:
        self.call("burn", Signed(who), value=self.resolve(who, value), keep_alive=keep_alive)

    @rule(who=accounts, new_free=st.integers(0, 600).map(U128))
    def force_set_balance(self, who: AccountId32, new_free: U128) -> None:
        self.call("force_set_balance", ROOT, who=Id(who), new_free=new_free)

    @rule(who=accounts, amount=amounts)
    def force_unreserve(self, who: AccountId32, amount: Amount) -> None:
        self.call("force_unreserve", ROOT, who=Id(who), amount=self.resolve(who, amount))

    # --- currency interface --------------------------------------------------------------------

    @rule(who=accounts, amount=amounts, keep_alive=st.booleans())
    def withdraw_fee(self, who: AccountId32, amount: Amount, keep_alive: bool) -> None:
        fee = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.withdraw(who, fee, keep_alive=keep_alive))

    @rule(who=accounts, amount=amounts)
    def deposit(self, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.deposit_creating(who, value))

    @rule(who=accounts, amount=amounts)
    def reserve(self, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.reserve(who, value))

    @rule(who=accounts, amount=amounts)
    def unreserve(self, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.unreserve(who, value))

    @rule(who=accounts, amount=amounts)
    def slash(self, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.slash(who, value))

    @rule(who=accounts, amount=amounts)
    def slash_reserved(self, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.slash_reserved(who, value))

    @rule(source=accounts, dest=accounts, amount=amounts, to_free=st.booleans())
    def repatriate(
        self, source: AccountId32, dest: AccountId32, amount: Amount, to_free: bool
    ) -> None:
        value = self.resolve(source, amount)
        status = FREE if to_free else RESERVED
        self.attempt(lambda: self.ext.balances.repatriate_reserved(source, dest, value, status))

    @rule(reason=reasons, who=accounts, amount=amounts)
    def hold(self, reason: ReasonId, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.hold(reason, who, value))

    @rule(reason=reasons, who=accounts, amount=amounts, best_effort=st.booleans())
    def release(
        self, reason: ReasonId, who: AccountId32, amount: Amount, best_effort: bool
    ) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.release(reason, who, value, best_effort=best_effort))

    @rule(reason=reasons, who=accounts, amount=amounts)
    def slash_held(self, reason: ReasonId, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.slash_held(reason, who, value))

    @rule(
        reason=reasons,
        source=accounts,
        dest=accounts,
        amount=amounts,
        on_hold=st.booleans(),
        best_effort=st.booleans(),
    )
    def transfer_on_hold(
        self,
        *,
        reason: ReasonId,
        source: AccountId32,
        dest: AccountId32,
        amount: Amount,
        on_hold: bool,
        best_effort: bool,
    ) -> None:
        value = self.resolve(source, amount)
        self.attempt(
            lambda: self.ext.balances.transfer_on_hold(
                reason, source, dest, value, on_hold=on_hold, best_effort=best_effort
            )
        )

    @rule(freeze=reasons, who=accounts, amount=amounts)
    def set_freeze(self, freeze: ReasonId, who: AccountId32, amount: Amount) -> None:
        value = self.resolve(who, amount)
        self.attempt(lambda: self.ext.balances.set_freeze(freeze, who, value))

    @rule(freeze=reasons, who=accounts)
    def thaw(self, freeze: ReasonId, who: AccountId32) -> None:
        self.attempt(lambda: self.ext.balances.thaw(freeze, who))

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def state_is_consistent(self) -> None:
        self.ext.check_invariants()

    @invariant()
    def nonces_are_untouched(self) -> None:
        assert {who: self._nonce(who) for who in ACCOUNTS} == self.nonces


def test_balances_state_machine(ext_builder) -> None:
    """Random operations keep every invariant (scales with the hypothesis profile)."""
    examples = max(10, settings.default.max_examples // 2)
    run_state_machine_as_test(
        lambda: BalancesMachine(ext_builder),
        settings=settings(settings.default, max_examples=examples, stateful_step_count=50),
    )
