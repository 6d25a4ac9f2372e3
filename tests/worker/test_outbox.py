"""The worker's outbox and `Submitter.submit_once`: signed once, resubmitted byte for byte.

The chain side is a small in-memory model of a node's rules that matter here: an extrinsic's
nonce applies once; resubmitting applied bytes is refused as stale; a pooled one is "already
imported". The model stands in for the RPC only; the real node is exercised by the e2e test.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepshard.client.rpc.client import TransactionRejected
from deepshard.offchain_workers.worker.metrics import WorkerMetrics
from deepshard.offchain_workers.worker.outbox import Outbox, Status
from deepshard.offchain_workers.worker.runner import Submitter
from deepshard.primitives.crypto import dev_keypair


@dataclass
class _Receipt:
    block_number: int
    success: bool = True
    error: str | None = None


@dataclass
class _Signed:
    encoded: bytes


@dataclass
class _Chain:
    nonce: int = 0
    applied: list[bytes] = field(default_factory=list)
    crash_after_store: bool = False

    async def sign(self, call: Any, key: Any) -> _Signed:
        return _Signed(call + b"#" + str(self.nonce).encode())

    async def submit(self, encoded: bytes, wait: str) -> _Receipt:
        nonce = int(encoded.rsplit(b"#", 1)[1])
        if nonce < self.nonce:
            raise TransactionRejected(b"\x00" * 32, "Invalid Transaction: Transaction is outdated")
        self.nonce += 1
        self.applied.append(encoded)
        return _Receipt(len(self.applied))


def _submitter(tmp: Path, chain: _Chain) -> Submitter:
    return Submitter(chain, dev_keypair("Bob"), Outbox(tmp / "w.sqlite"), WorkerMetrics("t"))  # type: ignore[arg-type]


def test_submit_once_then_never_again(tmp_path: Path) -> None:
    """One action, one extrinsic, however often it is asked for; across restarts too."""
    chain = _Chain()

    async def applied() -> bool:
        return any(x.startswith(b"vote:1") for x in chain.applied)

    async def run() -> None:
        s = _submitter(tmp_path, chain)
        assert await s.submit_once("vote:1", lambda: b"vote:1", applied) == Status.INCLUDED
        assert await s.submit_once("vote:1", lambda: b"vote:1", applied) == Status.INCLUDED
        s.outbox.close()
        again = _submitter(tmp_path, chain)  # a restart
        assert await again.submit_once("vote:1", lambda: b"vote:1", applied) == Status.INCLUDED

    asyncio.run(run())
    assert chain.applied == [b"vote:1#0"]


def test_crash_between_store_and_receipt_resubmits_the_same_bytes(tmp_path: Path) -> None:
    """Signed and stored, then the process died: the restart sends the stored bytes; if they
    were applied meanwhile the refusal is recognised as done, with no second extrinsic."""
    chain = _Chain()
    box = Outbox(tmp_path / "w.sqlite")
    box.store("vote:2", b"vote:2#0")  # stored before the crash, never confirmed
    box.close()

    async def applied() -> bool:
        return b"vote:2#0" in chain.applied

    async def run(landed: bool) -> str:
        if landed:
            await chain.submit(b"vote:2#0", "in_block")  # the first submission did land
        s = _submitter(tmp_path, chain)
        return await s.submit_once("vote:2", lambda: b"vote:2", applied)

    assert asyncio.run(run(landed=True)) == Status.INCLUDED
    assert chain.applied == [b"vote:2#0"]


def test_refused_and_not_applied_signs_again(tmp_path: Path) -> None:
    """Stored bytes whose nonce was used by something else are forgotten and signed afresh."""
    chain = _Chain(nonce=5)
    box = Outbox(tmp_path / "w.sqlite")
    box.store("vote:3", b"vote:3#1")
    box.close()

    async def applied() -> bool:
        return any(x.startswith(b"vote:3") for x in chain.applied)

    async def run() -> list[str]:
        s = _submitter(tmp_path, chain)
        first = await s.submit_once("vote:3", lambda: b"vote:3", applied)
        second = await s.submit_once("vote:3", lambda: b"vote:3", applied)
        return [first, second]

    assert asyncio.run(run()) == ["pending", Status.INCLUDED]
    assert chain.applied == [b"vote:3#5"]


def test_outbox_facts_and_counts(tmp_path: Path) -> None:
    """Facts persist; counts follow the statuses."""
    box = Outbox(tmp_path / "w.sqlite")
    box.set_value("last", "7")
    box.set_value("last", "8")
    box.store("a", b"x")
    box.store("b", b"y")
    box.mark("a", Status.INCLUDED, 3)
    box.close()
    again = Outbox(tmp_path / "w.sqlite")
    assert again.get_value("last") == "8"
    assert again.count(Status.INCLUDED) == 1
    assert [e.key for e in again.pending()] == ["b"]
    entry = again.get("a")
    assert entry is not None
    assert entry.block == 3
