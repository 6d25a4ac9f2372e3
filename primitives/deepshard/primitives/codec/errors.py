"""Typed decoding errors of the SCALE codec; each names the byte offset where decoding failed."""

from __future__ import annotations

__all__ = [
    "CodecError",
    "EncodeError",
    "DecodeError",
    "Truncated",
    "TrailingBytes",
    "NonCanonicalCompact",
    "InvalidVariant",
    "InvalidUtf8",
    "LengthTooLarge",
    "InvalidBool",
    "InvalidOption",
    "TooDeep",
    "OutOfRange",
    "InvalidValue",
]


class CodecError(Exception):
    """Root of the SCALE codec's errors."""


class EncodeError(CodecError, ValueError):
    """A value cannot be encoded as the requested type (wrong kind, out of range, wrong length)."""


class DecodeError(CodecError, ValueError):
    """Input bytes are not a valid encoding of the requested type.

    Attributes:
        position: Byte offset in the input where the problem was found.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at byte {position})")
        self.position = position


class Truncated(DecodeError):
    """The input ended before the value did."""


class TrailingBytes(DecodeError):
    """Bytes were left over after a value that was asked to consume the whole input."""


class NonCanonicalCompact(DecodeError):
    """A `Compact` integer used a longer mode than its value needs (rejected, as Substrate does)."""


class InvalidVariant(DecodeError):
    """An enum's variant index is not one the type declares."""


class InvalidUtf8(DecodeError):
    """A string's bytes are not valid UTF-8."""


class LengthTooLarge(DecodeError):
    """A length prefix claims more items than the remaining input could possibly hold."""


class InvalidBool(DecodeError):
    """A boolean byte (or `Option<bool>` byte) is not one of the allowed values."""


class InvalidOption(DecodeError):
    """An `Option` tag byte is neither 0 (None) nor 1 (Some)."""


class TooDeep(DecodeError):
    """Nesting of the input exceeded the decoder's depth limit."""


class OutOfRange(DecodeError):
    """A decoded integer does not fit its declared type (e.g. a `Compact<u32>` above 2**32 - 1)."""


class InvalidValue(DecodeError):
    """The bytes are well formed but do not denote a value of the type (e.g. an invalid `Era`)."""
