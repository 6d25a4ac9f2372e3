"""A hypothesis state machine of proxy registrations and announcements against a model.

Accounts 1..3 add and remove proxies of random types and delays, announce, withdraw and reject
announcements, and proxy calls; the model is a dict of proxy lists and announcement lists with
FRAME's rules spelled out. After every step: storage equals the model, the deposits held equal
what the model's lists cost, `try_state` of Proxy and Balances pass, and a failed step left no
write and no event behind.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.proxy import ANNOUNCEMENT_HOLD, PROXY_HOLD, ProxyPallet, ProxyType
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U32, U128
from deepshard.runtime.support import DispatchError, Signed
from deepshard.runtime.support.testing import TestExternalities

ACCOUNTS = tuple(AccountId32(bytes([n]) * 32) for n in (1, 2, 3))
HASHES = tuple(H256(bytes([n]) * 32) for n in (7, 8, 9))
MAX_PROXIES, MAX_PENDING = 4, 2
accounts = st.sampled_from(ACCOUNTS)
kinds = st.sampled_from((ProxyType.Any, ProxyType.Protocol))


class ProxyMachine(RuleBasedStateMachine):
    """Random proxy steps, checked against `self.proxies` and `self.pending`."""

    registered = Bundle("registered")
    """``(real, delegate, type, delay)`` of proxies added at some point (maybe removed since)."""

    def __init__(self, mock: Any) -> None:
        super().__init__()
        genesis = BalancesGenesis(balances=tuple((who, U128(1_000)) for who in ACCOUNTS))
        self.ext = TestExternalities(mock.RUNTIME, {Balances: genesis})
        self.mock = mock
        self.proxies: dict[bytes, set[tuple[bytes, int, int]]] = {}
        self.pending: dict[bytes, list[tuple[bytes, bytes]]] = {}

    def _run(self, pallet: Any, name: str, who: AccountId32, **arguments: Any) -> bool:
        before = self.ext.snapshot()
        try:
            self.ext.dispatch(pallet, name, Signed(who), **arguments)
        except DispatchError:
            assert self.ext.snapshot() == before, "a failed step left changes behind"
            return False
        return True

    @rule(target=registered, who=accounts, delegate=accounts, kind=kinds, delay=st.integers(0, 1))
    def add(self, who: AccountId32, delegate: AccountId32, kind: ProxyType, delay: int) -> Any:
        entry = (bytes(delegate), int(kind), delay)
        mine = self.proxies.setdefault(bytes(who), set())
        expected = who != delegate and entry not in mine and len(mine) < MAX_PROXIES
        ok = self._run(
            ProxyPallet, "add_proxy", who, delegate=Id(delegate), proxy_type=kind, delay=U32(delay)
        )
        assert ok == expected
        if not ok:
            return multiple()
        mine.add(entry)
        return (who, delegate, kind, delay)

    @rule(proxy=registered)
    def remove(self, proxy: tuple[AccountId32, AccountId32, ProxyType, int]) -> None:
        who, delegate, kind, delay = proxy
        entry = (bytes(delegate), int(kind), delay)
        mine = self.proxies.setdefault(bytes(who), set())
        ok = self._run(
            ProxyPallet,
            "remove_proxy",
            who,
            delegate=Id(delegate),
            proxy_type=kind,
            delay=U32(delay),
        )
        assert ok == (entry in mine)
        mine.discard(entry)

    @rule(who=accounts)
    def remove_all(self, who: AccountId32) -> None:
        assert self._run(ProxyPallet, "remove_proxies", who)
        self.proxies[bytes(who)] = set()

    @rule(who=accounts)
    def poke(self, who: AccountId32) -> None:
        """The configuration never changes here: ``poke_deposit`` finds nothing to re-price."""
        before = self.ext.snapshot()[0]
        assert self._run(ProxyPallet, "poke_deposit", who)
        assert self.ext.snapshot()[0] == before

    @rule(proxy=registered, call_hash=st.sampled_from(HASHES))
    def announce(self, proxy: tuple[Any, ...], call_hash: H256) -> None:
        real, delegate = proxy[0], proxy[1]
        is_proxy = any(d == bytes(delegate) for d, _k, _w in self.proxies.get(bytes(real), ()))
        queue = self.pending.setdefault(bytes(delegate), [])
        expected = is_proxy and len(queue) < MAX_PENDING
        ok = self._run(ProxyPallet, "announce", delegate, real=Id(real), call_hash=call_hash)
        assert ok == expected
        if ok:
            queue.append((bytes(real), bytes(call_hash)))

    @rule(proxy=registered, call_hash=st.sampled_from(HASHES), by_real=st.booleans())
    def drop(self, proxy: tuple[Any, ...], call_hash: H256, by_real: bool) -> None:
        real, delegate = proxy[0], proxy[1]
        queue = self.pending.setdefault(bytes(delegate), [])
        match = (bytes(real), bytes(call_hash))
        if by_real:
            ok = self._run(
                ProxyPallet,
                "reject_announcement",
                real,
                delegate=Id(delegate),
                call_hash=call_hash,
            )
        else:
            ok = self._run(
                ProxyPallet, "remove_announcement", delegate, real=Id(real), call_hash=call_hash
            )
        assert ok == (match in queue)
        self.pending[bytes(delegate)] = [a for a in queue if a != match]

    @rule(proxy=registered)
    def proxy_a_call(self, proxy: tuple[Any, ...]) -> None:
        real, delegate = proxy[0], proxy[1]
        usable = [e for e in self.proxies.get(bytes(real), ()) if e[0] == bytes(delegate)]
        first = min(usable, key=lambda e: (e[1], e[2])) if usable else None
        ok = self._run(
            ProxyPallet,
            "proxy",
            delegate,
            real=Id(real),
            force_proxy_type=None,
            call=self.mock.commit(),
        )
        # the first matching definition (in stored order) decides; a delay needs an announcement
        assert ok == (first is not None and first[2] == 0)

    @invariant()
    def storage_matches_the_model(self) -> None:
        pallet = self.ext.pallet(ProxyPallet)
        balances = self.ext.pallet(Balances)
        for who in ACCOUNTS:
            definitions, deposit = pallet.proxies.get(who)
            stored = {(bytes(d.delegate), int(d.proxy_type), int(d.delay)) for d in definitions}
            assert stored == self.proxies.get(bytes(who), set())
            count = len(stored)
            assert int(deposit) == (0 if count == 0 else 1 + count)
            assert int(balances.balance_on_hold(PROXY_HOLD, who)) == int(deposit)
            announcements, held = pallet.announcements.get(who)
            queue = self.pending.get(bytes(who), [])
            assert [(bytes(a.real), bytes(a.call_hash)) for a in announcements] == queue
            assert int(held) == (0 if not queue else 1 + len(queue))
            assert int(balances.balance_on_hold(ANNOUNCEMENT_HOLD, who)) == int(held)
        pallet.try_state()
        balances.try_state()


def test_proxy_state_machine(mock: Any) -> None:
    run_state_machine_as_test(
        lambda: ProxyMachine(mock),
        settings=settings(max_examples=80, stateful_step_count=30, deadline=None),
    )
