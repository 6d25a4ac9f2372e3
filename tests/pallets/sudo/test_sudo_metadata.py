"""Sudo as clients see it: metadata decoded by scalecodec, calls and events encoded by it."""

from __future__ import annotations

from deepshard.pallets.sudo import Sudid, Sudo
from deepshard.primitives import dispatch as wire
from deepshard.primitives.codec import Err
from deepshard.primitives.numeric import U32
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import DepositedEvent, Phase


def test_metadata_names_indices_and_docs(metadata):
    sudo = metadata.pallet("Sudo")
    assert sudo["index"] == 1
    (key,) = sudo["storage"]["entries"]
    assert (key["name"], key["modifier"]) == ("Key", "Optional")
    calls = metadata.variants(sudo["calls"]["ty"])
    assert [(c["index"], c["name"], [f["name"] for f in c["fields"]]) for c in calls] == [
        (0, "sudo", ["call"]),
        (1, "sudo_unchecked_weight", ["call", "weight"]),
        (2, "set_key", ["new"]),
        (3, "sudo_as", ["who", "call"]),
        (4, "remove_key", []),
    ]
    events = metadata.variants(sudo["event"]["ty"])
    assert [(e["index"], e["name"], [f["name"] for f in e["fields"]]) for e in events] == [
        (0, "Sudid", ["sudo_result"]),
        (1, "KeyChanged", ["old", "new"]),
        (2, "KeyRemoved", []),
        (3, "SudoAsDone", ["sudo_result"]),
    ]
    result = metadata.type(events[0]["fields"][0]["type"])
    assert result["path"] == ["Result"]
    (error,) = metadata.variants(sudo["error"]["ty"])
    assert (error["index"], error["name"]) == (0, "RequireSudo")
    assert "Sender must be the Sudo account." in error["docs"][0]
    assert metadata.type(calls[3]["fields"][0]["type"])["path"] == [
        "sp_runtime",
        "multiaddress",
        "MultiAddress",
    ]


def test_scalecodec_composes_a_nested_sudo_call(metadata, runtime, logger):
    encoded = metadata.encode_call(
        {
            "call_module": "Sudo",
            "call_function": "sudo",
            "call_args": {
                "call": {
                    "call_module": "Logger",
                    "call_function": "privileged_i32_log",
                    "call_args": {"i": 42, "weight": {"ref_time": 1_000, "proof_size": 0}},
                }
            },
        }
    )
    ours = runtime.make_call(
        Sudo,
        "sudo",
        call=runtime.make_call(
            logger.Logger, "privileged_i32_log", i=U32(42), weight=Weight.from_parts(1_000, 0)
        ),
    )
    assert encoded == runtime.call_codec.encode(ours)


def test_scalecodec_decodes_a_sudid_event_record(metadata, runtime):
    error = Err(wire.module_error(2, 0))
    records = runtime.encode_event_records(
        [_deposited(1, Sudid(sudo_result=error))]  # as System.Events stores them
    )
    (record,) = metadata.decode_events(records)
    assert (record["module_id"], record["event_id"]) == ("Sudo", "Sudid")
    assert record["attributes"]["sudo_result"] == {
        "Err": {"Module": {"index": 2, "error": "0x00000000"}}
    }


def _deposited(pallet_index, event):
    return DepositedEvent(Phase.APPLY_EXTRINSIC, 0, pallet_index, event, ())
