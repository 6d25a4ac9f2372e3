"""The standard nodes: one class per SCALE type shape, each emitting specialised source.

See `codegen` for the conventions every ``emit_*`` method follows. Struct and enum nodes live
with their declarations (`struct`, `enums`); everything else is here.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Sequence
from typing import Any

from deepshard.primitives.codec import errors
from deepshard.primitives.codec.codegen import Gen, Node
from deepshard.primitives.codec.descriptors import (
    FieldInfo,
    TypeInfo,
    TypeKind,
    TypeParam,
    VariantInfo,
)
from deepshard.primitives.codec.result import Err, Ok
from deepshard.primitives.numeric import FixedInt

__all__ = [
    "MAX_DEPTH",
    "U32_MAX",
    "ArrayNode",
    "BoolNode",
    "BytesNode",
    "CompactNode",
    "FixedBytesNode",
    "IntEnumNode",
    "IntNode",
    "OptionNode",
    "RecursionNode",
    "ResultNode",
    "StrNode",
    "TupleNode",
    "VecNode",
    "emit_compact_length",
    "emit_construct",
    "emit_fields_decode",
]

U32_MAX = (1 << 32) - 1
"""Length prefixes are `Compact<u32>`, as in Substrate."""

MAX_DEPTH = 256
"""How many recursive type references a decode may nest (Substrate's extrinsic depth limit)."""

_new_int = int.__new__


def emit_compact(g: Gen, out: str, maximum: int, small: str | None = None) -> str | None:
    """Emit the decoding of a `Compact` integer at ``pos`` into the plain int `out`.

    Every mode is inlined; any invalid input (truncated, non-canonical, above `maximum`) is
    handed to `decode_compact_bounded`, which raises the precise error. With `small` (the name
    of a 64-entry table of typed values), the one-byte mode stores ``small[value]`` into `out`
    and the function returns the name of a flag variable that is True when `out` still holds a
    plain int (the caller wraps it); otherwise it returns None.
    """
    fail = f"_dfail(data, pos, end, {maximum})"
    g.line(f"if pos >= end: {fail}")
    first, mode, size = g.var("b"), g.var("m"), g.var("k")
    g.line(f"{first} = data[pos]")
    g.line(f"{mode} = {first} & 3")
    plain = g.var("plain") if small is not None else None
    with g.block(f"if {mode} == 0:"):
        if small is not None:
            g.line(f"{out} = {small}[{first} >> 2]")
            g.line(f"{plain} = False")
        else:
            g.line(f"{out} = {first} >> 2")
        g.line("pos += 1")
    if plain is not None:
        g.line(f"else: {plain} = True")
    if maximum >= 1 << 30:
        with g.block(f"if {mode} == 3:"):
            g.line(f"{size} = ({first} >> 2) + 5")
            g.line(f"if pos + {size} > end or data[pos + {size} - 1] == 0: {fail}")
            g.line(f"{out} = _fb(data[pos + 1:pos + {size}], 'little')")
            g.line(f"if {out} < 1073741824 or {out} > {maximum}: {fail}")
            g.line(f"pos += {size}")
    else:
        g.line(f"if {mode} == 3: {fail}")
    with g.block(f"elif {mode} == 1:"):
        g.line(f"if pos + 2 > end: {fail}")
        g.line(f"{out} = ({first} | data[pos + 1] << 8) >> 2")
        g.line(f"if {out} < 64 or {out} > {maximum}: {fail}")
        g.line("pos += 2")
    with g.block(f"elif {mode} == 2:"):
        g.line(f"if pos + 4 > end: {fail}")
        g.line(f"{out} = _fb(data[pos:pos + 4], 'little') >> 2")
        g.line(f"if {out} < 16384 or {out} > {maximum}: {fail}")
        g.line("pos += 4")
    return plain


def emit_compact_length(g: Gen, out: str, maximum: int = U32_MAX) -> None:
    """Emit the decoding of a `Compact` length prefix into the plain int `out`."""
    emit_compact(g, out, maximum)


def emit_fields_decode(g: Gen, items: Sequence[tuple[Node, str, str]], checked: bool) -> None:
    """Emit the decoding of consecutive items, checking bounds once per fixed-size run.

    `items` holds ``(node, output variable, label)`` triples. Fixed-size neighbours are grouped
    so a struct of five integers costs one bounds check, not five.
    """
    index = 0
    while index < len(items):
        node = items[index][0]
        if node.fixed_size is None:
            node.emit_decode(g, items[index][1], True)
            index += 1
            continue
        run = []
        while index < len(items) and items[index][0].fixed_size is not None:
            run.append(items[index])
            index += 1
        total = sum(n.fixed_size or 0 for n, _, _ in run)
        if checked and total:
            spec: list[tuple[int, int, str]] = []
            offset = 0
            for n, _, label in run:
                spec.append((offset, n.fixed_size or 0, label))
                offset += n.fixed_size or 0
            g.line(f"if pos + {total} > end: _trunc_run(pos, end, {g.const(tuple(spec), 'run')})")
        for n, var, _ in run:
            n.emit_decode(g, var, False)


def emit_construct(
    g: Gen, out: str, cls: type, names: Sequence[str], values: Sequence[str]
) -> None:
    """Emit building an instance of the slotted class `cls` without running ``__init__``.

    Each field is stored through its slot descriptor, which is what a frozen dataclass's
    ``__init__`` does too, minus the per-field ``object.__setattr__`` lookups.
    """
    g.line(f"{out} = _onew({g.const(cls, 'cls')})")
    for name, value in zip(names, values, strict=True):
        setter = _slot_setter(cls, name)
        g.line(f"{g.const(setter, 'set')}({out}, {value})")


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None:
            setter: Callable[[object, object], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__} has no slot {name!r}")


def _encode_type_error(expected: str, value: object) -> errors.EncodeError:
    return errors.EncodeError(f"expected {expected}, got {type(value).__name__}: {value!r:.80}")


class IntNode(Node):
    """A fixed-width integer (`U8` ... `I256`), decoded as an instance of its class."""

    def __init__(self, cls: type[FixedInt]) -> None:
        self.cls = cls
        self.fixed_size = self.min_size = cls.BYTES
        name = ("i" if cls.SIGNED else "u") + str(cls.BITS)
        self.info = TypeInfo(TypeKind.PRIMITIVE, primitive=name, python_type=cls)

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit a little-endian read; one-byte types use a prebuilt table."""
        size = self.cls.BYTES
        if checked:
            g.need(size, self.label())
        if size == 1:
            table = tuple(
                _new_int(self.cls, b - 256 if self.cls.SIGNED and b > 127 else b)
                for b in range(256)
            )
            g.line(f"{out} = {g.const(table, 'tbl')}[data[pos]]")
            g.line("pos += 1")
            return
        signed = ", signed=True" if self.cls.SIGNED else ""
        cls = g.const(self.cls, "int")
        g.line(f"{out} = _new({cls}, _fb(data[pos:pos + {size}], 'little'{signed}))")
        g.line(f"pos += {size}")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit ``int.to_bytes`` (which refuses out-of-range values and non-integers)."""
        g.line(f"if {value}.__class__ is _bool: raise {g.const(self._bool_error, 'err')}({value})")
        signed = ", signed=True" if self.cls.SIGNED else ""
        with g.block("try:"):
            g.line(f"w += _tb({value}, {self.cls.BYTES}, 'little'{signed})")
        with g.block("except OverflowError:"):
            g.line(f"raise {g.const(self._range_error, 'err')}({value}) from None")

    def _bool_error(self, value: object) -> errors.EncodeError:
        return _encode_type_error(self.cls.__name__, value)

    def _range_error(self, value: object) -> errors.EncodeError:
        return errors.EncodeError(
            f"{value} is out of range for {self.cls.__name__} ({self.cls.MIN}..={self.cls.MAX})"
        )


class BoolNode(Node):
    """``bool``: one byte, 0 or 1."""

    fixed_size = min_size = 1

    def __init__(self) -> None:
        self.info = TypeInfo(TypeKind.PRIMITIVE, primitive="bool", python_type=bool)

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit a byte read refusing values above 1."""
        if checked:
            g.need(1, "bool")
        byte = g.var("b")
        g.line(f"{byte} = data[pos]")
        g.line(
            f"if {byte} > 1: raise _InvalidBool(f'bool byte must be 0 or 1, not {{{byte}}}', pos)"
        )
        g.line(f"{out} = {byte} == 1")
        g.line("pos += 1")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit 0x01 for True, 0x00 for False; anything else is an error."""
        with g.block(f"if {value} is True:"):
            g.line("w += b'\\x01'")
        with g.block(f"elif {value} is False:"):
            g.line("w += b'\\x00'")
        with g.block("else:"):
            g.line(f"raise {g.const(_encode_type_error, 'typeerr')}('bool', {value})")


class CompactNode(Node):
    """``Compact<T>`` for an unsigned integer class `T`, decoded as a `T`."""

    min_size = 1

    def __init__(self, cls: type[FixedInt], element: TypeInfo) -> None:
        if cls.SIGNED:
            raise TypeError(f"Compact needs an unsigned integer type, not {cls.__name__}")
        self.cls = cls
        self.info = TypeInfo(TypeKind.COMPACT, element=element, python_type=cls)
        self._small = tuple(_new_int(cls, v) for v in range(min(64, cls.MAX + 1)))

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit every mode inline; one-byte values come from a table of typed values."""
        plain = emit_compact(g, out, self.cls.MAX, g.const(self._small, "small"))
        g.line(f"if {plain}: {out} = _new({g.const(self.cls, 'int')}, {out})")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the one-byte mode and the big-integer mode inline, the rest via the encoder."""
        g.line(f"if {value}.__class__ is _bool: raise {g.const(self._type_error, 'err')}({value})")
        with g.block(f"if 0 <= {value} < 64:"):
            g.line(f"w += _SINGLE[{value}]")
        with g.block(f"elif {value} > {self.cls.MAX}:"):
            g.line(f"raise {g.const(self._range_error, 'err')}({value})")
        if self.cls.MAX >= 1 << 30:
            size = g.var("k")
            with g.block(f"elif {value} >= 1073741824:"):
                g.line(f"{size} = ({value}.bit_length() + 7) >> 3")
                g.line(f"w.append((({size} - 4) << 2) | 3)")
                g.line(f"w += _tb({value}, {size}, 'little')")
        with g.block("else:"):
            g.line(f"w += _ecomp({value})")

    def _type_error(self, value: object) -> errors.EncodeError:
        return _encode_type_error(f"an int for {self.label()}", value)

    def _range_error(self, value: object) -> errors.EncodeError:
        return errors.EncodeError(f"{value} is above {self.cls.__name__}.MAX for {self.label()}")


class BytesNode(Node):
    """``bytes``: ``Vec<u8>``, a compact length then the raw bytes."""

    min_size = 1

    def __init__(self, u8: TypeInfo) -> None:
        self.info = TypeInfo(TypeKind.SEQUENCE, element=u8, python_type=bytes)

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit the length check, then one slice."""
        start, length = g.var("p"), g.var("n")
        g.line(f"{start} = pos")
        emit_compact_length(g, length)
        g.line(
            f"if {length} > end - pos: raise _LengthTooLarge(f'Vec<u8> length {{{length}}} "
            f"exceeds the {{end - pos}} bytes left', {start})"
        )
        g.line(f"{out} = data[pos:pos + {length}]")
        g.line(f"pos += {length}")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the length prefix and the bytes (a `str` is refused)."""
        g.line(
            f"if {value}.__class__ is _str: raise {g.const(_encode_type_error, 'typeerr')}"
            f"('bytes', {value})"
        )
        g.line(f"w += _ecomp(_len({value}))")
        g.line(f"w += {value}")


class StrNode(Node):
    """``str``: UTF-8 bytes behind a compact length; invalid UTF-8 is refused on decode."""

    min_size = 1

    def __init__(self) -> None:
        self.info = TypeInfo(TypeKind.PRIMITIVE, primitive="str", python_type=str)

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit the length check, a slice and a strict UTF-8 decode."""
        start, length = g.var("p"), g.var("n")
        g.line(f"{start} = pos")
        emit_compact_length(g, length)
        g.line(
            f"if {length} > end - pos: raise _LengthTooLarge(f'str length {{{length}}} "
            f"exceeds the {{end - pos}} bytes left', {start})"
        )
        with g.block("try:"):
            g.line(f"{out} = data[pos:pos + {length}].decode('utf-8')")
        with g.block("except UnicodeDecodeError as exc:"):
            g.line("raise _InvalidUtf8(f'invalid UTF-8: {exc.reason}', pos + exc.start) from None")
        g.line(f"pos += {length}")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the UTF-8 encoding behind its length."""
        g.line(
            f"if not _isinstance({value}, _str): raise "
            f"{g.const(_encode_type_error, 'typeerr')}('str', {value})"
        )
        raw = g.var("s")
        g.line(f"{raw} = {value}.encode('utf-8')")
        g.line(f"w += _ecomp(_len({raw}))")
        g.line(f"w += {raw}")


class FixedBytesNode(Node):
    """``[u8; N]``: exactly N raw bytes, decoded as `cls` (a `FixedBytes` class or `bytes`)."""

    def __init__(self, cls: type[bytes], length: int, u8: TypeInfo, path: tuple[str, ...]) -> None:
        self.cls = cls
        self.length = self.fixed_size = self.min_size = length
        array = TypeInfo(TypeKind.ARRAY, element=u8, length=length, python_type=cls)
        if path:
            self.info = TypeInfo(
                TypeKind.COMPOSITE,
                fields=(FieldInfo(None, array, f"[u8; {length}]"),),
                path=path,
                docs=_docs_of(cls),
                python_type=cls,
            )
        else:
            self.info = array

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit one slice (wrapped in the named class, if any)."""
        n = self.length
        if checked:
            g.need(n, self.label())
        if self.cls is bytes:
            g.line(f"{out} = data[pos:pos + {n}]")
        else:
            g.line(f"{out} = _bnew({g.const(self.cls, 'fb')}, data[pos:pos + {n}])")
        g.line(f"pos += {n}")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit a length check and the raw bytes."""
        with g.block(f"if {value}.__class__ is _str or _len({value}) != {self.length}:"):
            g.line(f"raise {g.const(self._error, 'err')}({value})")
        g.line(f"w += {value}")

    def _error(self, value: object) -> errors.EncodeError:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return errors.EncodeError(
                f"{self.label()} needs exactly {self.length} bytes, got {len(value)}"
            )
        return _encode_type_error(f"{self.length} bytes", value)


class ArrayNode(Node):
    """``[T; N]`` for a non-byte `T`: N values, no length prefix, decoded as a tuple."""

    def __init__(self, element: Node, length: int, python_type: object) -> None:
        self.element = element
        self.length = length
        self.min_size = element.min_size * length
        if element.fixed_size is not None:
            self.fixed_size = element.fixed_size * length
        self.info = TypeInfo(
            TypeKind.ARRAY, element=element.info, length=length, python_type=python_type
        )

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit a loop (one bounds check up front when the element size is fixed)."""
        element_checked = True
        if self.element.fixed_size is not None:
            element_checked = False
            if checked and self.fixed_size:
                g.need(self.fixed_size, self.label())
        items, item = g.var("items"), g.var("x")
        g.line(f"{items} = []")
        with g.block(f"for _ in range({self.length}):"):
            self.element.emit_decode(g, item, element_checked)
            g.line(f"{items}.append({item})")
        g.line(f"{out} = _tuple({items})")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit a length check and a loop."""
        check = f"{value}.__class__ is _str or _len({value}) != {self.length}"
        with g.block(f"if {check}:"):
            g.line(f"raise {g.const(self._error, 'err')}({value})")
        item = g.var("x")
        with g.block(f"for {item} in {value}:"):
            self.element.emit_encode(g, item)

    def _error(self, value: object) -> errors.EncodeError:
        if isinstance(value, Sequence) and not isinstance(value, str):
            return errors.EncodeError(
                f"{self.label()} needs exactly {self.length} items, got {len(value)}"
            )
        return _encode_type_error(f"a sequence for {self.label()}", value)


class VecNode(Node):
    """``Vec<T>``: a compact length, then the items; decoded as a tuple (or a list)."""

    min_size = 1

    def __init__(self, element: Node, container: type, python_type: object) -> None:
        self.element = element
        self.container = container
        self.info = TypeInfo(TypeKind.SEQUENCE, element=element.info, python_type=python_type)

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit the length-bomb check, then the loop."""
        start, length = g.var("p"), g.var("n")
        g.line(f"{start} = pos")
        emit_compact_length(g, length)
        # Every item takes at least one byte (zero-sized items are counted as one, so a
        # `Vec<()>` cannot claim a billion items from an empty input either).
        least = max(self.element.min_size, 1)
        scaled = length if least == 1 else f"{length} * {least}"
        g.line(
            f"if {scaled} > end - pos: raise _LengthTooLarge(f'{self.label()} length "
            f"{{{length}}} cannot fit in the {{end - pos}} bytes left', {start})"
        )
        items, item = g.var("items"), g.var("x")
        g.line(f"{items} = []")
        with g.block(f"for _ in range({length}):"):
            self.element.emit_decode(g, item, self.element.fixed_size is None)
            g.line(f"{items}.append({item})")
        if self.container is list:
            g.line(f"{out} = {items}")
        else:
            g.line(f"{out} = _tuple({items})")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the length prefix and the loop."""
        check = f"{value}.__class__ is not _tuple and {value}.__class__ is not _list"
        with g.block(f"if {check} and not {g.const(_is_sequence, 'isseq')}({value}):"):
            g.line(f"raise {g.const(_encode_type_error, 'typeerr')}('a sequence', {value})")
        g.line(f"w += _ecomp(_len({value}))")
        item = g.var("x")
        with g.block(f"for {item} in {value}:"):
            self.element.emit_encode(g, item)


def _is_sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


class TupleNode(Node):
    """``(A, B, ...)``: the items one after the other; ``()`` encodes to nothing."""

    def __init__(self, elements: tuple[Node, ...], python_type: object) -> None:
        self.elements = elements
        self.min_size = sum(e.min_size for e in elements)
        sizes = [e.fixed_size for e in elements]
        if all(s is not None for s in sizes):
            self.fixed_size = sum(s or 0 for s in sizes)
        self.info = TypeInfo(
            TypeKind.TUPLE, elements=tuple(e.info for e in elements), python_type=python_type
        )

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit the items' code in order, then build the tuple."""
        names = [g.var("t") for _ in self.elements]
        items = [
            (e, n, f"tuple item {i}")
            for i, (e, n) in enumerate(zip(self.elements, names, strict=True))
        ]
        emit_fields_decode(g, items, checked)
        g.line(f"{out} = ({''.join(n + ', ' for n in names)})")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit an arity check, then the items in order."""
        check = f"{value}.__class__ is _str or _len({value}) != {len(self.elements)}"
        with g.block(f"if {check}:"):
            g.line(f"raise {g.const(self._error, 'err')}({value})")
        names = [g.var("t") for _ in self.elements]
        if names:
            g.line(f"{''.join(n + ', ' for n in names)}= {value}")
        for element, name in zip(self.elements, names, strict=True):
            element.emit_encode(g, name)

    def _error(self, value: object) -> errors.EncodeError:
        return _encode_type_error(f"a {len(self.elements)}-tuple for {self.label()}", value)


class OptionNode(Node):
    """``Option<T>`` (tag 0 None, 1 Some), or the one-byte ``OptionBool`` (0, 1 true, 2 false)."""

    min_size = 1

    def __init__(self, inner: Node, python_type: object, *, one_byte: bool = False) -> None:
        self.inner = inner
        self.is_bool = one_byte
        if one_byte:
            self.fixed_size = 1
        self.info = TypeInfo(
            TypeKind.VARIANT,
            variants=(
                VariantInfo("None", 0),
                VariantInfo("Some", 1, (FieldInfo(None, inner.info),)),
            ),
            path=("Option",),
            params=(TypeParam("T", inner.info),),
            python_type=python_type,
        )

    def label(self) -> str:
        """Return ``Option<T>`` (or ``OptionBool``)."""
        return "OptionBool" if self.is_bool else f"Option<{self.inner.label()}>"

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit the tag dispatch."""
        if checked or not self.is_bool:
            g.line(f"if pos >= end: raise _Truncated('expected {self.label()}, input ended', pos)")
        tag = g.var("tag")
        g.line(f"{tag} = data[pos]")
        if self.is_bool:
            g.line(
                f"if {tag} > 2: raise _InvalidBool(f'OptionBool byte must be 0, 1 or 2, "
                f"not {{{tag}}}', pos)"
            )
            g.line(f"{out} = {g.const((None, True, False), 'obool')}[{tag}]")
            g.line("pos += 1")
            return
        with g.block(f"if {tag} == 0:"):
            g.line(f"{out} = None")
            g.line("pos += 1")
        with g.block(f"elif {tag} == 1:"):
            g.line("pos += 1")
            self.inner.emit_decode(g, out, True)
        with g.block("else:"):
            g.line(f"raise _InvalidOption(f'Option tag must be 0 or 1, not {{{tag}}}', pos)")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the tag and, for Some, the value."""
        if self.is_bool:
            with g.block(f"if {value} is None:"):
                g.line("w += b'\\x00'")
            with g.block(f"elif {value} is True:"):
                g.line("w += b'\\x01'")
            with g.block(f"elif {value} is False:"):
                g.line("w += b'\\x02'")
            with g.block("else:"):
                g.line(f"raise {g.const(_encode_type_error, 'typeerr')}('OptionBool', {value})")
            return
        with g.block(f"if {value} is None:"):
            g.line("w += b'\\x00'")
        with g.block("else:"):
            g.line("w += b'\\x01'")
            self.inner.emit_encode(g, value)


class ResultNode(Node):
    """``Result<T, E>``: tag 0 `Ok`, tag 1 `Err`."""

    min_size = 1

    def __init__(self, ok: Node, err: Node, python_type: object) -> None:
        self.ok = ok
        self.err = err
        self.min_size = 1 + min(ok.min_size, err.min_size)
        self.info = TypeInfo(
            TypeKind.VARIANT,
            variants=(
                VariantInfo("Ok", 0, (FieldInfo(None, ok.info),)),
                VariantInfo("Err", 1, (FieldInfo(None, err.info),)),
            ),
            path=("Result",),
            params=(TypeParam("T", ok.info), TypeParam("E", err.info)),
            python_type=python_type,
        )

    def label(self) -> str:
        """Return ``Result<T, E>``."""
        return f"Result<{self.ok.label()}, {self.err.label()}>"

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit the tag dispatch and build an `Ok` or `Err`."""
        g.line(f"if pos >= end: raise _Truncated('expected {self.label()}, input ended', pos)")
        tag, payload = g.var("tag"), g.var("r")
        g.line(f"{tag} = data[pos]")
        for index, (node, cls) in enumerate(((self.ok, Ok), (self.err, Err))):
            with g.block(f"{'if' if index == 0 else 'elif'} {tag} == {index}:"):
                g.line("pos += 1")
                node.emit_decode(g, payload, True)
                emit_construct(g, out, cls, ("value",), (payload,))
        with g.block("else:"):
            g.line(f"raise _InvalidVariant(f'Result tag must be 0 or 1, not {{{tag}}}', pos)")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the tag and the payload."""
        cls, payload = g.var("c"), g.var("r")
        g.line(f"{cls} = {value}.__class__")
        for index, (node, kind) in enumerate(((self.ok, Ok), (self.err, Err))):
            with g.block(f"{'if' if index == 0 else 'elif'} {cls} is {g.const(kind, 'res')}:"):
                g.line(f"w += {bytes((index,))!r}")
                g.line(f"{payload} = {value}.value")
                node.emit_encode(g, payload)
        with g.block("else:"):
            g.line(f"raise {g.const(_encode_type_error, 'typeerr')}('Ok or Err', {value})")


class IntEnumNode(Node):
    """An `enum.IntEnum` without payloads: one byte, the member's value is its variant index."""

    fixed_size = min_size = 1

    def __init__(self, cls: type[enum.IntEnum]) -> None:
        self.cls = cls
        table: list[enum.IntEnum | None] = [None] * 256
        variants = []
        for member in cls:
            if not 0 <= member.value <= 255:
                raise TypeError(f"{cls.__name__}.{member.name}: index must be 0..=255")
            table[member.value] = member
            variants.append(VariantInfo(member.name, member.value))
        self.table = tuple(table)
        self.tags = {member: bytes((member.value,)) for member in cls}
        self.info = TypeInfo(
            TypeKind.VARIANT,
            variants=tuple(sorted(variants, key=lambda v: v.index)),
            path=(*cls.__module__.split("."), cls.__name__),
            docs=_docs_of(cls),
            python_type=cls,
        )

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit a table lookup."""
        if checked:
            g.need(1, self.label())
        g.line(f"{out} = {g.const(self.table, 'tbl')}[data[pos]]")
        g.line(
            f"if {out} is None: raise _InvalidVariant(f'{self.label()} has no variant "
            f"{{data[pos]}}', pos)"
        )
        g.line("pos += 1")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the member's tag byte."""
        with g.block(f"if {value}.__class__ is not {g.const(self.cls, 'cls')}:"):
            g.line(f"raise {g.const(_encode_type_error, 'typeerr')}({self.label()!r}, {value})")
        g.line(f"w += {g.const(self.tags, 'tags')}[{value}]")


class _Depth(threading.local):
    """Per-thread count of recursion references currently being decoded."""

    def __init__(self) -> None:
        self.level = 0


_depth = _Depth()


class RecursionNode(Node):
    """A reference back to a type still being compiled (a recursive type).

    It is not inlined: it calls the referenced type's own compiled functions, counting the
    nesting so that hostile input gets `TooDeep` at `MAX_DEPTH`, never a `RecursionError`.
    """

    min_size = 1  # a recursive type always has a variant tag, option tag or length prefix
    inline_decode = False

    def __init__(self, info: TypeInfo, resolve: Callable[[], Any]) -> None:
        self.info = info
        self._resolve = resolve

    def _decode(self, data: bytes, pos: int, end: int) -> tuple[object, int]:
        level = _depth.level
        if level >= MAX_DEPTH:
            raise errors.TooDeep(f"more than {MAX_DEPTH} nested {self.label()} values", pos)
        _depth.level = level + 1
        try:
            result: tuple[object, int] = self._resolve().decode_from(data, pos, end)
            return result
        finally:
            _depth.level = level

    def _encode(self, value: object, w: bytearray) -> None:
        self._resolve().encode_into(value, w)

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit a call to the referenced type's decoder."""
        g.line(f"{out}, pos = {g.const(self._decode, 'rec')}(data, pos, end)")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit a call to the referenced type's encoder."""
        g.line(f"{g.const(self._encode, 'rec')}({value}, w)")


def _docs_of(obj: object) -> tuple[str, ...]:
    """Return the docstring of `obj` as metadata doc lines (empty if it has none)."""
    import inspect  # noqa: PLC0415 - only needed when building descriptors

    doc = inspect.getdoc(obj) if isinstance(obj, type) and "__doc__" in obj.__dict__ else None
    return tuple(doc.splitlines()) if doc else ()


docs_of = _docs_of


class WrappedIntNode(Node):
    """A value type around one fixed-width integer (`Perbill`, `FixedU128`, ...).

    On the wire it is the integer alone (``struct Perbill(u32)``); decoding builds the value
    type with ``cls.from_le_bytes``, so its own range rules apply (a `Perbill` above one part
    per billion is `InvalidValue`), and encoding writes ``value.to_le_bytes()``.
    """

    def __init__(self, cls: type, inner: type[FixedInt], path: tuple[str, ...]) -> None:
        self.cls = cls
        self.inner = inner
        self.fixed_size = self.min_size = inner.BYTES
        inner_info = IntNode(inner).info
        self.info = TypeInfo(
            TypeKind.COMPOSITE,
            fields=(FieldInfo(None, inner_info, inner_info.primitive),),
            path=path,
            python_type=cls,
        )

    def _make(self, data: bytes, pos: int) -> object:
        try:
            return self.cls.from_le_bytes(data)  # type: ignore[attr-defined]
        except (ValueError, ArithmeticError) as exc:
            raise errors.InvalidValue(f"invalid {self.cls.__name__}: {exc}", pos) from None

    def _type_error(self, value: object) -> errors.EncodeError:
        return _encode_type_error(self.cls.__name__, value)

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit the integer read and the construction of the value type."""
        size = self.inner.BYTES
        if checked:
            g.need(size, self.label())
        g.line(f"{out} = {g.const(self._make, 'make')}(data[pos:pos + {size}], pos)")
        g.line(f"pos += {size}")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the value's little-endian integer."""
        with g.block(f"if {value}.__class__ is not {g.const(self.cls, 'cls')}:"):
            g.line(f"raise {g.const(self._type_error, 'err')}({value})")
        g.line(f"w += {value}.to_le_bytes()")
