"""`Balance`: DSH parsed with Decimal into units, checked against a reference written with ints."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.client.wallet.balance import UNIT, Balance
from deepshard.client.wallet.errors import InvalidAmount


def reference_parse(text: str) -> int:
    """Split at the dot and scale the digits with integers only."""
    whole, _, frac = text.partition(".")
    assert len(frac) <= 12
    return int(whole or "0") * UNIT + int((frac + "0" * 12)[:12] or "0")


@given(st.integers(min_value=0, max_value=10**18), st.integers(min_value=0, max_value=UNIT - 1))
def test_parse_matches_the_integer_reference(whole: int, frac: int) -> None:
    text = f"{whole}.{frac:012d}".rstrip("0").rstrip(".")
    assert Balance.parse(text).planck == reference_parse(text) == whole * UNIT + frac


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_figure_parses_back(planck: int) -> None:
    assert Balance.parse(Balance(planck).figure()).planck == planck


@pytest.mark.parametrize(
    ("text", "planck"),
    [
        ("1", UNIT),
        ("1.5", 3 * UNIT // 2),
        ("0.000000000001", 1),
        ("1_000", 1000 * UNIT),
        ("2 DSH", 2 * UNIT),
        (" 3.25dsh ", 3_250_000_000_000),
        ("0.1", 100_000_000_000),  # a float would be 0.1000000000000000055...
        (".5", UNIT // 2),
    ],
)
def test_parse(text: str, planck: int) -> None:
    assert Balance.parse(text).planck == planck


@pytest.mark.parametrize(
    "text",
    ["", "-1", "1e3", "1.0000000000001", "abc", "1.2.3", "nan", "inf", "0x10", str(2**128)],
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Balance.parse(text)


def test_str_and_arithmetic() -> None:
    assert str(Balance(1_234_567 * UNIT + 5 * 10**11)) == "1,234,567.5 DSH"
    assert str(Balance(0)) == "0 DSH"
    assert Balance(5) + Balance(7) == Balance(12)
    assert Balance(5).saturating_sub(Balance(7)) == Balance(0)
    assert Balance(3 * UNIT).dsh == 3
    with pytest.raises(InvalidAmount):
        Balance(-1)
    with pytest.raises(InvalidAmount):
        Balance(1.5)  # type: ignore[arg-type]
