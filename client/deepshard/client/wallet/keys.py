"""Key commands: ``new``, ``import``, ``list``, ``inspect``, ``export``, ``remove``.

Secrets are read without echo (or from an environment variable) and never printed unless
asked (``inspect --show-secret``); the mnemonic of a new key is shown once, as its only backup.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from deepshard.client.rpc.client import ChainClient
from deepshard.client.wallet.errors import (
    InvalidAddress,
    InvalidInput,
    KeyError_,
    KeyExists,
    UnknownKey,
)
from deepshard.client.wallet.keystore import StoredKey
from deepshard.client.wallet.polkadot_json import KeyFile, encode_key_file
from deepshard.client.wallet.presenter import Report
from deepshard.client.wallet.session import (
    JsonOpt,
    NoOpt,
    PasswordEnvOpt,
    QuietOpt,
    Session,
    WalletDirOpt,
    YesOpt,
    execute,
    resolve_account,
)
from deepshard.primitives.crypto import MAX_SS58_PREFIX, Keypair, KeyType, ss58_encode

__all__ = ["register"]

SchemeOpt = Annotated[str, typer.Option("--scheme", help="sr25519 or ed25519.")]
PASSWORD_ENV_DEFAULT = "DEEPSHARD_WALLET_PASSWORD"


def _scheme(text: str) -> KeyType:
    try:
        return KeyType[text.upper()]
    except KeyError:
        raise InvalidInput(f"--scheme is sr25519 or ed25519, not {text!r}") from None


def _key_rows(key: StoredKey, prefix: int = 42) -> list[tuple[str, str]]:
    return [
        ("name", key.name),
        ("address", ss58_encode(key.public_key, prefix)),
        ("public key", "0x" + key.public_key.hex()),
        ("scheme", key.file.key_type.label),
        ("file", str(key.path)),
    ]


def _new_password(session: Session) -> str:
    password = session.password("New password")
    repeat = password and os.environ.get(session.password_env) is None
    if repeat and session.password("Repeat the password") != password:
        raise KeyError_("the passwords differ")
    if not password:
        raise KeyError_("an empty password would leave the key unencrypted; choose one")
    return password


def register(app: typer.Typer) -> None:
    """Add the key commands to the wallet's `app`."""

    @app.command("new", rich_help_panel="Keys")
    def new(  # noqa: PLR0917 - one parameter per CLI option
        name: Annotated[str, typer.Argument(help="The new key's name.")],
        scheme: SchemeOpt = "sr25519",
        words: Annotated[int, typer.Option(help="Mnemonic length: 12, 15, 18, 21 or 24.")] = 12,
        wallet_dir: WalletDirOpt = None,
        password_env: PasswordEnvOpt = PASSWORD_ENV_DEFAULT,
        json_output: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        """Create a key from a fresh BIP-39 mnemonic and store it encrypted.

        The mnemonic is shown once: it is the only way to recover the key.

        Examples:
        1. `deepshard wallet new alice`
        2. `DEEPSHARD_WALLET_PASSWORD=... deepshard wallet new bot --scheme ed25519 --json`
        """
        session = Session.create(
            wallet_dir=wallet_dir, json_output=json_output, quiet=quiet, password_env=password_env
        )

        async def work(_: ChainClient | None) -> Report:
            kind = _scheme(scheme)
            if session.keystore.path.joinpath(f"{name}.json").exists():
                raise KeyExists(f"a key named {name!r} exists already")
            pair, phrase = Keypair.generate_with_mnemonic(kind, words=words)
            key = session.keystore.add(name, pair, _new_password(session))
            rows = [*_key_rows(key), ("mnemonic", phrase)]
            data = {**{k.replace(" ", "_"): v for k, v in rows}}
            return Report(
                f"New key {name}",
                data,
                rows=rows,
                notes=("[yellow]Write the mnemonic down: it is shown only this once.[/]",),
            )

        execute(session, work, chain=False)

    @app.command("import", rich_help_panel="Keys")
    def import_(  # noqa: PLR0917 - one parameter per CLI option
        name: Annotated[str, typer.Argument(help="The name to store the key under.")],
        json_file: Annotated[
            Path | None,
            typer.Option("--json-file", help="A polkadot.js key file (JSON export)."),
        ] = None,
        secret_env: Annotated[
            str | None,
            typer.Option(
                "--secret-env",
                help="Environment variable holding the mnemonic, 0x seed or secret URI.",
            ),
        ] = None,
        scheme: SchemeOpt = "sr25519",
        wallet_dir: WalletDirOpt = None,
        password_env: PasswordEnvOpt = PASSWORD_ENV_DEFAULT,
        json_output: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        """Import a key: a mnemonic, a 0x hex seed, a secret URI, or a polkadot.js JSON file.

        The secret is read without echo (or from `--secret-env`); a JSON file keeps its own
        password, which is checked on import.

        Examples:
        1. `deepshard wallet import savings` (then type the mnemonic)
        2. `deepshard wallet import dev --secret-env DEV_SURI` with `DEV_SURI='//Alice'`
        3. `deepshard wallet import old --json-file ~/Downloads/5Grw….json`
        """
        session = Session.create(
            wallet_dir=wallet_dir, json_output=json_output, quiet=quiet, password_env=password_env
        )

        async def work(_: ChainClient | None) -> Report:
            if json_file is not None:
                try:
                    text = json_file.read_text()
                except OSError as exc:
                    raise InvalidInput(f"cannot read {json_file}: {exc}") from None
                file = KeyFile.parse(text)
                if file.encrypted:
                    file.decrypt(session.password(f"Password of {json_file.name}"))
                else:
                    file.decrypt("")
                key = session.keystore.add_file(name, text)
            else:
                if secret_env is not None:
                    secret = os.environ.get(secret_env)
                    if secret is None:
                        raise InvalidInput(f"${secret_env} is not set")
                else:
                    secret = session.password("Mnemonic, 0x seed or secret URI", from_env=False)
                pair = Keypair.from_uri(secret.strip(), _scheme(scheme))
                key = session.keystore.add(name, pair, _new_password(session))
            rows = _key_rows(key)
            return Report(f"Imported {name}", {k.replace(" ", "_"): v for k, v in rows}, rows=rows)

        execute(session, work, chain=False)

    @app.command("list", rich_help_panel="Keys")
    def list_(wallet_dir: WalletDirOpt = None, json_output: JsonOpt = False) -> None:
        """List the keys in the keystore (names, addresses, schemes).

        Examples:
        1. `deepshard wallet list`
        2. `deepshard wallet list --json | jq -r '.[].address'`
        """
        session = Session.create(wallet_dir=wallet_dir, json_output=json_output)

        async def work(_: ChainClient | None) -> Report:
            keys = session.keystore.list()
            data = [
                {
                    "name": k.name,
                    "address": ss58_encode(k.public_key, 42),
                    "public_key": "0x" + k.public_key.hex(),
                    "scheme": k.file.key_type.label,
                    "encrypted": k.file.encrypted,
                }
                for k in keys
            ]
            rows = [(str(d["name"]), str(d["address"]), str(d["scheme"])) for d in data]
            notes = () if keys else (f"No keys in {session.keystore.path}.",)
            return Report(
                f"Keys in {session.keystore.path}",
                data,
                columns=("name", "address", "scheme"),
                rows=rows,
                notes=notes,
            )

        execute(session, work, chain=False)

    @app.command("inspect", rich_help_panel="Keys")
    def inspect(  # noqa: PLR0917 - one parameter per CLI option
        target: Annotated[
            str, typer.Argument(help="Key name, SS58 address, 0x public key, or a secret URI.")
        ],
        prefix: Annotated[int, typer.Option(help="SS58 network prefix to show.")] = 42,
        scheme: SchemeOpt = "sr25519",
        show_secret: Annotated[
            bool, typer.Option("--show-secret", help="Also print the secret (unlocks the key).")
        ] = False,
        wallet_dir: WalletDirOpt = None,
        password_env: PasswordEnvOpt = PASSWORD_ENV_DEFAULT,
        json_output: JsonOpt = False,
    ) -> None:
        """Show a key's public key and its SS58 address for any network prefix.

        A secret URI (`//Alice`, a mnemonic, `0x` seed, with `//hard/soft` paths) is derived with
        `--scheme`; its secret is printed only with `--show-secret`.

        Examples:
        A `0x` value of 32 bytes is read as a public key.

        1. `deepshard wallet inspect alice --prefix 0`
        2. `deepshard wallet inspect 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY`
        3. `deepshard wallet inspect '//Alice' --scheme ed25519`
        """
        session = Session.create(
            wallet_dir=wallet_dir, json_output=json_output, password_env=password_env
        )

        async def work(_: ChainClient | None) -> Report:
            if not 0 <= prefix <= MAX_SS58_PREFIX:
                raise InvalidInput(f"--prefix must be 0..={MAX_SS58_PREFIX}")
            data: dict[str, Any] = {}
            pair: Keypair | None = None
            try:
                key = session.keystore.get(target)
                public, kind = key.public_key, key.file.key_type
                data["name"] = key.name
                if show_secret:
                    pair = session.unlock(key)
            except UnknownKey:
                try:
                    public, kind = resolve_account(target, session.keystore), None
                except InvalidAddress:
                    pair = Keypair.from_uri(target, _scheme(scheme))
                    public, kind = pair.public_key, pair.key_type
            data.update(
                {
                    "public_key": "0x" + public.hex(),
                    "account_id": "0x" + public.hex(),
                    "ss58_address": ss58_encode(public, prefix),
                    "ss58_prefix": prefix,
                    "scheme": kind.label if kind is not None else "unknown (an address)",
                }
            )
            if show_secret and pair is not None:
                if pair.seed is not None:
                    data["secret_seed"] = "0x" + pair.seed.hex()
                data["secret_key"] = "0x" + pair.secret_key.hex()
            notes: tuple[str, ...] = ()
            if pair is not None and not show_secret:
                notes = ("The secret is not shown; pass --show-secret to print it.",)
            rows = [(k.replace("_", " "), str(v)) for k, v in data.items()]
            return Report(
                f"Key {target if pair is None else ''}".strip(), data, rows=rows, notes=notes
            )

        execute(session, work, chain=False)

    @app.command("export", rich_help_panel="Keys")
    def export(  # noqa: PLR0917 - one parameter per CLI option
        name: Annotated[str, typer.Argument(help="The key's name or address.")],
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Write to this file (mode 0600).")
        ] = None,
        prefix: Annotated[int, typer.Option(help="SS58 prefix of the file's address.")] = 42,
        wallet_dir: WalletDirOpt = None,
        password_env: PasswordEnvOpt = PASSWORD_ENV_DEFAULT,
        quiet: QuietOpt = False,
    ) -> None:
        """Export a key as a polkadot.js v3 JSON file (encrypted with the key's password).

        The file loads in polkadot.js apps, the polkadot{.js} extension and `@polkadot/keyring`.

        Examples:
        1. `deepshard wallet export alice -o alice.json`
        2. `deepshard wallet export alice > alice.json`
        """
        session = Session.create(wallet_dir=wallet_dir, quiet=quiet, password_env=password_env)

        async def work(_: ChainClient | None) -> Report:
            key = session.keystore.get(name)
            password = session.password(f"Password for {key.name}") if key.file.encrypted else ""
            pair = key.file.decrypt(password)
            meta = {"name": key.name, **dict(key.file.meta)}
            text = encode_key_file(pair, password, meta, prefix=prefix)
            if out is None:
                if not quiet:
                    session.presenter.out.print(text, highlight=False, soft_wrap=True)
                return Report("export", {}, rows=())
            descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
            session.presenter.err.print(f"Wrote {out}")
            return Report("export", {}, rows=())

        session.presenter.quiet = True  # the file or the JSON text is the only output
        execute(session, work, chain=False)

    @app.command("remove", rich_help_panel="Keys")
    def remove(
        name: Annotated[str, typer.Argument(help="The key's name.")],
        wallet_dir: WalletDirOpt = None,
        yes: YesOpt = False,
        no: NoOpt = False,
        json_output: JsonOpt = False,
    ) -> None:
        """Delete a key from the keystore (export it first if you may need it).

        Examples:
        1. `deepshard wallet remove old-key`
        """
        session = Session.create(wallet_dir=wallet_dir, yes=yes, no=no, json_output=json_output)

        async def work(_: ChainClient | None) -> Report:
            key = session.keystore.get(name)
            session.confirm(f"Delete {key.name} ({ss58_encode(key.public_key, 42)})?")
            session.keystore.remove(key.name)
            return Report(
                f"Removed {key.name}", {"removed": key.name}, rows=(("removed", key.name),)
            )

        execute(session, work, chain=False)
