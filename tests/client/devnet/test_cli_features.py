"""``deepshard devnet`` refusals that start nothing, and the detection of optional parts."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from types import SimpleNamespace

from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.devnet.features import cli_features, has_command, runtime_features
from deepshard.client.devnet.state import DevnetLayout, DevnetState, Ports, Topology
from deepshard.client.devnet.steps import Feature

runner = CliRunner()


def test_a_directory_in_use_is_refused(tmp_path: Path) -> None:
    layout = DevnetLayout(tmp_path)
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        result = runner.invoke(app, ["devnet", "--dir", str(tmp_path), "--json"])
    finally:
        os.close(fd)
    assert result.exit_code == 4
    summary = json.loads(result.stdout)
    assert summary["reason"] == f"another devnet is running on {tmp_path}"
    assert not layout.state.exists()


def test_other_role_counts_do_not_start_over_a_kept_devnet(tmp_path: Path) -> None:
    layout = DevnetLayout(tmp_path)
    layout.save(DevnetState.create(Topology(validators=1), Ports((1,), (2,), 3, 4)))
    before = layout.state.read_text()
    result = runner.invoke(app, ["devnet", "--dir", str(tmp_path), "--scorers", "3", "--json"])
    assert result.exit_code == 4
    summary = json.loads(result.stdout)
    assert "holds a devnet of 1 validators" in summary["reason"]
    assert summary["steps"][0] == {**summary["steps"][0], "step": "genesis", "state": "failed"}
    assert layout.state.read_text() == before
    assert not (tmp_path / "logs").exists()


def test_counts_out_of_range_are_usage_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["devnet", "--dir", str(tmp_path), "--validators", "0"])
    assert result.exit_code == 2
    assert not DevnetLayout(tmp_path).state.exists()


def test_command_detection_reads_the_real_command_tree() -> None:
    assert has_command("worker", "trainer")
    assert has_command("devnet")
    assert not has_command("worker", "no-such-role")
    assert not has_command("devnet", "child")
    found = cli_features()
    assert (Feature.KEEPER in found) == has_command("worker", "keeper")
    assert (Feature.INFER in found) == has_command("infer", "generate")


def test_the_licences_feature_is_read_from_the_runtime() -> None:
    def call_variant(pallet: str, name: str) -> object:
        if (pallet, name) != ("Licences", "buy"):
            raise LookupError(name)
        return object()

    with_licences = SimpleNamespace(call_variant=call_variant)
    assert runtime_features(with_licences) == {Feature.LICENCES}

    def missing(pallet: str, name: str) -> object:
        raise LookupError(pallet)

    assert runtime_features(SimpleNamespace(call_variant=missing)) == frozenset()
