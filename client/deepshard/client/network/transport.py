"""The transport interface the network service is written against, and its TCP implementation.

A transport hands the service *authenticated, encrypted* connections: it dials an address and
proves the remote node key, and it listens and reports each inbound connection once its
handshake is done. The service never sees sockets or keys, so a libp2p transport (Noise over
TCP or WebSocket, yamux) can replace `TcpTransport` without touching it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

from deepshard.client.network.address import Multiaddr
from deepshard.client.network.identity import NodeKey, PeerId
from deepshard.client.network.session import SessionError, handshake

__all__ = ["Connection", "Transport", "TcpTransport", "InboundHandler", "MAX_PENDING_HANDSHAKES"]


class Connection(Protocol):
    """An authenticated, encrypted, message-framed connection to one peer."""

    @property
    def peer(self) -> PeerId:
        """The authenticated remote peer."""
        ...

    @property
    def outbound(self) -> bool:
        """Whether we dialled."""
        ...

    @property
    def remote_host(self) -> str:
        """The remote IP address."""
        ...

    async def send(self, frame: bytes) -> None:
        """Send one frame (raises `SessionError` when the connection is gone)."""
        ...

    async def recv(self) -> bytes:
        """Receive one frame (raises `SessionError` on close or a bad frame)."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...


InboundHandler = Callable[[Connection], Awaitable[None]]
"""Called with each authenticated inbound connection; the connection ends when it returns."""


class Transport(Protocol):
    """Dials and listens, yielding authenticated connections."""

    async def listen(self, address: Multiaddr, handler: InboundHandler) -> Multiaddr:
        """Listen on `address`; return the address actually bound (port 0 picks one)."""
        ...

    async def dial(self, address: Multiaddr) -> Connection:
        """Connect to `address` and authenticate the peer (its ``/p2p/`` id if given).

        Raises:
            SessionError: the connection or the handshake failed.
        """
        ...

    async def close(self) -> None:
        """Stop listening."""
        ...


MAX_PENDING_HANDSHAKES = 64
"""Inbound handshakes in progress at once; connections beyond are closed at once."""


class TcpTransport:
    """TCP with the signed X25519 / ChaCha20-Poly1305 session of `session`."""

    def __init__(self, key: NodeKey, *, handshake_timeout: float = 10.0) -> None:
        """Use `key` as this node's identity."""
        self.key = key
        self.handshake_timeout = handshake_timeout
        self._servers: list[asyncio.Server] = []
        self._pending = 0

    async def listen(self, address: Multiaddr, handler: InboundHandler) -> Multiaddr:
        """Listen on `address` (see `Transport.listen`)."""

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # Verify the node is not flooded with half-open handshakes.
            if self._pending >= MAX_PENDING_HANDSHAKES:
                writer.close()
                return
            self._pending += 1
            try:
                session = await handshake(
                    reader,
                    writer,
                    self.key,
                    outbound=False,
                    timeout=self.handshake_timeout,
                )
            except SessionError:
                writer.close()
                return
            finally:
                self._pending -= 1
            try:
                await handler(session)
            finally:
                await session.close()

        server = await asyncio.start_server(accept, address.host, address.port, limit=1 << 20)
        self._servers.append(server)
        port = int(server.sockets[0].getsockname()[1])
        return Multiaddr(address.protocol, address.host, port)

    async def dial(self, address: Multiaddr) -> Connection:
        """Connect and authenticate (see `Transport.dial`)."""
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(address.host, address.port, limit=1 << 20),
                timeout=self.handshake_timeout,
            )
        except (OSError, TimeoutError) as error:
            raise SessionError(f"cannot reach {address}: {error}") from error
        try:
            return await handshake(
                reader,
                writer,
                self.key,
                outbound=True,
                expected=address.peer_id,
                timeout=self.handshake_timeout,
            )
        except SessionError:
            writer.close()
            raise

    async def close(self) -> None:
        """Stop every listener."""
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
