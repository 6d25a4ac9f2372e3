"""Who we stay connected to: slots, reserved nodes, reputation, bans and rate limits.

As Substrate's peerset: every peer has a reputation (0 when first seen) that the protocol
lowers on misbehaviour and raises a little on useful data; it decays towards 0 by 1/50 of its
value per second. A peer whose reputation falls below `BANNED_THRESHOLD`, or that commits a
fatal fault (a wrong genesis, a forged frame, an invalid block), is disconnected and banned for
`ban_seconds`: it may not connect again, inbound or outbound, until the ban expires.

Slots: at most ``in_peers`` inbound and ``out_peers`` outbound connections; reserved nodes
are always accepted and kept dialled; with ``reserved_only`` every other peer is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from deepshard.client.network.identity import PeerId

__all__ = [
    "BANNED_THRESHOLD",
    "ReputationChange",
    "Reputation",
    "TokenBucket",
    "Peerset",
]

BANNED_THRESHOLD: Final = -(1 << 30)
"""A peer whose reputation is below this is disconnected and banned."""

_DECAY_DIVISOR: Final = 50
"""Each second the reputation loses 1/50 of its value (towards 0)."""

_DECAY_HORIZON: Final = 600
"""Seconds after which any reputation has decayed to 0 (bounds the decay loop)."""


@dataclass(frozen=True, slots=True)
class ReputationChange:
    """A change of reputation and its reason."""

    value: int
    """The amount (negative for misbehaviour)."""
    reason: str
    """Why, for the logs."""
    fatal: bool = False
    """Whether the peer is banned at once, whatever its reputation."""


class Reputation:
    """The changes the protocol applies (values on Substrate's scale)."""

    GOOD_BLOCK: Final = ReputationChange(1 << 7, "a good block")
    GOOD_TRANSACTION: Final = ReputationChange(1 << 5, "a good transaction")
    BAD_TRANSACTION: Final = ReputationChange(-(1 << 12), "a bad transaction")
    DUPLICATE_TRANSACTION: Final = ReputationChange(-(1 << 6), "a transaction sent twice")
    UNEXPECTED_RESPONSE: Final = ReputationChange(-(1 << 20), "an unrequested response")
    TIMEOUT: Final = ReputationChange(-(1 << 10), "a request timed out")
    RATE_LIMITED: Final = ReputationChange(-(1 << 22), "too many messages")
    QUEUE_FULL: Final = ReputationChange(-(1 << 16), "does not read its messages")
    BAD_MESSAGE: Final = ReputationChange(-(1 << 31), "an undecodable message", fatal=True)
    BAD_FRAME: Final = ReputationChange(-(1 << 31), "a forged or oversized frame", fatal=True)
    GENESIS_MISMATCH: Final = ReputationChange(-(1 << 31), "another chain", fatal=True)
    BAD_PROTOCOL: Final = ReputationChange(-(1 << 31), "an unsupported protocol", fatal=True)
    BAD_BLOCK: Final = ReputationChange(-(1 << 31), "an invalid block", fatal=True)
    BAD_JUSTIFICATION: Final = ReputationChange(-(1 << 31), "an invalid justification", fatal=True)
    BAD_VOTE: Final = ReputationChange(-(1 << 31), "an invalid finality vote", fatal=True)


class TokenBucket:
    """A rate limit: `rate` tokens per second, at most `burst` saved up."""

    __slots__ = ("_clock", "_level", "_stamp", "burst", "rate")

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        """Tokens added per second."""
        self.burst = burst
        """Most tokens held."""
        self._clock = clock
        self._level = burst
        self._stamp = clock()

    def take(self, amount: float = 1.0) -> bool:
        """Spend `amount` tokens; False (and nothing spent) if there are not enough."""
        now = self._clock()
        self._level = min(self.burst, self._level + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._level < amount:
            return False
        self._level -= amount
        return True


@dataclass(slots=True)
class _Entry:
    value: int = 0
    stamp: float = 0.0
    banned_until: float = 0.0


@dataclass(slots=True)
class Peerset:
    """Connection slots, reputations and bans (see the module docstring)."""

    clock: Callable[[], float]
    """Monotonic seconds."""
    in_peers: int = 32
    """Most inbound connections (reserved nodes excluded)."""
    out_peers: int = 8
    """Most outbound connections (reserved nodes excluded)."""
    reserved: frozenset[PeerId] = frozenset()
    """Reserved nodes: always accepted, always dialled."""
    reserved_only: bool = False
    """Accept and dial reserved nodes only."""
    ban_seconds: float = 300.0
    """How long a ban lasts."""
    _entries: dict[PeerId, _Entry] = field(default_factory=dict)
    _inbound: set[PeerId] = field(default_factory=set)
    _outbound: set[PeerId] = field(default_factory=set)

    # --- reputation ---------------------------------------------------------------------------

    def reputation(self, peer: PeerId) -> int:
        """The peer's current (decayed) reputation."""
        entry = self._entries.get(peer)
        if entry is None:
            return 0
        self._decay(entry)
        return entry.value

    def _decay(self, entry: _Entry) -> None:
        now = self.clock()
        seconds = int(now - entry.stamp)
        if seconds <= 0:
            return
        entry.stamp += seconds
        if seconds >= _DECAY_HORIZON:
            entry.value = 0
            return
        for _ in range(seconds):
            if entry.value == 0:
                break
            step = abs(entry.value) // _DECAY_DIVISOR or 1
            entry.value += -step if entry.value > 0 else step

    def report(self, peer: PeerId, change: ReputationChange) -> bool:
        """Apply `change` to `peer`; return whether the peer is now banned."""
        entry = self._entries.setdefault(peer, _Entry(stamp=self.clock()))
        self._decay(entry)
        entry.value = max(-(1 << 31), min((1 << 31) - 1, entry.value + change.value))
        if change.fatal or entry.value < BANNED_THRESHOLD:
            entry.banned_until = self.clock() + self.ban_seconds
            return True
        return False

    def is_banned(self, peer: PeerId) -> bool:
        """Whether `peer` is serving a ban."""
        entry = self._entries.get(peer)
        return entry is not None and entry.banned_until > self.clock()

    def banned(self) -> list[PeerId]:
        """Peers serving a ban."""
        now = self.clock()
        return sorted(p for p, e in self._entries.items() if e.banned_until > now)

    # --- slots --------------------------------------------------------------------------------

    def refusal(self, peer: PeerId, *, inbound: bool) -> str | None:
        """Why a connection with `peer` must be refused now, or None to accept it."""
        if self.is_banned(peer):
            return "banned"
        if peer in self._inbound or peer in self._outbound:
            return "already connected"
        if peer in self.reserved:
            return None
        if self.reserved_only:
            return "not a reserved node (--reserved-only)"
        if inbound and len(self._inbound - self.reserved) >= self.in_peers:
            return "no inbound slot left"
        if not inbound and len(self._outbound - self.reserved) >= self.out_peers:
            return "no outbound slot left"
        return None

    def connected(self, peer: PeerId, *, inbound: bool) -> None:
        """Record a connection (after `refusal` said yes)."""
        (self._inbound if inbound else self._outbound).add(peer)

    def disconnected(self, peer: PeerId) -> None:
        """Record a disconnection."""
        self._inbound.discard(peer)
        self._outbound.discard(peer)

    def is_connected(self, peer: PeerId) -> bool:
        """Whether `peer` is connected."""
        return peer in self._inbound or peer in self._outbound

    def wants_outbound(self) -> bool:
        """Whether an outbound slot is free for a non-reserved peer."""
        return not self.reserved_only and len(self._outbound - self.reserved) < self.out_peers

    def dial_candidates(self, known: Iterable[PeerId]) -> list[PeerId]:
        """Peers worth dialling now: unconnected reserved nodes, then others if slots allow."""
        wanted = [
            p for p in sorted(self.reserved) if not self.is_connected(p) and not self.is_banned(p)
        ]
        if self.wants_outbound():
            free = self.out_peers - len(self._outbound - self.reserved)
            others = [
                p
                for p in known
                if p not in self.reserved and not self.is_connected(p) and not self.is_banned(p)
            ]
            wanted.extend(others[:free])
        return wanted
