"""The SCALE codec (Substrate's Simple Concatenated Aggregate Little-Endian encoding)."""

from deepshard.primitives.codec.compact import COMPACT_MAX, decode_compact, encode_compact
from deepshard.primitives.codec.errors import (
    CodecError,
    DecodeError,
    EncodeError,
    InvalidBool,
    InvalidOption,
    InvalidUtf8,
    InvalidVariant,
    LengthTooLarge,
    NonCanonicalCompact,
    TooDeep,
    TrailingBytes,
    Truncated,
)

__all__ = [
    "COMPACT_MAX",
    "encode_compact",
    "decode_compact",
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
]
