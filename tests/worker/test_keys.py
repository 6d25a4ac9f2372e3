"""Worker keys from a secret URI or a Substrate-layout keystore directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepshard.offchain_workers.worker.keys import WORKER_KEY_TYPE, KeyError_, load_key
from deepshard.primitives.crypto import Keypair


def _write(dir_: Path, suri: str, key_type: bytes = WORKER_KEY_TYPE) -> Keypair:
    key = Keypair.from_uri(suri)
    (dir_ / (key_type.hex() + key.public_key.hex())).write_text(json.dumps(suri))
    return key


def test_uri_and_keystore(tmp_path: Path) -> None:
    """Both sources give the key; a keystore prefers the worker key type."""
    assert load_key("//Bob", None).public_key == Keypair.from_uri("//Bob").public_key
    _write(tmp_path, "//Alice", b"aura")
    want = _write(tmp_path, "//Ferdie")
    assert load_key(None, tmp_path).public_key == want.public_key


def test_bad_keys(tmp_path: Path) -> None:
    """Neither or both sources, bad URIs, empty or tampered keystores are typed errors."""
    with pytest.raises(KeyError_, match="exactly one"):
        load_key(None, None)
    with pytest.raises(KeyError_, match="exactly one"):
        load_key("//Bob", tmp_path)
    with pytest.raises(KeyError_, match="invalid secret URI"):
        load_key("0xnothex", None)
    with pytest.raises(KeyError_, match="found 0"):
        load_key(None, tmp_path)
    key = Keypair.from_uri("//Bob")
    (tmp_path / (WORKER_KEY_TYPE.hex() + key.public_key.hex())).write_text(json.dumps("//Eve"))
    with pytest.raises(KeyError_, match="does not derive"):
        load_key(None, tmp_path)
    with pytest.raises(KeyError_, match="cannot read"):
        load_key(None, tmp_path / "missing")
