"""The runtime wire types against the PyPI `scalecodec` package (the independent oracle).

scalecodec's presets describe some of these types, not always as the current polkadot-sdk
does; where a preset definition exists it is used as is, and where it is legacy the current
definition is registered here (the difference is named in each test):

* ``WeightV2`` (legacy preset) is current; SI maps ``Weight`` to it when the metadata has
  ``sp_weights::weight_v2::Weight``, as done here;
* ``DispatchInfo``, ``BlockLength``/``PerDispatchClassU32``, ``Pays``, ``DispatchClass``,
  ``ArithmeticError``, ``RuntimeDbWeight`` (with ``Weight`` = u64 there, so it is checked
  with u64 fields), ``InclusionFee`` (legacy preset) are current;
* ``RuntimeDispatchInfo``, ``FeeDetails`` (core preset, ``TransactionPaymentApi`` runtime API
  types, what SI's ``get_payment_info`` decodes) are current; the legacy ``FeeDetails`` lacks
  ``tip``;
* ``RuntimeVersion`` (core preset, ``Core`` runtime API) is the Core 4 layout (its last field
  is still called ``state_version``); the legacy one is the Core 3 layout;
* ``InvalidTransaction``, ``UnknownTransaction``, ``TransactionValidityError`` (core preset,
  ``BlockBuilder`` runtime API types) stop at ``BadSigner``; the legacy ``InvalidTransaction``
  calls index 9 ``MandatoryDispatch`` and stops there;
* the legacy ``DispatchError`` predates ``TooManyConsumers`` (its ``Token`` is index 6, not 7)
  and has a one-byte module error, the legacy ``TokenError`` has older names, and the legacy
  ``WeightPerClass`` has a non-optional ``max_extrinsic``: the current definitions are
  registered below, and the legacy ones checked only where they still agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import scalecodec
from hypothesis import given, settings
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives import dispatch as d
from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import Err, Ok, codec_for, decode, encode
from deepshard.primitives.numeric import U8, U32, U64, U128, Perbill
from deepshard.primitives.version import RuntimeVersion, api_id
from deepshard.primitives.weights import (
    BlockLength,
    BlockWeights,
    DispatchClass,
    DispatchInfo,
    FeeDetails,
    InclusionFee,
    Pays,
    RuntimeDbWeight,
    RuntimeDispatchInfo,
    Weight,
    WeightsPerClass,
)

U64_MAX = (1 << 64) - 1
ORACLE = settings(max_examples=40)
"""scalecodec is slow; the byte layouts do not depend on the values beyond these examples."""
CORE_JSON = Path(scalecodec.__file__).parent / "type_registry" / "core.json"

# The current polkadot-sdk definitions scalecodec's presets lack (or have in a legacy form).
CURRENT_TYPES: dict[str, Any] = {
    "ModuleError": {"type": "struct", "type_mapping": [["index", "u8"], ["error", "[u8; 4]"]]},
    "TokenErrorCurrent": {
        "type": "enum",
        "value_list": [member.name for member in d.TokenError],
    },
    "TransactionalError": {"type": "enum", "value_list": ["LimitReached", "NoLayer"]},
    "TrieError": {"type": "enum", "value_list": [member.name for member in d.TrieError]},
    "DispatchErrorCurrent": {
        "type": "enum",
        "type_mapping": [
            ["Other", "Null"],
            ["CannotLookup", "Null"],
            ["BadOrigin", "Null"],
            ["Module", "ModuleError"],
            ["ConsumerRemaining", "Null"],
            ["NoProviders", "Null"],
            ["TooManyConsumers", "Null"],
            ["Token", "TokenErrorCurrent"],
            ["Arithmetic", "ArithmeticError"],
            ["Transactional", "TransactionalError"],
            ["Exhausted", "Null"],
            ["Corruption", "Null"],
            ["Unavailable", "Null"],
            ["RootNotAllowed", "Null"],
            ["Trie", "TrieError"],
        ],
    },
    "InvalidTransactionCurrent": {
        "type": "enum",
        "type_mapping": [
            ["Call", "Null"],
            ["Payment", "Null"],
            ["Future", "Null"],
            ["Stale", "Null"],
            ["BadProof", "Null"],
            ["AncientBirthBlock", "Null"],
            ["ExhaustsResources", "Null"],
            ["Custom", "u8"],
            ["BadMandatory", "Null"],
            ["MandatoryValidation", "Null"],
            ["BadSigner", "Null"],
            ["IndeterminateImplicit", "Null"],
            ["UnknownOrigin", "Null"],
        ],
    },
    "TransactionValidityErrorCurrent": {
        "type": "enum",
        "type_mapping": [
            ["Invalid", "InvalidTransactionCurrent"],
            ["Unknown", "UnknownTransaction"],
        ],
    },
    "ValidTransaction": {
        "type": "struct",
        "type_mapping": [
            ["priority", "TransactionPriority"],
            ["requires", "Vec<Vec<u8>>"],
            ["provides", "Vec<Vec<u8>>"],
            ["longevity", "u64"],
            ["propagate", "bool"],
        ],
    },
    "TransactionValidity": {
        "type": "enum",
        "type_mapping": [["Ok", "ValidTransaction"], ["Err", "TransactionValidityErrorCurrent"]],
    },
    "TransactionSource": {"type": "enum", "value_list": ["InBlock", "Local", "External"]},
    "DispatchOutcome": {
        "type": "enum",
        "type_mapping": [["Ok", "()"], ["Err", "DispatchErrorCurrent"]],
    },
    "ApplyExtrinsicResultCurrent": {
        "type": "enum",
        "type_mapping": [["Ok", "DispatchOutcome"], ["Err", "TransactionValidityErrorCurrent"]],
    },
    "WeightsPerClassCurrent": {
        "type": "struct",
        "type_mapping": [
            ["base_extrinsic", "WeightV2"],
            ["max_extrinsic", "Option<WeightV2>"],
            ["max_total", "Option<WeightV2>"],
            ["reserved", "Option<WeightV2>"],
        ],
    },
    "PerDispatchClassWeightsPerClass": {
        "type": "struct",
        "type_mapping": [
            ["normal", "WeightsPerClassCurrent"],
            ["operational", "WeightsPerClassCurrent"],
            ["mandatory", "WeightsPerClassCurrent"],
        ],
    },
    "BlockWeightsCurrent": {
        "type": "struct",
        "type_mapping": [
            ["base_block", "WeightV2"],
            ["max_block", "WeightV2"],
            ["per_class", "PerDispatchClassWeightsPerClass"],
        ],
    },
}


def _runtime_api_types(api: str) -> dict[str, Any]:
    types: dict[str, Any] = json.loads(CORE_JSON.read_text())["runtime_api"][api]["types"]
    return types


@pytest.fixture(scope="module")
def legacy() -> RuntimeConfigurationObject:
    """scalecodec with the core and legacy presets, ``Weight`` as SI sets it for WeightV2."""
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset("core"))
    rc.update_type_registry(load_type_registry_preset("legacy"))
    rc.update_type_registry_types({"Weight": "WeightV2", "Balance": "u128"})
    return rc


@pytest.fixture(scope="module")
def weight_v1() -> RuntimeConfigurationObject:
    """scalecodec with the core and legacy presets as they are (``Weight`` = u64)."""
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset("core"))
    rc.update_type_registry(load_type_registry_preset("legacy"))
    return rc


@pytest.fixture(scope="module")
def current() -> RuntimeConfigurationObject:
    """`legacy` plus the runtime API types SI uses and the current definitions above."""
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset("core"))
    rc.update_type_registry(load_type_registry_preset("legacy"))
    for api in ("TransactionPaymentApi", "BlockBuilder", "Core"):
        rc.update_type_registry_types(_runtime_api_types(api))
    rc.update_type_registry_types({"Weight": "WeightV2", "Balance": "u128", **CURRENT_TYPES})
    return rc


def sc_encode(rc: RuntimeConfigurationObject, type_string: str, value: Any) -> bytes:
    data = rc.create_scale_object(type_string).encode(value)
    return bytes(data.data)


def sc_decode(rc: RuntimeConfigurationObject, type_string: str, data: bytes) -> Any:
    obj = rc.create_scale_object(type_string, data=ScaleBytes(bytearray(data)))
    return obj.decode(check_remaining=True)


def agree(rc: RuntimeConfigurationObject, type_string: str, ours: Any, theirs: Any) -> None:
    """Our encoding equals scalecodec's, and each side decodes the other's bytes."""
    codec = codec_for(type(ours))
    data = codec.encode(ours)
    assert data == sc_encode(rc, type_string, theirs), type_string
    assert codec.decode(data) == ours
    assert sc_decode(rc, type_string, data) == sc_decode(
        rc, type_string, sc_encode(rc, type_string, theirs)
    )


def weight_json(w: Weight) -> dict[str, int]:
    return {"ref_time": int(w.ref_time), "proof_size": int(w.proof_size)}


weights = st.builds(Weight.from_parts, st.integers(0, U64_MAX), st.integers(0, U64_MAX))


# --- weights ---------------------------------------------------------------------------------


@ORACLE
@given(weights)
def test_weight_v2(legacy: RuntimeConfigurationObject, w: Weight) -> None:
    agree(legacy, "WeightV2", w, weight_json(w))
    assert sc_decode(legacy, "WeightV2", w.encode()) == weight_json(w)


@ORACLE
@given(weights, st.sampled_from(DispatchClass), st.sampled_from(Pays))
def test_dispatch_info(
    legacy: RuntimeConfigurationObject, w: Weight, dispatch_class: DispatchClass, pays: Pays
) -> None:
    info = DispatchInfo(w, dispatch_class, pays)
    theirs = {"weight": weight_json(w), "class": dispatch_class.name, "pays_fee": pays.name}
    agree(legacy, "DispatchInfo", info, theirs)


@ORACLE
@given(st.integers(0, U64_MAX), st.integers(0, U64_MAX))
def test_runtime_db_weight(weight_v1: RuntimeConfigurationObject, read: int, write: int) -> None:
    # The legacy preset's fields are `Weight`, which was u64 (WeightV1) when DbWeight had them.
    ours = RuntimeDbWeight(U64(read), U64(write))
    agree(weight_v1, "RuntimeDbWeight", ours, {"read": read, "write": write})


@ORACLE
@given(st.integers(0, (1 << 32) - 1), st.sampled_from([0, 1, 500_000_000, 750_000_000, 10**9]))
def test_block_length(legacy: RuntimeConfigurationObject, max_length: int, parts: int) -> None:
    length = BlockLength.max_with_normal_ratio(max_length, Perbill.from_parts(parts))
    theirs = {
        "max": {
            "normal": int(length.max.normal),
            "operational": max_length,
            "mandatory": max_length,
        }
    }
    agree(legacy, "BlockLength", length, theirs)


def test_block_weights(current: RuntimeConfigurationObject) -> None:
    bw = BlockWeights.with_sensible_defaults(
        Weight.from_parts(2 * 10**12, U64_MAX), Perbill.from_percent(75)
    )

    def per_class(limits: WeightsPerClass) -> dict[str, Any]:
        def opt(w: Weight | None) -> Any:
            return None if w is None else weight_json(w)

        return {
            "base_extrinsic": weight_json(limits.base_extrinsic),
            "max_extrinsic": opt(limits.max_extrinsic),
            "max_total": opt(limits.max_total),
            "reserved": opt(limits.reserved),
        }

    theirs = {
        "base_block": weight_json(bw.base_block),
        "max_block": weight_json(bw.max_block),
        "per_class": {
            name: per_class(getattr(bw.per_class, name))
            for name in ("normal", "operational", "mandatory")
        },
    }
    agree(current, "BlockWeightsCurrent", bw, theirs)


@ORACLE
@given(weights, st.sampled_from(DispatchClass), st.integers(0, (1 << 128) - 1))
def test_runtime_dispatch_info(
    current: RuntimeConfigurationObject, w: Weight, dispatch_class: DispatchClass, fee: int
) -> None:
    # The core preset's TransactionPaymentApi type: what SI's get_payment_info decodes.
    info = RuntimeDispatchInfo(w, dispatch_class, U128(fee))
    theirs = {"weight": weight_json(w), "class": dispatch_class.name, "partialFee": fee}
    agree(current, "RuntimeDispatchInfo", info, theirs)


@ORACLE
@given(st.none() | st.tuples(*[st.integers(0, (1 << 128) - 1)] * 3), st.integers(0, 10**30))
def test_fee_details(
    current: RuntimeConfigurationObject, parts: tuple[int, int, int] | None, tip: int
) -> None:
    inclusion = None if parts is None else InclusionFee(*(U128(p) for p in parts))
    details = FeeDetails(inclusion, U128(tip))
    theirs = {
        "inclusion_fee": None
        if parts is None
        else dict(zip(("base_fee", "len_fee", "adjusted_weight_fee"), parts, strict=True)),
        "tip": tip,
    }
    agree(current, "FeeDetails", details, theirs)


# --- dispatch errors -------------------------------------------------------------------------


def all_dispatch_errors() -> list[tuple[d.DispatchError, Any]]:
    cases: list[tuple[d.DispatchError, Any]] = [
        (d.Other(), "Other"),
        (d.CannotLookup(), "CannotLookup"),
        (d.BadOrigin(), "BadOrigin"),
        (d.module_error(7, 3), {"Module": {"index": 7, "error": "0x03000000"}}),
        (d.module_error(255, 1, b"\x02\x03"), {"Module": {"index": 255, "error": "0x01020300"}}),
        (d.ConsumerRemaining(), "ConsumerRemaining"),
        (d.NoProviders(), "NoProviders"),
        (d.TooManyConsumers(), "TooManyConsumers"),
        (d.Exhausted(), "Exhausted"),
        (d.Corruption(), "Corruption"),
        (d.Unavailable(), "Unavailable"),
        (d.RootNotAllowed(), "RootNotAllowed"),
    ]
    cases += [(d.Token(e), {"Token": e.name}) for e in d.TokenError]
    cases += [(d.Arithmetic(e), {"Arithmetic": e.name}) for e in d.ArithmeticError]
    cases += [(d.Transactional(e), {"Transactional": e.name}) for e in d.TransactionalError]
    cases += [(d.Trie(e), {"Trie": e.name}) for e in d.TrieError]
    return cases


@pytest.mark.parametrize(("ours", "theirs"), all_dispatch_errors())
def test_dispatch_error(
    current: RuntimeConfigurationObject, ours: d.DispatchError, theirs: Any
) -> None:
    data = encode(ours, d.DispatchError)
    assert data == sc_encode(current, "DispatchErrorCurrent", theirs)
    assert decode(d.DispatchError, data) == ours
    sc_decode(current, "DispatchErrorCurrent", data)


@pytest.mark.parametrize(
    "ours", [d.Other(), d.CannotLookup(), d.BadOrigin(), d.ConsumerRemaining(), d.NoProviders()]
)
def test_dispatch_error_legacy_prefix(
    legacy: RuntimeConfigurationObject, ours: d.DispatchError
) -> None:
    # Only these variants kept their index and layout since scalecodec's legacy definition.
    data = encode(ours, d.DispatchError)
    assert sc_decode(legacy, "DispatchError", data) == type(ours).__name__


def test_arithmetic_error_preset(legacy: RuntimeConfigurationObject) -> None:
    for member in d.ArithmeticError:
        assert encode(member) == sc_encode(legacy, "ArithmeticError", member.name)


def test_pays_and_dispatch_class_presets(legacy: RuntimeConfigurationObject) -> None:
    for pays in Pays:
        assert encode(pays) == sc_encode(legacy, "Pays", pays.name)
    for dispatch_class in DispatchClass:
        assert encode(dispatch_class) == sc_encode(legacy, "DispatchClass", dispatch_class.name)


# --- transaction validity --------------------------------------------------------------------

INVALID = [
    cls() for cls in tv.InvalidTransaction.variants().values() if cls is not tv.InvalidCustom
]


def invalid_json(reason: tv.InvalidTransaction) -> Any:
    if isinstance(reason, tv.InvalidCustom):
        return {"Custom": int(reason.code)}
    return type(reason).__name__


def unknown_json(reason: tv.UnknownTransaction) -> Any:
    if isinstance(reason, tv.UnknownCustom):
        return {"Custom": int(reason.code)}
    return type(reason).__name__


@pytest.mark.parametrize("reason", [*INVALID, tv.InvalidCustom(U8(0)), tv.InvalidCustom(U8(255))])
def test_invalid_transaction(
    current: RuntimeConfigurationObject, reason: tv.InvalidTransaction
) -> None:
    data = encode(reason, tv.InvalidTransaction)
    assert data == sc_encode(current, "InvalidTransactionCurrent", invalid_json(reason))
    assert decode(tv.InvalidTransaction, data) == reason
    error = tv.Invalid(reason)
    wire = encode(error, tv.TransactionValidityError)
    assert wire == sc_encode(
        current, "TransactionValidityErrorCurrent", {"Invalid": invalid_json(reason)}
    )
    if reason.INDEX <= 10:  # the core preset's BlockBuilder types stop at BadSigner
        name = invalid_json(reason)
        if name == "MandatoryValidation":  # the presets still use the variant's old name
            name = "MandatoryDispatch"
        assert sc_decode(current, "TransactionValidityError", wire) == {"Invalid": name}


@pytest.mark.parametrize(
    "reason", [tv.CannotLookup(), tv.NoUnsignedValidator(), tv.UnknownCustom(U8(42))]
)
def test_unknown_transaction(
    current: RuntimeConfigurationObject, reason: tv.UnknownTransaction
) -> None:
    wire = encode(tv.Unknown(reason), tv.TransactionValidityError)
    theirs = {"Unknown": unknown_json(reason)}
    assert wire == sc_encode(current, "TransactionValidityError", theirs)
    assert sc_decode(current, "TransactionValidityError", wire) == theirs
    assert decode(tv.TransactionValidityError, wire) == tv.Unknown(reason)


def test_invalid_transaction_legacy_preset(legacy: RuntimeConfigurationObject) -> None:
    for reason in INVALID:
        if reason.INDEX < 9:  # indices 0..8 (Custom aside) agree with the legacy names
            data = encode(reason, tv.InvalidTransaction)
            assert sc_decode(legacy, "InvalidTransaction", data) == type(reason).__name__
    # Index 9 was called MandatoryDispatch before it became MandatoryValidation.
    assert sc_decode(legacy, "InvalidTransaction", b"\x09") == "MandatoryDispatch"


tags = st.lists(st.binary(max_size=40), max_size=4).map(tuple)
valid_transactions = st.builds(
    tv.ValidTransaction,
    priority=st.integers(0, U64_MAX).map(U64),
    requires=tags,
    provides=tags,
    longevity=st.integers(0, U64_MAX).map(U64),
    propagate=st.booleans(),
)


def valid_json(v: tv.ValidTransaction) -> dict[str, Any]:
    return {
        "priority": int(v.priority),
        "requires": ["0x" + t.hex() for t in v.requires],
        "provides": ["0x" + t.hex() for t in v.provides],
        "longevity": int(v.longevity),
        "propagate": v.propagate,
    }


@ORACLE
@given(valid_transactions)
def test_valid_transaction(current: RuntimeConfigurationObject, valid: tv.ValidTransaction) -> None:
    agree(current, "ValidTransaction", valid, valid_json(valid))
    answer = encode(Ok(valid), tv.TransactionValidity)
    assert answer == sc_encode(current, "TransactionValidity", {"Ok": valid_json(valid)})
    assert decode(tv.TransactionValidity, answer) == Ok(valid)


def test_transaction_validity_err(current: RuntimeConfigurationObject) -> None:
    answer = encode(Err(tv.Invalid(tv.Stale())), tv.TransactionValidity)
    assert answer == bytes.fromhex("010003")
    assert answer == sc_encode(current, "TransactionValidity", {"Err": {"Invalid": "Stale"}})


def test_transaction_source(current: RuntimeConfigurationObject) -> None:
    for source in tv.TransactionSource:
        assert encode(source) == sc_encode(current, "TransactionSource", source.name)


def test_apply_extrinsic_result(current: RuntimeConfigurationObject) -> None:
    cases: list[tuple[Any, Any]] = [
        (Ok(Ok(())), {"Ok": {"Ok": ()}}),
        (
            Ok(Err(d.module_error(5, 2))),
            {"Ok": {"Err": {"Module": {"index": 5, "error": "0x02000000"}}}},
        ),
        (Ok(Err(d.BadOrigin())), {"Ok": {"Err": "BadOrigin"}}),
        (Err(tv.Invalid(tv.Payment())), {"Err": {"Invalid": "Payment"}}),
        (Err(tv.Unknown(tv.CannotLookup())), {"Err": {"Unknown": "CannotLookup"}}),
    ]
    for ours, theirs in cases:
        data = encode(ours, d.ApplyExtrinsicResult)
        assert data == sc_encode(current, "ApplyExtrinsicResultCurrent", theirs)
        assert decode(d.ApplyExtrinsicResult, data) == ours
    assert encode(Ok(Ok(())), d.ApplyExtrinsicResult) == b"\x00\x00"


# --- runtime version -------------------------------------------------------------------------


def version_json(v: RuntimeVersion, *, with_system: bool = True) -> dict[str, Any]:
    value: dict[str, Any] = {
        "spec_name": v.spec_name,
        "impl_name": v.impl_name,
        "authoring_version": int(v.authoring_version),
        "spec_version": int(v.spec_version),
        "impl_version": int(v.impl_version),
        "apis": [("0x" + ident.hex(), int(ver)) for ident, ver in v.apis],
        "transaction_version": int(v.transaction_version),
    }
    if with_system:
        value["state_version"] = int(v.system_version)
    return value


versions = st.builds(
    RuntimeVersion,
    spec_name=st.text(max_size=20),
    impl_name=st.text(max_size=20),
    authoring_version=st.integers(0, (1 << 32) - 1).map(U32),
    spec_version=st.integers(0, (1 << 32) - 1).map(U32),
    impl_version=st.integers(0, (1 << 32) - 1).map(U32),
    apis=st.lists(
        st.tuples(
            st.sampled_from(["Core", "Metadata", "BlockBuilder", "AuraApi"]).map(api_id),
            st.integers(0, 10).map(U32),
        ),
        max_size=5,
    ).map(tuple),
    transaction_version=st.integers(0, (1 << 32) - 1).map(U32),
    system_version=st.integers(0, 2).map(U8),
)


@ORACLE
@given(versions)
def test_runtime_version_core4(
    current: RuntimeConfigurationObject, version: RuntimeVersion
) -> None:
    # The core preset's `Core` runtime API type is the Core 4 layout (with `state_version`).
    data = version.encode()
    assert data == sc_encode(current, "RuntimeVersion", version_json(version))
    decoded = sc_decode(current, "RuntimeVersion", data)
    decoded["apis"] = [tuple(api) for api in decoded["apis"]]
    assert decoded == version_json(version)
    assert RuntimeVersion.decode_with_version_hint(data, 4) == version


@ORACLE
@given(versions)
def test_runtime_version_core3_legacy(
    legacy: RuntimeConfigurationObject, version: RuntimeVersion
) -> None:
    # The legacy preset's RuntimeVersion is the Core 3 layout: no system version.
    older = RuntimeVersion(
        spec_name=version.spec_name,
        impl_name=version.impl_name,
        authoring_version=version.authoring_version,
        spec_version=version.spec_version,
        impl_version=version.impl_version,
        apis=version.apis,
        transaction_version=version.transaction_version,
        system_version=U8(0),
    )
    data = sc_encode(legacy, "RuntimeVersion", version_json(older, with_system=False))
    assert RuntimeVersion.decode_with_version_hint(data, 3) == older
