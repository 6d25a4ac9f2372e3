"""Test externalities for pallet tests: FRAME's ``new_test_ext().execute_with``, in Python.

A pallet test builds a small mock runtime (System plus the pallets under test, with unit
weights), then a `TestExternalities` from genesis configurations::

    ext = TestExternalities(runtime, genesis={Balances: BalancesGenesis(balances=...)})
    ext.dispatch(Balances, "transfer_keep_alive", signed(ALICE), dest=BOB, value=U128(10))
    assert_noop(ext, lambda: ext.dispatch(...), InsufficientBalance)
    assert_last_event(ext, Transfer(...))

`assert_noop` checks both the error *and* that nothing changed: the pending storage (and so
the state root) and the events are exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from deepshard.runtime.support.context import Context, Phase
from deepshard.runtime.support.errors import DispatchError
from deepshard.runtime.support.genesis import build_genesis_storage
from deepshard.runtime.support.origin import Origin
from deepshard.runtime.support.overlay import MemoryBackend, Overlay
from deepshard.runtime.support.pallet import GenesisConfig, Pallet
from deepshard.runtime.support.runtime import Runtime

__all__ = ["TestExternalities", "assert_noop", "assert_ok", "assert_last_event", "assert_has_event"]

P = TypeVar("P", bound=Pallet[Any])


class TestExternalities:
    """A runtime, an in-memory state built from genesis, and a context to act on it."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        runtime: Runtime,
        genesis: Mapping[type[Pallet[Any]], GenesisConfig] | None = None,
        block_number: int = 1,
    ) -> None:
        """Build genesis state for `runtime` and open a context at `block_number`.

        Pallets without an entry in `genesis` use their default genesis configuration.
        """
        self.runtime = runtime
        self.backend = MemoryBackend(build_genesis_storage(runtime, genesis or {}))
        self.ctx = runtime.new_context(Overlay(self.backend), block_number)
        self.ctx.phase = Phase.APPLY_EXTRINSIC

    def pallet(self, cls: type[P]) -> P:
        """Return the context's instance of pallet `cls`."""
        return self.ctx.pallet(cls)

    def dispatch(
        self, pallet: type[Pallet[Any]], name: str, origin: Origin, **arguments: Any
    ) -> None:
        """Build ``pallet.name(**arguments)`` as a runtime call and dispatch it from `origin`.

        Raises:
            DispatchError: the call failed (and was rolled back).
        """
        call = self.runtime.make_call(pallet, name, **arguments)
        self.runtime.dispatch(self.ctx, call, origin)

    def snapshot(self) -> tuple[dict[bytes, bytes | None], int]:
        """The pending storage changes and the number of events: what `assert_noop` compares."""
        return self.ctx.overlay.changes(), len(self.ctx.events)

    def events(self) -> list[Any]:
        """The pallet event values deposited so far, oldest first."""
        return [deposited.event for deposited in self.ctx.events]

    @property
    def context(self) -> Context:
        """The execution context."""
        return self.ctx


def assert_ok(action: Callable[[], object]) -> None:
    """Run `action` and fail with the dispatch error's name if it raises one."""
    try:
        action()
    except DispatchError as error:
        raise AssertionError(f"expected success, got {type(error).__name__}: {error}") from error


def assert_noop(
    ext: TestExternalities, action: Callable[[], object], error: type[DispatchError]
) -> None:
    """Check that `action` raises `error` and leaves storage and events exactly as they were."""
    before = ext.snapshot()
    try:
        action()
    except error:
        pass
    except DispatchError as other:
        raise AssertionError(
            f"expected {error.__name__}, got {type(other).__name__}: {other}"
        ) from other
    else:
        raise AssertionError(f"expected {error.__name__}, but the call succeeded")
    after = ext.snapshot()
    if after != before:
        raise AssertionError(f"{error.__name__} was raised but the call left changes behind")


def assert_last_event(ext: TestExternalities, event: object) -> None:
    """Check that the most recent event equals `event`."""
    events = ext.events()
    if not events:
        raise AssertionError(f"expected last event {event!r}, but no event was deposited")
    if events[-1] != event:
        raise AssertionError(f"expected last event {event!r}, got {events[-1]!r}")


def assert_has_event(ext: TestExternalities, event: object) -> None:
    """Check that `event` was deposited at some point."""
    if event not in ext.events():
        raise AssertionError(f"expected event {event!r} among {ext.events()!r}")
