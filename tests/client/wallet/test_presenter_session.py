"""The presenter (table, JSON, quiet, errors) and the session's settings and prompts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from deepshard.client.rpc.client import (
    Call,
    ConnectionFailed,
    DispatchFailure,
    ModuleError,
    Receipt,
    TransactionRejected,
)
from deepshard.client.wallet.dry_run import decode_apply_result
from deepshard.client.wallet.errors import (
    Declined,
    InvalidAddress,
    KeyError_,
    NodeError,
    TransactionFailed,
)
from deepshard.client.wallet.flow import Transaction, _receipt_report
from deepshard.client.wallet.keystore import Keystore
from deepshard.client.wallet.presenter import Presenter, Report
from deepshard.client.wallet.session import (
    DEFAULT_NODE,
    Session,
    as_wallet_error,
    resolve_account,
)
from deepshard.primitives.crypto import Keypair

REPORT = Report("Title", {"a": 1, "big": 2**100}, rows=(("a", "1"), ("big", str(2**100))))


def consoles() -> tuple[Console, Console, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Console(file=out, width=200), Console(file=err, width=200), out, err


def test_json_table_and_quiet() -> None:
    o, e, out, err = consoles()
    Presenter(json_output=True, out=o, err=e).show(REPORT)
    assert json.loads(out.getvalue()) == {"a": 1, "big": 2**100}  # exact, not a float
    o, e, out, err = consoles()
    presenter = Presenter(out=o, err=e)
    presenter.show(REPORT)
    presenter.preview(REPORT)
    assert "Title" in out.getvalue()
    assert str(2**100) in out.getvalue()
    assert "Title" in err.getvalue()  # previews go to stderr
    o, e, out, err = consoles()
    quiet = Presenter(quiet=True, out=o, err=e)
    quiet.show(REPORT)
    quiet.preview(REPORT)
    assert out.getvalue() == err.getvalue() == ""


def test_errors() -> None:
    failed = TransactionFailed(
        "Informants.NotCurator — failed", error="Informants.NotCurator", docs="No bond.", block=7,
        index=1,
    )  # fmt: skip
    o, e, out, err = consoles()
    Presenter(json_output=True, out=o, err=e).error(failed)
    body = json.loads(out.getvalue())
    assert body["error"] == "Informants.NotCurator"  # the module error names the failure
    assert body["exit_code"] == 6
    assert (body["docs"], body["block"], body["index"]) == ("No bond.", 7, 1)
    o, e, out, err = consoles()
    Presenter(out=o, err=e).error(failed)
    assert out.getvalue() == ""
    assert "Informants.NotCurator" in err.getvalue()
    assert "No bond." in err.getvalue()


def test_settings_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEEPSHARD_NODE", raising=False)
    assert Session.create(wallet_dir=tmp_path).node == DEFAULT_NODE
    (tmp_path / "config.toml").write_text('node = "ws://config:1"\nkey = "alice"\n')
    session = Session.create(wallet_dir=tmp_path)
    assert (session.node, session.default_key) == ("ws://config:1", "alice")
    monkeypatch.setenv("DEEPSHARD_NODE", "ws://env:2")
    assert Session.create(wallet_dir=tmp_path).node == "ws://env:2"
    assert Session.create(wallet_dir=tmp_path, node="ws://flag:3").node == "ws://flag:3"
    Keystore(tmp_path).add("alice", Keypair.from_uri("//Alice"), "pw")
    assert session.signer(None).name == "alice"


def test_prompts_without_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.delenv("DEEPSHARD_WALLET_PASSWORD", raising=False)
    session = Session.create(wallet_dir=tmp_path)
    with pytest.raises(KeyError_, match="DEEPSHARD_WALLET_PASSWORD"):
        session.password("Password")
    with pytest.raises(Declined, match="--yes"):
        session.confirm("Go?")
    with pytest.raises(Declined, match="--no"):
        Session.create(wallet_dir=tmp_path, no=True, yes=True).confirm("Go?")
    Session.create(wallet_dir=tmp_path, yes=True).confirm("Go?")
    monkeypatch.setenv("MY_PW", "secret")
    assert Session.create(wallet_dir=tmp_path, password_env="MY_PW").password("x") == "secret"
    with pytest.raises(KeyError_, match="no signing key"):
        session.signer(None)


def test_resolve_account_and_error_mapping(tmp_path: Path) -> None:
    store = Keystore(tmp_path)
    alice = Keypair.from_uri("//Alice")
    store.add("alice", alice, "pw")
    assert resolve_account("alice", store) == alice.public_key
    assert resolve_account(alice.ss58_address(2), store) == alice.public_key
    assert resolve_account("0x" + alice.public_key.hex(), store) == alice.public_key
    for bad in ("0x1234", "bob", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ", "0xzz"):
        with pytest.raises(InvalidAddress):
            resolve_account(bad, store)
    unreachable = as_wallet_error(ConnectionFailed("refused"), "ws://x")
    assert isinstance(unreachable, NodeError)
    assert "ws://x" in str(unreachable)
    rejected = as_wallet_error(TransactionRejected(1010, "Invalid Transaction", "Stale"), "u")
    assert isinstance(rejected, NodeError)
    assert "Stale" in str(rejected)
    assert as_wallet_error(RuntimeError("bug"), "u") is None  # bugs are not disguised


class _Runtime:
    """Stands in for the metadata's module-error lookup: returns what it is given, marked."""

    def dispatch_failure(self, value: object) -> DispatchFailure:
        return DispatchFailure("Module", value)


class _Chain:
    runtime = _Runtime()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0000", None),  # Ok(Ok(()))
        ("000102", "BadOrigin"),
        ("000101", "CannotLookup"),
        ("00010702", "Token"),
        ("0100", None),  # a validity error: left to the pool
        ("00", None),
        ("0001ff", None),
    ],
)
def test_dry_run_results(raw: str, expected: str | None) -> None:
    found = decode_apply_result(_Chain(), bytes.fromhex(raw))  # type: ignore[arg-type]
    assert (found.kind if found else None) == expected


def test_dry_run_module_error_bytes() -> None:
    found = decode_apply_result(_Chain(), bytes.fromhex("00010314" + "05000000"))  # type: ignore[arg-type]
    assert found is not None
    assert found.detail == {"Module": {"index": 20, "error": bytes([5, 0, 0, 0])}}


def test_a_failed_receipt_names_the_module_error() -> None:
    error = ModuleError("Informants", "NotCurator", (" No bond.",), 20, 5)
    receipt = Receipt(
        b"\1" * 32, b"\2" * 32, 9, 1, (), DispatchFailure("Module", None, error), True
    )
    tx = Transaction(Call("Informants", "unbond_curator", {}, b""), None, "Unbond", [])  # type: ignore[arg-type]
    with pytest.raises(TransactionFailed) as raised:
        _receipt_report(tx, receipt, "5Grw")
    assert raised.value.details() == {
        "error": "Informants.NotCurator",
        "docs": "No bond.",
        "submitted": True,
        "block": 9,
        "index": 1,
    }
    assert "fee 0 DSH was paid" in str(raised.value)
