"""Mock runtime for the Timestamp tests: System, Timestamp and a listener that records times.

As FRAME's `pallet_timestamp` mock: ``MinimumPeriod`` is 5, weights are unit weights. The
``Recorder`` pallet stands for a consensus pallet (Aura) notified through ``on_timestamp_set``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.timestamp import Config, Timestamp, UnitWeights
from deepshard.primitives.header import Digest
from deepshard.primitives.numeric import U32, U64
from deepshard.runtime.support import (
    OptionQuery,
    Pallet,
    PalletConfig,
    Phase,
    Runtime,
    StorageValue,
    storage,
)
from deepshard.runtime.support.testing import TestExternalities

MINIMUM_PERIOD = 5


class RecorderConfig(PalletConfig):
    """Nothing to configure."""


class Recorder(Pallet[RecorderConfig], name="Recorder", config=RecorderConfig):
    """Records the last timestamp it was told about."""

    last: StorageValue[U64, OptionQuery] = storage(doc="The last timestamp seen.")

    def on_timestamp_set(self, moment: U64) -> None:
        """Record `moment`."""
        self.last.put(moment)


def make_runtime(minimum_period: int = MINIMUM_PERIOD) -> Runtime:
    return Runtime(
        name="timestamp_mock",
        pallets=[
            (0, System, SystemConfig(weights=SystemUnitWeights())),
            (
                1,
                Timestamp,
                Config(
                    minimum_period=U64(minimum_period),
                    on_timestamp_set=(Recorder,),
                    weights=UnitWeights(),
                ),
            ),
            (2, Recorder, RecorderConfig()),
        ],
    )


RUNTIME = make_runtime()


@pytest.fixture
def ext() -> TestExternalities:
    """Fresh state at block 1."""
    return TestExternalities(RUNTIME)


@pytest.fixture
def next_block() -> Callable[[TestExternalities], None]:
    """Finalize the current block (hooks in index order) and start the next one."""

    def advance(ext: TestExternalities) -> None:
        ctx = ext.ctx
        ctx.phase = Phase.FINALIZATION
        for pallet in ctx.pallets():
            pallet.on_finalize(ctx.block_number)
        ctx.block_number += 1
        ctx.phase = Phase.INITIALIZATION
        system = ctx.pallet(System)
        system.initialize(U32(ctx.block_number), system.parent_hash.get(), Digest())
        for pallet in ctx.pallets():
            pallet.on_initialize(ctx.block_number)
        ctx.phase = Phase.APPLY_EXTRINSIC

    return advance


@pytest.fixture
def recorder() -> Any:
    """The recording listener pallet class."""
    return Recorder


@pytest.fixture
def runtime_with() -> Callable[..., Runtime]:
    """Build the mock runtime with another ``MinimumPeriod``."""
    return make_runtime


@pytest.fixture
def runtime() -> Runtime:
    """The mock runtime."""
    return RUNTIME


# --- metadata, decoded by scalecodec (the client library's own decoder) ----------------------


@pytest.fixture(scope="module")
def metadata(decoded_metadata: Any) -> Any:
    """The mock runtime's metadata, decoded by scalecodec."""
    return decoded_metadata(RUNTIME)
