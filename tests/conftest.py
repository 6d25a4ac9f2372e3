"""Shared pytest configuration: hypothesis profiles.

`HYPOTHESIS_PROFILE=thorough` runs many more examples; CI uses the default profile, which has
no deadline (timing belongs in `bench/`, never in tests) and a moderate example count.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=5_000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
