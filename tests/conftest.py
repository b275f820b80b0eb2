"""Shared fixtures and the hypothesis profiles (a fast one when CI is set)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from .tables import WRITERS, Writer

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(params=sorted(WRITERS))
def write_table(request: pytest.FixtureRequest) -> Writer:
    """Write a table in each supported format in turn (the test runs 4 times)."""
    return WRITERS[request.param]
