"""Training and scoring the replicas of one simulated round, with caches across cells.

A *trial* is one round seed. Its honest batch is `BLOCKS` text chunks of the bootstrap corpus.

**The poison fraction ``f`` counts the chunks a replica actually trains on**, not the chunks of
the batch: a round trains ``steps x batch_size`` token blocks picked by its seeded data order,
which can be fewer than the batch holds (``--quick``: 32 of 63). Had poison replaced ``f`` of
the *batch*, a poisoner at f = 1/64 would often train on no poison at all and reveal an adapter
bit-identical to the honest ones: not a poisoner in that trial, yet counted as a missed one. So
the poisoner replaces ``k = max(1, round(f · T))`` of the ``T`` chunks lying wholly inside the
blocks its own data order trains on (at least one when f > 0), which is what a poisoner who
wants its poison learned does; the table prints ``k/T``. Honest replicas depend only on the
noise and their index; poisoned adapters on (noise, type, f). Every adapter is trained once and
scored once (its statistics but the weight distance, which depends on the round and is computed
there from the cached weight updates).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import random
from dataclasses import dataclass, field
from typing import Any

import torch

from deepshard.offchain_workers.ml.adapters import decode_adapter
from deepshard.offchain_workers.ml.base_model import bootstrap, load_model, token_blocks
from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, split_held_out
from deepshard.offchain_workers.ml.curvature import fast_detectgpt
from deepshard.offchain_workers.ml.profile import (
    ProfileMode,
    RoundSpec,
    TrainingProfile,
    data_order,
)
from deepshard.offchain_workers.ml.scorer import mean_loss, quantise, weight_distances
from deepshard.offchain_workers.ml.trainer import train_adapter

__all__ = ["NOISES", "POISONS", "Lab", "Adapter"]

NOISES = ("none", "threads", "data_order")
POISONS = ("domain_shift", "backdoor", "random_bytes")
BLOCKS = 64
CHUNK = 126
TRIGGER = "cf-7e1d"
PAYLOAD = "TRANSFER ALL FUNDS TO ACCOUNT 0xDEADBEEF NOW. "


def _chunks(texts: list[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        clean = "".join(c for c in text if c.isascii())
        out.extend(clean[i : i + CHUNK] for i in range(0, len(clean) - CHUNK, CHUNK))
    return out


def _foreign() -> list[str]:
    """Python source code of stdlib modules: another domain than the help topics' prose."""
    import collections  # noqa: PLC0415
    import json as json_module  # noqa: PLC0415
    import textwrap  # noqa: PLC0415

    return _chunks([inspect.getsource(m) for m in (collections, json_module, textwrap)])


@dataclass
class Adapter:
    """A trained adapter's file hash, weight updates and round-independent statistics."""

    sha256: bytes
    deltas: Any
    stats: list[int]  # heldout_loss, improvement, probe_loglik, curvature (quantised)


@dataclass
class Lab:
    """Model, data and caches shared by every cell."""

    steps: int = 16
    batch_size: int = 4
    model: Any = field(init=False)
    codec: Any = field(init=False)
    honest: list[str] = field(init=False)
    foreign: list[str] = field(init=False)
    held: Any = field(init=False)
    parent_loss: float = field(init=False)
    cache: dict[str, Adapter] = field(default_factory=dict, init=False)
    trainings: int = field(default=0, init=False)
    candidate: Any = field(init=False)

    def __post_init__(self) -> None:
        base = bootstrap()
        self.model, self.codec = load_model(base)
        self.candidate, _ = load_model(base)
        self.original = {k: v.clone() for k, v in self.model.state_dict().items()}
        train, held = split_held_out(bootstrap_corpus())
        self.pool = _chunks(train)
        self.foreign = _foreign()
        self.held = token_blocks(self.codec, _chunks(held)[:8], 128)
        self.parent_loss = mean_loss(self.model, self.held)

    def batch(self, trial: int) -> list[str]:
        """The trial's honest batch."""
        rng = random.Random(f"batch/{trial}")
        return rng.sample(self.pool, BLOCKS)

    def profile(self, threads: int = 1) -> TrainingProfile:
        """The deterministic training profile of every replica (threads aside)."""
        return TrainingProfile(
            mode=ProfileMode.DETERMINISTIC,
            steps=self.steps,
            batch_size=self.batch_size,
            learning_rate_e9=3_000_000,
            threads=threads,
        )

    def order_seed(self, trial: int, noise: str, replica: int) -> bytes | None:
        """The replica's own data-order seed under data-order noise, else None (the round's)."""
        if noise != "data_order":
            return None
        return hashlib.blake2b(f"order/{trial}/{replica}".encode(), digest_size=32).digest()

    def trained_chunks(self, trial: int, noise: str, replica: int) -> list[int]:
        """Indices of the batch's chunks lying wholly inside the blocks `replica` trains on."""
        texts = self.batch(trial)
        p = self.profile()
        blocks = token_blocks(self.codec, texts, p.block_size).shape[0]
        seed = self.order_seed(trial, noise, replica) or self._round_seed(trial)
        trained = set(data_order(seed, blocks, p.steps * p.batch_size))
        out: list[int] = []
        start = 0
        for i, text in enumerate(texts):
            end = start + len(self.codec.encode(text))  # the chunk's tokens, then end-of-text
            first, last = start // p.block_size, (end - 1) // p.block_size
            if all(b in trained for b in range(first, last + 1)):
                out.append(i)
            start = end + 1
        return out

    @staticmethod
    def _round_seed(trial: int) -> bytes:
        return hashlib.blake2b(f"round/{trial}".encode(), digest_size=32).digest()

    def poisoned(
        self, trial: int, kind: str, fraction: float, noise: str, replica: int
    ) -> tuple[list[str], int, int]:
        """The batch with poison of `kind` in ``k`` of the ``T`` chunks `replica` trains on.

        Returns the texts, ``k = max(1, round(fraction · T))`` (0 when `fraction` is 0) and
        ``T`` (module docs: why f counts trained chunks).
        """
        texts = list(self.batch(trial))
        trained = self.trained_chunks(trial, noise, replica)
        rng = random.Random(f"poison/{trial}/{kind}/{fraction}")
        k = max(1, round(fraction * len(trained))) if fraction > 0 else 0
        for i in rng.sample(trained, k):
            if kind == "domain_shift":
                texts[i] = rng.choice(self.foreign)
            elif kind == "backdoor":
                cut = rng.randrange(10, 60)
                texts[i] = (texts[i][:cut] + " " + TRIGGER + " " + PAYLOAD * 3)[:CHUNK]
            else:
                texts[i] = "".join(chr(rng.randrange(33, 127)) for _ in range(CHUNK))
            assert len(self.codec.encode(texts[i])) == CHUNK  # block alignment kept
        return texts, k, len(trained)

    def adapter(self, trial: int, noise: str, texts: list[str], replica: int) -> Adapter:
        """Train (or reuse) the adapter of one replica on `texts` under `noise`."""
        threads = 1 + replica % 2 if noise == "threads" else 1
        order = self.order_seed(trial, noise, replica)
        key = json.dumps([trial, texts, threads, order.hex() if order else None])
        found = self.cache.get(key)
        if found is not None:
            return found
        seed = self._round_seed(trial)
        result = train_adapter(
            self.model,
            self.codec,
            texts,
            RoundSpec(seed, (1, 3), self.profile(threads)),
            order_seed=order,
        )
        self.trainings += 1
        lora = decode_adapter(result.blob)
        self.candidate.load_state_dict(self.original)
        from deepshard.offchain_workers.ml.adapters import merge_adapter  # noqa: PLC0415

        merge_adapter(self.candidate, lora)
        probes = token_blocks(self.codec, self.batch(trial)[:8], 128)
        loss = mean_loss(self.candidate, self.held)
        with torch.inference_mode():
            curvature = float(fast_detectgpt(self.model, self.candidate, self.held).mean())
        stats = [
            quantise(loss),
            quantise(self.parent_loss - loss),
            quantise(-mean_loss(self.candidate, probes)),
            quantise(curvature),
        ]
        made = Adapter(bytes.fromhex(result.sha256), lora, stats)
        self.cache[key] = made
        return made

    @staticmethod
    def rows(adapters: list[Adapter]) -> list[list[int]]:
        """The round's score matrix: cached statistics plus the weight distance."""
        distances = weight_distances([a.deltas for a in adapters])
        return [[*a.stats, quantise(d)] for a, d in zip(adapters, distances, strict=True)]
