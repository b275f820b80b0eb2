"""The suite includes the linters: ruff (lint and format) and mypy (strict)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_check() -> None:
    """ruff finds nothing to report."""
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    """The code is formatted with ruff format."""
    result = run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict() -> None:
    """mypy --strict passes on the package and the user-style typing tests."""
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
