"""The Treasury tests share the Informants mock runtime (System, Balances, Treasury, Informants)."""

from __future__ import annotations

from tests.pallets.informants.conftest import ext, ext_builder

__all__ = ["ext", "ext_builder"]
