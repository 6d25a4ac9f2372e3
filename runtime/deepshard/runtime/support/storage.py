"""Declarative storage items: `StorageValue`, `StorageMap`, `StorageDoubleMap`, `StorageNMap`.

Introduction
------------
A pallet declares storage as annotated class attributes, as FRAME's ``#[pallet::storage]``::

    class Balances(Pallet, ...):
        total_issuance: StorageValue[U128, ValueQuery] = storage(default=U128(0), doc="...")
        locks: StorageMap[AccountId32, Vec[BalanceLock], ValueQuery] = storage(
            hasher=StorageHasher.BLAKE2_128_CONCAT, default=(), doc="..."
        )

The annotation gives the key and value types (and so their SCALE codecs and metadata types);
the query kind says what `get` returns for an absent key: the declared default
(`ValueQuery`) or None (`OptionQuery`). The storage key of an entry is
``twox128(pallet) ++ twox128(Item) ++ hasher_1(SCALE(k_1)) ++ ...``; the item's metadata name
is the attribute name in PascalCase unless ``name=`` overrides it.

Read through a pallet instance, an item is bound to that instance's storage overlay; all reads
and writes go through the overlay and so take part in transactional rollback.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, Self, TypeVar, overload

from deepshard.primitives.codec import Codec, Enum, Struct, codec_for
from deepshard.primitives.codec.declare import resolve_fields
from deepshard.primitives.hashing import StorageHasher, twox_128
from deepshard.primitives.numeric import FixedPointNumber, PerThing

if TYPE_CHECKING:
    from deepshard.runtime.support.overlay import Overlay

__all__ = [
    "RuntimeType",
    "ValueQuery",
    "OptionQuery",
    "StorageSpec",
    "storage",
    "StorageItem",
    "StorageValue",
    "StorageMap",
    "StorageDoubleMap",
    "StorageNMap",
    "pascal_case",
]

K = TypeVar("K")
K2 = TypeVar("K2")
V = TypeVar("V")
Q = TypeVar("Q")


class RuntimeType:
    """Base of annotations that stand for a type only the composed runtime knows.

    FRAME pallets are generic over ``T::RuntimeCall`` and ``T::RuntimeEvent``; a Python pallet
    names such a type with a subclass of this marker, and the `Runtime` substitutes its own
    concrete type (in call arguments, in metadata). A storage item whose value is a runtime
    type has no codec of its own: the pallet reads and writes its raw bytes.
    """

    DEFAULT_BYTES: ClassVar[bytes] = b""
    """The encoded default value, for metadata."""


class ValueQuery:
    """Query kind: an absent entry reads as the item's declared default."""


class OptionQuery:
    """Query kind: an absent entry reads as None."""


_NO_DEFAULT: Any = object()


@dataclass(frozen=True, slots=True)
class StorageSpec:
    """What `storage(...)` records at declaration time, before the annotation is resolved."""

    default: Any
    """Value of an absent entry (ValueQuery only)."""
    hashers: tuple[StorageHasher, ...]
    """One hasher per key, in key order."""
    name: str | None
    """Metadata name override."""
    doc: str
    """Documentation shown in metadata."""


def storage(
    *,
    default: Any = _NO_DEFAULT,
    hasher: StorageHasher | None = None,
    hashers: tuple[StorageHasher, ...] = (),
    name: str | None = None,
    doc: str,
) -> Any:
    """Declare a storage item (the value of an annotated pallet attribute).

    Args:
        default: Value an absent entry reads as; required for `ValueQuery`, refused otherwise.
        hasher: The hasher of a single-key map.
        hashers: The hashers of a double map or n-map, one per key.
        name: Metadata name, if not the attribute name in PascalCase.
        doc: Documentation, shown in metadata.
    """
    if hasher is not None:
        if hashers:
            raise TypeError("give either hasher= or hashers=, not both")
        hashers = (hasher,)
    return StorageSpec(default, hashers, name, doc)


def pascal_case(snake: str) -> str:
    """Return ``snake_case`` as ``PascalCase`` (FRAME's storage item naming)."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


class StorageItem:
    """Common part of the storage descriptors: names, prefix, codecs and binding.

    An item is first *declared* (class attribute, unbound) and then *bound* to a pallet
    instance's overlay when read through that instance (a bound copy is cached on the
    instance).
    """

    KIND: ClassVar[str] = ""
    KEY_COUNT: ClassVar[int] = 0

    __slots__ = (
        "_decoded",
        "_default",
        "_default_bytes",
        "_key_codecs",
        "_map_keys",
        "_overlay",
        "_prefix",
        "_shares_values",
        "_value_codec",
        "attribute",
        "doc",
        "hashers",
        "key_types",
        "name",
        "pallet_name",
        "query",
        "value_type",
    )

    def __init__(  # noqa: PLR0917 - built only by resolve_storage
        self,
        spec: StorageSpec,
        attribute: str,
        pallet_name: str,
        key_types: tuple[Any, ...],
        value_type: Any,
        query: type,
    ) -> None:
        where = f"{pallet_name}.{attribute}"
        if len(key_types) != self.KEY_COUNT and self.KEY_COUNT >= 0:
            raise TypeError(f"{where}: {self.KIND} takes {self.KEY_COUNT} key type(s)")
        if len(spec.hashers) != len(key_types):
            raise TypeError(f"{where}: needs exactly one hasher per key ({len(key_types)})")
        if query is ValueQuery and spec.default is _NO_DEFAULT:
            raise TypeError(f"{where}: a ValueQuery item needs default=")
        if query is OptionQuery and spec.default is not _NO_DEFAULT:
            raise TypeError(f"{where}: an OptionQuery item reads as None; drop default=")
        if query not in (ValueQuery, OptionQuery):
            raise TypeError(f"{where}: the query kind must be ValueQuery or OptionQuery")
        self.attribute = attribute
        self.pallet_name = pallet_name
        self.name = spec.name or pascal_case(attribute)
        self.doc = spec.doc
        self.hashers = spec.hashers
        self.key_types = key_types
        self.value_type = value_type
        self.query = query
        self._prefix = twox_128(pallet_name.encode()) + twox_128(self.name.encode())
        self._key_codecs: tuple[Codec[Any], ...] = tuple(codec_for(t) for t in key_types)
        self._default = None if query is OptionQuery else spec.default
        if isinstance(value_type, type) and issubclass(value_type, RuntimeType):
            self._value_codec = _RAW_BYTES
            self._default_bytes = b"\x00" if query is OptionQuery else value_type.DEFAULT_BYTES
        else:
            self._value_codec = codec_for(value_type)
            try:
                self._default_bytes = (
                    b"\x00" if query is OptionQuery else self._value_codec.encode(spec.default)
                )
            except ValueError as error:
                raise TypeError(f"{where}: the default does not encode: {error}") from error
        self._shares_values = decodes_immutable(value_type)
        self._overlay: Overlay | None = None
        self._decoded: dict[bytes, tuple[bytes, Any]] | None = None
        self._map_keys: dict[tuple[type, Any], bytes] | None = None

    # --- binding ---------------------------------------------------------------------------

    def bound(self, overlay: Overlay) -> Self:
        """Return a copy of this item that reads and writes through `overlay`."""
        clone = object.__new__(type(self))
        for slot in StorageItem.__slots__:
            object.__setattr__(clone, slot, getattr(self, slot))
        clone._overlay = overlay
        clone._decoded = {} if self._shares_values else None
        clone._map_keys = {}
        return clone

    def __get__(self, instance: Any, owner: type) -> Self:
        if instance is None:
            return self
        bound = self.bound(instance.ctx.overlay)
        instance.__dict__[self.attribute] = bound
        return bound

    @property
    def prefix(self) -> bytes:
        """``twox128(pallet) ++ twox128(item)``: the prefix of every key of this item."""
        return self._prefix

    @property
    def default_bytes(self) -> bytes:
        """The metadata ``default``: the encoded default (ValueQuery) or ``0x00`` (None)."""
        return self._default_bytes

    @property
    def value_codec(self) -> Any:
        """The compiled codec of the value type."""
        return self._value_codec

    def _ov(self) -> Overlay:
        overlay = self._overlay
        if overlay is None:
            raise RuntimeError(
                f"{self.pallet_name}.{self.attribute} is not bound: "
                "read it through a pallet instance"
            )
        return overlay

    def _read(self, key: bytes) -> Any:
        raw = self._ov().get(key)
        if raw is None:
            return self._default
        decoded = self._decoded
        if decoded is None:
            return self._value_codec.decode(raw)
        # Values of immutable types are decoded once per stored encoding: the overlay hands
        # back the same bytes object until the entry is written again.
        known = decoded.get(key)
        if known is not None and known[0] is raw:
            return known[1]
        value = self._value_codec.decode(raw)
        decoded[key] = (raw, value)
        return value

    def _write(self, key: bytes, value: Any) -> None:
        self._ov().set(key, self._value_codec.encode(value))

    def _hashed(self, index: int, key: Any) -> bytes:
        return self.hashers[index].hash(self._key_codecs[index].encode(key))

    def _map_key(self, key: Any) -> bytes:
        """The storage key of a single-key map entry, hashed once per key and binding."""
        keys = self._map_keys
        if keys is None:  # declared, not bound: nothing to remember it in
            return self._prefix + self._hashed(0, key)
        tagged = (key.__class__, key)
        try:
            known = keys.get(tagged)
        except TypeError:  # an unhashable key value: hash it every time
            return self._prefix + self._hashed(0, key)
        if known is None:
            known = keys[tagged] = self._prefix + self._hashed(0, key)
        return known

    def _decode_key_suffix(self, suffix: bytes, first: int) -> tuple[Any, ...] | None:
        """Decode keys `first`.. from the part of a storage key after the hashed earlier keys."""
        keys = []
        offset = 0
        for index in range(first, len(self.hashers)):
            hasher = self.hashers[index]
            if not hasher.is_concat:
                return None
            offset += hasher.hash_length
            key, offset = self._key_codecs[index].decode_prefix(suffix, offset)
            keys.append(key)
        return tuple(keys)


class _RawBytesCodec:
    """Stands in for the value codec of runtime-typed items: values are the raw bytes."""

    __slots__ = ()

    @staticmethod
    def encode(value: bytes) -> bytes:
        """Return `value` unchanged."""
        return value

    @staticmethod
    def decode(data: bytes) -> bytes:
        """Return `data` unchanged."""
        return data


_RAW_BYTES: Any = _RawBytesCodec()


class StorageValue(StorageItem, Generic[V, Q]):
    """A single value: ``StorageValue[V, ValueQuery | OptionQuery]``."""

    KIND = "StorageValue"
    KEY_COUNT = 0
    __slots__ = ()

    def key(self) -> bytes:
        """The storage key."""
        return self._prefix

    @overload
    def get(self: StorageValue[V, ValueQuery]) -> V: ...
    @overload
    def get(self: StorageValue[V, OptionQuery]) -> V | None: ...
    def get(self) -> Any:
        """Return the value (the default or None when absent, by query kind)."""
        return self._read(self._prefix)

    def put(self, value: V) -> None:
        """Store `value`."""
        self._write(self._prefix, value)

    def kill(self) -> None:
        """Remove the value."""
        self._ov().delete(self._prefix)

    def exists(self) -> bool:
        """Whether a value is stored."""
        return self._ov().contains(self._prefix)

    def take(self) -> Any:
        """Remove the value and return what `get` returned before."""
        value = self._read(self._prefix)
        self.kill()
        return value

    def mutate(self, update: Callable[[Any], V]) -> V:
        """Store ``update(get())`` and return it."""
        value = update(self._read(self._prefix))
        self._write(self._prefix, value)
        return value


class StorageMap(StorageItem, Generic[K, V, Q]):
    """A map with one hashed key: ``StorageMap[K, V, ValueQuery | OptionQuery]``."""

    KIND = "StorageMap"
    KEY_COUNT = 1
    __slots__ = ()

    def key(self, key: K) -> bytes:
        """The storage key of `key`'s entry."""
        return self._map_key(key)

    @overload
    def get(self: StorageMap[K, V, ValueQuery], key: K) -> V: ...
    @overload
    def get(self: StorageMap[K, V, OptionQuery], key: K) -> V | None: ...
    def get(self, key: K) -> Any:
        """Return the entry at `key` (the default or None when absent, by query kind)."""
        return self._read(self._map_key(key))

    def insert(self, key: K, value: V) -> None:
        """Store `value` at `key`."""
        self._write(self._map_key(key), value)

    def remove(self, key: K) -> None:
        """Remove the entry at `key`."""
        self._ov().delete(self._map_key(key))

    def contains_key(self, key: K) -> bool:
        """Whether an entry exists at `key`."""
        return self._ov().contains(self._map_key(key))

    def take(self, key: K) -> Any:
        """Remove the entry at `key` and return what `get` returned before."""
        raw_key = self._map_key(key)
        value = self._read(raw_key)
        self._ov().delete(raw_key)
        return value

    def mutate(self, key: K, update: Callable[[Any], V]) -> V:
        """Store ``update(get(key))`` at `key` and return it."""
        raw_key = self._map_key(key)
        value = update(self._read(raw_key))
        self._write(raw_key, value)
        return value

    def iter(self) -> Iterator[tuple[K, V]]:
        """Yield ``(key, value)`` for every entry, in storage-key order.

        Raises:
            TypeError: the hasher does not keep the key (only ``*Concat`` and ``Identity`` do).
        """
        overlay = self._ov()
        start = len(self._prefix)
        for raw_key in overlay.iter_keys(self._prefix):
            keys = self._decode_key_suffix(raw_key[start:], 0)
            if keys is None:
                raise TypeError(f"{self.name}: its hasher does not allow iterating keys")
            raw = overlay.get(raw_key)
            if raw is not None:
                yield keys[0], self._value_codec.decode(raw)

    def clear(self, limit: int | None = None) -> int:
        """Remove up to `limit` entries (all by default); return how many were removed."""
        return self._ov().clear_prefix(self._prefix, limit)


class StorageDoubleMap(StorageItem, Generic[K, K2, V, Q]):
    """A map with two hashed keys: ``StorageDoubleMap[K1, K2, V, ValueQuery | OptionQuery]``."""

    KIND = "StorageDoubleMap"
    KEY_COUNT = 2
    __slots__ = ()

    def key(self, key1: K, key2: K2) -> bytes:
        """The storage key of the entry at ``(key1, key2)``."""
        return self._prefix + self._hashed(0, key1) + self._hashed(1, key2)

    @overload
    def get(self: StorageDoubleMap[K, K2, V, ValueQuery], key1: K, key2: K2) -> V: ...
    @overload
    def get(self: StorageDoubleMap[K, K2, V, OptionQuery], key1: K, key2: K2) -> V | None: ...
    def get(self, key1: K, key2: K2) -> Any:
        """Return the entry at ``(key1, key2)`` (default or None when absent)."""
        return self._read(self.key(key1, key2))

    def insert(self, key1: K, key2: K2, value: V) -> None:
        """Store `value` at ``(key1, key2)``."""
        self._write(self.key(key1, key2), value)

    def remove(self, key1: K, key2: K2) -> None:
        """Remove the entry at ``(key1, key2)``."""
        self._ov().delete(self.key(key1, key2))

    def contains_key(self, key1: K, key2: K2) -> bool:
        """Whether an entry exists at ``(key1, key2)``."""
        return self._ov().contains(self.key(key1, key2))

    def take(self, key1: K, key2: K2) -> Any:
        """Remove the entry at ``(key1, key2)`` and return what `get` returned before."""
        raw_key = self.key(key1, key2)
        value = self._read(raw_key)
        self._ov().delete(raw_key)
        return value

    def mutate(self, key1: K, key2: K2, update: Callable[[Any], V]) -> V:
        """Store ``update(get(key1, key2))`` and return it."""
        raw_key = self.key(key1, key2)
        value = update(self._read(raw_key))
        self._write(raw_key, value)
        return value

    def iter_prefix(self, key1: K) -> Iterator[tuple[K2, V]]:
        """Yield ``(key2, value)`` for every entry under `key1`, in storage-key order."""
        overlay = self._ov()
        prefix = self._prefix + self._hashed(0, key1)
        start = len(prefix)
        for raw_key in overlay.iter_keys(prefix):
            keys = self._decode_key_suffix(raw_key[start:], 1)
            if keys is None:
                raise TypeError(f"{self.name}: its second hasher does not keep the key")
            raw = overlay.get(raw_key)
            if raw is not None:
                yield keys[0], self._value_codec.decode(raw)

    def clear_prefix(self, key1: K, limit: int | None = None) -> int:
        """Remove up to `limit` entries under `key1`; return how many were removed."""
        return self._ov().clear_prefix(self._prefix + self._hashed(0, key1), limit)

    def iter(self) -> Iterator[tuple[K, K2, V]]:
        """Yield ``(key1, key2, value)`` for every entry, in storage-key order.

        Raises:
            TypeError: a hasher does not keep its key (only ``*Concat`` and ``Identity`` do).
        """
        overlay = self._ov()
        start = len(self._prefix)
        for raw_key in overlay.iter_keys(self._prefix):
            keys = self._decode_key_suffix(raw_key[start:], 0)
            if keys is None:
                raise TypeError(f"{self.name}: its hashers do not allow iterating keys")
            raw = overlay.get(raw_key)
            if raw is not None:
                yield keys[0], keys[1], self._value_codec.decode(raw)


class StorageNMap(StorageItem, Generic[K, V, Q]):
    """A map keyed by a tuple: ``StorageNMap[tuple[K1, ..., Kn], V, ValueQuery | OptionQuery]``.

    Each tuple element is hashed with its own hasher.
    """

    KIND = "StorageNMap"
    KEY_COUNT = -1
    __slots__ = ()

    def key(self, keys: K) -> bytes:
        """The storage key of the entry at the key tuple `keys`."""
        parts = typing.cast(tuple[Any, ...], keys)
        if len(parts) != len(self.hashers):
            raise TypeError(f"{self.name} takes {len(self.hashers)} keys, got {len(parts)}")
        return self._prefix + b"".join(self._hashed(i, k) for i, k in enumerate(parts))

    @overload
    def get(self: StorageNMap[K, V, ValueQuery], keys: K) -> V: ...
    @overload
    def get(self: StorageNMap[K, V, OptionQuery], keys: K) -> V | None: ...
    def get(self, keys: K) -> Any:
        """Return the entry at `keys` (default or None when absent)."""
        return self._read(self.key(keys))

    def insert(self, keys: K, value: V) -> None:
        """Store `value` at `keys`."""
        self._write(self.key(keys), value)

    def remove(self, keys: K) -> None:
        """Remove the entry at `keys`."""
        self._ov().delete(self.key(keys))

    def contains_key(self, keys: K) -> bool:
        """Whether an entry exists at `keys`."""
        return self._ov().contains(self.key(keys))


_IMMUTABLE_LEAVES: Final = (int, bytes, str, FixedPointNumber, PerThing, RuntimeType)
"""Value types that are immutable by construction (bool and enum.IntEnum are ints)."""


def decodes_immutable(annotation: Any, _seen: frozenset[Any] = frozenset()) -> bool:
    """Whether every value of the type `annotation` decodes to an immutable object.

    True for integers, booleans, byte strings, strings, runtime types (raw bytes), tuples,
    options and codec structs and enums built only from such types; False for anything that
    may hold a list, dict or set, and for anything not recognised. Only then may a decoded
    value be handed to several readers.
    """
    if annotation in _seen:
        return True  # a recursive type: immutable if the rest of it is
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return decodes_immutable(args[0], _seen)
    if origin is tuple or origin is typing.Union or origin is types.UnionType:
        return all(decodes_immutable(a, _seen) for a in args if a is not Ellipsis)
    if origin is not None or not isinstance(annotation, type):
        return False
    if annotation is type(None) or issubclass(annotation, _IMMUTABLE_LEAVES):
        return True
    seen = _seen | {annotation}
    if issubclass(annotation, Struct):
        return _fields_immutable(annotation, seen)
    if issubclass(annotation, Enum):
        root = annotation.enum_class()
        members = root.variants().values() if annotation is root else (annotation,)
        return all(_fields_immutable(member, seen | {member}) for member in members)
    return False


def _fields_immutable(cls: type, seen: frozenset[Any]) -> bool:
    """Whether `cls` is a frozen codec dataclass whose fields all decode immutable."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen:
        return False
    fields = resolve_fields(cls, strict=True)  # type: ignore[arg-type]
    return fields is not None and all(decodes_immutable(a, seen) for a in fields.values())


def resolve_storage(
    spec: StorageSpec, attribute: str, pallet_name: str, annotation: Any
) -> StorageItem:
    """Build the concrete storage descriptor for a resolved annotation.

    Raises:
        TypeError: the annotation is not a supported storage type, or disagrees with the spec.
    """
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    where = f"{pallet_name}.{attribute}"
    if origin is StorageValue and len(args) == 2:
        return StorageValue(spec, attribute, pallet_name, (), args[0], args[1])
    if origin is StorageMap and len(args) == 3:
        return StorageMap(spec, attribute, pallet_name, (args[0],), args[1], args[2])
    if origin is StorageDoubleMap and len(args) == 4:
        return StorageDoubleMap(spec, attribute, pallet_name, args[:2], args[2], args[3])
    if origin is StorageNMap and len(args) == 3:
        if typing.get_origin(args[0]) is not tuple:
            raise TypeError(f"{where}: StorageNMap keys must be a tuple[...] of key types")
        keys = typing.get_args(args[0])
        return StorageNMap(spec, attribute, pallet_name, keys, args[1], args[2])
    raise TypeError(
        f"{where}: annotate storage as StorageValue[V, Q], StorageMap[K, V, Q], "
        f"StorageDoubleMap[K1, K2, V, Q] or StorageNMap[tuple[...], V, Q]; got {annotation!r}"
    )
