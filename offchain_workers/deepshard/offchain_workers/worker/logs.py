"""Worker logging in the node's format (``2026-12-04 22:30:00 message``) and directives.

``-l info`` sets the level of every ``deepshard`` logger; ``-l info,deepshard.worker=debug``
also sets one target's level, as the node's ``--log`` does.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["configure_logging"]

_LEVELS = {
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}


def configure_logging(directives: str = "info") -> None:
    """Install the node's log format and apply `directives`.

    Raises:
        ValueError: an unknown level.
    """
    root = logging.getLogger("deepshard")
    root.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root.addHandler(handler)
    root.propagate = False
    root.setLevel(logging.INFO)
    for directive in filter(None, (d.strip() for d in directives.split(","))):
        target, _, level = directive.rpartition("=")
        value = _LEVELS.get(level.lower())
        if value is None:
            raise ValueError(f"unknown log level {level!r}")
        logging.getLogger(target or "deepshard").setLevel(value)
