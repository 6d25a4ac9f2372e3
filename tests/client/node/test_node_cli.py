"""`deepshard node` sub-commands: key insert, purge-chain, and argument errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.node.keystore import Keystore
from deepshard.primitives.crypto import KeyType, dev_keypair

runner = CliRunner()


def test_help_lists_the_options() -> None:
    result = runner.invoke(app, ["node", "--help"])
    assert result.exit_code == 0
    for option in (
        "--dev",
        "--chain",
        "--base-path",
        "--tmp",
        "--validator",
        "--alice",
        "--rpc-port",
        "--rpc-external",
        "--prometheus-port",
        "--pruning",
        "--log",
    ):
        assert option in result.output


def test_key_insert_writes_substrates_keystore_layout(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "node",
            "key",
            "insert",
            "--suri",
            "//Bob",
            "--key-type",
            "aura",
            "--base-path",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    bob = dev_keypair("Bob", KeyType.SR25519)
    path = tmp_path / "chains" / "dev" / "keystore" / ("61757261" + bob.public_key.hex())
    assert json.loads(path.read_text()) == "//Bob"
    assert [k.public_key for k in Keystore(path.parent).keys("aura")] == [bob.public_key]


def test_key_insert_refuses_bad_input(tmp_path: Path) -> None:
    base = ["node", "key", "insert", "--base-path", str(tmp_path)]
    bad_type = runner.invoke(app, [*base, "--suri", "//Bob", "--key-type", "nope"])
    assert bad_type.exit_code == 1
    assert "unknown key type" in bad_type.output
    bad_uri = runner.invoke(app, [*base, "--suri", "not a phrase", "--key-type", "aura"])
    assert bad_uri.exit_code == 1
    assert "invalid secret URI" in bad_uri.output


def test_purge_chain(tmp_path: Path) -> None:
    database = tmp_path / "chains" / "dev" / "db"
    database.mkdir(parents=True)
    (database / "data.mdb").write_bytes(b"x")
    result = runner.invoke(app, ["node", "purge-chain", "--base-path", str(tmp_path), "-y"])
    assert result.exit_code == 0, result.output
    assert not database.exists()
    again = runner.invoke(app, ["node", "purge-chain", "--base-path", str(tmp_path), "-y"])
    assert "did not exist" in again.output


def test_argument_errors() -> None:
    assert runner.invoke(app, ["node", "--dev", "--log", "txpool=loud"]).exit_code == 1
    assert runner.invoke(app, ["node", "--dev", "--pruning", "some"]).exit_code == 1
    unknown = runner.invoke(app, ["node", "--chain", "/no/such/spec.json"])
    assert unknown.exit_code == 1
    assert "no such chain spec file" in unknown.output
