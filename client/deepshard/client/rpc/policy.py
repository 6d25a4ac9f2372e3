"""Who may call what: the safe/unsafe method policy and the CORS policy.

Introduction
------------
Substrate marks some RPC methods *unsafe*: they change the node (keys, reserved peers, the
pool), expose its network, or can be made arbitrarily expensive (``state_getPairs``). The
``--rpc-methods`` flag decides whether a listener serves them (`RpcMethods`):

* ``auto`` (default): unsafe methods only when the listener is on a loopback interface, i.e.
  refused once ``--rpc-external`` binds a public one;
* ``safe``: always refused;
* ``unsafe``: always served.

A refused call answers -32601 ``RPC call is unsafe to be called externally``, as Substrate's
``DenyUnsafe`` does; the method still appears in ``rpc_methods``.

CORS follows ``--rpc-cors``'s defaults: every origin for development chains, otherwise the
local origins ``http(s)://localhost:*``, ``http(s)://127.0.0.1:*`` and
``https://polkadot.js.org`` (`CorsPolicy.local`). Browsers enforce CORS for HTTP; WebSocket
upgrades from a refused origin are answered 403, since browsers do not protect those.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "UNSAFE_METHODS",
    "RpcMethods",
    "RpcPolicy",
    "CorsPolicy",
    "is_loopback_host",
]

UNSAFE_METHODS: Final = frozenset(
    {
        # author (sc-rpc author: check_if_safe)
        "author_insertKey",
        "author_rotateKeys",
        "author_rotateKeysWithOwner",
        "author_hasSessionKeys",
        "author_hasKey",
        "author_removeExtrinsic",
        # system (sc-rpc system: check_if_safe)
        "system_peers",
        "system_unstable_networkState",
        "system_addReservedPeer",
        "system_removeReservedPeer",
        "system_addLogFilter",
        "system_resetLogFilter",
        # frame-rpc-system
        "system_dryRun",
        "system_dryRunAt",
        # state (sc-rpc state: check_if_safe)
        "state_getPairs",
        "state_queryStorage",
        "state_traceBlock",
        # rpc-spec-v2 (sc-rpc-spec-v2 transaction: `with_extensions`, check_if_safe): a
        # broadcast keeps resubmitting until stopped, so a remote caller could pile them up
        "transaction_v1_broadcast",
        "transaction_v1_stop",
        # offchain and dev
        "offchain_localStorageSet",
        "offchain_localStorageGet",
        "offchain_localStorageClear",
        "dev_getBlockStats",
    }
)
"""Substrate's unsafe methods (``check_if_safe`` in sc-rpc and frame's RPC crates).

``state_subscribeStorage`` without keys and ``state_getStorageSize`` over a prefix are
conditionally unsafe; their handlers consult the policy themselves.
"""


class RpcMethods(enum.Enum):
    """The ``--rpc-methods`` setting."""

    AUTO = "auto"
    """Unsafe methods only on a loopback listener."""
    SAFE = "safe"
    """Never serve unsafe methods."""
    UNSAFE = "unsafe"
    """Serve every method."""

    @classmethod
    def parse(cls, text: str) -> RpcMethods:
        """Parse ``auto``, ``safe`` or ``unsafe`` (any case).

        Raises:
            ValueError: anything else.
        """
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"--rpc-methods must be auto, safe or unsafe, not {text!r}") from None


def is_loopback_host(host: str) -> bool:
    """Whether `host` (an interface address or name) is a loopback interface."""
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class RpcPolicy:
    """Whether a listener serves unsafe methods (Substrate's ``DenyUnsafe``)."""

    methods: RpcMethods = RpcMethods.AUTO
    """The ``--rpc-methods`` setting."""
    listen_host: str = "127.0.0.1"
    """The interface the server listens on (``0.0.0.0`` with ``--rpc-external``)."""

    @classmethod
    def from_flags(cls, methods: str | RpcMethods, listen_host: str) -> RpcPolicy:
        """Build the policy from ``--rpc-methods`` and the listen address."""
        parsed = methods if isinstance(methods, RpcMethods) else RpcMethods.parse(methods)
        return cls(parsed, listen_host)

    @property
    def deny_unsafe(self) -> bool:
        """Whether unsafe methods are refused on this listener."""
        if self.methods is RpcMethods.UNSAFE:
            return False
        if self.methods is RpcMethods.SAFE:
            return True
        return not is_loopback_host(self.listen_host)


_LOCAL_ORIGINS: Final = (
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://polkadot.js.org",
)


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Which browser origins may call the server (``--rpc-cors``).

    ``origins`` None allows every origin (``--rpc-cors all``); otherwise an origin is allowed
    when it equals an entry, or matches an entry ending in ``:*`` with any port (or none).
    """

    origins: tuple[str, ...] | None = None
    """Allowed origins; None: all."""

    @classmethod
    def allow_all(cls) -> CorsPolicy:
        """Every origin (Substrate's default for development chains)."""
        return cls(None)

    @classmethod
    def local(cls) -> CorsPolicy:
        """Substrate's default list for other chains: local origins and polkadot.js.org."""
        return cls(_LOCAL_ORIGINS)

    @classmethod
    def of(cls, origins: Iterable[str]) -> CorsPolicy:
        """A fixed list; ``all`` or ``*`` in it allows every origin."""
        listed = tuple(o.strip() for o in origins if o.strip())
        if any(o in ("all", "*") for o in listed):
            return cls(None)
        return cls(listed)

    def allows(self, origin: str | None) -> bool:
        """Whether a request with this ``Origin`` header may be served (no header: yes)."""
        if origin is None or self.origins is None:
            return True
        origin = origin.rstrip("/")
        for allowed in self.origins:
            if allowed == origin:
                return True
            if allowed.endswith(":*"):
                base = allowed[:-2]
                if origin == base:
                    return True
                if origin.startswith(base + ":") and origin[len(base) + 1 :].isdigit():
                    return True
        return False
