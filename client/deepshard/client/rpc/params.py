"""Typed parameters: how each method's JSON params become Python values.

A method declares its parameters as a tuple of `Param` (name, parser, optional); `bind`
applies them to the request's ``params`` -- a JSON array (positional), an object (by name)
or absent/null (no params) -- and raises -32602 ``Invalid params`` naming the parameter and
the problem. As with jsonrpsee, trailing optional parameters may be left out or null, and
trailing nulls beyond the declared parameters are ignored.

Parsers follow the serde forms Substrate accepts: bytes and hashes as hex with or without
``0x`` (``impl-serde``), numbers as JSON integers, block numbers as a number or a hex string
(``NumberOrHex``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from deepshard.client.rpc.errors import invalid_params
from deepshard.primitives.codec import H256

__all__ = [
    "Parser",
    "Param",
    "ParamError",
    "bind",
    "hex_bytes",
    "h256",
    "u32",
    "text",
    "boolean",
    "number_or_hex",
    "list_of",
    "list_or_value",
    "any_json",
]

T = TypeVar("T")
Parser = Callable[[Any], Any]
"""Turns one JSON value into a Python value, or raises `ParamError`."""

U32_MAX: Final = 2**32 - 1
U256_MAX: Final = 2**256 - 1


class ParamError(ValueError):
    """A parameter value has the wrong type or form (becomes -32602)."""


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter of a method."""

    name: str
    """Its name (for by-name params and error messages)."""
    parse: Parser
    """Turns the JSON value into the handler's argument."""
    optional: bool = False
    """Whether it may be missing or null (the handler then gets None)."""


def bind(params: Sequence[Param], raw: Any) -> list[Any]:
    """Return the handler arguments for the request params `raw`.

    Raises:
        RpcError: -32602 with the parameter and the reason as ``data``.
    """
    if raw is None:
        values: list[Any] = []
    elif isinstance(raw, list):
        values = list(raw)
        while len(values) > len(params) and values[-1] is None:
            values.pop()
        if len(values) > len(params):
            raise invalid_params(
                f"expected at most {len(params)} parameters, got {len(raw)}"
            ) from None
    elif isinstance(raw, dict):
        unknown = sorted(set(raw) - {p.name for p in params})
        if unknown:
            raise invalid_params(f"unknown parameter(s): {', '.join(unknown)}")
        values = [raw.get(p.name) for p in params]
    else:
        raise invalid_params("params must be an array or an object")
    arguments: list[Any] = []
    for index, param in enumerate(params):
        value = values[index] if index < len(values) else None
        if value is None:
            if not param.optional:
                raise invalid_params(f"missing required parameter {index} ({param.name})")
            arguments.append(None)
            continue
        try:
            arguments.append(param.parse(value))
        except ParamError as error:
            raise invalid_params(f"parameter {index} ({param.name}): {error}") from None
    return arguments


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def hex_bytes(value: Any) -> bytes:
    """Bytes as hex, ``0x``-prefixed or not (``sp_core::Bytes``)."""
    if not isinstance(value, str):
        raise ParamError(f"expected a hex string, got {_describe(value)}")
    digits = value[2:] if value[:2] in ("0x", "0X") else value
    if len(digits) % 2:
        raise ParamError("hex string has an odd number of digits")
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise ParamError(f"not a hex string: {_describe(value)}") from None


def h256(value: Any) -> H256:
    """A 32-byte hash as hex (``H256``)."""
    data = hex_bytes(value)
    if len(data) != 32:
        raise ParamError(f"expected a 32-byte hash, got {len(data)} bytes")
    return H256(data)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"expected an integer, got {_describe(value)}")
    return value


def u32(value: Any) -> int:
    """An unsigned 32-bit JSON integer."""
    number = _integer(value)
    if not 0 <= number <= U32_MAX:
        raise ParamError(f"{number} is outside u32")
    return number


def text(value: Any) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise ParamError(f"expected a string, got {_describe(value)}")
    return value


def boolean(value: Any) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise ParamError(f"expected a boolean, got {_describe(value)}")
    return value


def number_or_hex(value: Any) -> int:
    """A non-negative number given as a JSON integer or a ``0x`` hex string (``NumberOrHex``)."""
    if isinstance(value, str):
        if value[:2] not in ("0x", "0X") or len(value) == 2:
            raise ParamError(f"expected a number or 0x-prefixed hex, got {_describe(value)}")
        try:
            number = int(value[2:], 16)
        except ValueError:
            raise ParamError(f"not a hex number: {_describe(value)}") from None
    else:
        number = _integer(value)
    if not 0 <= number <= U256_MAX:
        raise ParamError(f"{number} is outside U256")
    return number


def list_of(parser: Parser, *, max_len: int | None = None) -> Parser:
    """A JSON array whose items `parser` reads."""

    def parse(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise ParamError(f"expected an array, got {_describe(value)}")
        if max_len is not None and len(value) > max_len:
            raise ParamError(f"at most {max_len} items, got {len(value)}")
        items = []
        for index, item in enumerate(value):
            try:
                items.append(parser(item))
            except ParamError as error:
                raise ParamError(f"item {index}: {error}") from None
        return items

    return parse


def list_or_value(parser: Parser) -> Parser:
    """One value or an array of them (``ListOrValue``): returns ``(is_list, value(s))``."""
    items = list_of(parser)

    def parse(value: Any) -> tuple[bool, Any]:
        if isinstance(value, list):
            return True, items(value)
        return False, parser(value)

    return parse


def any_json(value: Any) -> Any:
    """Any JSON value, unchanged."""
    return value
