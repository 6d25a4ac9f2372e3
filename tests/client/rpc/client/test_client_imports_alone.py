"""The typed chain client imports without the node's RPC server, its methods or the runtime."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deepshard.client import rpc

_PROBE = """
import sys
import deepshard.client.rpc.client
print(" ".join(sorted(m for m in sys.modules if m.startswith("deepshard"))))
"""


def test_the_client_does_not_drag_in_the_server() -> None:
    # a fresh interpreter: this test session has long imported everything
    found = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "deepshard.client.rpc.client" in found
    dragged = [
        name
        for name in found
        if name.startswith(
            (
                "deepshard.client.rpc.server",
                "deepshard.client.rpc.methods",
                "deepshard.client.rpc.module",
                "deepshard.client.node",
                "deepshard.runtime",
                "deepshard.pallets",
            )
        )
    ]
    assert dragged == []


def test_the_package_still_offers_every_public_name() -> None:
    for name in rpc.__all__:
        assert getattr(rpc, name) is not None
    assert set(rpc.__all__) <= set(dir(rpc))
    assert rpc.RpcServer.__module__ == "deepshard.client.rpc.server"
    with pytest.raises(AttributeError, match="NoSuchThing"):
        rpc.NoSuchThing  # noqa: B018
