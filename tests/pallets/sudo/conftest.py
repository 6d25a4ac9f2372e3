"""Mock runtime for the Sudo tests: System, Sudo (key: Alice) and a Logger pallet.

As FRAME's `pallet_sudo` mock, ``Logger`` has a root-only call (``privileged_i32_log``) and a
signed one (``non_privileged_log``), both weighing what they are told; ``fail_after_write``
writes, then fails with a pallet error, to show that a wrapped call's writes are rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from deepshard.pallets.sudo import Config as SudoConfig
from deepshard.pallets.sudo import Sudo, SudoGenesis
from deepshard.pallets.sudo import UnitWeights as SudoUnitWeights
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.primitives.codec import AccountId32, Enum, Vec
from deepshard.primitives.numeric import U32
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


class LoggerConfig(PalletConfig):
    """Nothing to configure."""


class LoggerEvent(Enum, type_path=("pallet_logger", "pallet", "Event")):
    """Events of the Logger pallet."""


class AppendI32(LoggerEvent, index=0):
    """A number was logged by root."""

    value: U32
    weight: Weight


class AppendI32AndAccount(LoggerEvent, index=1):
    """A number was logged by an account."""

    sender: AccountId32
    value: U32
    weight: Weight


class LoggerError(PalletError):
    """Errors of the Logger pallet."""


class Boom(LoggerError, index=0):
    """The call always fails."""


class Logger(
    Pallet[LoggerConfig], name="Logger", config=LoggerConfig, event=LoggerEvent, error=LoggerError
):
    """Logs numbers (and who logged them)."""

    i32_log: StorageValue[Vec[U32], ValueQuery] = storage(default=(), doc="Logged numbers.")
    account_log: StorageValue[Vec[AccountId32], ValueQuery] = storage(
        default=(), doc="Accounts that logged."
    )

    @call(index=0, weight=lambda _w, i, weight: weight)
    def privileged_i32_log(self, origin: Origin, i: U32, weight: Weight) -> None:
        """Log `i`. Origin: root."""
        ensure_root(origin)
        self.i32_log.mutate(lambda log: (*log, i))
        self.deposit_event(AppendI32(value=i, weight=weight))

    @call(index=1, weight=lambda _w, i, weight: weight)
    def non_privileged_log(self, origin: Origin, i: U32, weight: Weight) -> None:
        """Log `i` and the signer. Origin: signed."""
        sender = ensure_signed(origin)
        self.i32_log.mutate(lambda log: (*log, i))
        self.account_log.mutate(lambda log: (*log, sender))
        self.deposit_event(AppendI32AndAccount(sender=sender, value=i, weight=weight))

    @call(index=2, weight=lambda _w, i: Weight.from_parts(7, 0))
    def fail_after_write(self, origin: Origin, i: U32) -> None:
        """Log `i`, then fail."""
        del origin
        self.i32_log.mutate(lambda log: (*log, i))
        raise Boom


RUNTIME = Runtime(
    name="sudo_mock",
    pallets=[
        (0, System, SystemConfig(weights=SystemUnitWeights())),
        (1, Sudo, SudoConfig(weights=SudoUnitWeights())),
        (2, Logger, LoggerConfig()),
    ],
)


@pytest.fixture
def runtime() -> Runtime:
    """The mock runtime."""
    return RUNTIME


@pytest.fixture
def build() -> Callable[..., TestExternalities]:
    """Build state with sudo key `key` (Alice by default; None for no key)."""

    def make(key: AccountId32 | None = ALICE) -> TestExternalities:
        return TestExternalities(RUNTIME, {Sudo: SudoGenesis(key=key)})

    return make


@pytest.fixture
def ext(build: Callable[..., TestExternalities]) -> TestExternalities:
    """State with Alice as the sudo key, at block 1."""
    return build()


@pytest.fixture
def logger() -> Any:
    """The Logger pallet and its event and error classes."""
    return SimpleNamespace(
        Logger=Logger, AppendI32=AppendI32, AppendI32AndAccount=AppendI32AndAccount, Boom=Boom
    )


@pytest.fixture
def accounts() -> tuple[AccountId32, AccountId32]:
    """(Alice, Bob)."""
    return ALICE, BOB


# --- metadata, decoded by scalecodec (the client library's own decoder) ----------------------


@pytest.fixture(scope="module")
def metadata(decoded_metadata: Any) -> Any:
    """The mock runtime's metadata, decoded by scalecodec."""
    return decoded_metadata(RUNTIME)
