"""The scorer role: bond, score every revealed adapter of the rounds that drew it, submit once.

When a round that drew this scorer is in its score phase, the scorer fetches the parent version,
the round's held-out probe set (``Training.ProbeSetCid``), the batch (its probes) and every
revealed adapter — in the round's reveal order, each checked against the revealed sha256 — and
runs the ML scorer job. The vector is laid out as the runtime's ``Training.Statistics`` constant
declares, quantised x10^6. An adapter that cannot be fetched or does not fit the model gets the
worst value of every statistic, so a trainer cannot stall scoring with a bad reveal. The
computed matrix is persisted before signing, so a restart submits the same scores, once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepshard.client.rpc.client import ChainClient, FinalizedHead
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.offchain_workers.ml.curation import parse_batch
from deepshard.offchain_workers.ml.errors import BatchFormatError, MLError
from deepshard.offchain_workers.worker.jobs import JobPool
from deepshard.offchain_workers.worker.outbox import Outbox
from deepshard.offchain_workers.worker.rounds import (
    ActiveRound,
    account_bytes,
    active_round,
    fetch_verified,
    load_parent,
)
from deepshard.offchain_workers.worker.runner import Submitter

__all__ = ["WORST", "ScorerRole", "layout_of", "score_job"]

log = logging.getLogger("deepshard.worker.scorer")

WORST = 10**12
"""Magnitude (x10^6) of the worst value given to an adapter that cannot be scored."""


def layout_of(constant: Any) -> list[tuple[str, bool]]:
    """Return ``(name, higher_is_better)`` per statistic of a decoded ``Statistics`` constant."""
    out = []
    for spec in constant:
        name = spec["name"]
        if isinstance(name, str) and name.startswith("0x"):
            name = bytes.fromhex(name[2:]).decode()
        elif not isinstance(name, str):
            name = bytes(name).decode()
        out.append((name, bool(spec["higher_is_better"])))
    return out


def score_job(  # noqa: PLR0917 - the job's inputs
    base: Path,
    parents: list[bytes],
    adapters: list[bytes | None],
    held_out: list[str],
    probes: list[str],
    layout: list[tuple[str, bool]],
) -> list[list[int]]:
    """The scoring job (run in the job process): one quantised row per adapter (module docs).

    The usable adapters are scored together (their weight distances are to one another); one
    that is missing (None), does not decode or does not fit the parent gets the worst row.
    """
    import torch  # noqa: PLC0415

    from deepshard.offchain_workers.ml.adapters import (  # noqa: PLC0415
        decode_adapter,
        load_version,
        merge_adapter,
    )
    from deepshard.offchain_workers.ml.errors import AdapterFormatError  # noqa: PLC0415
    from deepshard.offchain_workers.ml.scorer import score_adapters  # noqa: PLC0415

    # One thread: scorers' figures do not depend on their core counts, and several jobs on a
    # busy machine do not oversubscribe the cores (spinning OpenMP threads stall each other).
    torch.set_num_threads(1)
    parent, codec = load_version(base, parents)
    work, _ = load_version(base, parents)
    original = {k: v.clone() for k, v in work.state_dict().items()}
    usable: list[int] = []
    for index, blob in enumerate(adapters):
        if blob is None:
            continue
        try:
            merge_adapter(work, decode_adapter(blob))
            usable.append(index)
        except (AdapterFormatError, MLError, RuntimeError) as exc:
            log.warning("adapter %d unusable: %s", index, exc)
        finally:
            work.load_state_dict(original)
    names = [name for name, _ in layout]
    scored = score_adapters(
        parent,
        work,
        codec,
        [adapters[i] or b"" for i in usable],
        held_out=held_out,
        probes=probes,
    )
    by_index = dict(zip(usable, (s.quantised(names) for s in scored), strict=True))
    worst = [-WORST if higher else WORST for _, higher in layout]
    return [by_index.get(i, list(worst)) for i in range(len(adapters))]


@dataclass
class ScorerRole:
    """Scores rounds (module docs)."""

    store: Any
    """A content store: probes, batches, models and adapters are read from it."""
    cache: Path
    """Where fetched models are kept."""
    bond: int = 0
    """The scorer bond to keep active (0: bond nothing)."""
    base_model: Path | None = None
    """A local base model directory used instead of fetching the version's base by CID."""
    name: str = "scorer"
    """The role's name."""
    jobs: JobPool = field(default_factory=JobPool)
    """Where scoring runs: a child process, off the event loop."""

    async def on_connect(self, chain: ChainClient, submitter: Submitter) -> None:
        """Start the job process (torch loads now, not in a round); bond up to `bond`."""
        self.jobs.warm("deepshard.offchain_workers.ml.scorer")
        if self.bond <= 0:
            return
        me = submitter.key.public_key
        ledger = await chain.query("Training", "ScorerBonds", me)
        active = int(ledger["active"]) if ledger else 0
        if active >= self.bond:
            return

        async def applied() -> bool:
            now = await chain.query("Training", "ScorerBonds", me)
            return bool(now) and int(now["active"]) >= self.bond

        await submitter.submit_once(
            f"bond:scorer:{self.bond}",
            lambda: chain.compose("Training", "bond", role="Scorer", amount=self.bond - active),
            applied,
        )

    async def on_finalized(
        self, chain: ChainClient, head: FinalizedHead, submitter: Submitter
    ) -> None:
        """Score and submit once in the score phase of a round that drew this scorer."""
        me = submitter.key.public_key
        current = await active_round(chain, head.hash)
        if current is None or current.phase != "Score" or not current.drew_scorer(me):
            return
        action = f"scores:{current.round_id}"
        entry = submitter.outbox.get(action)
        if entry is not None and entry.status != "signed":
            return
        try:
            matrix = await self.matrix(chain, current, submitter.outbox)
        except (ContentError, BatchFormatError, MLError, OSError) as exc:
            log.warning("round %d: cannot score: %s", current.round_id, exc)
            submitter.metrics.jobs.labels(self.name, "score", "failed").inc()
            return
        submitter.metrics.jobs.labels(self.name, "score", "ok").inc()

        async def applied() -> bool:
            return await chain.query("Training", "Scores", current.round_id, me) is not None

        await submitter.submit_once(
            action,
            lambda: chain.compose(
                "Training", "submit_scores", round_id=current.round_id, scores=matrix
            ),
            applied,
        )

    async def matrix(
        self, chain: ChainClient, current: ActiveRound, outbox: Outbox
    ) -> list[list[int]]:
        """Return the round's score matrix (computed once, then read back from the state)."""
        key = f"matrix:{current.round_id}"
        stored = outbox.get_value(key)
        if stored is not None:
            return [list(map(int, row)) for row in json.loads(stored)]
        raw = current.raw
        layout = layout_of(chain.constant("Training", "Statistics"))
        held = parse_batch(
            await fetch_verified(self.store, bytes(await chain.query("Training", "ProbeSetCid")))
        )
        batch = await chain.query("Informants", "Batches", int(raw["batch_id"]))
        if batch is None:
            raise MLError(f"batch {raw['batch_id']} is not on chain")
        probes = parse_batch(await fetch_verified(self.store, bytes(batch["cid"])))
        parent = await load_parent(
            chain, self.store, int(raw["parent_version"]), self.cache, self.base_model
        )
        adapters: list[bytes | None] = []
        for who in current.revealed():
            reveal = await chain.query("Training", "Reveals", current.round_id, who)
            try:
                adapters.append(
                    await fetch_verified(
                        self.store, bytes(reveal["cid"]), account_bytes(reveal["sha256"])
                    )
                )
            except (ContentError, MLError, ValueError) as exc:
                log.warning(
                    "round %d: adapter of %s unusable: %s", current.round_id, who.hex(), exc
                )
                adapters.append(None)
        log.info(
            "round %d: scoring %d adapters (in the job process)", current.round_id, len(adapters)
        )
        rows = await self.jobs.run(
            score_job, parent.base, parent.adapters, adapters, held, probes, layout
        )
        outbox.set_value(key, json.dumps(rows))
        log.info("round %d scored: %s", current.round_id, rows)
        return rows
