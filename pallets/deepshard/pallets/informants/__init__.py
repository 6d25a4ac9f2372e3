"""The Informants pallet: staked data batches, curator votes, rewards and slashes."""

from deepshard.pallets.informants import logic
from deepshard.pallets.informants.pallet import *  # noqa: F403 - the pallet's public surface
from deepshard.pallets.informants.pallet import __all__ as _pallet_all
from deepshard.pallets.informants.types import (
    Batch,
    BatchPhase,
    CriteriaScores,
    CuratorLedger,
    UnlockChunk,
    Vote,
)
from deepshard.pallets.informants.weights import (
    BenchmarkedWeights,
    InformantsWeights,
    UnitWeights,
)

__all__ = [  # noqa: PLE0604 - the pallet's names, then this package's own
    *_pallet_all,
    "logic",
    "Batch",
    "BatchPhase",
    "CriteriaScores",
    "CuratorLedger",
    "UnlockChunk",
    "Vote",
    "InformantsWeights",
    "BenchmarkedWeights",
    "UnitWeights",
]
