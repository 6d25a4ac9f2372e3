"""The runtime version (`sp_version::RuntimeVersion`) and runtime API identifiers.

Introduction
------------
``Core_version`` and ``state_getRuntimeVersion`` describe the runtime: its names and versions,
the runtime APIs it implements (each an 8-byte id, `api_id`, with a version) and two numbers
that change how clients and nodes treat it:

* ``transaction_version``: bumped when existing calls change; it is part of every signing
  payload;
* ``system_version`` (RFC-0042; formerly ``state_version``): 0 builds the state trie with layout
  V0, 1 with V1; from 2 the extrinsics root uses V1 too (`state_version`,
  `extrinsics_root_state_version`).

The SCALE layout grew with the ``Core`` API: ``transaction_version`` is present from Core 3,
``system_version`` from Core 4 (`decode_with_version_hint` reads the older layouts). The RPC
JSON form is `RuntimeVersion.to_json` (``apis`` as ``[["0x<id>", version], ...]``, and the
system version twice, as ``systemVersion`` and the legacy ``stateVersion``).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Final

from deepshard.primitives.codec import FixedLen, Struct, Vec, decode_prefix
from deepshard.primitives.numeric import U8, U32, NumericError
from deepshard.primitives.trie import StateVersion

__all__ = [
    "ApiId",
    "api_id",
    "CORE_API_ID",
    "KNOWN_API_IDS",
    "RuntimeVersion",
    "core_version_from_apis",
]

ApiId = Annotated[bytes, FixedLen(8)]
"""A runtime API identifier (``[u8; 8]``): `api_id` of the API trait's name."""


def api_id(trait_name: str) -> bytes:
    """Return the id of runtime API `trait_name`: ``blake2b`` of the name with an 8-byte digest.

    This is ``sp_api``'s ``blake2_64`` of the trait's identifier, e.g. ``api_id("Core")`` is
    ``df6acb689907609b``.
    """
    return hashlib.blake2b(trait_name.encode(), digest_size=8).digest()


CORE_API_ID: Final = api_id("Core")
"""The id of the ``Core`` runtime API, whose version decides the `RuntimeVersion` layout."""

KNOWN_API_IDS: Final = {
    name: api_id(name)
    for name in (
        "Core",
        "Metadata",
        "BlockBuilder",
        "TaggedTransactionQueue",
        "OffchainWorkerApi",
        "AuraApi",
        "GrandpaApi",
        "SessionKeys",
        "AccountNonceApi",
        "TransactionPaymentApi",
        "TransactionPaymentCallApi",
        "GenesisBuilder",
    )
}
"""The ids of the runtime APIs a Substrate client may look for, by trait name."""


def core_version_from_apis(apis: Vec[tuple[bytes, U32]]) -> U32 | None:
    """Return the version of the ``Core`` API in `apis`, or None if it is not listed."""
    return next((version for ident, version in apis if ident == CORE_API_ID), None)


class RuntimeVersion(Struct, type_path=("sp_version", "RuntimeVersion")):
    """The version of a runtime, in the layout ``Core`` version 4 and later return.

    ``RuntimeVersion.decode`` reads exactly this layout; use `decode_with_version_hint` for
    values produced by older runtimes.
    """

    spec_name: str
    """Identifies the runtime (nodes refuse to author for a different name)."""
    impl_name: str
    """Name of the implementation of the spec."""
    authoring_version: U32
    """Version of the authorship interface."""
    spec_version: U32
    """Version of the runtime specification; never decreases."""
    impl_version: U32
    """Version of the implementation (non-consensus changes only)."""
    apis: Vec[tuple[ApiId, U32]]
    """The runtime APIs implemented, as ``(id, version)`` pairs."""
    transaction_version: U32
    """Version of the extrinsic interface; part of every signing payload."""
    system_version: U8
    """0: state trie V0; 1: state trie V1; 2: also the extrinsics root in V1 (RFC-0042)."""

    @property
    def state_version(self) -> StateVersion:
        """Return the trie layout of the state: V0 only when `system_version` is 0."""
        return StateVersion.V0 if self.system_version == 0 else StateVersion.V1

    @property
    def extrinsics_root_state_version(self) -> StateVersion:
        """Return the trie layout of the extrinsics root: V1 only from `system_version` 2."""
        return StateVersion.V1 if self.system_version >= 2 else StateVersion.V0

    def api_version(self, ident: bytes) -> U32 | None:
        """Return the version of the API with id `ident`, or None if it is not implemented."""
        return next((version for api, version in self.apis if api == ident), None)

    def has_api(self, trait_name: str) -> bool:
        """Whether the runtime implements the API named `trait_name` (any version)."""
        return self.api_version(api_id(trait_name)) is not None

    @classmethod
    def decode_with_version_hint(
        cls, data: bytes | bytearray | memoryview, core_version: int | None = None
    ) -> RuntimeVersion:
        """Decode any layout: the fields after ``apis`` depend on the ``Core`` API version.

        With `core_version` None, the version of ``Core`` listed in the decoded ``apis`` is
        used (none listed: the oldest layout). ``transaction_version`` is read from Core 3 (else
        it is 1), ``system_version`` from Core 4 (else 0). Bytes after the value are ignored,
        as Substrate's ``decode_with_version_hint`` ignores them.

        Raises:
            DecodeError: the bytes are truncated or malformed (a subclass says which, and
                ``position`` where).
        """
        spec_name, offset = decode_prefix(str, data, 0)
        impl_name, offset = decode_prefix(str, data, offset)
        authoring_version, offset = decode_prefix(U32, data, offset)
        spec_version, offset = decode_prefix(U32, data, offset)
        impl_version, offset = decode_prefix(U32, data, offset)
        apis, offset = decode_prefix(Vec[tuple[ApiId, U32]], data, offset)
        if core_version is None:
            core_version = core_version_from_apis(apis)
        transaction_version = U32(1)
        system_version = U8(0)
        if core_version is not None and core_version >= 3:
            transaction_version, offset = decode_prefix(U32, data, offset)
        if core_version is not None and core_version >= 4:
            system_version, offset = decode_prefix(U8, data, offset)
        return cls(
            spec_name=spec_name,
            impl_name=impl_name,
            authoring_version=authoring_version,
            spec_version=spec_version,
            impl_version=impl_version,
            apis=apis,
            transaction_version=transaction_version,
            system_version=system_version,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-RPC form (``state_getRuntimeVersion``), as a Substrate node writes it."""
        return {
            "specName": self.spec_name,
            "implName": self.impl_name,
            "authoringVersion": int(self.authoring_version),
            "specVersion": int(self.spec_version),
            "implVersion": int(self.impl_version),
            "apis": [["0x" + ident.hex(), int(version)] for ident, version in self.apis],
            "transactionVersion": int(self.transaction_version),
            "systemVersion": int(self.system_version),
            "stateVersion": int(self.system_version),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RuntimeVersion:
        """Parse the JSON-RPC form (``stateVersion`` is accepted for ``systemVersion``).

        Raises:
            ValueError: a field is missing or malformed, or ``systemVersion`` and
                ``stateVersion`` disagree.
        """
        try:
            system = value["systemVersion"] if "systemVersion" in value else value["stateVersion"]
            if "stateVersion" in value and system != value["stateVersion"]:
                raise ValueError("systemVersion and stateVersion differ")
            apis = tuple(
                (_api_id_from_hex(ident), U32(version)) for ident, version in value["apis"]
            )
            return cls(
                spec_name=_text(value["specName"]),
                impl_name=_text(value["implName"]),
                authoring_version=U32(value["authoringVersion"]),
                spec_version=U32(value["specVersion"]),
                impl_version=U32(value["implVersion"]),
                apis=apis,
                transaction_version=U32(value["transactionVersion"]),
                system_version=U8(system),
            )
        except (KeyError, TypeError, ValueError, NumericError) as error:
            raise ValueError(f"not a RuntimeVersion JSON object: {error}") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _api_id_from_hex(text: object) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise ValueError(f"an api id is 0x-prefixed hex, not {text!r}")
    ident = bytes.fromhex(text[2:])
    if len(ident) != 8:
        raise ValueError(f"an api id has 8 bytes, not {len(ident)}")
    return ident
