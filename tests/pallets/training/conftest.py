"""Mock runtime for the Training tests: System, Balances, Treasury, Informants, Training.

``ext_builder().trainers({...}).scorers({...}).config(...).build()`` returns a `TrainingExt`;
every externalities built this way has every pallet's ``try_state`` checked when the test ends,
and `TrainingExt.run_to_block` drives the hooks as the executive does. Accepted batches enter
the Informants ``TrainingQueue`` through `TrainingExt.queue_batch`, which records them exactly
as an accepted closing does (deposit held, batch stored, queue extended; the benchmarks' own
`queue_accepted_batch`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.balances import Config as BalancesConfig
from deepshard.pallets.balances import UnitWeights as BalancesUnitWeights
from deepshard.pallets.informants import Config as InformantsConfig
from deepshard.pallets.informants import Informants
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.training import Config as TrainingConfig
from deepshard.pallets.training import Training, TrainingGenesis, logic
from deepshard.pallets.training.benchmarking import queue_accepted_batch
from deepshard.pallets.treasury import Config as TreasuryConfig
from deepshard.pallets.treasury import Treasury, TreasuryGenesis
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.header import Digest
from deepshard.primitives.numeric import U32, U64, U128
from deepshard.runtime.support import Origin, Runtime, Signed
from deepshard.runtime.support.context import Phase
from deepshard.runtime.support.testing import TestExternalities

ED = 10
"""Existential deposit of the mock runtime."""
INFORMANT = AccountId32(b"\xee" * 32)
"""The informant of queued batches."""


def account(n: int) -> AccountId32:
    """The `n`-th test account."""
    return AccountId32(bytes([n]) * 32)


def adapter_cid(n: int) -> bytes:
    """A CIDv1 (raw, sha2-256) of adapter `n`."""
    return bytes.fromhex("01551220") + bytes([n]) * 32


def sha(n: int) -> H256:
    """The sha256 of adapter `n` (a stand-in digest)."""
    return H256(bytes([n]) * 32)


_RUNTIMES: dict[tuple[tuple[str, Any], ...], Runtime] = {}


def mock_runtime(**overrides: Any) -> Runtime:
    """The mock runtime; `overrides` replace fields of the Training configuration."""
    key = tuple(sorted(overrides.items()))
    runtime = _RUNTIMES.get(key)
    if runtime is None:
        training = TrainingConfig(
            currency=Balances, treasury=Treasury, informants=Informants, **overrides
        )
        runtime = Runtime(
            name="training_mock",
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
                        max_emission_budget=U128(10_000_000),
                    ),
                ),
                (20, Informants, InformantsConfig(currency=Balances, treasury=Treasury)),
                (21, Training, training),
            ],
        )
        _RUNTIMES[key] = runtime
    return runtime


class TrainingExt(TestExternalities):
    """Test externalities of the mock runtime, with shortcuts."""

    __test__ = False

    @property
    def training(self) -> Training:
        """The Training pallet."""
        return self.pallet(Training)

    @property
    def balances(self) -> Balances:
        """The Balances pallet."""
        return self.pallet(Balances)

    @property
    def treasury(self) -> Treasury:
        """The Treasury pallet."""
        return self.pallet(Treasury)

    def call(self, name: str, origin: Origin, **arguments: Any) -> None:
        """Dispatch ``Training.<name>`` through its SCALE encoding, as an extrinsic would."""
        call = self.runtime.make_call(Training, name, **arguments)
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

    def queue_batch(self) -> int:
        """Record an accepted batch at the tail of the training queue; return its id."""
        return int(queue_accepted_batch(self, INFORMANT))

    def pallet_queue_length(self) -> int:
        """How many accepted batches wait in the training queue."""
        head, tail = self.pallet(Informants).training_bounds.get()
        return int(tail) - int(head)

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
        parent = H256(bytes([ctx.block_number % 256]) * 32)
        system.initialize(U32(ctx.block_number), parent, Digest())
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

    # --- a round's moves ---------------------------------------------------------------------

    def open_round(self) -> int:
        """Queue a batch and advance until a round opens; return its id."""
        self.queue_batch()
        for _ in range(50):
            self.next_block()
            round_id = self.training.active_round.get()
            if round_id is not None:
                return int(round_id)
        raise AssertionError("no round opened")

    def commit_and_reveal(self, round_id: int, adapters: Mapping[AccountId32, int]) -> None:
        """Each trainer commits to, then reveals, adapter ``adapters[trainer]``."""
        for who, n in adapters.items():
            digest = logic.compute_commitment(adapter_cid(n), bytes(sha(n)), b"salt", bytes(who))
            self.call("commit", Signed(who), round_id=U64(round_id), commitment=H256(digest))
        round_ = self.training.rounds.get(U64(round_id))
        assert round_ is not None
        self.run_to_block(int(round_.commit_ends))
        for who, n in adapters.items():
            self.call(
                "reveal",
                Signed(who),
                round_id=U64(round_id),
                cid=adapter_cid(n),
                sha256=sha(n),
                salt=b"salt",
            )
        self.run_to_block(int(round_.reveal_ends))

    def score(self, round_id: int, rows: Callable[[AccountId32, AccountId32], list[int]]) -> None:
        """Each drawn scorer submits ``rows(scorer, trainer)`` for every revealed adapter."""
        round_ = self.training.rounds.get(U64(round_id))
        assert round_ is not None
        for scorer, _ in round_.scorers:
            matrix = [rows(scorer, trainer) for trainer in round_.revealed]
            self.call("submit_scores", Signed(scorer), round_id=U64(round_id), scores=matrix)

    def finish(self, round_id: int) -> None:
        """Advance through aggregation and the dispute window until the round closes."""
        round_ = self.training.rounds.get(U64(round_id))
        assert round_ is not None
        self.run_to_block(int(round_.dispute_ends))


class ExtBuilder:
    """Builds `TrainingExt`s: balances, bonds and configuration overrides."""

    def __init__(self, built: list[TrainingExt]) -> None:
        self._built = built
        self._balances: dict[AccountId32, int] = {INFORMANT: 10_000}
        self._trainers: dict[AccountId32, int] = {}
        self._scorers: dict[AccountId32, int] = {}
        self._overrides: dict[str, Any] = {}
        self._rules: dict[str, Any] = {}
        self._budget = 1_000_000

    def with_balances(self, balances: Mapping[AccountId32, int]) -> ExtBuilder:
        """Endow accounts at genesis."""
        self._balances.update(balances)
        return self

    def trainers(self, bonds: Mapping[AccountId32, int]) -> ExtBuilder:
        """Bond trainers at genesis (endowed with ten times their bond)."""
        self._trainers.update(bonds)
        for who, bond in bonds.items():
            self._balances.setdefault(who, 10 * bond)
        return self

    def scorers(self, bonds: Mapping[AccountId32, int]) -> ExtBuilder:
        """Bond scorers at genesis (endowed with ten times their bond)."""
        self._scorers.update(bonds)
        for who, bond in bonds.items():
            self._balances.setdefault(who, 10 * bond)
        return self

    def rules(self, **rules: Any) -> ExtBuilder:
        """Round rules of the Training genesis (``round_periods``, ``round_profile``, ...)."""
        self._rules.update(rules)
        return self

    def config(self, **overrides: Any) -> ExtBuilder:
        """Override fields of the Training configuration."""
        self._overrides.update(overrides)
        return self

    def budget(self, amount: int) -> ExtBuilder:
        """Start with `amount` in the emission budget."""
        self._budget = amount
        return self

    def build(self) -> TrainingExt:
        """Build genesis and return the externalities (at block 1, applying an extrinsic)."""
        ext = TrainingExt(
            mock_runtime(**self._overrides),
            genesis={
                Balances: BalancesGenesis(
                    balances=tuple((w, U128(v)) for w, v in self._balances.items())
                ),
                Treasury: TreasuryGenesis(initial_budget=U128(self._budget)),
                Training: TrainingGenesis(
                    trainers=tuple((w, U128(v)) for w, v in self._trainers.items()),
                    scorers=tuple((w, U128(v)) for w, v in self._scorers.items()),
                    **self._rules,
                ),
            },
        )
        ext.check_invariants()
        self._built.append(ext)
        return ext


@pytest.fixture
def ext_builder() -> Iterator[Callable[[], ExtBuilder]]:
    """A factory of `ExtBuilder`s; every externalities it built is checked at teardown."""
    built: list[TrainingExt] = []
    yield lambda: ExtBuilder(built)
    for ext in built:
        ext.check_invariants()
