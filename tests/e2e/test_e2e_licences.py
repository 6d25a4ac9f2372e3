"""A licence's whole life on a dev node: a trained version bought, its keys delivered, served.

Real processes throughout: a ``deepshard node --dev``; three ``deepshard worker keeper``
processes (t = 2 of n = 3) sharing an embedded content store; ``deepshard infer serve`` and
``deepshard infer generate``. py-substrate-interface (the independent client) plays a training
round as ``test_e2e_training`` does, but the five honest trainers reveal a *real* LoRA adapter,
trained here on the round's shard with the round's seed and pinned in the store, so version 1
is one a training round produced. Then:

1. the keepers bond with their box keys; the elected one encrypts version 1 once, pins the
   ciphertext and registers it with three sealed shares;
2. Alice buys a licence (a signed ``Licences.buy`` with her box key); the keepers deliver
   their shares, re-sealed to her; the purchase is served and ``LicencesOf`` records it;
3. ``deepshard infer serve --key //Alice`` unlocks and serves the version: the ``openai``
   client gets a completion and a streamed chat answer;
4. ``deepshard infer serve --key //Ferdie`` (no licence) is refused with exit status 1;
5. one keeper is killed; Eve buys; the two remaining keepers serve her (t = 2 still met) and
   ``deepshard infer generate --key //Eve`` completes a prompt;
6. the killed keeper restarts on its state file and signs nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytest.importorskip("torch")
openai = pytest.importorskip("openai")

from substrateinterface import Keypair, SubstrateInterface  # noqa: E402

from deepshard.primitives.crypto import Keypair as OurKeypair  # noqa: E402
from deepshard.primitives.crypto.box_key import licence_box_public_key  # noqa: E402

from .conftest import deepshard_command  # noqa: E402

pytestmark = pytest.mark.e2e

UNIT = 10**12
ALICE = Keypair.create_from_uri("//Alice")
EVE = Keypair.create_from_uri("//Eve")
NAMES = ("Bob", "Charlie", "Dave", "Eve", "Ferdie")
TRAINERS = tuple(Keypair.create_from_uri(f"//{name}") for name in NAMES)
SCORERS = tuple(Keypair.create_from_uri(f"//{name}//stash") for name in NAMES)
KEEPERS = ("//Bob//stash", "//Charlie//stash", "//Dave//stash")
KEEPER_BOND = 2_000 * UNIT
BATCH_CID = bytes.fromhex("01551220") + bytes(range(10, 42))
SALT = b"licence-e2e-salt"
GOOD = [2_000_000, 50_000, -1_000_000, 300_000, 10_000]
CRITERIA = {
    "novelty": 80,
    "reproducibility": 70,
    "alignment": 90,
    "truthfulness": 60,
    "objectivity": 100,
}
MODEL = "deepshard-v1"


def wait_for(what: str, predicate: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def submit_all(ws: SubstrateInterface, calls: list[tuple[Keypair, Any]]) -> None:
    """One extrinsic per signer; wait for the last one's inclusion, which must succeed."""
    for signer, call in calls[:-1]:
        ws.submit_extrinsic(ws.create_signed_extrinsic(call=call, keypair=signer))
    signer, call = calls[-1]
    receipt = ws.submit_extrinsic(
        ws.create_signed_extrinsic(call=call, keypair=signer), wait_for_inclusion=True
    )
    assert receipt.is_success, receipt.error_message


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def ws(dev_node: Any) -> Iterator[SubstrateInterface]:
    interface = SubstrateInterface(url=dev_node.ws_url)
    yield interface
    interface.close()


def _pin(repo: Path, data: bytes) -> bytes:
    import asyncio  # noqa: PLC0415

    from deepshard.offchain_workers.content.embedded import EmbeddedStore  # noqa: PLC0415

    async def add() -> bytes:
        async with EmbeddedStore(repo) as store:
            entry = await store.add_bytes(data)
            return bytes(entry.cid)

    return asyncio.run(add())


def _train(base: Path, seed: bytes, layers: tuple[int, int]) -> bytes:
    """A real LoRA adapter for the round: its seed, its shard, a few steps on local text."""
    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.corpus import bootstrap_corpus  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec, TrainingProfile  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    model, codec = load_version(base, [])
    texts = [t[:400] for t in bootstrap_corpus()[:8]]
    return train_adapter(
        model, codec, texts, RoundSpec(seed, layers, TrainingProfile(steps=3, batch_size=2))
    ).blob


def _play_round(ws: SubstrateInterface, base: Path, repo: Path) -> tuple[bytes, bytes]:
    """A batch accepted, a round trained with a real adapter, scored, closed: version 1."""
    training = "Training"
    periods = {"commit": 2, "reveal": 2, "score": 2, "dispute": 2}
    root = ws.compose_call(
        "Utility",
        "batch_all",
        {
            "calls": [
                ws.compose_call(training, "set_round_periods", {"periods": periods}),
                # the dev genesis draws 4 trainers and 2 scorers; this round draws all five
                ws.compose_call(
                    training, "set_round_size", {"size": {"trainers": 5, "scorers": 5}}
                ),
                ws.compose_call("Informants", "set_voting_period", {"period": 2}),
            ]
        },
    )
    trainer_bond = ws.compose_call(training, "bond", {"role": "Trainer", "amount": 200 * UNIT})
    scorer_calls = ws.compose_call(
        "Utility",
        "batch_all",
        {
            "calls": [
                ws.compose_call(training, "bond", {"role": "Scorer", "amount": 150 * UNIT}),
                ws.compose_call("Informants", "bond_curator", {"amount": 200 * UNIT}),
            ]
        },
    )
    submit_all(
        ws,
        [
            *[(k, trainer_bond) for k in TRAINERS],
            *[(k, scorer_calls) for k in SCORERS],
            (ALICE, ws.compose_call("Sudo", "sudo", {"call": root})),
        ],
    )
    wait_for(
        "the bonds",
        lambda: tuple(ws.query(training, "BondedCounts").value) == (5, 5),
    )
    batch_id = ws.query("Informants", "NextBatchId").value
    round_id = ws.query(training, "NextRoundId").value
    submit = ws.compose_call(
        "Informants",
        "submit_batch",
        {
            "cid": "0x" + BATCH_CID.hex(),
            "byte_size": 10_000,
            "item_count": 100,
            "stake": 20 * UNIT,
            "metadata_cid": "0x",
        },
    )
    submit_all(ws, [(ALICE, submit)])
    vote = ws.compose_call(
        "Informants", "vote", {"batch_id": batch_id, "aye": True, "scores": CRITERIA}
    )
    submit_all(ws, [(k, vote) for k in SCORERS])
    wait_for("the round", lambda: ws.query(training, "ActiveRound").value == round_id)
    round_ = ws.query(training, "Rounds", [round_id]).value
    shards = ws.query(training, "ModelVersions", [0]).value["shards"]
    layers = tuple(shards[round_["shard"]])
    seed = bytes.fromhex(round_["seed"].removeprefix("0x"))
    blob = _train(base, seed, (int(layers[0]), int(layers[1])))
    cid, sha = _pin(repo, blob), hashlib.sha256(blob).digest()

    def phase() -> str:
        return str(ws.query(training, "Rounds", [round_id]).value["phase"])

    commits = [
        (
            k,
            ws.compose_call(
                training,
                "commit",
                {
                    "round_id": round_id,
                    "commitment": "0x"
                    + hashlib.blake2b(cid + sha + SALT + k.public_key, digest_size=32).hexdigest(),
                },
            ),
        )
        for k in TRAINERS
    ]
    assert phase() == "Commit", "training took longer than the commit phase"
    submit_all(ws, commits)
    wait_for("the reveal phase", lambda: phase() == "Reveal")
    reveal = ws.compose_call(
        training,
        "reveal",
        {
            "round_id": round_id,
            "cid": "0x" + cid.hex(),
            "sha256": "0x" + sha.hex(),
            "salt": "0x" + SALT.hex(),
        },
    )
    submit_all(ws, [(k, reveal) for k in TRAINERS])
    wait_for("the score phase", lambda: phase() == "Score")
    revealed = ws.query(training, "Rounds", [round_id]).value["revealed"]
    scores = ws.compose_call(
        training, "submit_scores", {"round_id": round_id, "scores": [GOOD for _ in revealed]}
    )
    submit_all(ws, [(k, scores) for k in SCORERS])
    wait_for("the close", lambda: phase() == "Closed", timeout=180)
    assert ws.query(training, "CurrentVersion").value == 1
    version = ws.query(training, "ModelVersions", [1]).value
    assert version["adapters"] == [
        {"shard": round_["shard"], "cid": "0x" + cid.hex(), "sha256": "0x" + sha.hex()}
    ]
    return cid, blob


def _keeper(
    n: int, url: str, tmp: Path, metrics_port: int | None = None
) -> subprocess.Popen[bytes]:
    log = (tmp / f"keeper{n}.log").open("ab")
    metrics = [] if metrics_port is None else ["--prometheus-port", str(metrics_port)]
    return subprocess.Popen(
        [
            *deepshard_command(),
            "worker",
            "keeper",
            "--node",
            url,
            "--key",
            KEEPERS[n],
            "--repo",
            str(tmp / "ipfs"),
            "--state",
            str(tmp / f"keeper{n}.sqlite"),
            "--bond",
            str(KEEPER_BOND),
            "--threshold",
            "2",
            "--grace-blocks",
            "3",
            *metrics,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _buy(ws: SubstrateInterface, buyer: Keypair, uri: str) -> int:
    """Buy version 1 with `uri`'s box key; wait until it is served; return the purchase id."""
    purchase_id = ws.query("Licences", "NextPurchaseId").value
    box = licence_box_public_key(OurKeypair.from_uri(uri))
    call = ws.compose_call(
        "Licences",
        "buy",
        {"version": 1, "buyer_box_key": "0x" + box.hex(), "max_price": 10**6 * UNIT},
    )
    submit_all(ws, [(buyer, call)])
    wait_for(
        f"purchase {purchase_id} served",
        lambda: ws.query("Licences", "Purchases", [purchase_id]).value["phase"] == "Served",
        timeout=120,
    )
    assert ws.query("Licences", "LicencesOf", [buyer.ss58_address, 1]).value == purchase_id
    return int(purchase_id)


def _infer(*args: str) -> list[str]:
    return [*deepshard_command(), "infer", *args]


def test_a_trained_version_is_bought_unlocked_and_served(
    ws: SubstrateInterface, dev_node: Any, tmp_path: Path
) -> None:
    from deepshard.offchain_workers.ml.base_model import bootstrap  # noqa: PLC0415

    base = bootstrap(cache=tmp_path / "models")
    repo = tmp_path / "ipfs"
    metrics_port = _free_port()
    keepers = [
        _keeper(n, dev_node.ws_url, tmp_path, metrics_port if n == 1 else None) for n in range(3)
    ]
    server: subprocess.Popen[bytes] | None = None
    try:
        cid, blob = _play_round(ws, base, repo)

        # 1. The keepers bonded; one registered version 1 with three sealed shares, t = 2.
        wait_for(
            "the ciphertext", lambda: ws.query("Licences", "Ciphertexts", [1]).value is not None
        )
        info = ws.query("Licences", "Ciphertexts", [1]).value
        assert info["threshold"] == 2
        assert sorted(info["keepers"]) == sorted(
            Keypair.create_from_uri(k).ss58_address for k in KEEPERS
        )
        for k in KEEPERS:
            keeper = ws.query("Licences", "Keepers", [Keypair.create_from_uri(k).ss58_address])
            box = licence_box_public_key(OurKeypair.from_uri(k))
            assert keeper.value["box_key"] == "0x" + box.hex()
            assert keeper.value["bond"] == KEEPER_BOND

        # 2. Alice buys; the keepers deliver; the licence is recorded.
        first = _buy(ws, ALICE, "//Alice")
        delivered = ws.query("Licences", "Purchases", [first]).value["deliveries"]
        assert len(delivered) >= 2

        # 3. The inference node unlocks and serves version 1; the openai client talks to it.
        port = _free_port()
        serve_log = (tmp_path / "serve.log").open("ab")
        common = ["--node", dev_node.ws_url, "--repo", str(repo), "--base-model", str(base)]
        server = subprocess.Popen(
            _infer("serve", "--version", "1", "--key", "//Alice", "--port", str(port), *common),
            stdout=serve_log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        client = openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0
        )

        def up() -> bool:
            assert server is not None
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                return [m.id for m in client.models.list().data] == [MODEL]
            except openai.APIConnectionError:
                return False

        wait_for("the inference server", up, timeout=120)
        completion = client.completions.create(
            model=MODEL, prompt="def main():", max_tokens=16, seed=1
        )
        assert completion.choices[0].finish_reason in {"stop", "length"}
        assert completion.usage.completion_tokens >= 1
        stream = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "What does print do?"}],
            max_tokens=16,
            stream=True,
            seed=2,
        )
        chunks = list(stream)
        assert chunks[0].choices[0].delta.role == "assistant"
        assert chunks[-1].choices[0].finish_reason in {"stop", "length"}
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

        # 4. A key without a licence is refused.
        refused = subprocess.run(
            _infer("serve", "--version", "1", "--key", "//Ferdie", *common),
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode == 1
        assert "no licence" in refused.stderr

        # 5. A keeper dies; the two left still serve Eve (t = 2).
        keepers[0].send_signal(signal.SIGKILL)
        keepers[0].wait()
        second = _buy(ws, EVE, "//Eve")
        served_by = {k for k, _ in ws.query("Licences", "Purchases", [second]).value["deliveries"]}
        assert Keypair.create_from_uri(KEEPERS[0]).ss58_address not in served_by
        generated = subprocess.run(
            [
                *_infer("generate", "--version", "1", "--key", "//Eve", "def f(", "--json"),
                *[*common, "--max-tokens", "8", "--seed", "3"],
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert generated.returncode == 0, generated.stderr
        out = json.loads(generated.stdout.strip().splitlines()[-1])
        assert out["model"] == MODEL
        assert out["completion_tokens"] >= 1
        assert blob
        assert cid

        # Keeper 1's Prometheus metrics count its deliveries and follow finality.
        scraped = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics").read()
        families = {f.name: f for f in text_string_to_metric_families(scraped.decode())}
        delivered_ok = [
            s.value
            for s in families["deepshard_worker_jobs"].samples
            if s.name.endswith("_total")
            and s.labels == {"role": "keeper", "kind": "deliver", "result": "ok"}
        ]
        assert delivered_ok
        assert delivered_ok[0] >= 1
        finalized = families["deepshard_worker_finalized_block_number"].samples[0].value
        assert finalized > 0

        # 6. The killed keeper restarts on its state file: it signs nothing again (both
        #    purchases are served; its share of the first is in its outbox).
        nonce = ws.get_account_nonce(Keypair.create_from_uri(KEEPERS[0]).ss58_address)
        keepers[0] = _keeper(0, dev_node.ws_url, tmp_path)
        time.sleep(20)  # a few finalized blocks
        assert keepers[0].poll() is None
        assert ws.get_account_nonce(Keypair.create_from_uri(KEEPERS[0]).ss58_address) == nonce
    finally:
        if server is not None and server.poll() is None:
            server.kill()
        for process in keepers:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for n in range(3):
            print(f"--- keeper{n}\n" + (tmp_path / f"keeper{n}.log").read_text()[-3000:])
