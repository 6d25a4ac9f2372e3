"""Presets become plain and raw chain specs; `inspect` reads what `build --raw` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deepshard.chain_spec.builder import (
    GenesisError,
    genesis_from_patch,
    preset_patch,
    raw_chain_spec,
)
from deepshard.chain_spec.presets import DEV, LOCAL
from deepshard.chain_spec.raw import load_raw_chain_spec, summarize_genesis
from deepshard.client.cli import app
from deepshard.pallets.aura import Aura
from deepshard.pallets.balances import Balances
from deepshard.pallets.sudo import Sudo
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.trie import StateVersion
from deepshard.runtime.runtime import deepshard_runtime

runner = CliRunner()
ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"


def test_dev_patch_names_alice_as_authority_and_sudo() -> None:
    patch = preset_patch(DEV)
    assert patch["aura"]["authorities"] == [ALICE]
    assert patch["sudo"] == {"key": ALICE}
    assert len(patch["balances"]["balances"]) == 12
    assert len(preset_patch(LOCAL)["aura"]["authorities"]) == 4


def test_genesis_from_patch_builds_the_pallet_configs() -> None:
    configs = genesis_from_patch(preset_patch(LOCAL))
    alice = dev_keypair("Alice", KeyType.SR25519).public_key
    assert bytes(configs[Sudo].key) == alice  # type: ignore[attr-defined]
    assert len(configs[Aura].authorities) == 4  # type: ignore[attr-defined]
    assert len(configs[Balances].balances) == 12  # type: ignore[attr-defined]


def test_build_raw_then_inspect(tmp_path: Path) -> None:
    raw_path = tmp_path / "dev-raw.json"
    result = runner.invoke(
        app, ["chain-spec", "build", "--chain", "dev", "--raw", "-o", str(raw_path)]
    )
    assert result.exit_code == 0, result.output
    summary = summarize_genesis(load_raw_chain_spec(raw_path))
    assert summary.state_version is StateVersion.V1
    assert summary.runtime_version is not None
    assert summary.runtime_version.spec_name == "deepshard"
    runtime = deepshard_runtime()
    storage = runtime.genesis_storage(genesis_from_patch(preset_patch(DEV)))
    raw = json.loads(raw_path.read_text())
    assert raw["genesis"]["raw"]["top"] == {
        "0x" + k.hex(): "0x" + v.hex() for k, v in storage.items()
    }
    assert raw["properties"]["tokenSymbol"] == "DSH"


def test_plain_spec_round_trips_through_a_file(tmp_path: Path) -> None:
    plain = tmp_path / "local.json"
    assert (
        runner.invoke(app, ["chain-spec", "build", "--chain", "local", "-o", str(plain)]).exit_code
        == 0
    )
    document = json.loads(plain.read_text())
    assert "runtimeGenesis" in document["genesis"]
    raw = tmp_path / "local-raw.json"
    result = runner.invoke(
        app, ["chain-spec", "build", "--chain", str(plain), "--raw", "-o", str(raw)]
    )
    assert result.exit_code == 0, result.output
    inspected = runner.invoke(app, ["chain-spec", "inspect", str(raw), "--json"])
    assert json.loads(inspected.output)["id"] == "local_testnet"


def _plain_with(patch: object) -> dict[str, object]:
    return {"id": "x", "genesis": {"runtimeGenesis": {"patch": patch}}}


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"staking": {}}, "unknown field(s) 'staking'"),
        (
            {"balances": {"balances": [["nobody", 1]]}},
            "patch.balances.balances[0]: 'nobody' is not an account",
        ),
        ({"balances": {"balances": [[ALICE, -1]]}}, "outside 0..=u128::MAX"),
        ({"balances": {"balances": [[ALICE, "ten"]]}}, "'ten' is not an integer"),
        ({"balances": {"balances": [[ALICE, 1]]}}, "existential deposit"),
        ({"balances": {"balances": [[ALICE, 10**15], [ALICE, 10**15]]}}, "duplicate balances"),
        ({"aura": {"authorities": []}}, "must not be empty"),
        ({"sudo": {"key": 5}}, "patch.sudo.key: expected an account"),
        ({"aura": {"authorities": [ALICE], "extra": 1}}, "unknown field(s) 'extra'"),
    ],
)
def test_invalid_genesis_is_refused_with_its_path(patch: object, message: str) -> None:
    base = preset_patch(DEV)
    merged = {**base, **patch} if isinstance(patch, dict) else patch
    with pytest.raises(GenesisError) as raised:
        raw_chain_spec(_plain_with(merged), deepshard_runtime())
    assert message.lower() in str(raised.value).lower()


def test_spec_for_another_runtime_version_is_refused() -> None:
    spec = _plain_with(preset_patch(DEV))
    spec["genesis"]["runtimeGenesis"]["code"] = "0x0061736d01000000"  # type: ignore[index]
    with pytest.raises(GenesisError, match="another runtime version"):
        raw_chain_spec(spec, deepshard_runtime())


def test_unknown_chain_name_is_a_clear_error() -> None:
    result = runner.invoke(app, ["chain-spec", "build", "--chain", "moonbase"])
    assert result.exit_code == 1
    assert "no such file (and not a preset: dev, local)" in result.output
