"""`deepshard wallet` key commands through the real CLI (typer's CliRunner), no node needed."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from substrateinterface import Keypair as SiKeypair
from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.wallet.polkadot_json import decode_key_file
from deepshard.primitives.crypto import Keypair, KeyType

runner = CliRunner()


def wallet(tmp: Path, *args: str, password: str | None = "pw", **env: str) -> tuple[int, str]:
    environ = {"DEEPSHARD_WALLET_PATH": str(tmp / "ks"), **env}
    if password is not None:
        environ["DEEPSHARD_WALLET_PASSWORD"] = password
    result = runner.invoke(app, ["wallet", *args], env=environ)
    return result.exit_code, result.output


def test_new_list_inspect_export(tmp_path: Path) -> None:
    code, out = wallet(tmp_path, "new", "carol", "--json")
    assert code == 0, out
    created = json.loads(out)
    phrase = created["mnemonic"]
    assert len(phrase.split()) == 12
    assert created["address"] == Keypair.from_mnemonic(phrase).ss58_address()
    assert stat.S_IMODE((tmp_path / "ks" / "carol.json").stat().st_mode) == 0o600

    code, out = wallet(tmp_path, "list", "--json")
    assert code == 0
    assert [k["name"] for k in json.loads(out)] == ["carol"]

    code, out = wallet(tmp_path, "inspect", "carol", "--prefix", "0", "--json")
    shown = json.loads(out)
    assert shown["ss58_address"] == Keypair.from_mnemonic(phrase).ss58_address(0)
    assert "secret_key" not in shown  # never without --show-secret

    code, out = wallet(tmp_path, "export", "carol", "--out", str(tmp_path / "c.json"))
    assert code == 0, out
    exported = (tmp_path / "c.json").read_text()
    assert stat.S_IMODE((tmp_path / "c.json").stat().st_mode) == 0o600
    loaded = SiKeypair.create_from_encrypted_json(json.loads(exported), "pw")
    assert loaded.ss58_address == created["address"]


def test_import_each_kind_of_secret(tmp_path: Path) -> None:
    alice = Keypair.from_uri("//Alice")
    cases = {
        "uri": ("//Alice", "sr25519", alice),
        "seed": ("0x" + bytes(range(32)).hex(), "ed25519", Keypair.from_seed(bytes(range(32)), 0)),
        "phrase": (
            "bottom drive obey lake curtain smoke basket hold race lonely fit walk",
            "sr25519",
            Keypair.from_uri("//Alice").derive(""),
        ),
    }
    for name, (secret, scheme, expected) in cases.items():
        code, out = wallet(
            tmp_path, "import", name, "--secret-env", "S", "--scheme", scheme, "--json", S=secret
        )
        assert code == 0, out
        if name != "phrase":
            assert json.loads(out)["public_key"] == "0x" + expected.public_key.hex()
    # the dev phrase without a path is the root key of //Alice
    code, out = wallet(tmp_path, "inspect", "phrase", "--json")
    dev_root = Keypair.from_mnemonic(cases["phrase"][0])
    assert json.loads(out)["public_key"] == "0x" + dev_root.public_key.hex()

    # a polkadot.js file keeps its own password, checked on import
    (tmp_path / "bob.json").write_text(
        json.dumps(SiKeypair.create_from_uri("//Bob").export_to_encrypted_json("bobpw", "bob"))
    )
    code, out = wallet(tmp_path, "import", "bob", "--json-file", str(tmp_path / "bob.json"))
    assert code == 4, out
    assert "wrong password" in out
    code, out = wallet(
        tmp_path, "import", "bob", "--json-file", str(tmp_path / "bob.json"), password="bobpw"
    )
    assert code == 0, out
    stored = (tmp_path / "ks" / "bob.json").read_text()
    assert decode_key_file(stored, "bobpw") == Keypair.from_uri("//Bob")


def test_errors_are_typed_and_lose_nothing(tmp_path: Path) -> None:
    assert wallet(tmp_path, "import", "a", "--secret-env", "S", S="//Alice")[0] == 0
    code, out = wallet(tmp_path, "import", "a", "--secret-env", "S", S="//Bob")
    assert code == 4
    assert "exists already" in out
    assert Keypair.from_uri("//Alice") == decode_key_file(
        (tmp_path / "ks" / "a.json").read_text(), "pw"
    )
    code, out = wallet(tmp_path, "import", "b", "--secret-env", "S", S="not a mnemonic at all")
    assert code == 7, out
    code, out = wallet(tmp_path, "inspect", "a", "--show-secret", password="wrong")
    assert code == 4
    code, out = wallet(tmp_path, "inspect", "a", "--show-secret", "--json")
    assert json.loads(out)["secret_key"].startswith("0x")
    code, out = wallet(tmp_path, "export", "nobody")
    assert code == 4
    code, out = wallet(tmp_path, "import", "c", "--secret-env", "S", password=None, S="//Eve")
    assert code == 4
    assert "DEEPSHARD_WALLET_PASSWORD" in out
    assert not (tmp_path / "ks" / "c.json").exists()
    code, out = wallet(tmp_path, "remove", "a", "--no")
    assert code == 3
    assert (tmp_path / "ks" / "a.json").exists()
    assert wallet(tmp_path, "remove", "a", "--yes")[0] == 0
    assert not (tmp_path / "ks" / "a.json").exists()


@pytest.mark.parametrize("scheme", ["sr25519", "ed25519"])
def test_inspect_a_secret_uri(tmp_path: Path, scheme: str) -> None:
    code, out = wallet(tmp_path, "inspect", "//Alice", "--scheme", scheme, "--json")
    assert code == 0, out
    expected = Keypair.from_uri("//Alice", KeyType[scheme.upper()])
    assert json.loads(out)["public_key"] == "0x" + expected.public_key.hex()
    code, out = wallet(tmp_path, "inspect", "//Alice", "--scheme", scheme)
    assert "--show-secret" in out
    assert expected.secret_key.hex() not in out


def test_node_unreachable_and_bad_amount(tmp_path: Path) -> None:
    wallet(tmp_path, "import", "a", "--secret-env", "S", S="//Alice")
    code, out = wallet(tmp_path, "transfer", "a", "1", "-f", "a", "--node", "http://127.0.0.1:9")
    assert code == 5, out
    assert "cannot be reached" in out
    code, out = wallet(
        tmp_path, "balance", "not-an-address", "--node", "http://127.0.0.1:9", "--json"
    )
    assert code == 5  # the node is checked first
    assert json.loads(out)["error"] == "NodeError"


def test_every_help_has_examples() -> None:
    commands = [
        ["new"], ["import"], ["list"], ["inspect"], ["export"], ["remove"], ["balance"],
        ["transfer"], ["transfer-all"], ["submit-batch"], ["batches"], ["batch"], ["votes"],
        ["vote"], ["claim"], ["curator", "bond"], ["curator", "unbond"], ["curator", "withdraw"],
        ["curator", "status"], ["proxy", "add"], ["proxy", "remove"], ["proxy", "list"],
        ["multisig", "address"], ["multisig", "transfer"], ["multisig", "pending"],
    ]  # fmt: skip
    for command in commands:
        result = runner.invoke(app, ["wallet", *command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, command
        assert "Examples" in result.output, command
        assert "deepshard wallet" in result.output, command
