"""Benchmarks of the System pallet's calls, over the sizes their weights depend on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deepshard.pallets.system.pallet import System
from deepshard.pallets.system.weights import SystemWeights
from deepshard.primitives.codec import AccountId32
from deepshard.runtime.support import ROOT, Origin, Signed
from deepshard.runtime.support.benchmarking import BenchmarkSuite, Component, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["SUITE"]

Action = Callable[[], object]
CALLER = AccountId32(b"bench:caller" + bytes(20))
PREFIX = b":bench:"


def _call(ext: TestExternalities, name: str, origin: Origin, **arguments: Any) -> Action:
    outer = ext.runtime.make_call(System, name, **arguments)
    return lambda: ext.runtime.dispatch(ext.ctx, outer, origin)


def _key(n: int) -> bytes:
    return PREFIX + n.to_bytes(4, "big")


@benchmark(Component("length", 0, 1 << 20))
def remark(ext: TestExternalities, length: int) -> Action:
    """A remark of `length` bytes."""
    return _call(ext, "remark", Signed(CALLER), remark=bytes(length))


@benchmark(Component("length", 0, 1 << 20))
def remark_with_event(ext: TestExternalities, length: int) -> Action:
    """A remark of `length` bytes, hashed into its event."""
    return _call(ext, "remark_with_event", Signed(CALLER), remark=bytes(length))


@benchmark(Component("items", 0, 1_000))
def set_storage(ext: TestExternalities, items: int) -> Action:
    """Root writes `items` pairs."""
    pairs = tuple((_key(n), bytes(32)) for n in range(items))
    return _call(ext, "set_storage", ROOT, items=pairs)


@benchmark(Component("keys", 0, 1_000))
def kill_storage(ext: TestExternalities, keys: int) -> Action:
    """Root removes `keys` existing keys."""
    for n in range(keys):
        ext.ctx.overlay.set(_key(n), bytes(32))
    return _call(ext, "kill_storage", ROOT, keys=tuple(_key(n) for n in range(keys)))


@benchmark(Component("subkeys", 0, 1_000))
def kill_prefix(ext: TestExternalities, subkeys: int) -> Action:
    """Root removes a prefix holding `subkeys` keys."""
    for n in range(subkeys):
        ext.ctx.overlay.set(_key(n), bytes(32))
    return _call(ext, "kill_prefix", ROOT, prefix=PREFIX, subkeys=subkeys)


SUITE = BenchmarkSuite(
    pallet="System",
    weights_protocol=SystemWeights,
    benchmarks=(remark, remark_with_event, set_storage, kill_storage, kill_prefix),
)
"""Every benchmark of the System pallet."""
