"""Peer addresses in multiaddr text form, as Substrate's CLI takes them.

``/ip4/127.0.0.1/tcp/30333``, ``/ip6/::1/tcp/30333`` or ``/dns/boot.example.com/tcp/30333``
(also ``dns4``/``dns6``), optionally ending in ``/p2p/<peer id>``: a bootnode or reserved node
must carry the peer id, so the handshake can prove the dialled node is the one meant.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

from deepshard.client.network.identity import NodeKeyError, PeerId

__all__ = ["AddressError", "Multiaddr"]

_HOST_PROTOCOLS: Final = ("ip4", "ip6", "dns", "dns4", "dns6")


class AddressError(ValueError):
    """A multiaddr is malformed or uses a transport this node does not speak."""


@dataclass(frozen=True, slots=True)
class Multiaddr:
    """A TCP address of a node, with the node's peer id when known."""

    protocol: str
    """``ip4``, ``ip6``, ``dns``, ``dns4`` or ``dns6``."""
    host: str
    """The IP address or DNS name."""
    port: int
    """The TCP port."""
    peer_id: PeerId | None = None
    """The node's identity (``/p2p/…``), if given."""

    @classmethod
    def parse(cls, text: str) -> Multiaddr:
        """Parse the text form.

        Raises:
            AddressError: not ``/<ip4|ip6|dns…>/<host>/tcp/<port>[/p2p/<peer id>]``.
        """
        parts = text.strip().split("/")
        if len(parts) not in (5, 7) or parts[0] != "" or parts[3] != "tcp":
            raise AddressError(f"{text!r}: expected /ip4/<address>/tcp/<port>[/p2p/<peer id>]")
        protocol, host, port_text = parts[1], parts[2], parts[4]
        if protocol not in _HOST_PROTOCOLS:
            raise AddressError(f"{text!r}: unsupported protocol {protocol!r}")
        if protocol in ("ip4", "ip6"):
            try:
                parsed = ipaddress.ip_address(host)
            except ValueError as error:
                raise AddressError(f"{text!r}: {error}") from error
            if parsed.version != (4 if protocol == "ip4" else 6):
                raise AddressError(f"{text!r}: {host} is not an {protocol} address")
        elif not host:
            raise AddressError(f"{text!r}: empty DNS name")
        if not port_text.isdigit() or not 0 <= int(port_text) <= 65_535:
            raise AddressError(f"{text!r}: {port_text!r} is not a TCP port")
        peer_id = None
        if len(parts) == 7:
            if parts[5] != "p2p":
                raise AddressError(f"{text!r}: expected /p2p/<peer id> after the port")
            try:
                peer_id = PeerId.from_base58(parts[6])
            except NodeKeyError as error:
                raise AddressError(f"{text!r}: {error}") from error
        return cls(protocol, host, int(port_text), peer_id)

    def with_peer_id(self, peer_id: PeerId | None) -> Multiaddr:
        """This address carrying `peer_id`."""
        return Multiaddr(self.protocol, self.host, self.port, peer_id)

    def __str__(self) -> str:
        text = f"/{self.protocol}/{self.host}/tcp/{self.port}"
        return text if self.peer_id is None else f"{text}/p2p/{self.peer_id}"
