"""Shared fixtures and the hypothesis profiles.

The profile is "thorough" (200 examples a property), or "fast" (60) when the
CI environment variable is set; pytest's ``--hypothesis-profile NAME``
overrides either (.ci/run gives it on the one Python version it measures
coverage on).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from .tables import WRITERS, Writer

settings.register_profile(
    "fast", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile("fast" if os.environ.get("CI") else "thorough")


@pytest.fixture(params=sorted(WRITERS))
def write_table(request: pytest.FixtureRequest) -> Writer:
    """Write a table in each supported format in turn (the test runs 4 times)."""
    return WRITERS[request.param]
