"""``deepshard devnet`` end to end: a reduced network plays a whole round, resumes, stops cleanly.

The reduced configuration CI runs (one validator, 2 curators, 3 honest trainers, 1 poisoner,
2 scorers, 2 keepers sharing the new version's key 2-of-2) must end with exit code 0, the keepers
having registered the new version's ciphertext, the buyer's licence granted and the licensed
model having generated text; its JSON summary is then checked against the chain it left behind:
a node is started on the devnet's own database and py-substrate-interface, unmodified, reads the
round, the scores, the bonds, the model versions, the keepers' bonds and the buyer's licence.
A second run on the same ``--dir`` resumes the same chain (same genesis, same batch and round,
nothing proposed twice, the licence kept and the model generating again). A devnet interrupted
with SIGINT while its workers run exits with 130 and leaves no process behind (every process on
the machine is checked by its command line).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")

from substrateinterface import Keypair, SubstrateInterface

from .conftest import deepshard_command, free_port

# about six minutes on two cores; CI runs it (`make e2e`)
pytestmark = pytest.mark.e2e

UNIT = 10**12
TRAINER_BOND = 150 * UNIT
KEEPER_BOND = 1_000 * UNIT
REDUCED = [
    "--validators",
    "1",
    "--curators",
    "2",
    "--trainers",
    "3",
    "--poisoners",
    "1",
    "--scorers",
    "2",
    "--keepers",
    "2",
]
DEVNET_TIMEOUT = 1200


def _devnet(directory: Path, *extra: str, timeout: int = DEVNET_TIMEOUT) -> tuple[int, Any, str]:
    """Run ``deepshard devnet --dir directory --json ...``; return (code, summary, stderr)."""
    done = subprocess.run(
        [*deepshard_command(), "devnet", "--dir", str(directory), "--json", *extra],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        check=False,
    )
    try:
        summary = json.loads(done.stdout)
    except ValueError:
        summary = None
    return done.returncode, summary, done.stderr


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention `text` (this test's own excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(f"{entry.name}: {cmdline}")
    return found


def _logs(directory: Path) -> str:
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}"
        for log in sorted((directory / "logs").glob("*.log"))
    )


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A reduced devnet run to the end of its round: (its directory, its JSON summary)."""
    directory = tmp_path_factory.mktemp("devnet") / "d"
    code, summary, stderr = _devnet(directory, *REDUCED)
    assert code == 0, f"devnet exited {code}: {summary and summary['reason']}\n{stderr[-4000:]}"
    assert not _processes_mentioning(str(directory)), "children outlived the devnet"
    return directory, summary


@pytest.fixture
def chain(played: tuple[Path, Any]) -> Iterator[SubstrateInterface]:
    """substrate-interface on a node started on the devnet's validator database (closed after
    the test: the resumed devnet needs the database)."""
    directory, _ = played
    port = free_port()
    log = (directory / "logs" / "check-node.log").open("wb")
    node = subprocess.Popen(
        [
            *deepshard_command(),
            "node",
            "--chain",
            str(directory / "chain-spec.json"),
            "--base-path",
            str(directory / "nodes" / "validator-1"),
            "--rpc-port",
            str(port),
            "--no-network",
            "--pruning",
            "archive",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                interface = SubstrateInterface(url=f"ws://127.0.0.1:{port}")
                break
            except (OSError, ConnectionError):
                assert node.poll() is None, "the check node exited"
                assert time.monotonic() < deadline, "the check node did not answer"
                time.sleep(0.5)
        yield interface
        interface.close()
    finally:
        node.send_signal(signal.SIGINT)
        try:
            node.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
        log.close()


def _account(summary: Any, name: str) -> str:
    return next(a["address"] for a in summary["accounts"] if a["name"] == name)


def test_the_round_worked_and_the_summary_says_so(played: tuple[Path, Any]) -> None:
    _, summary = played
    assert summary["ok"] is True
    assert summary["checks"] == {
        "roundClosed": True,
        "poisonersSlashed": True,
        "honestPaid": True,
        "lowerHeldOutLoss": True,
    }
    states = {s["step"]: s["state"] for s in summary["steps"]}
    for step in ("genesis", "network", "workers", "bonds", "rules", "batch", "votes", "round"):
        assert states[step] == "done", step
    for step in ("commits", "reveals", "scores", "verdicts", "payout"):
        assert states[step] == "done", step
    for step in ("keepers", "licence", "generate"):
        assert states[step] == "done", step
    licence = summary["licence"]
    assert licence["ciphertextRegistered"] is True
    assert licence["granted"] is True
    assert isinstance(licence["purchaseId"], int)
    assert isinstance(licence["generated"], str)
    assert licence["generated"]
    verdicts = {t["name"]: t["verdict"] for t in summary["round"]["trainers"]}
    assert verdicts == {
        "trainer-1": "accepted",
        "trainer-2": "accepted",
        "trainer-3": "accepted",
        "poisoner-1": "outlier",
    }
    assert summary["batch"]["outcome"] == "Accepted"
    assert [v["aye"] for v in summary["batch"]["votes"]] == [True, True]


def test_the_summary_matches_the_chain(played: tuple[Path, Any], chain: SubstrateInterface) -> None:
    _, summary = played
    assert "0x" + chain.get_block_hash(0).removeprefix("0x") == summary["genesisHash"]
    round_id = summary["round"]["id"]
    stored = chain.query("Training", "Rounds", [round_id]).value
    assert stored["phase"] == "Closed"
    assert stored["paid"] == summary["round"]["paid"]
    honest = {_account(summary, f"trainer-{i}") for i in (1, 2, 3)}
    assert {Keypair(ss58_address=a).ss58_address for a in stored["accepted"]} == honest
    rewards = {t["name"]: t["reward"] for t in summary["round"]["trainers"]}
    assert sum(rewards.values()) == stored["paid"]

    version = summary["version"]
    new = chain.query("Training", "ModelVersions", [version["id"]]).value
    parent = chain.query("Training", "ModelVersions", [version["parent"]]).value
    assert new["held_out_loss"] == version["heldOutLoss"]
    assert parent["held_out_loss"] == version["parentHeldOutLoss"]
    assert new["held_out_loss"] < parent["held_out_loss"]
    assert new["round_id"] == round_id
    assert chain.query("Training", "CurrentVersion").value == version["id"]

    poisoner = next(t for t in summary["round"]["trainers"] if t["name"] == "poisoner-1")
    assert poisoner["slashed"] > 0
    bond = chain.query("Training", "TrainerBonds", [poisoner["address"]]).value
    assert bond["active"] == TRAINER_BOND - poisoner["slashed"]

    for trainer in summary["round"]["trainers"]:
        for scorer_name, row in trainer["scores"].items():
            rows = chain.query(
                "Training", "Scores", [round_id, _account(summary, scorer_name)]
            ).value
            assert row in rows

    batch = chain.query("Informants", "Batches", [summary["batch"]["id"]]).value
    assert batch is not None

    for keeper in ("keeper-1", "keeper-2"):
        info = chain.query("Licences", "Keepers", [_account(summary, keeper)]).value
        assert info["bond"] == KEEPER_BOND
    ciphertext = chain.query("Licences", "Ciphertexts", [version["id"]]).value
    assert ciphertext["threshold"] == 2
    assert len(ciphertext["keepers"]) == 2
    purchase_id = chain.query(
        "Licences", "LicencesOf", [_account(summary, "buyer"), version["id"]]
    ).value
    assert purchase_id == summary["licence"]["purchaseId"]


def test_a_second_run_resumes_the_same_network(played: tuple[Path, Any]) -> None:
    directory, first = played
    code, summary, stderr = _devnet(directory)
    assert code == 0, stderr[-4000:]
    assert summary["resumed"] is True
    assert summary["genesisHash"] == first["genesisHash"]
    assert summary["batch"]["id"] == first["batch"]["id"]
    assert summary["round"]["id"] == first["round"]["id"]
    assert summary["version"] == first["version"]
    assert [a["address"] for a in summary["accounts"]] == [a["address"] for a in first["accounts"]]
    states = {s["step"]: s["state"] for s in summary["steps"]}
    for step in ("keepers", "licence", "generate"):
        assert states[step] == "done", step
    assert summary["licence"]["generated"]
    batch_step = next(s for s in summary["steps"] if s["step"] == "batch")
    assert batch_step["detail"].startswith(f"batch {first['batch']['id']} proposed at")
    # different role counts do not silently start over
    code, summary, _ = _devnet(directory, "--trainers", "5", timeout=120)
    assert code == 4
    assert "holds a devnet of 1 validators" in summary["reason"]
    assert not _processes_mentioning(str(directory))


def test_sigint_stops_every_child(tmp_path: Path) -> None:
    directory = tmp_path / "interrupted"
    devnet = subprocess.Popen(
        [
            *deepshard_command(),
            "devnet",
            "--dir",
            str(directory),
            "--validators",
            "1",
            "--curators",
            "1",
            "--trainers",
            "1",
            "--poisoners",
            "0",
            "--scorers",
            "1",
            "--keepers",
            "1",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 600
        while True:
            logs = directory / "logs"
            workers = ["curator-1", "trainer-1", "scorer-1", "keeper-1"]
            if logs.is_dir() and all((logs / f"{w}.log").exists() for w in workers):
                break
            assert devnet.poll() is None, devnet.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the devnet never started its workers"
            time.sleep(0.5)
        time.sleep(3)
        running = _processes_mentioning(str(directory))
        assert len(running) >= 7, running  # node, ipfs, 2 explorer processes, 4 workers
        devnet.send_signal(signal.SIGINT)
        out, err = devnet.communicate(timeout=120)
    finally:
        if devnet.poll() is None:
            devnet.kill()
    assert devnet.returncode == 130, err[-3000:]
    summary = json.loads(out)
    assert summary["reason"] == "interrupted"
    assert not _processes_mentioning(str(directory)), _logs(directory)
