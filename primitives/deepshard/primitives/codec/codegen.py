"""Code generation for the codec: the `Node` protocol and the `Gen` source builder.

Introduction
------------
Each type is compiled once into a tree of `Node` objects (see `nodes`). A node does not encode
or decode values itself: it *emits Python source* that does, into a `Gen`. A struct node emits
its fields' code one after the other, so the whole tree of a type (an extrinsic with its
addresses, signature, era and call) becomes **one flat function** with no call per field. That
is what makes the codec fast: the work left is the irreducible slicing, `int.from_bytes` and
object construction.

The emitted code follows fixed conventions:

* decoding code reads ``data`` (a `bytes`), advances the local ``pos`` and must never read at or
  beyond the local ``end``; it stores its result in the variable the caller names. When called
  with ``checked=False`` (only for nodes with a `Node.fixed_size`), the caller has already
  verified that ``fixed_size`` bytes are available, so the node skips its own bounds check;
* encoding code appends to the local `bytearray` ``w`` the encoding of a value held in the
  variable the caller names.

Generated functions are registered with `linecache`, so tracebacks show their source.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from deepshard.primitives.codec import errors
from deepshard.primitives.codec.compact import encode_compact
from deepshard.primitives.codec.descriptors import TypeInfo

__all__ = ["Gen", "Node", "compile_function", "decode_compact_bounded", "raise_truncated_run"]


def decode_compact_bounded(data: bytes, pos: int, end: int, maximum: int) -> tuple[int, int]:
    """Decode a `Compact` at `pos` that must end by `end` and not exceed `maximum`.

    This is the slow path of the generated code (the one-byte mode is inlined).

    Raises:
        Truncated: the integer runs past `end`.
        NonCanonicalCompact: the integer is not in its shortest mode.
        OutOfRange: the value is above `maximum`.
    """
    if pos >= end:
        raise errors.Truncated("expected a Compact integer, input ended", pos)
    first = data[pos]
    mode = first & 0b11
    if mode == 0b00:
        value, stop = first >> 2, pos + 1
    elif mode == 0b01:
        stop = pos + 2
        if stop > end:
            raise errors.Truncated("two-byte Compact integer cut short", pos)
        value = (first | data[pos + 1] << 8) >> 2
        if value < 64:
            raise errors.NonCanonicalCompact(f"Compact {value} should use the one-byte mode", pos)
    elif mode == 0b10:
        stop = pos + 4
        if stop > end:
            raise errors.Truncated("four-byte Compact integer cut short", pos)
        value = int.from_bytes(data[pos:stop], "little") >> 2
        if value < 1 << 14:
            raise errors.NonCanonicalCompact(f"Compact {value} should use a shorter mode", pos)
    else:
        length = (first >> 2) + 4
        stop = pos + 1 + length
        if stop > end:
            raise errors.Truncated(f"{length}-byte Compact integer cut short", pos)
        if data[stop - 1] == 0:
            raise errors.NonCanonicalCompact("big-integer Compact has a zero top byte", pos)
        value = int.from_bytes(data[pos + 1 : stop], "little")
        if value < 1 << 30:
            raise errors.NonCanonicalCompact("big-integer Compact should use a shorter mode", pos)
    if value > maximum:
        raise errors.OutOfRange(f"Compact value {value} is above the type's maximum {maximum}", pos)
    return value, stop


def raise_compact_error(data: bytes, pos: int, end: int, maximum: int) -> None:
    """Raise the error `decode_compact_bounded` finds at `pos` (generated code's error path)."""
    decode_compact_bounded(data, pos, end, maximum)
    raise AssertionError(f"Compact at {pos} was reported invalid but decodes")  # pragma: no cover


def raise_truncated_run(pos: int, end: int, spec: tuple[tuple[int, int, str], ...]) -> None:
    """Raise `Truncated` for the first item of a fixed-size run that does not fit before `end`.

    `spec` lists ``(offset from pos, size, label)`` for each item of the run.
    """
    for offset, size, label in spec:
        if pos + offset + size > end:
            raise errors.Truncated(f"{label} cut short", pos + offset)
    raise AssertionError("raise_truncated_run called on a run that fits")  # pragma: no cover


def _base_namespace() -> dict[str, Any]:
    """Names every generated function can use (bound as globals, so lookups are fast)."""
    return {
        "_new": int.__new__,
        "_fb": int.from_bytes,
        "_tb": int.to_bytes,
        "_onew": object.__new__,
        "_bnew": bytes.__new__,
        "_bool": bool,
        "_str": str,
        "_bytes": bytes,
        "_tuple": tuple,
        "_list": list,
        "_len": len,
        "_isinstance": isinstance,
        "_ecomp": encode_compact,
        "_dcomp": decode_compact_bounded,
        "_dfail": raise_compact_error,
        "_trunc_run": raise_truncated_run,
        "_Truncated": errors.Truncated,
        "_TrailingBytes": errors.TrailingBytes,
        "_InvalidVariant": errors.InvalidVariant,
        "_InvalidUtf8": errors.InvalidUtf8,
        "_LengthTooLarge": errors.LengthTooLarge,
        "_InvalidBool": errors.InvalidBool,
        "_InvalidOption": errors.InvalidOption,
        "_InvalidValue": errors.InvalidValue,
        "_TooDeep": errors.TooDeep,
        "_OutOfRange": errors.OutOfRange,
        "_EncodeError": errors.EncodeError,
        "_DecodeError": errors.DecodeError,
        "_SINGLE": tuple(bytes((v << 2,)) for v in range(64)),
    }


class Gen:
    """Accumulates the source of one generated function and the globals it refers to."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = _base_namespace()
        self.lines: list[str] = []
        self._indent = 1
        self._names = itertools.count()
        self._consts: dict[int, str] = {}

    def var(self, hint: str = "v") -> str:
        """Return a fresh local variable name."""
        return f"{hint}_{next(self._names)}"

    def const(self, obj: object, hint: str = "k") -> str:
        """Bind `obj` as a global of the generated function and return its name."""
        key = id(obj)
        name = self._consts.get(key)
        if name is None:
            name = f"_{hint}_{next(self._names)}"
            self._consts[key] = name
            self.namespace[name] = obj
        return name

    def line(self, text: str) -> None:
        """Append one line at the current indentation."""
        self.lines.append("    " * self._indent + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        """Emit `header` (ending in a colon) and indent what is emitted inside the block."""
        self.line(header)
        self._indent += 1
        mark = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == mark:
                self.line("pass")
            self._indent -= 1

    def need(self, size: int, label: str) -> None:
        """Emit a bounds check: `size` more bytes must be available, else `Truncated`."""
        self.line(f"if pos + {size} > end: raise _Truncated({label + ' cut short'!r}, pos)")


_counter = itertools.count()


def compile_function(name: str, params: str, gen: Gen, prologue: tuple[str, ...] = ()) -> Any:
    """Turn the lines collected in `gen` into a function ``name(params)`` and return it.

    `prologue` lines (already indented) are placed before the generated body.
    """
    source = f"def {name}({params}):\n" + "\n".join((*prologue, *gen.lines)) + "\n"
    filename = f"<scale-codec {name} #{next(_counter)}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, gen.namespace)
    return gen.namespace[name]


class Node:
    """A compiled type: knows its descriptor and sizes, and emits encode/decode source.

    Attributes:
        info: The type's descriptor.
        min_size: The fewest bytes any value of the type encodes to (used to refuse length
            prefixes that the remaining input cannot satisfy before allocating anything).
        fixed_size: The exact encoded size when every value has the same size, else None.
    """

    info: TypeInfo
    min_size: int = 0
    fixed_size: int | None = None
    inline_decode: ClassVar[bool] = True
    """Whether the node's code is inlined into its parents (recursion references are not)."""

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:
        """Emit code decoding one value at ``pos`` into the variable `out`."""
        raise NotImplementedError

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit code appending the encoding of the variable `value` to ``w``."""
        raise NotImplementedError

    def label(self) -> str:
        """Return a short name of the type, for error messages."""
        return self.info.display_name()
