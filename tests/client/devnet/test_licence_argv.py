"""The devnet's keeper and generation command lines, parsed by the real ``deepshard`` commands.

Each argv the devnet would start is handed to the click command that ``deepshard worker
keeper`` and ``deepshard infer generate`` really are (no process started): every option must
exist and carry the value the devnet means, the keeper's bond must meet the runtime's
``KeeperMinBond``, its threshold must never exceed the number of keepers, and the buyer's key
on the generation command line must be the buyer's account. The round view shows the prompt and
what the licensed model made of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from rich.console import Console

from deepshard.client.cli import app
from deepshard.client.devnet.children import deepshard_argv
from deepshard.client.devnet.runner import Devnet, DevnetOptions, Endpoints
from deepshard.client.devnet.state import DevnetState, Ports, Role, Topology
from deepshard.client.devnet.summary import Names, render_round
from deepshard.client.devnet.tracker import RoundReport
from deepshard.offchain_workers.worker.keys import load_key
from deepshard.runtime.configs import LICENCES

PORTS = Ports((9944,), (30333,), 5001, 8080)


class _Quiet:
    """A view that shows nothing (the argv builders never draw)."""

    def show_endpoints(self, endpoints: Endpoints) -> None:
        """Nothing."""

    def refresh(self, devnet: Devnet) -> None:
        """Nothing."""

    def message(self, text: str) -> None:
        """Nothing."""


def _devnet(tmp_path: Path, keepers: int, **options: Any) -> tuple[Devnet, DevnetState]:
    topology = Topology(validators=1, keepers=keepers)
    devnet = Devnet(DevnetOptions(topology=topology, directory=tmp_path, **options), _Quiet())
    return devnet, DevnetState.create(topology, PORTS)


def _parse(argv: list[str]) -> tuple[str, dict[str, Any]]:
    """The leaf command's name and its parsed parameters (as click hands them to it)."""
    prefix = deepshard_argv()
    assert argv[: len(prefix)] == prefix
    args = argv[len(prefix) :]
    command: Any = typer.main.get_command(app)
    while isinstance(getattr(command, "commands", None), dict):
        name, args = args[0], args[1:]
        command = command.commands[name]
    context = command.make_context(command.name, list(args))
    return str(command.name), dict(context.params)


@pytest.mark.parametrize(("keepers", "threshold"), [(1, 1), (2, 2), (3, 2), (5, 2)])
def test_keepers_start_with_options_their_command_has(
    tmp_path: Path, keepers: int, threshold: int
) -> None:
    devnet, state = _devnet(tmp_path, keepers)
    for index, account in enumerate(state.of(Role.KEEPER)):
        name, params = _parse(devnet._worker_argv(state, account, index))
        assert name == "keeper"
        assert params["threshold"] == threshold <= keepers
        assert params["grace_blocks"] == devnet.options.keeper_grace
        assert params["bond"] >= int(LICENCES.keeper_min_bond)
        assert params["keystore"] == devnet.layout.worker_keystore(account.name)
        assert params["ipfs_api"] == "http://127.0.0.1:5001"
        assert params["node"] == "ws://127.0.0.1:9944"


def test_other_workers_get_no_keeper_options(tmp_path: Path) -> None:
    devnet, state = _devnet(tmp_path, 2)
    name, params = _parse(devnet._worker_argv(state, state.of(Role.SCORER)[0], 0))
    assert name == "scorer"
    assert "threshold" not in params


def test_generation_runs_as_the_buyer_on_the_devnet(tmp_path: Path) -> None:
    devnet, state = _devnet(tmp_path, 2, prompt="--looks like an option")
    devnet.endpoints = Endpoints(
        rpc=("ws://127.0.0.1:9944",),
        p2p=("/ip4/127.0.0.1/tcp/30333",),
        ipfs_api="http://127.0.0.1:5001",
        gateway="http://127.0.0.1:5001/ipfs/",
        explorer="http://127.0.0.1:8081/",
        directory=tmp_path,
    )
    name, params = _parse(devnet._generate_argv(state, 1))
    assert name == "generate"
    assert params["version"] == 1
    assert params["prompt"] == "--looks like an option"
    assert params["as_json"] is True
    assert params["base_model"] is None  # fetched by the manifest's CID
    assert params["ipfs_api"] == "http://127.0.0.1:5001"
    buyer = state.one(Role.BUYER).keypair()
    assert load_key(params["key"], None).public_key == buyer.public_key


def test_the_round_view_shows_what_the_licensed_model_said() -> None:
    report = RoundReport(version=1, prompt="The licensed model says:", generated=" hello")
    console = Console(record=True, width=120)
    console.print(render_round(report, Names(None)))
    text = console.export_text()
    assert "licensed model (version 1): The licensed model says: hello" in text
