"""Multisig as clients see it: FRAME's names, indices and storage layout, via scalecodec."""

from __future__ import annotations

from deepshard.pallets.multisig import MultisigPallet, Timepoint
from deepshard.primitives.numeric import U16, U32
from deepshard.primitives.weights import Weight

# FRAME's pallet_multisig (polkadot-sdk substrate/frame/multisig/src/lib.rs)
FRAME_CALLS = [
    (0, "as_multi_threshold_1", ["other_signatories", "call"]),
    (1, "as_multi", ["threshold", "other_signatories", "maybe_timepoint", "call", "max_weight"]),
    (
        2,
        "approve_as_multi",
        ["threshold", "other_signatories", "maybe_timepoint", "call_hash", "max_weight"],
    ),
    (3, "cancel_as_multi", ["threshold", "other_signatories", "timepoint", "call_hash"]),
    (4, "poke_deposit", ["threshold", "other_signatories", "call_hash"]),
]
FRAME_EVENTS = [
    (0, "NewMultisig", ["approving", "multisig", "call_hash"]),
    (1, "MultisigApproval", ["approving", "timepoint", "multisig", "call_hash"]),
    (2, "MultisigExecuted", ["approving", "timepoint", "multisig", "call_hash", "result"]),
    (3, "MultisigCancelled", ["cancelling", "timepoint", "multisig", "call_hash"]),
    (4, "DepositPoked", ["who", "call_hash", "old_deposit", "new_deposit"]),
]
FRAME_ERRORS = [
    "MinimumThreshold",
    "AlreadyApproved",
    "NoApprovalsNeeded",
    "TooFewSignatories",
    "TooManySignatories",
    "SignatoriesOutOfOrder",
    "SenderInSignatories",
    "NotFound",
    "NotOwner",
    "NoTimepoint",
    "WrongTimepoint",
    "UnexpectedTimepoint",
    "MaxWeightTooLow",
    "AlreadyStored",
]


def _shape(variants):
    return [(v["index"], v["name"], [f["name"] for f in v["fields"]]) for v in variants]


def test_metadata_is_frames(metadata):
    pallet = metadata.pallet("Multisig")
    assert pallet["index"] == 9
    assert _shape(metadata.variants(pallet["calls"]["ty"])) == FRAME_CALLS
    assert _shape(metadata.variants(pallet["event"]["ty"])) == FRAME_EVENTS
    errors = metadata.variants(pallet["error"]["ty"])
    assert [(e["index"], e["name"]) for e in errors] == list(enumerate(FRAME_ERRORS))
    assert [c["name"] for c in pallet["constants"]] == [
        "DepositBase",
        "DepositFactor",
        "MaxSignatories",
    ]
    (entry,) = pallet["storage"]["entries"]
    assert entry["name"] == "Multisigs"
    assert entry["modifier"] == "Optional"
    assert entry["type"]["Map"]["hashers"] == ["Twox64Concat", "Blake2_128Concat"]
    value = metadata.type(entry["type"]["Map"]["value"])
    assert value["path"] == ["pallet_multisig", "Multisig"]
    fields = [f["name"] for f in value["def"]["composite"]["fields"]]
    assert fields == ["when", "deposit", "depositor", "approvals"]


def test_scalecodec_composes_as_multi(metadata, mock):
    two = "0x" + bytes(mock.account(2)).hex()
    encoded = metadata.encode_call(
        {
            "call_module": "Multisig",
            "call_function": "as_multi",
            "call_args": {
                "threshold": 2,
                "other_signatories": [two],
                "maybe_timepoint": {"height": 5, "index": 1},
                "call": {
                    "call_module": "System",
                    "call_function": "remark",
                    "call_args": {"remark": "0x01"},
                },
                "max_weight": {"ref_time": 10, "proof_size": 2},
            },
        }
    )
    ours = mock.RUNTIME.make_call(
        MultisigPallet,
        "as_multi",
        threshold=U16(2),
        other_signatories=(mock.account(2),),
        maybe_timepoint=Timepoint(height=U32(5), index=U32(1)),
        call=mock.remark(b"\x01"),
        max_weight=Weight.from_parts(10, 2),
    )
    assert encoded == ours.encode()
