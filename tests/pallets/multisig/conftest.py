"""Mock runtime for the Multisig tests: System, Balances, Multisig and Utility.

Deposits as in FRAME's mock: ``DepositBase`` 1, ``DepositFactor`` 1, at most 3 signatories
(so 2 others). Accounts 1..5 are funded with 10 each.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.balances import Config as BalancesConfig
from deepshard.pallets.balances import UnitWeights as BalancesUnitWeights
from deepshard.pallets.multisig import Config as MultisigConfig
from deepshard.pallets.multisig import MultisigPallet, UnitWeights
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.utility import Config as UtilityConfig
from deepshard.pallets.utility import UnitWeights as UtilityUnitWeights
from deepshard.pallets.utility import Utility
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id
from deepshard.primitives.numeric import U32, U128
from deepshard.runtime.support import Runtime
from deepshard.runtime.support.testing import TestExternalities


def account(n: int) -> AccountId32:
    """Account ``n`` (its 32 bytes all ``n``), so accounts sort by number."""
    return AccountId32(bytes([n]) * 32)


RUNTIME = Runtime(
    name="multisig_mock",
    pallets=[
        (0, System, SystemConfig(weights=SystemUnitWeights())),
        (1, Balances, BalancesConfig(existential_deposit=U128(1), weights=BalancesUnitWeights())),
        (8, Utility, UtilityConfig(weights=UtilityUnitWeights())),
        (
            9,
            MultisigPallet,
            MultisigConfig(
                deposit_base=U128(1),
                deposit_factor=U128(1),
                max_signatories=U32(3),
                weights=UnitWeights(),
            ),
        ),
    ],
)


def transfer(to: AccountId32, value: int) -> Any:
    """``Balances.transfer_allow_death(to, value)``."""
    return RUNTIME.make_call(Balances, "transfer_allow_death", dest=Id(to), value=U128(value))


def remark(data: bytes = b"") -> Any:
    """``System.remark(data)``."""
    return RUNTIME.make_call(System, "remark", remark=data)


@pytest.fixture
def ext() -> Iterator[TestExternalities]:
    """Accounts 1..5 funded with 10; checks the pallets' invariants afterwards."""
    genesis = BalancesGenesis(balances=tuple((account(n), U128(10)) for n in range(1, 6)))
    ext = TestExternalities(RUNTIME, {Balances: genesis})
    yield ext
    ext.pallet(MultisigPallet).try_state()
    ext.pallet(Balances).try_state()


@pytest.fixture
def mock() -> SimpleNamespace:
    """The mock runtime, accounts and call builders."""
    return SimpleNamespace(RUNTIME=RUNTIME, account=account, transfer=transfer, remark=remark)


@pytest.fixture(scope="module")
def metadata(decoded_metadata: Any) -> Any:
    """The mock runtime's metadata, decoded by scalecodec."""
    return decoded_metadata(RUNTIME)
