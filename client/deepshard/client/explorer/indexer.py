"""The indexer: keeps the database equal to the node's best chain, and marks finality.

One `Indexer.sync` step:

1. walks down from the indexed tip until the indexed hash at a height equals the node's
   canonical hash there, retracting every block above (a reorg, or a node whose chain got
   shorter);
2. fetches the missing blocks up to the node's best block in windows fetched concurrently
   (``window`` blocks at a time, the next window fetched while one is written), checks that
   each links to its parent, and stores a window in one transaction (a window whose links
   break stops the step: the next one sees the reorg);
3. re-reads ``System.Account`` for the accounts the step touched and marks blocks up to the
   node's finalized head final.

`Indexer.run` repeats the step whenever the node announces a new best or finalized head
(``chain_subscribeNewHeads`` through the typed client's transport, or polling over HTTP), under
an `asyncio.TaskGroup`. Starting again on the same database resumes from its tip; a fresh
database backfills from genesis. Progress of a backfill goes to a `ProgressSink`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from deepshard.client.explorer.authorship import announces_authorities, aura_slot, slot_owner
from deepshard.client.explorer.rows import (
    BlockRows,
    address,
    block_rows,
    ciphertext_contents,
    purchase_terms,
    round_parameters,
    set_author,
    version_contents,
)
from deepshard.client.explorer.store import Store
from deepshard.client.rpc.client import (
    Block,
    BlockNotFound,
    ChainClient,
    ConnectionClosed,
    RpcCallError,
    UnknownItem,
    to_hex,
)
from deepshard.primitives.crypto import decode_account_id

__all__ = ["Clock", "SystemClock", "ProgressSink", "SyncReport", "Indexer", "StateUnavailable"]


class StateUnavailable(Exception):
    """The node no longer holds the state of a block to index (a pruning node).

    A block's events are storage; a node that prunes old states cannot serve them. Index from an
    archive node (``deepshard node --pruning archive``).
    """


class Clock(Protocol):
    """Time as the indexer sees it (a test passes its own)."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds on the process's monotonic clock."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` on the event loop."""
        await asyncio.sleep(seconds)


class ProgressSink(Protocol):
    """Where a backfill reports progress (the CLI's progress bar)."""

    def start(self, first: int, last: int) -> None:
        """A catch-up from block `first` to block `last` begins."""
        ...

    def advance(self, number: int) -> None:
        """Blocks up to `number` are stored."""
        ...

    def finish(self) -> None:
        """The catch-up is over."""
        ...


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one `Indexer.sync` step did."""

    added: int
    """Blocks stored."""
    retracted: int
    """Blocks removed (reorg)."""
    best: int
    """The indexed tip afterwards."""
    finalized: int
    """The node's finalized height."""


class Indexer:
    """Follows one node into one database (see the module docs)."""

    def __init__(
        self,
        chain: ChainClient,
        store: Store,
        *,
        window: int = 64,
        clock: Clock | None = None,
        progress: ProgressSink | None = None,
        poll_interval: float = 1.0,
    ) -> None:
        """Index `chain` into `store`, fetching `window` blocks concurrently."""
        if window < 1:
            raise ValueError("window must be at least 1")
        self.chain = chain
        self.store = store
        self.window = window
        self.clock: Clock = clock or SystemClock()
        self.progress = progress
        self.poll_interval = poll_interval
        self.prefix = chain.runtime.ss58_prefix or 42
        store.prefix = self.prefix
        store.check_genesis(to_hex(chain.genesis_hash))

    async def sync(self) -> SyncReport:
        """Bring the database to the node's best block once (see the module docs)."""
        best_header, finalized_hash = await asyncio.gather(
            self.chain.header(), self.chain.finalized_hash()
        )
        best = int(best_header.number)
        touched, retracted = await self._retract_forks(best)
        tip = self.store.tip()
        first = 0 if tip is None else tip[0] + 1
        parent = None if tip is None else tip[1]
        added = 0
        if first <= best and self.progress is not None and best - first >= self.window:
            self.progress.start(first, best)
        windows = [
            (start, min(start + self.window, best + 1))
            for start in range(first, best + 1, self.window)
        ]
        try:
            # Pipelined: the next window is fetched while this one is written.
            async with asyncio.TaskGroup() as group:
                pending = group.create_task(self._fetch(*windows[0])) if windows else None
                for index in range(len(windows)):
                    assert pending is not None
                    blocks = await pending
                    pending = None
                    if index + 1 < len(windows):
                        pending = group.create_task(self._fetch(*windows[index + 1]))
                    linked = self._linked(blocks, parent)
                    if linked:
                        touched |= await asyncio.to_thread(self.store.add, linked)
                        added += len(linked)
                        parent = linked[-1].block["hash"]
                        if self.progress is not None:
                            self.progress.advance(linked[-1].block["number"])
                    if len(linked) < len(blocks):
                        if pending is not None:
                            pending.cancel()  # a reorg under us: the next step sees it
                        break
        finally:
            if self.progress is not None:
                self.progress.finish()
        tip = self.store.tip()
        if touched and tip is not None:
            await self._refresh_balances(touched, tip)
        finalized = int((await self.chain.header(finalized_hash)).number)
        self.store.mark_finalized(min(finalized, tip[0] if tip else -1))
        return SyncReport(added, retracted, tip[0] if tip else -1, finalized)

    async def run(self, *, stop: asyncio.Event | None = None) -> None:
        """Sync now and after every new head, until `stop` is set (or forever)."""
        wake = asyncio.Event()
        done = stop or asyncio.Event()
        async with asyncio.TaskGroup() as group:
            watcher = group.create_task(self._watch_heads(wake, done))
            try:
                while not done.is_set():
                    wake.clear()
                    await self.sync()
                    waiters = [asyncio.ensure_future(w.wait()) for w in (wake, done)]
                    try:
                        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        for waiter in waiters:
                            waiter.cancel()
            finally:
                watcher.cancel()

    async def _watch_heads(self, wake: asyncio.Event, done: asyncio.Event) -> None:
        """Set `wake` on every new best or finalized head (polling over HTTP)."""
        transport = self.chain.transport
        if not transport.supports_subscriptions:
            while not done.is_set():
                await self.clock.sleep(self.poll_interval)
                wake.set()
            return
        async with asyncio.TaskGroup() as group:
            for method in ("chain_subscribeNewHeads", "chain_subscribeFinalizedHeads"):
                group.create_task(self._watch(method, wake))

    async def _watch(self, method: str, wake: asyncio.Event) -> None:
        unsubscribe = method.replace("subscribe", "unsubscribe")
        subscription = await self.chain.transport.subscribe(method, [], unsubscribe)
        try:
            async for _ in subscription:
                wake.set()
        finally:
            await subscription.unsubscribe()
        raise ConnectionClosed(f"{method}: the node ended the subscription")

    async def _retract_forks(self, best: int) -> tuple[set[str], int]:
        """Retract indexed blocks that are not on the node's canonical chain."""
        touched: set[str] = set()
        retracted = 0
        tip = self.store.tip()
        number = -1 if tip is None else tip[0]
        while number >= 0:
            indexed = self.store.hash_at(number)
            canonical = None
            if number <= best:
                try:
                    canonical = to_hex(await self.chain.block_hash(number))
                except BlockNotFound:
                    canonical = None
            if indexed is None or indexed == canonical:
                break
            touched |= self.store.retract(indexed)
            retracted += 1
            number -= 1
        return touched, retracted

    async def _fetch(self, start: int, stop: int) -> list[BlockRows]:
        """Fetch and decode blocks ``start..stop-1`` concurrently.

        ``spec_version`` only grows, so when the window's first and last blocks share a runtime
        every block between does: their runtime is not asked for again (two requests a block,
        not three). Otherwise each block's runtime is looked up.
        """
        hashes = await asyncio.gather(*(self.chain.block_hash(n) for n in range(start, stop)))
        first, last = await asyncio.gather(
            self.chain.runtime_at(hashes[0]), self.chain.runtime_at(hashes[-1])
        )
        shared = first if first.spec_version == last.spec_version else None
        try:
            blocks: list[Block] = await asyncio.gather(
                *(self.chain.block(h, runtime=shared) for h in hashes)
            )
        except RpcCallError as exc:
            if "discarded" not in exc.message and "UnknownBlock" not in exc.message:
                raise
            raise StateUnavailable(
                f"the node has discarded the state of blocks #{start}..#{stop - 1}"
                f" ({exc.message}); index from an archive node"
                " (deepshard node --pruning archive)"
            ) from exc
        found = [block_rows(block, block.spec_version, self.prefix) for block in blocks]
        authors = await self._authors(blocks)
        for rows, author in zip(found, authors, strict=True):
            set_author(rows, author, self.prefix)
        await asyncio.gather(
            *(self._training_storage(rows) for rows in found),
            *(self._licence_storage(rows) for rows in found if rows.ciphertexts or rows.terms),
        )
        return found

    async def _licence_storage(self, rows: BlockRows) -> None:
        """Fill a registered ciphertext's share set and an opened purchase's terms from storage.

        ``Licences.Ciphertexts`` (threshold, keepers, registrar) and ``Licences.Purchases``
        (deadline, the buyer's box key, payouts) at the block whose event announced them.
        """
        at = bytes.fromhex(rows.block["hash"][2:])
        try:
            for ciphertext in rows.ciphertexts:
                raw = await self.chain.query(
                    "Licences", "Ciphertexts", ciphertext["version_id"], at=at
                )
                if raw is not None:
                    ciphertext.update(ciphertext_contents(raw, self.prefix))
            for terms in rows.terms:
                raw = await self.chain.query("Licences", "Purchases", terms["purchase_id"], at=at)
                if raw is None:
                    continue
                shares = await self.chain.query(
                    "Licences", "Ciphertexts", int(raw["version"]), at=at
                )
                terms.update(purchase_terms(raw, shares, self.prefix))
        except UnknownItem:
            pass  # a runtime without the Licences pallet
        rows.ciphertexts[:] = [c for c in rows.ciphertexts if "registrar" in c]
        rows.terms[:] = [t for t in rows.terms if "deadline" in t]

    async def _authors(self, blocks: list[Block]) -> list[bytes | None]:
        """Return each block's author: the owner of its Aura slot among the parent's authorities.

        The set is read at the parents of the window's first and last blocks; when both reads
        agree and no block of the window announces a new set (an Aura ``Consensus`` digest
        item), every block between was built under that set. Otherwise each parent is read.
        """
        authored = [b for b in blocks if b.number > 0 and aura_slot(b.header) is not None]
        if not authored:
            return [None] * len(blocks)
        cache: dict[bytes, tuple[bytes, ...]] = {}

        async def at(parent: bytes) -> tuple[bytes, ...]:
            if parent not in cache:
                try:
                    raw = await self.chain.query("Aura", "Authorities", at=parent)
                except UnknownItem:
                    raw = ()  # a runtime without Aura: no author
                cache[parent] = tuple(bytes(a) for a in raw or ())
            return cache[parent]

        parents = [bytes(b.header.parent_hash) for b in authored]
        first, last = await asyncio.gather(at(parents[0]), at(parents[-1]))
        announced = any(announces_authorities(b.header) for b in blocks[:-1])
        if first != last or announced:
            await asyncio.gather(*(at(p) for p in parents))
        else:
            for parent in parents:
                cache[parent] = first
        owners = {}
        for block, parent in zip(authored, parents, strict=True):
            slot = aura_slot(block.header)
            assert slot is not None
            owners[block.number] = slot_owner(slot, cache[parent])
        return [owners.get(b.number) for b in blocks]

    async def _round_parameters(self, rows: BlockRows, at: bytes) -> None:
        """Fill the opened rounds' `RoundParameters` rows (dropped where the runtime lacks them).

        A runtime whose Training pallet declares no statistics layout or MAD factor leaves the
        rounds without parameters: their pages show no charts, everything else is indexed.
        """
        try:
            runtime = await self.chain.runtime_at(at)
            layout = runtime.constant("Training", "Statistics")
            mad_factor = runtime.constant("Training", "MadFactor")
            for opening in rows.openings:
                raw = await self.chain.query("Training", "Rounds", opening["round_id"], at=at)
                if raw is not None:
                    opening.update(round_parameters(raw, layout, mad_factor, self.prefix))
        except (UnknownItem, KeyError, TypeError):
            pass
        rows.openings[:] = [o for o in rows.openings if "mode" in o]

    async def _training_storage(self, rows: BlockRows) -> None:
        """Fill what Training's events do not carry from its storage at the block.

        A scorer's statistics (``Training.Scores``, rows in the order of the round's
        ``revealed``), an opened round's deadlines, bonds and the statistics layout in force
        (``Training.Rounds`` and the runtime's constants), and a new version's contents
        (``Training.ModelVersions``); at genesis, every model version the chain starts with.
        """
        at = bytes.fromhex(rows.block["hash"][2:])
        if rows.openings:
            await self._round_parameters(rows, at)
        try:
            for score in rows.scores:
                who = decode_account_id(score["scorer"])
                statistics, round_ = await asyncio.gather(
                    self.chain.query("Training", "Scores", score["round_id"], who, at=at),
                    self.chain.query("Training", "Rounds", score["round_id"], at=at),
                )
                score["statistics"] = [[int(x) for x in row] for row in statistics or ()]
                score["trainers"] = [
                    address(bytes(t), self.prefix) for t in (round_ or {}).get("revealed", ())
                ]
            for version in rows.versions:
                raw = await self.chain.query(
                    "Training", "ModelVersions", version["version_id"], at=at
                )
                if raw is not None:
                    version.update(version_contents(raw))
            if rows.block["number"] == 0:
                async for keys, raw in self.chain.iter_storage("Training", "ModelVersions", at=at):
                    if keys is None or raw is None:
                        continue
                    rows.versions.append(
                        {
                            "block_hash": rows.block["hash"],
                            "block_number": 0,
                            "version_id": int(keys[0]),
                            **version_contents(raw),
                        }
                    )
        except UnknownItem:
            return  # a runtime without the Training pallet

    @staticmethod
    def _linked(blocks: list[BlockRows], parent: str | None) -> list[BlockRows]:
        """Return the leading blocks that each build on the one before."""
        linked = []
        for rows in blocks:
            if parent is not None and rows.block["parent_hash"] != parent:
                break
            linked.append(rows)
            parent = rows.block["hash"]
        return linked

    async def _refresh_balances(self, addresses: set[str], tip: tuple[int, str]) -> None:
        at = bytes.fromhex(tip[1][2:])
        known = sorted(addresses)

        async def read(found: str) -> tuple[int, int, int, int]:
            info = await self.chain.query("System", "Account", decode_account_id(found), at=at)
            data: Mapping[str, Any] = info["data"]
            frozen = int(data.get("frozen", data.get("misc_frozen", 0)))
            return int(info["nonce"]), int(data["free"]), int(data["reserved"]), frozen

        values = await asyncio.gather(*(read(a) for a in known))
        self.store.set_balances(dict(zip(known, values, strict=True)), tip[0])
