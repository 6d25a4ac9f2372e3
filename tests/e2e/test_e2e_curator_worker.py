"""Two curator worker processes curate real batches on a running dev node.

An informant adds two batches to the embedded content store (a good one, new text from the
corpus, and one of random bytes) and submits them on chain; two ``deepshard worker curator``
processes bond, fetch each batch by CID, judge it and vote: the good batch is accepted, the bad
one rejected. One worker is killed with SIGKILL after voting and restarted: it submits nothing
again (its nonce does not move) and keeps following the chain.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("datasketch")

from deepshard.client.rpc.client import ChainClient
from deepshard.offchain_workers.content.cids import cid_bytes
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.ml.corpus import bootstrap_corpus
from deepshard.offchain_workers.worker.curator import phase_name
from deepshard.primitives.crypto import dev_keypair

from .conftest import deepshard_command

pytestmark = pytest.mark.e2e

UNIT = 10**12
ALICE = dev_keypair("Alice")
CURATORS = {"Bob": dev_keypair("Bob"), "Charlie": dev_keypair("Charlie")}


def _jsonl(texts: list[str]) -> bytes:
    return "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()


def _start_worker(name: str, node_url: str, repo: Path, tmp: Path) -> subprocess.Popen[bytes]:
    log = (tmp / f"{name}.log").open("ab")
    return subprocess.Popen(
        [
            *deepshard_command(),
            "worker",
            "curator",
            "--node",
            node_url,
            "--key",
            f"//{name}",
            "--repo",
            str(repo),
            "--state",
            str(tmp / f"{name}.sqlite"),
            "--bond",
            str(200 * UNIT),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def _wait(predicate: Any, what: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_curators_vote_and_a_batch_is_accepted(dev_node: Any, tmp_path: Path) -> None:
    repo = tmp_path / "ipfs"
    texts = bootstrap_corpus()
    good = _jsonl([t[:3000] for t in texts[10:30]])
    bad = _jsonl([os.urandom(400).decode("latin-1") for _ in range(20)])

    async def add() -> tuple[bytes, bytes]:
        async with EmbeddedStore(repo) as store:
            return (
                cid_bytes((await store.add_bytes(good)).cid),
                cid_bytes((await store.add_bytes(bad)).cid),
            )

    good_cid, bad_cid = asyncio.run(add())
    workers = {n: _start_worker(n, dev_node.ws_url, repo, tmp_path) for n in CURATORS}
    try:
        asyncio.run(
            _scenario(
                dev_node.ws_url,
                good_cid=good_cid,
                bad_cid=bad_cid,
                workers=workers,
                repo=repo,
                tmp=tmp_path,
            )
        )
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for name in CURATORS:
            print((tmp_path / f"{name}.log").read_text()[-3000:])


async def _scenario(
    url: str,
    *,
    good_cid: bytes,
    bad_cid: bytes,
    workers: dict[str, subprocess.Popen[bytes]],
    repo: Path,
    tmp: Path,
) -> None:
    async with ChainClient.connect(url) as chain:
        period = chain.compose("Informants", "set_voting_period", period=12)
        (
            await chain.sign_and_submit(chain.compose("Sudo", "sudo", call=period), ALICE)
        ).ensure_success()

        async def bonded() -> bool:
            for key in CURATORS.values():
                ledger = await chain.query("Informants", "Curators", key.public_key)
                if not ledger or int(ledger["active"]) < 200 * UNIT:
                    return False
            return True

        await _wait(bonded, "the curators' bonds")
        first = int(await chain.query("Informants", "NextBatchId"))
        for cid in (good_cid, bad_cid):
            call = chain.compose(
                "Informants",
                "submit_batch",
                cid=cid,
                byte_size=1000,
                item_count=20,
                stake=20 * UNIT,
                metadata_cid=b"",
            )
            (await chain.sign_and_submit(call, ALICE)).ensure_success()
        good_id, bad_id = first, first + 1

        async def voted() -> bool:
            for key in CURATORS.values():
                for batch_id in (good_id, bad_id):
                    if await chain.query("Informants", "Votes", batch_id, key.public_key) is None:
                        return False
            return True

        await _wait(voted, "both curators' votes")
        for key in CURATORS.values():
            good_vote = await chain.query("Informants", "Votes", good_id, key.public_key)
            bad_vote = await chain.query("Informants", "Votes", bad_id, key.public_key)
            assert good_vote["aye"] is True
            assert int(good_vote["scores"]["novelty"]) > 0
            assert bad_vote["aye"] is False

        # SIGKILL Bob after his votes and restart him: he submits nothing again.
        bob = CURATORS["Bob"]
        nonce = await chain.account_nonce(bob.public_key)
        workers["Bob"].send_signal(signal.SIGKILL)
        workers["Bob"].wait()
        workers["Bob"] = _start_worker("Bob", url, repo, tmp)

        async def decided() -> bool:
            phases = []
            for batch_id in (good_id, bad_id):
                batch = await chain.query("Informants", "Batches", batch_id)
                phases.append(phase_name(batch["phase"]))
            return phases == ["Accepted", "Rejected"]

        await _wait(decided, "the batches to be decided")
        assert await chain.account_nonce(bob.public_key) == nonce
        assert workers["Bob"].poll() is None
