"""Runtime composition: pallets with stable indices, the outer Call and Event enums, dispatch.

Introduction
------------
`Runtime` is the analogue of FRAME's ``construct_runtime!``: an immutable list of pallets, each
with an explicit index and a configuration instance. Building it checks that indices and names
are unique and runs every pallet's `integrity_test`, then derives:

* each pallet's ``Call`` enum (one variant per ``@call``, its index the call index, its fields
  the call's arguments) and the outer `RuntimeCall` (one variant per pallet with calls, its
  index the pallet index) -- the type an extrinsic's call decodes as;
* the outer `RuntimeEvent` (one variant per pallet with events).

Arguments annotated `OuterCall` (e.g. ``Sudo.sudo(call: OuterCall)``) become this runtime's
`RuntimeCall`, so one pallet declaration serves every runtime (production and test mocks).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deepshard.primitives.codec import H256, Codec, Enum, Struct, Vec, codec_for, encode_compact
from deepshard.primitives.numeric import DivisionByZero, NumericError, Overflow
from deepshard.primitives.weights import DispatchClass, Pays, Weight
from deepshard.runtime.support.call import CallInfo
from deepshard.runtime.support.config import PalletConfig
from deepshard.runtime.support.context import Context, DepositedEvent, Phase
from deepshard.runtime.support.errors import ArithmeticError, ArithmeticErrorKind, PalletError
from deepshard.runtime.support.events import (
    EventPhase,
    EventRecords,
)
from deepshard.runtime.support.origin import Origin, RawOrigin, origin_from_raw, raw_origin
from deepshard.runtime.support.overlay import Overlay
from deepshard.runtime.support.pallet import Pallet
from deepshard.runtime.support.storage import RuntimeType

__all__ = ["OuterCall", "OuterOrigin", "PalletEntry", "CallRoute", "DispatchMeta", "Runtime"]


class OuterCall(RuntimeType):
    """Stands for the runtime's own `RuntimeCall` (e.g. in ``Sudo.sudo(call: OuterCall)``)."""


class OuterOrigin(RuntimeType):
    """Stands for the runtime's ``OriginCaller`` (``Utility.dispatch_as(as_origin, call)``).

    Deepshard's pallets define no origins of their own, so the enum has one variant,
    ``system(RawOrigin)``, at the System pallet's index, as FRAME's ``construct_runtime!``
    builds it.
    """


@dataclass(frozen=True, slots=True)
class PalletEntry:
    """One pallet of a runtime."""

    index: int
    """The pallet's index: its RuntimeCall/RuntimeEvent variant and error module index."""
    pallet: type[Pallet[Any]]
    """The pallet class."""
    config: PalletConfig
    """Its configuration instance."""


@dataclass(frozen=True, slots=True)
class CallRoute:
    """How a decoded call reaches its method."""

    entry: PalletEntry
    """The pallet the call belongs to."""
    info: CallInfo
    """The call's declaration."""
    argument_names: tuple[str, ...]
    """Field names of the call variant, in order."""


@dataclass(frozen=True, slots=True)
class DispatchMeta:
    """Weight, class and fee flag of a concrete call (FRAME's `DispatchInfo`)."""

    weight: Weight
    """The call's declared weight."""
    dispatch_class: DispatchClass
    """Its dispatch class."""
    pays_fee: Pays
    """Whether the signer pays."""


class Runtime:
    """An immutable composition of pallets; see the module docstring."""

    def __init__(self, *, name: str, pallets: Sequence[tuple[int, type[Pallet[Any]], Any]]):
        """Compose a runtime from ``(index, pallet class, config)`` triples.

        Args:
            name: The runtime crate name used in type paths (``deepshard_runtime``).
            pallets: The pallets with their indices and configuration instances.

        Raises:
            TypeError: duplicate indices or names, or a config of the wrong class.
            ValueError: a pallet's `integrity_test` rejected its configuration.
        """
        self.name = name
        entries = sorted(
            (PalletEntry(index, pallet, config) for index, pallet, config in pallets),
            key=lambda e: e.index,
        )
        names: dict[str, int] = {}
        previous = -1
        for entry in entries:
            if entry.index == previous:
                raise TypeError(f"pallet index {entry.index} is used twice")
            if not 0 <= entry.index <= 255:
                raise TypeError(f"pallet index {entry.index} is outside 0..=255")
            previous = entry.index
            if entry.pallet.NAME in names:
                raise TypeError(f"pallet name {entry.pallet.NAME} is used twice")
            names[entry.pallet.NAME] = entry.index
            if not isinstance(entry.config, entry.pallet.CONFIG):
                raise TypeError(
                    f"{entry.pallet.NAME} needs a {entry.pallet.CONFIG.__name__} configuration"
                )
            entry.pallet.integrity_test(entry.config)
        self.pallets: tuple[PalletEntry, ...] = tuple(entries)
        self._by_class = {entry.pallet: entry for entry in entries}
        self._error_modules: dict[type, int] = {
            entry.pallet.ERROR: entry.index for entry in entries if entry.pallet.ERROR is not None
        }
        self.runtime_call: type[Enum] = types.new_class(
            "RuntimeCall",
            (Enum,),
            {"type_path": (name, "RuntimeCall")},
            _body("The aggregated call type of the runtime: one variant per pallet.", name),
        )
        # Lets a weight function reach the runtime of a nested call (``Sudo.sudo(call)``).
        self.runtime_call.RUNTIME = self  # type: ignore[attr-defined]
        self.runtime_event: type[Enum] = types.new_class(
            "RuntimeEvent",
            (Enum,),
            {"type_path": (name, "RuntimeEvent")},
            _body("The aggregated event type of the runtime: one variant per pallet.", name),
        )
        system_index = next((e.index for e in entries if e.pallet.NAME == "System"), 0)
        self.origin_caller: type[Enum] = types.new_class(
            "OriginCaller",
            (Enum,),
            {"type_path": (name, "OriginCaller")},
            _body("The origin of a dispatch, one variant per pallet with origins.", name),
        )
        types.new_class(
            "system",
            (self.origin_caller,),
            {"index": system_index, "unnamed": True},
            _body("FRAME System's origins.", name, {"origin": RawOrigin}),
        )
        self.call_enums: dict[str, type[Enum]] = {}
        self._routes: dict[type, CallRoute] = {}
        self._fixed_meta: dict[type, DispatchMeta] = {}
        """`DispatchMeta` of the calls whose weight takes no argument, by call variant."""
        self._outer_variants: dict[int, type] = {}
        for entry in entries:
            self._compose_pallet(entry)
        self.event_record: type[Struct] = types.new_class(
            "EventRecord",
            (Struct,),
            {
                "type_path": ("frame_system", "EventRecord"),
                "type_params": (("E", self.runtime_event), ("T", H256)),
            },
            _body(
                "Record of an event happening.",
                name,
                {"phase": EventPhase, "event": self.runtime_event, "topics": Vec[H256]},
            ),
        )
        self.runtime_types: dict[type[RuntimeType], Any] = {
            OuterCall: self.runtime_call,
            OuterOrigin: self.origin_caller,
            EventRecords: Vec[self.event_record],  # type: ignore[name-defined]
        }
        """The concrete type of each `RuntimeType` marker in this runtime."""
        self.call_codec: Codec[Any] = codec_for(self.runtime_call)
        self.event_codec: Codec[Any] = codec_for(self.runtime_event)
        self.event_records_codec: Codec[Any] = codec_for(Vec[self.event_record])  # type: ignore[name-defined]
        self._pallet_event_codecs: dict[int, Codec[Any]] = {
            entry.index: codec_for(entry.pallet.EVENT)
            for entry in entries
            if entry.pallet.EVENT is not None
        }

    # --- composition -----------------------------------------------------------------------

    def _substitute(self, annotation: Any) -> Any:
        if annotation is OuterCall:
            return self.runtime_call
        if annotation is OuterOrigin:
            return self.origin_caller
        origin = typing.get_origin(annotation)
        if origin is not None and OuterCall in _flatten(annotation):
            args = tuple(self._substitute(a) for a in typing.get_args(annotation))
            if origin is tuple:
                return tuple[args]  # type: ignore[valid-type]
            if origin is list or origin is Vec:
                return Vec[args[0]]  # type: ignore[valid-type]
            raise TypeError(f"OuterCall cannot be nested inside {annotation!r}")
        return annotation

    def _compose_pallet(self, entry: PalletEntry) -> None:
        pallet = entry.pallet
        if pallet.CALLS:
            call_enum = types.new_class(
                "Call",
                (Enum,),
                {"type_path": (pallet.CRATE, "pallet", "Call")},
                _body(
                    "Contains a variant per dispatchable extrinsic that this pallet has.",
                    pallet.__module__,
                ),
            )
            for info in pallet.CALLS:
                annotations = {n: self._substitute(t) for n, t in info.arguments}
                variant = types.new_class(
                    info.name,
                    (call_enum,),
                    {"index": info.spec.index},
                    _body(info.doc, pallet.__module__, annotations),
                )
                self._routes[variant] = CallRoute(entry, info, tuple(annotations))
            self.call_enums[pallet.NAME] = call_enum
            outer = types.new_class(
                pallet.NAME,
                (self.runtime_call,),
                {"index": entry.index, "unnamed": True},
                _body(f"Calls of the {pallet.NAME} pallet.", self.name, {"call": call_enum}),
            )
            self._outer_variants[entry.index] = outer
        if pallet.EVENT is not None:
            types.new_class(
                pallet.NAME,
                (self.runtime_event,),
                {"index": entry.index, "unnamed": True},
                _body(f"Events of the {pallet.NAME} pallet.", self.name, {"event": pallet.EVENT}),
            )

    # --- lookups ---------------------------------------------------------------------------

    def entry_of(self, pallet: type[Pallet[Any]]) -> PalletEntry:
        """Return the entry of a pallet class in this runtime.

        Raises:
            KeyError: the pallet is not part of the runtime.
        """
        entry = self._by_class.get(pallet)
        if entry is None:
            raise KeyError(f"the runtime has no {pallet.__name__} pallet")
        return entry

    def route(self, call: Any) -> tuple[CallRoute, Any]:
        """Return the route of an outer call value and its inner (pallet) call value.

        Raises:
            TypeError: `call` is not a `RuntimeCall` of this runtime.
        """
        inner = getattr(call, "call", None)
        route = self._routes.get(type(inner))
        if route is None:
            raise TypeError(f"{call!r} is not a call of this runtime")
        return route, inner

    def make_call(self, pallet: type[Pallet[Any]], name: str, **arguments: Any) -> Any:
        """Build the outer call value for ``pallet.name(**arguments)``.

        Raises:
            KeyError: no such pallet or call.
        """
        entry = self.entry_of(pallet)
        call_enum = self.call_enums.get(pallet.NAME)
        if call_enum is None:
            raise KeyError(f"{pallet.NAME} has no calls")
        for variant, route in self._routes.items():
            if route.entry is entry and route.info.name == name:
                return self._outer_variants[entry.index](variant(**arguments))
        raise KeyError(f"{pallet.NAME} has no call named {name!r}")

    def module_error(self, error: PalletError) -> tuple[int, int]:
        """Return ``(pallet index, error index)`` of a pallet error raised in this runtime.

        Raises:
            KeyError: the error belongs to no pallet of this runtime.
        """
        for klass in type(error).__mro__:
            index = self._error_modules.get(klass)
            if index is not None:
                return index, error.INDEX
        raise KeyError(f"{type(error).__name__} belongs to no pallet of this runtime")

    def dispatch_meta(self, call: Any) -> DispatchMeta:
        """Return the weight, class and fee flag of an outer call value."""
        route, inner = self.route(call)
        fixed = self._fixed_meta.get(type(inner))
        if fixed is not None:
            return fixed
        info = route.info
        arguments = {name: getattr(inner, name) for name in route.argument_names}
        weights = getattr(route.entry.config, "weights", None)
        meta = DispatchMeta(
            info.weight_of(weights, arguments), info.spec.dispatch_class, info.spec.pays_fee
        )
        if not info.weight_arguments:
            # The weight depends on the (immutable) weight table only: compute it once.
            self._fixed_meta[type(inner)] = meta
        return meta

    def caller_of(self, origin: Origin) -> Any:
        """Return the ``OriginCaller`` value of a dispatch origin."""
        (variant,) = self.origin_caller.variants().values()
        made: Any = variant
        return made(raw_origin(origin))

    def origin_of(self, caller: Any) -> Origin:
        """Return the dispatch origin an ``OriginCaller`` value denotes.

        Raises:
            TypeError: `caller` is not an ``OriginCaller`` of this runtime.
        """
        if not isinstance(caller, self.origin_caller):
            raise TypeError(f"{caller!r} is not an OriginCaller of this runtime")
        return origin_from_raw(caller.origin)  # type: ignore[attr-defined]

    # --- events ----------------------------------------------------------------------------

    def encode_event_records(self, events: list[DepositedEvent]) -> bytes:
        """Encode deposited events as the ``System.Events`` value (``Vec<EventRecord>``)."""
        out = bytearray(encode_compact(len(events)))
        for deposited in events:
            if deposited.phase is Phase.APPLY_EXTRINSIC:
                out += b"\x00" + deposited.extrinsic_index.to_bytes(4, "little")
            elif deposited.phase is Phase.FINALIZATION:
                out += b"\x01"
            else:
                out += b"\x02"
            out.append(deposited.pallet_index)
            out += self._pallet_event_codecs[deposited.pallet_index].encode(deposited.event)
            out += encode_compact(len(deposited.topics))
            for topic in deposited.topics:
                out += topic
        return bytes(out)

    def decode_event_records(self, data: bytes) -> list[Any]:
        """Decode a ``System.Events`` value into `EventRecord` values."""
        records: list[Any] = self.event_records_codec.decode(data)
        return records

    # --- execution -------------------------------------------------------------------------

    def new_context(self, overlay: Overlay, block_number: int) -> Context:
        """Make an execution context over `overlay` for block `block_number`."""
        return Context(self, overlay, block_number)

    def dispatch(self, ctx: Context, call: Any, origin: Origin) -> None:
        """Dispatch an outer call value from `origin` in its own transactional layer.

        A call that raises leaves no write behind. Checked-arithmetic failures become the
        `ArithmeticError` dispatch error, as FRAME's ``DispatchError::Arithmetic``.

        Raises:
            DispatchError: the call failed (its writes and events are rolled back).
        """
        route, inner = self.route(call)
        pallet = ctx.pallet(route.entry.pallet)
        method = getattr(pallet, route.info.name)
        arguments = {name: getattr(inner, name) for name in route.argument_names}
        try:
            with ctx.transactional():
                method(origin, **arguments)
        except NumericError as error:
            kind = (
                ArithmeticErrorKind.DIVISION_BY_ZERO
                if isinstance(error, DivisionByZero)
                else ArithmeticErrorKind.OVERFLOW
                if isinstance(error, Overflow)
                else ArithmeticErrorKind.UNDERFLOW
            )
            raise ArithmeticError(kind) from error


def _flatten(annotation: Any) -> list[Any]:
    found = [annotation]
    for argument in typing.get_args(annotation):
        found.extend(_flatten(argument))
    return found


def _body(doc: str, module: str, annotations: dict[str, Any] | None = None) -> Any:
    def fill(namespace: dict[str, Any]) -> None:
        namespace["__doc__"] = doc
        namespace["__module__"] = module
        if annotations:
            namespace["__annotations__"] = dict(annotations)

    return fill
