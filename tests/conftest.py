"""Shared fixtures and the hypothesis profiles.

The profile is "thorough" (200 examples a property), or "fast" (60) when the
CI environment variable is set; pytest's ``--hypothesis-profile NAME``
overrides either (.ci/run gives it on the one Python version it measures
coverage on).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from .postgres import PostgresServer, find_binaries
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


def _missing(reason: str) -> None:
    """Skip for *reason*; fail under CI (CI=true), which must run every test."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}, and CI must run the PostgreSQL tests", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server started for this test session, stopped at its end
    (see tests/postgres.py)."""
    if importlib.util.find_spec("psycopg") is None:
        _missing("psycopg is not installed (pip install -e '.[test]')")
    binaries = find_binaries()
    if binaries is None:
        _missing(
            "PostgreSQL's initdb and pg_ctl are not on this machine (not in "
            "pg_config --bindir, on the PATH, or in /usr/lib/postgresql/*/bin)"
        )
        return
    server = PostgresServer(binaries).start()
    try:
        yield server
    finally:
        server.stop()
