"""Weight-licence and keeper commands (Licences pallet): quote, buy, list; keeper bonds.

* ``licence price VERSION``: the price ``LicencesApi_price`` quotes now, and whether the
  version's weights are on sale (a registered ciphertext: CID, t of n keepers);
* ``licence buy VERSION [--max-price DSH]``: the pallet's ``buy`` with the buyer's X25519 box
  key derived from the signing key (`licence_box_keypair`), so the same ``--from`` key later
  opens the key shares; ``--max-price`` (default: the quote) guards against a price that moves
  before the purchase lands;
* ``licence list [ADDRESS]``: the account's purchases (``Purchases``) and licences
  (``LicencesOf``): phase, price, deliveries against the threshold, deadline;
* ``keeper bond AMOUNT | unbond | withdraw | status``: a keeper's bond (held) and the box key
  its shares are sealed to (derived from the signing key as well).

The signing key is unlocked before the preview of ``buy`` and ``keeper bond``: the box key
that the call carries comes from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from deepshard.client.rpc.client import ChainClient, Receipt, from_hex, to_hex
from deepshard.client.wallet.balance import Balance
from deepshard.client.wallet.errors import InvalidInput, NodeError
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
from deepshard.offchain_workers.content.cids import parse_cid
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.primitives.codec import decode
from deepshard.primitives.codec.errors import DecodeError
from deepshard.primitives.crypto import ss58_encode
from deepshard.primitives.crypto.box_key import licence_box_keypair
from deepshard.primitives.numeric import U128

__all__ = ["register", "quote_price", "purchase_data"]

PALLET = "Licences"
PRICE_API = "LicencesApi_price"
"""The runtime API a wallet quotes prices with."""
PASSWORD_ENV_DEFAULT = "DEEPSHARD_WALLET_PASSWORD"


async def quote_price(chain: ChainClient, version: int) -> Balance | None:
    """The price of a licence for `version` now (``LicencesApi_price``); None if no version.

    Raises:
        NodeError: the node does not serve the API or answers something else than an
            ``Option<u128>``.
    """
    raw = await chain.rpc("state_call", [PRICE_API, to_hex(version.to_bytes(4, "little"))])
    try:
        price = decode(U128 | None, from_hex(raw, PRICE_API))
    except (DecodeError, ValueError, TypeError) as exc:
        raise NodeError(f"{PRICE_API} answered {raw!r:.80}: not an Option<u128>") from exc
    return None if price is None else Balance(int(price))


def _variant(raw: Any) -> str:
    if isinstance(raw, Mapping) and len(raw) == 1:
        return str(next(iter(raw)))
    return str(raw)


def _cid_text(raw: Any) -> str:
    data = bytes(raw) if isinstance(raw, (bytes, bytearray, list)) else b""
    try:
        return str(parse_cid(data))
    except ContentError:
        return to_hex(data)


def purchase_data(
    purchase_id: int, raw: Mapping[str, Any], threshold: int | None, prefix: int
) -> dict[str, Any]:
    """A `Licences.Purchases` value as plain JSON-ready data (addresses in SS58 for `prefix`)."""
    return {
        "purchase_id": purchase_id,
        "buyer": ss58_encode(bytes(raw["buyer"]), prefix),
        "version": int(raw["version"]),
        "price": int(raw["price"]),
        "phase": _variant(raw["phase"]),
        "deadline": int(raw["deadline"]),
        "keepers": [ss58_encode(bytes(k), prefix) for k in raw["keepers"]],
        "deliveries": [ss58_encode(bytes(k), prefix) for k, _ in raw["deliveries"]],
        "threshold": threshold,
        "buyer_box_key": to_hex(bytes(raw["buyer_box_key"])),
    }


def _tx_session(  # noqa: PLR0917 - one parameter per CLI option
    node: str | None,
    wallet_dir: Path | None,
    password_env: str,
    wait: str,
    yes: bool,
    no: bool,
    json_output: bool,
    quiet: bool,
) -> Session:
    return Session.create(
        node=node,
        wallet_dir=wallet_dir,
        password_env=password_env,
        wait=wait,
        yes=yes,
        no=no,
        json_output=json_output,
        quiet=quiet,
    )


def _version(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise InvalidInput(f"a model version is a number, not {text!r}") from None
    if not 0 <= value < 2**32:
        raise InvalidInput(f"model version {value} is out of range")
    return value


def _purchase_id(receipt: Receipt) -> dict[str, Any]:
    for event in receipt.events:
        if event.matches(PALLET, "PurchaseOpened") and isinstance(event.fields, Mapping):
            return {"purchase_id": int(event.fields["purchase_id"])}
    return {}


def _licence_app() -> typer.Typer:
    group = typer.Typer(
        help="Weight licences: quote a version's price, buy it, list your licences.",
        no_args_is_help=True,
    )

    @group.command("price")
    def price(
        version: Annotated[str, typer.Argument(help="The model version.")],
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Quote the price of a licence for a model version, and whether it is on sale.

        Examples:
        1. `deepshard wallet licence price 3`
        2. `deepshard wallet licence price 0 --json`
        """
        session = Session.create(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            number = _version(version)
            quoted = await quote_price(chain, number)
            if quoted is None:
                raise InvalidInput(f"no model version {number}")
            ciphertext = await chain.query(PALLET, "Ciphertexts", number)
            best = int((await chain.header()).number)
            data: dict[str, Any] = {
                "version": number,
                "price": quoted.planck,
                "on_sale": ciphertext is not None,
                "cid": _cid_text(ciphertext["cid"]) if ciphertext else None,
                "threshold": int(ciphertext["threshold"]) if ciphertext else None,
                "keepers": len(ciphertext["keepers"]) if ciphertext else None,
                "best_block": best,
            }
            rows = [
                ("version", str(number)),
                ("price", str(quoted)),
                ("at block", f"#{best}"),
                (
                    "on sale",
                    f"yes: {data['cid']}, {data['threshold']} of {data['keepers']} keepers"
                    if ciphertext
                    else "no (no ciphertext registered yet)",
                ),
            ]
            return Report(f"Licence for version {number}", data, rows=rows)

        execute(session, work)

    @group.command("buy")
    def buy(  # noqa: PLR0917 - one parameter per CLI option
        version: Annotated[str, typer.Argument(help="The model version.")],
        max_price: Annotated[
            str | None,
            typer.Option(
                "--max-price", help="The most you pay, in DSH (default: the quoted price)."
            ),
        ] = None,
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
        """Buy a weight licence: the price moves into escrow until the keepers serve it.

        The key shares are sealed to a box key derived from the signing key, so the same key
        opens them later (`deepshard infer serve --key ...`). If the keepers do not serve the
        purchase before its deadline, the price is refunded.

        Examples:
        1. `deepshard wallet licence buy 3 --from alice`
        2. `deepshard wallet licence buy 3 --from alice --max-price 1200 --yes --json`
        """
        session = _tx_session(node, wallet_dir, password_env, wait, yes, no, json_output, quiet)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            number = _version(version)
            limit = Balance.parse(max_price) if max_price is not None else None
            signer = session.signer(sender)
            quoted = await quote_price(chain, number)
            if quoted is None:
                raise InvalidInput(f"no model version {number}")
            limit = quoted if limit is None else limit
            _, box_key = licence_box_keypair(session.unlock(signer))
            call = chain.compose(
                PALLET,
                "buy",
                version=number,
                buyer_box_key=box_key,
                max_price=limit.planck,
            )
            period = int(chain.constant(PALLET, "PurchasePeriod"))
            tx = Transaction(
                call,
                signer,
                f"Licence purchase of version {number}",
                [
                    ("version", str(number)),
                    ("quoted price", str(quoted)),
                    ("max price", str(limit)),
                    ("box key", to_hex(box_key)),
                    ("served within", f"{period} blocks, else refunded"),
                ],
                spend=quoted,
                data={
                    "version": number,
                    "price": quoted.planck,
                    "max_price": limit.planck,
                    "box_key": to_hex(box_key),
                },
                from_receipt=_purchase_id,
            )
            return await send(session, chain, tx)

        execute(session, work)

    @group.command("list")
    def list_(
        account: Annotated[
            str | None, typer.Argument(help="Address or key name (default: --from / config).")
        ] = None,
        sender: FromOpt = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """List an account's licence purchases: phase, price, deliveries, licence granted.

        Examples:
        1. `deepshard wallet licence list alice`
        2. `deepshard wallet licence list 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --json`
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
            licensed: dict[int, int] = {}
            async for keys, value in chain.iter_storage(PALLET, "LicencesOf", who):
                if keys is not None and value is not None:
                    licensed[int(keys[1])] = int(value)
            thresholds: dict[int, int | None] = {}
            found = []
            async for keys, value in chain.iter_storage(PALLET, "Purchases"):
                if keys is None or value is None or bytes(value["buyer"]) != who:
                    continue
                version = int(value["version"])
                if version not in thresholds:
                    ciphertext = await chain.query(PALLET, "Ciphertexts", version)
                    thresholds[version] = int(ciphertext["threshold"]) if ciphertext else None
                data = purchase_data(int(keys[0]), value, thresholds[version], prefix)
                data["licensed"] = licensed.get(version) == data["purchase_id"]
                found.append(data)
            found.sort(key=lambda d: d["purchase_id"])
            rows = [
                (
                    f"#{d['purchase_id']} v{d['version']}",
                    f"{d['phase']}, {Balance(d['price'])}, "
                    f"{len(d['deliveries'])}/{d['threshold']} shares, "
                    f"deadline #{d['deadline']}" + (", licensed" if d["licensed"] else ""),
                )
                for d in found
            ]
            title = f"Licences of {ss58_encode(who, prefix)}"
            return Report(title, found, rows=rows or [("purchases", "none")])

        execute(session, work)

    return group


def _keeper_app() -> typer.Typer:
    group = typer.Typer(
        help="Keeper bonds: bond (and publish your box key), unbond, withdraw, status.",
        no_args_is_help=True,
    )

    @group.command("bond")
    def bond(  # noqa: PLR0917 - one parameter per CLI option
        amount: Annotated[str, typer.Argument(help="Amount in DSH (0: only rotate the key).")],
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
        """Bond DSH as a keeper (held) and publish the box key your shares are sealed to.

        The box key is derived from the signing key, as `deepshard worker keeper` derives it.

        Examples:
        1. `deepshard wallet keeper bond 1000 --from alice`
        2. `deepshard wallet keeper bond 0 --from alice --yes --json`
        """
        session = _tx_session(node, wallet_dir, password_env, wait, yes, no, json_output, quiet)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            value = Balance.parse(amount)
            signer = session.signer(sender)
            _, box_key = licence_box_keypair(session.unlock(signer))
            call = chain.compose(PALLET, "bond_keeper", amount=value.planck, box_key=box_key)
            tx = Transaction(
                call,
                signer,
                "Keeper bond",
                [("amount", str(value)), ("box key", to_hex(box_key))],
                spend=value,
                data={"amount": value.planck, "box_key": to_hex(box_key)},
            )
            return await send(session, chain, tx)

        execute(session, work)

    def _simple(call_name: str, title: str) -> Any:
        def command(  # noqa: PLR0917 - one parameter per CLI option
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
            session = _tx_session(node, wallet_dir, password_env, wait, yes, no, json_output, quiet)

            async def work(chain: ChainClient | None) -> Report:
                assert chain is not None
                signer = session.signer(sender)
                call = chain.compose(PALLET, call_name)
                return await send(session, chain, Transaction(call, signer, title, []))

            execute(session, work)

        return command

    unbond = _simple("unbond_keeper", "Keeper unbond")
    unbond.__doc__ = """Start unbonding your whole keeper bond (you still serve open purchases).

        Examples:

        1. `deepshard wallet keeper unbond --from alice`
        """
    group.command("unbond")(unbond)
    withdraw = _simple("withdraw_keeper", "Keeper withdraw")
    withdraw.__doc__ = """Release your keeper bond once unbonded and no open purchase counts on it.

        Examples:

        1. `deepshard wallet keeper withdraw --from alice`
        """
    group.command("withdraw")(withdraw)

    @group.command("status")
    def status(
        account: Annotated[
            str | None, typer.Argument(help="Address or key name (default: --from / config).")
        ] = None,
        sender: FromOpt = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show a keeper's bond, box key, unbonding and the purchases counting on it.

        Examples:
        1. `deepshard wallet keeper status alice --json`
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
            info = await chain.query(PALLET, "Keepers", who)
            unlock_at = info["unlock_at"] if info else None
            data: dict[str, Any] = {
                "keeper": ss58_encode(who, prefix),
                "bonded": info is not None,
                "bond": int(info["bond"]) if info else 0,
                "box_key": to_hex(bytes(info["box_key"])) if info else None,
                "unlock_at": None if unlock_at is None else int(unlock_at),
                "open_purchases": int(info["open_purchases"]) if info else 0,
            }
            rows = [
                ("keeper", data["keeper"]),
                ("bond", str(Balance(data["bond"]))),
                ("box key", data["box_key"] or "-"),
                ("unbonding", "no" if unlock_at is None else f"withdraw from #{unlock_at}"),
                ("open purchases", str(data["open_purchases"])),
            ]
            return Report("Keeper", data, rows=rows)

        execute(session, work)

    return group


def register(app: typer.Typer) -> None:
    """Add the ``licence`` and ``keeper`` command groups to the wallet's `app`."""
    app.add_typer(_licence_app(), name="licence", rich_help_panel="Licences")
    app.add_typer(_keeper_app(), name="keeper", rich_help_panel="Licences")
