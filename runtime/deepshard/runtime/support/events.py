"""Event records: how deposited events are stored in ``System.Events``.

``System.Events`` holds ``Vec<EventRecord<RuntimeEvent, Hash>>``; each record is the phase of the
block the event was deposited in, the event as a `RuntimeEvent` (pallet index byte, then the
pallet's event) and its topics. Clients match an extrinsic's events by the
``ApplyExtrinsic(index)`` phase, so the phase must be exact.
"""

from __future__ import annotations

from typing import ClassVar

from deepshard.primitives.codec import Enum
from deepshard.primitives.numeric import U32
from deepshard.runtime.support.storage import RuntimeType

__all__ = [
    "EventPhase",
    "ApplyExtrinsic",
    "Finalization",
    "Initialization",
    "EventRecords",
]


class EventPhase(Enum, type_path=("frame_system", "Phase")):
    """A phase of block execution, as recorded with each event."""


class ApplyExtrinsic(EventPhase, index=0, unnamed=True):
    """Applying the extrinsic at this index."""

    index: U32


class Finalization(EventPhase, index=1):
    """Finalizing the block."""


class Initialization(EventPhase, index=2):
    """Initializing the block."""


class EventRecords(RuntimeType):
    """Stands for ``Vec<EventRecord<RuntimeEvent, H256>>``, the value of ``System.Events``."""

    DEFAULT_BYTES: ClassVar[bytes] = b"\x00"
