"""What a round fixes for its trainers, in plain Python (mirrors the Training pallet's types).

`TrainingProfile` mirrors the pallet's ``TrainingProfile`` (learning rate as an integer x10^9 on
chain) and `RoundSpec` the parts of a ``Round`` a trainer needs: the seed, the shard's layers and
the profile. The data order and the torch seed are derived from the round seed with blake2, so
every honest replica sees the same examples in the same order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

__all__ = ["ProfileMode", "TrainingProfile", "RoundSpec", "data_order", "torch_seed"]


class ProfileMode:
    """The pallet's ``ProfileMode`` names."""

    DETERMINISTIC = "deterministic"
    """Bit-identical replicas (fixed threads, fp32 on CPU, deterministic kernels on GPU)."""
    TOLERANT = "tolerant"
    """Mixed hardware: replicas differ in rounding; the statistics decide."""


@dataclass(frozen=True, slots=True)
class TrainingProfile:
    """The pinned training protocol of a round."""

    mode: str = ProfileMode.DETERMINISTIC
    """`ProfileMode.DETERMINISTIC` or `ProfileMode.TOLERANT`."""
    lora_rank: int = 8
    """LoRA rank."""
    lora_alpha: int = 16
    """LoRA alpha (the update is scaled by alpha / rank)."""
    target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    """Module names the adapter targets."""
    learning_rate_e9: int = 200_000
    """Learning rate x10^9 (the chain's integer form)."""
    steps: int = 100
    """Optimiser steps."""
    batch_size: int = 8
    """Sequences per step."""
    block_size: int = 128
    """Tokens per sequence."""
    threads: int = 1
    """CPU threads under the deterministic profile."""

    @property
    def learning_rate(self) -> float:
        """The learning rate as a float (off-chain only)."""
        return self.learning_rate_e9 / 1e9


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """The parts of a round a trainer follows: its seed, the shard's layers, its profile."""

    seed: bytes
    """The round seed (32 bytes)."""
    layers: tuple[int, int]
    """The shard: ``(first layer, end layer)``, end exclusive."""
    profile: TrainingProfile = field(default_factory=TrainingProfile)
    """The training protocol."""

    def __post_init__(self) -> None:
        first, end = self.layers
        if not 0 <= first < end:
            raise ValueError(f"empty or negative layer range {self.layers}")


def _key(seed: bytes, label: bytes, index: int) -> bytes:
    return hashlib.blake2b(seed + label + index.to_bytes(8, "little"), digest_size=16).digest()


def data_order(seed: bytes, count: int, steps: int) -> list[int]:
    """Return `steps` indices into `count` items: seeded permutations, one epoch after another."""
    if count <= 0:
        raise ValueError("no data to order")
    order: list[int] = []
    epoch = 0
    while len(order) < steps:
        label = b"deepshard/data-order/" + epoch.to_bytes(4, "little")
        order.extend(sorted(range(count), key=lambda i: _key(seed, label, i)))
        epoch += 1
    return order[:steps]


def torch_seed(seed: bytes) -> int:
    """Return the 63-bit integer seed of torch's generators derived from the round seed."""
    return int.from_bytes(_key(seed, b"deepshard/torch-seed", 0)[:8], "little") >> 1
