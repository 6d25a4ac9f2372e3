"""Typed errors of the ML jobs: every bad input is named, nothing is half-written."""

from __future__ import annotations

__all__ = ["MLError", "BatchFormatError", "ModelFormatError", "AdapterFormatError"]


class MLError(Exception):
    """Base class of every error an ML job raises on bad input."""


class BatchFormatError(MLError):
    """A batch is not UTF-8 JSONL of objects with a string ``text`` field within the limits."""


class ModelFormatError(MLError):
    """A model directory lacks its config or weights, or they do not match."""


class AdapterFormatError(MLError):
    """An adapter file is not a canonical Deepshard LoRA adapter for this model."""
