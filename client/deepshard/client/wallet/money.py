"""Money commands: ``balance``, ``transfer``, ``transfer-all``."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from deepshard.client.rpc.client import ChainClient
from deepshard.client.wallet.balance import Balance
from deepshard.client.wallet.errors import InvalidInput
from deepshard.client.wallet.flow import Transaction, account_balance, send
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

__all__ = ["register"]

PASSWORD_ENV_DEFAULT = "DEEPSHARD_WALLET_PASSWORD"


def register(app: typer.Typer) -> None:
    """Add the money commands to the wallet's `app`."""

    @app.command("balance", rich_help_panel="Money")
    def balance(
        accounts: Annotated[
            list[str] | None,
            typer.Argument(help="Addresses or key names (default: every key in the keystore)."),
        ] = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show free, reserved, frozen and held balances (holds by reason).

        Examples:
        1. `deepshard wallet balance` (every key in the keystore)
        2. `deepshard wallet balance alice 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty`
        3. `deepshard wallet balance alice --json --node ws://10.0.0.2:9944`
        """
        session = Session.create(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            prefix = chain.runtime.ss58_prefix or 42
            if accounts:
                targets = [(a, resolve_account(a, session.keystore)) for a in accounts]
            else:
                targets = [(k.name, k.public_key) for k in session.keystore.list()]
            found = await asyncio.gather(*(account_balance(chain, t[1]) for t in targets))
            data, rows = [], []
            for (label, account), info in zip(targets, found, strict=True):
                address = ss58_encode(account, prefix)
                holds = {reason: amount.planck for reason, amount in info.holds}
                data.append(
                    {
                        "account": label,
                        "address": address,
                        "free": info.free.planck,
                        "reserved": info.reserved.planck,
                        "frozen": info.frozen.planck,
                        "transferable": info.transferable.planck,
                        "holds": holds,
                        "nonce": info.nonce,
                    }
                )
                held = ", ".join(f"{r}: {a.figure()}" for r, a in info.holds) or "-"
                name = label if label != address else address[:8] + "…"
                rows.append(
                    (
                        name,
                        address,
                        info.free.figure(),
                        info.reserved.figure(),
                        info.frozen.figure(),
                        held,
                    )
                )
            return Report(
                "Balances (DSH)",
                data,
                columns=("account", "address", "free", "reserved", "frozen", "held by reason"),
                rows=rows,
            )

        execute(session, work)

    @app.command("transfer", rich_help_panel="Money")
    def transfer(  # noqa: PLR0917 - one parameter per CLI option
        dest: Annotated[str, typer.Argument(help="Recipient: SS58 address or key name.")],
        amount: Annotated[str, typer.Argument(help="Amount in DSH (e.g. 1.5; 12 decimals).")],
        sender: FromOpt = None,
        allow_death: Annotated[
            bool,
            typer.Option(
                "--allow-death", help="Allow the sender's account to be reaped (below the ED)."
            ),
        ] = False,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        password_env: PasswordEnvOpt = PASSWORD_ENV_DEFAULT,
        wait: WaitOpt = "finalized",
        yes: YesOpt = False,
        no: NoOpt = False,
        json_output: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        """Send DSH to an account (keeping the sender alive unless `--allow-death`).

        Shows a preview with the fee estimate, asks for confirmation, unlocks the key, then
        waits for the block to be finalized and prints the receipt.

        Examples:
        1. `deepshard wallet transfer bob 12.5 --from alice`
        2. `deepshard wallet transfer 5FHneW46… 0.001 -f alice --yes --json`
        3. `deepshard wallet transfer bob 1 -f alice --no` (preview only)
        """
        session = Session.create(
            node=node,
            wallet_dir=wallet_dir,
            json_output=json_output,
            quiet=quiet,
            yes=yes,
            no=no,
            password_env=password_env,
            wait=wait,
        )

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            value = Balance.parse(amount)
            if value.planck == 0:
                raise InvalidInput("the amount must be more than zero")
            signer = session.signer(sender)
            to = resolve_account(dest, session.keystore)
            prefix = chain.runtime.ss58_prefix or 42
            name = "transfer_allow_death" if allow_death else "transfer_keep_alive"
            call = chain.compose("Balances", name, dest=to, value=value.planck)
            tx = Transaction(
                call,
                signer,
                "Transfer",
                [("to", ss58_encode(to, prefix)), ("amount", str(value))],
                spend=value,
                data={"to": ss58_encode(to, prefix), "amount": value.planck},
            )
            return await send(session, chain, tx)

        execute(session, work)

    @app.command("transfer-all", rich_help_panel="Money")
    def transfer_all(  # noqa: PLR0917 - one parameter per CLI option
        dest: Annotated[str, typer.Argument(help="Recipient: SS58 address or key name.")],
        sender: FromOpt = None,
        keep_alive: Annotated[
            bool, typer.Option("--keep-alive", help="Leave the existential deposit behind.")
        ] = False,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        password_env: PasswordEnvOpt = PASSWORD_ENV_DEFAULT,
        wait: WaitOpt = "finalized",
        yes: YesOpt = False,
        no: NoOpt = False,
        json_output: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        """Send everything transferable to an account (`Balances.transfer_all`).

        Examples:
        1. `deepshard wallet transfer-all cold-storage --from hot`
        2. `deepshard wallet transfer-all bob -f alice --keep-alive --yes`
        """
        session = Session.create(
            node=node,
            wallet_dir=wallet_dir,
            json_output=json_output,
            quiet=quiet,
            yes=yes,
            no=no,
            password_env=password_env,
            wait=wait,
        )

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            signer = session.signer(sender)
            to = resolve_account(dest, session.keystore)
            prefix = chain.runtime.ss58_prefix or 42
            call = chain.compose("Balances", "transfer_all", dest=to, keep_alive=keep_alive)
            existential = Balance(int(chain.constant("Balances", "ExistentialDeposit")))
            tx = Transaction(
                call,
                signer,
                "Transfer all",
                [
                    ("to", ss58_encode(to, prefix)),
                    ("keep alive", "yes" if keep_alive else "no (the account may be reaped)"),
                ],
                leave=existential if keep_alive else Balance(0),
                data={"to": ss58_encode(to, prefix)},
            )
            return await send(session, chain, tx)

        execute(session, work)
