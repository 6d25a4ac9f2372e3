"""The `Pallet` base class: one declaration from which dispatch, storage and metadata follow.

Introduction
------------
A pallet is a module with labelled sections in FRAME's order -- Config, types, Events,
Errors, the pallet class (storage, calls, hooks, helpers), Genesis::

    class Template(Pallet, name="Template", config=Config, event=Event, error=Error):
        something: StorageValue[U32, OptionQuery] = storage(doc="Some value.")

        @call(index=0, weight=lambda w: w.do_something())
        def do_something(self, origin: Origin, value: U32) -> None:
            '''Store `value`. Origin: signed.'''
            who = ensure_signed(origin)
            self.something.put(value)
            self.deposit_event(SomethingStored(value=value, who=who))

Everything is checked when the class is created (`__init_subclass__`): storage annotations
resolve to codecs, call indices are unique and every call has a weight and a docstring, the
event and error declarations are well formed. A pallet *instance* is bound to one execution
context (`Context`): its storage items read and write that context's overlay, and its
`index` is the pallet's index in the runtime. There is no global state.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from deepshard.primitives.codec import H256
from deepshard.primitives.weights import Weight
from deepshard.runtime.support.call import CallInfo, collect_calls
from deepshard.runtime.support.config import PalletConfig
from deepshard.runtime.support.errors import PalletError
from deepshard.runtime.support.storage import StorageItem, StorageSpec, resolve_storage

if TYPE_CHECKING:
    from deepshard.runtime.support.context import Context

__all__ = ["Pallet", "GenesisConfig", "NoGenesis"]

C = TypeVar("C", bound=PalletConfig)


class GenesisConfig:
    """Base of a pallet's genesis configuration: a frozen dataclass with a `build` step.

    `build` validates the configuration (raising `ValueError` with a clear message) and then
    writes the pallet's initial storage, as FRAME's ``#[pallet::genesis_build]``.
    """

    __slots__ = ()

    def build(self, pallet: Any) -> None:
        """Validate, then write the initial storage of `pallet`."""


class NoGenesis(GenesisConfig):
    """The genesis configuration of a pallet that has none."""

    __slots__ = ()


class Pallet(Generic[C]):
    """Base of every pallet; see the module docstring for the declaration rules.

    Class keywords: ``name`` (the pallet's metadata and storage-prefix name), ``config`` (its
    `PalletConfig` class), ``event`` (its codec ``Event`` enum, if it has events), ``error``
    (its `PalletError` base, if it has errors), ``genesis`` (its `GenesisConfig` class) and
    ``crate`` (the Rust-style crate name used in type paths, default ``pallet_<name>``).
    """

    NAME: ClassVar[str]
    """Metadata name and storage prefix."""
    CRATE: ClassVar[str]
    """Crate name used in metadata type paths (``pallet_balances``)."""
    CONFIG: ClassVar[type[PalletConfig]]
    """The pallet's configuration class."""
    EVENT: ClassVar[type | None]
    """The pallet's event enum, if any."""
    ERROR: ClassVar[type[PalletError] | None]
    """The pallet's error base, if any."""
    GENESIS: ClassVar[type[GenesisConfig]]
    """The pallet's genesis configuration class."""
    STORAGE: ClassVar[tuple[StorageItem, ...]]
    """The declared storage items, in declaration order."""
    CALLS: ClassVar[tuple[CallInfo, ...]]
    """The declared calls, by index."""

    ctx: Context
    config: C
    index: int

    def __init_subclass__(
        cls,
        *,
        name: str,
        config: type[PalletConfig],
        event: type | None = None,
        error: type[PalletError] | None = None,
        genesis: type[GenesisConfig] = NoGenesis,
        crate: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.NAME = name
        cls.CRATE = crate or "pallet_" + _snake(name)
        cls.CONFIG = config
        cls.EVENT = event
        cls.ERROR = error
        cls.GENESIS = genesis
        if error is not None:
            indices = sorted(error.VARIANTS)
            if indices != list(range(len(indices))):
                raise TypeError(
                    f"{cls.__name__}: error indices must be contiguous from 0 (clients index "
                    f"errors by position); got {indices}"
                )
        cls.STORAGE = _resolve_storage(cls)
        cls.CALLS = collect_calls(cls)

    def __init__(self, ctx: Context, config: C, index: int) -> None:
        self.ctx = ctx
        self.config = config
        self.index = index

    # --- helpers every pallet has ----------------------------------------------------------

    def deposit_event(self, event: Any, topics: Sequence[H256] = ()) -> None:
        """Record `event` of this pallet in the current phase of the block."""
        self.ctx.deposit_event(self.index, event, topics)

    @property
    def block_number(self) -> int:
        """The number of the block being built or executed."""
        return self.ctx.block_number

    # --- hooks (all optional; override what the pallet needs) ------------------------------

    def on_initialize(self, n: int) -> Weight:  # noqa: ARG002 - hook signature
        """Run at the start of block `n`, before any extrinsic; return the weight used."""
        return Weight.zero()

    def on_finalize(self, n: int) -> None:
        """Run at the end of block `n`, after every extrinsic."""

    def offchain_worker(self, n: int) -> None:
        """Run by the node after importing block `n` (outside consensus; never writes state)."""

    @classmethod
    def integrity_test(cls, config: PalletConfig) -> None:
        """Check the configuration's sanity when the runtime is built; raise `ValueError`."""

    def try_state(self) -> None:
        """Check the pallet's invariants; raise `RuntimeError` naming any that is broken."""


def _snake(name: str) -> str:
    out = []
    for i, char in enumerate(name):
        if char.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def _resolve_storage(cls: type) -> tuple[StorageItem, ...]:
    specs = [(k, v) for k, v in vars(cls).items() if isinstance(v, StorageSpec)]
    if not specs:
        return ()
    # Only the pallet's own annotations: the base class annotates context attributes whose
    # types exist for the type checker only.
    declared = inspect.get_annotations(cls)
    for attribute, _ in specs:
        if attribute not in declared:
            raise TypeError(f"{cls.__name__}.{attribute}: storage needs a type annotation")
    own = {attribute: declared[attribute] for attribute, _ in specs}
    holder = type(cls.__name__, (), {"__annotations__": own, "__module__": cls.__module__})
    hints = typing.get_type_hints(holder, localns=dict(vars(cls)), include_extras=True)
    items = []
    names: dict[str, str] = {}
    for attribute, spec in specs:
        item = resolve_storage(spec, attribute, cls.NAME, hints[attribute])  # type: ignore[attr-defined]
        if item.name in names:
            raise TypeError(f"{cls.__name__}: storage name {item.name} is declared twice")
        names[item.name] = attribute
        setattr(cls, attribute, item)
        items.append(item)
    return tuple(items)
