"""Proxy commands: ``proxy add``, ``proxy remove``, ``proxy list`` (the Proxy pallet).

A proxy lets a delegate key act for an account within a type: ``Any``, ``NonTransfer``,
``CancelProxy`` or ``Protocol`` (the Deepshard protocol's calls only, for a worker's hot key).
The deposit held for the proxies is shown in the preview.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from deepshard.client.rpc.client import ChainClient
from deepshard.client.wallet.balance import Balance
from deepshard.client.wallet.errors import InvalidInput
from deepshard.client.wallet.flow import Transaction, send
from deepshard.client.wallet.presenter import Report
from deepshard.client.wallet.session import (
    FromOpt,
    JsonOpt,
    NodeOpt,
    NoOpt,
    PasswordEnvOpt,
    QuietOpt,
    Session,
    WaitOpt,
    WalletDirOpt,
    YesOpt,
    execute,
    resolve_account,
)
from deepshard.primitives.crypto import ss58_encode

__all__ = ["register", "PROXY_TYPES"]

PROXY_TYPES = ("Any", "NonTransfer", "CancelProxy", "Protocol")
"""This chain's proxy types."""
PASSWORD_ENV_DEFAULT = "DEEPSHARD_WALLET_PASSWORD"

TypeOpt = Annotated[str, typer.Option("--type", help="Any, NonTransfer, CancelProxy or Protocol.")]
DelayOpt = Annotated[
    int, typer.Option("--delay", min=0, help="Blocks an announcement must wait (0: none).")
]


def _proxy_type(text: str) -> str:
    for name in PROXY_TYPES:
        if name.lower() == text.lower():
            return name
    raise InvalidInput(f"--type is one of {', '.join(PROXY_TYPES)}, not {text!r}")


def _type_name(raw: Any) -> str:
    if isinstance(raw, dict) and len(raw) == 1:
        return str(next(iter(raw)))
    return str(raw)


def register(app: typer.Typer) -> None:
    """Add the ``proxy`` group to the wallet's `app`."""
    proxy = typer.Typer(help="Proxies: let another key act for an account.", no_args_is_help=True)
    app.add_typer(proxy, name="proxy", rich_help_panel="Accounts")

    def change(call_name: str, title: str, adding: bool) -> Any:
        def command(  # noqa: PLR0917 - one parameter per CLI option
            delegate: Annotated[str, typer.Argument(help="The proxy: address or key name.")],
            proxy_type: TypeOpt = "Any",
            delay: DelayOpt = 0,
            sender: FromOpt = None,
            node: NodeOpt = None,
            wallet_dir: WalletDirOpt = None,
            password_env: PasswordEnvOpt = PASSWORD_ENV_DEFAULT,
            wait: WaitOpt = "finalized",
            yes: YesOpt = False,
            no: NoOpt = False,
            json_output: JsonOpt = False,
            quiet: QuietOpt = False,
        ) -> None:
            session = Session.create(
                node=node,
                wallet_dir=wallet_dir,
                password_env=password_env,
                wait=wait,
                yes=yes,
                no=no,
                json_output=json_output,
                quiet=quiet,
            )

            async def work(chain: ChainClient | None) -> Report:
                assert chain is not None
                signer = session.signer(sender)
                kind = _proxy_type(proxy_type)
                who = resolve_account(delegate, session.keystore)
                prefix = chain.runtime.ss58_prefix or 42
                call = chain.compose("Proxy", call_name, delegate=who, proxy_type=kind, delay=delay)
                spend = Balance(0)
                rows = [
                    ("delegate", ss58_encode(who, prefix)),
                    ("type", kind),
                    ("delay", str(delay)),
                ]
                if adding:
                    existing, _ = await chain.query("Proxy", "Proxies", signer.public_key)
                    spend = Balance(int(chain.constant("Proxy", "ProxyDepositFactor")))
                    if not existing:
                        spend = spend + Balance(int(chain.constant("Proxy", "ProxyDepositBase")))
                    rows.append(("deposit (held)", str(spend)))
                tx = Transaction(
                    call,
                    signer,
                    title,
                    rows,
                    spend=spend,
                    data={"delegate": ss58_encode(who, prefix), "type": kind, "delay": delay},
                )
                return await send(session, chain, tx)

            execute(session, work)

        return command

    add = change("add_proxy", "Add proxy", adding=True)
    add.__doc__ = """Let a delegate act for your account (a deposit is held).

        Examples:

        1. `deepshard wallet proxy add worker-hot --type Protocol --from stash`
        2. `deepshard wallet proxy add 5FHneW46… --type NonTransfer --delay 10 -f stash`
        """
    proxy.command("add")(add)
    remove = change("remove_proxy", "Remove proxy", adding=False)
    remove.__doc__ = """Revoke a proxy (same delegate, type and delay as it was added with).

        Examples:

        1. `deepshard wallet proxy remove worker-hot --type Protocol --from stash`
        """
    proxy.command("remove")(remove)

    @proxy.command("list")
    def list_(
        account: Annotated[
            str | None, typer.Argument(help="Address or key name (default: --from / config).")
        ] = None,
        sender: FromOpt = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """List an account's proxies and the deposit held for them.

        Examples:
        1. `deepshard wallet proxy list stash`
        2. `deepshard wallet proxy list --from stash --json`
        """
        session = Session.create(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            who = (
                resolve_account(account, session.keystore)
                if account
                else session.signer(sender).public_key
            )
            prefix = chain.runtime.ss58_prefix or 42
            definitions, deposit = await chain.query("Proxy", "Proxies", who)
            found = [
                {
                    "delegate": ss58_encode(bytes(d["delegate"]), prefix),
                    "type": _type_name(d["proxy_type"]),
                    "delay": int(d["delay"]),
                }
                for d in definitions
            ]
            data = {
                "account": ss58_encode(who, prefix),
                "proxies": found,
                "deposit": int(deposit),
            }
            rows = [(str(p["delegate"]), str(p["type"]), str(p["delay"])) for p in found]
            return Report(
                f"Proxies of {data['account']} (deposit {Balance(int(deposit))})",
                data,
                columns=("delegate", "type", "delay"),
                rows=rows,
            )

        execute(session, work)
