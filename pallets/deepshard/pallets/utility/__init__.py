"""The Utility pallet: batches, pseudonyms and dispatch as another origin (FRAME's utility)."""

from deepshard.pallets.utility.logic import derivative_account_id
from deepshard.pallets.utility.pallet import (
    BATCHED_CALLS_LIMIT,
    BatchCompleted,
    BatchCompletedWithErrors,
    BatchInterrupted,
    Config,
    DispatchedAs,
    Error,
    Event,
    ItemCompleted,
    ItemFailed,
    TooManyCalls,
    Utility,
)
from deepshard.pallets.utility.weights import BenchmarkedWeights, UnitWeights, UtilityWeights

__all__ = [
    "Utility",
    "Config",
    "Event",
    "BatchInterrupted",
    "BatchCompleted",
    "BatchCompletedWithErrors",
    "ItemCompleted",
    "ItemFailed",
    "DispatchedAs",
    "Error",
    "TooManyCalls",
    "BATCHED_CALLS_LIMIT",
    "derivative_account_id",
    "UtilityWeights",
    "BenchmarkedWeights",
    "UnitWeights",
]
