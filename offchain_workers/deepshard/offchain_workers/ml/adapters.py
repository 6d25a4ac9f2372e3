"""LoRA adapters as canonical safetensors files: write, read, merge, compare.

An adapter file holds peft's LoRA state (``…lora_A.weight`` and ``…lora_B.weight`` per target
module, peft's key names) in fp32, and under the metadata key ``deepshard.lora`` the canonical
JSON of its rank, alpha, target modules and layers. It is one file, so its sha256 (committed on
chain) and its CID name the same bytes. A model version is its base plus every accepted adapter
merged in order (``W += B·A·alpha/rank``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import PreTrainedModel

from deepshard.offchain_workers.ml.base_model import load_model
from deepshard.offchain_workers.ml.canonical import (
    canonical_json,
    dump_safetensors,
    parse_safetensors,
)
from deepshard.offchain_workers.ml.codec import TextCodec
from deepshard.offchain_workers.ml.errors import AdapterFormatError, ModelFormatError
from deepshard.offchain_workers.ml.runtime import from_raw, to_raw

__all__ = ["LoraAdapter", "encode_adapter", "decode_adapter", "merge_adapter", "load_version"]

META_KEY = "deepshard.lora"
_PREFIX = "base_model.model."
_A = ".lora_A.weight"
_B = ".lora_B.weight"


@dataclass(frozen=True, slots=True)
class LoraAdapter:
    """A decoded adapter: its settings and its ``module path -> (A, B)`` factors."""

    rank: int
    """LoRA rank."""
    alpha: int
    """LoRA alpha."""
    layers: tuple[int, int]
    """The shard trained: ``(first, end)``."""
    target_modules: tuple[str, ...]
    """Targeted module names."""
    factors: dict[str, tuple[torch.Tensor, torch.Tensor]]
    """Per module path of the base model (e.g. ``model.layers.1.self_attn.q_proj``): (A, B)."""

    def deltas(self) -> dict[str, torch.Tensor]:
        """Return the weight update ``B·A·alpha/rank`` of every module."""
        scale = self.alpha / self.rank
        return {m: (b @ a) * scale for m, (a, b) in sorted(self.factors.items())}


def encode_adapter(
    state: dict[str, torch.Tensor],
    *,
    rank: int,
    alpha: int,
    layers: tuple[int, int],
    target_modules: tuple[str, ...],
) -> bytes:
    """Return the canonical file of peft's LoRA `state` with its settings."""
    meta = canonical_json(
        {
            "alpha": alpha,
            "layers": list(layers),
            "rank": rank,
            "target_modules": list(target_modules),
        }
    ).decode()
    tensors = {k: v.detach().float() for k, v in state.items()}
    return dump_safetensors(to_raw(tensors), {"format": "pt", META_KEY: meta})


def decode_adapter(blob: bytes) -> LoraAdapter:
    """Parse and check an adapter file.

    Raises:
        AdapterFormatError: not safetensors, no Deepshard LoRA metadata, or unpaired factors.
    """
    try:
        raw, meta = parse_safetensors(blob)
    except ModelFormatError as exc:
        raise AdapterFormatError(str(exc)) from None
    try:
        info = json.loads(meta[META_KEY])
        rank, alpha = int(info["rank"]), int(info["alpha"])
        first, end = (int(x) for x in info["layers"])
        targets = tuple(str(t) for t in info["target_modules"])
    except (KeyError, ValueError, TypeError) as exc:
        raise AdapterFormatError(f"missing or malformed {META_KEY} metadata: {exc}") from None
    if rank <= 0 or not 0 <= first < end:
        raise AdapterFormatError("rank and layers out of range")
    tensors = from_raw(raw)
    factors: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for key, a in tensors.items():
        if not key.endswith(_A):
            if not key.endswith(_B):
                raise AdapterFormatError(f"unexpected tensor {key}")
            continue
        module = key.removesuffix(_A).removeprefix(_PREFIX)
        b = tensors.get(key.removesuffix(_A) + _B)
        if b is None or a.dim() != 2 or b.dim() != 2 or a.shape[0] != rank or b.shape[1] != rank:
            raise AdapterFormatError(f"{module}: unpaired or mis-shaped LoRA factors")
        factors[module] = (a, b)
    if 2 * len(factors) != len(tensors) or not factors:
        raise AdapterFormatError("every lora_B needs its lora_A, and there must be some")
    return LoraAdapter(rank, alpha, (first, end), targets, factors)


def merge_adapter(model: PreTrainedModel, adapter: LoraAdapter) -> None:
    """Add the adapter's updates to `model`'s weights in place.

    Raises:
        AdapterFormatError: a module the model lacks, or a shape that does not fit.
    """
    modules = dict(model.named_modules())
    with torch.no_grad():
        for path, delta in adapter.deltas().items():
            module = modules.get(path)
            weight = getattr(module, "weight", None)
            if not isinstance(weight, torch.Tensor) or weight.shape != delta.shape:
                raise AdapterFormatError(f"{path}: no such module of this shape in the model")
            weight.add_(delta.to(weight.device, weight.dtype))


def load_version(
    base: Path, adapters: list[bytes], device: torch.device | None = None
) -> tuple[PreTrainedModel, TextCodec]:
    """Load a model version: the base in `base` with `adapters` merged in order."""
    model, codec = load_model(base, device)
    for blob in adapters:
        merge_adapter(model, decode_adapter(blob))
    return model, codec
