"""The pallet framework refuses bad declarations when the class is created, not at block 1."""

from __future__ import annotations

import pytest

from deepshard.primitives.codec import AccountId32, Enum
from deepshard.primitives.hashing import StorageHasher
from deepshard.primitives.numeric import U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import (
    OptionQuery,
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    Runtime,
    StorageMap,
    StorageValue,
    ValueQuery,
    call,
    constant,
    storage,
)


class Config(PalletConfig):
    """A config with one constant."""

    limit: U32 = constant(default=U32(7), doc="A limit.")


def _weight(w: object) -> Weight:
    del w
    return Weight.from_parts(1, 0)


def test_duplicate_call_indices_are_refused() -> None:
    with pytest.raises(TypeError, match="call index 0 is used by first"):

        class Twice(Pallet[Config], name="Twice", config=Config):
            @call(index=0, weight=_weight)
            def first(self, origin: Origin) -> None:
                """First."""

            @call(index=0, weight=_weight)
            def second(self, origin: Origin) -> None:
                """Second."""


def test_calls_need_origin_annotations_and_docs() -> None:
    with pytest.raises(TypeError, match="takes \\(self, origin"):

        class NoOrigin(Pallet[Config], name="NoOrigin", config=Config):
            @call(index=0, weight=_weight)
            def act(self, value: U32) -> None:
                """Act."""

    with pytest.raises(TypeError, match="needs a type annotation"):

        class NoType(Pallet[Config], name="NoType", config=Config):
            @call(index=0, weight=_weight)
            def act(self, origin: Origin, value) -> None:  # type: ignore[no-untyped-def]
                """Act."""

    with pytest.raises(TypeError, match="need a docstring"):

        class NoDoc(Pallet[Config], name="NoDoc", config=Config):
            @call(index=0, weight=_weight)
            def act(self, origin: Origin) -> None:
                pass

    with pytest.raises(TypeError, match="names unknown arguments"):

        class BadWeight(Pallet[Config], name="BadWeight", config=Config):
            @call(index=0, weight=lambda w, nope: Weight.zero())
            def act(self, origin: Origin) -> None:
                """Act."""


def test_error_variants_must_be_contiguous_and_unique() -> None:
    class Error(PalletError):
        """Errors."""

    class First(Error, index=0):
        """First."""

    class Third(Error, index=2):
        """Third."""

    with pytest.raises(TypeError, match="contiguous from 0"):

        class Gappy(Pallet[Config], name="Gappy", config=Config, error=Error):
            pass

    with pytest.raises(TypeError, match="already used by First"):

        class Again(Error, index=0):
            """Again."""

    with pytest.raises(TypeError, match="explicit index"):

        class Missing(Error):
            """Missing."""


def test_storage_declarations_are_checked() -> None:
    with pytest.raises(TypeError, match="ValueQuery item needs default"):

        class NoDefault(Pallet[Config], name="NoDefault", config=Config):
            value: StorageValue[U32, ValueQuery] = storage(doc="A value.")

    with pytest.raises(TypeError, match="one hasher per key"):

        class NoHasher(Pallet[Config], name="NoHasher", config=Config):
            map: StorageMap[AccountId32, U128, OptionQuery] = storage(doc="A map.")

    with pytest.raises(TypeError, match="drop default"):

        class OptionDefault(Pallet[Config], name="OptionDefault", config=Config):
            value: StorageValue[U32, OptionQuery] = storage(default=U32(1), doc="A value.")

    with pytest.raises(TypeError, match="the default does not encode"):

        class BadDefault(Pallet[Config], name="BadDefault", config=Config):
            value: StorageValue[U32, ValueQuery] = storage(default=U32.MAX + 1, doc="A value.")


def test_runtime_composition_is_checked() -> None:
    class Event(Enum, type_path=("pallet_ok", "pallet", "Event")):
        """Events."""

    class Ok(Pallet[Config], name="Ok", config=Config, event=Event):
        value: StorageMap[AccountId32, U32, ValueQuery] = storage(
            hasher=StorageHasher.BLAKE2_128_CONCAT, default=U32(0), doc="Values."
        )

    with pytest.raises(TypeError, match="index 3 is used twice"):
        Runtime(name="r", pallets=[(3, Ok, Config()), (3, Ok, Config())])
    with pytest.raises(TypeError, match="needs a Config"):
        Runtime(name="r", pallets=[(3, Ok, object())])
    assert Runtime(name="r", pallets=[(3, Ok, Config())]).pallets[0].index == 3
