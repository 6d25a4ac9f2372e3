"""SCALE codec benchmark: one signed `Balances.transfer_keep_alive` extrinsic, ours vs scalecodec.

Both sides decode the same bytes into a full structure (address, signature, era, nonce, tip and
the call with its destination and compact value) and encode it back. scalecodec is driven the
way its users drive it: a type registry (the "core" preset plus struct definitions of the same
shapes), ``create_scale_object`` per operation, ``decode()`` / ``encode(value)``.

Run: ``python -m bench codec`` (or ``python -m bench.bench_codec``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.harness import Figure, per_second, print_figures
from deepshard.primitives.codec import AccountId32, Compact, Struct, codec_for
from deepshard.primitives.extrinsic import (
    Era,
    ExtrinsicSignature,
    Id,
    MultiAddress,
    Sr25519,
    Sr25519Signature,
    UncheckedExtrinsic,
)
from deepshard.primitives.numeric import U8, U32, U128

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
BOB = bytes.fromhex("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48")


class TransferKeepAlive(Struct):
    """``Balances.transfer_keep_alive`` as a call: pallet index, call index, then the args."""

    pallet_index: U8
    call_index: U8
    dest: MultiAddress
    value: Compact[U128]


def sample_extrinsic() -> UncheckedExtrinsic[TransferKeepAlive]:
    """Return a signed transfer of 10**12 from Alice to Bob (mortal era, nonce 5, tip 0)."""
    return UncheckedExtrinsic(
        signature=ExtrinsicSignature(
            address=Id(AccountId32(ALICE)),
            signature=Sr25519(Sr25519Signature(bytes(range(64)))),
            era=Era.mortal(64, 1_000),
            nonce=U32(5),
            tip=U128(0),
        ),
        call=TransferKeepAlive(U8(5), U8(3), Id(AccountId32(BOB)), U128(10**12)),
    )


SCALECODEC_TYPES = {
    "types": {
        "BenchTransferKeepAlive": {
            "type": "struct",
            "type_mapping": [
                ["pallet_index", "u8"],
                ["call_index", "u8"],
                ["dest", "MultiAddress"],
                ["value", "Compact<u128>"],
            ],
        },
        "BenchSignedBody": {
            "type": "struct",
            "type_mapping": [
                ["version", "u8"],
                ["address", "MultiAddress"],
                ["signature", "MultiSignature"],
                ["era", "Era"],
                ["nonce", "Compact<u32>"],
                ["tip", "Compact<u128>"],
                ["call", "BenchTransferKeepAlive"],
            ],
        },
    }
}


def scalecodec_pair(data: bytes) -> tuple[Callable[[], object], Callable[[], object], Any]:
    """Return scalecodec's (decode, encode) closures for `data` and its decoded value.

    The extrinsic's length prefix is read as ``Compact<u32>`` and the body as a struct of the
    same shape as ours; encoding writes the body and then its length prefix.
    """
    from scalecodec.base import RuntimeConfigurationObject, ScaleBytes  # noqa: PLC0415
    from scalecodec.type_registry import load_type_registry_preset  # noqa: PLC0415

    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset("core"))
    rc.update_type_registry(SCALECODEC_TYPES)

    def decode() -> object:
        scale = ScaleBytes(data)
        length = rc.create_scale_object("Compact<u32>", data=scale)
        length.decode(check_remaining=False)
        body = rc.create_scale_object("BenchSignedBody", data=scale)
        return body.decode()

    value = decode()

    def encode() -> object:
        body = rc.create_scale_object("BenchSignedBody").encode(value)
        prefix = rc.create_scale_object("Compact<u32>").encode(len(body.data))
        return prefix + body

    return decode, encode, value


def main() -> None:
    """Measure and print the codec figures."""
    xt = sample_extrinsic()
    codec = codec_for(UncheckedExtrinsic[TransferKeepAlive])
    data = codec.encode(xt)
    assert codec.decode(data) == xt

    sc_decode, sc_encode, _ = scalecodec_pair(data)
    assert bytes(sc_encode().data) == data, "scalecodec disagrees with our encoding"

    ours_decode = per_second(lambda: codec.decode(data), min_time=1.0)
    ours_encode = per_second(lambda: codec.encode(xt), min_time=1.0)
    theirs_decode = per_second(sc_decode, min_time=1.0)
    theirs_encode = per_second(sc_encode, min_time=1.0)
    print_figures(
        f"SCALE codec: signed transfer_keep_alive extrinsic ({len(data)} bytes)",
        [
            Figure("decode, deepshard", ours_decode, "ops/s"),
            Figure("decode, scalecodec 1.2.12", theirs_decode, "ops/s"),
            Figure("decode speed-up", ours_decode / theirs_decode, "x", "target >= 100"),
            Figure("encode, deepshard", ours_encode, "ops/s"),
            Figure("encode, scalecodec 1.2.12", theirs_encode, "ops/s"),
            Figure("encode speed-up", ours_encode / theirs_encode, "x", "target >= 100"),
        ],
    )


if __name__ == "__main__":
    main()
