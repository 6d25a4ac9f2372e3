"""Mock runtime for the Utility tests: System, Balances, Utility and an Example pallet.

As FRAME's `pallet_utility` mock, ``Example`` has a root-only call (``root_log``), a signed one
that records who called (``signed_log``) and one that writes, then fails (``fail_after_write``),
so that every batch flavour's rollback can be seen. The batch limit is 4.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.balances import Config as BalancesConfig
from deepshard.pallets.balances import UnitWeights as BalancesUnitWeights
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.utility import Config as UtilityConfig
from deepshard.pallets.utility import UnitWeights, Utility
from deepshard.primitives.codec import AccountId32, Enum, Vec
from deepshard.primitives.numeric import U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    Runtime,
    StorageValue,
    ValueQuery,
    call,
    ensure_root,
    ensure_signed,
    storage,
)
from deepshard.runtime.support.testing import TestExternalities

ALICE = AccountId32(b"\x01" * 32)
BOB = AccountId32(b"\x02" * 32)
CHARLIE = AccountId32(b"\x03" * 32)
LIMIT = 4


class ExampleConfig(PalletConfig):
    """Nothing to configure."""


class ExampleEvent(Enum, type_path=("pallet_example", "pallet", "Event")):
    """Events of the Example pallet."""


class Logged(ExampleEvent, index=0):
    """A number was logged."""

    value: U32


class ExampleError(PalletError):
    """Errors of the Example pallet."""


class Boom(ExampleError, index=0):
    """The call always fails."""


class Example(
    Pallet[ExampleConfig],
    name="Example",
    config=ExampleConfig,
    event=ExampleEvent,
    error=ExampleError,
):
    """Logs numbers and who logged them."""

    log: StorageValue[Vec[U32], ValueQuery] = storage(default=(), doc="Logged numbers.")
    callers: StorageValue[Vec[AccountId32], ValueQuery] = storage(default=(), doc="Signers.")

    @call(index=0, weight=lambda _w, i: Weight.from_parts(100, 10))
    def root_log(self, origin: Origin, i: U32) -> None:
        """Log `i`. Origin: root."""
        ensure_root(origin)
        self.log.mutate(lambda log: (*log, i))
        self.deposit_event(Logged(value=i))

    @call(index=1, weight=lambda _w, i: Weight.from_parts(200, 20))
    def signed_log(self, origin: Origin, i: U32) -> None:
        """Log `i` and the signer. Origin: signed."""
        who = ensure_signed(origin)
        self.log.mutate(lambda log: (*log, i))
        self.callers.mutate(lambda log: (*log, who))
        self.deposit_event(Logged(value=i))

    @call(index=2, weight=lambda _w, i: Weight.from_parts(300, 30))
    def fail_after_write(self, origin: Origin, i: U32) -> None:
        """Log `i`, then fail."""
        del origin
        self.log.mutate(lambda log: (*log, i))
        raise Boom


RUNTIME = Runtime(
    name="utility_mock",
    pallets=[
        (0, System, SystemConfig(weights=SystemUnitWeights())),
        (1, Balances, BalancesConfig(existential_deposit=U128(1), weights=BalancesUnitWeights())),
        (2, Example, ExampleConfig()),
        (8, Utility, UtilityConfig(batched_calls_limit=U32(LIMIT), weights=UnitWeights())),
    ],
)


def log(i: int) -> Any:
    """``Example.root_log(i)``."""
    return RUNTIME.make_call(Example, "root_log", i=U32(i))


def signed_log(i: int) -> Any:
    """``Example.signed_log(i)``."""
    return RUNTIME.make_call(Example, "signed_log", i=U32(i))


def fail(i: int) -> Any:
    """``Example.fail_after_write(i)``."""
    return RUNTIME.make_call(Example, "fail_after_write", i=U32(i))


def transfer(to: AccountId32, value: int) -> Any:
    """``Balances.transfer_allow_death(to, value)``."""
    from deepshard.primitives.extrinsic import Id  # noqa: PLC0415

    return RUNTIME.make_call(Balances, "transfer_allow_death", dest=Id(to), value=U128(value))


@pytest.fixture
def build() -> Callable[..., TestExternalities]:
    """Build state with Alice and Bob funded."""

    def make() -> TestExternalities:
        genesis = BalancesGenesis(balances=((ALICE, U128(1_000)), (BOB, U128(1_000))))
        return TestExternalities(RUNTIME, {Balances: genesis})

    return make


@pytest.fixture
def ext(build: Callable[..., TestExternalities]) -> TestExternalities:
    """Fresh state at block 1."""
    return build()


@pytest.fixture(scope="module")
def metadata(decoded_metadata: Any) -> Any:
    """The mock runtime's metadata, decoded by scalecodec."""
    return decoded_metadata(RUNTIME)


@pytest.fixture
def mock() -> SimpleNamespace:
    """The mock runtime, its accounts, the Example pallet and call builders."""
    return SimpleNamespace(
        RUNTIME=RUNTIME,
        ALICE=ALICE,
        BOB=BOB,
        CHARLIE=CHARLIE,
        LIMIT=LIMIT,
        Example=Example,
        Logged=Logged,
        Boom=Boom,
        log=log,
        signed_log=signed_log,
        fail=fail,
        transfer=transfer,
    )
