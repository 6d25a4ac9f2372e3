"""A chain's model version 0 as plain values: what ``deepshard ml bootstrap --json`` prints.

A chain spec records version 0 of its model in the Training genesis: the base model's CID, its
layer count and shard layout, its held-out loss on the probe set, and the probe set's CID. This
module measures those on a real model and pins both in the content store; the result is a
small JSON document (`GenesisModel.to_json`) that ``deepshard chain-spec build
--genesis-model FILE`` and ``deepshard node --genesis-model FILE`` read without torch
(`deepshard.chain_spec.genesis_model`).

The probe set is a JSONL batch (``{"text": ...}`` per line) of the bootstrap corpus's
held-out texts, unless one is given. The held-out loss is measured exactly as the scorer
measures a parent (`scorer.mean_loss` over `base_model.token_blocks` of the probe set),
quantised x10^6, so the first round's new version compares with it like for like.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepshard.offchain_workers.ml.base_model import WEIGHTS, load_model, token_blocks
from deepshard.offchain_workers.ml.canonical import sha256_hex
from deepshard.offchain_workers.ml.content import pin_model
from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, split_held_out
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.ml.scorer import mean_loss, quantise

__all__ = [
    "LAYERS_PER_SHARD",
    "GenesisModel",
    "shard_layout",
    "probe_set_bytes",
    "measure_held_out_loss",
    "describe_genesis_model",
]

LAYERS_PER_SHARD = 2
"""Layers per shard of the default layout (a round trains one shard)."""


@dataclass(frozen=True, slots=True)
class GenesisModel:
    """Version 0 of a chain's model, pinned and measured."""

    base_model_cid: bytes
    """The base model directory's binary CID."""
    layer_count: int
    """Its decoder layers."""
    shards: tuple[tuple[int, int], ...]
    """The shard layout: ``(first layer, end layer)`` ranges, in rotation order."""
    held_out_loss: int
    """Its mean held-out loss on the probe set, nats x10^6."""
    probe_set_cid: bytes
    """The probe set file's binary CID."""
    base_model: dict[str, Any]
    """Informational: the base model's text CID, local path and weights' sha256."""
    probe_set: dict[str, Any]
    """Informational: the probe set's text CID and number of texts."""

    def to_json(self) -> dict[str, Any]:
        """The genesis-model document (the Training genesis fields, camelCase, plus info)."""
        return {
            "baseModelCid": "0x" + self.base_model_cid.hex(),
            "layerCount": self.layer_count,
            "shards": [list(s) for s in self.shards],
            "heldOutLoss": self.held_out_loss,
            "probeSetCid": "0x" + self.probe_set_cid.hex(),
            "baseModel": self.base_model,
            "probeSet": self.probe_set,
        }


def shard_layout(layers: int, per_shard: int = LAYERS_PER_SHARD) -> tuple[tuple[int, int], ...]:
    """Return ranges of `per_shard` layers tiling `layers` (the last one may be shorter).

    Raises:
        MLError: no layers, or a non-positive shard size.
    """
    if layers <= 0 or per_shard <= 0:
        raise MLError(f"cannot shard {layers} layers by {per_shard}")
    return tuple((first, min(first + per_shard, layers)) for first in range(0, layers, per_shard))


def probe_set_bytes(texts: list[str] | None = None) -> bytes:
    """Return the probe set as JSONL: `texts`, or the bootstrap corpus's held-out texts.

    Raises:
        MLError: no texts.
    """
    chosen = texts if texts is not None else split_held_out(bootstrap_corpus())[1]
    if not chosen:
        raise MLError("the probe set has no texts")
    return "".join(json.dumps({"text": t}, sort_keys=True) + "\n" for t in chosen).encode()


def measure_held_out_loss(model_dir: Path, texts: list[str]) -> tuple[int, int]:
    """Return ``(held-out loss x10^6, layer count)`` of the model in `model_dir`.

    Raises:
        ModelFormatError: not a model directory.
        MLError: no texts, or the model has no ``num_hidden_layers``.
    """
    if not texts:
        raise MLError("no held-out texts to measure the loss on")
    model, codec = load_model(model_dir)
    layers = int(getattr(model.config, "num_hidden_layers", 0) or 0)
    if layers <= 0:
        raise MLError(f"{model_dir}: the config names no num_hidden_layers")
    loss = mean_loss(model, token_blocks(codec, texts, 128))
    return quantise(loss), layers


async def describe_genesis_model(
    store: Any, model_dir: Path, probe_texts: list[str] | None = None
) -> GenesisModel:
    """Pin the model directory and the probe set in `store`; measure; return version 0.

    Raises:
        ModelFormatError / MLError: as `measure_held_out_loss` and `probe_set_bytes`.
        ContentError: the store refused a write.
    """
    from deepshard.offchain_workers.ml.curation import parse_batch  # noqa: PLC0415

    probes = probe_set_bytes(probe_texts)
    texts = parse_batch(probes)
    loss, layers = measure_held_out_loss(model_dir, texts)
    model_cid = await pin_model(store, model_dir)
    probe_entry = await store.add_bytes(probes)
    weights = model_dir / WEIGHTS
    return GenesisModel(
        base_model_cid=bytes(model_cid),
        layer_count=layers,
        shards=shard_layout(layers),
        held_out_loss=loss,
        probe_set_cid=bytes(probe_entry.cid),
        base_model={
            "cid": str(model_cid),
            "path": str(model_dir),
            "sha256": sha256_hex(weights.read_bytes()) if weights.is_file() else None,
        },
        probe_set={"cid": str(probe_entry.cid), "texts": len(texts)},
    )
