"""Mock runtime for the Timestamp tests: System, Timestamp and a listener that records times.

As FRAME's `pallet_timestamp` mock: ``MinimumPeriod`` is 5, weights are unit weights. The
``Recorder`` pallet stands for a consensus pallet (Aura) notified through ``on_timestamp_set``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.timestamp import Config, Timestamp, UnitWeights
from deepshard.primitives.extrinsic import UncheckedExtrinsic
from deepshard.primitives.header import Digest
from deepshard.primitives.metadata import SignedExtensionDescription
from deepshard.primitives.numeric import U32, U64
from deepshard.runtime.extensions import SIGNED_EXTENSIONS
from deepshard.runtime.support import (
    OptionQuery,
    Pallet,
    PalletConfig,
    Phase,
    Runtime,
    StorageValue,
    storage,
)
from deepshard.runtime.support.metadata import runtime_metadata
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


class DecodedMetadata:
    """A runtime's V14 metadata as scalecodec decodes it."""

    def __init__(self, runtime: Runtime) -> None:
        extensions = [
            SignedExtensionDescription(e.identifier, e.extra_type, e.additional_type)
            for e in SIGNED_EXTENSIONS
        ]
        built = runtime_metadata(runtime, UncheckedExtrinsic[runtime.runtime_call], extensions)
        config = RuntimeConfigurationObject()
        config.update_type_registry(load_type_registry_preset("core"))
        decoded = config.create_scale_object("MetadataVersioned", ScaleBytes(built.encoded))
        decoded.decode()
        config.add_portable_registry(decoded)
        self.config = config
        self.decoded = decoded
        self.runtime = runtime
        self.v14: dict[str, Any] = decoded.value[1]["V14"]

    def pallet(self, name: str) -> dict[str, Any]:
        """The pallet's metadata."""
        return next(p for p in self.v14["pallets"] if p["name"] == name)

    def type(self, type_id: int) -> dict[str, Any]:
        """The registry type `type_id`."""
        return self.v14["types"]["types"][type_id]["type"]

    def decode_events(self, records: bytes) -> list[Any]:
        """Decode a ``System.Events`` value with its metadata type, as clients do."""
        (events,) = (
            e for e in self.pallet("System")["storage"]["entries"] if e["name"] == "Events"
        )
        value = self.config.create_scale_object(
            f"scale_info::{events['type']['Plain']}", ScaleBytes(records), metadata=self.decoded
        )
        return list(value.decode())

    def encode_call(self, call: dict[str, Any]) -> bytes:
        """Encode a call the way substrate-interface's ``compose_call`` does."""
        scale = self.config.create_scale_object("Call", metadata=self.decoded)
        return bytes(scale.encode(call).data)

    def variants(self, type_id: int) -> list[dict[str, Any]]:
        """The variants of enum type `type_id`."""
        return self.type(type_id)["def"]["variant"]["variants"]


@pytest.fixture(scope="module")
def metadata() -> DecodedMetadata:
    """The mock runtime's metadata, decoded by scalecodec."""
    return DecodedMetadata(RUNTIME)
