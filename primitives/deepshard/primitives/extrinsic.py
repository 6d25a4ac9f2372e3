"""The extrinsic format v4 on the wire: `Era`, `MultiAddress`, `MultiSignature`, the envelope.

Introduction
------------
An encoded extrinsic is ``Compact<u32>(len(body)) ++ body`` where the body is

* unsigned: ``0x04 ++ call``;
* signed: ``0x84 ++ address ++ signature ++ extra ++ call``, with
  ``extra = era ++ Compact<u32>(nonce) ++ Compact<u128>(tip)`` (the signed extensions
  CheckMortality, CheckNonce and ChargeTransactionPayment; the others carry no bytes).

The call is ``pallet index ++ call index ++ arguments``. The envelope does not know the
runtime's calls: `UncheckedExtrinsic[C]` decodes the call as the type ``C`` the runtime supplies,
and ``UncheckedExtrinsic[bytes]`` keeps it as raw bytes (the rest of the body).

The signer signs ``call ++ extra ++ additional`` where
``additional = spec_version u32 ++ transaction_version u32 ++ genesis hash ++ mortality block
hash``; a payload longer than 256 bytes is replaced by its ``blake2_256`` (`signing_payload`).
The transaction hash is ``blake2_256`` of the whole encoding, length prefix included
(`UncheckedExtrinsic.hash`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Final, Generic, Self, TypeVar

from deepshard.primitives.codec import (
    H256,
    AccountId32,
    Codec,
    Compact,
    EncodeError,
    Enum,
    FixedBytes,
    FixedLen,
    InvalidValue,
    Struct,
    codec_for,
)
from deepshard.primitives.codec.codegen import Gen, Node
from deepshard.primitives.codec.compiler import node_for
from deepshard.primitives.codec.descriptors import (
    FieldInfo,
    TypeInfo,
    TypeKind,
    TypeParam,
    VariantInfo,
)
from deepshard.primitives.codec.nodes import emit_compact_length, emit_construct
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.numeric import U8, U32, U128

__all__ = [
    "EXTRINSIC_VERSION",
    "SIGNED_FLAG",
    "MAX_UNHASHED_PAYLOAD",
    "Era",
    "MultiAddress",
    "Id",
    "Index",
    "Raw",
    "Address32",
    "Address20",
    "Ed25519Signature",
    "Sr25519Signature",
    "EcdsaSignature",
    "MultiSignature",
    "Ed25519",
    "Sr25519",
    "Ecdsa",
    "ExtrinsicSignature",
    "UncheckedExtrinsic",
    "additional_signed",
    "signing_payload",
]

EXTRINSIC_VERSION: Final = 4
"""The extrinsic format version (the low 7 bits of the version byte)."""
SIGNED_FLAG: Final = 0x80
"""The version byte's top bit: set for signed extrinsics."""
MAX_UNHASHED_PAYLOAD: Final = 256
"""Signing payloads longer than this are signed as their blake2_256 hash."""

_U64_MAX = (1 << 64) - 1


# --- Era -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Era:
    """A transaction's validity window: immortal, or mortal for `period` blocks.

    A mortal era is a power-of-two `period` (4 ..= 65536) and a `phase` (the birth block
    modulo the period, quantised so that it fits the 12 bits left in the 2-byte encoding).
    ``Era()`` is the immortal era (encoded ``0x00``); build mortal ones with `Era.mortal`.
    """

    period: int = 0
    """Length of the window in blocks; 0 for immortal."""
    phase: int = 0
    """Birth block modulo `period`; 0 for immortal."""
    encoded: bytes = field(default=b"", init=False, repr=False, compare=False)
    """The wire bytes, computed once on construction."""

    def __post_init__(self) -> None:
        if self.period == 0 and self.phase == 0:
            object.__setattr__(self, "encoded", b"\x00")
            return
        period, phase = self.period, self.phase
        quantize = max(period >> 12, 1)
        if (
            not 4 <= period <= 1 << 16
            or period & (period - 1)
            or not 0 <= phase < period
            or phase % quantize
        ):
            raise ValueError(f"invalid mortal era (period {period}, phase {phase})")
        low = min(15, max(1, (period & -period).bit_length() - 2))
        object.__setattr__(self, "encoded", (low | (phase // quantize) << 4).to_bytes(2, "little"))

    @classmethod
    def immortal(cls) -> Self:
        """Return the immortal era."""
        return cls()

    @classmethod
    def mortal(cls, period: int, current: int) -> Self:
        """Return the era of about `period` blocks that contains block `current`.

        As Substrate's ``Era::mortal``: the period is rounded up to a power of two in
        4..=65536 and the phase quantised to what the encoding can carry.
        """
        if period < 1:
            raise ValueError("an era period must be positive")
        rounded = 1 << (period - 1).bit_length()
        rounded = min(max(rounded, 4), 1 << 16)
        phase = current % rounded
        quantize = max(rounded >> 12, 1)
        return cls(rounded, phase // quantize * quantize)

    @property
    def is_immortal(self) -> bool:
        """Whether the era never expires."""
        return self.period == 0

    def birth(self, current: int) -> int:
        """Return the first block of the window that contains block `current`."""
        if self.period == 0:
            return 0
        return (max(current, self.phase) - self.phase) // self.period * self.period + self.phase

    def death(self, current: int) -> int:
        """Return the first block after the window (``2**64 - 1`` for immortal)."""
        if self.period == 0:
            return _U64_MAX
        return self.birth(current) + self.period

    def to_bytes(self) -> bytes:
        """Return the encoding: ``00`` immortal, else two bytes (see the module docs)."""
        return self.encoded

    @classmethod
    def from_u16(cls, encoded: int) -> Self:
        """Decode the two-byte mortal form (already read as a little-endian integer).

        Raises:
            ValueError: the period and phase it denotes are not valid.
        """
        period = 2 << (encoded % 16)
        quantize = max(period >> 12, 1)
        phase = (encoded >> 4) * quantize
        if period < 4 or phase >= period:
            raise ValueError(f"invalid era encoding {encoded:#06x}")
        return cls(period, phase)

    @classmethod
    def __scale_node__(cls, args: tuple[Any, ...]) -> Node:
        """Return the codec node of `Era`."""
        return _EraNode()


_IMMORTAL: Final = Era()


class _EraNode(Node):
    """`Era`: one byte for immortal, two for mortal; mortal eras are interned."""

    min_size = 1

    def __init__(self) -> None:
        u8 = node_for(U8).info
        self.info = TypeInfo(
            TypeKind.VARIANT,
            variants=(
                VariantInfo("Immortal", 0),
                *(
                    VariantInfo(f"Mortal{i}", i, (FieldInfo(None, u8, "u8"),))
                    for i in range(1, 256)
                ),
            ),
            path=("sp_runtime", "generic", "era", "Era"),
            python_type=Era,
        )
        self._mortal: dict[int, Era] = {}

    def _decode_mortal(self, encoded: int, pos: int) -> Era:
        era = self._mortal.get(encoded)
        if era is None:
            try:
                era = Era.from_u16(encoded)
            except ValueError as exc:
                raise InvalidValue(str(exc), pos) from None
            self._mortal[encoded] = era
        return era

    @staticmethod
    def _type_error(era: object) -> EncodeError:
        return EncodeError(f"expected an Era, got {type(era).__name__}")

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit the immortal fast path and the interned mortal lookup."""
        g.line("if pos >= end: raise _Truncated('expected an Era, input ended', pos)")
        first = g.var("b")
        g.line(f"{first} = data[pos]")
        with g.block(f"if {first} == 0:"):
            g.line(f"{out} = {g.const(_IMMORTAL, 'immortal')}")
            g.line("pos += 1")
        with g.block("else:"):
            g.need(2, "mortal Era")
            mortal = g.const(self._decode_mortal, "mortal")
            interned = g.const(self._mortal, "eras")
            encoded = g.var("e")
            g.line(f"{encoded} = {first} | data[pos + 1] << 8")
            g.line(f"{out} = {interned}.get({encoded})")
            g.line(f"if {out} is None: {out} = {mortal}({encoded}, pos)")
            g.line("pos += 2")

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the era's bytes."""
        with g.block(f"if {value}.__class__ is not {g.const(Era, 'era')}:"):
            g.line(f"raise {g.const(self._type_error, 'err')}({value})")
        g.line(f"w += {value}.encoded")


# --- MultiAddress --------------------------------------------------------------------------


class MultiAddress(
    Enum,
    type_path=("sp_runtime", "multiaddress", "MultiAddress"),
    type_params=(("AccountId", AccountId32), ("AccountIndex", U32)),
):
    """The address of an account, in one of several forms (FRAME uses `Id`)."""


class Id(MultiAddress, index=0, unnamed=True):
    """An account id."""

    account: AccountId32


class Index(MultiAddress, index=1, unnamed=True):
    """An account index (compact)."""

    index: Compact[U32]


class Raw(MultiAddress, index=2, unnamed=True):
    """Raw bytes."""

    data: bytes


class Address32(MultiAddress, index=3, unnamed=True):
    """A 32-byte address that is not an `AccountId32`."""

    data: Annotated[bytes, FixedLen(32)]


class Address20(MultiAddress, index=4, unnamed=True):
    """A 20-byte address (e.g. Ethereum-style)."""

    data: Annotated[bytes, FixedLen(20)]


# --- MultiSignature ------------------------------------------------------------------------


class Ed25519Signature(FixedBytes, length=64, type_path=("sp_core", "ed25519", "Signature")):
    """An ed25519 signature."""


class Sr25519Signature(FixedBytes, length=64, type_path=("sp_core", "sr25519", "Signature")):
    """An sr25519 (schnorrkel) signature."""


class EcdsaSignature(FixedBytes, length=65, type_path=("sp_core", "ecdsa", "Signature")):
    """A secp256k1 ECDSA signature with recovery byte."""


class MultiSignature(Enum, type_path=("sp_runtime", "MultiSignature")):
    """A signature of one of the supported schemes; the index is the key type."""


class Ed25519(MultiSignature, index=0, unnamed=True):
    """An ed25519 signature."""

    signature: Ed25519Signature


class Sr25519(MultiSignature, index=1, unnamed=True):
    """An sr25519 signature."""

    signature: Sr25519Signature


class Ecdsa(MultiSignature, index=2, unnamed=True):
    """An ECDSA signature."""

    signature: EcdsaSignature


# --- The envelope --------------------------------------------------------------------------


class ExtrinsicSignature(Struct, type_path=("deepshard", "primitives", "ExtrinsicSignature")):
    """The signed part of an extrinsic: who signed, the signature, and the signed extra."""

    address: MultiAddress
    """The signer."""
    signature: MultiSignature
    """The signature over `signing_payload`."""
    era: Era
    """Validity window (CheckMortality)."""
    nonce: Compact[U32]
    """The signer's nonce (CheckNonce)."""
    tip: Compact[U128]
    """Tip for the block author (ChargeTransactionPayment)."""

    def extra(self) -> bytes:
        """Return the encoded signed extra: ``era ++ Compact(nonce) ++ Compact(tip)``."""
        return encode_extra(self.era, self.nonce, self.tip)


_C = TypeVar("_C")


@dataclass(frozen=True, slots=True)
class UncheckedExtrinsic(Generic[_C]):
    """An extrinsic as it travels: optional signature plus the call.

    Annotate (or ask `codec_for`) with ``UncheckedExtrinsic[CallType]``; ``UncheckedExtrinsic``
    alone, like ``UncheckedExtrinsic[bytes]``, keeps the call as raw bytes.
    """

    signature: ExtrinsicSignature | None
    """None for an unsigned (inherent or unsigned-validated) extrinsic."""
    call: _C
    """The call: a value of the runtime's call type, or raw bytes."""

    __scale_declaration__: ClassVar[bool] = False

    @property
    def is_signed(self) -> bool:
        """Whether the extrinsic carries a signature."""
        return self.signature is not None

    def encode(self) -> bytes:
        """Return the full encoding, length prefix included (the call's class picks the codec).

        Raises:
            EncodeError: a part cannot be encoded.
        """
        try:
            codec = codec_for(UncheckedExtrinsic[type(self.call)])  # type: ignore[misc]
        except TypeError as exc:
            raise EncodeError(f"cannot encode the call: {exc}") from None
        return codec.encode(self)

    def hash(self) -> H256:
        """Return the transaction hash: blake2_256 of `encode`."""
        return H256(blake2_256(self.encode()))

    @classmethod
    def decode(
        cls, data: bytes | bytearray | memoryview, call: Any = bytes, *, exact: bool = True
    ) -> UncheckedExtrinsic[Any]:
        """Decode a length-prefixed extrinsic whose call has type `call` (default: raw bytes).

        Raises:
            DecodeError: the bytes are not a valid extrinsic of that call type.
        """
        value: UncheckedExtrinsic[Any] = codec_for(UncheckedExtrinsic[call]).decode(
            data, exact=exact
        )
        return value

    @classmethod
    def __scale_node__(cls, args: tuple[Any, ...]) -> Node:
        """Return the envelope node for call type ``args[0]`` (raw bytes when absent)."""
        call = args[0] if args else bytes
        return _ExtrinsicNode(None if call is bytes else node_for(call))


class _ExtrinsicNode(Node):
    """The length-prefixed v4 envelope around an (optional) signature and a call."""

    min_size = 2

    def __init__(self, call: Node | None) -> None:
        self.call = call
        self.signature = node_for(ExtrinsicSignature)
        bytes_info = node_for(bytes).info
        call_info = call.info if call is not None else bytes_info
        self.info = TypeInfo(
            TypeKind.COMPOSITE,
            fields=(FieldInfo(None, bytes_info, "Vec<u8>"),),
            path=("sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"),
            params=(
                TypeParam("Address", node_for(MultiAddress).info),
                TypeParam("Call", call_info),
                TypeParam("Signature", node_for(MultiSignature).info),
                TypeParam("Extra", None),
            ),
            python_type=UncheckedExtrinsic,
        )

    def label(self) -> str:
        """Return ``UncheckedExtrinsic``."""
        return "UncheckedExtrinsic"

    def emit_decode(self, g: Gen, out: str, checked: bool) -> None:  # noqa: ARG002 - protocol
        """Emit: length prefix, version byte, signature, call, then the exact-length check."""
        start, length, outer_end = g.var("p"), g.var("n"), g.var("end")
        signature, call, version = g.var("sig"), g.var("call"), g.var("ver")
        g.line(f"{start} = pos")
        emit_compact_length(g, length)
        g.line(
            f"if {length} > end - pos: raise _LengthTooLarge(f'extrinsic length {{{length}}} "
            f"exceeds the {{end - pos}} bytes left', {start})"
        )
        g.line(f"{outer_end} = end")
        g.line(f"end = pos + {length}")
        g.line("if pos >= end: raise _Truncated('extrinsic version byte missing', pos)")
        g.line(f"{version} = data[pos]")
        with g.block(f"if {version} == {SIGNED_FLAG | EXTRINSIC_VERSION}:"):
            g.line("pos += 1")
            self.signature.emit_decode(g, signature, True)
        with g.block(f"elif {version} == {EXTRINSIC_VERSION}:"):
            g.line("pos += 1")
            g.line(f"{signature} = None")
        with g.block("else:"):
            g.line(
                f"raise _InvalidVariant(f'unsupported extrinsic version byte {{{version}:#04x}}', "
                "pos)"
            )
        if self.call is None:
            g.line(f"{call} = data[pos:end]")
            g.line("pos = end")
        else:
            self.call.emit_decode(g, call, True)
            g.line(
                "if pos != end: raise _TrailingBytes(f'{end - pos} bytes left in the extrinsic "
                "after its call', pos)"
            )
        g.line(f"end = {outer_end}")
        emit_construct(g, out, UncheckedExtrinsic, ("signature", "call"), (signature, call))

    def emit_encode(self, g: Gen, value: str) -> None:
        """Emit the body into a scratch buffer, then its length and the body."""
        outer, signature, call = g.var("w"), g.var("sig"), g.var("call")
        cls = g.const(UncheckedExtrinsic, "xt")
        with g.block(f"if {value}.__class__ is not {cls}:"):
            g.line(f"raise {g.const(_type_error, 'err')}({value})")
        g.line(f"{outer} = w")
        g.line("w = bytearray()")
        g.line(f"{signature} = {value}.signature")
        with g.block(f"if {signature} is None:"):
            g.line(f"w += {bytes((EXTRINSIC_VERSION,))!r}")
        with g.block("else:"):
            g.line(f"w += {bytes((SIGNED_FLAG | EXTRINSIC_VERSION,))!r}")
            self.signature.emit_encode(g, signature)
        g.line(f"{call} = {value}.call")
        if self.call is None:
            with g.block(f"if {call}.__class__ is _str:"):
                g.line(f"raise {g.const(_type_error, 'err')}({call})")
            g.line(f"w += {call}")
        else:
            self.call.emit_encode(g, call)
        g.line(f"{outer} += _ecomp(_len(w))")
        g.line(f"{outer} += w")
        g.line(f"w = {outer}")


def _type_error(value: object) -> EncodeError:
    return EncodeError(f"expected an UncheckedExtrinsic (or raw call bytes), got {value!r:.80}")


# --- Signing -------------------------------------------------------------------------------


def encode_extra(era: Era, nonce: int, tip: int) -> bytes:
    """Return the signed extra: ``era ++ Compact<u32>(nonce) ++ Compact<u128>(tip)``."""
    nonce_codec, tip_codec = _extra_codecs()
    return era.to_bytes() + nonce_codec.encode(nonce) + tip_codec.encode(tip)


@functools.cache
def _extra_codecs() -> tuple[Codec[Any], Codec[Any]]:
    """The codecs of the nonce and the tip, looked up once (every signature check needs them)."""
    return codec_for(Compact[U32]), codec_for(Compact[U128])


def additional_signed(
    spec_version: int, transaction_version: int, genesis_hash: bytes, block_hash: bytes
) -> bytes:
    """Return the implicit (signed but not transmitted) data of the standard extensions.

    `block_hash` is the genesis hash for an immortal era, the birth block's hash otherwise.
    """
    if len(genesis_hash) != 32 or len(block_hash) != 32:
        raise EncodeError("genesis and block hashes must be 32 bytes")
    return (
        spec_version.to_bytes(4, "little")
        + transaction_version.to_bytes(4, "little")
        + bytes(genesis_hash)
        + bytes(block_hash)
    )


def signing_payload(call: bytes, extra: bytes, additional: bytes) -> bytes:
    """Return what the signer signs: ``call ++ extra ++ additional``, hashed if over 256 bytes."""
    payload = call + extra + additional
    return blake2_256(payload) if len(payload) > MAX_UNHASHED_PAYLOAD else payload
