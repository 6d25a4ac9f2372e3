"""Benchmarks of the Timestamp pallet: the ``set`` inherent and the ``on_finalize`` check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deepshard.pallets.timestamp.pallet import Timestamp
from deepshard.pallets.timestamp.weights import TimestampWeights
from deepshard.primitives.numeric import U64
from deepshard.runtime.support import NONE
from deepshard.runtime.support.benchmarking import BenchmarkSuite, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["SUITE"]

Action = Callable[[], object]
NOW = U64(1_700_000_000_000)
"""A timestamp well past genesis."""


def _in_slot(ext: TestExternalities) -> None:
    """Put slot-keeping listeners (Aura) in the slot of `NOW`, as a real block would be."""
    for listener in ext.pallet(Timestamp).config.on_timestamp_set:
        instance: Any = ext.ctx.pallet(listener)
        if hasattr(instance, "current_slot"):
            slot = type(instance.current_slot.get())
            instance.current_slot.put(slot(int(NOW) // int(instance.slot_duration())))


@benchmark()
def set(ext: TestExternalities) -> Action:
    """The block's timestamp inherent (the on-timestamp-set handlers included)."""
    _in_slot(ext)
    outer = ext.runtime.make_call(Timestamp, "set", now=NOW)
    return lambda: ext.runtime.dispatch(ext.ctx, outer, NONE)


@benchmark()
def on_finalize(ext: TestExternalities) -> Action:
    """The end-of-block check after a ``set``."""
    _in_slot(ext)
    ext.runtime.dispatch(ext.ctx, ext.runtime.make_call(Timestamp, "set", now=NOW), NONE)
    pallet = ext.pallet(Timestamp)
    return lambda: pallet.on_finalize(ext.ctx.block_number)


SUITE = BenchmarkSuite(
    pallet="Timestamp", weights_protocol=TimestampWeights, benchmarks=(set, on_finalize)
)
"""Every benchmark of the Timestamp pallet."""
