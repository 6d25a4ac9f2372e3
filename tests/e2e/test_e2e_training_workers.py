"""Trainer and scorer worker processes bond on a running dev node, once, across a SIGKILL.

``deepshard worker trainer`` and ``deepshard worker scorer`` start against the dev node with a
bond: each bond call is composed from the node's metadata (the ``Role`` enum included), signed
and included, and the ledgers read back from ``Training.TrainerBonds``/``ScorerBonds``. Each
worker is then killed with SIGKILL and restarted on the same state file: neither signs anything
again (its nonce does not move) and both keep following the chain. (The full round — curators,
3 honest trainers and a poisoner, 2 scorers, slash, pay, new version — is not covered here.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")

from deepshard.client.rpc.client import ChainClient
from deepshard.primitives.crypto import dev_keypair

from .conftest import deepshard_command

pytestmark = pytest.mark.e2e

UNIT = 10**12
BOND = 150 * UNIT
WORKERS = {"Dave": ("trainer", "TrainerBonds"), "Eve": ("scorer", "ScorerBonds")}


def _start(name: str, role: str, url: str, tmp: Path) -> subprocess.Popen[bytes]:
    log = (tmp / f"{name}.log").open("ab")
    return subprocess.Popen(
        [
            *deepshard_command(),
            "worker",
            role,
            "--node",
            url,
            "--key",
            f"//{name}",
            "--repo",
            str(tmp / "ipfs"),
            "--state",
            str(tmp / f"{name}.sqlite"),
            "--bond",
            str(BOND),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def _wait(predicate: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


async def _scenario(url: str, workers: dict[str, subprocess.Popen[bytes]], tmp: Path) -> None:
    async with ChainClient.connect(url) as chain:

        async def bonded() -> bool:
            for name, (_, item) in WORKERS.items():
                ledger = await chain.query("Training", item, dev_keypair(name).public_key)
                if not ledger or int(ledger["active"]) < BOND:
                    return False
            return True

        await _wait(bonded, "the trainer's and scorer's bonds")
        nonces = {n: await chain.account_nonce(dev_keypair(n).public_key) for n in WORKERS}
        for name, (role, _) in WORKERS.items():
            workers[name].send_signal(signal.SIGKILL)
            workers[name].wait()
            workers[name] = _start(name, role, url, tmp)
        await asyncio.sleep(20)  # a few blocks: the restarted workers reconnect and follow
        for name in WORKERS:
            assert await chain.account_nonce(dev_keypair(name).public_key) == nonces[name]
            ledger = await chain.query("Training", WORKERS[name][1], dev_keypair(name).public_key)
            assert int(ledger["active"]) == BOND
            assert workers[name].poll() is None


def test_trainer_and_scorer_bond_once_across_sigkill(dev_node: Any, tmp_path: Path) -> None:
    workers = {n: _start(n, role, dev_node.ws_url, tmp_path) for n, (role, _) in WORKERS.items()}
    try:
        asyncio.run(_scenario(dev_node.ws_url, workers, tmp_path))
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for name in WORKERS:
            print((tmp_path / f"{name}.log").read_text()[-3000:])
