"""The Training metadata as scalecodec decodes it: every call composes as substrate-interface
composes it, the statistics layout is a constant, rounds and versions decode from storage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scalecodec.base import ScaleBytes

from deepshard.pallets.training import DEFAULT_STATISTICS, Role, Training
from deepshard.primitives.codec import H256
from deepshard.primitives.numeric import I64, U64, U128
from deepshard.runtime.support import Signed

from .conftest import ExtBuilder, account, adapter_cid, mock_runtime, sha

Builder = Callable[[], ExtBuilder]

CALLS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("bond", {"role": "Scorer", "amount": 500}, {"role": Role.Scorer, "amount": U128(500)}),
    ("unbond", {"role": "Trainer", "amount": 7}, {"role": Role.Trainer, "amount": U128(7)}),
    ("withdraw_unbonded", {"role": "Trainer"}, {"role": Role.Trainer}),
    (
        "commit",
        {"round_id": 3, "commitment": "0x" + "ab" * 32},
        {"round_id": U64(3), "commitment": H256(b"\xab" * 32)},
    ),
    (
        "reveal",
        {
            "round_id": 3,
            "cid": "0x" + adapter_cid(1).hex(),
            "sha256": "0x" + "01" * 32,
            "salt": "0x00ff",
        },
        {"round_id": U64(3), "cid": adapter_cid(1), "sha256": sha(1), "salt": b"\x00\xff"},
    ),
    (
        "submit_scores",
        {"round_id": 3, "scores": [[1, -2, 3, -4, 5]]},
        {"round_id": U64(3), "scores": ((I64(1), I64(-2), I64(3), I64(-4), I64(5)),)},
    ),
    (
        "cancel_slash",
        {"round_id": 3, "trainer": "0x" + "02" * 32},
        {"round_id": U64(3), "trainer": account(2)},
    ),
]


def test_every_call_composes_as_substrate_interface_does(
    decoded_metadata: Callable[[Any], Any],
) -> None:
    runtime = mock_runtime()
    meta = decoded_metadata(runtime)
    for name, theirs, ours in CALLS:
        encoded = meta.encode_call(
            {"call_module": "Training", "call_function": name, "call_args": theirs}
        )
        assert encoded == runtime.call_codec.encode(runtime.make_call(Training, name, **ours)), name


def test_statistics_layout_is_a_metadata_constant(decoded_metadata: Callable[[Any], Any]) -> None:
    meta = decoded_metadata(mock_runtime())
    constants = {c["name"]: c for c in meta.pallet("Training")["constants"]}
    assert {"Statistics", "Profile", "MinImprovement", "OutlierSlash", "LivenessSlash"} <= set(
        constants
    )
    entry = constants["Statistics"]
    value = meta.config.create_scale_object(
        f"scale_info::{entry['type']}", ScaleBytes(entry["value"]), metadata=meta.decoded
    ).decode()
    assert [v["name"] for v in value] == [bytes(s.name).decode() for s in DEFAULT_STATISTICS]
    assert [v["higher_is_better"] for v in value] == [
        s.higher_is_better for s in DEFAULT_STATISTICS
    ]
    assert [v["floor"] for v in value] == [int(s.floor) for s in DEFAULT_STATISTICS]


def test_rounds_and_versions_decode_from_storage(
    decoded_metadata: Callable[[Any], Any], ext_builder: Builder
) -> None:
    ext = (
        ext_builder()
        .trainers({account(n): 1_000 for n in range(1, 4)})
        .scorers({account(n): 1_000 for n in range(11, 14)})
        .build()
    )
    round_id = ext.open_round()
    meta = decoded_metadata(ext.runtime)
    entries = {e["name"]: e for e in meta.pallet("Training")["storage"]["entries"]}

    def decode(entry: str, key: bytes) -> Any:
        type_id = entries[entry]["type"]["Map"]["value"]
        raw = ext.ctx.overlay.get(key)
        return meta.config.create_scale_object(
            f"scale_info::{type_id}", ScaleBytes(raw), metadata=meta.decoded
        ).decode()

    round_ = decode("Rounds", ext.training.rounds.key(U64(round_id)))
    assert round_["phase"] == "Commit"
    assert round_["outcome"] == "Pending"
    assert len(round_["trainers"]) == len(round_["scorers"]) == 3
    assert round_["profile"]["mode"] == "Deterministic"
    version = decode(
        "ModelVersions", ext.training.model_versions.key(ext.training.current_version.get())
    )
    assert version["parent"] is None
    assert version["held_out_loss"] == 3_000_000
    ext.call("bond", Signed(account(1)), role=Role.Trainer, amount=U128(1))
