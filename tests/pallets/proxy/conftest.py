"""Mock runtime for the Proxy tests: System, Balances, Utility, Proxy and a ``Training`` stand-in.

Deposits as in FRAME's mock: ``ProxyDepositBase`` 1, ``ProxyDepositFactor`` 1, at most 4
proxies and 2 pending announcements, ``AnnouncementDepositBase`` 1, ``Factor`` 1. ``Training``
(a stand-in for the protocol pallet of that name) has one signed call that records its caller.
Accounts 1..5 are funded with 10 each.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.balances import Config as BalancesConfig
from deepshard.pallets.balances import UnitWeights as BalancesUnitWeights
from deepshard.pallets.proxy import Config as ProxyConfig
from deepshard.pallets.proxy import ProxyPallet, UnitWeights
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.utility import Config as UtilityConfig
from deepshard.pallets.utility import UnitWeights as UtilityUnitWeights
from deepshard.pallets.utility import Utility
from deepshard.primitives.codec import AccountId32, Vec
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    Origin,
    Pallet,
    PalletConfig,
    Runtime,
    StorageValue,
    ValueQuery,
    call,
    ensure_signed,
    storage,
)
from deepshard.runtime.support.testing import TestExternalities


def account(n: int) -> AccountId32:
    """Account ``n`` (its 32 bytes all ``n``)."""
    return AccountId32(bytes([n]) * 32)


class TrainingConfig(PalletConfig):
    """Nothing to configure."""


class Training(Pallet[TrainingConfig], name="Training", config=TrainingConfig):
    """Stands for the protocol pallet of that name: one signed call."""

    callers: StorageValue[Vec[AccountId32], ValueQuery] = storage(default=(), doc="Callers.")

    @call(index=0, weight=lambda _w: Weight.from_parts(10, 0))
    def commit(self, origin: Origin) -> None:
        """Record the caller."""
        who = ensure_signed(origin)
        self.callers.mutate(lambda log: (*log, who))


RUNTIME = Runtime(
    name="proxy_mock",
    pallets=[
        (0, System, SystemConfig(weights=SystemUnitWeights())),
        (1, Balances, BalancesConfig(existential_deposit=U128(1), weights=BalancesUnitWeights())),
        (8, Utility, UtilityConfig(weights=UtilityUnitWeights())),
        (
            10,
            ProxyPallet,
            ProxyConfig(
                proxy_deposit_base=U128(1),
                proxy_deposit_factor=U128(1),
                max_proxies=U32(4),
                max_pending=U32(2),
                announcement_deposit_base=U128(1),
                announcement_deposit_factor=U128(1),
                weights=UnitWeights(),
            ),
        ),
        (21, Training, TrainingConfig()),
    ],
)


def transfer(to: AccountId32, value: int) -> Any:
    """``Balances.transfer_allow_death(to, value)``."""
    return RUNTIME.make_call(Balances, "transfer_allow_death", dest=Id(to), value=U128(value))


def commit() -> Any:
    """``Training.commit()``."""
    return RUNTIME.make_call(Training, "commit")


def batch(*calls: Any) -> Any:
    """``Utility.batch(calls)``."""
    return RUNTIME.make_call(Utility, "batch", calls=tuple(calls))


@pytest.fixture
def ext() -> Iterator[TestExternalities]:
    """Accounts 1..5 funded with 10; checks the pallets' invariants afterwards."""
    genesis = BalancesGenesis(balances=tuple((account(n), U128(10)) for n in range(1, 6)))
    ext = TestExternalities(RUNTIME, {Balances: genesis})
    yield ext
    ext.pallet(ProxyPallet).try_state()
    ext.pallet(Balances).try_state()


@pytest.fixture
def mock() -> SimpleNamespace:
    """The mock runtime, accounts and call builders."""
    return SimpleNamespace(
        RUNTIME=RUNTIME,
        Training=Training,
        account=account,
        transfer=transfer,
        commit=commit,
        batch=batch,
    )


@pytest.fixture(scope="module")
def metadata(decoded_metadata: Any) -> Any:
    """The mock runtime's metadata, decoded by scalecodec."""
    return decoded_metadata(RUNTIME)
