"""Informant and curator commands (Informants pallet): batches, bonds, votes, claims.

* informant: ``submit-batch PATH`` pins the file in the content store (embedded by default,
  a Kubo daemon with ``--ipfs-api``) and proposes it with its CID and a stake;
  ``batches`` and ``batch ID`` show batches and where they are in their life;
* curator: ``curator bond|unbond|withdraw|status``, ``vote BATCH --aye/--nay`` with the five
  criteria, ``votes BATCH``, and ``claim BATCH`` for the curator reward once a batch is decided.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from deepshard.client.rpc.client import ChainClient, Receipt, to_hex
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
from deepshard.offchain_workers.content import EmbeddedStore, KuboRpcStore
from deepshard.offchain_workers.content.cids import cid_bytes, parse_cid
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.primitives.crypto import ss58_encode

__all__ = ["register", "CRITERIA"]

PALLET = "Informants"
CRITERIA = ("novelty", "reproducibility", "alignment", "truthfulness", "objectivity")
"""The five criteria a curator scores a batch on (percent each)."""
PASSWORD_ENV_DEFAULT = "DEEPSHARD_WALLET_PASSWORD"

ScoreOpt = Annotated[int, typer.Option(min=0, max=100, help="Percent, 0..100.")]


def _session(**options: Any) -> Session:
    return Session.create(**options)


def _cid_text(raw: Any) -> str:
    if isinstance(raw, (bytes, bytearray)) and raw:
        try:
            return str(parse_cid(bytes(raw)))
        except ContentError:
            return to_hex(bytes(raw))
    return "-" if not raw else str(raw)


def _phase(raw: Any) -> str:
    if isinstance(raw, Mapping) and len(raw) == 1:
        return str(next(iter(raw)))
    return str(raw)


def _batch_data(batch_id: int, batch: Mapping[str, Any], prefix: int) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "phase": _phase(batch["phase"]),
        "informant": ss58_encode(bytes(batch["informant"]), prefix),
        "cid": _cid_text(batch["cid"]),
        "metadata_cid": _cid_text(batch["metadata_cid"]),
        "byte_size": int(batch["byte_size"]),
        "item_count": int(batch["item_count"]),
        "stake": int(batch["stake"]),
        "deposit": int(batch["deposit"]),
        "submitted_at": int(batch["submitted_at"]),
        "voting_ends": int(batch["voting_ends"]),
        "electorate": int(batch["electorate"]),
        "aye": int(batch["aye"]),
        "nay": int(batch["nay"]),
        "vote_count": int(batch["vote_count"]),
    }


async def _pin(path: Path, ipfs_api: str | None, ipfs_repo: Path | None) -> tuple[bytes, str]:
    try:
        if ipfs_api:
            async with KuboRpcStore(ipfs_api) as kubo:
                added = await kubo.add_path(path, pin=True)
        else:
            repo = ipfs_repo or Path(
                os.environ.get("DEEPSHARD_IPFS_PATH") or Path.home() / ".deepshard" / "ipfs"
            )
            store = EmbeddedStore(repo)
            try:
                added = await store.add_path(path, pin=True)
            finally:
                store.close()
    except (ContentError, OSError) as exc:
        raise InvalidInput(f"cannot pin {path}: {exc}") from None
    root = added[-1].cid
    return cid_bytes(root), str(root)


def _transaction_options(  # noqa: PLR0917 - one parameter per CLI option
    node: str | None,
    wallet_dir: Path | None,
    password_env: str,
    wait: str,
    yes: bool,
    no: bool,
    json_output: bool,
    quiet: bool,
) -> dict[str, Any]:
    return {
        "node": node,
        "wallet_dir": wallet_dir,
        "password_env": password_env,
        "wait": wait,
        "yes": yes,
        "no": no,
        "json_output": json_output,
        "quiet": quiet,
    }


def register(app: typer.Typer) -> None:
    """Add the informant and curator commands to the wallet's `app`."""
    curator = typer.Typer(
        help="Curator bonds: bond, unbond, withdraw, status.", no_args_is_help=True
    )
    app.add_typer(curator, name="curator", rich_help_panel="Curators")

    @app.command("submit-batch", rich_help_panel="Informants")
    def submit_batch(  # noqa: PLR0917 - one parameter per CLI option
        path: Annotated[Path, typer.Argument(help="The batch: a JSONL file (one item a line).")],
        stake: Annotated[str, typer.Option("--stake", help="DSH to stake on the batch.")],
        items: Annotated[
            int | None, typer.Option("--items", help="Item count (default: the file's lines).")
        ] = None,
        metadata_cid: Annotated[
            str | None, typer.Option("--metadata-cid", help="CID of the batch's description.")
        ] = None,
        ipfs_api: Annotated[
            str | None, typer.Option("--ipfs-api", help="Pin through a Kubo daemon's RPC API.")
        ] = None,
        ipfs_repo: Annotated[
            Path | None,
            typer.Option("--ipfs-repo", help="Embedded store directory [env DEEPSHARD_IPFS_PATH]."),
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
        """Pin a batch file in the content store and propose it on chain with a stake.

        The file is added (and pinned) to the embedded store, or to a Kubo daemon with
        `--ipfs-api`; its CID, size and item count go into `Informants.submit_batch`. The stake
        and the batch deposit are held until the batch is decided.

        Examples:
        1. `deepshard wallet submit-batch facts.jsonl --stake 200 --from alice`
        2. `deepshard wallet submit-batch facts.jsonl --stake 200 -f alice --ipfs-api http://127.0.0.1:5001`
        """
        session = _session(
            **_transaction_options(
                node, wallet_dir, password_env, wait, yes, no, json_output, quiet
            )
        )

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            amount = Balance.parse(stake)
            signer = session.signer(sender)
            if not path.is_file():
                raise InvalidInput(f"{path} is not a file")
            size = path.stat().st_size
            if size == 0:
                raise InvalidInput(f"{path} is empty")
            count = items if items is not None else _count_lines(path)
            meta = b""
            if metadata_cid:
                try:
                    meta = cid_bytes(parse_cid(metadata_cid))
                except ContentError as exc:
                    raise InvalidInput(f"--metadata-cid: {exc}") from None
            cid, cid_text = await _pin(path, ipfs_api, ipfs_repo)
            deposit = Balance(int(chain.constant(PALLET, "BatchDeposit")))
            call = chain.compose(
                PALLET,
                "submit_batch",
                cid=cid,
                byte_size=size,
                item_count=count,
                stake=amount.planck,
                metadata_cid=meta,
            )
            tx = Transaction(
                call,
                signer,
                "Submit batch",
                [
                    ("file", str(path)),
                    ("cid (pinned)", cid_text),
                    ("size", f"{size:,} bytes"),
                    ("items", f"{count:,}"),
                    ("stake (held)", str(amount)),
                    ("deposit (held)", str(deposit)),
                ],
                spend=amount + deposit,
                data={"cid": cid_text, "byte_size": size, "item_count": count},
                from_receipt=_batch_id,
            )
            return await send(session, chain, tx)

        execute(session, work)

    @app.command("batches", rich_help_panel="Informants")
    def batches(
        informant: Annotated[
            str | None, typer.Option("--informant", help="Only this informant's batches.")
        ] = None,
        phase: Annotated[
            str | None, typer.Option("--phase", help="Only batches in this phase (e.g. Voting).")
        ] = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """List batches with their phase, stake and votes so far.

        Examples:
        1. `deepshard wallet batches --phase Voting`
        2. `deepshard wallet batches --informant alice --json`
        """
        session = _session(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            prefix = chain.runtime.ss58_prefix or 42
            who = resolve_account(informant, session.keystore) if informant else None
            found = []
            async for keys, batch in chain.iter_storage(PALLET, "Batches"):
                if keys is None or batch is None:
                    continue
                data = _batch_data(int(keys[0]), batch, prefix)
                if who is not None and bytes(batch["informant"]) != who:
                    continue
                if phase is not None and data["phase"].lower() != phase.lower():
                    continue
                found.append(data)
            found.sort(key=lambda d: d["batch_id"])
            rows = [
                (
                    str(d["batch_id"]),
                    d["phase"],
                    d["informant"][:10] + "…",
                    d["cid"],
                    Balance(d["stake"]).figure(),
                    f"{Balance(d['aye']).figure()} / {Balance(d['nay']).figure()}",
                    str(d["voting_ends"]),
                )
                for d in found
            ]
            return Report(
                "Batches",
                found,
                columns=("id", "phase", "informant", "cid", "stake", "aye / nay", "voting ends"),
                rows=rows,
            )

        execute(session, work)

    @app.command("batch", rich_help_panel="Informants")
    def batch(
        batch_id: Annotated[int, typer.Argument(help="The batch id.")],
        node: NodeOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show one batch: phase, CID, stake, votes, and when voting ends.

        Examples:
        1. `deepshard wallet batch 7`
        """
        session = _session(node=node, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            found = await chain.query(PALLET, "Batches", batch_id)
            if found is None:
                raise InvalidInput(f"there is no batch {batch_id}")
            data = _batch_data(batch_id, found, chain.runtime.ss58_prefix or 42)
            data["best_block"] = int((await chain.header()).number)
            rows = [
                (k.replace("_", " "), Balance(v).__str__() if k in _AMOUNTS else str(v))
                for k, v in data.items()
            ]
            return Report(f"Batch {batch_id}", data, rows=rows)

        execute(session, work)

    @app.command("votes", rich_help_panel="Curators")
    def votes(
        batch_id: Annotated[int, typer.Argument(help="The batch id.")],
        node: NodeOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """List the votes on a batch (curator, aye/nay, weight, the five scores).

        Examples:
        1. `deepshard wallet votes 7`
        """
        session = _session(node=node, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            prefix = chain.runtime.ss58_prefix or 42
            found: list[dict[str, Any]] = []
            async for keys, vote in chain.iter_storage(PALLET, "Votes", batch_id):
                if keys is None or vote is None:
                    continue
                scores = vote["scores"]
                found.append(
                    {
                        "curator": ss58_encode(bytes(keys[1]), prefix),
                        "aye": bool(vote["aye"]),
                        "weight": int(vote["weight"]),
                        "at": int(vote["at"]),
                        "scores": {c: int(scores[c]) for c in CRITERIA},
                    }
                )
            rows = [
                (
                    str(v["curator"]),
                    "aye" if v["aye"] else "nay",
                    Balance(v["weight"]).figure(),
                    " ".join(str(v["scores"][c]) for c in CRITERIA),
                )
                for v in found
            ]
            return Report(
                f"Votes on batch {batch_id}",
                found,
                columns=("curator", "vote", "weight", "scores (" + "/".join(CRITERIA) + ")"),
                rows=rows,
            )

        execute(session, work)

    @app.command("vote", rich_help_panel="Curators")
    def vote(  # noqa: PLR0917 - one parameter per CLI option
        batch_id: Annotated[int, typer.Argument(help="The batch id.")],
        aye: Annotated[
            bool | None, typer.Option("--aye/--nay", help="Accept or reject the batch.")
        ] = None,
        novelty: ScoreOpt = 0,
        reproducibility: ScoreOpt = 0,
        alignment: ScoreOpt = 0,
        truthfulness: ScoreOpt = 0,
        objectivity: ScoreOpt = 0,
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
        """Vote aye or nay on a batch in voting, scoring the five criteria (percent).

        A second vote replaces the first. The vote weighs your active curator bond.

        Examples:
        1. `deepshard wallet vote 7 --aye --novelty 80 --reproducibility 70 --alignment 90
           --truthfulness 85 --objectivity 75 -f carol`
        2. `deepshard wallet vote 7 --nay -f dave --yes --json`
        """
        session = _session(
            **_transaction_options(
                node, wallet_dir, password_env, wait, yes, no, json_output, quiet
            )
        )

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            if aye is None:
                raise InvalidInput("say --aye or --nay")
            signer = session.signer(sender)
            scores = dict(
                zip(
                    CRITERIA,
                    (novelty, reproducibility, alignment, truthfulness, objectivity),
                    strict=True,
                )
            )
            call = chain.compose(PALLET, "vote", batch_id=batch_id, aye=aye, scores=scores)
            tx = Transaction(
                call,
                signer,
                "Vote",
                [
                    ("batch", str(batch_id)),
                    ("vote", "aye" if aye else "nay"),
                    *((c, f"{s}%") for c, s in scores.items()),
                ],
                data={"batch_id": batch_id, "aye": aye, "scores": scores},
            )
            return await send(session, chain, tx)

        execute(session, work)

    @app.command("claim", rich_help_panel="Curators")
    def claim(  # noqa: PLR0917 - one parameter per CLI option
        batch_id: Annotated[int, typer.Argument(help="A decided batch you voted on.")],
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
        """Claim your curator reward on a decided batch (and remove your vote).

        Examples:
        1. `deepshard wallet claim 7 --from carol`
        """
        session = _session(
            **_transaction_options(
                node, wallet_dir, password_env, wait, yes, no, json_output, quiet
            )
        )

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            signer = session.signer(sender)
            call = chain.compose(PALLET, "claim_curator_reward", batch_id=batch_id)
            tx = Transaction(
                call,
                signer,
                "Claim curator reward",
                [("batch", str(batch_id))],
                data={"batch_id": batch_id},
            )
            return await send(session, chain, tx)

        execute(session, work)

    def _bond_command(call_name: str, title: str, *, held: bool) -> Any:
        def command(  # noqa: PLR0917 - one parameter per CLI option
            amount: Annotated[str, typer.Argument(help="Amount in DSH.")],
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
            session = _session(
                **_transaction_options(
                    node, wallet_dir, password_env, wait, yes, no, json_output, quiet
                )
            )

            async def work(chain: ChainClient | None) -> Report:
                assert chain is not None
                value = Balance.parse(amount)
                signer = session.signer(sender)
                call = chain.compose(PALLET, call_name, amount=value.planck)
                tx = Transaction(
                    call,
                    signer,
                    title,
                    [("amount", str(value))],
                    spend=value if held else Balance(0),
                    data={"amount": value.planck},
                )
                return await send(session, chain, tx)

            execute(session, work)

        return command

    bond = _bond_command("bond_curator", "Curator bond", held=True)
    bond.__doc__ = """Bond DSH as a curator (held); your active bond weighs your votes.

        Examples:

        1. `deepshard wallet curator bond 200 --from carol`
        """
    curator.command("bond")(bond)
    unbond = _bond_command("unbond_curator", "Curator unbond", held=False)
    unbond.__doc__ = """Start unbonding; withdraw it after the unbonding period.

        Examples:

        1. `deepshard wallet curator unbond 50 --from carol`
        """
    curator.command("unbond")(unbond)

    @curator.command("withdraw")
    def withdraw(  # noqa: PLR0917 - one parameter per CLI option
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
        """Release every unbonding chunk whose period has ended.

        Examples:
        1. `deepshard wallet curator withdraw --from carol`
        """
        session = _session(
            **_transaction_options(
                node, wallet_dir, password_env, wait, yes, no, json_output, quiet
            )
        )

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            signer = session.signer(sender)
            call = chain.compose(PALLET, "withdraw_unbonded")
            return await send(session, chain, Transaction(call, signer, "Curator withdraw", []))

        execute(session, work)

    @curator.command("status")
    def status(
        account: Annotated[
            str | None, typer.Argument(help="Address or key name (default: --from / config).")
        ] = None,
        sender: FromOpt = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show a curator's active bond and unbonding chunks.

        Examples:
        1. `deepshard wallet curator status carol`
        """
        session = _session(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            who = (
                resolve_account(account, session.keystore)
                if account
                else session.signer(sender).public_key
            )
            ledger = await chain.query(PALLET, "Curators", who)
            now = int((await chain.header()).number)
            active = int(ledger["active"]) if ledger else 0
            chunks = [
                {"amount": int(c["amount"]), "unlock_at": int(c["unlock_at"])}
                for c in (ledger["unlocking"] if ledger else ())
            ]
            data = {
                "curator": ss58_encode(who, chain.runtime.ss58_prefix or 42),
                "active": active,
                "unlocking": chunks,
                "best_block": now,
            }
            rows = [
                ("curator", str(data["curator"])),
                ("active bond", str(Balance(active))),
                *(
                    (
                        "unlocking",
                        f"{Balance(c['amount'])} at #{c['unlock_at']}"
                        + (" (ready)" if c["unlock_at"] <= now else ""),
                    )
                    for c in chunks
                ),
            ]
            return Report("Curator", data, rows=rows)

        execute(session, work)


_AMOUNTS = frozenset({"stake", "deposit", "electorate", "aye", "nay"})


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                count += 1
    if count == 0:
        raise InvalidInput(f"{path} has no items (no non-empty lines)")
    return count


def _batch_id(receipt: Receipt) -> dict[str, Any]:
    for event in receipt.events:
        if event.matches(PALLET, "BatchSubmitted") and isinstance(event.fields, Mapping):
            return {"batch_id": int(event.fields["batch_id"])}
    return {}
