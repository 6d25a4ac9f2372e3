"""Follow the demo batch and its training round through chain events, as plain data.

`RoundTracker.apply` takes the events of each finalized block, in order, and keeps a
`RoundReport`: the curators' votes on the demo batch and its outcome, the round it opened, the
drawn trainers and scorers, commits, reveals, each scorer's statistics (read from storage by the
caller: ``ScoresSubmitted`` carries none), the aggregation's verdicts, pending and applied
slashes, rewards, the new model version, and the licence steps' events where the runtime has
them. Nothing here talks to the node, so tests drive it with events they make.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from deepshard.client.devnet.steps import Step, StepBoard

__all__ = ["RoundReport", "RoundTracker", "TrainerLine", "account_of", "variant_name"]


def account_of(value: Any) -> bytes:
    """A decoded AccountId32 as 32 bytes, however the codec renders it."""
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def variant_name(value: Any) -> str:
    """A decoded enum value's variant name (``"Accepted"`` or ``{"Accepted": ...}``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and len(value) == 1:
        return str(next(iter(value)))
    return str(value)


def _field(fields: Any, name: str) -> Any:
    if isinstance(fields, Mapping):
        return fields[name]
    raise KeyError(name)


@dataclass(slots=True)
class TrainerLine:
    """What happened to one drawn trainer."""

    account: bytes
    """Its account."""
    committed: bool = False
    """Whether it committed."""
    revealed_cid: bytes | None = None
    """The adapter CID it revealed."""
    verdict: str | None = None
    """``accepted``, ``outlier`` or ``not revealed`` after aggregation."""
    pending_slash: int = 0
    """Slash pending in the dispute window."""
    slashed: int = 0
    """Slash applied."""
    reward: int = 0
    """Reward paid."""


@dataclass(slots=True)
class RoundReport:
    """Everything the devnet has seen of its batch and round (module docs)."""

    batch_id: int | None = None
    """The demo batch."""
    votes: dict[bytes, bool] = field(default_factory=dict)
    """Curator -> aye."""
    batch_outcome: str | None = None
    """``Accepted``, ``Rejected`` or ``Expired``."""
    batch_value: int = 0
    """The value the vote assigned (accepted batches)."""
    informant_reward: int = 0
    """What the informant was paid."""
    round_id: int | None = None
    """The round opened on the batch."""
    parent_version: int | None = None
    """The version the round extends."""
    shard: int | None = None
    """The shard trained."""
    commit_ends: int | None = None
    """The commit deadline (block)."""
    trainers: dict[bytes, TrainerLine] = field(default_factory=dict)
    """Drawn trainers, in draw order."""
    scorers: list[bytes] = field(default_factory=list)
    """Drawn scorers."""
    reveal_order: list[bytes] = field(default_factory=list)
    """Trainers in reveal order (the order of each scorer's rows)."""
    scores: dict[bytes, list[list[int]]] = field(default_factory=dict)
    """Scorer -> one statistics vector per revealed adapter, in reveal order."""
    scorer_rewards: dict[bytes, int] = field(default_factory=dict)
    """Scorer -> reward."""
    outcome: str | None = None
    """The aggregation's outcome (``Accepted``, ``NoConsensus``...)."""
    improvement: int | None = None
    """The accepted cluster's held-out improvement (x10^6)."""
    version: int | None = None
    """The new model version."""
    version_loss: int | None = None
    """Its held-out loss (x10^6)."""
    parent_loss: int | None = None
    """The parent version's held-out loss (x10^6), read by the caller."""
    closed: bool = False
    """Whether the round closed (payouts final)."""
    paid: int = 0
    """Paid to accepted trainers."""
    to_treasury: int = 0
    """Sent to the treasury."""
    licence_events: list[str] = field(default_factory=list)
    """Licences events seen for the new version (``CiphertextRegistered``...)."""
    ciphertext_registered: bool = False
    """Whether keepers registered the new version's ciphertext."""
    purchase_id: int | None = None
    """The devnet's licence purchase."""
    licence_granted: bool = False
    """Whether the purchase was served."""
    prompt: str | None = None
    """The prompt the licensed model was given."""
    generated: str | None = None
    """Text the licensed model generated (its continuation of `prompt`)."""

    def scorer_rows(self, trainer: bytes) -> dict[bytes, list[int]]:
        """Each scorer's statistics vector for `trainer`'s adapter."""
        if trainer not in self.reveal_order:
            return {}
        row = self.reveal_order.index(trainer)
        return {s: rows[row] for s, rows in self.scores.items() if row < len(rows)}


@dataclass
class RoundTracker:
    """Turns finalized events into a `RoundReport` and step progress (module docs)."""

    board: StepBoard
    """The steps it advances (``VOTES`` to ``PAYOUT``, and the licence steps)."""
    report: RoundReport = field(default_factory=RoundReport)
    """What it has seen."""

    def watch_batch(self, batch_id: int) -> None:
        """Follow batch `batch_id` (the devnet's demo batch)."""
        self.report.batch_id = batch_id
        self.board.start(Step.VOTES, "waiting for the curators' votes")

    def apply(self, events: Iterable[Any], block: int) -> None:
        """Apply a finalized block's events (`deepshard.client.rpc.client.Event`s)."""
        for event in events:
            handler = _HANDLERS.get((event.pallet, event.name))
            if handler is not None:
                try:
                    handler(self, event.fields, block)
                except (KeyError, TypeError, ValueError):
                    continue  # a shape this build does not know: ignore, never crash the view

    def record_scores(self, scorer: bytes, rows: Iterable[Iterable[Any]]) -> None:
        """Record a scorer's statistics, read from ``Training.Scores`` by the caller."""
        self.report.scores[scorer] = [[int(v) for v in row] for row in rows]
        self._progress_scores()

    # --- Informants ---------------------------------------------------------------------------

    def _mine(self, fields: Any) -> bool:
        return self.report.batch_id is not None and int(_field(fields, "batch_id")) == (
            self.report.batch_id
        )

    def _voted(self, fields: Any, _block: int) -> None:
        if not self._mine(fields):
            return
        self.report.votes[account_of(_field(fields, "curator"))] = bool(_field(fields, "aye"))
        ayes = sum(self.report.votes.values())
        self.board.note(Step.VOTES, f"{ayes} aye, {len(self.report.votes) - ayes} nay")

    def _decide(self, outcome: str, fields: Any, block: int) -> None:
        if not self._mine(fields):
            return
        report = self.report
        report.batch_outcome = outcome
        ayes = sum(report.votes.values())
        tally = f"{ayes} aye, {len(report.votes) - ayes} nay"
        if outcome == "Accepted":
            report.batch_value = int(_field(fields, "value"))
            self.board.done(Step.VOTES, f"accepted at #{block} ({tally})")
            self.board.start(Step.ROUND, "waiting for enough bonded trainers and scorers")
        else:
            self.board.fail(Step.VOTES, f"{outcome.lower()} at #{block} ({tally})")

    def _informant_rewarded(self, fields: Any, _block: int) -> None:
        if self._mine(fields):
            self.report.informant_reward += int(_field(fields, "amount"))

    # --- Training -----------------------------------------------------------------------------

    def _round(self, fields: Any) -> bool:
        return self.report.round_id is not None and int(_field(fields, "round_id")) == (
            self.report.round_id
        )

    def _opened(self, fields: Any, block: int) -> None:
        if self.report.batch_id is None or int(_field(fields, "batch_id")) != self.report.batch_id:
            return
        report = self.report
        report.round_id = int(_field(fields, "round_id"))
        report.parent_version = int(_field(fields, "parent_version"))
        report.shard = int(_field(fields, "shard"))
        report.commit_ends = int(_field(fields, "commit_ends"))
        report.trainers = {
            account_of(t): TrainerLine(account_of(t)) for t in _field(fields, "trainers")
        }
        report.scorers = [account_of(s) for s in _field(fields, "scorers")]
        self.board.done(
            Step.ROUND,
            f"round {report.round_id} at #{block}: shard {report.shard}, "
            f"{len(report.trainers)} trainers, {len(report.scorers)} scorers",
        )
        self.board.start(Step.COMMITS, f"training until #{report.commit_ends}")

    def _committed(self, fields: Any, _block: int) -> None:
        if not self._round(fields):
            return
        line = self.report.trainers.get(account_of(_field(fields, "trainer")))
        if line is not None:
            line.committed = True
        done = sum(t.committed for t in self.report.trainers.values())
        total = len(self.report.trainers)
        if done == total:
            self.board.done(Step.COMMITS, f"{done}/{total} committed")
            self.board.start(Step.REVEALS, "waiting for the reveal phase")
        else:
            self.board.note(Step.COMMITS, f"{done}/{total} committed")

    def _revealed(self, fields: Any, _block: int) -> None:
        if not self._round(fields):
            return
        who = account_of(_field(fields, "trainer"))
        line = self.report.trainers.get(who)
        if line is not None:
            line.revealed_cid = bytes(_field(fields, "cid"))
        if who not in self.report.reveal_order:
            self.report.reveal_order.append(who)
        self.board.done(Step.COMMITS)
        committed = sum(t.committed for t in self.report.trainers.values())
        done = len(self.report.reveal_order)
        if done >= committed:
            self.board.done(Step.REVEALS, f"{done}/{len(self.report.trainers)} revealed")
            self.board.start(Step.SCORES, "scorers at work")
        else:
            self.board.note(Step.REVEALS, f"{done}/{committed} revealed")

    def _scores_submitted(self, fields: Any, _block: int) -> None:
        if self._round(fields):
            self.board.done(Step.COMMITS)
            self.board.done(Step.REVEALS)
            self.report.scores.setdefault(account_of(_field(fields, "scorer")), [])
            self._progress_scores()

    def _progress_scores(self) -> None:
        done = len(self.report.scores)
        total = len(self.report.scorers)
        if total and done >= total:
            self.board.done(Step.SCORES, f"{done}/{total} scorers submitted")
            self.board.start(Step.VERDICTS, "waiting for the score deadline")
        else:
            self.board.note(Step.SCORES, f"{done}/{total} scorers submitted")

    def _slash_pending(self, fields: Any, _block: int) -> None:
        if not self._round(fields):
            return
        line = self.report.trainers.get(account_of(_field(fields, "trainer")))
        if line is not None:
            line.pending_slash += int(_field(fields, "amount"))
            if not bool(_field(fields, "outlier")):
                line.verdict = line.verdict or "missed a deadline"

    def _aggregated(self, fields: Any, block: int) -> None:
        if not self._round(fields):
            return
        report = self.report
        report.outcome = variant_name(_field(fields, "outcome"))
        report.improvement = int(_field(fields, "improvement"))
        accepted = {account_of(a) for a in _field(fields, "accepted")}
        outliers = {account_of(a) for a in _field(fields, "outliers")}
        for who, line in report.trainers.items():
            if who in accepted:
                line.verdict = "accepted"
            elif who in outliers:
                line.verdict = "outlier"
            elif line.verdict is None:
                line.verdict = "not revealed" if line.revealed_cid is None else "not accepted"
        self._tally(Step.COMMITS, sum(t.committed for t in report.trainers.values()), "committed")
        self._tally(Step.REVEALS, len(report.reveal_order), "revealed")
        self._tally(Step.SCORES, len(report.scores), "scorers submitted", len(report.scorers))
        text = (
            f"{report.outcome} at #{block}: {len(accepted)} accepted, {len(outliers)} outliers, "
            f"improvement {report.improvement / 1e6:+.4f} nats"
        )
        if report.outcome == "Accepted":
            self.board.done(Step.VERDICTS, text)
            self.board.start(Step.PAYOUT, "dispute window: slashes pending")
        else:
            self.board.fail(Step.VERDICTS, text)

    def _tally(self, step: Step, done: int, what: str, total: int | None = None) -> None:
        """End `step` with its final count: done if any, failed if none."""
        total = len(self.report.trainers) if total is None else total
        if done:
            self.board.done(step, f"{done}/{total} {what}")
        else:
            self.board.fail(step, f"0/{total} {what}")

    def _scorer_rewarded(self, fields: Any, _block: int) -> None:
        if self._round(fields):
            who = account_of(_field(fields, "scorer"))
            amount = int(_field(fields, "amount"))
            self.report.scorer_rewards[who] = self.report.scorer_rewards.get(who, 0) + amount

    def _slash_applied(self, fields: Any, _block: int) -> None:
        if not self._round(fields):
            return
        line = self.report.trainers.get(account_of(_field(fields, "trainer")))
        if line is not None:
            line.slashed += int(_field(fields, "amount"))

    def _slash_cancelled(self, fields: Any, _block: int) -> None:
        if not self._round(fields):
            return
        line = self.report.trainers.get(account_of(_field(fields, "trainer")))
        if line is not None:
            line.pending_slash = 0

    def _trainer_rewarded(self, fields: Any, _block: int) -> None:
        if not self._round(fields):
            return
        line = self.report.trainers.get(account_of(_field(fields, "trainer")))
        if line is not None:
            line.reward += int(_field(fields, "amount"))

    def _version(self, fields: Any, _block: int) -> None:
        if not self._round(fields):
            return
        self.report.version = int(_field(fields, "version"))
        self.report.version_loss = int(_field(fields, "held_out_loss"))

    def _closed(self, fields: Any, block: int) -> None:
        if not self._round(fields):
            return
        report = self.report
        report.closed = True
        report.paid = int(_field(fields, "paid"))
        report.to_treasury = int(_field(fields, "to_treasury"))
        outcome = variant_name(_field(fields, "outcome"))
        report.outcome = report.outcome or outcome
        slashed = sum(t.slashed for t in report.trainers.values())
        text = (
            f"closed at #{block}: paid {report.paid}, slashed {slashed}, "
            f"version {report.version if report.version is not None else '-'}"
        )
        if report.version is not None:
            self.board.done(Step.PAYOUT, text)
        else:
            self.board.fail(Step.PAYOUT, text + " (no new version)")

    # --- Licences (where the runtime has them) ------------------------------------------------

    def _ciphertext(self, fields: Any, block: int) -> None:
        if self.report.version is not None and int(_field(fields, "version")) == (
            self.report.version
        ):
            self.report.ciphertext_registered = True
            self.report.licence_events.append(f"CiphertextRegistered #{block}")
            self.board.done(
                Step.KEEPERS, f"ciphertext of version {self.report.version} at #{block}"
            )

    def _granted(self, fields: Any, block: int) -> None:
        if self.report.purchase_id is not None and int(_field(fields, "purchase_id")) == (
            self.report.purchase_id
        ):
            self.report.licence_granted = True
            self.report.licence_events.append(f"LicenceGranted #{block}")
            self.board.done(Step.LICENCE, f"licence granted at #{block}")

    def _expired(self, fields: Any, block: int) -> None:
        if self.report.purchase_id is not None and int(_field(fields, "purchase_id")) == (
            self.report.purchase_id
        ):
            self.report.licence_events.append(f"PurchaseExpired #{block}")
            self.board.fail(Step.LICENCE, f"purchase expired at #{block}: keepers silent")


Handler = Callable[[RoundTracker, Any, int], None]
"""How an event is applied: tracker, event fields, block number."""


def _decided(outcome: str) -> Handler:
    def handle(tracker: RoundTracker, fields: Any, block: int) -> None:
        tracker._decide(outcome, fields, block)

    return handle


_HANDLERS: dict[tuple[str, str], Handler] = {
    ("Informants", "Voted"): RoundTracker._voted,
    ("Informants", "BatchAccepted"): _decided("Accepted"),
    ("Informants", "BatchRejected"): _decided("Rejected"),
    ("Informants", "BatchExpired"): _decided("Expired"),
    ("Informants", "InformantRewarded"): RoundTracker._informant_rewarded,
    ("Training", "RoundOpened"): RoundTracker._opened,
    ("Training", "Committed"): RoundTracker._committed,
    ("Training", "Revealed"): RoundTracker._revealed,
    ("Training", "ScoresSubmitted"): RoundTracker._scores_submitted,
    ("Training", "SlashPending"): RoundTracker._slash_pending,
    ("Training", "RoundAggregated"): RoundTracker._aggregated,
    ("Training", "ScorerRewarded"): RoundTracker._scorer_rewarded,
    ("Training", "SlashApplied"): RoundTracker._slash_applied,
    ("Training", "SlashCancelled"): RoundTracker._slash_cancelled,
    ("Training", "TrainerRewarded"): RoundTracker._trainer_rewarded,
    ("Training", "VersionRecorded"): RoundTracker._version,
    ("Training", "RoundClosed"): RoundTracker._closed,
    ("Licences", "CiphertextRegistered"): RoundTracker._ciphertext,
    ("Licences", "LicenceGranted"): RoundTracker._granted,
    ("Licences", "PurchaseExpired"): RoundTracker._expired,
}
"""(pallet, event) -> handler."""
