"""`Balance`: an amount of DSH as an int of its smallest unit, parsed with `Decimal`.

One DSH is ``10**12`` units. User input is parsed with `Decimal` (never a float), so
``Balance.parse("0.000000000001")`` is exactly one unit and ``"1e-13"`` is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from typing import Final

from deepshard.client.wallet.errors import InvalidAmount

__all__ = ["DECIMALS", "SYMBOL", "UNIT", "Balance"]

DECIMALS: Final = 12
"""Decimal places of DSH (the chain's ``tokenDecimals``)."""
SYMBOL: Final = "DSH"
"""The token's symbol (the chain's ``tokenSymbol``)."""
UNIT: Final = 10**DECIMALS
"""Smallest units in one DSH."""
_MAX: Final = 2**128 - 1
_EXACT: Final = Context(prec=80, Emax=200, Emin=-200)
"""Enough digits for any u128 with 12 decimals (the default context keeps only 28)."""


@dataclass(frozen=True, slots=True, order=True)
class Balance:
    """An amount of DSH, held as a count of the smallest unit (``planck``)."""

    planck: int
    """The amount in the smallest unit."""

    def __post_init__(self) -> None:
        if not isinstance(self.planck, int) or isinstance(self.planck, bool):
            raise InvalidAmount(f"a balance is an int of units, got {self.planck!r}")
        if not 0 <= self.planck <= _MAX:
            raise InvalidAmount(f"{self.planck} units is outside 0..2^128-1")

    @classmethod
    def parse(cls, text: str) -> Balance:
        """Parse a DSH figure (``"1.5"``, ``"1_000"``, ``"0.000000000001"``, ``"2 DSH"``).

        Raises:
            InvalidAmount: not a plain decimal, negative, more than 12 decimals, or too large.
        """
        cleaned = text.strip().replace("_", "").replace(",", "")
        if cleaned.upper().endswith(SYMBOL):
            cleaned = cleaned[: -len(SYMBOL)].strip()
        if not cleaned or any(c not in "0123456789." for c in cleaned) or cleaned.count(".") > 1:
            raise InvalidAmount(f"{text!r} is not an amount of {SYMBOL} (write e.g. 1.5)")
        if len(cleaned) > 60:
            raise InvalidAmount(f"{text!r} is too long")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise InvalidAmount(f"{text!r} is not an amount of {SYMBOL}") from None
        scaled = value.scaleb(DECIMALS, _EXACT)
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(f"{text!r} has more than {DECIMALS} decimals")
        planck = int(scaled)
        if planck > _MAX:
            raise InvalidAmount(f"{text!r} is too large")
        return cls(planck)

    @property
    def dsh(self) -> Decimal:
        """The amount in DSH, exactly."""
        return Decimal(self.planck).scaleb(-DECIMALS, _EXACT)

    def figure(self) -> str:
        """The amount in DSH without trailing zeros (``"1.5"``, ``"0"``)."""
        whole, frac = divmod(self.planck, UNIT)
        text = f"{frac:0{DECIMALS}d}".rstrip("0")
        return f"{whole:,}" + (f".{text}" if text else "")

    def __str__(self) -> str:
        return f"{self.figure()} {SYMBOL}"

    def __add__(self, other: Balance) -> Balance:
        return Balance(self.planck + other.planck)

    def saturating_sub(self, other: Balance) -> Balance:
        """``self - other``, or zero when `other` is larger."""
        return Balance(max(0, self.planck - other.planck))
