"""A whole training round with real processes: curators, trainers, a poisoner, scorers, SIGKILLs.

Everything a devnet runs, started as a user starts it:

* ``deepshard ml bootstrap --repo R --json`` bootstraps version 0 (a small byte-level Llama),
  pins it and the probe set in the embedded content store and measures its held-out loss;
* ``deepshard node --dev --genesis-model gm.json`` starts a dev chain whose genesis records that
  model, the dev round rules (20 steps x 4 x 128 tokens, 4 trainers, 2 scorers, 8/4/10/2 blocks)
  and a 6-block voting period;
* eight workers share the content store: 2 curators, 3 honest trainers, 1 trainer started with
  ``--poison random``, 2 scorers.

Alice submits a batch of the bundled corpus (CPython's pydoc topics, the ones held out for the
probe set excluded); the curators accept it; a round opens on it and draws all four trainers and
both scorers. One honest trainer is SIGKILLed after its commitment landed and before it revealed,
one scorer while it scores; both restart on the same state files. The chain's events and nonces
then show: every trainer committed once and revealed once, every scorer submitted once; the
poisoner was an outlier, its slash pending through the dispute window and then applied; the
three honest trainers were paid; version 1 was recorded with a held-out loss below version 0's.
Finally the test fetches version 1 by CID from the content store (base model directory and
adapter, verified against the chain's sha256), merges it, and generates text with it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

from deepshard.client.rpc.client import ChainClient
from deepshard.offchain_workers.content.cids import cid_bytes
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, split_held_out
from deepshard.offchain_workers.worker.curator import phase_name
from deepshard.offchain_workers.worker.rounds import account_bytes, load_parent
from deepshard.primitives.crypto import Keypair, dev_keypair

from .conftest import RunningNode, deepshard_command, start_node, stop_node

# About five minutes on two cores (bootstrap, eight workers, a 6-block vote, a 24-block round);
# CI runs it (`make e2e`), `make unit` does not.
pytestmark = pytest.mark.e2e

UNIT = 10**12
ALICE = dev_keypair("Alice")
CURATORS = ("Bob//stash", "Charlie//stash")
HONEST = ("Bob", "Charlie", "Dave")
POISONER = "Eve"
SCORERS = ("Ferdie", "Alice//stash")
TRAINER_KILLED = "Charlie"
SCORER_KILLED = "Ferdie"
BOND = 150 * UNIT


def _key(name: str) -> Keypair:
    return dev_keypair(name)


def _who(name: str) -> bytes:
    return _key(name).public_key


def _raw(value: Any) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def _slug(name: str) -> str:
    return name.replace("//", "-")


class Fleet:
    """The worker processes, their logs and state files."""

    def __init__(self, url: str, tmp: Path, repo: Path) -> None:
        self.url = url
        self.tmp = tmp
        self.repo = repo
        self.roles: dict[str, tuple[str, list[str]]] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, role: str, *extra: str) -> None:
        self.roles[name] = (role, list(extra))
        log = (self.tmp / f"{_slug(name)}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [
                *deepshard_command(),
                "worker",
                role,
                "--node",
                self.url,
                "--key",
                f"//{name}",
                "--repo",
                str(self.repo),
                "--state",
                str(self.tmp / f"{_slug(name)}.sqlite"),
                "--bond",
                str(BOND if role != "curator" else 200 * UNIT),
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def kill_and_restart(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait()
        role, extra = self.roles[name]
        self.start(name, role, *extra)

    def log(self, name: str) -> str:
        return (self.tmp / f"{_slug(name)}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _wait(predicate: Callable[[], Awaitable[Any]], what: str, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _batch() -> bytes:
    """Training texts of the bundled corpus (none of the probe set's held-out texts)."""
    train, _ = split_held_out(bootstrap_corpus())
    return "".join(json.dumps({"text": t[:3000]}) + "\n" for t in train[10:34]).encode()


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningNode, Fleet, dict]]:
    tmp = tmp_path_factory.mktemp("round")
    repo = tmp / "ipfs"
    cache = os.environ.get("DEEPSHARD_MODEL_CACHE") or str(tmp / "models")
    bootstrap = subprocess.run(
        [*deepshard_command(), "ml", "bootstrap", "--repo", str(repo), "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEEPSHARD_MODEL_CACHE": cache},
        check=False,
    )
    assert bootstrap.returncode == 0, bootstrap.stderr[-3000:]
    genesis_model = json.loads(bootstrap.stdout.strip().splitlines()[-1])
    (tmp / "gm.json").write_text(json.dumps(genesis_model))
    node = start_node(tmp, "--genesis-model", str(tmp / "gm.json"))
    fleet = Fleet(node.ws_url, tmp, repo)
    try:
        for name in CURATORS:
            fleet.start(name, "curator")
        for name in HONEST:
            fleet.start(name, "trainer")
        fleet.start(POISONER, "trainer", "--poison", "random")
        for name in SCORERS:
            fleet.start(name, "scorer")
        yield node, fleet, genesis_model
    finally:
        fleet.stop()
        stop_node(node)
        for name in fleet.processes:
            print(f"----- {name} -----\n{fleet.log(name)[-2500:]}")
        print(f"----- node -----\n{node.log()[-2500:]}")


async def _events_between(chain: ChainClient, first: int, last: int) -> list[tuple[int, Any]]:
    """``(block number, event)`` of every event of blocks `first`..=`last`."""
    events = []
    for number in range(first, last + 1):
        events.extend((number, e) for e in await chain.events(await chain.block_hash(number)))
    return events


def _of(events: list[tuple[int, Any]], name: str, round_id: int) -> list[dict[str, Any]]:
    return [
        {**e.fields, "block": number}
        for number, e in events
        if e.pallet == "Training" and e.name == name and int(e.fields["round_id"]) == round_id
    ]


async def _round_scenario(node: RunningNode, fleet: Fleet, genesis_model: dict) -> None:
    async with ChainClient.connect(node.ws_url) as chain:
        # 0. Genesis holds the real model and the dev round rules.
        v0 = await chain.query("Training", "ModelVersions", 0)
        assert "0x" + _raw(v0["base_cid"]).hex() == genesis_model["baseModelCid"]
        assert int(v0["held_out_loss"]) == genesis_model["heldOutLoss"]
        assert await chain.query("Training", "RoundSize") is not None

        async def bonded() -> bool:
            for name in (*HONEST, POISONER):
                ledger = await chain.query("Training", "TrainerBonds", _who(name))
                if not ledger or int(ledger["active"]) < BOND:
                    return False
            for name in SCORERS:
                ledger = await chain.query("Training", "ScorerBonds", _who(name))
                if not ledger or int(ledger["active"]) < BOND:
                    return False
            for name in CURATORS:
                ledger = await chain.query("Informants", "Curators", _who(name))
                if not ledger or int(ledger["active"]) < 200 * UNIT:
                    return False
            return True

        await _wait(bonded, "every worker's bond", 120)

        # 1. Alice submits a batch of the bundled corpus; the curators accept it.
        async with EmbeddedStore(fleet.repo) as store:
            batch = _batch()
            cid = cid_bytes((await store.add_bytes(batch)).cid)
        batch_id = int(await chain.query("Informants", "NextBatchId"))
        call = chain.compose(
            "Informants",
            "submit_batch",
            cid=cid,
            byte_size=len(batch),
            item_count=batch.count(b"\n"),
            stake=20 * UNIT,
            metadata_cid=b"",
        )
        (await chain.sign_and_submit(call, ALICE)).ensure_success()

        # 2. A round opens on it and draws all four trainers and both scorers.
        round_id = int(await chain.query("Training", "NextRoundId"))

        async def opened() -> Any:
            return await chain.query("Training", "Rounds", round_id)

        round_ = await _wait(opened, "the round to open", 120)
        assert int(round_["batch_id"]) == batch_id
        drawn = {account_bytes(w) for w, _ in round_["trainers"]}
        assert drawn == {_who(n) for n in (*HONEST, POISONER)}
        assert {account_bytes(w) for w, _ in round_["scorers"]} == {_who(n) for n in SCORERS}
        opened_at = int(round_["commit_ends"]) - 8
        assert int(round_["profile"]["steps"]) == 20

        # 3. SIGKILL an honest trainer between its commitment and its reveal; restart it.
        victim = _who(TRAINER_KILLED)

        async def committed() -> bool:
            return await chain.query("Training", "Commitments", round_id, victim) is not None

        await _wait(committed, f"{TRAINER_KILLED}'s commitment", 150)
        assert await chain.query("Training", "Reveals", round_id, victim) is None
        trainer_nonce = await chain.account_nonce(victim)
        fleet.kill_and_restart(TRAINER_KILLED)

        # 4. SIGKILL a scorer while it scores; restart it.
        async def scoring() -> bool:
            return "scoring" in fleet.log(SCORER_KILLED)

        await _wait(scoring, f"{SCORER_KILLED} to start scoring", 150)
        scorer = _who(SCORER_KILLED)
        assert await chain.query("Training", "Scores", round_id, scorer) is None
        scorer_nonce = await chain.account_nonce(scorer)
        fleet.kill_and_restart(SCORER_KILLED)

        # 5. The round closes.
        async def closed() -> Any:
            r = await chain.query("Training", "Rounds", round_id)
            return r if phase_name(r["phase"]) == "Closed" else None

        final = await _wait(closed, "the round to close", 200)
        closed_at = int(final["dispute_ends"])
        events = await _events_between(chain, opened_at, closed_at)

        # Every trainer committed once and revealed once; every scorer scored once.
        for name in (*HONEST, POISONER):
            who = _who(name)
            commits = [
                e for e in _of(events, "Committed", round_id) if account_bytes(e["trainer"]) == who
            ]
            reveals = [
                e for e in _of(events, "Revealed", round_id) if account_bytes(e["trainer"]) == who
            ]
            assert (len(commits), len(reveals)) == (1, 1), name
        for name in SCORERS:
            who = _who(name)
            submitted = [
                e
                for e in _of(events, "ScoresSubmitted", round_id)
                if account_bytes(e["scorer"]) == who
            ]
            assert len(submitted) == 1, name
        # The restarted processes signed exactly what was left: one reveal, one score vector.
        assert await chain.account_nonce(victim) == trainer_nonce + 1
        assert await chain.account_nonce(scorer) == scorer_nonce + 1
        assert len(final["revealed"]) == 4
        # Honest replicas in separate processes are bit-identical (deterministic profile).
        shas = {
            account_bytes(e["trainer"]): _raw(e["sha256"])
            for e in _of(events, "Revealed", round_id)
        }
        assert len({shas[_who(n)] for n in HONEST}) == 1
        assert shas[_who(POISONER)] != shas[_who(HONEST[0])]

        # The poisoner is the outlier: slash pending through the dispute window, then applied.
        poisoner = _who(POISONER)
        (aggregated,) = _of(events, "RoundAggregated", round_id)
        assert phase_name(aggregated["outcome"]) == "Accepted"
        assert {account_bytes(w) for w in aggregated["outliers"]} == {poisoner}
        assert {account_bytes(w) for w in aggregated["accepted"]} == {_who(n) for n in HONEST}
        (pending,) = _of(events, "SlashPending", round_id)
        assert account_bytes(pending["trainer"]) == poisoner
        assert pending["outlier"] is True
        (applied,) = _of(events, "SlashApplied", round_id)
        assert account_bytes(applied["trainer"]) == poisoner
        assert int(applied["amount"]) == int(pending["amount"]) > 0
        # It waited out the dispute window: pending at the score deadline, applied at the close.
        assert pending["block"] == int(final["score_ends"])
        assert applied["block"] == closed_at > pending["block"]
        ledger = await chain.query("Training", "TrainerBonds", poisoner)
        assert int(ledger["active"]) == BOND - int(applied["amount"])

        # The honest trainers are paid.
        rewarded = {
            account_bytes(e["trainer"]): int(e["amount"])
            for e in _of(events, "TrainerRewarded", round_id)
        }
        assert set(rewarded) == {_who(n) for n in HONEST}
        assert all(amount > 0 for amount in rewarded.values())

        # Version 1: the honest adapter on version 0, held-out loss below its parent's.
        version_id = int(final["new_version"])
        assert version_id == 1
        v1 = await chain.query("Training", "ModelVersions", version_id)
        assert int(v1["parent"]) == 0
        assert len(v1["adapters"]) == 1  # three bit-identical honest adapters: one record
        assert int(v1["held_out_loss"]) < int(v0["held_out_loss"])

        # 6. Fetched by CID (verified), merged, it generates text.
        async with EmbeddedStore(fleet.repo) as store:
            parent = await load_parent(chain, store, version_id, fleet.tmp / "reader", None)
        _generate(parent.base, parent.adapters)


def _generate(base: Path, adapters: list[bytes]) -> None:
    import torch  # noqa: PLC0415

    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415

    merged, codec = load_version(base, adapters)
    original, _ = load_version(base, [])
    assert any(
        not torch.equal(a, b)
        for a, b in zip(merged.state_dict().values(), original.state_dict().values(), strict=True)
    )
    prompt = torch.tensor([codec.encode("The for statement")])
    torch.manual_seed(0)
    out = merged.generate(prompt, max_new_tokens=48, min_new_tokens=16, do_sample=False)
    text = codec.decode(out[0, prompt.shape[1] :].tolist())
    print(f"version 1 says: {text!r}")
    assert len(text.strip()) > 0


def test_a_training_round_with_real_workers(network: tuple[RunningNode, Fleet, dict]) -> None:
    node, fleet, genesis_model = network
    asyncio.run(_round_scenario(node, fleet, genesis_model))
