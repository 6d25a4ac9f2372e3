"""What every wallet command shares: its options, the node and key settings, and how it runs.

`Session` carries the resolved options; `execute` runs a command's coroutine against the node,
shows its `Report`, and turns every failure into a typed `WalletError` with its exit code.
Settings come from the command line, then the environment, then the wallet's config file
``<keystore>/config.toml`` (``node = "ws://..."``, ``key = "name"``), then the defaults.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final

import typer

from deepshard.client.rpc.client import (
    ChainClient,
    ClientError,
    ConnectionClosed,
    ConnectionFailed,
    InvalidArguments,
    RequestTimeout,
    TransactionDropped,
    TransactionRejected,
)
from deepshard.client.wallet.errors import (
    Declined,
    InvalidAddress,
    InvalidInput,
    KeyError_,
    NodeError,
    WalletError,
)
from deepshard.client.wallet.keystore import Keystore, StoredKey, default_keystore_path
from deepshard.client.wallet.presenter import Presenter, Report
from deepshard.primitives.crypto import Keypair, decode_account_id
from deepshard.primitives.crypto.errors import CryptoError

__all__ = [
    "DEFAULT_NODE",
    "PASSWORD_ENV",
    "Session",
    "execute",
    "resolve_account",
    "NodeOpt",
    "WalletDirOpt",
    "JsonOpt",
    "QuietOpt",
    "YesOpt",
    "NoOpt",
    "FromOpt",
    "PasswordEnvOpt",
    "WaitOpt",
]

DEFAULT_NODE: Final = "ws://127.0.0.1:9944"
"""The node used when neither ``--node``, ``$DEEPSHARD_NODE`` nor the config names one."""
PASSWORD_ENV: Final = "DEEPSHARD_WALLET_PASSWORD"
"""The environment variable read for a key's password (``--password-env`` names another)."""

NodeOpt = Annotated[
    str | None,
    typer.Option(
        "--node", help="Node RPC URL [env DEEPSHARD_NODE; config `node`].", show_default=False
    ),
]
WalletDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--wallet-dir", help="Keystore directory [env DEEPSHARD_WALLET_PATH].", show_default=False
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (for scripts).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
NoOpt = Annotated[bool, typer.Option("--no", help="Decline at the confirmation (a dry run).")]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from", "-f", help="Signing key: name or address [config `key`].", show_default=False
    ),
]
PasswordEnvOpt = Annotated[
    str,
    typer.Option("--password-env", help="Environment variable holding the key's password."),
]
WaitOpt = Annotated[
    str,
    typer.Option("--wait", help="Wait for `in-block` or `finalized` before the receipt."),
]


@dataclass(slots=True)
class Session:
    """The options one command runs with."""

    presenter: Presenter
    """Where output goes."""
    keystore: Keystore
    """The key directory."""
    node: str = DEFAULT_NODE
    """The node's RPC URL."""
    default_key: str | None = None
    """The config's default signing key."""
    yes: bool = False
    """Skip the confirmation."""
    no: bool = False
    """Decline the confirmation."""
    password_env: str = PASSWORD_ENV
    """Environment variable read for passwords."""
    wait: str = "finalized"
    """``in-block`` or ``finalized``."""
    config: dict[str, Any] = field(default_factory=dict)
    """The config file's content."""
    unlocked: dict[str, Keypair] = field(default_factory=dict)
    """Keys already unlocked in this command, by name (a password is asked for once)."""

    @classmethod
    def create(
        cls,
        *,
        node: str | None = None,
        wallet_dir: Path | None = None,
        json_output: bool = False,
        quiet: bool = False,
        yes: bool = False,
        no: bool = False,
        password_env: str = PASSWORD_ENV,
        wait: str = "finalized",
    ) -> Session:
        """Resolve options against the environment and the config file."""
        presenter = Presenter(json_output=json_output, quiet=quiet)
        keystore = Keystore(wallet_dir or default_keystore_path())
        config = _read_config(keystore.path / "config.toml", presenter)
        url = node or os.environ.get("DEEPSHARD_NODE") or str(config.get("node") or DEFAULT_NODE)
        key = config.get("key")
        if wait not in ("in-block", "finalized"):
            _fail(presenter, InvalidInput(f"--wait is 'in-block' or 'finalized', not {wait!r}"))
        return cls(
            presenter,
            keystore,
            url,
            key if isinstance(key, str) else None,
            yes,
            no,
            password_env,
            wait,
            config,
        )

    def signer(self, name: str | None) -> StoredKey:
        """The signing key named by ``--from`` or the config.

        Raises:
            KeyError_: none named, or no such key.
        """
        chosen = name or self.default_key
        if not chosen:
            raise KeyError_("no signing key: pass --from NAME (or set `key` in config.toml)")
        return self.keystore.get(chosen)

    def password(self, prompt: str, *, from_env: bool = True) -> str:
        """A password from the environment (unless not `from_env`), else read without echo.

        Raises:
            KeyError_: no password in the environment and no terminal to ask on.
        """
        value = os.environ.get(self.password_env) if from_env else None
        if value is not None:
            return value
        if not sys.stdin.isatty():
            hint = f"set ${self.password_env} or " if from_env else ""
            raise KeyError_(f"{prompt.lower()} is needed: {hint}run in a terminal")
        return self.presenter.err.input(f"{prompt}: ", password=True)

    def unlock(self, key: StoredKey) -> Keypair:
        """Decrypt `key` with its password.

        Raises:
            WrongPassword: the password does not open it.
        """
        found = self.unlocked.get(key.name)
        if found is not None:
            return found
        if not key.file.encrypted:
            pair = key.file.decrypt("")
        else:
            pair = key.file.decrypt(self.password(f"Password for {key.name}"))
        self.unlocked[key.name] = pair
        return pair

    def confirm(self, question: str) -> None:
        """Ask `question` unless ``--yes``; ``--no`` (or no terminal to ask on) declines.

        Raises:
            Declined: the answer is no.
        """
        if self.no:
            raise Declined("declined (--no): nothing was submitted")
        if self.yes:
            return
        if not sys.stdin.isatty():
            raise Declined("not confirmed: pass --yes to submit without a terminal")
        answer = self.presenter.err.input(f"{question} [y/N]: ").strip().lower()
        if answer not in ("y", "yes"):
            raise Declined("declined: nothing was submitted")


def _read_config(path: Path, presenter: Presenter) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        _fail(presenter, InvalidInput(f"config file {path}: {exc}"))
    return {}


def _fail(presenter: Presenter, error: WalletError) -> None:
    presenter.error(error)
    raise typer.Exit(error.exit_code)


def resolve_account(text: str, keystore: Keystore) -> bytes:
    """The account id of an SS58 address, a ``0x`` public key, or a key name in the keystore.

    Raises:
        InvalidAddress: none of those.
    """
    if text.startswith("0x"):
        try:
            raw = bytes.fromhex(text[2:])
        except ValueError:
            raw = b""
        if len(raw) == 32:
            return raw
        raise InvalidAddress(f"{text!r} is not a 32-byte public key")
    try:
        return decode_account_id(text)
    except CryptoError as exc:
        try:
            return keystore.get(text).public_key
        except WalletError:
            raise InvalidAddress(f"{text!r} is not an address or a key name ({exc})") from None


def as_wallet_error(exc: BaseException, node: str) -> WalletError | None:
    """The `WalletError` a lower-level failure means to the user (None: not one we know)."""
    if isinstance(exc, WalletError):
        return exc
    if isinstance(exc, (ConnectionFailed, ConnectionClosed, RequestTimeout, OSError)):
        return NodeError(f"the node at {node} cannot be reached ({exc})")
    if isinstance(exc, TransactionRejected):
        return NodeError(f"the node refused the transaction: {exc.reason} ({exc.data})")
    if isinstance(exc, TransactionDropped):
        return NodeError(f"the node dropped the transaction ({exc.status})")
    if isinstance(exc, InvalidArguments):
        return InvalidInput(str(exc))
    if isinstance(exc, ClientError):
        return NodeError(str(exc))
    if isinstance(exc, CryptoError):
        return InvalidInput(str(exc))
    return None


def execute(
    session: Session, work: Callable[[ChainClient | None], Awaitable[Report]], *, chain: bool = True
) -> None:
    """Run `work` (with a connected client when `chain`), show its report, exit on error.

    Exits with the error's code (see `deepshard.client.wallet.errors`).
    """

    async def main() -> Report:
        if not chain:
            return await work(None)
        async with ChainClient.connect(session.node) as client:
            return await work(client)

    try:
        report = asyncio.run(main())
    except (Exception, KeyboardInterrupt) as exc:
        error = as_wallet_error(exc, session.node)
        if error is None:
            raise
        _fail(session.presenter, error)
        return
    session.presenter.show(report)
