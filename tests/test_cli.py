"""The command line, run for real in a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path

import cattrs
import pytest

from handshake_import import (
    Customer,
    Plan,
    Problem,
    UpdateCustomer,
    reconcile,
    structure_plan,
)
from handshake_import.adapters.sqlite import SQLiteStore
from handshake_import.cli import _Output, _print_plan, main

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


# -- plan, apply, register ---------------------------------------------------------

CHANGED = ROOT / "examples" / "customers-changed.csv"


def prepare(db: Path) -> None:
    """A database with the example's reference data and customers applied."""
    for command in (
        ["register", "--db", str(db), "manufacturer", "Acme Tools"],
        ["register", "--db", str(db), "customer-group", "retail", "wholesale"],
        ["apply", "--db", str(db), "--yes", "--partial", "--quiet", str(EXAMPLE)],
    ):
        result = run(*command)
        assert result.returncode in (0, 1), result.stderr


@pytest.mark.slow
def test_apply_then_plan_the_changed_file(tmp_path: Path) -> None:
    """The main job: apply the example, plan the changed file, see every outcome."""
    db = tmp_path / "demo.db"
    prepare(db)

    result = run("plan", "--db", str(db), str(CHANGED))

    assert 1 == result.returncode  # the changed file has one bad email
    out = result.stdout
    assert "2 to create, 2 to update, 42 unchanged" in out.splitlines()[0]
    # An update names the stored customer as it is before the update.
    assert "~ row 2: update 'Harbor Hardware & Supply' id 'C00017' (matched by id)" in (
        out
    )
    assert (
        "    name: 'Harbor Hardware & Supply' → 'Harbor Hardware & Marine Supply'"
        in out
    )
    assert "[possible-duplicate]" in out
    assert "row 8 E8 ('email'): error [invalid-email]" in out
    assert "" == result.stderr


@pytest.mark.slow
def test_applying_the_same_file_again_has_nothing_to_do(tmp_path: Path) -> None:
    """A second apply of the first file finds only unchanged rows."""
    db = tmp_path / "demo.db"
    prepare(db)

    result = run(
        "apply", "--db", str(db), "--yes", "--partial", "--quiet", str(EXAMPLE)
    )

    assert "0 to create, 0 to update, 46 unchanged" in result.stdout
    assert "Nothing to do." in result.stdout


@pytest.mark.slow
def test_plan_json_structures_back_to_an_equal_plan(tmp_path: Path) -> None:
    """`plan --json` prints the plan that reconcile makes, as structured data."""
    db = tmp_path / "demo.db"
    prepare(db)

    result = run("plan", "--db", str(db), "--json", str(CHANGED))

    printed = structure_plan(json.loads(result.stdout))
    with SQLiteStore(db) as store:
        assert reconcile(CHANGED, store) == printed


@pytest.mark.slow
def test_apply_without_a_terminal_needs_yes(tmp_path: Path) -> None:
    """apply never guesses: without a terminal it needs --yes (exit 2)."""
    result = run("apply", "--db", str(tmp_path / "x.db"), str(EXAMPLE))

    assert 2 == result.returncode
    assert "pass --yes" in result.stderr
    assert not (tmp_path / "x.db").exists() or "Traceback" not in result.stderr


def test_apply_asks_for_confirmation_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a terminal, apply shows the plan and applies only after 'y'."""
    path = tmp_path / "ok.csv"
    path.write_bytes(b"id,name\nC1,Acme\n")
    db = tmp_path / "t.db"
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["n", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))

    assert 0 == main(["apply", "--db", str(db), str(path)])
    assert "Nothing applied." in capsys.readouterr().out
    assert 0 == main(["apply", "--db", str(db), str(path)])
    assert (
        "Applied: 1 created, 0 updated, 0 user groups created."
        in capsys.readouterr().out
    )


def test_database_that_is_not_sqlite_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --db that is not a database: one line, exit 2."""
    db = tmp_path / "notes.txt"
    db.write_text("shopping list\n" * 100)
    path = tmp_path / "ok.csv"
    path.write_bytes(b"name\nAcme\n")

    assert 2 == main(["plan", "--db", str(db), str(path)])
    err = capsys.readouterr().err
    assert 1 == len(err.splitlines())
    assert "is not an SQLite database" in err


def test_db_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """HANDSHAKE_IMPORT_DB names the database when --db is not given."""
    db = tmp_path / "env.db"
    monkeypatch.setenv("HANDSHAKE_IMPORT_DB", str(db))

    assert 0 == main(["register", "manufacturer", "Acme Tools"])
    assert f"Registered 1 value (manufacturer) in {db}." in capsys.readouterr().out


def test_many_problems_of_one_code_are_grouped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past ten problems of one code, a few are shown and the rest counted."""
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name,email\n" + b"A,bad\n" * 25)

    main(["check", str(path)])

    out = capsys.readouterr().out
    assert 5 == out.count("[invalid-email] ")
    assert "  ... and 20 more [invalid-email]" in out


def _first_line_then_close(*args: str) -> tuple[str, int]:
    """Run the command, read one line of its output and close the pipe, as
    ``| head -1`` does; its first line and exit status."""
    with subprocess.Popen(
        [sys.executable, "-m", "handshake_import", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        process.stdout.close()
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        status = process.wait(timeout=60)
    assert "Traceback" not in stderr, stderr
    return line, status


def _many_customers(path: Path, count: int, email: str = "ok@x.example") -> Path:
    rows = "".join(f"C{n},Customer {n},{email}\n" for n in range(count))
    path.write_text("id,name,email\n" + rows, encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_closed_pipe_never_turns_a_failure_into_success(tmp_path: Path) -> None:
    """`check --json FILE_WITH_ERRORS | head -1`: still exit 1."""
    path = _many_customers(tmp_path / "bad.csv", 3000, email="nope")

    line, status = _first_line_then_close("check", "--json", str(path))

    assert "{" == line.strip()
    assert 1 == status


@pytest.mark.slow
def test_a_closed_pipe_never_stops_an_apply_half_way(tmp_path: Path) -> None:
    """`apply --yes FILE | head -1`: the whole plan is applied, and the exit
    status says the output was lost."""
    path = _many_customers(tmp_path / "new.csv", 3000)
    database = tmp_path / "closed.db"

    line, status = _first_line_then_close(
        "apply", "--yes", "--db", str(database), str(path)
    )

    assert line.startswith(f"{path}: 3000 to create")
    assert 3 == status
    with SQLiteStore(database) as store:
        assert 3000 == store.customer_count()


@pytest.mark.slow
def test_a_terminal_without_unicode_gets_readable_text_and_valid_json(
    tmp_path: Path,
) -> None:
    """With an ASCII-only standard output, an update's arrow degrades and
    the JSON escapes what it cannot write; nothing aborts."""
    database = tmp_path / "ascii.db"
    first = tmp_path / "first.csv"
    first.write_text("id,name,contact\nC1,Café Müller,Jörg\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("id,name,contact\nC1,Café Müller,Jürgen\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "handshake_import", *args, "--db", str(database)],
            check=False,
            capture_output=True,
            text=True,
            encoding="ascii",
            cwd=ROOT,
            env=env,
        )

    applied = command("apply", "--yes", str(first))
    text = command("plan", str(second))
    as_json = command("plan", "--json", str(second))

    assert (0, 0, 0) == (applied.returncode, text.returncode, as_json.returncode)
    assert "    contact: 'J?rg' -> 'J?rgen'" in text.stdout.splitlines()
    plan = structure_plan(json.loads(as_json.stdout))
    assert ("Jörg", "Jürgen") == plan.updates[0].changes["contact"]


@pytest.mark.slow
def test_the_readme_main_job(tmp_path: Path) -> None:
    """examples/demo.sh, the README's main job, runs and shows every outcome."""
    for name in ("demo.sh", "customers.xlsx", "customers-changed.csv"):
        (tmp_path / name).write_bytes((ROOT / "examples" / name).read_bytes())

    # As after `pip install .`: the scripts of the Python running the tests
    # (its virtual environment's bin/, activated or not) come first.
    scripts = sysconfig.get_path("scripts")
    result = subprocess.run(
        ["sh", str(tmp_path / "demo.sh")],
        check=False,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PATH": os.pathsep.join([scripts, os.environ.get("PATH", os.defpath)]),
        },
    )

    assert 0 == result.returncode, result.stderr
    out = result.stdout
    assert "Applied: 46 created, 0 updated, 2 user groups created." in out
    assert "2 to create, 2 to update, 42 unchanged" in out
    assert "[possible-duplicate]" in out
    assert "[invalid-email]" in out
    assert out.rstrip().endswith("Nothing to do.")


def _plan_text(updated: Mapping[str, Customer], internal_id: str = "7") -> str:
    """The text of a plan updating the customer with *internal_id*, given
    what the store returned for it."""
    plan = Plan(
        actions=(
            UpdateCustomer(
                row=2,
                sheet=None,
                internal_id=internal_id,
                matched_by="internal_id",
                changes={"contact": ("Ann", "Bo")},
            ),
        )
    )
    out = io.StringIO()
    _print_plan("f.csv", plan, _Output(out), quiet=False, updated=updated)
    return out.getvalue()


def test_an_update_the_store_no_longer_knows_is_shown_by_internal_id() -> None:
    """The plan's text names an updated customer from the store; one the
    store no longer returns is shown by its internal id."""
    text = _plan_text({})

    assert (
        "~ row 2: update the customer with internal id '7' (matched by internal_id)\n"
        in text
    )


def test_an_internal_id_the_store_no_longer_knows_is_shown_escaped() -> None:
    """An internal id is the store's text: shown quoted, with a terminal
    escape in it escaped, like every other value the plan's text shows."""
    text = _plan_text({}, internal_id="7\x1b[2J")

    assert "update the customer with internal id '7\\x1b[2J'" in text
    assert "\x1b" not in text


def test_an_updated_customer_without_an_id_is_shown_by_its_internal_id() -> None:
    """A customer made in the system may have no id: the line names it by its
    internal id, never as id ''."""
    text = _plan_text({"7": Customer(name="Harbor Supply", internal_id="7")})

    assert (
        "~ row 2: update 'Harbor Supply' internal id '7' (matched by internal_id)\n"
        in text
    )
