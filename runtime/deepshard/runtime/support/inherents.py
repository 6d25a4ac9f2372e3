"""Inherents: data the block author puts into a block, and how pallets turn it into calls.

Introduction
------------
An *inherent* is an unsigned extrinsic the block author adds at the start of every block (the
timestamp is the classic one). Substrate's pipeline, which Deepshard follows:

1. the node's inherent data providers fill an `InherentData`: a map from 8-byte identifiers
   (``b"timstap0"``) to SCALE-encoded values (``sp_inherents::InherentData``);
2. ``BlockBuilder_inherent_extrinsics(InherentData)`` asks every pallet that provides an
   inherent (`ProvideInherent`) for its call (`ProvideInherent.create_inherent`), and the
   author applies those calls first;
3. ``BlockBuilder_check_inherents(block, InherentData)`` lets an importing node check each
   inherent against *its own* inherent data (`ProvideInherent.check_inherent`), collecting
   failures in a `CheckInherentsResult`.

Wire form (both as Substrate): `InherentData` is ``BTreeMap<[u8; 8], Vec<u8>>`` -- a compact
count, then each identifier and its length-prefixed value bytes, in identifier order;
`CheckInherentsResult` is ``okay: bool, fatal_error: bool, errors: InherentData``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Final, Protocol, runtime_checkable

from deepshard.primitives.codec import DecodeError, decode, decode_compact, encode, encode_compact

__all__ = [
    "INHERENT_IDENTIFIER_LENGTH",
    "InherentDataError",
    "InherentData",
    "InherentError",
    "CheckInherentsResult",
    "ProvideInherent",
]

INHERENT_IDENTIFIER_LENGTH: Final = 8
"""Bytes of an inherent identifier (``sp_inherents::InherentIdentifier = [u8; 8]``)."""


class InherentDataError(ValueError):
    """Inherent data is missing an entry, has a malformed one, or repeats an identifier."""


def _check_identifier(identifier: bytes) -> bytes:
    if not isinstance(identifier, bytes) or len(identifier) != INHERENT_IDENTIFIER_LENGTH:
        raise InherentDataError(
            f"an inherent identifier is {INHERENT_IDENTIFIER_LENGTH} bytes, got {identifier!r}"
        )
    return bytes(identifier)


class InherentData:
    """Inherent data: SCALE-encoded values by 8-byte identifier (``sp_inherents::InherentData``).

    Iteration and the encoding follow identifier order, never insertion order.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[bytes, bytes] | None = None) -> None:
        """Start with `data`: identifier -> already-encoded value bytes.

        Raises:
            InherentDataError: an identifier is not 8 bytes.
        """
        self._data: dict[bytes, bytes] = {}
        for identifier, value in (data or {}).items():
            self._data[_check_identifier(identifier)] = bytes(value)

    # --- writing -------------------------------------------------------------------------------

    def put_data(self, identifier: bytes, value: Any, type_: Any = None) -> None:
        """Store `value` (SCALE-encoded as `type_`, or as its own type) under `identifier`.

        Raises:
            InherentDataError: `identifier` already has data (Substrate's ``DataExists``).
        """
        key = _check_identifier(identifier)
        if key in self._data:
            raise InherentDataError(f"inherent data for {key!r} already exists")
        self._data[key] = encode(value, type_)

    def put_raw(self, identifier: bytes, encoded: bytes) -> None:
        """Store already-encoded bytes under `identifier`.

        Raises:
            InherentDataError: `identifier` already has data.
        """
        key = _check_identifier(identifier)
        if key in self._data:
            raise InherentDataError(f"inherent data for {key!r} already exists")
        self._data[key] = bytes(encoded)

    def replace_data(self, identifier: bytes, value: Any, type_: Any = None) -> None:
        """Store `value` under `identifier`, replacing any data already there."""
        self._data[_check_identifier(identifier)] = encode(value, type_)

    # --- reading -------------------------------------------------------------------------------

    def get_raw(self, identifier: bytes) -> bytes | None:
        """Return the encoded value under `identifier`, or None."""
        return self._data.get(_check_identifier(identifier))

    def get_data(self, identifier: bytes, type_: Any) -> Any:
        """Return the value under `identifier` decoded as `type_`, or None if there is none.

        Raises:
            InherentDataError: the bytes do not decode as `type_` (exactly).
        """
        raw = self.get_raw(identifier)
        if raw is None:
            return None
        try:
            return decode(type_, raw)
        except DecodeError as error:
            raise InherentDataError(
                f"inherent data for {identifier!r} is not a valid {type_!r}: {error}"
            ) from error

    def identifiers(self) -> tuple[bytes, ...]:
        """Every identifier, in order."""
        return tuple(sorted(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._data

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.identifiers())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InherentData):
            return NotImplemented
        return self._data == other._data

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        entries = ", ".join(f"{k!r}: 0x{self._data[k].hex()}" for k in self.identifiers())
        return f"InherentData({{{entries}}})"

    # --- SCALE ---------------------------------------------------------------------------------

    def encode(self) -> bytes:
        """Return the SCALE encoding (``BTreeMap<[u8; 8], Vec<u8>>``)."""
        out = bytearray(encode_compact(len(self._data)))
        for identifier in self.identifiers():
            value = self._data[identifier]
            out += identifier + encode_compact(len(value)) + value
        return bytes(out)

    @classmethod
    def decode(cls, data: bytes) -> InherentData:
        """Decode the SCALE encoding (exactly; no trailing bytes).

        Raises:
            InherentDataError: the bytes are malformed or repeat an identifier.
        """
        try:
            count, offset = decode_compact(data, 0)
            entries: dict[bytes, bytes] = {}
            for _ in range(count):
                identifier = data[offset : offset + INHERENT_IDENTIFIER_LENGTH]
                if len(identifier) != INHERENT_IDENTIFIER_LENGTH:
                    raise InherentDataError("inherent data is truncated")
                offset += INHERENT_IDENTIFIER_LENGTH
                length, offset = decode_compact(data, offset)
                value = data[offset : offset + length]
                if len(value) != length:
                    raise InherentDataError("inherent data is truncated")
                offset += length
                if identifier in entries:
                    raise InherentDataError(f"inherent data repeats {identifier!r}")
                entries[identifier] = value
        except DecodeError as error:
            raise InherentDataError(f"malformed inherent data: {error}") from error
        if offset != len(data):
            raise InherentDataError("inherent data has trailing bytes")
        return cls(entries)


class InherentError(Exception):
    """An inherent does not match the checking node's inherent data (``check_inherent``).

    Attributes:
        identifier: The providing pallet's inherent identifier.
        error: The pallet's error, SCALE-encoded (what goes into `CheckInherentsResult`).
        fatal: Whether the block must be rejected (Substrate's ``IsFatalError``).
    """

    def __init__(self, identifier: bytes, error: bytes, *, fatal: bool, message: str) -> None:
        super().__init__(message)
        self.identifier = _check_identifier(identifier)
        self.error = bytes(error)
        self.fatal = fatal


class CheckInherentsResult:
    """The outcome of checking a block's inherents (``sp_inherents::CheckInherentsResult``)."""

    __slots__ = ("errors", "fatal_error", "okay")

    def __init__(
        self, okay: bool = True, fatal_error: bool = False, errors: InherentData | None = None
    ) -> None:
        self.okay = okay
        """Whether every inherent checked out."""
        self.fatal_error = fatal_error
        """Whether an error is fatal (the block must be rejected)."""
        self.errors = errors if errors is not None else InherentData()
        """The encoded errors, by the identifier of the pallet that reported them."""

    def put_error(self, error: InherentError) -> None:
        """Record `error` as Substrate does: a fatal error replaces all others and ends recording.

        Raises:
            InherentDataError: a fatal error was already recorded, or this identifier already
                has an error.
        """
        if self.fatal_error:
            raise InherentDataError("a fatal inherent error was already reported")
        if error.fatal:
            self.errors = InherentData()
        self.errors.put_raw(error.identifier, error.error)
        self.okay = False
        self.fatal_error = error.fatal

    def encode(self) -> bytes:
        """Return the SCALE encoding: ``okay``, ``fatal_error``, ``errors``."""
        return bytes((int(self.okay), int(self.fatal_error))) + self.errors.encode()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckInherentsResult):
            return NotImplemented
        return (self.okay, self.fatal_error, self.errors) == (
            other.okay,
            other.fatal_error,
            other.errors,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (
            f"CheckInherentsResult(okay={self.okay}, fatal_error={self.fatal_error}, "
            f"errors={self.errors!r})"
        )


@runtime_checkable
class ProvideInherent(Protocol):
    """A pallet that provides an inherent (FRAME's ``ProvideInherent``).

    The executive asks each pallet instance that has these members, in pallet-index order.
    """

    INHERENT_IDENTIFIER: ClassVar[bytes]
    """The 8-byte identifier of the pallet's inherent data."""
    INHERENT_CALL: ClassVar[str]
    """The name of the pallet's inherent call (e.g. ``"set"``)."""

    def create_inherent(self, data: InherentData) -> dict[str, Any] | None:
        """Return the arguments of the inherent call to put in the block, or None for none.

        Raises:
            InherentDataError: the pallet's entry is missing or malformed.
        """
        ...

    def check_inherent(self, arguments: Mapping[str, Any], data: InherentData) -> None:
        """Check the arguments of an inherent call found in a block against `data`.

        Raises:
            InherentError: the inherent does not match the data.
            InherentDataError: the pallet's entry is missing or malformed.
        """
        ...

    def is_inherent(self, call_name: str) -> bool:
        """Whether the pallet's call `call_name` is its inherent."""
        ...
