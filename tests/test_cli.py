"""The command line, run for real in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cattrs
import pytest

from handshake_import import Problem
from handshake_import.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "customers.xlsx"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handshake_import", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_check_example_reports_its_deliberate_errors() -> None:
    """`check` on the example prints a summary and every problem; exit 1."""
    result = run("check", str(EXAMPLE))

    assert 1 == result.returncode, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("46 customers read; 4 errors, 0 warnings")
    assert (
        "sheet 'Customers' row 18 E18 ('email'): error [invalid-email] "
        "'orders@@brightside' is not a valid email address (it must contain exactly "
        "one @)." in lines
    )
    assert "" == result.stderr


@pytest.mark.slow
def test_check_json_structures_back() -> None:
    """`--json` prints JSON whose problems structure back into Problem values."""
    result = run("check", "--json", str(EXAMPLE))

    document = json.loads(result.stdout)
    problems = cattrs.structure(document["problems"], list[Problem])
    assert (False, 46, 4) == (document["ok"], document["rows"], document["errors"])
    assert ["missing-value", "invalid-email", "invalid-email", "mangled-id"] == [
        p.code for p in problems
    ]


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file without errors exits 0."""
    path = tmp_path / "ok.csv"
    path.write_bytes(b"name,email\nAcme,a@x.example\n")

    assert 0 == main(["check", str(path)])
    assert "1 customer read; 0 errors, 0 warnings" in capsys.readouterr().out


def test_column_aliases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--column HEADER=COLUMN maps a CRM header onto the template."""
    path = tmp_path / "crm.csv"
    path.write_bytes(b"Customer Name,Mail\nAcme,a@x.example\n")

    status = main(
        ["check", "--column", "Customer Name=name", "--column", "Mail=email", str(path)]
    )

    assert 0 == status
    assert "0 warnings" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot open"),
        (b"", "The file is empty (0 bytes)"),
        (b"%PDF-1.7 \x00\x01", "This file is a PDF document"),
    ],
)
def test_unreadable_file_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    message: str,
) -> None:
    """A missing or unreadable file: one line on stderr, exit 2, no traceback."""
    path = tmp_path / "customers.xlsx"
    if content is not None:
        path.write_bytes(content)

    assert 2 == main(["check", str(path)])
    captured = capsys.readouterr()
    assert 1 == len(captured.err.splitlines())
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_headers_from_the_file_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hostile header cannot send terminal escapes through the report."""
    path = tmp_path / "evil.csv"
    path.write_bytes(b"name,Not\x1b[31mRed\nAcme,x\n")

    main(["check", str(path)])

    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "('Not\\x1b[31mRed')" in out


def test_bad_alias_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An alias to no template column is a usage error: exit 2."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"name\nA\n")

    assert 2 == main(["check", "--column", "Nom=nom", str(path)])
    assert "'nom' is not a template column" in capsys.readouterr().err


def test_malformed_alias_is_a_usage_error() -> None:
    """--column without '=' is refused by the argument parser (exit 2)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--column", "oops", "x.csv"])

    assert 2 == exit_info.value.code


@pytest.mark.slow
def test_no_command_is_a_usage_error() -> None:
    """Running without a command prints usage and exits 2."""
    result = run()

    assert 2 == result.returncode
    assert "usage:" in result.stderr
