"""Fixed-size byte arrays (``[u8; N]``) with a name: `H256`, `AccountId32`, ...

A `FixedBytes` subclass is a `bytes` of exactly ``LENGTH`` bytes, checked on construction. It
encodes as its raw bytes (no length prefix). Declare new ones with a length and, when the type
is a named wrapper in Substrate, its type path (the metadata then shows a composite with one
``[u8; N]`` field under that path, exactly as scale-info does)::

    class H256(FixedBytes, length=32, type_path=("primitive_types", "H256")):
        '''A 256-bit hash.'''
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

__all__ = ["FixedBytes", "H160", "H256", "H512", "AccountId32"]


class FixedBytes(bytes):
    """Base of the fixed-length byte types; subclass it with ``length=N``."""

    LENGTH: ClassVar[int]
    """The exact number of bytes."""
    TYPE_PATH: ClassVar[tuple[str, ...]] = ()
    """Substrate type path of the named wrapper, or ``()`` for a bare ``[u8; N]``."""

    def __init_subclass__(
        cls, *, length: int, type_path: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if not isinstance(length, int) or length < 0:
            raise TypeError(f"{cls.__name__}: length must be a non-negative int")
        cls.LENGTH = length
        cls.TYPE_PATH = tuple(type_path)

    def __new__(cls, value: bytes | bytearray | memoryview = b"") -> Self:
        """Copy `value`, which must be exactly `LENGTH` bytes (default: all zeros).

        Raises:
            TypeError: `value` is not bytes-like (a `str` is refused: use `from_hex`).
            ValueError: `value` has the wrong length.
        """
        if not value and cls.LENGTH:
            value = bytes(cls.LENGTH)
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"{cls.__name__} takes bytes, not {type(value).__name__}")
        if len(value) != cls.LENGTH:
            raise ValueError(f"{cls.__name__} needs {cls.LENGTH} bytes, got {len(value)}")
        return super().__new__(cls, value)

    @classmethod
    def from_hex(cls, text: str) -> Self:
        """Parse hex, with or without a ``0x`` prefix."""
        return cls(bytes.fromhex(text[2:] if text.startswith(("0x", "0X")) else text))

    def to_hex(self) -> str:
        """Return ``0x``-prefixed lowercase hex (the JSON-RPC form)."""
        return "0x" + self.hex()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_hex()})"


class H160(FixedBytes, length=20, type_path=("primitive_types", "H160")):
    """A 160-bit hash or Ethereum-style address."""


class H256(FixedBytes, length=32, type_path=("primitive_types", "H256")):
    """A 256-bit hash (block hashes, state roots)."""


class H512(FixedBytes, length=64, type_path=("primitive_types", "H512")):
    """A 512-bit hash."""


class AccountId32(FixedBytes, length=32, type_path=("sp_core", "crypto", "AccountId32")):
    """A 32-byte account identifier (an sr25519/ed25519 public key)."""
