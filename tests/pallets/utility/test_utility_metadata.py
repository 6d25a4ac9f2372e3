"""Utility as clients see it: FRAME's names and indices in metadata decoded by scalecodec, and
calls that scalecodec (substrate-interface's codec) composes decoding to the same calls."""

from __future__ import annotations

from deepshard.pallets.utility import BATCHED_CALLS_LIMIT, BatchInterrupted, Utility
from deepshard.primitives import dispatch as wire
from deepshard.primitives.numeric import U16, U32
from deepshard.runtime.support import DepositedEvent, Phase, Signed

# FRAME's pallet_utility, call for call (polkadot-sdk substrate/frame/utility/src/lib.rs)
FRAME_CALLS = [
    (0, "batch", ["calls"]),
    (1, "as_derivative", ["index", "call"]),
    (2, "batch_all", ["calls"]),
    (3, "dispatch_as", ["as_origin", "call"]),
    (4, "force_batch", ["calls"]),
    (5, "with_weight", ["call", "weight"]),
    (6, "dispatch_as_checked", ["as_origin", "call"]),
]
FRAME_EVENTS = [
    (0, "BatchInterrupted", ["index", "error"]),
    (1, "BatchCompleted", []),
    (2, "BatchCompletedWithErrors", []),
    (3, "ItemCompleted", []),
    (4, "ItemFailed", ["error"]),
    (5, "DispatchedAs", ["result"]),
]


def test_metadata_is_frames(metadata):
    utility = metadata.pallet("Utility")
    assert utility["index"] == 8
    assert utility["storage"] is None
    calls = metadata.variants(utility["calls"]["ty"])
    assert [(c["index"], c["name"], [f["name"] for f in c["fields"]]) for c in calls] == FRAME_CALLS
    events = metadata.variants(utility["event"]["ty"])
    assert [(e["index"], e["name"], [f["name"] for f in e["fields"]]) for e in events] == (
        FRAME_EVENTS
    )
    (error,) = metadata.variants(utility["error"]["ty"])
    assert (error["index"], error["name"]) == (0, "TooManyCalls")
    (limit,) = utility["constants"]
    assert limit["name"] == "batched_calls_limit"
    value = limit["value"]  # scalecodec gives bytes that are valid UTF-8 back as text
    raw = bytes.fromhex(value[2:]) if value.startswith("0x") else value.encode()
    assert raw == (4).to_bytes(4, "little")  # the mock's limit
    batch_arg = metadata.type(calls[0]["fields"][0]["type"])
    assert metadata.type(batch_arg["def"]["sequence"]["type"])["path"] == [
        "utility_mock",
        "RuntimeCall",
    ]
    origin = metadata.type(calls[3]["fields"][0]["type"])
    assert origin["path"] == ["utility_mock", "OriginCaller"]
    (system,) = origin["def"]["variant"]["variants"]
    assert (system["name"], system["index"]) == ("system", 0)
    raw = metadata.type(system["fields"][0]["type"])
    assert raw["path"] == ["frame_support", "dispatch", "RawOrigin"]
    assert [(v["index"], v["name"]) for v in raw["def"]["variant"]["variants"]] == [
        (0, "Root"),
        (1, "Signed"),
        (2, "None"),
    ]


def test_scalecodec_composes_batch_all_and_dispatch_as(metadata, mock):
    alice = "0x" + bytes(mock.ALICE).hex()
    remark_like = {"call_module": "Example", "call_function": "signed_log", "call_args": {"i": 7}}
    encoded = metadata.encode_call(
        {
            "call_module": "Utility",
            "call_function": "batch_all",
            "call_args": {"calls": [remark_like, remark_like]},
        }
    )
    ours = mock.RUNTIME.make_call(Utility, "batch_all", calls=(mock.signed_log(7),) * 2)
    assert encoded == ours.encode()
    assert mock.RUNTIME.call_codec.decode(encoded) == ours
    encoded = metadata.encode_call(
        {
            "call_module": "Utility",
            "call_function": "dispatch_as",
            "call_args": {"as_origin": {"system": {"Signed": alice}}, "call": remark_like},
        }
    )
    ours = mock.RUNTIME.make_call(
        Utility,
        "dispatch_as",
        as_origin=mock.RUNTIME.caller_of(Signed(mock.ALICE)),
        call=mock.signed_log(7),
    )
    assert encoded == ours.encode()
    encoded = metadata.encode_call(
        {
            "call_module": "Utility",
            "call_function": "as_derivative",
            "call_args": {"index": 513, "call": remark_like},
        }
    )
    assert (
        encoded
        == (
            mock.RUNTIME.make_call(
                Utility, "as_derivative", index=U16(513), call=mock.signed_log(7)
            )
        ).encode()
    )


def test_scalecodec_decodes_the_events(metadata, mock):
    event = BatchInterrupted(index=U32(1), error=wire.module_error(2, 0))
    records = mock.RUNTIME.encode_event_records(
        [DepositedEvent(Phase.APPLY_EXTRINSIC, 0, 8, event, ())]
    )
    (record,) = metadata.decode_events(records)
    assert record["event"]["module_id"] == "Utility"
    assert record["event"]["event_id"] == "BatchInterrupted"
    attributes = record["event"]["attributes"]
    assert attributes["index"] == 1
    assert attributes["error"] == {"Module": {"index": 2, "error": "0x00000000"}}


def test_the_default_limit_is_frames():
    assert BATCHED_CALLS_LIMIT == 32 * 1024 * 1024 // 3 // 1024
