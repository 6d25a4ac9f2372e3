"""Key custody: chunked AEAD streams, Shamir t-of-n over GF(2⁵²¹ - 1), sealed share delivery."""

from __future__ import annotations

import io
import itertools
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings
from nacl.public import PrivateKey
from nacl.secret import SecretBox

from deepshard.offchain_workers.keeper import custody
from deepshard.offchain_workers.keeper.custody import CustodyError, Share


def _encrypt(data: bytes, key: bytes, chunk_size: int) -> bytes:
    sink = io.BytesIO()
    written = custody.encrypt_stream(io.BytesIO(data), sink, key, chunk_size)
    assert written == len(sink.getvalue())
    return sink.getvalue()


def _decrypt(stream: bytes, key: bytes) -> bytes:
    sink = io.BytesIO()
    custody.decrypt_stream(io.BytesIO(stream), sink, key)
    return sink.getvalue()


@settings(max_examples=60)
@given(data=st.binary(max_size=3_000), chunk_size=st.integers(1, 700))
def test_stream_round_trips(data: bytes, chunk_size: int) -> None:
    key = secrets.token_bytes(32)
    stream = _encrypt(data, key, chunk_size)
    assert _decrypt(stream, key) == data
    chunks = max(1, -(-len(data) // chunk_size))
    assert len(stream) == 25 + len(data) + 20 * chunks


def test_chunks_are_libsodium_xchacha20_poly1305() -> None:
    # The first chunk opens with libsodium's AEAD directly (an independent reading of the format).
    key = secrets.token_bytes(32)
    stream = _encrypt(b"x" * 10, key, 4)
    header, length = stream[:25], int.from_bytes(stream[25:29], "little")
    nonce = header[9:] + (0).to_bytes(8, "little")
    aad = header + (0).to_bytes(8, "little") + b"\x00"
    plain = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
        stream[29 : 29 + length], aad, nonce, key
    )
    assert plain == b"xxxx"


@pytest.mark.parametrize("where", ["flip", "cut_chunk", "drop_last", "append", "swap"])
def test_tampered_streams_are_refused(where: str) -> None:
    key = secrets.token_bytes(32)
    stream = bytearray(_encrypt(bytes(range(200)) * 5, key, 100))
    record = 4 + 100 + 16
    if where == "flip":
        stream[40] ^= 1
    elif where == "cut_chunk":
        del stream[-5:]
    elif where == "drop_last":
        del stream[-record:]  # nine whole chunks left: the ninth is not marked final
    elif where == "append":
        stream += stream[25 : 25 + record]
    else:
        first, second = stream[25 : 25 + record], stream[25 + record : 25 + 2 * record]
        stream[25 : 25 + 2 * record] = second + first
    with pytest.raises(CustodyError):
        _decrypt(bytes(stream), key)


def test_wrong_key_and_bad_input() -> None:
    key = secrets.token_bytes(32)
    stream = _encrypt(b"weights", key, 1024)
    with pytest.raises(CustodyError, match="authentication"):
        _decrypt(stream, secrets.token_bytes(32))
    with pytest.raises(CustodyError, match="32 bytes"):
        _decrypt(stream, b"short")
    with pytest.raises(CustodyError, match="not an encrypted"):
        _decrypt(b"garbage" * 10, key)
    with pytest.raises(CustodyError, match="chunk size"):
        _encrypt(b"", key, 0)


@pytest.mark.parametrize(("threshold", "count"), [(1, 1), (2, 3), (3, 5), (5, 5), (4, 9)])
def test_any_t_shares_decrypt_and_t_minus_one_do_not(threshold: int, count: int) -> None:
    key = secrets.token_bytes(32)
    stream = _encrypt(b"model weights " * 100, key, 256)
    shares = custody.split_key(key, threshold, count)
    assert len({s.x for s in shares}) == count
    for subset in itertools.combinations(shares, threshold):
        assert custody.combine_shares(subset) == key
    for subset in itertools.combinations(shares, threshold - 1):
        if not subset:
            continue
        try:
            wrong = custody.combine_shares(subset)
        except CustodyError:
            continue  # most often not even a 32-byte value
        assert wrong != key
        with pytest.raises(CustodyError):
            _decrypt(stream, wrong)


def test_t_minus_one_shares_fit_every_key() -> None:
    # Secrecy: for t - 1 shares and ANY candidate key there is a polynomial through them all.
    key, other = secrets.token_bytes(32), secrets.token_bytes(32)
    shares = custody.split_key(key, 3, 5)
    points = [*shares[:2]]
    # Interpolating the two shares with (0, other) gives a degree-2 polynomial: a valid sharing.
    # Its value at x = 3 is then a third share consistent with `other`.
    xs = [0, points[0].x, points[1].x]
    ys = [int.from_bytes(other, "big"), points[0].y, points[1].y]
    p = custody.PRIME

    def at(x: int) -> int:
        total = 0
        for i, (xi, yi) in enumerate(zip(xs, ys, strict=True)):
            num, den = 1, 1
            for j, xj in enumerate(xs):
                if i != j:
                    num, den = num * (x - xj) % p, den * (xi - xj) % p
            total = (total + yi * num * pow(den, -1, p)) % p
        return total

    third = Share(3, at(3))
    assert custody.combine_shares([*points, third]) == other


def test_share_errors() -> None:
    with pytest.raises(CustodyError):
        custody.split_key(b"k" * 32, 0, 3)
    with pytest.raises(CustodyError):
        custody.split_key(b"k" * 32, 4, 3)
    with pytest.raises(CustodyError):
        custody.split_key(b"k" * 31, 1, 3)
    with pytest.raises(CustodyError, match="distinct"):
        custody.combine_shares([Share(1, 5), Share(1, 6)])
    with pytest.raises(CustodyError, match="distinct"):
        custody.combine_shares([])
    with pytest.raises(CustodyError):
        Share.from_bytes(b"\x00" * 68)
    with pytest.raises(CustodyError):
        Share.from_bytes(b"\x01" * 3)


def test_sealed_share_opens_only_for_the_buyer() -> None:
    buyer, stranger = PrivateKey.generate(), PrivateKey.generate()
    share = custody.split_key(secrets.token_bytes(32), 2, 3)[1]
    sealed = custody.seal_share(share, bytes(buyer.public_key))
    assert len(sealed) == 48 + 68
    assert custody.open_share(sealed, bytes(buyer)) == share
    with pytest.raises(CustodyError, match="does not open"):
        custody.open_share(sealed, bytes(stranger))
    with pytest.raises(CustodyError):
        custody.seal_share(share, b"\x00" * 31)


def test_purchase_flow_end_to_end() -> None:
    """Encrypt once, split among 5 keepers, 3 deliver sealed shares, the buyer decrypts."""
    weights = secrets.token_bytes(50_000)
    key = secrets.token_bytes(SecretBox.KEY_SIZE)
    stream = _encrypt(weights, key, 4096)
    shares = custody.split_key(key, 3, 5)
    buyer = PrivateKey.generate()
    delivered = [custody.seal_share(s, bytes(buyer.public_key)) for s in shares[1:4]]
    opened = [custody.open_share(d, bytes(buyer)) for d in delivered]
    assert _decrypt(stream, custody.combine_shares(opened)) == weights
