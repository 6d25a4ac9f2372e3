"""The chain protocol: block announcements, transaction gossip, block requests and full sync.

`ChainSync` is the `ProtocolHandler` of the network service. It talks to the node through
`ChainAccess` (read the database, import a block, submit a transaction) and keeps:

* **sync** -- one task follows the peer with the highest best block above ours: it finds the
  highest common block (a binary search over block numbers between our finalized block and
  our best, one single-header request per step), then downloads blocks upwards in batches of
  `BATCH` (headers, bodies, justifications) and imports each -- verified and executed like
  any block. A block that fails its checks bans the peer that sent it; a batch that no
  longer links (the peer reorganised meanwhile) restarts the search. A new node syncs from
  genesis this way, and a restarted one catches up from where its database stopped;
* **announcements** -- every new best block we import or author is announced to the peers
  that do not know it; an announcement updates that peer's best block and wakes the sync;
* **transactions** -- transactions entering our pool, and valid ones received from peers, are
  sent to each peer that has not seen them (a per-peer seen-cache plus one for the node); an
  invalid one costs its sender reputation;
* **serving** -- block requests from others are answered from the database, capped at `BATCH`
  blocks and `MAX_RESPONSE_BYTES`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from deepshard.client.network.identity import PeerId
from deepshard.client.network.messages import (
    BlockAnnounce,
    BlockData,
    BlockFields,
    BlockRequest,
    BlockResponse,
    Finality,
    Message,
    Transactions,
)
from deepshard.client.network.peerset import Reputation
from deepshard.client.network.service import (
    ChainStatus,
    Misbehaviour,
    NetworkService,
    Peer,
    SeenCache,
)
from deepshard.client.network.session import SessionError
from deepshard.primitives.codec import H256
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header
from deepshard.runtime.executive import Block

__all__ = [
    "BATCH",
    "MAX_RESPONSE_BYTES",
    "ImportFailure",
    "BadBlock",
    "BadTransaction",
    "ChainAccess",
    "SyncState",
    "ChainSync",
]

log = logging.getLogger("deepshard.sync")

BATCH: Final = 128
"""Most blocks asked for, or served, in one request."""

MAX_RESPONSE_BYTES: Final = 8 * 1024 * 1024
"""Most bytes of block data in one response (the last block may cross it)."""

MAX_TRANSACTIONS_PER_MESSAGE: Final = 256
"""Most transactions accepted in one gossip message."""

MAJOR_SYNC_DISTANCE: Final = 5
"""Blocks behind the best peer from which the node reports itself as syncing."""


class ImportFailure(Exception):
    """A received block could not be imported, through no fault of the sender.

    For example its parent is unknown because the sender reorganised meanwhile.
    """


class BadBlock(ImportFailure):
    """A received block is invalid: its sender is to be banned."""


class BadTransaction(Exception):
    """A gossiped transaction is invalid (its sender loses reputation)."""


class ChainAccess(Protocol):
    """What the chain protocol needs from the node."""

    @property
    def genesis_hash(self) -> H256:
        """The genesis hash."""
        ...

    def best(self) -> tuple[int, H256]:
        """Best block number and hash."""
        ...

    def finalized(self) -> tuple[int, H256]:
        """Last finalized block number and hash."""
        ...

    def header(self, block_hash: H256) -> Header | None:
        """A known header."""
        ...

    def body(self, block_hash: H256) -> tuple[bytes, ...] | None:
        """A known block's extrinsics."""
        ...

    def justification(self, block_hash: H256) -> bytes | None:
        """The finality justification stored with a block, if any."""
        ...

    def canonical_hash(self, number: int) -> H256 | None:
        """The hash of the best chain's block at `number`."""
        ...

    async def import_block(self, block: Block, justification: bytes | None) -> bool:
        """Verify, execute and import a block; return whether it became the best.

        Raises:
            BadBlock: the block is invalid.
            ImportFailure: it cannot be imported now (unknown parent, below finality).
        """
        ...

    async def submit_transaction(self, extrinsic: bytes) -> bool:
        """Validate and pool a gossiped transaction; False if already known.

        Raises:
            BadTransaction: the transaction is invalid.
        """
        ...


@dataclass(frozen=True, slots=True)
class SyncState:
    """``system_syncState``: where we started, where we are, the best any peer reports."""

    starting_block: int
    current_block: int
    highest_block: int


class ChainSync:
    """The chain protocol (see the module docstring)."""

    def __init__(
        self,
        chain: ChainAccess,
        *,
        on_finality_message: Callable[[Peer, bytes], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Serve `chain`; finality messages go to `on_finality_message`."""
        self.chain = chain
        self.network: NetworkService | None = None
        """The network service (set by `attach`)."""
        self.on_finality_message = on_finality_message
        self.clock = clock
        self.starting_block = chain.best()[0]
        self._wake = asyncio.Event()
        self._seen_transactions = SeenCache(65_536)
        self._announced: dict[PeerId, Header] = {}
        self._syncing_with: Peer | None = None
        self.imported = 0
        """Blocks imported through the network."""

    def attach(self, network: NetworkService) -> None:
        """Use `network` to talk to peers."""
        self.network = network

    # --- ProtocolHandler ----------------------------------------------------------------------

    def chain_status(self) -> ChainStatus:
        """Our heads for the `Status` handshake."""
        best_number, best_hash = self.chain.best()
        final_number, final_hash = self.chain.finalized()
        return ChainStatus(
            self.chain.genesis_hash, best_number, best_hash, final_number, final_hash
        )

    def peer_connected(self, peer: Peer) -> None:
        """A new peer: it may be ahead of us, or we of it.

        Our best block is announced at once: it may be newer than the one our status named
        (a block imported while the handshake was under way).
        """
        peer.known_blocks.add(bytes(peer.best_hash))
        best_hash = self.chain.best()[1]
        header = self.chain.header(best_hash)
        if (
            self.network is not None
            and header is not None
            and peer.known_blocks.add(bytes(best_hash))
        ):
            self.network.send(peer, BlockAnnounce(header=header, is_best=True))
        self._wake.set()

    def peer_disconnected(self, peer: Peer) -> None:
        """A peer left."""
        self._announced.pop(peer.id, None)

    def on_message(self, peer: Peer, message: Message) -> None:
        """Handle an announcement, transactions or a finality message.

        Raises:
            Misbehaviour: the message is bad.
        """
        if isinstance(message, BlockAnnounce):
            self._on_announce(peer, message)
        elif isinstance(message, Transactions):
            self._on_transactions(peer, message)
        elif isinstance(message, Finality):
            if self.on_finality_message is not None:
                self.on_finality_message(peer, bytes(message.payload))
        else:
            raise Misbehaviour(Reputation.BAD_PROTOCOL, f"unexpected {type(message).__name__}")

    def serve_blocks(self, request: BlockRequest) -> BlockResponse:
        """Answer a block request from the database (see the module docstring)."""
        fields = BlockFields(int(request.fields))
        limit = min(int(request.max), BATCH)
        blocks: list[BlockData] = []
        size = 0
        block_hash: H256 | None
        if request.from_hash is not None:
            block_hash = request.from_hash
            header = self.chain.header(block_hash)
        else:
            block_hash = self.chain.canonical_hash(int(request.from_number))
            header = None if block_hash is None else self.chain.header(block_hash)
        while header is not None and block_hash is not None and len(blocks) < limit:
            body = self.chain.body(block_hash) if fields & BlockFields.BODY else None
            justification = (
                self.chain.justification(block_hash) if fields & BlockFields.JUSTIFICATION else None
            )
            blocks.append(
                BlockData(
                    hash=block_hash,
                    header=header if fields & BlockFields.HEADER else None,
                    body=body,
                    justification=justification,
                )
            )
            size += 100 + sum(len(x) for x in body or ()) + len(justification or b"")
            if size >= MAX_RESPONSE_BYTES:
                break
            number = int(header.number)
            if request.ascending:
                block_hash = self.chain.canonical_hash(number + 1)
                if block_hash is not None:
                    following = self.chain.header(block_hash)
                    # Ascending from a block off the best chain: stop where it does not link.
                    header = (
                        following
                        if following is not None and following.parent_hash == blocks[-1].hash
                        else None
                    )
                else:
                    header = None
            else:
                if number == 0:
                    break
                block_hash = header.parent_hash
                header = self.chain.header(block_hash)
        return BlockResponse(id=request.id, blocks=tuple(blocks))

    # --- announcements and transactions -------------------------------------------------------

    def _on_announce(self, peer: Peer, message: BlockAnnounce) -> None:
        header = message.header
        block_hash = header.hash()
        peer.known_blocks.add(bytes(block_hash))
        if message.is_best and int(header.number) >= peer.best_number:
            peer.best_number = int(header.number)
            peer.best_hash = block_hash
            self._announced[peer.id] = header
        self._wake.set()

    def announce(self, header: Header, *, is_best: bool = True) -> None:
        """Tell peers that do not know it about a block we imported or authored."""
        if self.network is None:
            return
        block_hash = bytes(header.hash())
        targets = [p for p in self.network.peers.values() if p.known_blocks.add(block_hash)]
        self.network.broadcast(BlockAnnounce(header=header, is_best=is_best), targets)

    def _on_transactions(self, peer: Peer, message: Transactions) -> None:
        extrinsics = message.extrinsics
        if len(extrinsics) > MAX_TRANSACTIONS_PER_MESSAGE:
            raise Misbehaviour(Reputation.RATE_LIMITED, f"{len(extrinsics)} transactions")
        network = self.network
        for extrinsic in extrinsics:
            tx_hash = blake2_256(bytes(extrinsic))
            if not peer.known_transactions.add(tx_hash):
                if network is not None:
                    network.report(peer.id, Reputation.DUPLICATE_TRANSACTION)
                continue
            if not self._seen_transactions.add(tx_hash):
                continue
            task = asyncio.get_running_loop().create_task(
                self._import_transaction(peer, bytes(extrinsic))
            )
            task.add_done_callback(_log_failure)

    async def _import_transaction(self, peer: Peer, extrinsic: bytes) -> None:
        network = self.network
        try:
            fresh = await self.chain.submit_transaction(extrinsic)
        except BadTransaction as error:
            log.debug("bad transaction from %s: %s", peer.id, error)
            if network is not None:
                network.report(peer.id, Reputation.BAD_TRANSACTION)
            return
        if network is not None:
            network.report(peer.id, Reputation.GOOD_TRANSACTION)
        if fresh:
            self.propagate_transaction(extrinsic)

    def propagate_transaction(self, extrinsic: bytes) -> int:
        """Send a transaction to every peer that has not seen it; return how many."""
        if self.network is None:
            return 0
        tx_hash = blake2_256(extrinsic)
        self._seen_transactions.add(tx_hash)
        targets = [p for p in self.network.peers.values() if p.known_transactions.add(tx_hash)]
        if not targets:
            return 0
        return self.network.broadcast(Transactions(extrinsics=(extrinsic,)), targets)

    # --- sync -----------------------------------------------------------------------------------

    def state(self) -> SyncState:
        """``system_syncState``."""
        best = self.chain.best()[0]
        highest = max([best, *(p.best_number for p in self._peers())])
        return SyncState(self.starting_block, best, highest)

    def is_major_syncing(self) -> bool:
        """Whether we are far behind the best peer (Substrate's "major sync")."""
        state = self.state()
        return state.highest_block - state.current_block >= MAJOR_SYNC_DISTANCE

    def target(self) -> Peer | None:
        """The peer to sync from: the one with the highest best block above ours."""
        best = self.chain.best()[0]
        candidates = [p for p in self._peers() if p.best_number > best and not p.closing]
        return max(candidates, key=lambda p: p.best_number, default=None)

    def _peers(self) -> list[Peer]:
        return [] if self.network is None else list(self.network.peers.values())

    async def run(self) -> None:
        """Follow the best peer forever (cancel to stop)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0)
            self._wake.clear()
            peer = self.target()
            if peer is None:
                continue
            self._syncing_with = peer
            try:
                await self.sync_from(peer)
            except SessionError as error:
                log.debug("sync with %s interrupted: %s", peer.id, error)
            except Misbehaviour as error:
                if self.network is not None:
                    self.network.report(peer.id, error.change)
            finally:
                self._syncing_with = None
            if self.target() is not None:
                self._wake.set()

    async def sync_from(self, peer: Peer) -> int:
        """Download and import the blocks `peer` has above our best; return how many.

        Raises:
            SessionError: the peer went away or stopped answering.
            Misbehaviour: the peer sent an invalid block or a response that is not one.
        """
        announced = self._announced.get(peer.id)
        best_hash = self.chain.best()[1]
        if (
            announced is not None
            and announced.parent_hash == best_hash
            and announced.hash() == peer.best_hash
        ):
            # The common case while following the chain: one block on top of ours.
            return await self._download(peer, from_hash=announced.hash(), from_number=0)
        ancestor = await self.common_ancestor(peer)
        return await self._download(peer, from_hash=None, from_number=ancestor + 1)

    async def _download(self, peer: Peer, *, from_hash: H256 | None, from_number: int) -> int:
        network = self.network
        assert network is not None
        imported = 0
        next_number = from_number
        while True:
            response = await network.request_blocks(
                peer,
                fields=BlockFields.HEADER | BlockFields.BODY | BlockFields.JUSTIFICATION,
                from_hash=from_hash,
                from_number=next_number,
                ascending=True,
                max_blocks=BATCH,
            )
            from_hash = None
            if not response.blocks:
                return imported
            for data in response.blocks:
                header, body = data.header, data.body
                # Verify the peer sent what was asked, and that the hash is the header's.
                if header is None or body is None or header.hash() != data.hash:
                    raise Misbehaviour(Reputation.BAD_BLOCK, "an incomplete or mislabelled block")
                peer.known_blocks.add(bytes(data.hash))
                next_number = int(header.number) + 1
                if self.chain.header(data.hash) is not None:
                    continue
                try:
                    await self.chain.import_block(
                        Block(header, tuple(bytes(x) for x in body)),
                        None if data.justification is None else bytes(data.justification),
                    )
                except BadBlock as error:
                    raise Misbehaviour(Reputation.BAD_BLOCK, str(error)) from error
                except ImportFailure as error:
                    log.debug("stopping the download from %s: %s", peer.id, error)
                    return imported
                imported += 1
                self.imported += 1
                network.report(peer.id, Reputation.GOOD_BLOCK)
            if next_number > peer.best_number:
                return imported

    async def common_ancestor(self, peer: Peer) -> int:
        """The number of the highest block both we and `peer` have on our best chains.

        Raises:
            SessionError: the peer went away or stopped answering.
            Misbehaviour: a response that is not the header asked for.
        """
        best_number = self.chain.best()[0]
        top = min(best_number, peer.best_number)
        if await self._peer_hash_at(peer, top) == self.chain.canonical_hash(top):
            return top
        low, high = self.chain.finalized()[0], top - 1
        while low < high:
            middle = (low + high + 1) // 2
            if await self._peer_hash_at(peer, middle) == self.chain.canonical_hash(middle):
                low = middle
            else:
                high = middle - 1
        return low

    async def _peer_hash_at(self, peer: Peer, number: int) -> H256 | None:
        assert self.network is not None
        response = await self.network.request_blocks(
            peer, fields=BlockFields.HEADER, from_number=number, max_blocks=1
        )
        if not response.blocks:
            return None
        data = response.blocks[0]
        # Verify it is the header of the block asked for.
        if (
            data.header is None
            or data.header.hash() != data.hash
            or (int(data.header.number) != number)
        ):
            raise Misbehaviour(Reputation.BAD_BLOCK, "a header that was not asked for")
        return data.hash


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("transaction import failed", exc_info=task.exception())
