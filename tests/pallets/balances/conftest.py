"""Mock runtime for the Balances tests: System (index 0) and Balances (index 1), unit weights.

FRAME's ``mock.rs`` plus its ``ExtBuilder``: a test asks for the `ext_builder` fixture and
writes ``ext_builder().existential_deposit(10).with_balances({ALICE: 100}).build()``, which
returns a `BalancesExt` (a `TestExternalities` with shortcuts). Every externalities built this
way has its invariants checked when the test ends (FRAME's ``ensure_ti_valid``): Balances'
and System's ``try_state``, unless the test opted out with `skip_invariants`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from deepshard.pallets.balances import Balances, BalancesGenesis, UnitWeights
from deepshard.pallets.balances import Config as BalancesConfig
from deepshard.pallets.system import AccountData, AccountInfo, System
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U32, U128
from deepshard.runtime.support import Origin, Runtime
from deepshard.runtime.support.testing import TestExternalities

SYSTEM_INDEX = 0
BALANCES_INDEX = 1

_RUNTIMES: dict[tuple[int, int, int], Runtime] = {}


def mock_runtime(
    existential_deposit: int = 10, max_holds: int = 4, max_freezes: int = 4
) -> Runtime:
    """The mock runtime for one configuration (built once per configuration)."""
    key = (existential_deposit, max_holds, max_freezes)
    runtime = _RUNTIMES.get(key)
    if runtime is None:
        config = BalancesConfig(
            existential_deposit=U128(existential_deposit),
            max_holds=U32(max_holds),
            max_freezes=U32(max_freezes),
            weights=UnitWeights(),
        )
        runtime = Runtime(
            name="balances_mock",
            pallets=[
                (SYSTEM_INDEX, System, SystemConfig(weights=SystemUnitWeights())),
                (BALANCES_INDEX, Balances, config),
            ],
        )
        _RUNTIMES[key] = runtime
    return runtime


class BalancesExt(TestExternalities):
    """Test externalities of the mock runtime, with Balances shortcuts."""

    __test__ = False

    @property
    def balances(self) -> Balances:
        """The Balances pallet."""
        return self.pallet(Balances)

    @property
    def system(self) -> System:
        """The System pallet."""
        return self.pallet(System)

    def call(self, name: str, origin: Origin, **arguments: Any) -> None:
        """Dispatch ``Balances.<name>(**arguments)`` from `origin`, through its SCALE encoding.

        The call is encoded and decoded as an extrinsic's call would be, so arguments may be
        plain ints and the dispatched values are the wire types.
        """
        call = self.runtime.make_call(Balances, name, **arguments)
        decoded = self.runtime.call_codec.decode(self.runtime.call_codec.encode(call))
        self.runtime.dispatch(self.ctx, decoded, origin)

    def free(self, who: AccountId32) -> int:
        """Free balance of `who`."""
        return int(self.balances.free_balance(who))

    def reserved(self, who: AccountId32) -> int:
        """Reserved balance of `who`."""
        return int(self.balances.reserved_balance(who))

    def data(self, who: AccountId32) -> AccountData:
        """Balance data of `who`."""
        return self.balances.account_data(who)

    def info(self, who: AccountId32) -> AccountInfo:
        """System account info of `who`."""
        return self.system.account.get(who)

    def exists(self, who: AccountId32) -> bool:
        """Whether `who` has a ``System.Account`` entry."""
        return self.system.account_exists(who)

    def issuance(self) -> int:
        """The total issuance."""
        return int(self.balances.total_issuance.get())

    def check_invariants(self) -> None:
        """Run Balances' and System's ``try_state``."""
        self.balances.try_state()
        self.system.try_state()


class ExtBuilder:
    """Builds `BalancesExt`s: existential deposit, limits and endowed accounts."""

    def __init__(self, built: list[BalancesExt]) -> None:
        self._built = built
        self._existential_deposit = 10
        self._max_holds = 4
        self._max_freezes = 4
        self._balances: list[tuple[AccountId32, int]] = []
        self._check = True

    def existential_deposit(self, value: int) -> ExtBuilder:
        """Use existential deposit `value` (default 10)."""
        self._existential_deposit = value
        return self

    def max_holds(self, value: int) -> ExtBuilder:
        """Allow `value` holds per account (default 4)."""
        self._max_holds = value
        return self

    def max_freezes(self, value: int) -> ExtBuilder:
        """Allow `value` freezes per account (default 4)."""
        self._max_freezes = value
        return self

    def with_balances(self, balances: Mapping[AccountId32, int]) -> ExtBuilder:
        """Endow accounts at genesis."""
        self._balances.extend(balances.items())
        return self

    def skip_invariants(self) -> ExtBuilder:
        """Do not check invariants at the end of the test (tests that break them on purpose)."""
        self._check = False
        return self

    def genesis(self) -> BalancesGenesis:
        """The Balances genesis configuration built so far."""
        return BalancesGenesis(balances=tuple((who, U128(v)) for who, v in self._balances))

    def runtime(self) -> Runtime:
        """The mock runtime for this builder's configuration."""
        return mock_runtime(self._existential_deposit, self._max_holds, self._max_freezes)

    def build(self) -> BalancesExt:
        """Build genesis and return the externalities (at block 1, applying an extrinsic)."""
        ext = BalancesExt(self.runtime(), genesis={Balances: self.genesis()})
        if self._check:
            ext.check_invariants()
            self._built.append(ext)
        return ext


@pytest.fixture
def ext_builder() -> Iterator[Callable[[], ExtBuilder]]:
    """A factory of `ExtBuilder`s; every externalities it built is checked at teardown."""
    built: list[BalancesExt] = []
    yield lambda: ExtBuilder(built)
    for ext in built:
        ext.check_invariants()
