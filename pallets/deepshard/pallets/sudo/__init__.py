"""The Sudo pallet: one privileged account that may dispatch any call as Root."""

from deepshard.pallets.sudo.pallet import (
    Config,
    Error,
    Event,
    KeyChanged,
    KeyRemoved,
    RequireSudo,
    Sudid,
    Sudo,
    SudoAsDone,
    SudoGenesis,
    inner_dispatch_meta,
)
from deepshard.pallets.sudo.weights import (
    BenchmarkedWeights,
    ReferenceWeights,
    SudoWeights,
    UnitWeights,
)

__all__ = [
    "BenchmarkedWeights",
    "Sudo",
    "Config",
    "SudoGenesis",
    "Event",
    "Sudid",
    "KeyChanged",
    "KeyRemoved",
    "SudoAsDone",
    "Error",
    "RequireSudo",
    "inner_dispatch_meta",
    "SudoWeights",
    "ReferenceWeights",
    "UnitWeights",
]
