"""Pallet configuration: a frozen dataclass per pallet, with exported constants.

Declare ``class Config(PalletConfig)`` with typed fields. Fields made with `constant(...)`
are exported in the metadata (name, SCALE value, docs), like FRAME's ``#[pallet::constant]``;
other fields (interfaces such as the currency a pallet uses, weight tables) are configuration
only. Instances are built once per runtime, in the runtime's configuration module.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, dataclass_transform

__all__ = ["PalletConfig", "constant", "ConstantField"]


@dataclasses.dataclass(frozen=True, slots=True)
class ConstantField:
    """Metadata attached to a `constant(...)` field."""

    doc: str
    """Documentation, shown in metadata."""
    name: str | None
    """Metadata name, if not the field name in PascalCase."""


def constant(*, default: Any, doc: str, name: str | None = None) -> Any:
    """Declare an exported constant field of a pallet `Config` with its default value.

    `default` is keyword-only so that type checkers see the field's default (PEP 681).
    """
    return dataclasses.field(default=default, metadata={"constant": ConstantField(doc, name)})


@dataclass_transform(frozen_default=True, field_specifiers=(constant, dataclasses.field))
class PalletConfig:
    """Base of pallet configurations: subclasses become frozen, slotted dataclasses."""

    __slots__ = ()
    CONSTANTS: ClassVar[tuple[tuple[str, ConstantField], ...]] = ()
    """``(field name, constant info)`` of the exported constants, in declaration order."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__dataclass_fields__" in cls.__dict__:
            return  # the slotted class that dataclasses re-creates below
        made: Any = dataclasses.dataclass(frozen=True)(cls)
        made.CONSTANTS = tuple(
            (field.name, field.metadata["constant"])
            for field in dataclasses.fields(made)
            if "constant" in field.metadata
        )
