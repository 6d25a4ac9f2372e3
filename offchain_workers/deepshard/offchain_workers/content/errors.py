"""Typed errors of the content store: each names the CID and the backend it concerns."""

from __future__ import annotations

__all__ = [
    "ContentError",
    "InvalidCid",
    "BlockNotFound",
    "BlockVerificationFailed",
    "BoundsExceeded",
    "MalformedNode",
    "NotAFile",
    "BackendUnavailable",
    "PinNotFound",
    "NoSuchLink",
    "ReadOnlyBackend",
    "CidMismatch",
]


class ContentError(Exception):
    """Base of every content-store error; ``backend`` says which store raised it."""

    def __init__(self, message: str, *, cid: str | None = None, backend: str = "") -> None:
        where = f" [{backend}]" if backend else ""
        subject = f" {cid}:" if cid else ""
        super().__init__(f"{where.strip()}{subject} {message}".strip())
        self.cid = cid
        self.backend = backend
        self.reason = message


class InvalidCid(ContentError):
    """A string or byte string is not a CID (or uses a codec or hash we do not support)."""


class BlockNotFound(ContentError):
    """The backend does not have the block (or answered 404)."""


class BlockVerificationFailed(ContentError):
    """The bytes a backend returned do not hash to the CID they were asked for."""


class BoundsExceeded(ContentError):
    """A fetch went past a configured bound (bytes, links, depth or block size)."""


class MalformedNode(ContentError):
    """A block verified against its CID but does not decode as dag-pb/UnixFS."""


class NotAFile(ContentError):
    """``cat`` was asked for something that is not a UnixFS file (a directory, say)."""


class BackendUnavailable(ContentError):
    """The backend could not be reached or answered with an unexpected status."""


class PinNotFound(ContentError):
    """``pin rm`` of a CID that is not pinned."""


class NoSuchLink(ContentError):
    """A path names an entry the directory does not have."""


class ReadOnlyBackend(ContentError):
    """A write (add, put, pin) was asked of a read-only backend (a trustless gateway)."""


class CidMismatch(ContentError):
    """A remote node reported a different CID than the one computed here for the same bytes."""
