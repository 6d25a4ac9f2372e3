"""Multisig basics: ``multisig address``, ``multisig transfer``, ``multisig pending``.

A multisig account is ``blake2_256(b"modlpy/utilisuba" ++ SCALE(sorted signatories) ++
threshold as u16 LE)``, as FRAME's Multisig pallet derives it. ``multisig transfer`` approves a
transfer out of it with ``Multisig.as_multi`` (the call in full, so the last approval
dispatches it); the first approval opens the operation and holds its deposit, later ones find
its timepoint on chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

import typer

from deepshard.client.rpc.client import Call, ChainClient, Receipt, to_hex
from deepshard.client.wallet.balance import Balance
from deepshard.client.wallet.errors import InvalidInput
from deepshard.client.wallet.flow import Transaction, send
from deepshard.client.wallet.keystore import Keystore
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
from deepshard.primitives.codec import encode_compact
from deepshard.primitives.crypto import Keypair, ss58_encode
from deepshard.primitives.hashing import blake2_256

__all__ = ["register", "multisig_account"]

MULTI_ACCOUNT_PREFIX: Final = b"modlpy/utilisuba"
PASSWORD_ENV_DEFAULT = "DEEPSHARD_WALLET_PASSWORD"
_MAX_THRESHOLD: Final = 2**16 - 1

ThresholdOpt = Annotated[int, typer.Option("--threshold", "-t", help="Approvals needed.")]
SignatoriesOpt = Annotated[
    str,
    typer.Option(
        "--signatories", "-s", help="Every signatory, comma-separated (names or addresses)."
    ),
]


def multisig_account(signatories: list[bytes], threshold: int) -> bytes:
    """The multisig account of `signatories` (any order, duplicates refused) and `threshold`.

    Raises:
        InvalidInput: fewer than two signatories, a duplicate, or a threshold out of 1..=count.
    """
    unique = sorted(set(signatories))
    if len(unique) != len(signatories):
        raise InvalidInput("a signatory is listed twice")
    if len(unique) < 2:
        raise InvalidInput("a multisig needs at least two signatories")
    if not 1 <= threshold <= min(len(unique), _MAX_THRESHOLD):
        raise InvalidInput(f"the threshold must be 1..={len(unique)}")
    encoded = encode_compact(len(unique)) + b"".join(unique)
    return blake2_256(MULTI_ACCOUNT_PREFIX + encoded + threshold.to_bytes(2, "little"))


def _signatories(text: str, keystore: Keystore) -> list[bytes]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return [resolve_account(p, keystore) for p in parts]


def register(app: typer.Typer) -> None:
    """Add the ``multisig`` group to the wallet's `app`."""
    multisig = typer.Typer(
        help="Multisig accounts: address, transfer, pending.", no_args_is_help=True
    )
    app.add_typer(multisig, name="multisig", rich_help_panel="Accounts")

    @multisig.command("address")
    def address(
        signatories: SignatoriesOpt,
        threshold: ThresholdOpt,
        prefix: Annotated[int, typer.Option(help="SS58 prefix.")] = 42,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show the account of a multisig (signatories in any order).

        Examples:
        1. `deepshard wallet multisig address -s alice,bob,carol -t 2`
        """
        session = Session.create(wallet_dir=wallet_dir, json_output=json_output)

        async def work(_: ChainClient | None) -> Report:
            members = _signatories(signatories, session.keystore)
            account = multisig_account(members, threshold)
            data = {
                "address": ss58_encode(account, prefix),
                "account_id": to_hex(account),
                "threshold": threshold,
                "signatories": [ss58_encode(m, prefix) for m in sorted(members)],
            }
            rows = [
                ("address", str(data["address"])),
                ("account id", str(data["account_id"])),
                ("threshold", f"{threshold} of {len(members)}"),
            ]
            return Report("Multisig", data, rows=rows)

        execute(session, work, chain=False)

    @multisig.command("transfer")
    def transfer(  # noqa: PLR0917 - one parameter per CLI option
        dest: Annotated[str, typer.Argument(help="Recipient: address or key name.")],
        amount: Annotated[str, typer.Argument(help="Amount in DSH.")],
        signatories: SignatoriesOpt,
        threshold: ThresholdOpt,
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
        """Approve a transfer out of a multisig; the approval that reaches the threshold sends it.

        Every signatory runs the same command; the first opens the operation (a deposit is held
        until it completes).

        Examples:
        1. `deepshard wallet multisig transfer bob 10 -s alice,bob,carol -t 2 --from alice`
        2. `deepshard wallet multisig transfer bob 10 -s alice,bob,carol -t 2 --from carol`
        """
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
            members = _signatories(signatories, session.keystore)
            if signer.public_key not in members:
                raise InvalidInput(f"{signer.name} is not one of the signatories")
            account = multisig_account(members, threshold)
            value = Balance.parse(amount)
            to = resolve_account(dest, session.keystore)
            prefix = chain.runtime.ss58_prefix or 42
            inner = chain.compose("Balances", "transfer_keep_alive", dest=to, value=value.planck)
            weight = await _weight(chain, inner)
            pending = await chain.query("Multisig", "Multisigs", account, inner.hash)
            others = sorted(m for m in members if m != signer.public_key)
            timepoint = dict(pending["when"]) if pending else None
            approvals = len(pending["approvals"]) if pending else 0
            call = chain.compose(
                "Multisig",
                "as_multi",
                threshold=threshold,
                other_signatories=others,
                maybe_timepoint=timepoint,
                call=inner,
                max_weight=weight,
            )
            deposit = Balance(0)
            if pending is None:
                base = int(chain.constant("Multisig", "DepositBase"))
                factor = int(chain.constant("Multisig", "DepositFactor"))
                deposit = Balance(base + threshold * factor)
            rows = [
                ("multisig", ss58_encode(account, prefix)),
                ("to", ss58_encode(to, prefix)),
                ("amount (from the multisig)", str(value)),
                ("approvals", f"{approvals} + this one, of {threshold}"),
                ("call hash", to_hex(inner.hash)),
                ("deposit (held)", str(deposit)),
            ]
            tx = Transaction(
                call,
                signer,
                "Multisig transfer",
                rows,
                spend=deposit,
                data={
                    "multisig": ss58_encode(account, prefix),
                    "call_hash": to_hex(inner.hash),
                    "approvals": approvals + 1,
                },
                from_receipt=_outcome,
            )
            return await send(session, chain, tx)

        execute(session, work)

    @multisig.command("pending")
    def pending(
        multisig_address: Annotated[str, typer.Argument(help="The multisig's address.")],
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """List a multisig's open operations (call hash, opened at, approvals).

        Examples:
        1. `deepshard wallet multisig pending 5DjYJStmdZ2rcqXbXGX7TW85JsrW6uG4y9MUcLq2BoPMpRA7`
        """
        session = Session.create(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            account = resolve_account(multisig_address, session.keystore)
            prefix = chain.runtime.ss58_prefix or 42
            found: list[dict[str, Any]] = []
            async for keys, op in chain.iter_storage("Multisig", "Multisigs", account):
                if keys is None or op is None:
                    continue
                found.append(
                    {
                        "call_hash": to_hex(bytes(keys[1])),
                        "opened_at": f"{op['when']['height']}-{op['when']['index']}",
                        "depositor": ss58_encode(bytes(op["depositor"]), prefix),
                        "deposit": int(op["deposit"]),
                        "approvals": [ss58_encode(bytes(a), prefix) for a in op["approvals"]],
                    }
                )
            rows = [
                (str(o["call_hash"]), str(o["opened_at"]), str(len(o["approvals"]))) for o in found
            ]
            return Report(
                "Open multisig operations",
                found,
                columns=("call hash", "opened at", "approvals"),
                rows=rows,
            )

        execute(session, work)


async def _weight(chain: ChainClient, call: Call) -> dict[str, int]:
    """The weight ``payment_queryInfo`` reports for `call` alone (the ``max_weight`` bound)."""
    signed = await chain.sign(call, Keypair.generate(), nonce=0)
    info = await chain.rpc("payment_queryInfo", [to_hex(signed.encoded)])
    weight = info["weight"]
    if isinstance(weight, dict):
        return {
            "ref_time": int(weight["ref_time"] if "ref_time" in weight else weight["refTime"]),
            "proof_size": int(
                weight["proof_size"] if "proof_size" in weight else weight["proofSize"]
            ),
        }
    return {"ref_time": int(weight), "proof_size": 0}


def _outcome(receipt: Receipt) -> dict[str, Any]:
    """Whether this approval dispatched the call, and the call's own result if it did."""
    for event in receipt.events:
        if event.matches("Multisig", "MultisigExecuted") and isinstance(event.fields, Mapping):
            result = event.fields.get("result")
            failed = isinstance(result, Mapping) and "Err" in result
            return {"executed": True, "call_result": "failed" if failed else "ok"}
    return {"executed": False}
