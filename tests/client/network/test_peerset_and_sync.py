"""The peerset (reputation, decay, bans, slots, rate limits) and the sync's ancestor search,
each against a brute-force reference model under hypothesis."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from deepshard.client.network.identity import NodeKey
from deepshard.client.network.messages import BlockData, BlockResponse
from deepshard.client.network.peerset import (
    BANNED_THRESHOLD,
    Peerset,
    Reputation,
    ReputationChange,
    TokenBucket,
)
from deepshard.client.network.sync import ChainSync
from deepshard.primitives.codec import H256
from deepshard.primitives.header import Header
from deepshard.primitives.numeric import U32, U64

PEERS = [NodeKey(bytes([i]) * 32).peer_id for i in range(1, 7)]


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _decayed(value: int, seconds: int) -> int:
    """Reference decay: one step per second, 1/50 of the value (at least 1), towards 0."""
    for _ in range(min(seconds, 600)):
        if value == 0:
            break
        step = max(abs(value) // 50, 1)
        value += -step if value > 0 else step
    return 0 if seconds >= 600 else value


@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(-(1 << 24), 1 << 12),
            st.integers(0, 30),
        ),
        max_size=40,
    )
)
def test_reputation_decay_and_bans_match_a_reference_model(
    steps: list[tuple[int, int, int]],
) -> None:
    clock = Clock()
    peerset = Peerset(clock, ban_seconds=60)
    model: dict[int, tuple[int, float]] = {}
    banned_until: dict[int, float] = {}
    for peer, change, wait in steps:
        clock.now += wait
        value, stamp = model.get(peer, (0, clock.now))
        elapsed = int(clock.now - stamp)
        value = _decayed(value, elapsed) + change
        model[peer] = (value, stamp + elapsed)
        banned = peerset.report(PEERS[peer], ReputationChange(change, "test"))
        if value < BANNED_THRESHOLD:
            banned_until[peer] = clock.now + 60
        assert banned == (value < BANNED_THRESHOLD)
        for other, until in banned_until.items():
            assert peerset.is_banned(PEERS[other]) == (until > clock.now)
        assert peerset.reputation(PEERS[peer]) == value


def test_fatal_changes_ban_at_once_and_bans_expire() -> None:
    clock = Clock()
    peerset = Peerset(clock, ban_seconds=300)
    assert peerset.report(PEERS[0], Reputation.GENESIS_MISMATCH)
    assert peerset.refusal(PEERS[0], inbound=True) == "banned"
    clock.now += 301
    assert not peerset.is_banned(PEERS[0])
    assert peerset.refusal(PEERS[0], inbound=True) is None


def test_slots_reserved_nodes_and_reserved_only() -> None:
    clock = Clock()
    peerset = Peerset(clock, in_peers=1, out_peers=1, reserved=frozenset({PEERS[5]}))
    assert peerset.refusal(PEERS[0], inbound=True) is None
    peerset.connected(PEERS[0], inbound=True)
    assert peerset.refusal(PEERS[0], inbound=False) == "already connected"
    assert peerset.refusal(PEERS[1], inbound=True) == "no inbound slot left"
    assert peerset.refusal(PEERS[5], inbound=True) is None  # reserved: always
    peerset.connected(PEERS[1], inbound=False)
    assert peerset.refusal(PEERS[2], inbound=False) == "no outbound slot left"
    assert peerset.dial_candidates(PEERS) == [PEERS[5]]
    peerset.disconnected(PEERS[1])
    assert peerset.dial_candidates(PEERS) == [PEERS[5], PEERS[1]]
    only = Peerset(clock, reserved=frozenset({PEERS[5]}), reserved_only=True)
    assert only.refusal(PEERS[0], inbound=True) == "not a reserved node (--reserved-only)"
    assert only.dial_candidates(PEERS) == [PEERS[5]]


def test_token_bucket() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=10, burst=5, clock=clock)
    assert all(bucket.take() for _ in range(5))
    assert not bucket.take()
    clock.now += 0.35
    assert bucket.take()
    assert bucket.take()
    assert bucket.take()
    assert not bucket.take()


# --- ancestor search ------------------------------------------------------------------------


def _header(number: int, fork: int) -> Header:
    return Header(
        parent_hash=H256(bytes([fork]) * 32),
        number=U32(number),
        state_root=H256(bytes(32)),
        extrinsics_root=H256(number.to_bytes(4, "little") + bytes([fork]) * 28),
    )


@dataclass
class _Chain:
    headers: list[Header]
    finalized_number: int

    def best(self) -> tuple[int, H256]:
        return len(self.headers) - 1, self.headers[-1].hash()

    def finalized(self) -> tuple[int, H256]:
        return self.finalized_number, self.headers[self.finalized_number].hash()

    def canonical_hash(self, number: int) -> H256 | None:
        return self.headers[number].hash() if number < len(self.headers) else None

    genesis_hash = H256(bytes(32))


@dataclass
class _Peer:
    best_number: int


class _Network:
    """Serves the peer's chain to the search and counts the requests."""

    def __init__(self, headers: list[Header]) -> None:
        self.headers = headers
        self.requests = 0

    async def request_blocks(self, peer: Any, *, from_number: int, **_: Any) -> BlockResponse:
        self.requests += 1
        if from_number >= len(self.headers):
            return BlockResponse(id=U64(0), blocks=())
        header = self.headers[from_number]
        data = BlockData(hash=header.hash(), header=header, body=None, justification=None)
        return BlockResponse(id=U64(0), blocks=(data,))


@given(
    shared=st.integers(1, 300),
    ours=st.integers(0, 300),
    theirs=st.integers(0, 300),
    finalized=st.integers(0, 299),
)
def test_common_ancestor_matches_a_linear_scan(
    shared: int, ours: int, theirs: int, finalized: int
) -> None:
    common = [_header(n, 0) for n in range(shared)]
    our_headers = common + [_header(shared + n, 1) for n in range(ours)]
    their_headers = common + [_header(shared + n, 2) for n in range(theirs)]
    finalized = min(finalized, shared - 1)
    chain = _Chain(our_headers, finalized)
    network = _Network(their_headers)
    sync = ChainSync(chain)  # type: ignore[arg-type]
    sync.network = network  # type: ignore[assignment]
    found = asyncio.run(sync.common_ancestor(_Peer(len(their_headers) - 1)))  # type: ignore[arg-type]
    # Reference: the highest number where both chains have the same block.
    expected = max(
        n
        for n in range(min(len(our_headers), len(their_headers)))
        if our_headers[n].hash() == their_headers[n].hash()
    )
    assert found == expected
    # A binary search: about log2 of the distance to finality, plus the first probe.
    assert network.requests <= 2 + max(len(our_headers), 1).bit_length()


async def test_a_peer_that_does_not_read_is_disconnected() -> None:
    from deepshard.client.network.messages import PeersRequest, Status  # noqa: PLC0415
    from deepshard.client.network.service import (  # noqa: PLC0415
        CLOGGED_AFTER,
        NetworkConfig,
        NetworkService,
        Peer,
    )

    clock = Clock()
    service = NetworkService(
        NetworkConfig(node_key=NodeKey.generate()),
        handler=None,
        clock=clock,  # type: ignore[arg-type]
    )
    status = Status.decode(bytes(1 + 4 + 4 + 1 + 32 + 4 + 32 + 4 + 32 + 1))
    peer = Peer(
        id=PEERS[0],
        connection=None,  # type: ignore[arg-type]
        status=status,
        inbound=True,
        queue=asyncio.Queue(4),
        limiter=TokenBucket(1, 1, clock),
    )
    for _ in range(4):
        assert service.send(peer, PeersRequest())
    for _ in range(CLOGGED_AFTER - 1):
        assert not service.send(peer, PeersRequest())
    assert not peer.closing
    assert not service.send(peer, PeersRequest())
    assert peer.closing  # clogged: disconnected (not banned: slowness is no proof of malice)
    assert not service.peerset.is_banned(PEERS[0])
