"""Typed errors of the inference node: each names what is missing or wrong, and what to do."""

from __future__ import annotations

__all__ = [
    "InferenceError",
    "NoLicence",
    "VersionUnavailable",
    "SharesUnusable",
    "CiphertextMismatch",
    "BadRequest",
    "ContextTooLong",
]


class InferenceError(Exception):
    """Base class of every error the inference node raises on bad input or state."""


class NoLicence(InferenceError):
    """No licence for this account and version is recorded on chain (``Licences.LicencesOf``)."""


class VersionUnavailable(InferenceError):
    """The version, its ciphertext or its purchase record is not on chain (or not usable)."""


class SharesUnusable(InferenceError):
    """Fewer than the threshold of delivered shares open and rebuild the content key."""


class CiphertextMismatch(InferenceError):
    """The fetched ciphertext does not hash to the sha256 the chain records."""


class BadRequest(InferenceError):
    """A request the API refuses (maps to an OpenAI ``invalid_request_error``)."""

    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        """The request field at fault, if one is."""
        self.code = code
        """OpenAI's error code, if one applies (``context_length_exceeded``)."""


class ContextTooLong(BadRequest):
    """The prompt and the tokens asked for do not fit the model's context."""
