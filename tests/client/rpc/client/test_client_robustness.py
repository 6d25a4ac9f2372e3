"""Bad bytes from a node never escape as anything but the client's typed errors.

Random and mutated bytes are fed to every codec of the runtime's metadata, to the extrinsic
decoder and to the events decoder; each must either decode or raise a `CodecError` /
`DecodeFailed`, never an IndexError, a KeyError or a wrong value silently.
"""

from __future__ import annotations

import contextlib
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepshard.client.rpc.client import DecodeFailed, ExtensionValues, RuntimeView
from deepshard.primitives.codec import CodecError
from deepshard.primitives.crypto import dev_keypair
from deepshard.primitives.extrinsic import Era
from deepshard.runtime.runtime import deepshard_runtime

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def view() -> RuntimeView:
    runtime = deepshard_runtime()
    return RuntimeView.from_bytes(runtime.metadata.encoded, 101, 1)


def _type_ids() -> list[int]:
    return list(range(len(view().metadata.types.types)))


@pytest.mark.parametrize("type_id", _type_ids())
def test_every_codec_refuses_garbage_with_a_codec_error(type_id):
    codec = view().codecs.codec(type_id)

    @FUZZ
    @given(st.binary(max_size=64))
    def check(data):
        try:
            value = codec.decode(data)
        except CodecError:
            return
        assert codec.encode(value) == data  # what decodes, re-encodes to the same bytes

    check()


def _signed_transfer() -> bytes:
    v = view()
    call = v.compose("Balances", "transfer_keep_alive", {"dest": bytes(32), "value": 5})
    extra, _additional = v.signed_extensions(
        ExtensionValues(Era(), 0, 0, 101, 1, bytes(32), bytes(32))
    )
    return v.signed_extrinsic(call, dev_keypair("Alice").public_key, {"Sr25519": bytes(64)}, extra)


@FUZZ
@given(st.data())
def test_mutated_extrinsics_raise_decode_failed(data):
    raw = bytearray(_signed_transfer())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    with contextlib.suppress(DecodeFailed):
        view().decode_extrinsic(bytes(raw[:cut]))


def test_a_good_extrinsic_decodes():
    extrinsic = view().decode_extrinsic(_signed_transfer())
    assert (extrinsic.call.pallet, extrinsic.call.name) == ("Balances", "transfer_keep_alive")
    assert extrinsic.signer == dev_keypair("Alice").public_key
    assert extrinsic.nonce == 0
    assert extrinsic.era == Era()


@FUZZ
@given(st.binary(max_size=200))
def test_garbage_events_raise_decode_failed(data):
    with contextlib.suppress(DecodeFailed):
        view().decode_events(data)
