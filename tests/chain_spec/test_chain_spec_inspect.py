"""`deepshard chain-spec inspect` against real public chains' published genesis hashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from deepshard.chain_spec.raw import (
    ChainSpecError,
    load_raw_chain_spec,
    parse_raw_chain_spec,
    summarize_genesis,
)
from deepshard.chain_spec.runtime_version import embedded_runtime_version
from deepshard.chain_spec.wasm_blob import (
    CODE_BLOB_BOMB_LIMIT,
    ZSTD_PREFIX,
    WasmBlobError,
    decompress_code,
)
from deepshard.client.cli import app
from deepshard.primitives.trie import StateVersion

FIXTURES = Path(__file__).parent.parent / "fixtures" / "chain_specs"
ROCOCO_ASSET_HUB = FIXTURES / "rococo-asset-hub.raw.json"
# Published by the chain (its CAIP-2 id `polkadot:7c34d42fc815d392057c78b49f2755c7` is the
# first half of this hash).
ROCOCO_ASSET_HUB_GENESIS = "0x7c34d42fc815d392057c78b49f2755c753440ccd38bcb0405b3bcfb601d08734"

runner = CliRunner()


def test_rococo_asset_hub_genesis_hash_from_raw_storage() -> None:
    summary = summarize_genesis(load_raw_chain_spec(ROCOCO_ASSET_HUB))
    assert summary.runtime_version is not None
    assert summary.runtime_version.spec_name == "statemine"
    assert summary.state_version is StateVersion.V0
    assert "0x" + summary.genesis_hash.hex() == ROCOCO_ASSET_HUB_GENESIS


def test_cli_prints_the_published_genesis_hash() -> None:
    result = runner.invoke(app, ["chain-spec", "inspect", str(ROCOCO_ASSET_HUB)])
    assert result.exit_code == 0, result.output
    assert ROCOCO_ASSET_HUB_GENESIS in result.output
    assert "V0 (declared by the genesis runtime)" in result.output


def test_cli_json_output() -> None:
    result = runner.invoke(app, ["chain-spec", "inspect", str(ROCOCO_ASSET_HUB), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["genesisHash"] == ROCOCO_ASSET_HUB_GENESIS
    assert document["runtime"]["specVersion"] == 900
    assert document["topKeys"] == 53


def test_forcing_the_other_state_version_changes_the_root() -> None:
    result = runner.invoke(
        app, ["chain-spec", "inspect", str(ROCOCO_ASSET_HUB), "--state-version", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["stateVersion"] == 1
    assert document["genesisHash"] != ROCOCO_ASSET_HUB_GENESIS


# Light-client specs (substrate-connect) give the genesis state root directly; the genesis hash
# must then follow from our header encoding. Roots from @substrate/connect-known-chains, hashes
# from @polkadot/networks' known genesis list.
@pytest.mark.parametrize(
    ("chain", "state_root", "genesis_hash"),
    [
        (
            "polkadot",
            "0x29d0d972cd27cbc511e9589fcb7a4506d5eb6a9e8df205f00472e5ab354a4e17",
            "0x91b171bb158e2d3848fa23a9f1c25182fb8e20313b2c1eb49219da7a70ce90c3",
        ),
        (
            "ksmcc3",
            "0xb0006203c3a6e6bd2c6a17b1d4ae8ca49a31da0f4579da950b127774b44aef6b",
            "0xb0a8d493285c2df73290dfb7e61f870f17b41801197a149ca93654499ea3dafe",
        ),
        (
            "westend2",
            "0x7e92439a94f79671f9cade9dff96a094519b9001a7432244d46ab644bb6f746f",
            "0xe143f23803ac50e8f6f8e62695d1ce9e4e1d68aa36c1cd2cfd15340213f3423e",
        ),
    ],
)
def test_light_client_specs_give_published_genesis_hashes(
    tmp_path: Path, chain: str, state_root: str, genesis_hash: str
) -> None:
    spec = {"name": chain, "id": chain, "genesis": {"stateRootHash": state_root}}
    path = tmp_path / f"{chain}.json"
    path.write_text(json.dumps(spec))
    result = runner.invoke(app, ["chain-spec", "inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["genesisHash"] == genesis_hash


def _raw_spec(top: dict[str, str], **extra: object) -> dict[str, object]:
    return {"name": "t", "id": "t", "genesis": {"raw": {"top": top, **extra}}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON (line 1, column 2"),
        ("[]", "JSON object at the top level"),
        ('{"name": "x"}', "no `genesis` object"),
        ('{"genesis": {"runtimeGenesis": {}}}', "not a raw chain spec"),
        ('{"genesis": {"raw": {}}}', "with a `top` map"),
        (json.dumps(_raw_spec({"0x3a": "zz"})), "is not 0x-prefixed hex"),
        (json.dumps(_raw_spec({"0xzz": "0x00"})), "is not valid hex"),
        (json.dumps(_raw_spec({"0x00": 5})), "expected a 0x-prefixed hex string"),
        (json.dumps(_raw_spec({}, childrenDefault=[])), "childrenDefault` must be an object"),
        (json.dumps({"genesis": {"stateRootHash": "0x00"}}), "must be 32 bytes"),
        (json.dumps(_raw_spec({"0x00": "0x00"})), "has no `:code`"),
        (json.dumps(_raw_spec({"0x3a636f6465": "0x0061736d"})), "cannot read the runtime"),
    ],
)
def test_bad_specs_are_refused_with_a_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(content)
    result = runner.invoke(app, ["chain-spec", "inspect", str(path)])
    assert result.exit_code == 1
    assert message in result.output.replace("\n", " ")


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["chain-spec", "inspect", str(tmp_path / "absent.json")])
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_unreadable_runtime_can_be_overridden() -> None:
    spec = parse_raw_chain_spec(_raw_spec({"0x3a636f6465": "0x0061736d"}))
    summary = summarize_genesis(spec, StateVersion.V1)
    assert summary.state_version_source == "set on the command line"


def test_child_tries_enter_the_state_root() -> None:
    without = parse_raw_chain_spec(_raw_spec({"0x01": "0x02"}))
    with_child = parse_raw_chain_spec(
        _raw_spec({"0x01": "0x02"}, childrenDefault={"0xaa": {"0x03": "0x04"}})
    )
    empty_child = parse_raw_chain_spec(_raw_spec({"0x01": "0x02"}, childrenDefault={"0xaa": {}}))
    root = summarize_genesis(without, StateVersion.V0).state_root
    assert summarize_genesis(with_child, StateVersion.V0).state_root != root
    # An empty child trie stores nothing in the top trie (Substrate skips it).
    assert summarize_genesis(empty_child, StateVersion.V0).state_root == root


def test_parse_error_type() -> None:
    with pytest.raises(ChainSpecError):
        parse_raw_chain_spec("not a spec")


def test_runtime_version_of_the_fixture() -> None:
    spec = load_raw_chain_spec(ROCOCO_ASSET_HUB)
    assert spec.top is not None
    version = embedded_runtime_version(spec.top[b":code"])
    assert (version.spec_version, version.transaction_version, version.system_version) == (
        900,
        6,
        0,
    )
    core = bytes.fromhex("df6acb689907609b")
    assert any(api_id == core for api_id, _ in version.apis)


def test_compressed_code_bombs_and_corruption_are_refused() -> None:
    bomb = ZSTD_PREFIX + zstandard.ZstdCompressor().compress(bytes(CODE_BLOB_BOMB_LIMIT + 1))
    with pytest.raises(WasmBlobError, match="bomb limit"):
        decompress_code(bomb)
    with pytest.raises(WasmBlobError, match="corrupt"):
        decompress_code(ZSTD_PREFIX + b"not zstd at all")
    assert decompress_code(b"\x00asm\x01\x00\x00\x00") == b"\x00asm\x01\x00\x00\x00"
