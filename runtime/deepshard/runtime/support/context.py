"""The execution context ("externalities") a block's pallets act on.

A `Context` holds everything a pallet may touch while a block is initialised, its extrinsics
applied and the block finalised: the storage `Overlay`, the block number, the current phase,
the events deposited so far, and one instance of every pallet of the runtime, all bound to
this context. The executive makes one per block; tests make one with `TestExternalities`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from deepshard.primitives.codec import H256
from deepshard.runtime.support.overlay import Overlay

if TYPE_CHECKING:
    from deepshard.runtime.support.pallet import Pallet
    from deepshard.runtime.support.runtime import Runtime

__all__ = ["Phase", "DepositedEvent", "Context", "Transactional"]

P = TypeVar("P", bound="Pallet[Any]")


class Phase(enum.Enum):
    """Which part of the block is executing (frame_system's `Phase`, without the index)."""

    INITIALIZATION = "initialization"
    APPLY_EXTRINSIC = "apply_extrinsic"
    FINALIZATION = "finalization"


@dataclass(frozen=True, slots=True)
class DepositedEvent:
    """An event as deposited, before it is encoded into ``System.Events``."""

    phase: Phase
    """The phase it was deposited in."""
    extrinsic_index: int
    """The extrinsic being applied (meaningful in `Phase.APPLY_EXTRINSIC` only)."""
    pallet_index: int
    """Index of the pallet that deposited it (its `RuntimeEvent` variant)."""
    event: Any
    """The pallet's event value."""
    topics: tuple[H256, ...]
    """Topics the event is indexed under."""


class Context:
    """Execution context of one block: overlay, block number, phase, events and pallets."""

    __slots__ = (
        "_pallets",
        "block_number",
        "events",
        "extrinsic_index",
        "overlay",
        "phase",
        "runtime",
    )

    def __init__(self, runtime: Runtime, overlay: Overlay, block_number: int) -> None:
        self.runtime = runtime
        self.overlay = overlay
        self.block_number = block_number
        self.phase = Phase.INITIALIZATION
        self.extrinsic_index = 0
        self.events: list[DepositedEvent] = []
        self._pallets: dict[type, Pallet[Any]] = {}
        for entry in runtime.pallets:
            self._pallets[entry.pallet] = entry.pallet(self, entry.config, entry.index)

    def pallet(self, cls: type[P]) -> P:
        """Return this context's instance of the pallet class `cls` (or of a subclass of it).

        Raises:
            KeyError: the runtime does not include such a pallet.
        """
        instance = self._pallets.get(cls)
        if instance is None:
            for registered, candidate in self._pallets.items():
                if issubclass(registered, cls):
                    instance = candidate
                    break
            else:
                raise KeyError(f"the runtime has no {cls.__name__} pallet")
            self._pallets[cls] = instance
        return instance  # type: ignore[return-value]

    def pallets(self) -> list[Pallet[Any]]:
        """Every pallet instance, in pallet-index order."""
        return [self._pallets[entry.pallet] for entry in self.runtime.pallets]

    def deposit_event(self, pallet_index: int, event: Any, topics: Sequence[H256] = ()) -> None:
        """Record an event of the pallet at `pallet_index` in the current phase.

        As FRAME, events are not recorded while building genesis (block 0): no block holds them.
        """
        if self.block_number == 0:
            return
        self.events.append(
            DepositedEvent(self.phase, self.extrinsic_index, pallet_index, event, tuple(topics))
        )

    def transactional(self) -> Transactional:
        """Run a block of code in a storage layer: kept if it returns, undone if it raises.

        Events deposited inside are undone with the storage writes.
        """
        return Transactional(self)


class Transactional:
    """The context manager of `Context.transactional` (a class: it runs for every call)."""

    __slots__ = ("_ctx", "_events_before")

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._events_before = 0

    def __enter__(self) -> None:
        ctx = self._ctx
        self._events_before = len(ctx.events)
        ctx.overlay.start_transaction()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        ctx = self._ctx
        if kind is None:
            ctx.overlay.commit_transaction()
        else:  # undo, and let the exception propagate
            ctx.overlay.rollback_transaction()
            del ctx.events[self._events_before :]
