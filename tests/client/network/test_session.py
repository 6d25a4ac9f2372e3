"""Node identity and the encrypted session: peer ids against Substrate's published value,
the signed handshake, framing limits and forged frames."""

from __future__ import annotations

import asyncio
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.client.network.address import AddressError, Multiaddr
from deepshard.client.network.identity import NodeKey, NodeKeyError, PeerId
from deepshard.client.network.session import (
    MAGIC,
    FrameError,
    SecureSession,
    SessionError,
    handshake,
)
from deepshard.client.network.transport import TcpTransport

# Substrate's tutorials start Alice with `--node-key 00…01`; her bootnode address is printed
# as `/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp`.
SUBSTRATE_NODE_KEY = "0000000000000000000000000000000000000000000000000000000000000001"
SUBSTRATE_PEER_ID = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"


def test_peer_id_matches_substrates_for_the_same_node_key() -> None:
    key = NodeKey.from_hex(SUBSTRATE_NODE_KEY)
    assert str(key.peer_id) == SUBSTRATE_PEER_ID
    assert PeerId.from_base58(SUBSTRATE_PEER_ID) == key.peer_id
    assert key.peer_id.to_bytes()[:6] == bytes.fromhex("002408011220")


@given(st.binary(min_size=32, max_size=32))
def test_peer_ids_round_trip_and_start_like_substrates(seed: bytes) -> None:
    peer = NodeKey(seed).peer_id
    text = peer.to_base58()
    assert text.startswith("12D3KooW")
    assert PeerId.from_base58(text) == peer
    assert PeerId.from_bytes(peer.to_bytes()) == peer


@pytest.mark.parametrize(
    "text", ["", "0x12", "12D3KooW", "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"]
)
def test_bad_peer_ids_are_refused(text: str) -> None:
    with pytest.raises(NodeKeyError):
        PeerId.from_base58(text)


def test_node_key_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    hex_file = tmp_path / "hex"
    hex_file.write_text("0x" + SUBSTRATE_NODE_KEY + "\n")
    assert str(NodeKey.from_file(hex_file).peer_id) == SUBSTRATE_PEER_ID
    raw_file = tmp_path / "raw"
    raw_file.write_bytes(bytes.fromhex(SUBSTRATE_NODE_KEY))
    assert str(NodeKey.from_file(raw_file).peer_id) == SUBSTRATE_PEER_ID
    bad = tmp_path / "bad"
    bad.write_text("not a key")
    with pytest.raises(NodeKeyError, match="not a node key"):
        NodeKey.from_file(bad)
    created = NodeKey.load_or_create(tmp_path / "net" / "secret_ed25519")
    assert NodeKey.load_or_create(tmp_path / "net" / "secret_ed25519").peer_id == created.peer_id
    assert (tmp_path / "net" / "secret_ed25519").stat().st_mode & 0o077 == 0


def test_multiaddrs() -> None:
    address = Multiaddr.parse(f"/ip4/127.0.0.1/tcp/30333/p2p/{SUBSTRATE_PEER_ID}")
    assert (address.host, address.port, str(address.peer_id)) == (
        "127.0.0.1",
        30333,
        SUBSTRATE_PEER_ID,
    )
    assert str(address) == f"/ip4/127.0.0.1/tcp/30333/p2p/{SUBSTRATE_PEER_ID}"
    assert Multiaddr.parse("/ip6/::1/tcp/1").host == "::1"
    assert Multiaddr.parse("/dns/boot.example/tcp/30333").host == "boot.example"
    for bad in (
        "/ip4/300.0.0.1/tcp/1",
        "/ip4/::1/tcp/1",
        "/ip4/127.0.0.1/udp/1",
        "/ip4/127.0.0.1/tcp/70000",
        "/ip4/127.0.0.1/tcp/1/p2p/nope",
        "127.0.0.1:30333",
    ):
        with pytest.raises(AddressError):
            Multiaddr.parse(bad)


async def _pair(
    dialler: NodeKey, listener: NodeKey, expected: PeerId | None = None
) -> tuple[SecureSession, SecureSession]:
    accepted: asyncio.Future[SecureSession] = asyncio.get_running_loop().create_future()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            accepted.set_result(await handshake(reader, writer, listener, outbound=False))
        except SessionError as error:
            accepted.set_exception(error)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        outbound = await handshake(reader, writer, dialler, outbound=True, expected=expected)
    finally:
        server.close()
    return outbound, await accepted


async def test_handshake_authenticates_both_sides_and_frames_flow() -> None:
    alice, bob = NodeKey.generate(), NodeKey.generate()
    out, inn = await _pair(alice, bob, expected=bob.peer_id)
    assert out.peer == bob.peer_id
    assert inn.peer == alice.peer_id
    for size in (0, 1, 100_000):
        await out.send(b"x" * size)
        assert await inn.recv() == b"x" * size
    await inn.send(b"back")
    assert await out.recv() == b"back"
    await out.close()
    with pytest.raises(SessionError):
        await inn.recv()
    await inn.close()


async def test_dialling_the_wrong_node_fails() -> None:
    alice, bob, mallory = NodeKey.generate(), NodeKey.generate(), NodeKey.generate()
    with pytest.raises(SessionError, match="dialled"):
        await _pair(alice, mallory, expected=bob.peer_id)


async def test_garbage_instead_of_a_handshake_is_refused() -> None:
    key = NodeKey.generate()
    result: asyncio.Future[Exception] = asyncio.get_running_loop().create_future()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handshake(reader, writer, key, outbound=False, timeout=2)
        except SessionError as error:
            result.set_result(error)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    _, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(64))
    await writer.drain()
    assert "does not speak" in str(await result)
    writer.close()
    server.close()


async def test_forged_and_oversized_frames_are_frame_errors() -> None:
    alice, bob = NodeKey.generate(), NodeKey.generate()
    out, inn = await _pair(alice, bob)
    frame = bytearray(out.encrypt(b"hello"))
    frame[-1] ^= 1  # flip a tag bit
    out._writer.write(bytes(frame))
    with pytest.raises(FrameError, match="authentication"):
        await inn.recv()
    out2, inn2 = await _pair(alice, bob)
    out2._writer.write(struct.pack(">I", 0xFFFFFFF0))
    with pytest.raises(FrameError, match="out of bounds"):
        await inn2.recv()
    for session in (out, inn, out2, inn2):
        await session.close()


async def test_a_replayed_frame_fails() -> None:
    alice, bob = NodeKey.generate(), NodeKey.generate()
    out, inn = await _pair(alice, bob)
    frame = out.encrypt(b"pay me")
    out._writer.write(frame + frame)
    assert await inn.recv() == b"pay me"
    with pytest.raises(FrameError):
        await inn.recv()
    await out.close()
    await inn.close()


async def test_tcp_transport_dials_and_listens() -> None:
    alice, bob = NodeKey.generate(), NodeKey.generate()
    received: asyncio.Queue[bytes] = asyncio.Queue()

    async def handler(connection) -> None:  # type: ignore[no-untyped-def]
        await received.put(await connection.recv())

    listener = TcpTransport(bob)
    bound = await listener.listen(Multiaddr("ip4", "127.0.0.1", 0), handler)
    assert bound.port != 0
    dialler = TcpTransport(alice)
    connection = await dialler.dial(bound.with_peer_id(bob.peer_id))
    await connection.send(b"ping")
    assert await asyncio.wait_for(received.get(), 5) == b"ping"
    await connection.close()
    assert MAGIC.startswith(b"deepshard/session/")
    await listener.close()


async def test_half_open_handshakes_are_bounded() -> None:
    from deepshard.client.network.transport import MAX_PENDING_HANDSHAKES  # noqa: PLC0415

    alice, bob = NodeKey.generate(), NodeKey.generate()
    received: asyncio.Queue[bytes] = asyncio.Queue()

    async def handler(connection) -> None:  # type: ignore[no-untyped-def]
        await received.put(await connection.recv())

    listener = TcpTransport(bob, handshake_timeout=30)
    bound = await listener.listen(Multiaddr("ip4", "127.0.0.1", 0), handler)
    idle = [
        await asyncio.open_connection("127.0.0.1", bound.port)
        for _ in range(MAX_PENDING_HANDSHAKES + 8)
    ]
    await asyncio.sleep(0.2)
    # Beyond the bound, connections are closed at once.
    closed = 0
    for reader, _ in idle[MAX_PENDING_HANDSHAKES:]:
        if await asyncio.wait_for(reader.read(1), 5) == b"":
            closed += 1
    assert closed == 8
    for _, writer in idle:
        writer.close()
    await asyncio.sleep(0.2)
    # Once they are gone, an honest node gets through.
    connection = await TcpTransport(alice).dial(bound.with_peer_id(bob.peer_id))
    await connection.send(b"hello")
    assert await asyncio.wait_for(received.get(), 5) == b"hello"
    await connection.close()
    await listener.close()
