"""Round rules and the genesis-model document in chain specs.

The dev preset's round rules (periods, profile, round size) reach the genesis storage byte for
byte as SCALE lays them out (checked against hand-built little-endian bytes); a genesis-model
document replaces a preset's or a plain spec's version 0 through ``chain-spec build`` and the
node's spec loader; bad documents and bad rules are refused with the field named.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from deepshard.chain_spec.builder import (
    GenesisError,
    genesis_from_patch,
    plain_chain_spec,
    preset_patch,
    raw_chain_spec,
)
from deepshard.chain_spec.cli import app as chain_spec_app
from deepshard.chain_spec.genesis_model import (
    apply_to_plain_spec,
    load_genesis_model,
    model_from_document,
    with_model,
)
from deepshard.chain_spec.presets import DEV, DEV_ROUNDS, LOCAL
from deepshard.client.node.cli import load_chain_spec
from deepshard.primitives.hashing import StorageHasher, storage_key
from deepshard.runtime.runtime import deepshard_runtime

DOCUMENT: dict[str, Any] = {
    "baseModelCid": "0x1220" + "ab" * 32,
    "layerCount": 4,
    "shards": [[0, 2], [2, 4]],
    "heldOutLoss": 2_766_391,
    "probeSetCid": "0x1220" + "cd" * 32,
    "baseModel": {"cid": "Qm...", "path": "/models/x", "sha256": "00"},
    "probeSet": {"cid": "Qm...", "texts": 7},
}


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def _value(storage: dict[bytes, bytes], item: str) -> bytes:
    return storage[storage_key("Training", item)]


def _version_zero(storage: dict[bytes, bytes]) -> bytes:
    key = storage_key("Training", "ModelVersions", ((StorageHasher.TWOX_64_CONCAT, bytes(4)),))
    return storage[key]


def test_dev_round_rules_reach_genesis_storage_as_scale_bytes() -> None:
    storage = deepshard_runtime().genesis_storage(genesis_from_patch(preset_patch(DEV)))
    commit, reveal, score, dispute = DEV_ROUNDS.periods
    assert _value(storage, "RoundPeriods") == b"".join(
        _u32(n) for n in (commit, reveal, score, dispute)
    )
    assert _value(storage, "RoundSize") == _u32(4) + _u32(2)
    p = DEV_ROUNDS.profile
    modules = bytes([len(p.target_modules) * 4]) + b"".join(
        bytes([len(m) * 4]) + m.encode() for m in p.target_modules
    )
    assert _value(storage, "RoundProfile") == (
        b"\x00"  # Deterministic
        + _u32(p.lora_rank)
        + _u32(p.lora_alpha)
        + modules
        + p.learning_rate.to_bytes(8, "little")
        + _u32(p.steps)
        + _u32(p.batch_size)
    )
    assert LOCAL.rounds == DEV_ROUNDS


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("roundPeriods", {"commit": 0, "reveal": 1, "score": 1, "dispute": 1}, "commit"),
        ("roundPeriods", {"commit": 1, "reveal": 1, "score": 1}, "missing"),
        ("roundSize", {"trainers": 4}, "trainers and scorers"),
        ("roundSize", {"trainers": 4, "scorers": 2, "x": 1}, "unknown"),
        ("roundProfile", {"mode": "Sloppy"}, "missing field"),
    ],
)
def test_bad_round_rules_are_refused(field: str, value: Any, message: str) -> None:
    patch = copy.deepcopy(preset_patch(DEV))
    patch["training"][field] = value
    with pytest.raises(GenesisError, match=message):
        genesis_from_patch(patch)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mode": "Sloppy"}, "mode"),
        ({"steps": 0}, "steps"),
        ({"targetModules": []}, "trains nothing|module"),
        ({"targetModules": [""]}, "targetModules"),
        ({"learningRate": -1}, "learningRate"),
    ],
)
def test_bad_profiles_are_refused(change: dict[str, Any], message: str) -> None:
    patch = copy.deepcopy(preset_patch(DEV))
    patch["training"]["roundProfile"].update(change)
    with pytest.raises((GenesisError, ValueError), match=message):
        deepshard_runtime().genesis_storage(genesis_from_patch(patch))


def test_a_round_size_above_the_runtime_maximum_is_refused() -> None:
    plain = plain_chain_spec(DEV, deepshard_runtime())
    plain["genesis"]["runtimeGenesis"]["patch"]["training"]["roundSize"] = {
        "trainers": 6,
        "scorers": 2,
    }
    with pytest.raises(GenesisError, match=r"trainers per round must be in 1\.\.=5"):
        raw_chain_spec(plain, deepshard_runtime())


def test_genesis_model_document_replaces_version_zero(tmp_path: Path) -> None:
    path = tmp_path / "gm.json"
    path.write_text(json.dumps(DOCUMENT))
    model = load_genesis_model(path)
    assert model.layer_count == 4
    assert model.shards == ((0, 2), (2, 4))
    runtime = deepshard_runtime()
    storage = runtime.genesis_storage(genesis_from_patch(preset_patch(with_model(DEV, model))))
    version = _version_zero(storage)
    assert bytes.fromhex(DOCUMENT["baseModelCid"][2:]) in version
    assert (2_766_391).to_bytes(8, "little", signed=True) in version
    assert _value(storage, "ProbeSetCid")[1:] == bytes.fromhex(DOCUMENT["probeSetCid"][2:])
    # The round rules stay the preset's.
    assert _value(storage, "RoundSize") == _u32(4) + _u32(2)


def test_node_and_build_take_the_genesis_model(tmp_path: Path) -> None:
    path = tmp_path / "gm.json"
    path.write_text(json.dumps(DOCUMENT))
    raw = load_chain_spec("dev", path)
    plain_file = tmp_path / "plain.json"
    result = CliRunner().invoke(chain_spec_app, ["build", "--chain", "dev", "-o", str(plain_file)])
    assert result.exit_code == 0, result.output
    from_plain = load_chain_spec(str(plain_file), path)
    assert raw["genesis"] == from_plain["genesis"]
    assert raw["genesis"] != load_chain_spec("dev")["genesis"]
    built = CliRunner().invoke(
        chain_spec_app, ["build", "--chain", "dev", "--genesis-model", str(path), "--raw"]
    )
    assert built.exit_code == 0, built.output
    assert json.loads(built.output)["genesis"] == raw["genesis"]
    raw_file = tmp_path / "raw.json"
    raw_file.write_text(json.dumps(raw))
    with pytest.raises(GenesisError, match="plain chain spec"):
        load_chain_spec(str(raw_file), path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"baseModelCid": "1220ab"}, "baseModelCid"),
        ({"layerCount": 0}, "layerCount"),
        ({"shards": []}, "shards"),
        ({"shards": [[0, 9]]}, r"shards\[0\]\[1\]"),
        ({"heldOutLoss": 1.5}, "heldOutLoss"),
        ({"extra": 1}, "unknown"),
    ],
)
def test_bad_genesis_model_documents_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(GenesisError, match=message):
        model_from_document({**DOCUMENT, **change})


def test_missing_fields_and_bad_files_are_refused(tmp_path: Path) -> None:
    document = dict(DOCUMENT)
    del document["probeSetCid"]
    with pytest.raises(GenesisError, match="missing field"):
        model_from_document(document)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(GenesisError, match="not a readable JSON"):
        load_genesis_model(bad)
    with pytest.raises(GenesisError, match="not a readable JSON"):
        load_genesis_model(tmp_path / "absent.json")
    with pytest.raises(GenesisError, match="plain chain spec"):
        apply_to_plain_spec({"genesis": {"raw": {}}}, model_from_document(DOCUMENT))
    # The node refuses a document whose shards do not tile the layers (Training genesis).
    tiles = tmp_path / "tiles.json"
    tiles.write_text(json.dumps({**DOCUMENT, "shards": [[0, 1], [2, 4]]}))
    with pytest.raises(GenesisError, match="tile"):
        load_chain_spec("dev", tiles)


def test_dev_voting_period_and_bad_ones() -> None:
    storage = deepshard_runtime().genesis_storage(genesis_from_patch(preset_patch(DEV)))
    assert storage[storage_key("Informants", "VotingPeriod")] == _u32(6)
    patch = copy.deepcopy(preset_patch(DEV))
    patch["informants"] = {"votingPeriod": 0}
    with pytest.raises(GenesisError, match="votingPeriod"):
        genesis_from_patch(patch)
    patch["informants"] = {"period": 3}
    with pytest.raises(GenesisError, match="unknown"):
        genesis_from_patch(patch)
