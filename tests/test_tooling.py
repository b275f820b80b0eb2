"""The suite includes the linters: ruff (lint and format) and mypy (strict).

And the tooling agrees with itself: the supported Python versions are the
same in pyproject.toml, the README and CI, CI runs the README's test
command, and the linters look at the project's own files only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest depends on tomli before 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        check=False,
        cwd=cwd,
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


# -- what the linters look at -------------------------------------------------------

_BAD_PYTHON = "import os\nx=( 1 )\n"  # an unused import, and unformatted


def test_ruff_leaves_virtual_environments_alone(tmp_path: Path) -> None:
    """With the project's settings, ruff checks and formats the project's
    files, and none in a virtual environment of any name in the checkout."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "handshake_import").mkdir()
    (tmp_path / "handshake_import" / "bad.py").write_text(_BAD_PYTHON)
    for venv in ("venv", ".venv", ".venv-3.12", "env", "py313"):
        for folder in ("bin", "lib/python3.12/site-packages/some_package"):
            (tmp_path / venv / folder).mkdir(parents=True)
            (tmp_path / venv / folder / "bad.py").write_text(_BAD_PYTHON)
        (tmp_path / venv / "pyvenv.cfg").write_text("home = /usr/bin\n")

    checked = run("ruff", "check", "--output-format=concise", ".", cwd=tmp_path)
    formatted = run("ruff", "format", "--check", ".", cwd=tmp_path)

    assert ["handshake_import/bad.py"] == sorted(
        {line.split(":")[0] for line in checked.stdout.splitlines() if ".py:" in line}
    ), checked.stdout + checked.stderr
    assert "handshake_import/bad.py" in formatted.stdout, formatted.stdout
    assert re.search("^1 file would be reformatted", formatted.stdout, re.M), (
        formatted.stdout
    )


def test_ruff_checks_every_python_file_of_the_project() -> None:
    """Every Python file git tracks is one that ruff checks (its include
    list names the project's folders)."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    shown = run("ruff", "check", "--show-files", ".").stdout.splitlines()
    checked = {Path(line).relative_to(ROOT).as_posix() for line in shown if line}

    assert [] == sorted(set(tracked) - checked)


def test_mypy_checks_the_project_only() -> None:
    """mypy is given the project's own folders, not the whole checkout."""
    files = PYPROJECT["tool"]["mypy"]["files"]

    assert ["handshake_import", "tests/typing"] == files
    assert all((ROOT / path).is_dir() for path in files)


# -- supported Python versions ------------------------------------------------------


def _classifier_versions() -> list[str]:
    prefix = "Programming Language :: Python :: "
    return [
        classifier.removeprefix(prefix)
        for classifier in PYPROJECT["project"]["classifiers"]
        if re.fullmatch(re.escape(prefix) + r"3\.\d+", classifier)
    ]


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_supported_versions_agree() -> None:
    """The classifiers, the README and .ci/run name the same Python versions,
    from requires-python's lowest on, and mypy and ruff target the lowest."""
    classifiers = _classifier_versions()
    readme = (ROOT / "README.md").read_text("utf-8")
    stated = re.search(
        r"Supported Python versions: ((?:3\.\d+(?:, | and ))*3\.\d+)", readme
    )
    ci = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--versions"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()

    assert stated is not None, "the README says which Python versions it supports"
    assert classifiers == re.findall(r"3\.\d+", stated.group(1))
    assert classifiers == ci
    assert classifiers == sorted(classifiers, key=_key)
    assert f">={classifiers[0]}" == PYPROJECT["project"]["requires-python"]
    assert classifiers[0] == PYPROJECT["tool"]["mypy"]["python_version"]
    assert (
        "py" + classifiers[0].replace(".", "")
        == PYPROJECT["tool"]["ruff"]["target-version"]
    )


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run's command is the README's, character for character, and the
    version it measures coverage on is one it runs."""
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    command = re.search(r'^TEST_COMMAND="(.*)"$', script, re.M)
    full = re.search(r"^FULL_VERSION=(3\.\d+)$", script, re.M)
    readme = (ROOT / "README.md").read_text("utf-8")

    assert command is not None
    assert f"```\n{command.group(1)}\n```" in readme
    assert full is not None
    assert full.group(1) in _classifier_versions()
