"""The SCALE codec (Substrate's Simple Concatenated Aggregate Little-Endian encoding).

Introduction
------------
Types are Python annotations: `U8` ... `U256` / `I8` ... `I256`
(`deepshard.primitives.numeric`), ``bool``, ``str``, ``bytes`` (``Vec<u8>``), `Compact[T]`,
`Vec[T]`, ``tuple[A, B]``, ``T | None``, `OptionBool`, `Result[T, E]`, `FixedBytes` classes
(`H256`, `AccountId32`), `FixedLen` arrays, `Struct` and `Enum` declarations and
`enum.IntEnum`. Each type is compiled once, on first use, into specialised Python functions
(`compiler`, `codegen`).

* `encode(value, type=None) -> bytes`, `decode(type, data, *, exact=True)`,
  `decode_prefix(type, data, offset) -> (value, next_offset)`;
* every declaration has ``.encode()``, ``.decode(data)``, ``.decode_prefix(data, offset)``;
* `codec_for(type)` returns the compiled `Codec` (hold it on hot paths);
* ``type_info()`` / ``codec_for(t).info`` give the `TypeInfo` descriptor for metadata.

Decoding failures are `DecodeError` subclasses carrying the byte ``position``; encoding
failures are `EncodeError`.
"""

from deepshard.primitives.codec.api import decode, decode_prefix, encode, infer_type
from deepshard.primitives.codec.compact import COMPACT_MAX, decode_compact, encode_compact
from deepshard.primitives.codec.compiler import Codec, codec_for
from deepshard.primitives.codec.descriptors import (
    FieldInfo,
    TypeInfo,
    TypeKind,
    TypeParam,
    VariantInfo,
)
from deepshard.primitives.codec.enums import Enum
from deepshard.primitives.codec.errors import (
    CodecError,
    DecodeError,
    EncodeError,
    InvalidBool,
    InvalidOption,
    InvalidUtf8,
    InvalidValue,
    InvalidVariant,
    LengthTooLarge,
    NonCanonicalCompact,
    OutOfRange,
    TooDeep,
    TrailingBytes,
    Truncated,
)
from deepshard.primitives.codec.fixed_bytes import H160, H256, H512, AccountId32, FixedBytes
from deepshard.primitives.codec.markers import COMPACT, ONE_BYTE, Compact, FixedLen, OptionBool, Vec
from deepshard.primitives.codec.nodes import MAX_DEPTH
from deepshard.primitives.codec.result import Err, Ok, Result
from deepshard.primitives.codec.struct import Struct

__all__ = [
    # functions
    "encode",
    "decode",
    "decode_prefix",
    "infer_type",
    "codec_for",
    "Codec",
    "COMPACT_MAX",
    "encode_compact",
    "decode_compact",
    "MAX_DEPTH",
    # declarations and annotations
    "Struct",
    "Enum",
    "Compact",
    "COMPACT",
    "Vec",
    "FixedLen",
    "OptionBool",
    "ONE_BYTE",
    "FixedBytes",
    "H160",
    "H256",
    "H512",
    "AccountId32",
    "Result",
    "Ok",
    "Err",
    # descriptors
    "TypeKind",
    "TypeInfo",
    "FieldInfo",
    "VariantInfo",
    "TypeParam",
    # errors
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
