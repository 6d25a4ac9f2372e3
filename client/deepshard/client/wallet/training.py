"""Trainer and scorer commands (Training pallet): bonds, rounds and model versions.

* ``trainer bond|unbond|withdraw|status`` and ``scorer bond|unbond|withdraw|status``: the
  pallet's ``bond``, ``unbond`` and ``withdraw_unbonded`` calls with ``role`` set, and the
  ``TrainerBonds`` / ``ScorerBonds`` ledgers;
* ``rounds`` and ``round ID``: a round's phase, shard, drawn trainers and scorers, and for one
  round its commitments, reveals, scores, verdicts and pending slashes;
* ``versions`` and ``version ID``: the model-version lineage (parent, adapters, held-out loss).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from deepshard.client.rpc.client import ChainClient, to_hex
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
from deepshard.offchain_workers.content.cids import parse_cid
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.primitives.crypto import ss58_encode

__all__ = ["register", "round_data", "version_data", "verdicts", "ROLES"]

PALLET = "Training"
ROLES = {"trainer": ("Trainer", "TrainerBonds"), "scorer": ("Scorer", "ScorerBonds")}
"""CLI role name → (the pallet's ``Role`` variant, the ledger storage item)."""
PASSWORD_ENV_DEFAULT = "DEEPSHARD_WALLET_PASSWORD"


def _variant(raw: Any) -> str:
    if isinstance(raw, Mapping) and len(raw) == 1:
        return str(next(iter(raw)))
    return str(raw)


def _cid_text(raw: Any) -> str:
    data = bytes(raw) if isinstance(raw, (bytes, bytearray, list)) else b""
    if not data:
        return "-"
    try:
        return str(parse_cid(data))
    except ContentError:
        return to_hex(data)


def _opt_int(raw: Any) -> int | None:
    return None if raw is None else int(raw)


def _account(raw: Any, prefix: int) -> str:
    return ss58_encode(bytes(raw), prefix)


def round_data(round_id: int, raw: Mapping[str, Any], prefix: int) -> dict[str, Any]:
    """A `Training.Rounds` value as plain JSON-ready data (addresses in SS58 for `prefix`)."""
    return {
        "round_id": round_id,
        "phase": _variant(raw["phase"]),
        "outcome": _variant(raw["outcome"]),
        "parent_version": int(raw["parent_version"]),
        "batch_id": int(raw["batch_id"]),
        "shard": int(raw["shard"]),
        "layers": [int(raw["layers"][0]), int(raw["layers"][1])],
        "seed": to_hex(bytes(raw["seed"])),
        "probe_set_cid": _cid_text(raw["probe_set_cid"]),
        "commit_ends": int(raw["commit_ends"]),
        "reveal_ends": int(raw["reveal_ends"]),
        "score_ends": int(raw["score_ends"]),
        "dispute_ends": int(raw["dispute_ends"]),
        "trainers": [{"account": _account(a, prefix), "bond": int(b)} for a, b in raw["trainers"]],
        "scorers": [{"account": _account(a, prefix), "bond": int(b)} for a, b in raw["scorers"]],
        "revealed": [_account(a, prefix) for a in raw["revealed"]],
        "accepted": [_account(a, prefix) for a in raw["accepted"]],
        "improvement": int(raw["improvement"]),
        "held_out_loss": int(raw["held_out_loss"]),
        "new_version": _opt_int(raw["new_version"]),
        "emission": int(raw["emission"]),
        "slashes": int(raw["slashes"]),
        "paid": int(raw["paid"]),
        "to_treasury": int(raw["to_treasury"]),
        "scorer_paid": int(raw["scorer_paid"]),
    }


def verdicts(
    data: Mapping[str, Any], committed: Sequence[str], slashes: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """Each drawn trainer's verdict in a round, from what the chain holds.

    ``accepted`` (in the accepted cluster), ``rejected`` (revealed, aggregated, not accepted),
    ``revealed`` / ``committed`` / ``drawn`` while the round is before aggregation, and
    ``slashed (outlier|liveness)`` where a slash is pending.
    """
    aggregated = data["outcome"] != "Pending"
    out: dict[str, str] = {}
    for trainer in (t["account"] for t in data["trainers"]):
        if trainer in slashes:
            reason = "outlier" if slashes[trainer]["outlier"] else "liveness"
            out[trainer] = f"slash pending ({reason})"
        elif trainer in data["accepted"]:
            out[trainer] = "accepted"
        elif trainer in data["revealed"]:
            out[trainer] = "rejected" if aggregated else "revealed"
        elif trainer in committed:
            out[trainer] = "missed reveal" if aggregated else "committed"
        else:
            out[trainer] = "missed commit" if aggregated else "drawn"
    return out


def version_data(version_id: int, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A `Training.ModelVersions` value as plain JSON-ready data."""
    return {
        "version_id": version_id,
        "parent": _opt_int(raw["parent"]),
        "round_id": _opt_int(raw["round_id"]),
        "base_cid": _cid_text(raw["base_cid"]),
        "layer_count": int(raw["layer_count"]),
        "shards": [[int(a), int(b)] for a, b in raw["shards"]],
        "adapters": [
            {
                "shard": int(a["shard"]),
                "cid": _cid_text(a["cid"]),
                "sha256": to_hex(bytes(a["sha256"])),
            }
            for a in raw["adapters"]
        ],
        "held_out_loss": int(raw["held_out_loss"]),
    }


def _loss(value: int) -> str:
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 1_000_000)
    return f"{sign}{whole}.{part:06d}"


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


def _role_app(role: str) -> typer.Typer:
    variant, ledger_item = ROLES[role]
    group = typer.Typer(
        help=f"{variant} bonds: bond, unbond, withdraw, status.", no_args_is_help=True
    )

    def _amount_command(call_name: str, verb: str, *, held: bool) -> Any:
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
            session = _tx_session(node, wallet_dir, password_env, wait, yes, no, json_output, quiet)

            async def work(chain: ChainClient | None) -> Report:
                assert chain is not None
                value = Balance.parse(amount)
                signer = session.signer(sender)
                call = chain.compose(PALLET, call_name, role=variant, amount=value.planck)
                tx = Transaction(
                    call,
                    signer,
                    f"{variant} {verb}",
                    [("role", variant), ("amount", str(value))],
                    spend=value if held else Balance(0),
                    data={"role": variant, "amount": value.planck},
                )
                return await send(session, chain, tx)

            execute(session, work)

        return command

    bond = _amount_command("bond", "bond", held=True)
    bond.__doc__ = f"""Bond DSH as a {role} (held); a bonded {role} can be drawn into rounds.

        Examples:

        1. `deepshard wallet {role} bond 500 --from alice`
        2. `deepshard wallet {role} bond 500 --from alice --yes --json`
        """
    group.command("bond")(bond)
    unbond = _amount_command("unbond", "unbond", held=False)
    unbond.__doc__ = f"""Start unbonding part of your {role} bond (refused while in an open round).

        Examples:

        1. `deepshard wallet {role} unbond 100 --from alice`
        """
    group.command("unbond")(unbond)

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
        session = _tx_session(node, wallet_dir, password_env, wait, yes, no, json_output, quiet)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            signer = session.signer(sender)
            call = chain.compose(PALLET, "withdraw_unbonded", role=variant)
            tx = Transaction(call, signer, f"{variant} withdraw", [("role", variant)])
            return await send(session, chain, tx)

        execute(session, work)

    withdraw.__doc__ = f"""Release every {role} unbonding chunk whose period has ended.

        Examples:

        1. `deepshard wallet {role} withdraw --from alice`
        """
    group.command("withdraw")(withdraw)

    def status(
        account: Annotated[
            str | None, typer.Argument(help="Address or key name (default: --from / config).")
        ] = None,
        sender: FromOpt = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        session = Session.create(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            who = (
                resolve_account(account, session.keystore)
                if account
                else session.signer(sender).public_key
            )
            prefix = chain.runtime.ss58_prefix or 42
            ledger = await chain.query(PALLET, ledger_item, who)
            now = int((await chain.header()).number)
            active_round = await chain.query(PALLET, "ActiveRound")
            chunks = [
                {"amount": int(c["amount"]), "unlock_at": int(c["unlock_at"])}
                for c in (ledger["unlocking"] if ledger else ())
            ]
            in_round = False
            if active_round is not None:
                found = await chain.query(PALLET, "Rounds", int(active_round))
                drawn = (found or {}).get("trainers" if role == "trainer" else "scorers", ())
                in_round = any(bytes(a) == who for a, _ in drawn)
            active = int(ledger["active"]) if ledger else 0
            data: dict[str, Any] = {
                role: ss58_encode(who, prefix),
                "role": variant,
                "bonded": ledger is not None,
                "active": active,
                "unlocking": chunks,
                "active_round": _opt_int(active_round),
                "drawn_in_active_round": in_round,
                "best_block": now,
            }
            rows = [
                (role, str(data[role])),
                ("active bond", str(Balance(active))),
                *(
                    (
                        "unlocking",
                        f"{Balance(c['amount'])} at #{c['unlock_at']}"
                        + (" (ready)" if c["unlock_at"] <= now else ""),
                    )
                    for c in chunks
                ),
                ("active round", "-" if active_round is None else str(int(active_round))),
                ("drawn in it", "yes" if in_round else "no"),
            ]
            return Report(variant, data, rows=rows)

        execute(session, work)

    status.__doc__ = f"""Show a {role}'s active bond, unbonding chunks and whether it is drawn now.

        Examples:

        1. `deepshard wallet {role} status alice`
        2. `deepshard wallet {role} status 5GrwvaEF... --json`
        """
    group.command("status")(status)
    return group


async def _round_detail(chain: ChainClient, round_id: int) -> dict[str, Any]:
    found = await chain.query(PALLET, "Rounds", round_id)
    if found is None:
        raise InvalidInput(f"there is no round {round_id}")
    prefix = chain.runtime.ss58_prefix or 42
    data = round_data(round_id, found, prefix)
    commitments: dict[str, str] = {}
    async for keys, value in chain.iter_storage(PALLET, "Commitments", round_id):
        if keys is not None and value is not None:
            commitments[_account(keys[1], prefix)] = to_hex(bytes(value))
    reveals: dict[str, dict[str, str]] = {}
    async for keys, value in chain.iter_storage(PALLET, "Reveals", round_id):
        if keys is not None and value is not None:
            reveals[_account(keys[1], prefix)] = {
                "cid": _cid_text(value["cid"]),
                "sha256": to_hex(bytes(value["sha256"])),
            }
    scores: dict[str, dict[str, list[int]]] = {}
    async for keys, value in chain.iter_storage(PALLET, "Scores", round_id):
        if keys is not None and value is not None:
            rows = [[int(x) for x in row] for row in value]
            scores[_account(keys[1], prefix)] = dict(zip(data["revealed"], rows, strict=False))
    slashes: dict[str, dict[str, Any]] = {}
    async for keys, value in chain.iter_storage(PALLET, "PendingSlashes", round_id):
        if keys is not None and value is not None:
            slashes[_account(keys[1], prefix)] = {
                "amount": int(value["amount"]),
                "outlier": bool(value["outlier"]),
            }
    data["commitments"] = dict(sorted(commitments.items()))
    data["reveals"] = dict(sorted(reveals.items()))
    data["scores"] = dict(sorted(scores.items()))
    data["pending_slashes"] = dict(sorted(slashes.items()))
    data["verdicts"] = verdicts(data, list(commitments), slashes)
    data["best_block"] = int((await chain.header()).number)
    return data


def _round_rows(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    fields = (
        "phase", "outcome", "parent_version", "batch_id", "shard", "commit_ends",
        "reveal_ends", "score_ends", "dispute_ends", "new_version",
    )  # fmt: skip
    rows = [(k.replace("_", " "), str(data[k])) for k in fields]
    rows.append(("held-out loss", _loss(data["held_out_loss"])))
    rows.extend(
        (
            f"trainer {t['account'][:10]}…",
            f"{Balance(t['bond'])}: {data['verdicts'][t['account']]}"
            + (" (committed)" if t["account"] in data["commitments"] else ""),
        )
        for t in data["trainers"]
    )
    rows.extend(
        (
            f"scorer {s['account'][:10]}…",
            f"{Balance(s['bond'])}: "
            + ("scored" if s["account"] in data["scores"] else "no scores"),
        )
        for s in data["scorers"]
    )
    rows.extend(
        (
            f"slash {who[:10]}…",
            f"{Balance(slash['amount'])} ({'outlier' if slash['outlier'] else 'liveness'})",
        )
        for who, slash in data["pending_slashes"].items()
    )
    return rows


def register(app: typer.Typer) -> None:
    """Add the trainer, scorer, round and model-version commands to the wallet's `app`."""
    for role in ROLES:
        app.add_typer(_role_app(role), name=role, rich_help_panel="Training")

    @app.command("rounds", rich_help_panel="Training")
    def rounds(
        phase: Annotated[
            str | None, typer.Option("--phase", help="Only rounds in this phase (e.g. Commit).")
        ] = None,
        account: Annotated[
            str | None,
            typer.Option("--account", help="Only rounds where this key was drawn."),
        ] = None,
        node: NodeOpt = None,
        wallet_dir: WalletDirOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """List training rounds: phase, outcome, shard, drawn trainers and scorers.

        Examples:
        1. `deepshard wallet rounds`
        2. `deepshard wallet rounds --phase Commit --account alice --json`
        """
        session = Session.create(node=node, wallet_dir=wallet_dir, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            prefix = chain.runtime.ss58_prefix or 42
            who = resolve_account(account, session.keystore) if account else None
            mine = ss58_encode(who, prefix) if who is not None else None
            found = []
            async for keys, value in chain.iter_storage(PALLET, "Rounds"):
                if keys is None or value is None:
                    continue
                data = round_data(int(keys[0]), value, prefix)
                if phase is not None and data["phase"].lower() != phase.lower():
                    continue
                drawn = [d["account"] for d in data["trainers"] + data["scorers"]]
                if mine is not None and mine not in drawn:
                    continue
                found.append(data)
            found.sort(key=lambda d: d["round_id"])
            rows = [
                (
                    str(d["round_id"]),
                    d["phase"],
                    d["outcome"],
                    str(d["shard"]),
                    str(d["batch_id"]),
                    str(len(d["trainers"])),
                    str(len(d["scorers"])),
                    f"{len(d['revealed'])}/{len(d['accepted'])}",
                    "-" if d["new_version"] is None else str(d["new_version"]),
                )
                for d in found
            ]
            return Report(
                "Training rounds",
                found,
                columns=(
                    "id",
                    "phase",
                    "outcome",
                    "shard",
                    "batch",
                    "trainers",
                    "scorers",
                    "revealed/accepted",
                    "version",
                ),
                rows=rows,
            )

        execute(session, work)

    @app.command("round", rich_help_panel="Training")
    def round_(
        round_id: Annotated[int, typer.Argument(help="The round id.", min=0)],
        node: NodeOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show one round: drawn trainers and scorers, commits, reveals, scores, verdicts, slashes.

        Examples:
        1. `deepshard wallet round 3`
        2. `deepshard wallet round 3 --json`
        """
        session = Session.create(node=node, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            data = await _round_detail(chain, round_id)
            rows = _round_rows(data)
            return Report(f"Round {round_id}", data, rows=rows)

        execute(session, work)

    @app.command("versions", rich_help_panel="Training")
    def versions(node: NodeOpt = None, json_output: JsonOpt = False) -> None:
        """List model versions: parent, the round that made it, adapters and held-out loss.

        Examples:
        1. `deepshard wallet versions`
        2. `deepshard wallet versions --json`
        """
        session = Session.create(node=node, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            found = []
            async for keys, value in chain.iter_storage(PALLET, "ModelVersions"):
                if keys is not None and value is not None:
                    found.append(version_data(int(keys[0]), value))
            found.sort(key=lambda d: d["version_id"])
            current = int(await chain.query(PALLET, "CurrentVersion") or 0)
            rows = [
                (
                    str(d["version_id"]) + (" (current)" if d["version_id"] == current else ""),
                    "-" if d["parent"] is None else str(d["parent"]),
                    "-" if d["round_id"] is None else str(d["round_id"]),
                    str(len(d["adapters"])),
                    _loss(d["held_out_loss"]),
                )
                for d in found
            ]
            return Report(
                "Model versions",
                found,
                columns=("version", "parent", "round", "adapters", "held-out loss"),
                rows=rows,
            )

        execute(session, work)

    @app.command("version", rich_help_panel="Training")
    def version(
        version_id: Annotated[int, typer.Argument(help="The model version id.", min=0)],
        node: NodeOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show one model version: base model, shard layout, adapters, lineage.

        Examples:
        1. `deepshard wallet version 0`
        2. `deepshard wallet version 2 --json`
        """
        session = Session.create(node=node, json_output=json_output)

        async def work(chain: ChainClient | None) -> Report:
            assert chain is not None
            found = await chain.query(PALLET, "ModelVersions", version_id)
            if found is None:
                raise InvalidInput(f"there is no model version {version_id}")
            data = version_data(version_id, found)
            lineage = [version_id]
            parent = data["parent"]
            while parent is not None and parent not in lineage:
                lineage.append(parent)
                above = await chain.query(PALLET, "ModelVersions", parent)
                parent = None if above is None else _opt_int(above["parent"])
            data["lineage"] = lineage
            rows = [
                ("parent", "-" if data["parent"] is None else str(data["parent"])),
                ("round", "-" if data["round_id"] is None else str(data["round_id"])),
                ("base cid", data["base_cid"]),
                ("layers", str(data["layer_count"])),
                ("held-out loss", _loss(data["held_out_loss"])),
                ("lineage", " ← ".join(str(v) for v in lineage)),
                *(
                    (f"adapter shard {a['shard']}", f"{a['cid']} {a['sha256'][:18]}…")
                    for a in data["adapters"]
                ),
            ]
            return Report(f"Model version {version_id}", data, rows=rows)

        execute(session, work)
