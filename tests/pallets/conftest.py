"""Shared helpers of the pallet tests: a runtime's metadata as scalecodec decodes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.primitives.extrinsic import UncheckedExtrinsic
from deepshard.primitives.metadata import SignedExtensionDescription
from deepshard.runtime.extensions import SIGNED_EXTENSIONS
from deepshard.runtime.support import Runtime
from deepshard.runtime.support.metadata import runtime_metadata


class DecodedMetadata:
    """A runtime's V14 metadata as scalecodec decodes it."""

    def __init__(self, runtime: Runtime) -> None:
        extensions = [
            SignedExtensionDescription(e.identifier, e.extra_type, e.additional_type)
            for e in SIGNED_EXTENSIONS
        ]
        built = runtime_metadata(runtime, UncheckedExtrinsic[runtime.runtime_call], extensions)
        config = RuntimeConfigurationObject()
        config.update_type_registry(load_type_registry_preset("core"))
        decoded = config.create_scale_object("MetadataVersioned", ScaleBytes(built.encoded))
        decoded.decode()
        config.add_portable_registry(decoded)
        self.config = config
        self.decoded = decoded
        self.runtime = runtime
        self.v14: dict[str, Any] = decoded.value[1]["V14"]

    def pallet(self, name: str) -> dict[str, Any]:
        """The pallet's metadata."""
        return next(p for p in self.v14["pallets"] if p["name"] == name)

    def type(self, type_id: int) -> dict[str, Any]:
        """The registry type `type_id`."""
        return self.v14["types"]["types"][type_id]["type"]

    def decode_events(self, records: bytes) -> list[Any]:
        """Decode a ``System.Events`` value with its metadata type, as clients do."""
        (events,) = (
            e for e in self.pallet("System")["storage"]["entries"] if e["name"] == "Events"
        )
        value = self.config.create_scale_object(
            f"scale_info::{events['type']['Plain']}", ScaleBytes(records), metadata=self.decoded
        )
        return list(value.decode())

    def encode_call(self, call: dict[str, Any]) -> bytes:
        """Encode a call the way substrate-interface's ``compose_call`` does."""
        scale = self.config.create_scale_object("Call", metadata=self.decoded)
        return bytes(scale.encode(call).data)

    def variants(self, type_id: int) -> list[dict[str, Any]]:
        """The variants of enum type `type_id`."""
        return self.type(type_id)["def"]["variant"]["variants"]


@pytest.fixture(scope="session")
def decoded_metadata() -> Callable[[Runtime], DecodedMetadata]:
    """`decoded_metadata(runtime)`: a mock runtime's metadata, decoded by scalecodec."""
    return DecodedMetadata
