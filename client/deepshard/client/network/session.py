"""Authenticated, encrypted sessions between two nodes over a byte stream.

Handshake (a signed ephemeral Diffie-Hellman, in the manner of Noise XX and libp2p SecIO):

1. each side sends ``MAGIC ++ ephemeral X25519 public key`` (the dialler first);
2. both compute ``dh = X25519(own ephemeral secret, peer's ephemeral public)`` and the
   transcript hash ``h = blake2b-256(MAGIC ++ e_dialler ++ e_listener)``; the traffic keys are
   ``blake2b-256(dh, key=h, person=<direction>)``, one per direction;
3. each side sends, as its first encrypted frame, its ed25519 node public key and its
   signature of ``AUTH_CONTEXT ++ role ++ h``; each checks the other's signature, and the
   dialler checks that the key is the peer id it meant to reach (``/p2p/…``).

A man in the middle cannot sign the transcript with the expected node key, and the ephemeral
keys give forward secrecy. Frames are ``u32 big-endian length ++ ChaCha20-Poly1305 ciphertext``
with a per-direction counter nonce; a frame that fails authentication, is over `MAX_FRAME`
bytes, or arrives after the peer closed ends the session with `SessionError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import struct
from typing import Final

import nacl.bindings as sodium

from deepshard.client.network.identity import NodeKey, PeerId

__all__ = [
    "MAGIC",
    "MAX_FRAME",
    "HANDSHAKE_TIMEOUT",
    "SessionError",
    "FrameError",
    "SecureSession",
    "handshake",
]

MAGIC: Final = b"deepshard/session/1\x00"
"""Protocol name and version, sent in the clear before the ephemeral key."""

AUTH_CONTEXT: Final = b"deepshard-session-auth-v1"
"""Domain separation of the handshake signature."""

MAX_FRAME: Final = 16 * 1024 * 1024
"""Largest ciphertext accepted in one frame (a block response is cut well below this)."""

HANDSHAKE_TIMEOUT: Final = 10.0
"""Seconds a handshake may take before the connection is dropped."""

_KEY_LENGTH: Final = 32
_SIGNATURE_LENGTH: Final = 64
_TAG_LENGTH: Final = 16
_LENGTH = struct.Struct(">I")


class SessionError(ConnectionError):
    """The session failed: bad handshake, wrong peer, forged or oversized frame, or closed."""


class FrameError(SessionError):
    """The peer sent a frame that is oversized or fails authentication (garbage or forgery)."""


def _derive(dh: bytes, transcript: bytes, direction: bytes) -> bytes:
    return hashlib.blake2b(dh, digest_size=32, key=transcript, person=direction).digest()


class SecureSession:
    """An established session: encrypted frames in both directions to an authenticated peer."""

    __slots__ = (
        "_reader",
        "_recv_key",
        "_recv_nonce",
        "_send_key",
        "_send_nonce",
        "_writer",
        "bytes_in",
        "bytes_out",
        "outbound",
        "remote",
    )

    def __init__(  # noqa: PLR0917 - the pieces a handshake produces
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        send_key: bytes,
        recv_key: bytes,
        remote: PeerId | None,
        outbound: bool,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._send_key = send_key
        self._recv_key = recv_key
        self._send_nonce = 0
        self._recv_nonce = 0
        self.remote: PeerId | None = remote
        """The authenticated peer (set once the handshake's last step checked out)."""
        self.outbound = outbound
        """Whether we dialled."""
        self.bytes_in = 0
        """Ciphertext bytes received."""
        self.bytes_out = 0
        """Ciphertext bytes sent."""

    @property
    def peer(self) -> PeerId:
        """The authenticated remote peer."""
        if self.remote is None:
            raise SessionError("the session is not authenticated yet")
        return self.remote

    @property
    def remote_host(self) -> str:
        """The remote IP address as the socket sees it."""
        peer = self._writer.get_extra_info("peername")
        return str(peer[0]) if peer else "?"

    def encrypt(self, plaintext: bytes) -> bytes:
        """Seal one frame (length prefix included) and advance the send counter."""
        nonce = bytes(4) + self._send_nonce.to_bytes(8, "little")
        self._send_nonce += 1
        sealed = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
            plaintext, None, nonce, self._send_key
        )
        return _LENGTH.pack(len(sealed)) + sealed

    async def send(self, plaintext: bytes) -> None:
        """Send one frame.

        Raises:
            SessionError: the frame is too large or the connection is gone.
        """
        if len(plaintext) + _TAG_LENGTH > MAX_FRAME:
            raise SessionError(f"a frame of {len(plaintext)} bytes is over the limit")
        frame = self.encrypt(plaintext)
        try:
            self._writer.write(frame)
            await self._writer.drain()
        except (ConnectionError, OSError) as error:
            raise SessionError(f"send failed: {error}") from error
        self.bytes_out += len(frame)

    async def recv(self) -> bytes:
        """Receive one frame.

        Raises:
            SessionError: the peer closed, sent an oversized frame or a forged one.
        """
        try:
            header = await self._reader.readexactly(_LENGTH.size)
            (length,) = _LENGTH.unpack(header)
            if length > MAX_FRAME or length < _TAG_LENGTH:
                raise FrameError(f"frame length {length} is out of bounds")
            sealed = await self._reader.readexactly(length)
        except asyncio.IncompleteReadError as error:
            raise SessionError("the peer closed the connection") from error
        except FrameError:
            raise
        except (ConnectionError, OSError) as error:
            raise SessionError(f"receive failed: {error}") from error
        nonce = bytes(4) + self._recv_nonce.to_bytes(8, "little")
        try:
            plaintext = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
                sealed, None, nonce, self._recv_key
            )
        except Exception as error:  # nacl raises CryptoError; any failure means forged
            raise FrameError("a frame failed authentication") from error
        self._recv_nonce += 1
        self.bytes_in += _LENGTH.size + length
        return bytes(plaintext)

    async def close(self) -> None:
        """Close the connection (idempotent, never raises)."""
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()


async def handshake(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    key: NodeKey,
    *,
    outbound: bool,
    expected: PeerId | None = None,
    timeout: float = HANDSHAKE_TIMEOUT,
) -> SecureSession:
    """Run the handshake (see the module docstring) and return the established session.

    Args:
        reader: The connected stream's reading end.
        writer: Its writing end.
        key: Our node key.
        outbound: Whether we dialled (the dialler sends first).
        expected: The peer id the dialler meant to reach, if known.
        timeout: Seconds the whole handshake may take.

    Raises:
        SessionError: the peer speaks another protocol, signs wrongly, is not `expected`,
            our own key, or too slow.
    """
    try:
        return await asyncio.wait_for(
            _handshake(reader, writer, key, outbound, expected), timeout=timeout
        )
    except TimeoutError as error:
        raise SessionError("the handshake timed out") from error
    except asyncio.IncompleteReadError as error:
        raise SessionError("the peer closed the connection during the handshake") from error
    except (ConnectionError, OSError) as error:
        if isinstance(error, SessionError):
            raise
        raise SessionError(f"the handshake failed: {error}") from error


async def _handshake(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    key: NodeKey,
    outbound: bool,
    expected: PeerId | None,
) -> SecureSession:
    secret = os.urandom(_KEY_LENGTH)
    public = sodium.crypto_scalarmult_base(secret)
    writer.write(MAGIC + public)
    await writer.drain()
    hello = await reader.readexactly(len(MAGIC) + _KEY_LENGTH)
    # Verify the peer speaks this protocol and version.
    if hello[: len(MAGIC)] != MAGIC:
        raise SessionError("the peer does not speak the deepshard session protocol")
    remote_ephemeral = hello[len(MAGIC) :]
    try:
        dh = sodium.crypto_scalarmult(secret, remote_ephemeral)
    except Exception as error:  # a low-order point: libsodium refuses it
        raise SessionError("the peer's ephemeral key is invalid") from error
    if dh == bytes(_KEY_LENGTH):
        raise SessionError("the peer's ephemeral key is invalid")
    dialler, listener = (public, remote_ephemeral) if outbound else (remote_ephemeral, public)
    transcript = hashlib.blake2b(MAGIC + dialler + listener, digest_size=32).digest()
    to_listener = _derive(dh, transcript, b"dialler->listen")
    to_dialler = _derive(dh, transcript, b"listener->dial")
    session = SecureSession(
        reader,
        writer,
        to_listener if outbound else to_dialler,
        to_dialler if outbound else to_listener,
        None,
        outbound,
    )
    own_role, their_role = (b"D", b"L") if outbound else (b"L", b"D")
    await session.send(key.peer_id.public_key + key.sign(AUTH_CONTEXT + own_role + transcript))
    auth = await session.recv()
    # Verify the peer proves its node key over this very transcript.
    if len(auth) != _KEY_LENGTH + _SIGNATURE_LENGTH:
        raise SessionError("malformed authentication frame")
    remote = PeerId(auth[:_KEY_LENGTH])
    if not remote.verify(AUTH_CONTEXT + their_role + transcript, auth[_KEY_LENGTH:]):
        raise SessionError("the peer's handshake signature is invalid")
    if remote == key.peer_id:
        raise SessionError("connected to ourselves")
    if expected is not None and remote != expected:
        raise SessionError(f"dialled {expected} but reached {remote}")
    session.remote = remote
    return session
