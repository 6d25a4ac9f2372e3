"""The keystore directory: file modes, lookup by name or address, duplicates, broken files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deepshard.client.wallet.errors import InvalidInput, KeyExists, UnknownKey
from deepshard.client.wallet.keystore import Keystore
from deepshard.primitives.crypto import Keypair, KeyType


def test_files_are_private_and_found_by_name_or_address(tmp_path: Path) -> None:
    store = Keystore(tmp_path / "ks")
    alice = Keypair.from_uri("//Alice")
    key = store.add("alice", alice, "pw")
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o700
    assert store.get("alice").public_key == alice.public_key
    assert store.get(alice.ss58_address()).name == "alice"
    assert store.get(alice.ss58_address(0)).name == "alice"  # any prefix
    assert store.get("0x" + alice.public_key.hex()).name == "alice"
    assert store.get("alice").file.decrypt("pw") == alice
    assert not list(store.path.glob("*.tmp"))


def test_duplicates_unknown_and_bad_names(tmp_path: Path) -> None:
    store = Keystore(tmp_path)
    store.add("bob", Keypair.from_uri("//Bob", KeyType.ED25519), "pw")
    with pytest.raises(KeyExists):
        store.add("bob", Keypair.from_uri("//Charlie"), "pw")
    assert store.get("bob").file.key_type is KeyType.ED25519  # the first is untouched
    with pytest.raises(UnknownKey):
        store.get("carol")
    with pytest.raises(UnknownKey):
        store.get(Keypair.from_uri("//Dave").ss58_address())
    for bad in ("../evil", "a/b", "", ".hidden", "x" * 65):
        with pytest.raises(InvalidInput):
            store.add(bad, Keypair.from_uri("//Eve"), "pw")
    store.remove("bob")
    with pytest.raises(UnknownKey):
        store.remove("bob")


def test_broken_files_do_not_hide_the_others(tmp_path: Path) -> None:
    store = Keystore(tmp_path)
    store.add("good", Keypair.from_uri("//Ferdie"), "pw")
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "notes.txt").write_text("ignored")
    assert [k.name for k in store.list()] == ["good"]
    assert Keystore(tmp_path / "missing").list() == []
