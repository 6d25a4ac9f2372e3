"""The curator role: bond, fetch every open batch by CID, judge it, vote once.

At each finalized block the curator reads the Informants pallet's batches at that block. Batches
*accepted* since it last looked are fetched and added to its `AcceptedIndex` (so later batches
are compared with them); each batch still *voting* that it has not voted on is fetched from the
content store (every block verified against the CID, size bounded), judged
(`ml.curation.judge_batch`) and voted on with the five criteria. A batch that cannot be fetched
or parsed gets a nay with zero scores: an informant cannot stall curators with bad content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from deepshard.client.rpc.client import ChainClient, FinalizedHead
from deepshard.offchain_workers.content.cids import cid_from_bytes
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.offchain_workers.content.store import Bounds
from deepshard.offchain_workers.ml.curation import AcceptedIndex, Limits, judge_batch, parse_batch
from deepshard.offchain_workers.ml.errors import BatchFormatError
from deepshard.offchain_workers.worker.runner import Submitter

__all__ = ["CuratorRole", "phase_name"]

log = logging.getLogger("deepshard.worker.curator")


def phase_name(value: Any) -> str:
    """Return an enum value's variant name, however the codec renders a field-less variant."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value)))
    return str(value)


@dataclass
class CuratorRole:
    """Curates batches (module docs)."""

    store: Any
    """A content store (`ContentStore`): the batches are read from it by CID."""
    bond: int = 0
    """The curator bond to keep active (0: bond nothing, the account must already be bonded)."""
    limits: Limits = field(default_factory=Limits)
    """Format limits and vote thresholds."""
    name: str = "curator"
    """The role's name."""
    index: AcceptedIndex = field(init=False)
    _indexed: set[int] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.index = AcceptedIndex(self.limits)

    async def _fetch(self, raw_cid: bytes) -> bytes:
        cid = cid_from_bytes(bytes(raw_cid))
        bounds = Bounds(max_bytes=self.limits.max_bytes + 1)
        parts = [piece async for piece in self.store.cat(cid, bounds=bounds)]
        return b"".join(parts)

    async def on_connect(self, chain: ChainClient, submitter: Submitter) -> None:
        """Bond up to `bond` when the active bond is below it."""
        if self.bond <= 0:
            return
        me = submitter.key.public_key
        ledger = await chain.query("Informants", "Curators", me)
        active = int(ledger["active"]) if ledger else 0
        if active >= self.bond:
            return

        async def applied() -> bool:
            now = await chain.query("Informants", "Curators", me)
            return bool(now) and int(now["active"]) >= self.bond

        await submitter.submit_once(
            f"bond:{self.bond}",
            lambda: chain.compose("Informants", "bond_curator", amount=self.bond - active),
            applied,
        )

    async def on_finalized(
        self, chain: ChainClient, head: FinalizedHead, submitter: Submitter
    ) -> None:
        """Index newly accepted batches; vote on open ones not yet voted on."""
        me = submitter.key.public_key
        async for keys, batch in chain.iter_storage("Informants", "Batches", at=head.hash):
            if keys is None or batch is None:
                continue
            batch_id = int(keys[0])
            phase = phase_name(batch["phase"])
            if phase == "Accepted" and batch_id not in self._indexed:
                try:
                    self.index.add(parse_batch(await self._fetch(batch["cid"]), self.limits))
                except (ContentError, BatchFormatError, ValueError) as exc:
                    log.warning("accepted batch %d unreadable: %s", batch_id, exc)
                self._indexed.add(batch_id)
            elif phase == "Voting" and int(batch["voting_ends"]) > head.number:
                await self._vote(chain, batch_id, batch, me, submitter)

    async def _vote(
        self, chain: ChainClient, batch_id: int, batch: Any, me: bytes, submitter: Submitter
    ) -> None:
        action = f"vote:{batch_id}"
        entry = submitter.outbox.get(action)
        if entry is not None and entry.status != "signed":
            return
        scores = (0, 0, 0, 0, 0)
        aye = False
        if entry is None:
            try:
                judgement = judge_batch(
                    parse_batch(await self._fetch(batch["cid"]), self.limits), self.index
                )
                aye, scores = judgement.aye, judgement.criteria()
                log.info(
                    "batch %d: %s %s %s",
                    batch_id,
                    "aye" if aye else "nay",
                    scores,
                    "; ".join(judgement.reasons),
                )
                submitter.metrics.jobs.labels(self.name, "judge", "ok").inc()
            except (ContentError, BatchFormatError, ValueError) as exc:
                log.warning("batch %d rejected: %s", batch_id, exc)
                submitter.metrics.jobs.labels(self.name, "judge", "bad_batch").inc()
        names = ("novelty", "reproducibility", "alignment", "truthfulness", "objectivity")
        criteria = dict(zip(names, scores, strict=True))

        async def applied() -> bool:
            return await chain.query("Informants", "Votes", batch_id, me) is not None

        await submitter.submit_once(
            action,
            lambda: chain.compose(
                "Informants", "vote", batch_id=batch_id, aye=aye, scores=criteria
            ),
            applied,
        )
