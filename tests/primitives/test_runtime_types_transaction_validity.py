"""Transaction validity: variants, Substrate's messages, RPC errors, exceptions, combine_with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.primitives import transaction_validity as tv
from deepshard.primitives.codec import codec_for, decode, encode
from deepshard.primitives.numeric import U8, U64

U64_MAX = (1 << 64) - 1

# sp_runtime::transaction_validity: `From<InvalidTransaction> for &'static str`, by index.
INVALID_MESSAGES = {
    "Call": "Transaction call is not expected",
    "Payment": "Inability to pay some fees (e.g. account balance too low)",
    "Future": "Transaction will be valid in the future",
    "Stale": "Transaction is outdated",
    "BadProof": "Transaction has a bad signature",
    "AncientBirthBlock": "Transaction has an ancient birth block",
    "ExhaustsResources": "Transaction would exhaust the block limits",
    "Custom": "InvalidTransaction custom error",
    "BadMandatory": "A call was labelled as mandatory, but resulted in an Error.",
    "MandatoryValidation": "Transaction dispatch is mandatory; transactions must not be validated.",
    "BadSigner": "Invalid signing address",
    "IndeterminateImplicit": "The implicit data was unable to be calculated",
    "UnknownOrigin": "The transaction extension did not authorize any origin",
}
UNKNOWN_MESSAGES = {
    "CannotLookup": "Could not lookup information required to validate the transaction",
    "NoUnsignedValidator": "Could not find an unsigned validator for the unsigned transaction",
    "Custom": "UnknownTransaction custom error",
}


def make(cls: type) -> object:
    return cls(U8(1)) if cls in (tv.InvalidCustom, tv.UnknownCustom) else cls()


def test_invalid_transaction_variants_and_messages() -> None:
    info = tv.InvalidTransaction.type_info()
    assert [v.name for v in info.variants] == list(INVALID_MESSAGES)
    assert [v.index for v in info.variants] == list(range(13))
    for index, cls in tv.InvalidTransaction.variants().items():
        value = make(cls)
        assert isinstance(value, tv.InvalidTransaction)
        assert value.message == INVALID_MESSAGES[info.variants[index].name]
        assert encode(value, tv.InvalidTransaction)[0] == index


def test_unknown_transaction_variants_and_messages() -> None:
    info = tv.UnknownTransaction.type_info()
    assert [(v.name, v.index) for v in info.variants] == [
        ("CannotLookup", 0),
        ("NoUnsignedValidator", 1),
        ("Custom", 2),
    ]
    for index, cls in tv.UnknownTransaction.variants().items():
        value = make(cls)
        assert isinstance(value, tv.UnknownTransaction)
        assert value.message == UNKNOWN_MESSAGES[info.variants[index].name]


@pytest.mark.parametrize(
    ("declared", "path"),
    [
        (tv.InvalidTransaction, ("sp_runtime", "transaction_validity", "InvalidTransaction")),
        (tv.UnknownTransaction, ("sp_runtime", "transaction_validity", "UnknownTransaction")),
        (
            tv.TransactionValidityError,
            ("sp_runtime", "transaction_validity", "TransactionValidityError"),
        ),
        (tv.ValidTransaction, ("sp_runtime", "transaction_validity", "ValidTransaction")),
        (tv.TransactionSource, ("sp_runtime", "transaction_validity", "TransactionSource")),
    ],
)
def test_type_paths(declared: object, path: tuple[str, ...]) -> None:
    assert codec_for(declared).info.path == path


def test_wire() -> None:
    assert encode(tv.Invalid(tv.Payment()), tv.TransactionValidityError) == b"\x00\x01"
    assert (
        encode(tv.Invalid(tv.InvalidCustom(U8(7))), tv.TransactionValidityError) == b"\x00\x07\x07"
    )
    assert (
        encode(tv.Unknown(tv.UnknownCustom(U8(9))), tv.TransactionValidityError) == b"\x01\x02\x09"
    )
    assert decode(tv.TransactionValidityError, b"\x00\x04") == tv.Invalid(tv.BadProof())
    assert [int(s) for s in tv.TransactionSource] == [0, 1, 2]


def test_validity_error_helpers() -> None:
    assert tv.Invalid(tv.ExhaustsResources()).exhausted_resources()
    assert not tv.Invalid(tv.Payment()).exhausted_resources()
    assert not tv.Unknown(tv.CannotLookup()).exhausted_resources()
    assert tv.Invalid(tv.BadMandatory()).was_mandatory()
    assert not tv.Unknown(tv.CannotLookup()).was_mandatory()
    assert tv.Invalid(tv.Stale()).message == "Transaction is outdated"
    assert tv.Unknown(tv.NoUnsignedValidator()).message == UNKNOWN_MESSAGES["NoUnsignedValidator"]


def test_rpc_errors() -> None:
    # sc_rpc_api::author::error: 1010 with the &str message (or "Custom error: N"), 1011 with
    # the Debug form of the UnknownTransaction.
    assert tv.rpc_error(tv.Invalid(tv.BadProof())) == (
        1010,
        "Invalid Transaction",
        "Transaction has a bad signature",
    )
    assert tv.rpc_error(tv.Invalid(tv.InvalidCustom(U8(3)))) == (
        1010,
        "Invalid Transaction",
        "Custom error: 3",
    )
    assert tv.rpc_error(tv.Unknown(tv.CannotLookup())) == (
        1011,
        "Unknown Transaction Validity",
        "CannotLookup",
    )
    assert tv.rpc_error(tv.Unknown(tv.UnknownCustom(U8(4))))[2] == "Custom(4)"


def test_exceptions_carry_the_wire_value() -> None:
    with pytest.raises(tv.TransactionRejected) as info:
        raise tv.TransactionInvalid(tv.Payment())
    assert isinstance(info.value, tv.TransactionInvalid)
    assert info.value.error == tv.Invalid(tv.Payment())
    assert info.value.reason == tv.Payment()
    assert str(info.value) == INVALID_MESSAGES["Payment"]
    unknown = tv.TransactionUnknown(tv.CannotLookup())
    assert unknown.error == tv.Unknown(tv.CannotLookup())
    assert not isinstance(unknown, tv.TransactionInvalid)
    rebuilt = tv.TransactionRejected.of(tv.Invalid(tv.Stale()))
    assert isinstance(rebuilt, tv.TransactionInvalid)
    assert rebuilt.error == tv.Invalid(tv.Stale())
    assert isinstance(
        tv.TransactionRejected.of(tv.Unknown(tv.CannotLookup())), tv.TransactionUnknown
    )


# --- ValidTransaction ------------------------------------------------------------------------


def test_valid_transaction_default() -> None:
    valid = tv.ValidTransaction()
    assert (valid.priority, valid.requires, valid.provides) == (0, (), ())
    assert valid.longevity == U64_MAX
    assert valid.propagate is True
    assert valid.encode() == bytes(8) + b"\x00\x00" + b"\xff" * 8 + b"\x01"


tags = st.lists(st.binary(max_size=8), max_size=3).map(tuple)
valids = st.builds(
    tv.ValidTransaction,
    priority=st.integers(0, U64_MAX).map(U64),
    requires=tags,
    provides=tags,
    longevity=st.integers(0, U64_MAX).map(U64),
    propagate=st.booleans(),
)


@given(valids, valids)
def test_combine_with(a: tv.ValidTransaction, b: tv.ValidTransaction) -> None:
    combined = a.combine_with(b)
    assert combined.priority == min(int(a.priority) + int(b.priority), U64_MAX)
    assert combined.requires == a.requires + b.requires
    assert combined.provides == a.provides + b.provides
    assert combined.longevity == min(a.longevity, b.longevity)
    assert combined.propagate == (a.propagate and b.propagate)
    assert type(combined.priority) is U64
    assert tv.ValidTransaction.decode(combined.encode()) == combined


@given(valids, valids, valids)
def test_combine_with_is_associative_and_has_identity(
    a: tv.ValidTransaction, b: tv.ValidTransaction, c: tv.ValidTransaction
) -> None:
    assert a.combine_with(b).combine_with(c) == a.combine_with(b.combine_with(c))
    identity = tv.ValidTransaction()
    assert identity.combine_with(a) == a
    assert a.combine_with(identity) == a
