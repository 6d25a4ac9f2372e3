"""The Treasury pallet: the chain's pot (a `PalletId` account) and the emission budget."""

from deepshard.pallets.treasury.logic import compute_pallet_account
from deepshard.pallets.treasury.pallet import (
    Config,
    Deposit,
    EmissionAccrued,
    Error,
    Event,
    InsufficientFunds,
    PalletId,
    RewardMinted,
    Spent,
    Treasury,
    TreasuryCurrency,
    TreasuryGenesis,
    ZeroAmount,
)
from deepshard.pallets.treasury.weights import BenchmarkedWeights, TreasuryWeights, UnitWeights

__all__ = [
    "Treasury",
    "Config",
    "TreasuryGenesis",
    "TreasuryCurrency",
    "PalletId",
    "Event",
    "Deposit",
    "Spent",
    "RewardMinted",
    "EmissionAccrued",
    "Error",
    "InsufficientFunds",
    "ZeroAmount",
    "TreasuryWeights",
    "BenchmarkedWeights",
    "UnitWeights",
    "compute_pallet_account",
]
