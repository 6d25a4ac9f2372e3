"""Dispatchable calls: the `call` decorator and the information it records.

Introduction
------------
A call is a pallet method decorated with ``@call(index=..., weight=...)``: the index is its
stable variant index in the pallet's ``Call`` enum (never reuse or renumber one), the weight
function prices it from the pallet's weight table (and, if it takes them, the call's
arguments). The method takes ``origin`` first, then its arguments, each annotated with a codec
type; the annotations become the call's SCALE arguments and its metadata fields.

The body follows FRAME's order: check the origin, look things up, ``ensure`` the
preconditions, mutate storage, deposit the event.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from deepshard.primitives.weights import DispatchClass, Pays, Weight

__all__ = ["call", "CallSpec", "CallInfo", "collect_calls"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class CallSpec:
    """What ``@call(...)`` records on the method."""

    index: int
    """Variant index of the call in the pallet's Call enum."""
    weight: Callable[..., Weight]
    """``weight(weights)`` or ``weight(weights, **args)``: the call's weight."""
    dispatch_class: DispatchClass
    """Normal, Operational or Mandatory."""
    pays_fee: Pays
    """Whether the signer pays the fee."""


def call(
    *,
    index: int,
    weight: Callable[..., Weight],
    dispatch_class: DispatchClass = DispatchClass.Normal,
    pays_fee: Pays = Pays.Yes,
) -> Callable[[F], F]:
    """Mark a pallet method as a dispatchable call (FRAME's ``#[pallet::call_index]``).

    Args:
        index: Stable variant index of the call in the pallet's Call enum (0..=255).
        weight: Returns the call's weight from the pallet's weight table (its first
            argument), optionally also taking the call's arguments by name.
        dispatch_class: The call's dispatch class.
        pays_fee: Whether the signer pays a fee for it.
    """
    if not 0 <= index <= 255:
        raise TypeError(f"call index {index} is outside 0..=255")

    def mark(method: F) -> F:
        method.__call_spec__ = CallSpec(index, weight, dispatch_class, pays_fee)  # type: ignore[attr-defined]
        return method

    return mark


@dataclass(frozen=True, slots=True)
class CallInfo:
    """A pallet's call, resolved at class creation."""

    name: str
    """The method (and metadata variant) name, e.g. ``transfer_keep_alive``."""
    spec: CallSpec
    """Index, weight function, class and fee flag."""
    arguments: tuple[tuple[str, Any], ...]
    """``(name, annotation)`` of each argument after ``origin``, in order."""
    doc: str
    """The method's docstring."""
    weight_arguments: tuple[str, ...]
    """The call arguments the weight function takes (by name), possibly none."""

    def weight_of(self, weights: Any, arguments: dict[str, Any]) -> Weight:
        """Evaluate the call's weight for concrete arguments."""
        if self.weight_arguments:
            return self.spec.weight(weights, **{n: arguments[n] for n in self.weight_arguments})
        return self.spec.weight(weights)


def collect_calls(cls: type) -> tuple[CallInfo, ...]:
    """Collect and validate the ``@call`` methods of a pallet class, ordered by index.

    Raises:
        TypeError: duplicate indices, a missing ``origin`` parameter, unannotated arguments
            or a weight function that cannot be called as documented.
    """
    calls: dict[int, CallInfo] = {}
    for name, method in vars(cls).items():
        spec = getattr(method, "__call_spec__", None)
        if spec is None:
            continue
        where = f"{cls.__name__}.{name}"
        if spec.index in calls:
            raise TypeError(f"{where}: call index {spec.index} is used by {calls[spec.index].name}")
        parameters = list(inspect.signature(method).parameters.values())
        if len(parameters) < 2 or parameters[1].name != "origin":
            raise TypeError(f"{where}: a call takes (self, origin, ...)")
        hints = typing.get_type_hints(method, include_extras=True)
        arguments = []
        for parameter in parameters[2:]:
            if parameter.name not in hints:
                raise TypeError(f"{where}: argument {parameter.name!r} needs a type annotation")
            arguments.append((parameter.name, hints[parameter.name]))
        weight_parameters = list(inspect.signature(spec.weight).parameters)
        if not weight_parameters:
            raise TypeError(f"{where}: the weight function takes the weight table first")
        argument_names = [a for a, _ in arguments]
        unknown = [p for p in weight_parameters[1:] if p not in argument_names]
        if unknown:
            raise TypeError(f"{where}: the weight function names unknown arguments {unknown}")
        doc = inspect.getdoc(method)
        if not doc:
            raise TypeError(f"{where}: calls need a docstring (it is their documentation)")
        calls[spec.index] = CallInfo(
            name, spec, tuple(arguments), doc, tuple(weight_parameters[1:])
        )
    return tuple(calls[i] for i in sorted(calls))
