"""`deepshard key generate-node-key | inspect-node-key` and the node's P2P options."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.network.identity import NodeKey, PeerId

runner = CliRunner()

SUBSTRATE_NODE_KEY = "0000000000000000000000000000000000000000000000000000000000000001"
SUBSTRATE_PEER_ID = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"


def test_generate_prints_the_secret_on_stdout_and_the_peer_id_on_stderr() -> None:
    result = runner.invoke(app, ["key", "generate-node-key"])
    assert result.exit_code == 0
    secret = result.stdout.strip()
    peer_id = result.stderr.strip()
    assert len(secret) == 64
    assert str(NodeKey.from_hex(secret).peer_id) == peer_id
    assert PeerId.from_base58(peer_id).to_base58() == peer_id


def test_generate_into_a_file_then_inspect(tmp_path: Path) -> None:
    target = tmp_path / "node.key"
    result = runner.invoke(app, ["key", "generate-node-key", "--file", str(target), "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["file"] == str(target)
    assert "secret" not in document
    assert target.stat().st_mode & 0o077 == 0
    inspected = runner.invoke(app, ["key", "inspect-node-key", "--file", str(target)])
    assert inspected.exit_code == 0
    assert inspected.stdout.strip() == document["peerId"]
    # Never overwrite a key.
    again = runner.invoke(app, ["key", "generate-node-key", "--file", str(target)])
    assert again.exit_code == 1
    assert "refusing to overwrite" in again.stderr


def test_inspect_substrates_well_known_key(tmp_path: Path) -> None:
    target = tmp_path / "alice.key"
    target.write_text(SUBSTRATE_NODE_KEY)
    result = runner.invoke(app, ["key", "inspect-node-key", "--file", str(target), "--json"])
    assert json.loads(result.stdout) == {"peerId": SUBSTRATE_PEER_ID}
    target.write_text("zz")
    bad = runner.invoke(app, ["key", "inspect-node-key", "--file", str(target)])
    assert bad.exit_code == 1
    assert "not a node key" in bad.stderr


def test_node_help_lists_the_p2p_options() -> None:
    result = runner.invoke(app, ["node", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in (
        "--listen-addr",
        "--port",
        "--public-addr",
        "--bootnodes",
        "--reserved-nodes",
        "--reserved-only",
        "--in-peers",
        "--out-peers",
        "--node-key",
        "--node-key-file",
    ):
        assert option in result.stdout


def test_bad_p2p_options_are_refused(tmp_path: Path) -> None:
    for arguments, message in (
        (["--bootnodes", "127.0.0.1:30333"], "expected /ip4/"),
        (["--node-key", "xyz"], "not hex"),
        (["--reserved-nodes", "/ip4/127.0.0.1/tcp/1"], "needs its /p2p/"),
    ):
        result = runner.invoke(
            app,
            [
                "node",
                "--chain",
                "local",
                "--base-path",
                str(tmp_path),
                "--rpc-port",
                "0",
                *arguments,
            ],
        )
        assert result.exit_code == 1, result.stdout
        assert message in result.stdout + result.stderr
