"""The devnet's final summary: one JSON document (``--json``) and the same as rich tables.

`summary_json` names every account by its devnet name and SS58 address, lists every step with
its state and duration, the batch's votes, each drawn trainer's commit, reveal, scores (one
vector per scorer, in the runtime's statistics order), verdict, slash and reward, the scorers'
rewards, the new version and its parent's held-out loss, the licence steps, the checks and the
exit code. Tests compare it with the chain through substrate-interface.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from deepshard.client.devnet.runner import Outcome
from deepshard.client.devnet.state import DevnetState, Role
from deepshard.client.devnet.steps import StepRecord, StepState
from deepshard.client.devnet.tracker import RoundReport
from deepshard.primitives.crypto import ss58_encode

__all__ = ["Names", "print_summary", "render_round", "render_steps", "summary_json"]

_STYLE = {
    StepState.PENDING: "dim",
    StepState.RUNNING: "yellow",
    StepState.DONE: "green",
    StepState.SKIPPED: "dim cyan",
    StepState.FAILED: "bold red",
}
_MARK = {
    StepState.PENDING: "·",
    StepState.RUNNING: "…",
    StepState.DONE: "✔",
    StepState.SKIPPED: "-",
    StepState.FAILED: "✘",
}


class Names:
    """Account id -> the devnet's name for it, and its role."""

    def __init__(self, state: DevnetState | None) -> None:
        self._names: dict[bytes, str] = {}
        self._roles: dict[bytes, str] = {}
        for key in state.accounts if state is not None else ():
            public = key.keypair().public_key
            self._names[public] = key.name
            self._roles[public] = str(key.role)

    def name(self, account: bytes) -> str:
        """Its devnet name, or its SS58 address."""
        return self._names.get(account) or ss58_encode(account, 42)

    def role(self, account: bytes) -> str:
        """Its role, or ``other``."""
        return self._roles.get(account, "other")


def _step_json(record: StepRecord) -> dict[str, Any]:
    seconds = record.seconds
    return {
        "step": record.info.step.value,
        "title": record.info.title,
        "state": record.state.value,
        "detail": record.detail,
        "started": None if record.started is None else round(record.started, 1),
        "seconds": None if seconds is None else round(seconds, 1),
    }


def summary_json(outcome: Outcome) -> dict[str, Any]:
    """The summary as one JSON document (module docs)."""
    report = outcome.tracker.report
    board = outcome.board
    names = Names(outcome.state)
    trainers = []
    for who, line in report.trainers.items():
        trainers.append(
            {
                "name": names.name(who),
                "address": ss58_encode(who, 42),
                "role": names.role(who),
                "committed": line.committed,
                "revealedCid": None
                if line.revealed_cid is None
                else "0x" + line.revealed_cid.hex(),
                "scores": {
                    names.name(scorer): row for scorer, row in report.scorer_rows(who).items()
                },
                "verdict": line.verdict,
                "slashed": line.slashed,
                "reward": line.reward,
            }
        )
    accounts = []
    if outcome.state is not None:
        accounts = [
            {"name": a.name, "role": str(a.role), "address": a.address}
            for a in outcome.state.accounts
        ]
    batch = None
    if report.batch_id is not None:
        batch = {
            "id": report.batch_id,
            "cid": None
            if outcome.state is None or outcome.state.batch is None
            else outcome.state.batch.cid,
            "outcome": report.batch_outcome,
            "value": report.batch_value,
            "informantReward": report.informant_reward,
            "votes": [
                {"curator": names.name(c), "address": ss58_encode(c, 42), "aye": aye}
                for c, aye in report.votes.items()
            ],
        }
    round_ = None
    if report.round_id is not None:
        round_ = {
            "id": report.round_id,
            "parentVersion": report.parent_version,
            "shard": report.shard,
            "outcome": report.outcome,
            "improvement": report.improvement,
            "closed": report.closed,
            "paid": report.paid,
            "toTreasury": report.to_treasury,
            "trainers": trainers,
            "scorers": [
                {
                    "name": names.name(s),
                    "address": ss58_encode(s, 42),
                    "submitted": s in report.scores,
                    "reward": report.scorer_rewards.get(s, 0),
                }
                for s in report.scorers
            ],
        }
    version = None
    if report.version is not None:
        version = {
            "id": report.version,
            "parent": report.parent_version,
            "heldOutLoss": report.version_loss,
            "parentHeldOutLoss": report.parent_loss,
        }
    return {
        "ok": outcome.code == 0,
        "exitCode": int(outcome.code),
        "reason": outcome.reason,
        "resumed": outcome.resumed,
        "seconds": round(board.elapsed(), 1),
        "genesisHash": outcome.genesis_hash,
        "finalized": outcome.finalized,
        "topology": None
        if outcome.state is None
        else {
            "validators": outcome.state.topology.validators,
            "curators": outcome.state.topology.curators,
            "trainers": outcome.state.topology.trainers,
            "poisoners": outcome.state.topology.poisoners,
            "scorers": outcome.state.topology.scorers,
            "keepers": outcome.state.topology.keepers,
        },
        "endpoints": None if outcome.endpoints is None else outcome.endpoints.as_json(),
        "accounts": accounts,
        "steps": [_step_json(r) for r in board],
        "batch": batch,
        "round": round_,
        "version": version,
        "licence": {
            "ciphertextRegistered": report.ciphertext_registered,
            "purchaseId": report.purchase_id,
            "granted": report.licence_granted,
            "prompt": report.prompt,
            "generated": report.generated,
            "events": list(report.licence_events),
        },
        "checks": dict(outcome.checks),
    }


def render_steps(records: list[StepRecord]) -> Table:
    """The steps as a table: mark, step, detail, seconds."""
    table = Table(title="Deepshard devnet", title_justify="left", expand=False, box=None)
    table.add_column("", width=1)
    table.add_column("step", style="bold")
    table.add_column("what", overflow="fold")
    table.add_column("s", justify="right")
    for record in records:
        style = _STYLE[record.state]
        seconds = record.seconds
        table.add_row(
            Text(_MARK[record.state], style=style),
            Text(record.info.step.value, style=style),
            Text(record.detail or record.info.title, style="" if record.detail else "dim"),
            "" if seconds is None else f"{seconds:.0f}",
        )
    return table


def _dsh(amount: int) -> str:
    return f"{amount / 10**12:,.2f}" if amount else "-"


def render_round(report: RoundReport, names: Names) -> RenderableType:
    """The round as tables: votes, then one row per drawn trainer."""
    parts: list[RenderableType] = []
    if report.votes:
        votes = ", ".join(
            f"{names.name(c)} {'aye' if aye else 'nay'}" for c, aye in report.votes.items()
        )
        parts.append(Text(f"batch {report.batch_id} votes: {votes}"))
    if report.trainers:
        table = Table(title=f"round {report.round_id}", title_justify="left", box=None)
        for column in ("trainer", "commit", "reveal", "held-out loss by scorer", "verdict"):
            table.add_column(column)
        table.add_column("slashed", justify="right")
        table.add_column("reward", justify="right")
        for who, line in report.trainers.items():
            losses = [f"{row[0] / 1e6:.4f}" for row in report.scorer_rows(who).values() if row]
            poisoner = names.role(who) == Role.POISONER
            verdict_style = {"accepted": "green", "outlier": "bold red"}.get(line.verdict or "", "")
            table.add_row(
                Text(names.name(who), style="magenta" if poisoner else ""),
                "✔" if line.committed else "·",
                "✔" if line.revealed_cid else "·",
                " ".join(losses) or "·",
                Text(line.verdict or "·", style=verdict_style),
                _dsh(line.slashed or line.pending_slash),
                _dsh(line.reward),
            )
        parts.append(table)
    if report.version is not None:
        parent = "?" if report.parent_loss is None else f"{report.parent_loss / 1e6:.4f}"
        loss = "?" if report.version_loss is None else f"{report.version_loss / 1e6:.4f}"
        parts.append(Text(f"new version {report.version}: held-out loss {loss} (parent {parent})"))
    if report.generated is not None:
        said = Text(f"licensed model (version {report.version}): ")
        said.append(report.prompt or "", style="bold")
        said.append(report.generated, style="cyan")
        parts.append(said)
    return Group(*parts)


def print_summary(console: Console, outcome: Outcome) -> None:
    """Print the summary for people."""
    console.print(render_steps(list(outcome.board)))
    console.print(render_round(outcome.tracker.report, Names(outcome.state)))
    for name, ok in outcome.checks.items():
        console.print(Text(f"{'✔' if ok else '✘'} {name}", style="green" if ok else "bold red"))
    style = "bold green" if outcome.code == 0 else "bold red"
    console.print(Text(f"{outcome.reason} (exit {int(outcome.code)})", style=style))
