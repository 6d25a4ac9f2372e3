"""DispatchError and its inner enums: indices, paths, messages and the wire vectors."""

from __future__ import annotations

import pytest

from deepshard.primitives import dispatch as d
from deepshard.primitives.codec import Err, InvalidVariant, Ok, codec_for, decode, encode
from deepshard.primitives.transaction_validity import Invalid, Payment, TransactionValidityError

# polkadot-sdk sp_runtime::DispatchError, in index order.
DISPATCH_ERROR_VARIANTS = [
    "Other",
    "CannotLookup",
    "BadOrigin",
    "Module",
    "ConsumerRemaining",
    "NoProviders",
    "TooManyConsumers",
    "Token",
    "Arithmetic",
    "Transactional",
    "Exhausted",
    "Corruption",
    "Unavailable",
    "RootNotAllowed",
    "Trie",
]


def test_variant_indices_and_names() -> None:
    info = d.DispatchError.type_info()
    assert [(v.name, v.index) for v in info.variants] == [
        (name, index) for index, name in enumerate(DISPATCH_ERROR_VARIANTS)
    ]
    module = next(v for v in info.variants if v.name == "Module")
    (field,) = module.fields
    assert field.name is None
    assert field.type is d.ModuleError.type_info()


@pytest.mark.parametrize(
    ("declared", "path"),
    [
        (d.DispatchError, ("sp_runtime", "DispatchError")),
        (d.ModuleError, ("sp_runtime", "ModuleError")),
        (d.TokenError, ("sp_runtime", "TokenError")),
        (d.ArithmeticError, ("sp_arithmetic", "ArithmeticError")),
        (d.TransactionalError, ("sp_runtime", "TransactionalError")),
        (d.TrieError, ("sp_runtime", "proving_trie", "TrieError")),
    ],
)
def test_type_paths(declared: object, path: tuple[str, ...]) -> None:
    assert codec_for(declared).info.path == path


def test_inner_enum_indices() -> None:
    assert [m.name for m in d.TokenError] == [
        "FundsUnavailable",
        "OnlyProvider",
        "BelowMinimum",
        "CannotCreate",
        "UnknownAsset",
        "Frozen",
        "Unsupported",
        "CannotCreateHold",
        "NotExpendable",
        "Blocked",
    ]
    assert [m.value for m in d.TokenError] == list(range(10))
    assert [m.name for m in d.ArithmeticError] == ["Underflow", "Overflow", "DivisionByZero"]
    assert [m.name for m in d.TransactionalError] == ["LimitReached", "NoLayer"]
    assert [m.value for m in d.TrieError] == list(range(14))
    assert d.TrieError(13) is d.TrieError.DecodeError


def test_other_encodes_as_its_index_only() -> None:
    # Rust's `Other(#[codec(skip)] &'static str)`: the message never reaches the wire.
    assert encode(d.Other(), d.DispatchError) == b"\x00"
    assert decode(d.DispatchError, b"\x00") == d.Other()
    assert d.Other.type_info().variants[0].fields == ()


def test_module_error() -> None:
    error = d.module_error(5, 2)
    assert encode(error, d.DispatchError) == bytes.fromhex("030502000000")
    assert error.error.error_index == 2
    assert d.module_error(1, 0, b"\x07").error.error == b"\x00\x07\x00\x00"
    with pytest.raises(ValueError, match="at most 4 bytes"):
        d.module_error(1, 0, b"\x01\x02\x03\x04")
    assert decode(d.DispatchError, bytes.fromhex("030502000000")) == error


@pytest.mark.parametrize(
    ("error", "wire"),
    [
        (d.BadOrigin(), "02"),
        (d.TooManyConsumers(), "06"),
        (d.Token(d.TokenError.FundsUnavailable), "0700"),
        (d.Token(d.TokenError.Blocked), "0709"),
        (d.Arithmetic(d.ArithmeticError.Overflow), "0801"),
        (d.Transactional(d.TransactionalError.NoLayer), "0901"),
        (d.RootNotAllowed(), "0d"),
        (d.Trie(d.TrieError.RootMismatch), "0e0c"),
    ],
)
def test_wire(error: d.DispatchError, wire: str) -> None:
    assert encode(error, d.DispatchError) == bytes.fromhex(wire)
    assert decode(d.DispatchError, bytes.fromhex(wire)) == error


def test_unknown_indices_are_refused() -> None:
    with pytest.raises(InvalidVariant):
        decode(d.DispatchError, b"\x0f")
    with pytest.raises(InvalidVariant):
        decode(d.DispatchError, b"\x07\x0a")  # TokenError has 10 variants


def test_messages() -> None:
    # sp_runtime's `From<DispatchError> for &'static str` (and the inner enums').
    assert d.BadOrigin().message == "Bad origin"
    assert d.CannotLookup().message == "Cannot lookup"
    assert d.module_error(1, 1).message == "Unknown module error"
    assert d.Exhausted().message == "Resources exhausted"
    assert d.Corruption().message == "State corrupt"
    assert d.Token(d.TokenError.Frozen).message == "Funds exist but are frozen"
    assert d.Token(d.TokenError.OnlyProvider).message == "Account that must exist would die"
    assert d.Arithmetic(d.ArithmeticError.Underflow).message == "An underflow would occur"
    assert d.Arithmetic(d.ArithmeticError.DivisionByZero).message == "Division by zero"
    assert (
        d.Transactional(d.TransactionalError.LimitReached).message
        == "Too many transactional layers have been spawned"
    )
    assert d.Trie(d.TrieError.IncompleteProof).message == "The proof is incomplete."
    for member in d.TokenError:
        assert member.message
    for variant in d.DispatchError.variants().values():
        if not variant.type_info().variants[0].fields:
            assert variant().message


def test_apply_extrinsic_result() -> None:
    assert encode(Ok(Ok(())), d.ApplyExtrinsicResult) == b"\x00\x00"
    failed = Ok(Err(d.module_error(3, 1)))
    assert encode(failed, d.ApplyExtrinsicResult) == bytes.fromhex("0001030301000000")
    rejected: Err[TransactionValidityError] = Err(Invalid(Payment()))
    assert encode(rejected, d.ApplyExtrinsicResult) == bytes.fromhex("010001")
    assert decode(d.ApplyExtrinsicResult, bytes.fromhex("010001")) == rejected
    assert decode(d.DispatchOutcome, b"\x00") == Ok(())
