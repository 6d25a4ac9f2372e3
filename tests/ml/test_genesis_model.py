"""``deepshard ml bootstrap --repo R --json``: version 0 pinned, measured as the scorer measures.

The document's held-out loss is the scorer's own parent loss on the probe set read back from the
store by its CID; the model directory fetched back by its CID loads and has the layer count and
shard layout the document states; the chain-spec side reads the printed document unchanged.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

from deepshard.chain_spec.genesis_model import model_from_document
from deepshard.offchain_workers.content.cids import cid_from_bytes
from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.ml.base_model import load_model, token_blocks
from deepshard.offchain_workers.ml.content import fetch_file, fetch_model
from deepshard.offchain_workers.ml.curation import parse_batch
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.ml.genesis import shard_layout
from deepshard.offchain_workers.ml.scorer import mean_loss, quantise


def test_shard_layout_tiles_the_layers() -> None:
    assert shard_layout(4) == ((0, 2), (2, 4))
    assert shard_layout(5) == ((0, 2), (2, 4), (4, 5))
    assert shard_layout(3, 3) == ((0, 3),)
    with pytest.raises(MLError):
        shard_layout(0)


def test_bootstrap_json_is_a_genesis_model(
    base_dir: Path, model_cache: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "ipfs"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "deepshard.client.cli",
            "ml",
            "bootstrap",
            "--repo",
            str(repo),
            "--json",
            "-o",
            str(tmp_path / "gm.json"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DEEPSHARD_MODEL_CACHE": str(model_cache)},
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    document = json.loads(out.stdout.strip().splitlines()[-1])
    assert json.loads((tmp_path / "gm.json").read_text()) == document
    model = model_from_document(document)
    assert model.layer_count == 4
    assert model.shards == ((0, 2), (2, 4))

    async def fetch() -> tuple[bytes, Path]:
        async with EmbeddedStore(repo) as store:
            probes = await fetch_file(store, cid_from_bytes(bytes.fromhex(model.probe_set_cid[2:])))
            base = await fetch_model(
                store, cid_from_bytes(bytes.fromhex(model.base_model_cid[2:])), tmp_path / "base"
            )
            return probes, base

    probes, fetched = asyncio.run(fetch())
    assert (fetched / "model.safetensors").read_bytes() == (
        base_dir / "model.safetensors"
    ).read_bytes()
    texts = parse_batch(probes)
    assert len(texts) == document["probeSet"]["texts"] > 0
    parent, codec = load_model(fetched)
    assert model.held_out_loss == quantise(mean_loss(parent, token_blocks(codec, texts, 128)))
    assert 0 < model.held_out_loss < 8_000_000


def test_json_needs_a_repo(model_cache: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "deepshard.client.cli", "ml", "bootstrap", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEEPSHARD_MODEL_CACHE": str(model_cache)},
        check=False,
    )
    assert out.returncode != 0
    assert "--repo" in out.stderr
