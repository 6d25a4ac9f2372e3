"""Typed errors of the metadata package."""

from __future__ import annotations

__all__ = [
    "MetadataError",
    "InvalidMetadata",
    "UnsupportedType",
    "UnknownType",
    "InvalidDescription",
]


class MetadataError(Exception):
    """Root of the metadata package's errors."""


class InvalidMetadata(MetadataError, ValueError):
    """Bytes or a model that are not valid V14 metadata (bad magic, other version, bad ids)."""


class UnsupportedType(MetadataError, TypeError):
    """A type (annotation or descriptor) that cannot be described in a portable registry."""


class UnknownType(MetadataError, LookupError):
    """A type id or descriptor that the registry does not hold."""


class InvalidDescription(MetadataError, ValueError):
    """A pallet or extrinsic description that would produce metadata clients misread.

    Examples: two pallets with one index, a call variant with unnamed arguments, error variants
    whose indices are not ``0..n-1``, a map whose hasher count differs from its key count.
    """
