"""The network service: connections, the status handshake, peer exchange, queues and bans.

`NetworkService.run` listens on every ``--listen-addr``, dials bootnodes, reserved nodes and
peers learnt by peer exchange while outbound slots are free, and runs each connection:

1. the transport authenticates the peer (its node key) and encrypts the session;
2. the `Peerset` accepts it or not (bans, slots, ``--reserved-only``);
3. both sides send `Status` first; a peer on another genesis or protocol is banned;
4. a reader decodes each frame (undecodable or forged frames ban the peer), charges the peer's
   rate limit (a flood costs reputation, then a ban), answers peer exchange and routes block
   responses to the request waiting for them; every other message goes to the
   `ProtocolHandler` (the chain protocol: sync, gossip, finality);
5. a writer drains the peer's bounded queue; gossip that finds the queue full is dropped and
   costs the peer reputation, as a peer that does not read must not hold our memory.

Misbehaviour is reported with `NetworkService.report`; a peer whose reputation falls below the
threshold is disconnected and banned.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from deepshard.client.network.address import AddressError, Multiaddr
from deepshard.client.network.identity import NodeKey, PeerId
from deepshard.client.network.messages import (
    MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    BlockRequest,
    BlockResponse,
    Message,
    MessageError,
    PeerRecord,
    Peers,
    PeersRequest,
    Role,
    Status,
    decode_message,
)
from deepshard.client.network.peerset import Peerset, Reputation, ReputationChange, TokenBucket
from deepshard.client.network.session import FrameError, SessionError
from deepshard.client.network.transport import Connection, TcpTransport, Transport
from deepshard.primitives.codec import H256
from deepshard.primitives.numeric import U8, U32, U64

__all__ = [
    "NetworkConfig",
    "ChainStatus",
    "Misbehaviour",
    "ProtocolHandler",
    "Peer",
    "NetworkService",
    "SeenCache",
]

log = logging.getLogger("deepshard.network")

STATUS_TIMEOUT: Final = 10.0
"""Seconds a peer has to send its `Status`."""

REQUEST_TIMEOUT: Final = 20.0
"""Seconds a block request may take."""

MAX_PEER_RECORDS: Final = 64
"""Most peers accepted from, or sent in, one peer-exchange message."""

MAX_KNOWN_ADDRESSES: Final = 1_024
"""Most peers whose addresses we remember."""

PEER_EXCHANGE_INTERVAL: Final = 10.0
"""Seconds between peer-exchange requests to a random peer."""

DIAL_BACKOFF: Final = 5.0
"""Seconds before an address that failed is dialled again."""

CLOGGED_AFTER: Final = 256
"""Messages dropped in a row for a full queue after which a peer is disconnected (clogged)."""

REQUEST_COST: Final = 32
"""Rate-limit tokens a block request costs (serving one reads up to 128 blocks)."""


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """The node's networking options (Substrate's CLI names in the comments)."""

    node_key: NodeKey
    """``--node-key`` / ``--node-key-file``."""
    listen: tuple[Multiaddr, ...] = (Multiaddr("ip4", "0.0.0.0", 30333),)
    """``--listen-addr``."""
    public: tuple[Multiaddr, ...] = ()
    """``--public-addr``: what we tell others to dial (default: the listen addresses)."""
    bootnodes: tuple[Multiaddr, ...] = ()
    """``--bootnodes``."""
    reserved: tuple[Multiaddr, ...] = ()
    """``--reserved-nodes`` (each with its ``/p2p/`` peer id)."""
    reserved_only: bool = False
    """``--reserved-only``."""
    in_peers: int = 32
    """``--in-peers``."""
    out_peers: int = 8
    """``--out-peers``."""
    roles: Role = Role.FULL
    """What we do."""
    queue_size: int = 1_024
    """Messages waiting to be sent to one peer before gossip is dropped."""
    message_rate: float = 2_000.0
    """Messages per second a peer may send on average."""
    message_burst: float = 4_000.0
    """Messages a peer may send at once."""
    ban_seconds: float = 300.0
    """How long a ban lasts."""


@dataclass(frozen=True, slots=True)
class ChainStatus:
    """What our `Status` says about the chain."""

    genesis: H256
    best_number: int
    best_hash: H256
    finalized_number: int
    finalized_hash: H256


class Misbehaviour(Exception):
    """Raised by a protocol handler: the peer did something wrong (see `change`)."""

    def __init__(self, change: ReputationChange, detail: str = "") -> None:
        super().__init__(f"{change.reason}{': ' + detail if detail else ''}")
        self.change = change
        """The reputation change to apply."""


class SeenCache:
    """A bounded set of recently seen keys (oldest forgotten first)."""

    __slots__ = ("_items", "capacity")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        """Most keys kept."""
        self._items: OrderedDict[bytes, None] = OrderedDict()

    def add(self, key: bytes) -> bool:
        """Remember `key`; return False if it was already known."""
        if key in self._items:
            self._items.move_to_end(key)
            return False
        self._items[key] = None
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


@dataclass(eq=False)
class Peer:
    """A connected peer that completed the status handshake."""

    id: PeerId
    """Its identity."""
    connection: Connection
    """The session."""
    status: Status
    """Its handshake."""
    inbound: bool
    """Whether it dialled us."""
    queue: asyncio.Queue[bytes]
    """Frames waiting to be sent."""
    limiter: TokenBucket
    """Its message rate limit."""
    best_number: int = 0
    """Its best block number (status, then announcements)."""
    best_hash: H256 = field(default_factory=lambda: H256(bytes(32)))
    """Its best block hash."""
    known_blocks: SeenCache = field(default_factory=lambda: SeenCache(1_024))
    """Blocks it is known to have."""
    known_transactions: SeenCache = field(default_factory=lambda: SeenCache(8_192))
    """Transactions it is known to have."""
    known_messages: SeenCache = field(default_factory=lambda: SeenCache(8_192))
    """Finality messages it is known to have."""
    dropped: int = 0
    """Messages dropped in a row because its queue was full."""
    closing: bool = False
    """Whether it is being disconnected."""

    @property
    def is_authority(self) -> bool:
        """Whether it says it is an authority."""
        return bool(int(self.status.roles) & Role.AUTHORITY)


class ProtocolHandler(Protocol):
    """The chain protocol above the network service (sync, gossip, finality)."""

    def chain_status(self) -> ChainStatus:
        """Our genesis, best and finalized heads, for `Status`."""
        ...

    def peer_connected(self, peer: Peer) -> None:
        """A peer completed the handshake (must not block)."""
        ...

    def peer_disconnected(self, peer: Peer) -> None:
        """A peer is gone."""
        ...

    def on_message(self, peer: Peer, message: Message) -> None:
        """Handle a message (must not block; raise `Misbehaviour` for a bad one)."""
        ...

    def serve_blocks(self, request: BlockRequest) -> BlockResponse:
        """Answer a block request from the database."""
        ...


class NetworkService:
    """Peers and their connections (see the module docstring)."""

    def __init__(
        self,
        config: NetworkConfig,
        handler: ProtocolHandler,
        *,
        transport: Transport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare the service; `run` starts it."""
        self.config = config
        self.handler = handler
        self.transport: Transport = transport or TcpTransport(config.node_key)
        self.clock = clock
        self.local_peer_id = config.node_key.peer_id
        """Our peer id."""
        reserved_ids = frozenset(a.peer_id for a in config.reserved if a.peer_id is not None)
        self.peerset = Peerset(
            clock,
            in_peers=config.in_peers,
            out_peers=config.out_peers,
            reserved=reserved_ids,
            reserved_only=config.reserved_only,
            ban_seconds=config.ban_seconds,
        )
        self.peers: dict[PeerId, Peer] = {}
        """Connected peers."""
        self.listen_addresses: list[Multiaddr] = []
        """Addresses we listen on (actual ports)."""
        self._known: OrderedDict[PeerId, list[Multiaddr]] = OrderedDict()
        self._bootnodes: list[Multiaddr] = list(config.bootnodes) + list(config.reserved)
        self._dial_failed: dict[str, float] = {}
        self._dialling: set[str] = set()
        self._pending: dict[int, tuple[PeerId, asyncio.Future[BlockResponse]]] = {}
        self._request_ids = itertools.count(1)
        self._group: asyncio.TaskGroup | None = None
        self._started = asyncio.Event()
        self._stop = asyncio.Event()
        self._finished = asyncio.Event()
        self.bytes_in = 0
        """Bytes received from peers (closed connections included)."""
        self.bytes_out = 0
        """Bytes sent to peers (closed connections included)."""

    # --- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Listen, dial and serve peers until `stop` is called."""
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                for address in self.config.listen:
                    bound = await self.transport.listen(address, self._inbound)
                    self.listen_addresses.append(bound)
                    log.info(
                        "🏷  Local node identity is: %s, listening on %s",
                        self.local_peer_id,
                        bound,
                    )
                self._started.set()
                group.create_task(self._maintain())
                await self._stop.wait()
                for peer in list(self.peers.values()):
                    await self._close_peer(peer)
                await self.transport.close()
                raise _Stopped
        except* _Stopped:
            pass
        finally:
            self._group = None
            self._finished.set()

    async def started(self) -> None:
        """Wait until the listeners are bound."""
        await self._started.wait()

    def stop(self) -> None:
        """Ask `run` to end (it closes every connection)."""
        self._stop.set()

    async def stopped(self) -> None:
        """Wait until `run` has ended."""
        await self._finished.wait()

    # --- addresses ----------------------------------------------------------------------------

    def public_addresses(self) -> list[Multiaddr]:
        """What we advertise: ``--public-addr``, else the listen addresses."""
        if self.config.public:
            return list(self.config.public)
        return list(self.listen_addresses)

    def add_known_address(self, peer: PeerId, address: Multiaddr) -> None:
        """Remember an address of `peer` (peer exchange, bootnodes)."""
        if peer == self.local_peer_id:
            return
        addresses = self._known.setdefault(peer, [])
        address = address.with_peer_id(peer)
        if address not in addresses:
            addresses.append(address)
            del addresses[:-4]
        self._known.move_to_end(peer)
        while len(self._known) > MAX_KNOWN_ADDRESSES:
            self._known.popitem(last=False)

    def known_peers(self) -> list[PeerId]:
        """Peers we know an address of."""
        return list(self._known)

    # --- sending ------------------------------------------------------------------------------

    def send(self, peer: Peer, message: Message) -> bool:
        """Queue `message` for `peer`; False if its queue is full (the message is dropped)."""
        return self._enqueue(peer, message.encode())

    def _enqueue(self, peer: Peer, frame: bytes) -> bool:
        if peer.closing:
            return False
        try:
            peer.queue.put_nowait(frame)
        except asyncio.QueueFull:
            peer.dropped += 1
            self.report(peer.id, Reputation.QUEUE_FULL)
            if peer.dropped >= CLOGGED_AFTER:
                log.info("🐌 Disconnecting %s: it does not read its messages", peer.id)
                self.disconnect(peer)
            return False
        peer.dropped = 0
        return True

    def broadcast(self, message: Message, peers: Iterable[Peer] | None = None) -> int:
        """Queue `message` for every peer (or `peers`); return how many took it."""
        frame = message.encode()
        targets = list(self.peers.values()) if peers is None else list(peers)
        return sum(1 for peer in targets if self._enqueue(peer, frame))

    async def request_blocks(
        self,
        peer: Peer,
        *,
        fields: int,
        from_hash: H256 | None = None,
        from_number: int = 0,
        ascending: bool = True,
        max_blocks: int = 128,
        timeout: float = REQUEST_TIMEOUT,
    ) -> BlockResponse:
        """Send a `BlockRequest` to `peer` and wait for its response.

        Raises:
            SessionError: the peer is gone, or did not answer in time (it loses reputation).
        """
        request_id = next(self._request_ids)
        future: asyncio.Future[BlockResponse] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = (peer.id, future)
        request = BlockRequest(
            id=U64(request_id),
            fields=U8(fields),
            from_hash=from_hash,
            from_number=U32(from_number),
            ascending=ascending,
            max=U32(max_blocks),
        )
        try:
            if not self.send(peer, request):
                raise SessionError(f"cannot send to {peer.id}")
            try:
                return await asyncio.wait_for(future, timeout)
            except TimeoutError as error:
                self.report(peer.id, Reputation.TIMEOUT)
                raise SessionError(f"{peer.id} did not answer a block request") from error
        finally:
            self._pending.pop(request_id, None)

    # --- reputation ---------------------------------------------------------------------------

    def report(self, peer_id: PeerId, change: ReputationChange) -> None:
        """Apply a reputation change; disconnect and ban the peer if it falls too low."""
        banned = self.peerset.report(peer_id, change)
        if change.value < 0:
            log.debug("peer %s: %s (%d)", peer_id, change.reason, change.value)
        if banned:
            peer = self.peers.get(peer_id)
            log.warning("🚫 Banning %s for %s", peer_id, change.reason)
            if peer is not None:
                self.disconnect(peer)

    def disconnect(self, peer: Peer) -> None:
        """Close `peer`'s connection (its tasks end and it is forgotten)."""
        if peer.closing:
            return
        peer.closing = True
        if self._group is not None:
            self._group.create_task(peer.connection.close())

    # --- connections --------------------------------------------------------------------------

    async def _inbound(self, connection: Connection) -> None:
        await self._serve(connection)

    async def dial(self, address: Multiaddr) -> bool:
        """Dial `address` now and serve the connection in the background; True if it stuck."""
        key = str(address)
        if key in self._dialling:
            return False
        self._dialling.add(key)
        try:
            connection = await self.transport.dial(address)
        except SessionError as error:
            self._dial_failed[key] = self.clock()
            log.debug("dialling %s failed: %s", address, error)
            return False
        finally:
            self._dialling.discard(key)
        if self._group is None:
            await connection.close()
            return False
        accepted = asyncio.Event()
        self._group.create_task(self._serve(connection, accepted))
        await accepted.wait()
        return connection.peer in self.peers

    async def _serve(self, connection: Connection, accepted: asyncio.Event | None = None) -> None:
        peer_id = connection.peer
        inbound = not connection.outbound
        try:
            refusal = self.peerset.refusal(peer_id, inbound=inbound)
            if refusal is not None:
                log.debug("refusing %s: %s", peer_id, refusal)
                return
            self.peerset.connected(peer_id, inbound=inbound)
            try:
                await self._run_peer(connection, inbound, accepted)
            finally:
                self.peerset.disconnected(peer_id)
        finally:
            if accepted is not None:
                accepted.set()
            await connection.close()

    def _status(self) -> Status:
        chain = self.handler.chain_status()
        return Status(
            version=U32(PROTOCOL_VERSION),
            min_version=U32(MIN_PROTOCOL_VERSION),
            roles=U8(int(self.config.roles)),
            genesis=chain.genesis,
            best_number=U32(chain.best_number),
            best_hash=chain.best_hash,
            finalized_number=U32(chain.finalized_number),
            finalized_hash=chain.finalized_hash,
            listen=tuple(str(a) for a in self.public_addresses()),
        )

    async def _receive_status(self, connection: Connection) -> Status:
        try:
            frame = await asyncio.wait_for(connection.recv(), STATUS_TIMEOUT)
        except TimeoutError as error:
            raise Misbehaviour(Reputation.TIMEOUT, "no status") from error
        message = decode_message(frame)
        if not isinstance(message, Status):
            raise Misbehaviour(Reputation.BAD_PROTOCOL, "the first message is not a status")
        # Verify the peer is on our chain and speaks a version we understand.
        ours = self.handler.chain_status()
        if message.genesis != ours.genesis:
            raise Misbehaviour(
                Reputation.GENESIS_MISMATCH, f"genesis 0x{bytes(message.genesis).hex()}"
            )
        if int(message.version) < MIN_PROTOCOL_VERSION or int(message.min_version) > (
            PROTOCOL_VERSION
        ):
            raise Misbehaviour(Reputation.BAD_PROTOCOL, f"version {int(message.version)}")
        return message

    async def _run_peer(
        self, connection: Connection, inbound: bool, accepted: asyncio.Event | None
    ) -> None:
        peer_id = connection.peer
        try:
            await connection.send(self._status().encode())
            status = await self._receive_status(connection)
        except (Misbehaviour, MessageError, SessionError) as error:
            change = (
                error.change
                if isinstance(error, Misbehaviour)
                else Reputation.BAD_FRAME
                if isinstance(error, FrameError)
                else Reputation.BAD_MESSAGE
                if isinstance(error, MessageError)
                else None
            )
            log.info("❌ Handshake with %s failed: %s", peer_id, error)
            if change is not None:
                self.report(peer_id, change)
            return
        peer = Peer(
            id=peer_id,
            connection=connection,
            status=status,
            inbound=inbound,
            queue=asyncio.Queue(self.config.queue_size),
            limiter=TokenBucket(self.config.message_rate, self.config.message_burst, self.clock),
            best_number=int(status.best_number),
            best_hash=status.best_hash,
        )
        for text in status.listen[:4]:
            with contextlib.suppress(AddressError):
                address = Multiaddr.parse(text)
                if address.host in ("0.0.0.0", "::"):
                    address = Multiaddr(address.protocol, connection.remote_host, address.port)
                self.add_known_address(peer_id, address)
        self.peers[peer_id] = peer
        if accepted is not None:
            accepted.set()
        log.info(
            "🤝 Connected to %s (%s, best #%d)",
            peer_id,
            "inbound" if inbound else "outbound",
            peer.best_number,
        )
        try:
            self.handler.peer_connected(peer)
            self.send(peer, PeersRequest())
            async with asyncio.TaskGroup() as group:
                writer = group.create_task(self._write(peer))
                await self._read(peer)
                writer.cancel()
        except* (SessionError, Misbehaviour) as failure:
            for failed in failure.exceptions:
                if isinstance(failed, FrameError):
                    self.report(peer_id, Reputation.BAD_FRAME)
                elif isinstance(failed, Misbehaviour):
                    self.report(peer_id, failed.change)
                log.debug("peer %s: %s", peer_id, failed)
        except* Exception as failure:  # a bug handling this peer must not stop the others
            log.error("💥 Dropping %s after an internal error", peer_id, exc_info=failure)
        finally:
            peer.closing = True
            self.peers.pop(peer_id, None)
            self.bytes_in += getattr(connection, "bytes_in", 0)
            self.bytes_out += getattr(connection, "bytes_out", 0)
            for request_id, (owner, future) in list(self._pending.items()):
                if owner == peer_id and not future.done():
                    future.set_exception(SessionError(f"{peer_id} disconnected"))
                    self._pending.pop(request_id, None)
            self.handler.peer_disconnected(peer)
            log.info("💔 Disconnected from %s", peer_id)

    async def _write(self, peer: Peer) -> None:
        while True:
            frame = await peer.queue.get()
            await peer.connection.send(frame)

    async def _read(self, peer: Peer) -> None:
        while not peer.closing:
            frame = await peer.connection.recv()
            # Verify the peer keeps to its message rate.
            if not peer.limiter.take():
                self.report(peer.id, Reputation.RATE_LIMITED)
                continue
            try:
                message = decode_message(frame)
            except MessageError as error:
                raise Misbehaviour(Reputation.BAD_MESSAGE, str(error)) from error
            # Verify a block request fits the rate too: serving one costs far more.
            if isinstance(message, BlockRequest) and not peer.limiter.take(REQUEST_COST):
                self.report(peer.id, Reputation.RATE_LIMITED)
                continue
            self._dispatch(peer, message)

    def _dispatch(self, peer: Peer, message: Message) -> None:
        if isinstance(message, BlockResponse):
            pending = self._pending.get(int(message.id))
            if pending is None or pending[0] != peer.id:
                raise Misbehaviour(Reputation.UNEXPECTED_RESPONSE)
            if not pending[1].done():
                pending[1].set_result(message)
        elif isinstance(message, BlockRequest):
            self.send(peer, self.handler.serve_blocks(message))
        elif isinstance(message, PeersRequest):
            self.send(peer, Peers(peers=self._peer_records(exclude=peer.id)))
        elif isinstance(message, Peers):
            for record in message.peers[:MAX_PEER_RECORDS]:
                self._learn(record)
        elif isinstance(message, Status):
            raise Misbehaviour(Reputation.BAD_PROTOCOL, "a second status")
        else:
            self.handler.on_message(peer, message)

    def _peer_records(self, exclude: PeerId) -> tuple[PeerRecord, ...]:
        records = []
        for peer_id, addresses in reversed(self._known.items()):
            if peer_id == exclude or self.peerset.is_banned(peer_id):
                continue
            records.append(
                PeerRecord(
                    peer_id=peer_id.to_bytes(),
                    addresses=tuple(str(a.with_peer_id(None)) for a in addresses),
                )
            )
            if len(records) >= MAX_PEER_RECORDS:
                break
        return tuple(records)

    def _learn(self, record: PeerRecord) -> None:
        try:
            peer_id = PeerId.from_bytes(bytes(record.peer_id))
        except ValueError:
            return
        for text in record.addresses[:4]:
            with contextlib.suppress(AddressError):
                self.add_known_address(peer_id, Multiaddr.parse(text))

    async def _close_peer(self, peer: Peer) -> None:
        peer.closing = True
        await peer.connection.close()

    # --- maintenance --------------------------------------------------------------------------

    async def _maintain(self) -> None:
        last_exchange = self.clock()
        while not self._stop.is_set():
            for address in self._dial_targets():
                assert self._group is not None
                self._group.create_task(self.dial(address))
            if self.peers and self.clock() - last_exchange > PEER_EXCHANGE_INTERVAL:
                last_exchange = self.clock()
                peer = random.choice(list(self.peers.values()))
                self.send(peer, PeersRequest())
            await asyncio.sleep(0.5)

    def _dial_targets(self) -> list[Multiaddr]:
        now = self.clock()

        def ready(address: Multiaddr) -> bool:
            key = str(address)
            failed = self._dial_failed.get(key)
            return key not in self._dialling and (failed is None or now - failed > DIAL_BACKOFF)

        targets: list[Multiaddr] = []
        if self.peerset.wants_outbound() and not self.peers:
            targets.extend(a for a in self._bootnodes if a.peer_id is None and ready(a))
        for address in self._bootnodes:
            if address.peer_id is not None:
                self.add_known_address(address.peer_id, address)
        for peer_id in self.peerset.dial_candidates(self._known):
            for address in self._known.get(peer_id, []):
                if ready(address):
                    targets.append(address)
                    break
        return targets

    def network_state(self) -> dict[str, Any]:
        """A summary for logs and RPC."""
        return {
            "peerId": str(self.local_peer_id),
            "listenedAddresses": [str(a) for a in self.listen_addresses],
            "connectedPeers": len(self.peers),
            "bannedPeers": [str(p) for p in self.peerset.banned()],
        }


class _Stopped(Exception):
    """Ends the service's task group."""
