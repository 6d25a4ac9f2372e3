"""Benchmarks of the Sudo pallet's calls.

Where a call is wrapped it is an empty ``System.remark``; the wrapped call's own weight is
added to these figures at dispatch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deepshard.pallets.sudo.pallet import Sudo
from deepshard.pallets.sudo.weights import SudoWeights
from deepshard.pallets.system import System
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.runtime.support import Signed
from deepshard.runtime.support.benchmarking import BenchmarkSuite, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["SUITE"]

Action = Callable[[], object]
KEY = AccountId32(b"bench:sudo" + bytes(22))
OTHER = AccountId32(b"bench:other" + bytes(21))


def _call(ext: TestExternalities, name: str, **arguments: Any) -> Action:
    ext.pallet(Sudo).key.put(KEY)
    outer = ext.runtime.make_call(Sudo, name, **arguments)
    return lambda: ext.runtime.dispatch(ext.ctx, outer, Signed(KEY))


def _remark(ext: TestExternalities) -> Any:
    return ext.runtime.make_call(System, "remark", remark=b"")


@benchmark()
def sudo(ext: TestExternalities) -> Action:
    """The key dispatches an empty remark as Root."""
    return _call(ext, "sudo", call=_remark(ext))


@benchmark()
def set_key(ext: TestExternalities) -> Action:
    """The key hands itself over."""
    return _call(ext, "set_key", new=Id(OTHER))


@benchmark()
def sudo_as(ext: TestExternalities) -> Action:
    """The key dispatches an empty remark as another account."""
    return _call(ext, "sudo_as", who=Id(OTHER), call=_remark(ext))


@benchmark()
def remove_key(ext: TestExternalities) -> Action:
    """The key removes itself."""
    return _call(ext, "remove_key")


SUITE = BenchmarkSuite(
    pallet="Sudo", weights_protocol=SudoWeights, benchmarks=(sudo, set_key, sudo_as, remove_key)
)
"""Every benchmark of the Sudo pallet."""
