"""A hypothesis state machine of multisig operations against a brute-force reference model.

Three signatories (accounts 1..3) share 2-of-3 and 3-of-3 multisig accounts; the rules open,
approve (with or without the call), execute and cancel operations on two different calls,
with the right, a missing or a wrong timepoint. The model is a plain dict of open operations
with FRAME's rules spelled out case by case. After every step: the pallet's storage equals the
model, the deposits held equal the model's, `try_state` of Multisig and Balances pass, and a
step that failed left no write and no event behind.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.multisig import MULTISIG_HOLD, MultisigPallet, Timepoint, multi_account_id
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U16, U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import DispatchError, Signed
from deepshard.runtime.support.testing import TestExternalities

SIGNERS = tuple(AccountId32(bytes([n]) * 32) for n in (1, 2, 3))
BIG = Weight.from_parts(10**12, 10**9)


class MultisigMachine(RuleBasedStateMachine):
    """Random multisig steps, checked against `self.model`."""

    def __init__(self, mock: Any) -> None:
        super().__init__()
        self.mock = mock
        genesis = BalancesGenesis(balances=tuple((who, U128(100)) for who in SIGNERS))
        self.ext = TestExternalities(mock.RUNTIME, {Balances: genesis})
        self.calls = (mock.remark(b"a"), mock.remark(b"b"))
        # (threshold, call index) -> (depositor, approvals, deposit, timepoint)
        self.model: dict[tuple[int, int], tuple[AccountId32, set[bytes], int, Timepoint]] = {}
        self.extrinsic = 0

    def _run(self, action: Any) -> bool:
        """Run `action` as the next extrinsic; on failure check that nothing changed."""
        self.extrinsic += 1
        self.ext.ctx.extrinsic_index = self.extrinsic
        before = self.ext.snapshot()
        try:
            action()
        except DispatchError:
            assert self.ext.snapshot() == before, "a failed step left changes behind"
            return False
        return True

    def _others(self, who: AccountId32) -> tuple[AccountId32, ...]:
        return tuple(s for s in SIGNERS if s != who)

    @rule(
        signer=st.sampled_from(SIGNERS),
        threshold=st.sampled_from((2, 3)),
        which=st.integers(0, 1),
        with_call=st.booleans(),
        timepoint=st.sampled_from(("right", "right", "right", "none", "wrong")),
    )
    def approve(
        self, signer: AccountId32, threshold: int, which: int, with_call: bool, timepoint: str
    ) -> None:
        key = (threshold, which)
        open_op = self.model.get(key)
        when: Timepoint | None = None  # "right" is the timepoint the state calls for
        if timepoint == "right" and open_op is not None:
            when = open_op[3]
        elif timepoint == "wrong":
            when = Timepoint(height=U32(99), index=U32(99))
        call = self.calls[which]
        arguments = {
            "threshold": U16(threshold),
            "other_signatories": self._others(signer),
            "maybe_timepoint": when,
            "max_weight": BIG,
        }
        if with_call:
            name, arguments["call"] = "as_multi", call
        else:
            name, arguments["call_hash"] = "approve_as_multi", blake2_256(call.encode())
        ok = self._run(lambda: self.ext.dispatch(MultisigPallet, name, Signed(signer), **arguments))
        # the reference: FRAME's rules, case by case
        if open_op is None:
            expected = when is None
            if expected:
                deposit = 1 + threshold
                here = Timepoint(height=U32(self.ext.ctx.block_number), index=U32(self.extrinsic))
                self.model[key] = (signer, {bytes(signer)}, deposit, here)
        elif when is None or when != open_op[3]:
            expected = False
        else:
            depositor, approvals, deposit, opened = open_op
            # an approval counts only if new and still needed
            adds = bytes(signer) not in approvals and len(approvals) < threshold
            if with_call and len(approvals) + adds >= threshold:
                expected = True
                del self.model[key]
            elif adds:
                expected = True
                self.model[key] = (depositor, {*approvals, bytes(signer)}, deposit, opened)
            else:
                expected = False
        assert ok == expected, (name, signer, threshold, which, timepoint, open_op)

    @rule(
        signer=st.sampled_from(SIGNERS), threshold=st.sampled_from((2, 3)), which=st.integers(0, 1)
    )
    def cancel(self, signer: AccountId32, threshold: int, which: int) -> None:
        key = (threshold, which)
        open_op = self.model.get(key)
        when = open_op[3] if open_op else Timepoint(height=U32(1), index=U32(0))
        ok = self._run(
            lambda: self.ext.dispatch(
                MultisigPallet,
                "cancel_as_multi",
                Signed(signer),
                threshold=U16(threshold),
                other_signatories=self._others(signer),
                timepoint=when,
                call_hash=blake2_256(self.calls[which].encode()),
            )
        )
        expected = open_op is not None and open_op[0] == signer
        if expected:
            del self.model[key]
        assert ok == expected

    @invariant()
    def storage_matches_the_model(self) -> None:
        pallet = self.ext.pallet(MultisigPallet)
        for (threshold, which), (depositor, approvals, deposit, when) in self.model.items():
            multisig = multi_account_id(sorted(SIGNERS, key=bytes), threshold)
            stored = pallet.multisigs.get(multisig, blake2_256(self.calls[which].encode()))
            assert stored is not None
            assert stored.depositor == depositor
            assert {bytes(a) for a in stored.approvals} == approvals
            assert int(stored.deposit) == deposit
            assert stored.when == when
        assert len(list(pallet.multisigs.iter())) == len(self.model)
        balances = self.ext.pallet(Balances)
        for who in SIGNERS:
            expected = sum(d for (dep, _a, d, _w) in self.model.values() if dep == who)
            assert int(balances.balance_on_hold(MULTISIG_HOLD, who)) == expected
        pallet.try_state()
        balances.try_state()


def test_multisig_state_machine(mock: Any) -> None:
    run_state_machine_as_test(
        lambda: MultisigMachine(mock),
        settings=settings(max_examples=40, stateful_step_count=25, deadline=None),
    )
