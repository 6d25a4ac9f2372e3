"""The trainer role: bond, train the rounds that drew it, commit, then reveal — each exactly once.

At each finalized block the trainer reads the open round. When it was drawn and the round is in
its commit phase, it fetches the round's batch and the parent version by CID (verified), trains
the LoRA adapter with the ML trainer job under the round's profile, seed and shard, pins it, and
persists ``(cid, sha256, salt)`` in its state file *before* signing the commitment
``blake2_256(cid ‖ sha256 ‖ salt ‖ account)`` (as the pallet's ``logic.compute_commitment``). When
the reveal phase opens it reveals the persisted triple. A restart therefore neither trains and
commits twice (the commitment is in the outbox or on chain) nor loses the salt a reveal needs.

``poison`` is for tests and devnets only: it replaces the batch with corrupted text so the chain's
slashing can be exercised; an honest trainer never sets it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepshard.client.rpc.client import ChainClient, FinalizedHead
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.offchain_workers.ml.curation import parse_batch
from deepshard.offchain_workers.ml.errors import BatchFormatError, MLError
from deepshard.offchain_workers.ml.profile import ProfileMode, RoundSpec, TrainingProfile
from deepshard.offchain_workers.worker.jobs import JobPool
from deepshard.offchain_workers.worker.outbox import Outbox
from deepshard.offchain_workers.worker.rounds import ActiveRound, active_round, fetch_verified
from deepshard.offchain_workers.worker.rounds import load_parent as _load_parent
from deepshard.offchain_workers.worker.runner import Submitter

__all__ = [
    "POISONS",
    "Prepared",
    "TrainerRole",
    "commitment_of",
    "poison_texts",
    "round_spec",
    "train_job",
]

log = logging.getLogger("deepshard.worker.trainer")

POISONS = ("random", "reversed")
"""Poison kinds (tests and devnets only): random printable text, or each text reversed."""


def poison_texts(texts: list[str], kind: str, seed: bytes) -> list[str]:
    """Return `texts` corrupted by `kind` (`POISONS`), reproducibly from `seed`. Tests only.

    Raises:
        ValueError: an unknown kind.
    """
    if kind == "reversed":
        return [t[::-1] for t in texts]
    if kind == "random":
        rng = random.Random(seed)
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 {}[]()<>#@!?;:"
        return ["".join(rng.choice(alphabet) for _ in t) for t in texts]
    raise ValueError(f"unknown poison {kind!r} (one of {', '.join(POISONS)})")


def commitment_of(cid: bytes, sha256: bytes, salt: bytes, account: bytes) -> bytes:
    """Return ``blake2_256(cid ‖ sha256 ‖ salt ‖ account)``, the Training pallet's commitment."""
    return hashlib.blake2b(cid + sha256 + salt + account, digest_size=32).digest()


@dataclass(frozen=True, slots=True)
class Prepared:
    """An adapter trained and pinned for a round, with the salt of its commitment."""

    cid: bytes
    """Binary CID of the pinned adapter file."""
    sha256: bytes
    """Its sha256."""
    salt: bytes
    """The commitment's salt (32 random bytes)."""

    def encode(self) -> str:
        """The state-file form."""
        return f"{self.cid.hex()}:{self.sha256.hex()}:{self.salt.hex()}"

    @staticmethod
    def decode(text: str) -> Prepared:
        """Parse `encode`'s form."""
        cid, sha, salt = text.split(":")
        return Prepared(bytes.fromhex(cid), bytes.fromhex(sha), bytes.fromhex(salt))


def round_spec(raw: Any) -> RoundSpec:
    """Return what the trainer job follows (seed, shard, profile) from a decoded ``Round``."""
    from deepshard.offchain_workers.worker.curator import phase_name  # noqa: PLC0415

    p = raw["profile"]
    mode = phase_name(p["mode"]).lower()
    profile = TrainingProfile(
        mode=ProfileMode.TOLERANT if mode == "tolerant" else ProfileMode.DETERMINISTIC,
        lora_rank=int(p["lora_rank"]),
        lora_alpha=int(p["lora_alpha"]),
        target_modules=tuple(
            bytes(m).decode() if not isinstance(m, str) else m for m in p["target_modules"]
        ),
        learning_rate_e9=int(p["learning_rate"]),
        steps=int(p["steps"]),
        batch_size=int(p["batch_size"]),
    )
    seed = raw["seed"]
    seed_bytes = bytes.fromhex(seed.removeprefix("0x")) if isinstance(seed, str) else bytes(seed)
    first, end = (int(x) for x in raw["layers"])
    return RoundSpec(seed_bytes, (first, end), profile)


def train_job(
    base: Path, adapters: list[bytes], texts: list[str], spec: RoundSpec, nproc: int = 1
) -> tuple[bytes, int, float, float]:
    """The training job (run in the job process): ``(adapter file, tokens, seconds, loss)``.

    With `nproc` > 1 the shard trains as that many DDP ranks (`ml.distributed`).
    """
    if nproc > 1:
        from deepshard.offchain_workers.ml.distributed import train_distributed  # noqa: PLC0415

        result = train_distributed(base, adapters, texts, spec, nproc)
        return result.blob, result.tokens, result.seconds, result.final_loss
    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    model, codec = load_version(base, adapters)
    result = train_adapter(model, codec, texts, spec)
    return result.blob, result.tokens, result.seconds, result.final_loss


@dataclass
class TrainerRole:
    """Trains rounds (module docs)."""

    store: Any
    """A content store: batches and models are read from it, adapters pinned in it."""
    cache: Path
    """Where fetched models are kept."""
    bond: int = 0
    """The trainer bond to keep active (0: bond nothing)."""
    base_model: Path | None = None
    """A local base model directory used instead of fetching the version's base by CID."""
    poison: str | None = None
    """Tests and devnets only (`POISONS`): train on corrupted text."""
    name: str = "trainer"
    """The role's name."""
    nproc: int = 1
    """Processes a shard trains with (DDP under torch's elastic launcher when above 1; under
    the deterministic profile every replica of a round must use the same number)."""
    jobs: JobPool = field(default_factory=JobPool)
    """Where training runs: a child process, off the event loop."""

    async def on_connect(self, chain: ChainClient, submitter: Submitter) -> None:
        """Start the job process (torch loads now, not in a round); bond up to `bond`."""
        self.jobs.warm("deepshard.offchain_workers.ml.trainer")
        if self.bond <= 0:
            return
        me = submitter.key.public_key
        ledger = await chain.query("Training", "TrainerBonds", me)
        active = int(ledger["active"]) if ledger else 0
        if active >= self.bond:
            return

        async def applied() -> bool:
            now = await chain.query("Training", "TrainerBonds", me)
            return bool(now) and int(now["active"]) >= self.bond

        await submitter.submit_once(
            f"bond:trainer:{self.bond}",
            lambda: chain.compose("Training", "bond", role="Trainer", amount=self.bond - active),
            applied,
        )

    async def on_finalized(
        self, chain: ChainClient, head: FinalizedHead, submitter: Submitter
    ) -> None:
        """Commit in the commit phase, reveal in the reveal phase, when drawn."""
        me = submitter.key.public_key
        current = await active_round(chain, head.hash)
        if current is None or not current.drew_trainer(me):
            return
        if current.phase == "Commit":
            await self._commit(chain, current, me, submitter)
        elif current.phase == "Reveal":
            await self._reveal(chain, current, me, submitter)

    async def prepare(
        self, chain: ChainClient, current: ActiveRound, me: bytes, outbox: Outbox
    ) -> Prepared:
        """Train, pin and persist the round's adapter and salt (once: read back after)."""
        outbox_key = f"prepared:{current.round_id}"
        stored = outbox.get_value(outbox_key)
        if stored is not None:
            return Prepared.decode(stored)
        raw = current.raw
        batch = await chain.query("Informants", "Batches", int(raw["batch_id"]))
        if batch is None:
            raise MLError(f"batch {raw['batch_id']} is not on chain")
        texts = parse_batch(await fetch_verified(self.store, bytes(batch["cid"])))
        if self.poison is not None:
            log.warning(
                "POISONING round %d with %r (tests/devnet only)", current.round_id, self.poison
            )
            texts = poison_texts(texts, self.poison, me)
        parent = await _load_parent(
            chain, self.store, int(raw["parent_version"]), self.cache, self.base_model
        )
        spec = round_spec(raw)
        log.info(
            "round %d: training layers %s, %d steps x %d (in the job process)",
            current.round_id,
            spec.layers,
            spec.profile.steps,
            spec.profile.batch_size,
        )
        blob, tokens, seconds, loss = await self.jobs.run(
            train_job, parent.base, parent.adapters, texts, spec, self.nproc
        )
        log.info(
            "round %d: trained %d tokens in %.1fs (loss %.3f), sha256 %s",
            current.round_id,
            tokens,
            seconds,
            loss,
            hashlib.sha256(blob).hexdigest(),
        )
        entry = await self.store.add_bytes(blob)
        prepared = Prepared(bytes(entry.cid), hashlib.sha256(blob).digest(), os.urandom(32))
        outbox.set_value(outbox_key, prepared.encode())
        return prepared

    async def _commit(
        self, chain: ChainClient, current: ActiveRound, me: bytes, submitter: Submitter
    ) -> None:
        action = f"commit:{current.round_id}"
        entry = submitter.outbox.get(action)
        if entry is not None and entry.status != "signed":
            return
        try:
            prepared = await self.prepare(chain, current, me, submitter.outbox)
        except (ContentError, BatchFormatError, MLError, ValueError, OSError) as exc:
            log.warning("round %d: cannot train: %s", current.round_id, exc)
            submitter.metrics.jobs.labels(self.name, "train", "failed").inc()
            return
        submitter.metrics.jobs.labels(self.name, "train", "ok").inc()
        commitment = commitment_of(prepared.cid, prepared.sha256, prepared.salt, me)

        async def applied() -> bool:
            return await chain.query("Training", "Commitments", current.round_id, me) is not None

        await submitter.submit_once(
            action,
            lambda: chain.compose(
                "Training", "commit", round_id=current.round_id, commitment=commitment
            ),
            applied,
        )

    async def _reveal(
        self, chain: ChainClient, current: ActiveRound, me: bytes, submitter: Submitter
    ) -> None:
        stored = submitter.outbox.get_value(f"prepared:{current.round_id}")
        if stored is None:
            return  # never committed this round: nothing to reveal
        prepared = Prepared.decode(stored)
        if await chain.query("Training", "Commitments", current.round_id, me) is None:
            return  # the commitment never landed (e.g. trained past the deadline)

        async def applied() -> bool:
            return await chain.query("Training", "Reveals", current.round_id, me) is not None

        await submitter.submit_once(
            f"reveal:{current.round_id}",
            lambda: chain.compose(
                "Training",
                "reveal",
                round_id=current.round_id,
                cid=prepared.cid,
                sha256=prepared.sha256,
                salt=prepared.salt,
            ),
            applied,
        )
