"""The Informants and Treasury metadata as scalecodec decodes it: calls encode as
substrate-interface composes them, storage and constants decode from metadata alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scalecodec.base import ScaleBytes

from deepshard.pallets.informants import Informants
from deepshard.runtime.support import Signed

from .conftest import ALICE, BOB, CID_V0, InformantsExt, mock_runtime, scores


def test_calls_compose_as_substrate_interface_does(
    decoded_metadata: Callable[[Any], Any], ext: InformantsExt
) -> None:
    meta = decoded_metadata(mock_runtime())
    encoded = meta.encode_call(
        {
            "call_module": "Informants",
            "call_function": "submit_batch",
            "call_args": {
                "cid": "0x" + CID_V0.hex(),
                "byte_size": 1_000,
                "item_count": 100,
                "stake": 150,
                "metadata_cid": "0x",
            },
        }
    )
    ours = ext.runtime.make_call(
        Informants,
        "submit_batch",
        cid=CID_V0,
        byte_size=1_000,
        item_count=100,
        stake=150,
        metadata_cid=b"",
    )
    assert encoded == ext.runtime.call_codec.encode(ours)
    vote = meta.encode_call(
        {
            "call_module": "Informants",
            "call_function": "vote",
            "call_args": {
                "batch_id": 0,
                "aye": True,
                "scores": {
                    "novelty": 80,
                    "reproducibility": 70,
                    "alignment": 60,
                    "truthfulness": 50,
                    "objectivity": 40,
                },
            },
        }
    )
    decoded = ext.runtime.call_codec.decode(vote)
    ext.call(
        "submit_batch",
        Signed(ALICE),
        cid=CID_V0,
        byte_size=1,
        item_count=1,
        stake=150,
        metadata_cid=b"",
    )
    ext.runtime.dispatch(ext.ctx, decoded, Signed(BOB))
    stored = ext.informants.votes.get(0, BOB)  # type: ignore[arg-type]
    assert stored is not None
    assert stored.scores == scores(80, 70, 60, 50, 40)


def as_bytes(value: str) -> bytes:
    """scalecodec shows a ``Vec<u8>`` as hex, or as text when it is valid UTF-8."""
    return bytes.fromhex(value[2:]) if value.startswith("0x") else value.encode()


def test_storage_decodes_from_metadata(
    decoded_metadata: Callable[[Any], Any], ext: InformantsExt
) -> None:
    meta = decoded_metadata(mock_runtime())
    ext.call(
        "submit_batch",
        Signed(ALICE),
        cid=CID_V0,
        byte_size=7,
        item_count=3,
        stake=150,
        metadata_cid=b"",
    )
    entries = {e["name"]: e for e in meta.pallet("Informants")["storage"]["entries"]}
    batch_type = entries["Batches"]["type"]["Map"]["value"]
    raw = ext.ctx.overlay.get(ext.informants.batches.key(0))  # type: ignore[arg-type]
    value = meta.config.create_scale_object(
        f"scale_info::{batch_type}", ScaleBytes(raw), metadata=meta.decoded
    ).decode()
    assert value["informant"] == "0x" + bytes(ALICE).hex()
    assert as_bytes(value["cid"]) == CID_V0
    assert value["phase"] == "Voting"
    assert value["stake"] == 150
    assert value["item_count"] == 3
    constants = {c["name"] for c in meta.pallet("Informants")["constants"]}
    assert {"MinBatchStake", "ThresholdCurve", "CriterionWeights", "MaxClosingWeight"} <= constants
    assert {"PalletId", "EmissionPerBlock"} <= {
        c["name"] for c in meta.pallet("Treasury")["constants"]
    }
