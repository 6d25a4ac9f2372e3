"""The genesis-model document: a chain's real model version 0, as plain JSON values.

``deepshard ml bootstrap --repo R --json`` pins the base model and the probe set in the content
store, measures the held-out loss, and prints this document::

    {
      "baseModelCid": "0x1220…",        binary CID of the model directory, 0x-hex
      "layerCount": 4,                  decoder layers
      "shards": [[0, 2], [2, 4]],       shard layout: [first, end) layer ranges, in rotation
      "heldOutLoss": 2766391,           mean held-out loss on the probe set, nats x10^6
      "probeSetCid": "0x1220…",         binary CID of the probe set (JSONL), 0x-hex
      "baseModel": {"cid": "Qm…", "path": "…", "sha256": "…"},   for people; ignored here
      "probeSet": {"cid": "Qm…", "texts": 7}                      for people; ignored here
    }

``deepshard chain-spec build --genesis-model FILE`` and ``deepshard node --genesis-model FILE``
put it in place of a preset's model (`with_model`) or of a plain spec's ``patch.training``
model fields (`apply_to_plain_spec`); the round rules (periods, profile, size) stay as the
preset or spec has them. Reading it needs no torch: the node never imports it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from deepshard.chain_spec.builder import GenesisError
from deepshard.chain_spec.presets import ChainPreset, ModelPreset

__all__ = [
    "MODEL_FIELDS",
    "INFO_FIELDS",
    "model_from_document",
    "load_genesis_model",
    "with_model",
    "apply_to_plain_spec",
]

MODEL_FIELDS = ("baseModelCid", "layerCount", "shards", "heldOutLoss", "probeSetCid")
"""The fields a genesis-model document must have (the Training genesis' model fields)."""
INFO_FIELDS = ("baseModel", "probeSet")
"""Informational fields a genesis-model document may have (not put on chain)."""


def _hex_cid(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) < 6:
        raise GenesisError(f"{where}: expected a binary CID as 0x-hex")
    try:
        bytes.fromhex(value[2:])
    except ValueError:
        raise GenesisError(f"{where}: {value!r} is not hex") from None
    return value


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise GenesisError(f"{where}: expected an integer in {low}..={high}")
    return value


def model_from_document(document: Any, where: str = "genesis model") -> ModelPreset:
    """Validate a genesis-model document; return it as a `ModelPreset`.

    Raises:
        GenesisError: not an object, an unknown or missing field, or a malformed value
            (the message names the field). The shard layout and CIDs are checked again, in
            full, by the Training genesis when the spec is built.
    """
    if not isinstance(document, dict):
        raise GenesisError(f"{where}: expected a JSON object")
    unknown = [k for k in document if k not in MODEL_FIELDS + INFO_FIELDS]
    if unknown:
        raise GenesisError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
    missing = [k for k in MODEL_FIELDS if k not in document]
    if missing:
        raise GenesisError(f"{where}: missing field(s) {', '.join(missing)}")
    layers = _int(document["layerCount"], f"{where}.layerCount", 1, 2**32 - 1)
    shards = document["shards"]
    if not isinstance(shards, list) or not shards:
        raise GenesisError(f"{where}.shards: expected a list of [first, end] layer ranges")
    ranges = []
    for i, shard in enumerate(shards):
        if not isinstance(shard, list) or len(shard) != 2:
            raise GenesisError(f"{where}.shards[{i}]: expected [first, end]")
        first = _int(shard[0], f"{where}.shards[{i}][0]", 0, layers)
        end = _int(shard[1], f"{where}.shards[{i}][1]", 0, layers)
        ranges.append((first, end))
    return ModelPreset(
        base_model_cid=_hex_cid(document["baseModelCid"], f"{where}.baseModelCid"),
        held_out_loss=_int(document["heldOutLoss"], f"{where}.heldOutLoss", -(2**63), 2**63 - 1),
        layer_count=layers,
        shards=tuple(ranges),
        probe_set_cid=_hex_cid(document["probeSetCid"], f"{where}.probeSetCid"),
    )


def load_genesis_model(path: Path) -> ModelPreset:
    """Read and validate the genesis-model file at `path`.

    Raises:
        GenesisError: unreadable, not JSON, or not a valid document.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GenesisError(f"{path}: not a readable JSON genesis-model file: {error}") from None
    return model_from_document(document, str(path))


def with_model(preset: ChainPreset, model: ModelPreset) -> ChainPreset:
    """Return `preset` with `model` as its version 0."""
    return replace(preset, model=model)


def apply_to_plain_spec(spec: Any, model: ModelPreset) -> dict[str, Any]:
    """Return a copy of the plain chain spec `spec` with `model` in ``patch.training``.

    Raises:
        GenesisError: `spec` is not a plain chain spec (a raw one cannot be edited).
    """
    if not isinstance(spec, dict):
        raise GenesisError("chain spec: expected a JSON object")
    genesis = spec.get("genesis")
    if not isinstance(genesis, dict) or not isinstance(genesis.get("runtimeGenesis"), dict):
        raise GenesisError(
            "--genesis-model needs a plain chain spec (genesis.runtimeGenesis) or a preset; "
            "a raw spec's storage cannot be edited"
        )
    out = copy.deepcopy(spec)
    patch = out["genesis"]["runtimeGenesis"].setdefault("patch", {})
    if not isinstance(patch, dict):
        raise GenesisError("genesis.runtimeGenesis.patch: expected an object")
    training = patch.setdefault("training", {})
    if not isinstance(training, dict):
        raise GenesisError("genesis.runtimeGenesis.patch.training: expected an object")
    training.update(
        {
            "baseModelCid": model.base_model_cid,
            "heldOutLoss": model.held_out_loss,
            "layerCount": model.layer_count,
            "shards": [list(s) for s in model.shards],
            "probeSetCid": model.probe_set_cid,
        }
    )
    return out
