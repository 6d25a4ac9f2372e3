"""Proxy pallet: FRAME's scenarios -- proxies, filters, announcements, pure accounts, deposits."""

from __future__ import annotations

import pytest

from deepshard.pallets.balances import Balances
from deepshard.pallets.proxy import (
    ANNOUNCEMENT_HOLD,
    PROXY_HOLD,
    Announced,
    DepositKind,
    DepositPoked,
    Duplicate,
    NoPermission,
    NoSelfProxy,
    NotFound,
    NotProxy,
    ProxyAdded,
    ProxyExecuted,
    ProxyPallet,
    ProxyRemoved,
    ProxyType,
    PureCreated,
    PureKilled,
    TooMany,
    Unannounced,
    is_superset,
    pure_account,
)
from deepshard.primitives import dispatch as wire
from deepshard.primitives.codec import H256, Err, Ok
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U16, U32, U128
from deepshard.runtime.support import ROOT, BadOrigin, Signed
from deepshard.runtime.support.errors import TokenError
from deepshard.runtime.support.testing import assert_last_event, assert_noop

FILTERED = Err(wire.module_error(0, 5))  # System.CallFiltered


def add(ext, who, delegate, kind=ProxyType.Any, delay=0):
    ext.dispatch(
        ProxyPallet,
        "add_proxy",
        Signed(who),
        delegate=Id(delegate),
        proxy_type=kind,
        delay=U32(delay),
    )


def proxy(ext, who, real, call, force=None):
    ext.dispatch(
        ProxyPallet, "proxy", Signed(who), real=Id(real), force_proxy_type=force, call=call
    )


def held(ext, who, reason=PROXY_HOLD) -> int:
    return int(ext.pallet(Balances).balance_on_hold(reason, who))


def free(ext, who) -> int:
    return int(ext.pallet(Balances).free_balance(who))


# --- registering proxies ---------------------------------------------------------------------


def test_add_and_remove_proxies_with_deposits(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    add(ext, one, two)
    assert held(ext, one) == 2  # base 1 + 1 proxy
    assert_last_event(
        ext, ProxyAdded(delegator=one, delegatee=two, proxy_type=ProxyType.Any, delay=U32(0))
    )
    add(ext, one, three, ProxyType.NonTransfer, 2)
    assert held(ext, one) == 3
    definitions, deposit = ext.pallet(ProxyPallet).proxies.get(one)
    assert [d.delegate for d in definitions] == [two, three]
    assert deposit == U128(3)
    ext.dispatch(
        ProxyPallet,
        "remove_proxy",
        Signed(one),
        delegate=Id(two),
        proxy_type=ProxyType.Any,
        delay=U32(0),
    )
    assert held(ext, one) == 2
    assert_last_event(
        ext, ProxyRemoved(delegator=one, delegatee=two, proxy_type=ProxyType.Any, delay=U32(0))
    )
    ext.dispatch(ProxyPallet, "remove_proxies", Signed(one))
    assert held(ext, one) == 0
    assert free(ext, one) == 10
    assert ext.pallet(ProxyPallet).proxies.get(one) == ((), U128(0))


def test_registration_errors(ext, mock):
    one, two = mock.account(1), mock.account(2)
    assert_noop(ext, lambda: add(ext, one, one), NoSelfProxy)
    add(ext, one, two)
    assert_noop(ext, lambda: add(ext, one, two), Duplicate)
    add(ext, one, two, ProxyType.NonTransfer)  # another type is another proxy
    add(ext, one, mock.account(3))
    add(ext, one, mock.account(4))
    assert_noop(ext, lambda: add(ext, one, mock.account(5)), TooMany)
    assert_noop(
        ext,
        lambda: ext.dispatch(
            ProxyPallet,
            "remove_proxy",
            Signed(one),
            delegate=Id(mock.account(5)),
            proxy_type=ProxyType.Any,
            delay=U32(0),
        ),
        NotFound,
    )


# --- proxying and filters --------------------------------------------------------------------


def test_any_proxy_moves_funds(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    add(ext, one, two)
    proxy(ext, two, one, mock.transfer(three, 5))
    assert free(ext, three) == 15
    assert_last_event(ext, ProxyExecuted(result=Ok(())))


def test_non_transfer_proxy_cannot_move_funds_even_in_a_batch(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    add(ext, one, two, ProxyType.NonTransfer)
    for call in (mock.transfer(three, 5), mock.batch(mock.commit(), mock.transfer(three, 5))):
        proxy(ext, two, one, call)
        assert_last_event(ext, ProxyExecuted(result=FILTERED))
    assert free(ext, three) == 10
    proxy(ext, two, one, mock.batch(mock.commit()))
    assert ext.pallet(mock.Training).callers.get() == (one,)


def test_protocol_and_cancel_proxy_types(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    add(ext, one, two, ProxyType.Protocol)
    proxy(ext, two, one, mock.commit())
    assert_last_event(ext, ProxyExecuted(result=Ok(())))
    proxy(ext, two, one, mock.transfer(three, 1))
    assert_last_event(ext, ProxyExecuted(result=FILTERED))
    add(ext, one, three, ProxyType.CancelProxy)
    proxy(ext, three, one, mock.commit())
    assert_last_event(ext, ProxyExecuted(result=FILTERED))


def test_proxies_cannot_escalate(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    add(ext, one, two, ProxyType.NonTransfer)
    grant_any = mock.RUNTIME.make_call(
        ProxyPallet, "add_proxy", delegate=Id(three), proxy_type=ProxyType.Any, delay=U32(0)
    )
    proxy(ext, two, one, grant_any)
    assert_last_event(ext, ProxyExecuted(result=FILTERED))
    proxy(ext, two, one, mock.RUNTIME.make_call(ProxyPallet, "remove_proxies"))
    assert_last_event(ext, ProxyExecuted(result=FILTERED))
    grant_protocol = mock.RUNTIME.make_call(
        ProxyPallet, "add_proxy", delegate=Id(three), proxy_type=ProxyType.Protocol, delay=U32(0)
    )
    proxy(ext, two, one, grant_protocol)
    assert_last_event(ext, ProxyExecuted(result=Ok(())))


def test_superset_rules():
    assert is_superset(ProxyType.Any, ProxyType.Protocol)
    assert is_superset(ProxyType.NonTransfer, ProxyType.CancelProxy)
    assert not is_superset(ProxyType.NonTransfer, ProxyType.Any)
    assert not is_superset(ProxyType.Protocol, ProxyType.CancelProxy)
    assert is_superset(ProxyType.CancelProxy, ProxyType.CancelProxy)


def test_only_proxies_may_proxy(ext, mock):
    one, two = mock.account(1), mock.account(2)
    add(ext, one, two, ProxyType.Protocol)
    assert_noop(ext, lambda: proxy(ext, mock.account(3), one, mock.commit()), NotProxy)
    assert_noop(ext, lambda: proxy(ext, two, one, mock.commit(), ProxyType.Any), NotProxy)
    proxy(ext, two, one, mock.commit(), ProxyType.Protocol)


def test_failed_proxied_call_is_recorded(ext, mock):
    one, two = mock.account(1), mock.account(2)
    add(ext, one, two)
    proxy(ext, two, one, mock.transfer(mock.account(3), 1_000))
    event = ext.events()[-1]
    assert isinstance(event, ProxyExecuted)
    assert isinstance(event.result, Err)


# --- announcements ---------------------------------------------------------------------------


def announce(ext, who, real, call_hash):
    ext.dispatch(ProxyPallet, "announce", Signed(who), real=Id(real), call_hash=H256(call_hash))


def test_delayed_proxy_must_announce_and_wait(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    add(ext, one, two, ProxyType.Any, delay=2)
    call = mock.transfer(three, 1)
    call_hash = blake2_256(call.encode())
    assert_noop(ext, lambda: proxy(ext, two, one, call), Unannounced)
    announce(ext, two, one, call_hash)
    assert_last_event(ext, Announced(real=one, proxy=two, call_hash=H256(call_hash)))
    assert held(ext, two, ANNOUNCEMENT_HOLD) == 2

    def announced():
        ext.dispatch(
            ProxyPallet,
            "proxy_announced",
            Signed(mock.account(5)),
            delegate=Id(two),
            real=Id(one),
            force_proxy_type=None,
            call=call,
        )

    assert_noop(ext, announced, Unannounced)
    ext.ctx.block_number += 2
    announced()
    assert free(ext, three) == 11
    assert held(ext, two, ANNOUNCEMENT_HOLD) == 0
    assert ext.pallet(ProxyPallet).announcements.get(two) == ((), U128(0))


def test_announcements_can_be_withdrawn_or_rejected(ext, mock):
    one, two = mock.account(1), mock.account(2)
    add(ext, one, two, ProxyType.Any, delay=1)
    first, second, third = (blake2_256(bytes([n])) for n in range(3))
    announce(ext, two, one, first)
    announce(ext, two, one, second)
    assert held(ext, two, ANNOUNCEMENT_HOLD) == 3
    assert_noop(ext, lambda: announce(ext, two, one, third), TooMany)
    ext.dispatch(
        ProxyPallet, "remove_announcement", Signed(two), real=Id(one), call_hash=H256(first)
    )
    assert held(ext, two, ANNOUNCEMENT_HOLD) == 2
    ext.dispatch(
        ProxyPallet, "reject_announcement", Signed(one), delegate=Id(two), call_hash=H256(second)
    )
    assert held(ext, two, ANNOUNCEMENT_HOLD) == 0
    assert_noop(
        ext,
        lambda: ext.dispatch(
            ProxyPallet,
            "reject_announcement",
            Signed(one),
            delegate=Id(two),
            call_hash=H256(second),
        ),
        NotFound,
    )
    assert_noop(ext, lambda: announce(ext, mock.account(3), one, first), NotProxy)


# --- pure accounts ---------------------------------------------------------------------------


def test_pure_account_is_frames_derivation(mock):
    spawner = mock.account(1)
    expected = blake2_256(
        b"modlpy/proxy____"
        + bytes(spawner)
        + (7).to_bytes(4, "little")
        + (2).to_bytes(4, "little")
        + bytes([ProxyType.NonTransfer])
        + (3).to_bytes(2, "little")
    )
    assert bytes(pure_account(spawner, ProxyType.NonTransfer, 3, 7, 2)) == expected
    with pytest.raises(ValueError, match="u16"):
        pure_account(spawner, ProxyType.Any, 1 << 16, 0, 0)


def test_create_use_and_kill_a_pure_account(ext, mock):
    one, three = mock.account(1), mock.account(3)
    ext.ctx.extrinsic_index = 4
    ext.dispatch(
        ProxyPallet,
        "create_pure",
        Signed(one),
        proxy_type=ProxyType.Any,
        delay=U32(0),
        index=U16(0),
    )
    pure = pure_account(one, ProxyType.Any, 0, ext.ctx.block_number, 4)
    assert_last_event(
        ext,
        PureCreated(pure=pure, who=one, proxy_type=ProxyType.Any, disambiguation_index=U16(0)),
    )
    assert held(ext, one) == 2
    assert_noop(
        ext,
        lambda: ext.dispatch(
            ProxyPallet,
            "create_pure",
            Signed(one),
            proxy_type=ProxyType.Any,
            delay=U32(0),
            index=U16(0),
        ),
        Duplicate,
    )
    ext.dispatch(Balances, "transfer_allow_death", Signed(one), dest=Id(pure), value=U128(3))
    proxy(ext, one, pure, mock.transfer(three, 1))
    assert free(ext, three) == 11
    kill = mock.RUNTIME.make_call(
        ProxyPallet,
        "kill_pure",
        spawner=Id(one),
        proxy_type=ProxyType.Any,
        index=U16(0),
        height=U32(ext.ctx.block_number),
        ext_index=U32(4),
    )
    proxy(ext, one, pure, kill)
    assert ProxyExecuted(result=Ok(())) in ext.events()
    assert (
        PureKilled(pure=pure, spawner=one, proxy_type=ProxyType.Any, disambiguation_index=U16(0))
        in ext.events()
    )
    assert held(ext, one) == 0
    assert not ext.pallet(ProxyPallet).proxies.contains_key(pure)


def test_kill_pure_needs_the_pure_account(ext, mock):
    one = mock.account(1)

    def kill():
        ext.dispatch(
            ProxyPallet,
            "kill_pure",
            Signed(one),
            spawner=Id(one),
            proxy_type=ProxyType.Any,
            index=U16(0),
            height=U32(1),
            ext_index=U32(0),
        )

    assert_noop(ext, kill, NoPermission)


def test_unsigned_origins_are_refused(ext, mock):
    assert_noop(ext, lambda: ext.dispatch(ProxyPallet, "remove_proxies", ROOT), BadOrigin)


def test_module_error_indices(mock):
    assert mock.RUNTIME.module_error(Unannounced()) == (10, 6)


# --- poke_deposit (call 10) --------------------------------------------------------------------


def _poked(ext, since):
    return [e for e in ext.events()[since:] if isinstance(e, DepositPoked)]


def _reprice(ext, item, reason, who, deposit):
    """Record `deposit` for `who` and make the hold match it (as before a constants change)."""
    entries, old = item.get(who)
    balances = ext.pallet(Balances)
    if deposit > int(old):
        balances.hold(reason, who, U128(deposit - int(old)))
    else:
        balances.release(reason, who, U128(int(old) - deposit))
    item.insert(who, (entries, U128(deposit)))


def test_poke_deposit_reprices_both_deposits_to_the_configuration(ext, mock):
    one, two, three = mock.account(1), mock.account(2), mock.account(3)
    add(ext, one, two, delay=1)
    add(ext, one, three, delay=1)
    announce(ext, two, one, H256(b"\x01" * 32))
    pallet = ext.pallet(ProxyPallet)
    # the constants were lowered (deposits recorded too high) for one, raised for two
    _reprice(ext, pallet.proxies, PROXY_HOLD, one, 7)
    _reprice(ext, pallet.announcements, ANNOUNCEMENT_HOLD, two, 1)
    events = len(ext.events())
    ext.dispatch(ProxyPallet, "poke_deposit", Signed(one))
    assert _poked(ext, events) == [
        DepositPoked(who=one, kind=DepositKind.Proxies, old_deposit=U128(7), new_deposit=U128(3))
    ]
    assert held(ext, one) == 3  # base 1 + 2 proxies
    assert pallet.proxies.get(one)[1] == U128(3)
    ext.dispatch(ProxyPallet, "poke_deposit", Signed(two))
    assert_last_event(
        ext,
        DepositPoked(
            who=two, kind=DepositKind.Announcements, old_deposit=U128(1), new_deposit=U128(2)
        ),
    )
    assert held(ext, two, ANNOUNCEMENT_HOLD) == 2  # base 1 + 1 announcement
    # nothing left to re-price: no event, no change
    before = ext.snapshot()
    events = len(ext.events())
    ext.dispatch(ProxyPallet, "poke_deposit", Signed(one))
    ext.dispatch(ProxyPallet, "poke_deposit", Signed(mock.account(4)))
    assert ext.snapshot()[0] == before[0]
    assert ext.events()[events:] == []


def test_poke_deposit_that_cannot_be_held_changes_nothing(ext, mock):
    one, two = mock.account(1), mock.account(2)
    add(ext, one, two)
    pallet = ext.pallet(ProxyPallet)
    _reprice(ext, pallet.proxies, PROXY_HOLD, one, 1)
    # spend what the higher deposit would need
    ext.dispatch(Balances, "transfer_allow_death", Signed(one), dest=Id(two), value=U128(8))
    assert_noop(ext, lambda: ext.dispatch(ProxyPallet, "poke_deposit", Signed(one)), TokenError)
    assert pallet.proxies.get(one)[1] == U128(1)


def test_poke_deposit_leaves_a_pure_accounts_spawner_held_deposit(ext, mock):
    one = mock.account(1)
    ext.ctx.extrinsic_index = 2
    ext.dispatch(
        ProxyPallet,
        "create_pure",
        Signed(one),
        proxy_type=ProxyType.Any,
        delay=U32(0),
        index=U16(0),
    )
    pure = pure_account(one, ProxyType.Any, 0, ext.ctx.block_number, 2)
    pallet = ext.pallet(ProxyPallet)
    pallet.proxies.insert(pure, (pallet.proxies.get(pure)[0], U128(5)))  # as if base was 4
    ext.pallet(Balances).hold(PROXY_HOLD, one, U128(3))
    events = len(ext.events())
    ext.dispatch(ProxyPallet, "poke_deposit", Signed(pure))
    assert _poked(ext, events) == []
    assert pallet.proxies.get(pure)[1] == U128(5)
    assert held(ext, one) == 5
