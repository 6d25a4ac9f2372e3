"""Mock runtime for the Informants and Treasury tests: System, Balances, Treasury, Informants.

FRAME's ``mock.rs`` with an ``ExtBuilder``: ``ext_builder().with_balances({...}).curators(
{...}).build()`` returns an `InformantsExt`; every externalities built this way has the
``try_state`` of Balances, System, Treasury and Informants checked when the test ends, and
`InformantsExt.run_to_block` drives the hooks as the executive does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.balances import Config as BalancesConfig
from deepshard.pallets.balances import UnitWeights as BalancesUnitWeights
from deepshard.pallets.informants import Config as InformantsConfig
from deepshard.pallets.informants import CriteriaScores, Informants, InformantsGenesis
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.treasury import Config as TreasuryConfig
from deepshard.pallets.treasury import Treasury, TreasuryGenesis
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.header import Digest
from deepshard.primitives.numeric import U32, U128, Percent
from deepshard.runtime.support import Origin, Runtime
from deepshard.runtime.support.context import Phase
from deepshard.runtime.support.testing import TestExternalities

ALICE = AccountId32(b"\x01" * 32)
BOB = AccountId32(b"\x02" * 32)
CHARLIE = AccountId32(b"\x03" * 32)
DAVE = AccountId32(b"\x04" * 32)
EVE = AccountId32(b"\x05" * 32)
FERDIE = AccountId32(b"\x06" * 32)

ED = 10
"""Existential deposit of the mock runtime."""
CID_V0 = bytes.fromhex("1220") + bytes(range(32))
"""A CIDv0 (a bare sha2-256 multihash)."""
CID_V1_RAW = bytes.fromhex("01551220") + bytes(range(32, 64))
"""A CIDv1, raw codec."""

_RUNTIMES: dict[tuple[tuple[str, Any], ...], Runtime] = {}


def mock_runtime(**overrides: Any) -> Runtime:
    """The mock runtime; `overrides` replace fields of the Informants configuration."""
    key = tuple(sorted(overrides.items()))
    runtime = _RUNTIMES.get(key)
    if runtime is None:
        informants = InformantsConfig(currency=Balances, treasury=Treasury, **overrides)
        runtime = Runtime(
            name="informants_mock",
            pallets=[
                (0, System, SystemConfig(weights=SystemUnitWeights())),
                (
                    4,
                    Balances,
                    BalancesConfig(existential_deposit=U128(ED), weights=BalancesUnitWeights()),
                ),
                (
                    7,
                    Treasury,
                    TreasuryConfig(
                        currency=Balances,
                        emission_per_block=U128(1_000),
                        max_emission_budget=U128(1_000_000),
                    ),
                ),
                (20, Informants, informants),
            ],
        )
        _RUNTIMES[key] = runtime
    return runtime


def scores(*parts: int) -> CriteriaScores:
    """Scores on the five criteria, in percent (one value repeats for all five)."""
    values = parts if len(parts) == 5 else parts * 5
    return CriteriaScores(*(Percent.from_parts(p) for p in values))


class InformantsExt(TestExternalities):
    """Test externalities of the mock runtime, with shortcuts."""

    __test__ = False

    @property
    def informants(self) -> Informants:
        """The Informants pallet."""
        return self.pallet(Informants)

    @property
    def treasury(self) -> Treasury:
        """The Treasury pallet."""
        return self.pallet(Treasury)

    @property
    def balances(self) -> Balances:
        """The Balances pallet."""
        return self.pallet(Balances)

    def call(self, name: str, origin: Origin, **arguments: Any) -> None:
        """Dispatch ``Informants.<name>`` through its SCALE encoding, as an extrinsic would."""
        self.call_in(Informants, name, origin, **arguments)

    def call_in(self, pallet: Any, name: str, origin: Origin, **arguments: Any) -> None:
        """Dispatch ``<pallet>.<name>`` through its SCALE encoding."""
        call = self.runtime.make_call(pallet, name, **arguments)
        decoded = self.runtime.call_codec.decode(self.runtime.call_codec.encode(call))
        self.runtime.dispatch(self.ctx, decoded, origin)

    def free(self, who: AccountId32) -> int:
        """Free balance of `who`."""
        return int(self.balances.free_balance(who))

    def held(self, reason: Any, who: AccountId32) -> int:
        """Balance of `who` held for `reason`."""
        return int(self.balances.balance_on_hold(reason, who))

    def issuance(self) -> int:
        """The total issuance."""
        return int(self.balances.total_issuance.get())

    @property
    def block(self) -> int:
        """The current block number."""
        return self.ctx.block_number

    def next_block(self) -> None:
        """Finalize this block and initialize the next (every pallet's hooks, in index order)."""
        ctx = self.ctx
        ctx.phase = Phase.FINALIZATION
        for pallet in ctx.pallets():
            pallet.on_finalize(ctx.block_number)
        ctx.block_number += 1
        ctx.phase = Phase.INITIALIZATION
        system = ctx.pallet(System)
        system.initialize(U32(ctx.block_number), system.parent_hash.get(), Digest())
        self.hook_weight = [pallet.on_initialize(ctx.block_number) for pallet in ctx.pallets()]
        ctx.phase = Phase.APPLY_EXTRINSIC

    def run_to_block(self, n: int) -> None:
        """Advance block by block until block `n` is initialized."""
        while self.ctx.block_number < n:
            self.next_block()

    def check_invariants(self) -> None:
        """Run every pallet's ``try_state``."""
        for pallet in self.ctx.pallets():
            pallet.try_state()


class ExtBuilder:
    """Builds `InformantsExt`s: balances, curators and configuration overrides."""

    def __init__(self, built: list[InformantsExt]) -> None:
        self._built = built
        self._balances: dict[AccountId32, int] = {}
        self._curators: dict[AccountId32, int] = {}
        self._overrides: dict[str, Any] = {}
        self._budget = 0

    def with_balances(self, balances: Mapping[AccountId32, int]) -> ExtBuilder:
        """Endow accounts at genesis."""
        self._balances.update(balances)
        return self

    def curators(self, bonds: Mapping[AccountId32, int]) -> ExtBuilder:
        """Bond curators at genesis (their accounts must be endowed)."""
        self._curators.update(bonds)
        return self

    def config(self, **overrides: Any) -> ExtBuilder:
        """Override fields of the Informants configuration."""
        self._overrides.update(overrides)
        return self

    def budget(self, amount: int) -> ExtBuilder:
        """Start with `amount` in the emission budget."""
        self._budget = amount
        return self

    def build(self) -> InformantsExt:
        """Build genesis and return the externalities (at block 1, applying an extrinsic)."""
        ext = InformantsExt(
            mock_runtime(**self._overrides),
            genesis={
                Balances: BalancesGenesis(
                    balances=tuple((w, U128(v)) for w, v in self._balances.items())
                ),
                Treasury: TreasuryGenesis(initial_budget=U128(self._budget)),
                Informants: InformantsGenesis(
                    curators=tuple((w, U128(v)) for w, v in self._curators.items())
                ),
            },
        )
        ext.check_invariants()
        self._built.append(ext)
        return ext


@pytest.fixture
def ext_builder() -> Iterator[Callable[[], ExtBuilder]]:
    """A factory of `ExtBuilder`s; every externalities it built is checked at teardown."""
    built: list[InformantsExt] = []
    yield lambda: ExtBuilder(built)
    for ext in built:
        ext.check_invariants()


@pytest.fixture
def ext(ext_builder: Callable[[], ExtBuilder]) -> InformantsExt:
    """Alice (informant) and five curators: Bob, Charlie, Dave, Eve (100 each), Ferdie (1,000)."""
    return (
        ext_builder()
        .with_balances(
            {ALICE: 10_000, BOB: 1_000, CHARLIE: 1_000, DAVE: 1_000, EVE: 1_000, FERDIE: 10_000}
        )
        .curators({BOB: 100, CHARLIE: 100, DAVE: 100, EVE: 100})
        .budget(100_000)
        .build()
    )
