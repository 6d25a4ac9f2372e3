"""Weights of the Utility, Multisig and Proxy calls, measured on Deepshard's Python runtime.

Run with ``python -m bench pallet_weights``. Each call is dispatched through the composed
Deepshard runtime (production configuration, `TestExternalities` over an in-memory genesis with
funded accounts), inside a storage layer that is rolled back after each run, so every run sees
the same state; the figure is the median of `RUNS` runs, in picoseconds (a weight's
``ref_time`` unit). Inner calls are ``System.remark`` (whose own median time is subtracted,
as FRAME's benchmarks subtract the inner call's weight); a linear component is the slope
between two sizes. The printed table is what ``weights.py`` of each pallet records in
``MEASURED`` (rounded up to whole microseconds).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.harness import Figure, print_figures
from deepshard.pallets.aura import Aura, AuraGenesis, AuthorityId
from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.multisig import MultisigPallet, Timepoint
from deepshard.pallets.proxy import (
    ANNOUNCEMENT_HOLD,
    PROXY_HOLD,
    ProxyPallet,
    ProxyType,
    pure_account,
)
from deepshard.pallets.system import System
from deepshard.pallets.utility import Utility
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U16, U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support import ROOT, Origin, Signed
from deepshard.runtime.support.testing import TestExternalities

RUNS = 41
BATCH = 50
MAX_OTHERS = 99
CALL_BYTES = 10_000
PROXIES = 31
PENDING = 31
PS_PER_SECOND = 10**12
BIG = Weight.from_parts(10**15, 10**12)


def account(n: int) -> AccountId32:
    """A funded test account (its 32 bytes derived from `n`)."""
    return AccountId32(blake2_256(n.to_bytes(4, "little")))


class Bench:
    """The runtime, a funded genesis state, and a timer that rolls every run back."""

    def __init__(self) -> None:
        """Fund accounts 0..199 with 10**6 DSH each."""
        self.runtime = deepshard_runtime().runtime
        genesis = BalancesGenesis(balances=tuple((account(n), U128(10**18)) for n in range(200)))
        aura = AuraGenesis(authorities=(AuthorityId(account(0)),))
        self.ext = TestExternalities(self.runtime, {Balances: genesis, Aura: aura})

    def call(self, pallet: Any, name: str, **arguments: Any) -> Any:
        """Build an outer call."""
        return self.runtime.make_call(pallet, name, **arguments)

    def time(self, origin: Origin, call: Any, setup: Callable[[], object] | None = None) -> int:
        """Median picoseconds of dispatching `call` from `origin` after `setup` (rolled back)."""
        ctx = self.ext.ctx
        samples = []
        for _ in range(RUNS):
            events = len(ctx.events)
            ctx.overlay.start_transaction()
            try:
                if setup is not None:
                    setup()
                start = time.perf_counter_ns()
                self.runtime.dispatch(ctx, call, origin)
                samples.append((time.perf_counter_ns() - start) * 1_000)
            finally:
                ctx.overlay.rollback_transaction()
                del ctx.events[events:]
        return int(statistics.median(samples))

    def dispatch(self, origin: Origin, call: Any) -> None:
        """Dispatch inside the current layer (for setups)."""
        self.runtime.dispatch(self.ext.ctx, call, origin)


def _remark(bench: Bench, size: int = 0) -> Any:
    return bench.call(System, "remark", remark=b"\x00" * size)


def utility_figures(bench: Bench) -> dict[str, tuple[int, int]]:
    """``(base, per inner call)`` picoseconds of each Utility call."""
    who = Signed(account(0))
    remark = bench.time(who, _remark(bench))
    out = {}
    for name in ("batch", "batch_all", "force_batch"):
        empty = bench.time(who, bench.call(Utility, name, calls=()))
        full = bench.time(who, bench.call(Utility, name, calls=(_remark(bench),) * BATCH))
        per_call = max(0, (full - empty) // BATCH - remark)
        out[name] = (empty, per_call)
    derivative = bench.call(Utility, "as_derivative", index=U16(1), call=_remark(bench))
    out["as_derivative"] = (max(0, bench.time(who, derivative) - remark), 0)
    caller = bench.runtime.caller_of(Signed(account(1)))
    dispatch_as = bench.call(Utility, "dispatch_as", as_origin=caller, call=_remark(bench))
    out["dispatch_as"] = (max(0, bench.time(ROOT, dispatch_as) - remark), 0)
    return out


def multisig_figures(bench: Bench) -> dict[str, tuple[int, int, int]]:
    """``(base, per other signatory, per call byte)`` picoseconds of each Multisig call."""
    remark = bench.time(Signed(account(0)), _remark(bench))
    remark_big = bench.time(Signed(account(0)), _remark(bench, CALL_BYTES))
    timepoint = Timepoint(height=U32(bench.ext.ctx.block_number), index=U32(0))

    def others(count: int, who: int = 0) -> tuple[AccountId32, ...]:
        """`count` co-signatories of `who` (the signatories are accounts 0..count)."""
        everyone = sorted((account(n) for n in range(count + 1)), key=bytes)
        return tuple(a for a in everyone if a != account(who))

    def as_multi(threshold: int, count: int, size: int, when: Any, who: int) -> Any:
        return bench.call(
            MultisigPallet,
            "as_multi",
            threshold=U16(threshold),
            other_signatories=others(count, who),
            maybe_timepoint=when,
            call=_remark(bench, size),
            max_weight=BIG,
        )

    def approve(threshold: int, count: int, size: int, when: Any, who: int) -> Any:
        return bench.call(
            MultisigPallet,
            "approve_as_multi",
            threshold=U16(threshold),
            other_signatories=others(count, who),
            maybe_timepoint=when,
            call_hash=blake2_256(_remark(bench, size).encode()),
            max_weight=BIG,
        )

    def opened(call: Any) -> Callable[[], None]:
        return lambda: bench.dispatch(Signed(account(0)), call)

    def measure(kind: str, count: int, size: int) -> int:
        if kind == "as_multi_create":
            return bench.time(Signed(account(0)), as_multi(2, count, size, None, 0))
        if kind == "as_multi_approve":  # threshold 3: the second approval only records
            call = as_multi(3, count, size, timepoint, 1)
            return bench.time(Signed(account(1)), call, opened(approve(3, count, size, None, 0)))
        if kind == "as_multi_complete":
            call = as_multi(2, count, size, timepoint, 1)
            spent = bench.time(Signed(account(1)), call, opened(as_multi(2, count, size, None, 0)))
            return spent - (remark_big if size else remark)
        if kind == "approve_as_multi_create":
            return bench.time(Signed(account(0)), approve(3, count, 0, None, 0))
        opener = opened(approve(3, count, 0, None, 0))
        if kind == "approve_as_multi_approve":
            return bench.time(Signed(account(1)), approve(3, count, 0, timepoint, 1), opener)
        call_hash = blake2_256(_remark(bench).encode())
        if kind == "cancel_as_multi":
            call = bench.call(
                MultisigPallet,
                "cancel_as_multi",
                threshold=U16(3),
                other_signatories=others(count),
                timepoint=timepoint,
                call_hash=call_hash,
            )
        else:  # poke_deposit (the deposit is already right: the no-change path)
            call = bench.call(
                MultisigPallet,
                "poke_deposit",
                threshold=U16(3),
                other_signatories=others(count),
                call_hash=call_hash,
            )
        return bench.time(Signed(account(0)), call, opener)

    out: dict[str, tuple[int, int, int]] = {}
    for kind in (
        "as_multi_create",
        "as_multi_approve",
        "as_multi_complete",
        "approve_as_multi_create",
        "approve_as_multi_approve",
        "cancel_as_multi",
        "poke_deposit",
    ):
        base = measure(kind, 1, 0)
        wide = measure(kind, MAX_OTHERS, 0)
        per_byte = 0
        if kind.startswith("as_multi_"):
            per_byte = max(0, (measure(kind, 1, CALL_BYTES) - base) // CALL_BYTES)
        out[kind] = (max(0, base), max(0, (wide - base) // (MAX_OTHERS - 1)), per_byte)
    threshold_1 = bench.call(
        MultisigPallet, "as_multi_threshold_1", other_signatories=others(1), call=_remark(bench)
    )
    threshold_1_big = bench.call(
        MultisigPallet,
        "as_multi_threshold_1",
        other_signatories=others(1),
        call=_remark(bench, CALL_BYTES),
    )
    t1 = bench.time(Signed(account(0)), threshold_1) - remark
    t1_big = bench.time(Signed(account(0)), threshold_1_big) - remark_big
    out["as_multi_threshold_1"] = (max(0, t1), 0, max(0, (t1_big - t1) // CALL_BYTES))
    return out


def proxy_figures(bench: Bench) -> dict[str, tuple[int, int, int]]:
    """``(base, per announcement, per proxy)`` picoseconds of each Proxy call."""
    real, delegate = account(0), account(1)
    remark = bench.time(Signed(real), _remark(bench))

    def add(to: AccountId32, delay: int = 0) -> Any:
        return bench.call(
            ProxyPallet, "add_proxy", delegate=Id(to), proxy_type=ProxyType.Any, delay=U32(delay)
        )

    def with_proxies(count: int, delay: int = 0) -> Callable[[], None]:
        def setup() -> None:
            for n in range(2, 2 + count - 1):
                bench.dispatch(Signed(real), add(account(n)))
            bench.dispatch(Signed(real), add(delegate, delay))

        return setup

    def announce(n: int) -> Any:
        return bench.call(
            ProxyPallet, "announce", real=Id(real), call_hash=blake2_256(n.to_bytes(4, "little"))
        )

    def with_announcements(count: int, delay: int = 0) -> Callable[[], None]:
        def setup() -> None:
            with_proxies(1, delay)()
            for n in range(count):
                bench.dispatch(Signed(delegate), announce(n))

        return setup

    proxy_call = bench.call(
        ProxyPallet, "proxy", real=Id(real), force_proxy_type=None, call=_remark(bench)
    )
    out: dict[str, tuple[int, int, int]] = {}
    one = bench.time(Signed(delegate), proxy_call, with_proxies(1)) - remark
    many = bench.time(Signed(delegate), proxy_call, with_proxies(PROXIES)) - remark
    out["proxy"] = (max(0, one), 0, max(0, (many - one) // (PROXIES - 1)))
    for name in ("add_proxy", "remove_proxy"):
        call = (
            add(account(150))
            if name == "add_proxy"
            else bench.call(
                ProxyPallet,
                "remove_proxy",
                delegate=Id(delegate),
                proxy_type=ProxyType.Any,
                delay=U32(0),
            )
        )
        one = bench.time(Signed(real), call, with_proxies(1))
        many = bench.time(Signed(real), call, with_proxies(PROXIES))
        out[name] = (one, 0, max(0, (many - one) // (PROXIES - 1)))
    remove_all = bench.call(ProxyPallet, "remove_proxies")
    one = bench.time(Signed(real), remove_all, with_proxies(1))
    many = bench.time(Signed(real), remove_all, with_proxies(PROXIES))
    out["remove_proxies"] = (one, 0, max(0, (many - one) // (PROXIES - 1)))
    create = bench.call(
        ProxyPallet, "create_pure", proxy_type=ProxyType.Any, delay=U32(0), index=U16(0)
    )
    out["create_pure"] = (bench.time(Signed(real), create), 0, 0)
    height = bench.ext.ctx.block_number
    pure = pure_account(real, ProxyType.Any, 0, height, bench.ext.ctx.extrinsic_index)
    kill = bench.call(
        ProxyPallet,
        "kill_pure",
        spawner=Id(real),
        proxy_type=ProxyType.Any,
        index=U16(0),
        height=U32(height),
        ext_index=U32(bench.ext.ctx.extrinsic_index),
    )
    out["kill_pure"] = (
        bench.time(Signed(pure), kill, lambda: bench.dispatch(Signed(real), create)),
        0,
        0,
    )
    for name in ("announce", "remove_announcement", "reject_announcement"):
        if name == "announce":
            call, origin = announce(10_000), Signed(delegate)
        elif name == "remove_announcement":
            call = bench.call(
                ProxyPallet, "remove_announcement", real=Id(real), call_hash=blake2_256(bytes(4))
            )
            origin = Signed(delegate)
        else:
            call = bench.call(
                ProxyPallet,
                "reject_announcement",
                delegate=Id(delegate),
                call_hash=blake2_256(bytes(4)),
            )
            origin = Signed(real)
        one = bench.time(origin, call, with_announcements(1))
        many = bench.time(origin, call, with_announcements(PENDING - 1))
        out[name] = (one, max(0, (many - one) // (PENDING - 2)), 0)
    remark_hash = blake2_256(_remark(bench).encode())
    announced = bench.call(
        ProxyPallet,
        "proxy_announced",
        delegate=Id(delegate),
        real=Id(real),
        force_proxy_type=None,
        call=_remark(bench),
    )

    def announced_setup(count: int) -> Callable[[], None]:
        def setup() -> None:
            with_announcements(count - 1, 0)()
            bench.dispatch(
                Signed(delegate),
                bench.call(ProxyPallet, "announce", real=Id(real), call_hash=remark_hash),
            )

        return setup

    one = bench.time(Signed(account(3)), announced, announced_setup(1)) - remark
    many = bench.time(Signed(account(3)), announced, announced_setup(PENDING)) - remark
    out["proxy_announced"] = (max(0, one), max(0, (many - one) // (PENDING - 1)), 0)
    poke = bench.call(ProxyPallet, "poke_deposit")

    def full() -> None:
        # The most work: every proxy and every announcement, both deposits too high (as after
        # the constants were lowered), so both are re-priced and the surplus released.
        with_announcements(PENDING - 1)()
        for n in range(2, 2 + PROXIES - 2):
            bench.dispatch(Signed(delegate), add(account(n + 200)))
        pallet = bench.ext.ctx.pallet(ProxyPallet)
        balances = bench.ext.ctx.pallet(Balances)
        for item, reason in (
            (pallet.proxies, PROXY_HOLD),
            (pallet.announcements, ANNOUNCEMENT_HOLD),
        ):
            entries, deposit = item.get(delegate)
            balances.hold(reason, delegate, U128(10**12))
            item.insert(delegate, (entries, U128(int(deposit) + 10**12)))

    out["poke_deposit"] = (bench.time(Signed(delegate), poke, full), 0, 0)
    return out


def _us(picoseconds: int) -> float:
    return picoseconds / 1_000_000


def main() -> None:
    """Print the measured weights of the three pallets (microseconds; picoseconds in notes)."""
    bench = Bench()
    utility = utility_figures(bench)
    print_figures(
        "pallet weights: Utility (base, per inner call; inner System.remark subtracted)",
        [
            Figure(f"{name} base", _us(base), "us", f"per call {_us(per_call):.2f} us")
            for name, (base, per_call) in utility.items()
        ],
    )
    multisig = multisig_figures(bench)
    print_figures(
        "pallet weights: Multisig (base; per other signatory s; per call byte z)",
        [
            Figure(f"{name} base", _us(base), "us", f"s {_us(s):.3f} us, z {z} ps")
            for name, (base, s, z) in multisig.items()
        ],
    )
    proxy = proxy_figures(bench)
    print_figures(
        "pallet weights: Proxy (base; per announcement a; per proxy p)",
        [
            Figure(f"{name} base", _us(base), "us", f"a {_us(a):.3f} us, p {_us(p):.3f} us")
            for name, (base, a, p) in proxy.items()
        ],
    )


if __name__ == "__main__":
    main()
