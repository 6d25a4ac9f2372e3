"""The Training pallet: staked trainers and scorers, commit-reveal, score aggregation, versions."""

from deepshard.pallets.training import logic
from deepshard.pallets.training.pallet import *  # noqa: F403 - the pallet's public surface
from deepshard.pallets.training.pallet import __all__ as _pallet_all
from deepshard.pallets.training.types import (
    AdapterRecord,
    BondLedger,
    ModelVersion,
    PendingSlash,
    ProfileMode,
    Reveal,
    Role,
    Round,
    RoundOutcome,
    RoundPeriods,
    RoundPhase,
    RoundSize,
    StatisticSpec,
    TrainingProfile,
    UnlockChunk,
)
from deepshard.pallets.training.weights import BenchmarkedWeights, TrainingWeights, UnitWeights

__all__ = [  # noqa: PLE0604 - the pallet's names, then this package's own
    *_pallet_all,
    "logic",
    "AdapterRecord",
    "BondLedger",
    "ModelVersion",
    "PendingSlash",
    "ProfileMode",
    "Reveal",
    "Role",
    "Round",
    "RoundOutcome",
    "RoundPeriods",
    "RoundPhase",
    "RoundSize",
    "StatisticSpec",
    "TrainingProfile",
    "UnlockChunk",
    "TrainingWeights",
    "BenchmarkedWeights",
    "UnitWeights",
]
