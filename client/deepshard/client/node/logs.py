"""Logging that reads like a Substrate node's: a timestamp, then the message, on stderr.

``--log`` takes Substrate's directive syntax: a default level and/or ``target=level`` pairs,
comma separated (``--log info,txpool=debug``); targets are the node's logger names below
``deepshard`` (``deepshard.txpool`` is written ``txpool``).
"""

from __future__ import annotations

import logging
import sys

__all__ = ["LogError", "configure_logging", "logger"]

_LEVELS = {
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}


class LogError(ValueError):
    """A ``--log`` directive cannot be understood."""


def logger(target: str) -> logging.Logger:
    """Return the logger of a node component (``logger("txpool")`` is ``deepshard.txpool``)."""
    return logging.getLogger("deepshard." + target)


def configure_logging(directives: str = "info") -> None:
    """Install the node's log format and apply `directives`.

    Raises:
        LogError: an unknown level or a malformed directive.
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
            raise LogError(f"unknown log level {level!r} in {directive!r}")
        (logger(target) if target else root).setLevel(value)
