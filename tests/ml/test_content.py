"""Version 0 pinned in the embedded store and fetched back by CID loads to the same model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deepshard.offchain_workers.content.embedded import EmbeddedStore
from deepshard.offchain_workers.ml.content import fetch_model, pin_model
from deepshard.offchain_workers.ml.errors import ModelFormatError


def test_pin_and_fetch_by_cid(tmp_path: Path, base_dir: Path) -> None:
    """Same files back, same CID from a second store, same logits from the fetched copy."""
    import torch  # noqa: PLC0415

    from deepshard.offchain_workers.ml.base_model import load_model  # noqa: PLC0415

    async def run() -> tuple[str, str]:
        async with EmbeddedStore(tmp_path / "a") as a, EmbeddedStore(tmp_path / "b") as b:
            cid = await pin_model(a, base_dir)
            again = await pin_model(b, base_dir)
            await fetch_model(a, cid, tmp_path / "fetched")
            return str(cid), str(again)

    cid, again = asyncio.run(run())
    assert cid == again
    for name in ("config.json", "model.safetensors"):
        assert (tmp_path / "fetched" / name).read_bytes() == (base_dir / name).read_bytes()
    ours, codec = load_model(tmp_path / "fetched")
    theirs, _ = load_model(base_dir)
    ids = torch.tensor([codec.encode("import os")])
    with torch.no_grad():
        assert torch.equal(ours(input_ids=ids).logits, theirs(input_ids=ids).logits)


def test_a_file_is_not_a_model(tmp_path: Path) -> None:
    """A CID that is not a model directory is refused and nothing is written."""

    async def run() -> None:
        async with EmbeddedStore(tmp_path / "s") as store:
            plain = tmp_path / "d"
            plain.mkdir()
            (plain / "notes.txt").write_text("hello")
            cid = await pin_model(store, plain)
            await fetch_model(store, cid, tmp_path / "out")

    with pytest.raises(ModelFormatError, match=r"no config\.json"):
        asyncio.run(run())
    assert not (tmp_path / "out").exists()
