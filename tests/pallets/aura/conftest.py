"""Mock runtime for the Aura tests: System, Timestamp (Aura listens to it) and Aura.

``MinimumPeriod`` is 3000 ms, so slots last 6 s; the genesis authority set has three keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deepshard.pallets.aura import Aura, AuraGenesis, AuthorityId, Config
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.timestamp import Config as TimestampConfig
from deepshard.pallets.timestamp import Timestamp, UnitWeights
from deepshard.primitives.header import AURA_ENGINE_ID, Digest, DigestItem, PreRuntime
from deepshard.primitives.numeric import U32, U64
from deepshard.runtime.support import Phase, Runtime
from deepshard.runtime.support.testing import TestExternalities

AUTHORITIES = tuple(AuthorityId(bytes([i]) * 32) for i in (1, 2, 3))


def make_runtime(**aura: Any) -> Runtime:
    return Runtime(
        name="aura_mock",
        pallets=[
            (0, System, SystemConfig(weights=SystemUnitWeights())),
            (
                1,
                Timestamp,
                TimestampConfig(
                    minimum_period=U64(3_000), on_timestamp_set=(Aura,), weights=UnitWeights()
                ),
            ),
            (2, Aura, Config(**aura)),
        ],
    )


RUNTIME = make_runtime()


def slot_digest(slot: int) -> PreRuntime:
    return PreRuntime(AURA_ENGINE_ID, U64(slot).to_le_bytes())


def start_block(ext: TestExternalities, *logs: DigestItem) -> None:
    """Start the next block with digest `logs` and run the initialization hooks."""
    ctx = ext.ctx
    ctx.block_number += 1
    ctx.phase = Phase.INITIALIZATION
    system = ctx.pallet(System)
    system.initialize(U32(ctx.block_number), system.parent_hash.get(), Digest(logs=logs))
    for pallet in ctx.pallets():
        pallet.on_initialize(ctx.block_number)
    ctx.phase = Phase.APPLY_EXTRINSIC


@pytest.fixture
def authorities() -> tuple[AuthorityId, ...]:
    """The genesis authority set."""
    return AUTHORITIES


@pytest.fixture
def build() -> Callable[..., TestExternalities]:
    """Build state for the mock (or another Aura config) from an authority set."""

    def make(authorities: tuple[AuthorityId, ...] = AUTHORITIES, **aura: Any) -> TestExternalities:
        runtime = make_runtime(**aura) if aura else RUNTIME
        return TestExternalities(runtime, {Aura: AuraGenesis(authorities=authorities)}, 0)

    return make


@pytest.fixture
def ext(build: Callable[..., TestExternalities]) -> TestExternalities:
    """Genesis state (block 0), before any block."""
    return build()


@pytest.fixture
def block() -> Callable[..., None]:
    """`start_block(ext, *logs)`."""
    return start_block


@pytest.fixture
def slot() -> Callable[[int], PreRuntime]:
    """`slot_digest(n)`: the Aura pre-runtime item for slot n."""
    return slot_digest


# --- metadata, decoded by scalecodec (the client library's own decoder) ----------------------


@pytest.fixture(scope="module")
def metadata(decoded_metadata: Any) -> Any:
    """The mock runtime's metadata, decoded by scalecodec."""
    return decoded_metadata(RUNTIME)
