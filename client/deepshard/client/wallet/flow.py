"""The flow of every state-changing command: preview → confirm → unlock → spinner → receipt.

1. `estimate_fee`: the fee ``payment_queryInfo`` predicts for the call, signed by a throwaway
   key of the same scheme at the signer's real nonce (so the length, hence the fee, is exact);
2. a preview table (the command's rows, the fee, the free balance after), refused early with
   `InsufficientBalance` when the signer cannot pay;
3. the confirmation (``--yes`` skips it, ``--no`` declines);
4. the key is unlocked (password from the environment or the terminal);
5. a dry run (``system_dryRun``) refuses a call that would fail before any fee is paid; then
   the extrinsic is submitted under a spinner through "in block" and "finalized";
6. a receipt (block, extrinsic index, fee paid, events), or `TransactionFailed` naming the
   module error with its documentation.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from deepshard.client.rpc.client import Call, ChainClient, DispatchFailure, Receipt, to_hex
from deepshard.client.wallet.balance import Balance
from deepshard.client.wallet.dry_run import dry_run
from deepshard.client.wallet.errors import InsufficientBalance, NodeError, TransactionFailed
from deepshard.client.wallet.keystore import StoredKey
from deepshard.client.wallet.presenter import Report
from deepshard.client.wallet.session import Session
from deepshard.primitives.crypto import Keypair, ss58_encode

__all__ = ["AccountBalance", "Transaction", "account_balance", "estimate_fee", "send"]

FINALITY_TIMEOUT: Final = 120.0
"""Seconds to wait for the including block to be finalized."""


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """An account's balances as ``System.Account`` and ``Balances`` store them."""

    free: Balance
    """Free balance."""
    reserved: Balance
    """Reserved balance (holds included)."""
    frozen: Balance
    """The frozen floor of the free balance."""
    holds: tuple[tuple[str, Balance], ...]
    """The held amounts by reason id."""
    nonce: int
    """The account's nonce."""

    @property
    def transferable(self) -> Balance:
        """What can leave the account: free minus the part of the freeze not covered by reserves."""
        return self.free.saturating_sub(self.frozen.saturating_sub(self.reserved))


def _reason(raw: Any) -> str:
    if isinstance(raw, (bytes, bytearray)):
        text = bytes(raw).rstrip(b"\0")
        return (
            text.decode() if text.isascii() and text.decode().isprintable() else to_hex(bytes(raw))
        )
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((pallet, reason),) = raw.items()
        return f"{pallet}.{reason}"
    return str(raw)


async def account_balance(chain: ChainClient, account: bytes) -> AccountBalance:
    """Read `account`'s balances (free, reserved, frozen, holds by reason) at the best block."""
    info, holds = await asyncio.gather(
        chain.query("System", "Account", account), chain.query("Balances", "Holds", account)
    )
    data = info["data"]
    return AccountBalance(
        Balance(int(data["free"])),
        Balance(int(data["reserved"])),
        Balance(int(data.get("frozen", data.get("misc_frozen", 0)))),
        tuple((_reason(h["id"]), Balance(int(h["amount"]))) for h in holds or ()),
        int(info["nonce"]),
    )


async def estimate_fee(chain: ChainClient, call: Call, signer: StoredKey) -> Balance:
    """The fee the node predicts for `call` signed by `signer` (``payment_queryInfo``).

    Raises:
        NodeError: the node cannot estimate it.
    """
    nonce = await chain.account_nonce(signer.public_key)
    stand_in = Keypair.generate(signer.file.key_type)
    signed = await chain.sign(call, stand_in, nonce=nonce)
    info = await chain.rpc("payment_queryInfo", [to_hex(signed.encoded)])
    try:
        return Balance(int(info["partialFee"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise NodeError(f"payment_queryInfo answered {info!r:.120}") from exc


@dataclass(frozen=True, slots=True)
class Transaction:
    """A call to sign and what the preview says about it."""

    call: Call
    """The call."""
    signer: StoredKey
    """The signing key."""
    title: str
    """What it does, in a few words (``Transfer``)."""
    rows: Sequence[tuple[str, str]]
    """What will happen, as ``field: value`` rows."""
    spend: Balance = field(default_factory=lambda: Balance(0))
    leave: Balance | None = None
    """For "send everything": what stays behind; the amount sent is then previewed as the
    transferable balance less the fee and this (`spend` is ignored)."""
    """What leaves the signer's free balance besides the fee (sent, bonded, staked)."""
    data: Mapping[str, Any] | None = None
    """Extra fields for the JSON receipt."""
    from_receipt: Callable[[Receipt], Mapping[str, Any]] | None = None
    """Fields read from the receipt's events (a new batch's id)."""


@contextlib.contextmanager
def _spinner(session: Session, text: str) -> Iterator[Any]:
    if session.presenter.interactive:
        with session.presenter.err.status(text) as status:
            yield status
    else:
        yield None


async def _wait_finalized(chain: ChainClient, receipt: Receipt) -> None:
    deadline = time.monotonic() + FINALITY_TIMEOUT
    while time.monotonic() < deadline:
        finalized = await chain.header(await chain.finalized_hash())
        if int(finalized.number) >= receipt.block_number:
            if await chain.block_hash(receipt.block_number) != receipt.block_hash:
                raise NodeError(f"block #{receipt.block_number} was retracted before finality")
            return
        await asyncio.sleep(0.5)
    raise NodeError(f"block #{receipt.block_number} not finalized after {FINALITY_TIMEOUT:.0f} s")


async def send(session: Session, chain: ChainClient, tx: Transaction) -> Report:
    """Run the whole flow for `tx` (see the module docs) and return its receipt report.

    Raises:
        InsufficientBalance: the signer cannot pay `spend` and the fee.
        Declined: the confirmation was declined.
        WrongPassword: the key did not unlock.
        TransactionFailed: the extrinsic was included and failed (the module error by name).
        NodeError: the node is unreachable or refused the transaction.
    """
    prefix = chain.runtime.ss58_prefix or 42
    signer_address = ss58_encode(tx.signer.public_key, prefix)
    fee, balance = await asyncio.gather(
        estimate_fee(chain, tx.call, tx.signer), account_balance(chain, tx.signer.public_key)
    )
    spend, extra_rows = tx.spend, list(tx.rows)
    if tx.leave is not None:
        spend = balance.transferable.saturating_sub(fee + tx.leave)
        extra_rows.append(("amount (estimate)", str(spend)))
    needed = spend + fee
    after = balance.free.saturating_sub(needed)
    rows = [
        ("signer", f"{tx.signer.name} ({signer_address})"),
        *extra_rows,
        ("call", f"{tx.call.pallet}.{tx.call.name}"),
        ("estimated fee", str(fee)),
        ("free balance", str(balance.free)),
        ("free balance after", str(after)),
    ]
    session.presenter.preview(Report(tx.title, {}, rows=rows))
    if needed > balance.transferable:
        raise InsufficientBalance(
            f"{tx.signer.name} can spend {balance.transferable}, "
            f"but this needs {needed} ({spend} + fee {fee})"
        )
    session.confirm(f"Submit {tx.title.lower()}?")
    pair = session.unlock(tx.signer)
    with _spinner(session, "Submitting…") as status:
        signed = await chain.sign(tx.call, pair)
        if status is not None:
            status.update("Dry run…")
        failure = await dry_run(chain, signed)
        if failure is not None:
            raise _failed(failure, None, "the dry run says it would fail; nothing was submitted")
        if status is not None:
            status.update(f"Waiting for inclusion of 0x{signed.hash.hex()[:16]}…")
        receipt = await chain.submit(signed, "in_block")
        assert isinstance(receipt, Receipt)
        if session.wait == "finalized" and not receipt.finalized:
            if status is not None:
                status.update(f"In block #{receipt.block_number}; waiting for finality…")
            await _wait_finalized(chain, receipt)
            receipt = Receipt(
                receipt.extrinsic_hash,
                receipt.block_hash,
                receipt.block_number,
                receipt.index,
                receipt.events,
                receipt.error,
                True,
            )
    return _receipt_report(tx, receipt, signer_address)


def _receipt_report(tx: Transaction, receipt: Receipt, signer: str) -> Report:
    where = f"{receipt.block_number}-{receipt.index}"
    if receipt.error is not None:
        raise _failed(
            receipt.error,
            receipt,
            f"extrinsic {where} (block 0x{receipt.block_hash.hex()}) failed; "
            f"its fee {Balance(receipt.fee)} was paid",
        )
    events = [f"{e.pallet}.{e.name}" for e in receipt.events]
    extra = {**(tx.data or {}), **(tx.from_receipt(receipt) if tx.from_receipt else {})}
    data = {
        "status": "finalized" if receipt.finalized else "in_block",
        "call": f"{tx.call.pallet}.{tx.call.name}",
        "signer": signer,
        "extrinsic": where,
        "extrinsic_hash": to_hex(receipt.extrinsic_hash),
        "block_number": receipt.block_number,
        "block_hash": to_hex(receipt.block_hash),
        "fee": receipt.fee,
        "events": events,
        **extra,
    }
    rows = [
        ("status", "finalized" if receipt.finalized else "in block"),
        ("extrinsic", where),
        ("block", f"#{receipt.block_number} {to_hex(receipt.block_hash)}"),
        ("hash", to_hex(receipt.extrinsic_hash)),
        ("fee paid", str(Balance(receipt.fee))),
        ("events", ", ".join(events)),
        *((k.replace("_", " "), _cell(k, v)) for k, v in extra.items()),
    ]
    return Report(f"{tx.title}: done", data, rows=rows)


def _failed(error: DispatchFailure, receipt: Receipt | None, what: str) -> TransactionFailed:
    module = error.module
    docs = " ".join(d.strip() for d in module.docs) if module is not None else ""
    return TransactionFailed(
        f"{error} — {what}",
        error=str(error),
        docs=docs,
        block=receipt.block_number if receipt is not None else None,
        index=receipt.index if receipt is not None else None,
    )


def _cell(key: str, value: Any) -> str:
    if key in ("amount", "stake", "price", "max_price") and isinstance(value, int):
        return str(Balance(value))
    return str(value)
