"""A deterministic validator built from explicit tags, a fake clock and a recording watcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from deepshard.client.node.interfaces import TransactionStatus
from deepshard.client.txpool import PoolLimits, TransactionPool
from deepshard.primitives.codec import H256
from deepshard.primitives.numeric import U64
from deepshard.primitives.transaction_validity import (
    TransactionRejected,
    TransactionSource,
    ValidTransaction,
)


class FakeValidator:
    """Answers the `ValidTransaction` (or raises the rejection) set for each extrinsic."""

    def __init__(self) -> None:
        self.answers: dict[bytes, ValidTransaction | TransactionRejected] = {}
        self.calls: list[tuple[bytes, TransactionSource, H256]] = []

    def add(
        self,
        name: str,
        *,
        priority: int = 1,
        requires: tuple[str, ...] = (),
        provides: tuple[str, ...] | None = None,
        longevity: int = U64.MAX,
        propagate: bool = True,
        size: int = 0,
    ) -> bytes:
        """Register extrinsic `name` (padded to `size` bytes); it provides tag `name` by default."""
        extrinsic = name.encode().ljust(size, b".")
        self.set(
            extrinsic,
            priority=priority,
            requires=requires,
            provides=(name,) if provides is None else provides,
            longevity=longevity,
            propagate=propagate,
        )
        return extrinsic

    def set(
        self,
        extrinsic: bytes,
        *,
        priority: int = 1,
        requires: tuple[str, ...] = (),
        provides: tuple[str, ...] = (),
        longevity: int = U64.MAX,
        propagate: bool = True,
    ) -> None:
        """Change the answer for `extrinsic`."""
        self.answers[extrinsic] = ValidTransaction(
            priority=U64(priority),
            requires=tuple(t.encode() for t in requires),
            provides=tuple(t.encode() for t in provides),
            longevity=U64(longevity),
            propagate=propagate,
        )

    def reject(self, extrinsic: bytes, error: TransactionRejected) -> None:
        """Make validation of `extrinsic` raise `error`."""
        self.answers[extrinsic] = error

    def __call__(self, extrinsic: bytes, source: TransactionSource, at: H256) -> ValidTransaction:
        self.calls.append((extrinsic, source, at))
        answer = self.answers[extrinsic]
        if isinstance(answer, TransactionRejected):
            raise answer
        return answer


@dataclass
class Clock:
    """A settable monotonic clock (seconds)."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Recorder:
    """Collects a watcher's statuses."""

    statuses: list[TransactionStatus] = field(default_factory=list)

    def __call__(self, status: TransactionStatus) -> None:
        self.statuses.append(status)

    @property
    def kinds(self) -> list[str]:
        return [s.kind for s in self.statuses]

    @property
    def json(self) -> list[Any]:
        return [s.to_json() for s in self.statuses]


def block(n: int) -> H256:
    """A made-up block hash."""
    return H256(bytes([n]) * 32)


@pytest.fixture
def fake() -> FakeValidator:
    return FakeValidator()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_pool(fake: FakeValidator, clock: Clock) -> Callable[..., TransactionPool]:
    def make(**limits: Any) -> TransactionPool:
        options = {k: v for k, v in limits.items() if k not in ("is_validator",)}
        return TransactionPool(
            fake,
            limits=PoolLimits(**options),
            clock=clock,
            best=(block(0), 0),
            is_validator=limits.get("is_validator", True),
        )

    return make


@pytest.fixture
def pool(make_pool: Callable[..., TransactionPool]) -> TransactionPool:
    return make_pool()


@pytest.fixture
def recorder() -> type[Recorder]:
    """The `Recorder` class (importlib mode cannot import conftest from tests)."""
    return Recorder


@pytest.fixture
def blk() -> Callable[[int], H256]:
    """Made-up block hashes."""
    return block
