"""The Timestamp pallet: the on-chain time, set once per block by an inherent."""

from deepshard.pallets.timestamp.pallet import (
    INHERENT_IDENTIFIER,
    MAX_TIMESTAMP_DRIFT_MILLIS,
    Config,
    OnTimestampSet,
    Timestamp,
    TimestampAlreadySet,
    TimestampInherentError,
    TimestampNotSet,
    TimestampTooEarly,
)
from deepshard.pallets.timestamp.weights import (
    BenchmarkedWeights,
    ReferenceWeights,
    TimestampWeights,
    UnitWeights,
)

__all__ = [
    "BenchmarkedWeights",
    "Timestamp",
    "Config",
    "OnTimestampSet",
    "INHERENT_IDENTIFIER",
    "MAX_TIMESTAMP_DRIFT_MILLIS",
    "TimestampInherentError",
    "TimestampAlreadySet",
    "TimestampTooEarly",
    "TimestampNotSet",
    "TimestampWeights",
    "ReferenceWeights",
    "UnitWeights",
]
