"""The chain spec's ``training`` section: model version 0 named by the preset, refused when bad."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from deepshard.chain_spec.builder import GenesisError, genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.pallets.training import Training, TrainingGenesis
from deepshard.primitives.hashing import StorageHasher, storage_key
from deepshard.runtime.runtime import deepshard_runtime


def test_dev_preset_names_model_version_zero() -> None:
    patch = preset_patch(DEV)
    genesis = genesis_from_patch(patch)[Training]
    assert isinstance(genesis, TrainingGenesis)
    assert genesis.base_model_cid == bytes.fromhex(DEV.model.base_model_cid[2:])
    assert int(genesis.held_out_loss) == DEV.model.held_out_loss
    assert [(int(a), int(b)) for a, b in genesis.shards] == list(DEV.model.shards)
    storage = deepshard_runtime().genesis_storage(genesis_from_patch(patch))
    key = storage_key("Training", "ModelVersions", ((StorageHasher.TWOX_64_CONCAT, bytes(4)),))
    assert key in storage


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("baseModelCid", "01551220", "0x-prefixed"),
        ("baseModelCid", "0xzz", "not hex"),
        ("heldOutLoss", 2**63, "integer"),
        ("layerCount", True, "integer"),
        ("shards", [[0, 4, 8]], "layer ranges"),
        ("unknown", 1, "unknown field"),
    ],
)
def test_bad_training_sections_are_refused(field: str, value: Any, message: str) -> None:
    patch = copy.deepcopy(preset_patch(DEV))
    patch["training"][field] = value
    with pytest.raises(GenesisError, match=message):
        genesis_from_patch(patch)


def test_missing_fields_and_invalid_models_are_refused() -> None:
    patch = copy.deepcopy(preset_patch(DEV))
    del patch["training"]["probeSetCid"]
    with pytest.raises(GenesisError, match="missing"):
        genesis_from_patch(patch)
    patch = copy.deepcopy(preset_patch(DEV))
    patch["training"]["shards"] = [[0, 3], [4, 8]]
    with pytest.raises(ValueError, match="tile"):
        deepshard_runtime().genesis_storage(genesis_from_patch(patch))
