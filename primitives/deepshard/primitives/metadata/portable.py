"""Codecs for the types of a portable registry: SCALE values driven by metadata alone.

Introduction
------------
A client that knows a runtime only through its metadata must encode and decode values whose
types it learns at run time. `PortableCodecs` turns each type id of a `PortableRegistry` into a
`PortableCodec` (built once per id, recursion included) whose values are plain Python data:

=============================================== ===========================================
type (scale-info)                               value
=============================================== ===========================================
bool, str, char, integers, ``Compact<T>``       ``bool``, ``str``, ``int``
``Vec<u8>``, ``[u8; N]``                        ``bytes`` (hex strings accepted when encoding)
``sp_core::crypto::AccountId32``                `AccountId32` (SS58 strings accepted)
other sequences and arrays                      ``list``
tuples                                          ``tuple`` (``()`` for the unit type)
composite with named fields                     ``dict`` field name -> value
composite with one unnamed field                the field's value (a newtype is transparent)
composite with several unnamed fields           ``tuple``
``Option<T>``                                   ``None`` or the value
``sp_runtime::generic::era::Era``               `Era`
other enums                                     ``"Name"`` for a unit variant, else
                                                ``{"Name": value}`` (value shaped like a
                                                composite's fields)
=============================================== ===========================================

These are the shapes scalecodec's ``.value`` uses (except that bytes stay bytes), so values
round-trip between the two libraries after a mechanical normalisation. Encoding also takes any
object with an ``encoded`` attribute of type ``bytes`` as its own encoding (a composed call
nested in ``Utility.batch``), and a bare account for a ``MultiAddress`` (the ``Id`` variant).

Each codec is a pair of closures (``decode(data, pos) -> (value, pos)`` and
``encode(value, out)``); decoding is strict (`decode` refuses trailing bytes) and every failure
is a `DecodeError` / `EncodeError` of the codec package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from deepshard.primitives.codec import (
    AccountId32,
    EncodeError,
    InvalidBool,
    InvalidOption,
    InvalidUtf8,
    InvalidVariant,
    OutOfRange,
    TooDeep,
    TrailingBytes,
    Truncated,
    decode_compact,
    encode_compact,
)
from deepshard.primitives.crypto import decode_account_id
from deepshard.primitives.extrinsic import Era
from deepshard.primitives.metadata.errors import UnsupportedType
from deepshard.primitives.metadata.model import (
    PortableRegistry,
    Type,
    TypeDefArray,
    TypeDefBitSequence,
    TypeDefCompact,
    TypeDefComposite,
    TypeDefPrimitive,
    TypeDefPrimitiveType,
    TypeDefSequence,
    TypeDefTuple,
    TypeDefVariant,
)

__all__ = ["Decoder", "Encoder", "PortableCodec", "PortableCodecs", "type_label"]

Decoder = Callable[[bytes, int], tuple[Any, int]]
"""``decode(data, pos) -> (value, next_pos)``."""
Encoder = Callable[[Any, bytearray], None]
"""``encode(value, out)`` appends the encoding of `value` to `out`."""

_ACCOUNT_ID_PATH: Final = ("sp_core", "crypto", "AccountId32")
_ERA_PATH: Final = ("sp_runtime", "generic", "era", "Era")
_MULTI_ADDRESS_PATH: Final = ("sp_runtime", "multiaddress", "MultiAddress")
_MAX_DEPTH: Final = 256
_MAX_LENGTH: Final = (1 << 32) - 1
_MAX_EMPTY_ITEMS: Final = 1 << 16
"""More items than bytes left is refused above this count (zero-sized items are rare)."""

_INT_WIDTHS: Final = {
    TypeDefPrimitive.U8: (1, False),
    TypeDefPrimitive.U16: (2, False),
    TypeDefPrimitive.U32: (4, False),
    TypeDefPrimitive.U64: (8, False),
    TypeDefPrimitive.U128: (16, False),
    TypeDefPrimitive.U256: (32, False),
    TypeDefPrimitive.I8: (1, True),
    TypeDefPrimitive.I16: (2, True),
    TypeDefPrimitive.I32: (4, True),
    TypeDefPrimitive.I64: (8, True),
    TypeDefPrimitive.I128: (16, True),
    TypeDefPrimitive.I256: (32, True),
}


@dataclass(frozen=True, slots=True)
class PortableCodec:
    """The codec of one registry type."""

    type_id: int
    """The type's id in the registry."""
    label: str
    """A readable name of the type, for messages."""
    decode_at: Decoder
    """``decode_at(data, pos) -> (value, next_pos)``."""
    encode_into: Encoder
    """``encode_into(value, out)`` appends the encoding of `value`."""

    def decode(self, data: bytes | bytearray | memoryview) -> Any:
        """Decode exactly `data` (no trailing bytes).

        Raises:
            DecodeError: the bytes are not a value of this type, or bytes are left over.
        """
        raw = bytes(data)
        value, pos = self.decode_at(raw, 0)
        if pos != len(raw):
            raise TrailingBytes(f"{len(raw) - pos} bytes left after decoding {self.label}", pos)
        return value

    def encode(self, value: Any) -> bytes:
        """Return the encoding of `value`.

        Raises:
            EncodeError: `value` does not fit the type (the message names the place).
        """
        out = bytearray()
        self.encode_into(value, out)
        return bytes(out)


def type_label(ty: Type, type_id: int) -> str:
    """Return ``path::Name`` of a type, or ``#id`` for an anonymous one."""
    return "::".join(ty.path) if ty.path else f"#{type_id}"


class PortableCodecs:
    """Lazily built codecs for every type of one registry (thread-compatible, not shared)."""

    def __init__(self, registry: PortableRegistry) -> None:
        """Prepare codecs for `registry`; each is built on first use."""
        self.registry = registry
        self._codecs: dict[int, PortableCodec] = {}
        self._decoders: dict[int, Decoder] = {}
        self._encoders: dict[int, Encoder] = {}
        self._depth = 0

    def codec(self, type_id: int) -> PortableCodec:
        """Return the codec of type `type_id`.

        Raises:
            UnknownType: the registry has no such id.
            UnsupportedType: the type is a bit sequence (never produced by FRAME runtimes'
                standard pallets and not supported here).
        """
        found = self._codecs.get(type_id)
        if found is None:
            ty = self.registry.get(type_id)
            found = PortableCodec(
                type_id, type_label(ty, type_id), self.decoder(type_id), self.encoder(type_id)
            )
            self._codecs[type_id] = found
        return found

    def type(self, type_id: int) -> Type:
        """Return the registry type `type_id` (see `PortableRegistry.get`)."""
        return self.registry.get(type_id)

    # --- decoders --------------------------------------------------------------------------

    def decoder(self, type_id: int) -> Decoder:
        """Return the decoding closure of `type_id` (built once; recursion is resolved late)."""
        found = self._decoders.get(type_id)
        if found is not None:
            return found
        cell: list[Decoder] = []
        depth = self

        def forward(data: bytes, pos: int) -> tuple[Any, int]:
            depth._depth += 1
            try:
                if depth._depth > _MAX_DEPTH:
                    raise TooDeep(f"values nest deeper than {_MAX_DEPTH} levels", pos)
                return cell[0](data, pos)
            finally:
                depth._depth -= 1

        self._decoders[type_id] = forward
        built = self._build_decoder(type_id)
        cell.append(built)
        self._decoders[type_id] = built if not self._refers_to_itself(type_id) else forward
        return self._decoders[type_id]

    def _refers_to_itself(self, type_id: int) -> bool:
        seen: set[int] = set()
        stack = list(_children(self.registry.get(type_id)))
        while stack:
            ref = stack.pop()
            if ref == type_id:
                return True
            if ref in seen:
                continue
            seen.add(ref)
            stack.extend(_children(self.registry.get(ref)))
        return False

    def _build_decoder(self, type_id: int) -> Decoder:
        ty = self.registry.get(type_id)
        label = type_label(ty, type_id)
        d = ty.type_def
        path = tuple(ty.path)
        if path == _ERA_PATH:
            return _decode_era
        if isinstance(d, TypeDefPrimitiveType):
            return _primitive_decoder(d.primitive)
        if isinstance(d, TypeDefCompact):
            return _compact_decoder(self._int_max(d.type_param))
        if isinstance(d, TypeDefSequence):
            if self._is_u8(d.type_param):
                return _decode_bytes
            return _sequence_decoder(self.decoder(d.type_param))
        if isinstance(d, TypeDefArray):
            length = int(d.len)
            if self._is_u8(d.type_param):
                return _byte_array_decoder(
                    length, AccountId32 if path == _ACCOUNT_ID_PATH else bytes
                )
            return _array_decoder(self.decoder(d.type_param), length)
        if isinstance(d, TypeDefTuple):
            return _tuple_decoder(tuple(self.decoder(t) for t in d.fields))
        if isinstance(d, TypeDefComposite):
            if path == _ACCOUNT_ID_PATH and len(d.fields) == 1:
                return _byte_array_decoder(32, AccountId32)
            return self._fields_decoder([f.name for f in d.fields], [f.ty for f in d.fields])
        if isinstance(d, TypeDefVariant):
            if ty.path and ty.path[-1] == "Option" and _is_option(d):
                some = next(v for v in d.members if v.index == 1)
                return _option_decoder(self.decoder(some.fields[0].ty), label)
            table: dict[int, tuple[str, Decoder | None]] = {}
            for v in d.members:
                if v.fields:
                    table[int(v.index)] = (
                        v.name,
                        self._fields_decoder([f.name for f in v.fields], [f.ty for f in v.fields]),
                    )
                else:
                    table[int(v.index)] = (v.name, None)
            return _variant_decoder(table, label)
        if isinstance(d, TypeDefBitSequence):
            raise UnsupportedType(f"{label}: bit sequences are not supported")
        raise UnsupportedType(f"{label}: unknown type shape {d!r:.80}")

    def _fields_decoder(self, names: Sequence[str | None], ids: Sequence[int]) -> Decoder:
        decoders = tuple(self.decoder(t) for t in ids)
        if not decoders:
            return _decode_unit_composite
        if all(n is not None for n in names):
            return _named_decoder(tuple(str(n) for n in names), decoders)
        if len(decoders) == 1:
            return decoders[0]
        return _tuple_decoder(decoders)

    def _is_u8(self, type_id: int) -> bool:
        d = self.registry.get(type_id).type_def
        return isinstance(d, TypeDefPrimitiveType) and d.primitive is TypeDefPrimitive.U8

    def _int_max(self, type_id: int) -> int:
        """The largest value of the unsigned integer type under a Compact (newtypes unwrapped)."""
        d = self.registry.get(type_id).type_def
        if isinstance(d, TypeDefPrimitiveType) and d.primitive in _INT_WIDTHS:
            width, _signed = _INT_WIDTHS[d.primitive]
            return (1 << (8 * width)) - 1
        if isinstance(d, TypeDefComposite) and len(d.fields) == 1:
            return self._int_max(d.fields[0].ty)
        if isinstance(d, TypeDefTuple) and not d.fields:
            return 0
        raise UnsupportedType(f"Compact of a non-integer type #{type_id}")

    # --- encoders --------------------------------------------------------------------------

    def encoder(self, type_id: int) -> Encoder:
        """Return the encoding closure of `type_id` (built once; recursion is resolved late)."""
        found = self._encoders.get(type_id)
        if found is not None:
            return found
        cell: list[Encoder] = []

        def forward(value: Any, out: bytearray) -> None:
            cell[0](value, out)

        self._encoders[type_id] = forward
        built = _with_raw(self._build_encoder(type_id))
        cell.append(built)
        self._encoders[type_id] = built
        return built

    def _build_encoder(self, type_id: int) -> Encoder:
        ty = self.registry.get(type_id)
        label = type_label(ty, type_id)
        d = ty.type_def
        path = tuple(ty.path)
        if path == _ERA_PATH:
            return _encode_era
        if isinstance(d, TypeDefPrimitiveType):
            return _primitive_encoder(d.primitive, label)
        if isinstance(d, TypeDefCompact):
            return _compact_encoder(self._int_max(d.type_param), label)
        if isinstance(d, TypeDefSequence):
            if self._is_u8(d.type_param):
                return _bytes_encoder(None, label)
            return _sequence_encoder(self.encoder(d.type_param), None, label)
        if isinstance(d, TypeDefArray):
            if self._is_u8(d.type_param):
                if path == _ACCOUNT_ID_PATH:
                    return _account_encoder(label)
                return _bytes_encoder(int(d.len), label)
            return _sequence_encoder(self.encoder(d.type_param), int(d.len), label)
        if isinstance(d, TypeDefTuple):
            return _tuple_encoder(tuple(self.encoder(t) for t in d.fields), label)
        if isinstance(d, TypeDefComposite):
            if path == _ACCOUNT_ID_PATH and len(d.fields) == 1:
                return _account_encoder(label)
            return self._fields_encoder([f.name for f in d.fields], [f.ty for f in d.fields], label)
        if isinstance(d, TypeDefVariant):
            if ty.path and ty.path[-1] == "Option" and _is_option(d):
                some = next(v for v in d.members if v.index == 1)
                return _option_encoder(self.encoder(some.fields[0].ty))
            table: dict[str, tuple[int, Encoder | None]] = {}
            for v in d.members:
                table[v.name] = (
                    int(v.index),
                    self._fields_encoder(
                        [f.name for f in v.fields], [f.ty for f in v.fields], f"{label}::{v.name}"
                    )
                    if v.fields
                    else None,
                )
            encoder = _variant_encoder(table, label)
            if path == _MULTI_ADDRESS_PATH and "Id" in table:
                return _multi_address_encoder(encoder)
            return encoder
        if isinstance(d, TypeDefBitSequence):
            raise UnsupportedType(f"{label}: bit sequences are not supported")
        raise UnsupportedType(f"{label}: unknown type shape {d!r:.80}")

    def _fields_encoder(
        self, names: Sequence[str | None], ids: Sequence[int], label: str
    ) -> Encoder:
        encoders = tuple(self.encoder(t) for t in ids)
        if not encoders:
            return _encode_unit_composite
        if all(n is not None for n in names):
            return _named_encoder(tuple(str(n) for n in names), encoders, label)
        if len(encoders) == 1:
            return encoders[0]
        return _tuple_encoder(encoders, label)


def _children(ty: Type) -> list[int]:
    d = ty.type_def
    if isinstance(d, TypeDefComposite):
        return [f.ty for f in d.fields]
    if isinstance(d, TypeDefVariant):
        return [f.ty for v in d.members for f in v.fields]
    if isinstance(d, (TypeDefSequence, TypeDefArray, TypeDefCompact)):
        return [d.type_param]
    if isinstance(d, TypeDefTuple):
        return list(d.fields)
    return []


def _is_option(d: TypeDefVariant) -> bool:
    indices = {int(v.index): v for v in d.members}
    return (
        len(indices) == 2
        and 0 in indices
        and 1 in indices
        and not indices[0].fields
        and len(indices[1].fields) == 1
    )


# --- decoding closures ----------------------------------------------------------------------


def _truncated(what: str, pos: int) -> Truncated:
    return Truncated(f"{what}: input ended", pos)


def _primitive_decoder(primitive: TypeDefPrimitive) -> Decoder:
    if primitive in _INT_WIDTHS:
        width, signed = _INT_WIDTHS[primitive]
        from_bytes = int.from_bytes

        def decode_int(data: bytes, pos: int) -> tuple[Any, int]:
            stop = pos + width
            if stop > len(data):
                raise _truncated(primitive.rust_name, pos)
            return from_bytes(data[pos:stop], "little", signed=signed), stop

        return decode_int
    if primitive is TypeDefPrimitive.BOOL:
        return _decode_bool
    if primitive is TypeDefPrimitive.STR:
        return _decode_str
    return _decode_char


def _decode_bool(data: bytes, pos: int) -> tuple[Any, int]:
    if pos >= len(data):
        raise _truncated("bool", pos)
    byte = data[pos]
    if byte > 1:
        raise InvalidBool(f"a bool must be 0 or 1, not {byte}", pos)
    return byte == 1, pos + 1


def _decode_length(data: bytes, pos: int) -> tuple[int, int]:
    length, stop = decode_compact(data, pos)
    if length > _MAX_LENGTH:
        raise OutOfRange(f"length {length} is above u32::MAX", pos)
    return length, stop


def _decode_str(data: bytes, pos: int) -> tuple[Any, int]:
    length, pos = _decode_length(data, pos)
    stop = pos + length
    if stop > len(data):
        raise _truncated("str", pos)
    try:
        return data[pos:stop].decode("utf-8"), stop
    except UnicodeDecodeError as exc:
        raise InvalidUtf8(f"str is not UTF-8: {exc.reason}", pos) from exc


def _decode_char(data: bytes, pos: int) -> tuple[Any, int]:
    stop = pos + 4
    if stop > len(data):
        raise _truncated("char", pos)
    code = int.from_bytes(data[pos:stop], "little")
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise InvalidUtf8(f"{code:#x} is not a Unicode scalar value", pos)
    return chr(code), stop


def _decode_bytes(data: bytes, pos: int) -> tuple[Any, int]:
    length, pos = _decode_length(data, pos)
    stop = pos + length
    if stop > len(data):
        raise _truncated("Vec<u8>", pos)
    return data[pos:stop], stop


def _byte_array_decoder(length: int, factory: Callable[[bytes], Any]) -> Decoder:
    def decode_array(data: bytes, pos: int) -> tuple[Any, int]:
        stop = pos + length
        if stop > len(data):
            raise _truncated(f"[u8; {length}]", pos)
        return factory(data[pos:stop]), stop

    return decode_array


def _compact_decoder(maximum: int) -> Decoder:
    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        if pos < len(data) and not data[pos] & 3:
            return data[pos] >> 2, pos + 1
        value, stop = decode_compact(data, pos)
        if value > maximum:
            raise OutOfRange(f"Compact {value} is above the type's maximum {maximum}", pos)
        return value, stop

    return decode


def _sequence_decoder(item: Decoder) -> Decoder:
    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        length, pos = _decode_length(data, pos)
        if length > len(data) - pos and length > _MAX_EMPTY_ITEMS:
            # more items than bytes left: only zero-sized items could explain it
            raise Truncated(f"a sequence of {length} items cannot fit in the input", pos)
        items: list[Any] = []
        append = items.append
        for _ in range(length):
            value, pos = item(data, pos)
            append(value)
        return items, pos

    return decode


def _array_decoder(item: Decoder, length: int) -> Decoder:
    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        items = []
        for _ in range(length):
            value, pos = item(data, pos)
            items.append(value)
        return items, pos

    return decode


def _tuple_decoder(items: tuple[Decoder, ...]) -> Decoder:
    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        values = []
        for item in items:
            value, pos = item(data, pos)
            values.append(value)
        return tuple(values), pos

    return decode


def _named_decoder(names: tuple[str, ...], items: tuple[Decoder, ...]) -> Decoder:
    pairs = tuple(zip(names, items, strict=True))

    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        values = {}
        for name, item in pairs:
            values[name], pos = item(data, pos)
        return values, pos

    return decode


def _decode_unit_composite(data: bytes, pos: int) -> tuple[Any, int]:  # noqa: ARG001
    return (), pos


def _option_decoder(some: Decoder, label: str) -> Decoder:
    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        if pos >= len(data):
            raise _truncated(label, pos)
        tag = data[pos]
        if tag == 0:
            return None, pos + 1
        if tag == 1:
            return some(data, pos + 1)
        raise InvalidOption(f"{label}: option tag must be 0 or 1, not {tag}", pos)

    return decode


def _variant_decoder(table: Mapping[int, tuple[str, Decoder | None]], label: str) -> Decoder:
    def decode(data: bytes, pos: int) -> tuple[Any, int]:
        if pos >= len(data):
            raise _truncated(label, pos)
        found = table.get(data[pos])
        if found is None:
            raise InvalidVariant(f"{label} has no variant {data[pos]}", pos)
        name, fields = found
        if fields is None:
            return name, pos + 1
        value, pos = fields(data, pos + 1)
        return {name: value}, pos

    return decode


def _decode_era(data: bytes, pos: int) -> tuple[Any, int]:
    if pos >= len(data):
        raise _truncated("Era", pos)
    if data[pos] == 0:
        return Era(), pos + 1
    if pos + 2 > len(data):
        raise _truncated("Era", pos)
    try:
        return Era.from_u16(int.from_bytes(data[pos : pos + 2], "little")), pos + 2
    except ValueError as exc:
        raise InvalidVariant(str(exc), pos) from exc


# --- encoding closures ----------------------------------------------------------------------


def _with_raw(encoder: Encoder) -> Encoder:
    """Let an object carrying its own ``encoded`` bytes (a composed call) stand for a value."""

    def encode(value: Any, out: bytearray) -> None:
        raw = getattr(value, "encoded", None)
        if isinstance(raw, bytes) and not isinstance(value, (bytes, Era)):
            out += raw
        else:
            encoder(value, out)

    return encode


def _type_error(label: str, expected: str, value: object) -> EncodeError:
    return EncodeError(f"{label}: expected {expected}, got {value!r:.80}")


def _primitive_encoder(primitive: TypeDefPrimitive, label: str) -> Encoder:
    if primitive in _INT_WIDTHS:
        width, signed = _INT_WIDTHS[primitive]
        low = -(1 << (8 * width - 1)) if signed else 0
        high = (1 << (8 * width - 1)) - 1 if signed else (1 << (8 * width)) - 1

        def encode_int(value: Any, out: bytearray) -> None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise _type_error(label, primitive.rust_name, value)
            if not low <= value <= high:
                raise EncodeError(f"{label}: {value} is out of range for {primitive.rust_name}")
            out += value.to_bytes(width, "little", signed=signed)

        return encode_int
    if primitive is TypeDefPrimitive.BOOL:

        def encode_bool(value: Any, out: bytearray) -> None:
            if not isinstance(value, bool):
                raise _type_error(label, "a bool", value)
            out.append(1 if value else 0)

        return encode_bool
    if primitive is TypeDefPrimitive.STR:

        def encode_str(value: Any, out: bytearray) -> None:
            if not isinstance(value, str):
                raise _type_error(label, "a str", value)
            raw = value.encode("utf-8")
            out += encode_compact(len(raw))
            out += raw

        return encode_str

    def encode_char(value: Any, out: bytearray) -> None:
        if not isinstance(value, str) or len(value) != 1:
            raise _type_error(label, "a one-character str", value)
        out += ord(value).to_bytes(4, "little")

    return encode_char


def _compact_encoder(maximum: int, label: str) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(label, "an unsigned int", value)
        if not 0 <= value <= maximum:
            raise EncodeError(f"{label}: {value} is out of range (0..={maximum})")
        out += encode_compact(value)

    return encode


def _as_bytes(value: Any, label: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        if value.startswith("0x"):
            try:
                return bytes.fromhex(value[2:])
            except ValueError as exc:
                raise EncodeError(f"{label}: {value!r:.80} is not valid hex") from exc
        return value.encode("utf-8")
    if isinstance(value, (list, tuple)) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    raise _type_error(label, "bytes or a 0x-hex string", value)


def _bytes_encoder(length: int | None, label: str) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        raw = _as_bytes(value, label)
        if length is None:
            out += encode_compact(len(raw))
        elif len(raw) != length:
            raise EncodeError(f"{label}: expected {length} bytes, got {len(raw)}")
        out += raw

    return encode


def _account_encoder(label: str) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        if isinstance(value, str) and not value.startswith("0x"):
            try:
                raw = decode_account_id(value)
            except ValueError as exc:
                raise EncodeError(f"{label}: {value!r:.80} is not an SS58 address: {exc}") from exc
        else:
            raw = _as_bytes(value, label)
        if len(raw) != 32:
            raise EncodeError(f"{label}: an account id has 32 bytes, got {len(raw)}")
        out += raw

    return encode


def _sequence_encoder(item: Encoder, length: int | None, label: str) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            raise _type_error(label, "a list", value)
        if length is None:
            out += encode_compact(len(value))
        elif len(value) != length:
            raise EncodeError(f"{label}: expected {length} items, got {len(value)}")
        for element in value:
            item(element, out)

    return encode


def _tuple_encoder(items: tuple[Encoder, ...], label: str) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        if not items and value in (None, (), [], {}):
            return
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            raise _type_error(label, f"a tuple of {len(items)}", value)
        if len(value) != len(items):
            raise EncodeError(f"{label}: expected {len(items)} items, got {len(value)}")
        for element, item in zip(value, items, strict=True):
            item(element, out)

    return encode


def _named_encoder(names: tuple[str, ...], items: tuple[Encoder, ...], label: str) -> Encoder:
    pairs = tuple(zip(names, items, strict=True))
    expected = set(names)

    def encode(value: Any, out: bytearray) -> None:
        if not isinstance(value, Mapping):
            raise _type_error(label, f"a dict with {', '.join(names)}", value)
        if value.keys() != expected:
            missing = sorted(expected - value.keys())
            extra = sorted(str(k) for k in value.keys() - expected)
            raise EncodeError(f"{label}: missing fields {missing}, unknown fields {extra}")
        for name, item in pairs:
            try:
                item(value[name], out)
            except EncodeError as exc:
                raise EncodeError(f"{name}: {exc}") from exc

    return encode


def _encode_unit_composite(value: Any, out: bytearray) -> None:  # noqa: ARG001
    if value not in (None, (), [], {}):
        raise _type_error("()", "nothing", value)


def _option_encoder(some: Encoder) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        if value is None:
            out.append(0)
        else:
            out.append(1)
            some(value, out)

    return encode


def _variant_encoder(table: Mapping[str, tuple[int, Encoder | None]], label: str) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        if isinstance(value, str):
            name, payload = value, None
        elif isinstance(value, Mapping) and len(value) == 1:
            ((name, payload),) = value.items()
        else:
            raise _type_error(label, "a variant name or {name: value}", value)
        found = table.get(name)
        if found is None:
            raise EncodeError(f"{label} has no variant {name!r}")
        index, fields = found
        out.append(index)
        if fields is not None:
            fields(payload, out)
        elif payload not in (None, (), [], {}):
            raise EncodeError(f"{label}::{name} carries no value, got {payload!r:.80}")

    return encode


def _multi_address_encoder(variant: Encoder) -> Encoder:
    def encode(value: Any, out: bytearray) -> None:
        if isinstance(value, (bytes, bytearray)) and len(value) == 32:
            out.append(0)
            out += value
        elif isinstance(value, str) and not value.startswith("0x"):
            try:
                raw = decode_account_id(value)
            except ValueError as exc:
                raise EncodeError(f"MultiAddress: {value!r:.80} is not an SS58 address") from exc
            out.append(0)
            out += raw
        else:
            variant(value, out)

    return encode


def _encode_era(value: Any, out: bytearray) -> None:
    if isinstance(value, Era):
        out += value.to_bytes()
    elif value in ("Immortal", None):
        out.append(0)
    else:
        raise _type_error("Era", "an Era", value)
