"""Secret URIs and junctions: sp-core's `AddressUri` grammar and `DeriveJunction` chain codes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from substrateinterface.key import DeriveJunction as SiDeriveJunction

from deepshard.primitives.codec import encode_compact
from deepshard.primitives.crypto import (
    DEV_PHRASE,
    DerivationError,
    DeriveJunction,
    InvalidSecretUri,
    InvalidSeed,
    parse_derivation_path,
    parse_secret_uri,
)
from deepshard.primitives.crypto.suri import seed_from_phrase_or_hex
from deepshard.primitives.hashing import blake2_256

H = DeriveJunction.hard
S = DeriveJunction.soft


def _parts(text: str) -> tuple[str, str | None, tuple[DeriveJunction, ...]]:
    uri = parse_secret_uri(text)
    return uri.phrase, uri.password, uri.junctions


# The cases of sp-core `address_uri.rs` tests and `crypto.rs` `interpret_std_secret_string`.
@pytest.mark.parametrize(
    ("text", "phrase", "password", "junctions"),
    [
        ("///", DEV_PHRASE, "", ()),
        ("////////", DEV_PHRASE, "/////", ()),
        ("sdasd///asda", "sdasd", "asda", ()),
        ("sdasd//asda", "sdasd", None, (H("asda"),)),
        ("sdasd//a", "sdasd", None, (H("a"),)),
        ("sdasd/xx//asda", "sdasd", None, (S("xx"), H("asda"))),
        ("sdasd/xx//a/b//c///pass", "sdasd", "pass", (S("xx"), H("a"), S("b"), H("c"))),
        ("sdasd/asd.a", "sdasd", None, (S("asd.a"),)),
        ("sdasd//asd.a", "sdasd", None, (H("asd.a"),)),
        ("sdasd", "sdasd", None, ()),
        ("", DEV_PHRASE, None, ()),
        ("hello world/1", "hello world", None, (S(1),)),
        ("hello world/DOT", "hello world", None, (S("DOT"),)),
        ("hello world//1/DOT///password", "hello world", "password", (H(1), S("DOT"))),
        ("hello world/1//DOT///password", "hello world", "password", (S(1), H("DOT"))),
        ("//Alice", DEV_PHRASE, None, (H("Alice"),)),
        ("//Alice///SECRET_PASSWORD", DEV_PHRASE, "SECRET_PASSWORD", (H("Alice"),)),
        ("//Alice///a//b/c", DEV_PHRASE, "a//b/c", (H("Alice"),)),
        ("0xe5be//Alice", "0xe5be", None, (H("Alice"),)),
    ],
)
def test_parse_like_sp_core(
    text: str, phrase: str, password: str | None, junctions: tuple[DeriveJunction, ...]
) -> None:
    assert _parts(text) == (phrase, password, junctions)


def test_long_names_are_hashed_and_numbers_are_u64() -> None:
    long_name = "0123456789012345678901234567890123456789"
    encoded = encode_compact(len(long_name)) + long_name.encode()
    assert _parts(f"x/{long_name}")[2] == (DeriveJunction(blake2_256(encoded), is_hard=False),)
    assert S(1).chain_code == b"\x01" + bytes(31)
    assert H("Alice").chain_code == b"\x14Alice" + bytes(26)
    assert DeriveJunction.from_segment("/Alice") == H("Alice")


@pytest.mark.parametrize(
    ("segment", "value"),
    [
        ("0", 0),
        ("007", 7),  # leading zeros are allowed, as in Rust's str::parse::<u64>
        ("+5", 5),  # so is a leading plus
        ("18446744073709551615", 2**64 - 1),
        ("18446744073709551616", "18446744073709551616"),  # above u64: a string
        ("-1", "-1"),
        ("+", "+"),
        ("١٢", "١٢"),  # non-ASCII digits: a string
        ("0x10", "0x10"),
    ],
)
def test_numeric_junctions_follow_rust_u64_parsing(segment: str, value: int | str) -> None:
    assert DeriveJunction.from_segment(segment) == S(value)
    assert DeriveJunction.from_segment("/" + segment) == H(value)


names = st.text(st.characters(exclude_characters="/", exclude_categories=["Cs"]), min_size=1)


@given(st.one_of(names.filter(lambda n: not n.isnumeric()), st.integers(0, 2**64 - 1).map(str)))
def test_chain_codes_agree_with_substrate_interface(name: str) -> None:
    ours = DeriveJunction.from_segment(name)
    theirs = SiDeriveJunction.from_derive_path(name)
    assert ours.chain_code == theirs.chain_code


def test_bytes_and_str_junctions_encode_alike() -> None:
    assert S(b"abc") == S("abc")


def test_parse_derivation_path() -> None:
    assert parse_derivation_path("//polkadot//0/1") == (H("polkadot"), H(0), S(1))
    assert parse_derivation_path("") == ()


def test_secrets_stay_out_of_repr() -> None:
    uri = parse_secret_uri(f"{DEV_PHRASE}//Alice///hunter2")
    text = repr(uri)
    assert "bottom" not in text
    assert "hunter2" not in text
    assert "hard" in text


def test_hex_seeds() -> None:
    seed = bytes(range(32))
    assert seed_from_phrase_or_hex("0x" + seed.hex()) == seed
    assert seed_from_phrase_or_hex("0x" + seed.hex().upper(), "ignored password") == seed
    # array_bytes::hex2bytes strips a second 0x, so sp-core accepts this too.
    assert seed_from_phrase_or_hex("0x0x" + seed.hex()) == seed


# --- one test per typed error --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sdasd//", "empty hard junction at position 5"),
        ("sdasd/xx//", "empty hard junction"),
        ("sdasd/", "empty soft junction at position 5"),
        ("sd.asd", "invalid character in the phrase at position 2"),
        ("sd.asd/asd.a", "invalid character in the phrase"),
        ("///\n", "invalid character in the password"),
        ("///a\n", "invalid character in the password"),
        ("sd.asd///asd.a\n", "invalid character in the phrase"),
        ("hello\tworld", "invalid character in the phrase"),
    ],
)
def test_invalid_secret_uri(text: str, message: str) -> None:
    with pytest.raises(InvalidSecretUri, match=message):
        parse_secret_uri(text)


def test_invalid_derivation_path() -> None:
    with pytest.raises(InvalidSecretUri, match="junctions only"):
        parse_derivation_path("phrase//x")
    with pytest.raises(InvalidSecretUri, match="junctions only"):
        parse_derivation_path("//x///password")


@pytest.mark.parametrize(
    "text", ["0x", "0x123", "0x" + "ab" * 31, "0x" + "ab" * 33, "0x" + "zz" * 32]
)
def test_invalid_seed(text: str) -> None:
    with pytest.raises(InvalidSeed):
        parse_secret_uri(text + "//x").root_seed()


def test_derivation_error() -> None:
    with pytest.raises(DerivationError, match="u64"):
        S(2**64)
    with pytest.raises(DerivationError, match="u64"):
        H(-1)
    with pytest.raises(DerivationError, match="32 bytes"):
        DeriveJunction(b"short", is_hard=True)


# sp-core checks its hand-written parser against this regex (`address_uri.rs` tests).
SP_CORE_REGEX = re.compile(r"(?P<phrase>[a-zA-Z0-9 ]+)?(?P<path>(//?[^/]+)*)(///(?P<password>.*))?")


@given(st.text(st.sampled_from("ab0 /\n.x"), max_size=14))
def test_parser_agrees_with_the_sp_core_regex(text: str) -> None:
    match = SP_CORE_REGEX.fullmatch(text)
    try:
        phrase, password, junctions = _parts(text)
    except InvalidSecretUri:
        assert match is None, text
        return
    assert match is not None, text
    assert phrase == (match["phrase"] or DEV_PHRASE)
    assert password == match["password"]
    segments = re.findall(r"/(/?[^/]+)", match["path"])
    assert junctions == tuple(DeriveJunction.from_segment(s) for s in segments)
