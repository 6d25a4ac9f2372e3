"""The Licences pallet: weight licences priced by the network's value, keys held by keepers."""

from deepshard.pallets.licences import logic
from deepshard.pallets.licences.pallet import *  # noqa: F403 - the pallet's public surface
from deepshard.pallets.licences.pallet import __all__ as _pallet_all
from deepshard.pallets.licences.types import (
    BoxKey,
    CiphertextInfo,
    KeeperInfo,
    Pricing,
    Purchase,
    PurchasePhase,
)
from deepshard.pallets.licences.weights import BenchmarkedWeights, LicencesWeights, UnitWeights

__all__ = [  # noqa: PLE0604 - the pallet's names, then this package's own
    *_pallet_all,
    "logic",
    "BoxKey",
    "CiphertextInfo",
    "KeeperInfo",
    "Pricing",
    "Purchase",
    "PurchasePhase",
    "BenchmarkedWeights",
    "LicencesWeights",
    "UnitWeights",
]
