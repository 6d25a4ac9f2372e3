"""The devnet's steps: one explicit, ordered list of named phases and their states.

A devnet walks `PLAN` in order: it makes the genesis, starts the network and the workers, waits
for the bonds, sets the dev round rules, submits the demo batch, then follows the batch and its
round on chain until the new model version, and finally the licence steps. Steps that need a part
of Deepshard this build lacks (the Licences pallet, the keeper worker, the inference node) name
that part in `StepInfo.needs`; `StepBoard.skip` marks them "skipped: not available". Adding a
step is one entry in `Step` and one in `PLAN`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

__all__ = ["PLAN", "Feature", "Step", "StepBoard", "StepInfo", "StepRecord", "StepState"]


class Feature(StrEnum):
    """A part of Deepshard some steps need, detected at run time."""

    LICENCES = "Licences pallet"
    """The runtime has the ``Licences`` pallet (index 22) with its ``buy`` call."""
    KEEPER = "deepshard worker keeper"
    """The ``deepshard worker keeper`` command exists."""
    INFER = "deepshard infer generate"
    """The ``deepshard infer generate`` command exists."""


class Step(StrEnum):
    """The devnet's phases, in the order they run."""

    GENESIS = "genesis"
    NETWORK = "network"
    WORKERS = "workers"
    BONDS = "bonds"
    RULES = "rules"
    BATCH = "batch"
    VOTES = "votes"
    ROUND = "round"
    COMMITS = "commits"
    REVEALS = "reveals"
    SCORES = "scores"
    VERDICTS = "verdicts"
    PAYOUT = "payout"
    KEEPERS = "keepers"
    LICENCE = "licence"
    GENERATE = "generate"


@dataclass(frozen=True, slots=True)
class StepInfo:
    """What a step does, for people, and what it needs."""

    step: Step
    """The step."""
    title: str
    """One line shown in the live view."""
    needs: tuple[Feature, ...] = ()
    """Features without which the step is skipped."""
    required: bool = True
    """Whether the round has failed when this step fails (optional steps only report)."""


PLAN: Final[tuple[StepInfo, ...]] = (
    StepInfo(Step.GENESIS, "fresh keys, base model pinned, chain spec"),
    StepInfo(Step.NETWORK, "validators, IPFS daemon, explorer"),
    StepInfo(Step.WORKERS, "curators, trainers, poisoners, scorers, keepers"),
    StepInfo(Step.BONDS, "every worker bonded on chain"),
    StepInfo(Step.RULES, "dev round rules set by sudo"),
    StepInfo(Step.BATCH, "demo batch pinned and proposed by the informant"),
    StepInfo(Step.VOTES, "curators vote; the batch is decided"),
    StepInfo(Step.ROUND, "a training round opens on the batch"),
    StepInfo(Step.COMMITS, "drawn trainers train their shard and commit"),
    StepInfo(Step.REVEALS, "trainers reveal their adapters"),
    StepInfo(Step.SCORES, "scorers score every revealed adapter"),
    StepInfo(Step.VERDICTS, "aggregation: accepted cluster and outliers"),
    StepInfo(Step.PAYOUT, "slashes applied, trainers paid, new model version"),
    StepInfo(
        Step.KEEPERS,
        "keepers encrypt the new version and register its ciphertext",
        (Feature.LICENCES, Feature.KEEPER),
        required=False,
    ),
    StepInfo(
        Step.LICENCE,
        "a licence for the new version is bought and served",
        (Feature.LICENCES, Feature.KEEPER),
        required=False,
    ),
    StepInfo(
        Step.GENERATE,
        "the licensed model generates text",
        (Feature.LICENCES, Feature.KEEPER, Feature.INFER),
        required=False,
    ),
)
"""Every step, in order."""


class StepState(StrEnum):
    """Where a step stands."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(slots=True)
class StepRecord:
    """A step's state, a line of detail, and when it started and ended."""

    info: StepInfo
    """The step."""
    state: StepState = StepState.PENDING
    """Where it stands."""
    detail: str = ""
    """What happened (or why it was skipped or failed)."""
    started: float | None = None
    """Seconds since the devnet started, when the step started."""
    ended: float | None = None
    """Seconds since the devnet started, when it ended."""

    @property
    def seconds(self) -> float | None:
        """How long the step took (None while it has not ended)."""
        if self.started is None or self.ended is None:
            return None
        return self.ended - self.started


@dataclass
class StepBoard:
    """The state of every step of `PLAN`; the live view and the summary read it."""

    clock: Callable[[], float] = time.monotonic
    """The clock (seconds); tests pass their own."""
    records: dict[Step, StepRecord] = field(init=False)
    _origin: float = field(init=False)

    def __post_init__(self) -> None:
        self.records = {info.step: StepRecord(info) for info in PLAN}
        self._origin = self.clock()

    def __iter__(self) -> Iterator[StepRecord]:
        return iter(self.records.values())

    def elapsed(self) -> float:
        """Seconds since the board was made."""
        return self.clock() - self._origin

    def __getitem__(self, step: Step) -> StepRecord:
        return self.records[step]

    def start(self, step: Step, detail: str = "") -> None:
        """Mark `step` running (no-op when it has ended already)."""
        record = self.records[step]
        if record.state in (StepState.DONE, StepState.SKIPPED, StepState.FAILED):
            return
        if record.state is StepState.PENDING:
            record.started = self.elapsed()
        record.state = StepState.RUNNING
        if detail:
            record.detail = detail

    def note(self, step: Step, detail: str) -> None:
        """Update a running step's detail line (starting it if pending)."""
        self.start(step)
        if self.records[step].state is StepState.RUNNING:
            self.records[step].detail = detail

    def done(self, step: Step, detail: str = "") -> None:
        """Mark `step` done."""
        self._end(step, StepState.DONE, detail)

    def fail(self, step: Step, detail: str) -> None:
        """Mark `step` failed, with why."""
        self._end(step, StepState.FAILED, detail)

    def skip(self, step: Step, detail: str) -> None:
        """Mark `step` skipped, with why."""
        self._end(step, StepState.SKIPPED, detail)

    def _end(self, step: Step, state: StepState, detail: str) -> None:
        record = self.records[step]
        if record.state in (StepState.DONE, StepState.SKIPPED, StepState.FAILED):
            return
        now = self.elapsed()
        record.started = now if record.started is None else record.started
        record.ended = now
        record.state = state
        if detail:
            record.detail = detail

    def skip_unavailable(self, available: frozenset[Feature]) -> None:
        """Skip every step that needs a feature outside `available`, naming what is missing."""
        for record in self.records.values():
            missing = [need for need in record.info.needs if need not in available]
            if missing:
                names = ", ".join(str(m) for m in missing)
                self.skip(record.info.step, f"skipped: not available ({names})")

    def succeeded(self) -> bool:
        """Whether every required step is done and no step failed."""
        return all(
            r.state is StepState.DONE or (not r.info.required and r.state is StepState.SKIPPED)
            for r in self.records.values()
        )
