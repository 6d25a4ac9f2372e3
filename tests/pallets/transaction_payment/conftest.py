"""Mock runtime for the TransactionPayment tests: System, a currency stub (Ledger), the pallet.

As FRAME's `pallet_transaction_payment` mock: the block's ``max_total`` for Normal and
Operational is ``(1024, u64::MAX)``, the base extrinsic weight, the fee per unit of weight and
the fee per byte are chosen per test (`build`). ``Ledger`` is a minimal `Currency` (existential
deposit 10) so these tests do not depend on the Balances pallet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.transaction_payment import (
    Config,
    ConstantMultiplier,
    ConstFeeMultiplier,
    TransactionPayment,
    TransactionPaymentGenesis,
)
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.hashing import StorageHasher
from deepshard.primitives.numeric import U64, U128, FixedU128
from deepshard.primitives.weights import BlockWeights, DispatchClass, Weight
from deepshard.runtime.support import (
    GenesisConfig,
    OptionQuery,
    Pallet,
    PalletConfig,
    PalletError,
    Runtime,
    StorageMap,
    StorageValue,
    ValueQuery,
    ensure,
    storage,
)
from deepshard.runtime.support.testing import TestExternalities

ALICE = AccountId32(b"\x01" * 32)
BOB = AccountId32(b"\x02" * 32)
TREASURY = AccountId32(b"\x0f" * 32)
EXISTENTIAL_DEPOSIT = U128(10)


# --- a minimal currency ----------------------------------------------------------------------


class LedgerConfig(PalletConfig):
    """Nothing to configure."""


class LedgerError(PalletError):
    """Errors of the Ledger."""


class InsufficientBalance(LedgerError, index=0):
    """Balance too low."""


class Expendability(LedgerError, index=1):
    """The account would be reaped."""


class DeadAccount(LedgerError, index=2):
    """The account does not exist."""


@dataclass(frozen=True, slots=True)
class LedgerGenesis(GenesisConfig):
    """Initial balances."""

    balances: tuple[tuple[AccountId32, int], ...] = ()

    def build(self, pallet: Ledger) -> None:
        """Store the balances."""
        for who, amount in self.balances:
            pallet.accounts.insert(who, U128(amount))
            pallet.issuance.mutate(lambda total, a=amount: total + U128(a))


class Ledger(
    Pallet[LedgerConfig],
    name="Ledger",
    config=LedgerConfig,
    error=LedgerError,
    genesis=LedgerGenesis,
):
    """Free balances and the total issuance; nothing else."""

    accounts: StorageMap[AccountId32, U128, OptionQuery] = storage(
        hasher=StorageHasher.BLAKE2_128_CONCAT, doc="Free balances."
    )
    issuance: StorageValue[U128, ValueQuery] = storage(default=U128(0), doc="Total issuance.")

    def free_balance(self, who: AccountId32) -> U128:
        return self.accounts.get(who) or U128(0)

    def withdraw(self, who: AccountId32, amount: U128, *, keep_alive: bool) -> U128:
        free = self.free_balance(who)
        ensure(free >= amount, InsufficientBalance)
        left = free - amount
        ensure(not (keep_alive and left < EXISTENTIAL_DEPOSIT), Expendability)
        if left < EXISTENTIAL_DEPOSIT:
            self.accounts.remove(who)
        else:
            self.accounts.insert(who, left)
        self.issuance.put(self.issuance.get() - amount)
        return amount

    def deposit_into_existing(self, who: AccountId32, amount: U128) -> U128:
        ensure(self.accounts.contains_key(who), DeadAccount)
        self.accounts.insert(who, self.free_balance(who) + amount)
        self.issuance.put(self.issuance.get() + amount)
        return amount

    def deposit_creating(self, who: AccountId32, amount: U128) -> U128:
        if not self.accounts.contains_key(who) and amount < EXISTENTIAL_DEPOSIT:
            return U128(0)
        self.accounts.insert(who, self.free_balance(who) + amount)
        self.issuance.put(self.issuance.get() + amount)
        return amount


# --- the mock runtime ------------------------------------------------------------------------


def block_weights(base_extrinsic: int) -> BlockWeights:
    return (
        BlockWeights.builder(
            base_block=Weight.zero(), base_extrinsic=Weight.from_parts(base_extrinsic, 0)
        )
        .for_class(
            DispatchClass.non_mandatory(),
            lambda w: dataclasses.replace(w, max_total=Weight.from_parts(1024, U64.MAX)),
        )
        .build()
    )


@cache
def make_runtime(
    *,
    base_weight: int = 0,
    weight_fee: int = 1,
    byte_fee: int = 1,
    update: Any = None,
    destination: AccountId32 | None = None,
    max_total: Weight | None = None,
) -> Runtime:
    weights = block_weights(base_weight)
    if max_total is not None:
        weights = (
            BlockWeights.builder(Weight.zero(), Weight.from_parts(base_weight, 0))
            .for_class(
                DispatchClass.non_mandatory(), lambda w: dataclasses.replace(w, max_total=max_total)
            )
            .build()
        )
    return Runtime(
        name="transaction_payment_mock",
        pallets=[
            (0, System, SystemConfig(block_weights=weights, weights=SystemUnitWeights())),
            (1, Ledger, LedgerConfig()),
            (
                2,
                TransactionPayment,
                Config(
                    currency=Ledger,
                    weight_to_fee=ConstantMultiplier(U128(weight_fee)),
                    length_to_fee=ConstantMultiplier(U128(byte_fee)),
                    fee_multiplier_update=update or ConstFeeMultiplier(),
                    fee_destination=destination,
                ),
            ),
        ],
    )


@pytest.fixture
def build() -> Callable[..., TestExternalities]:
    """`build(balances=..., multiplier=..., **runtime options)` -> state at block 1.

    Runtime options: ``base_weight``, ``weight_fee``, ``byte_fee``, ``update``,
    ``destination``, ``max_total``. Alice holds 1000 by default.
    """

    def make(
        balances: tuple[tuple[AccountId32, int], ...] = ((ALICE, 1_000),),
        multiplier: FixedU128 | None = None,
        **options: Any,
    ) -> TestExternalities:
        genesis: dict[type[Pallet[Any]], GenesisConfig] = {Ledger: LedgerGenesis(balances)}
        if multiplier is not None:
            genesis[TransactionPayment] = TransactionPaymentGenesis(multiplier=multiplier)
        return TestExternalities(make_runtime(**options), genesis)

    return make


@pytest.fixture
def ext(build: Callable[..., TestExternalities]) -> TestExternalities:
    """Default state: no base weight, one unit of fee per weight unit and per byte."""
    return build()


@pytest.fixture
def accounts() -> tuple[AccountId32, AccountId32, AccountId32]:
    """(Alice, Bob, the treasury)."""
    return ALICE, BOB, TREASURY


@pytest.fixture
def ledger() -> type[Ledger]:
    """The currency stub pallet."""
    return Ledger


@pytest.fixture
def ledger_errors() -> tuple[type[PalletError], ...]:
    """(InsufficientBalance, Expendability, DeadAccount)."""
    return InsufficientBalance, Expendability, DeadAccount


# --- metadata, decoded by scalecodec (the client library's own decoder) ----------------------


@pytest.fixture(scope="module")
def metadata(decoded_metadata: Any) -> Any:
    """The mock runtime's metadata, decoded by scalecodec."""
    return decoded_metadata(make_runtime())
