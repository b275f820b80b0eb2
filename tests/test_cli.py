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
    Option,
    Plan,
    Problem,
    UpdateCustomer,
    reconcile,
    structure_plan,
)
from handshake_import.adapters.sqlite import SQLiteStore
from handshake_import.cli import _Output, _print_plan, main

from .tables import csv_bytes

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
def test_unreadable_file_exits_6_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    message: str,
) -> None:
    """A missing or unreadable file: one line on stderr, exit 6, no traceback."""
    path = tmp_path / "customers.xlsx"
    if content is not None:
        path.write_bytes(content)

    assert 6 == main(["check", str(path)])
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

    assert 2 == main(["check", "--column", "Nom=nmae", str(path)])
    assert (
        "handshake-import: --column 'Nom=nmae': 'nmae' is not a template column; "
        "did you mean 'name'?\n"
    ) == capsys.readouterr().err


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
        ["register", "--db", str(db), "--create", "manufacturer", "Acme Tools"],
        ["register", "--db", str(db), "customer-group", "retail", "wholesale"],
        ["apply", "--db", str(db), "--yes", "--partial", "--quiet", str(EXAMPLE)],
    ):
        result = run(*command)
        assert result.returncode in (0, 4), result.stderr


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
    monkeypatch.setattr("sys.stdin", io.StringIO("n\ny\n"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    assert 0 == main(["apply", "--db", str(db), "--create", str(path)])
    captured = capsys.readouterr()
    assert "Nothing applied." in captured.out
    assert "Apply this plan? [y/N] " == captured.err
    assert 0 == main(["apply", "--db", str(db), str(path)])
    assert (
        "Applied: 1 created, 0 updated, 0 user groups created."
        in capsys.readouterr().out
    )


def test_database_that_is_not_sqlite_exits_7(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --db that is not a database: one line, exit 7."""
    db = tmp_path / "notes.txt"
    db.write_text("shopping list\n" * 100)
    path = tmp_path / "ok.csv"
    path.write_bytes(b"name\nAcme\n")

    assert 7 == main(["plan", "--db", str(db), str(path)])
    err = capsys.readouterr().err
    assert 1 == len(err.splitlines())
    assert "is not an SQLite database" in err


def test_db_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """HANDSHAKE_IMPORT_DB names the database when --db is not given."""
    db = tmp_path / "env.db"
    monkeypatch.setenv("HANDSHAKE_IMPORT_DB", str(db))

    assert 0 == main(["register", "--create", "manufacturer", "Acme Tools"])
    assert (
        f"Added 1 value to manufacturer in {db}: 'Acme Tools'."
        in capsys.readouterr().out
    )


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
        "apply", "--yes", "--create", "--db", str(database), str(path)
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

    applied = command("apply", "--yes", "--create", str(first))
    text = command("plan", str(second))
    as_json = command("plan", "--json", str(second))

    assert (0, 0, 0) == (applied.returncode, text.returncode, as_json.returncode)
    assert "    contact: 'J?rg' -> 'J?rgen'" in text.stdout.splitlines()
    plan = structure_plan(json.loads(as_json.stdout))
    assert ("Jörg", "Jürgen") == plan.updates[0].changes["contact"]


@pytest.mark.slow
def test_the_readme_main_job(tmp_path: Path) -> None:
    """examples/demo.sh, the README's main job, runs and shows every outcome."""
    for name in ("demo.sh", "workbook.xlsx", "customers-changed.csv"):
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
    assert (
        "Applied: 2 customer groups added or changed; 21 options added or changed; "
        "46 created, 0 updated, 2 user groups created; 5 ship-to addresses added or "
        "changed." in out
    )
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


# -- scripts: exit statuses, apply --json, list, register, --create ---------------


def _database(tmp_path: Path, *customers: str) -> Path:
    """A database holding customers C1 ... (named as given), and the
    customer group 'retail'."""
    db = tmp_path / "t.db"
    with SQLiteStore(db) as store:
        store.add_customer_groups(["retail"])
        rows = [
            ["id", "name"],
            *([f"C{n}", name] for n, name in enumerate(customers, 1)),
        ]
        store.apply(reconcile(csv_bytes(rows), store))
    return db


def _json_apply(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, object], str]:
    status = main(["apply", "--yes", "--json", *args])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def test_policies_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--strict-options and --no-new-user-groups make unknown values errors."""
    db = tmp_path / "shop.db"
    path = tmp_path / "c.csv"
    path.write_bytes(
        csv_bytes(
            [["id", "name", "paymentTerms", "userGroup"], ["C1", "A", "Net 9", "Reps"]]
        )
    )

    assert 0 == main(["plan", str(path), "--db", str(db), "--create"])
    lenient = capsys.readouterr().out
    assert 1 == main(
        ["plan", str(path), "--db", str(db), "--strict-options", "--no-new-user-groups"]
    )
    strict = capsys.readouterr().out

    assert "warning [unknown-option]" in lenient
    assert "1 user group to create" in lenient
    assert "error [option-not-found]" in strict
    assert "error [unknown-user-group]" in strict


def test_options_and_customer_groups_files_plan_and_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """plan and apply read an options or customer groups file by its
    header, print its own counts and actions, and say what was applied;
    the same file again is nothing to do."""
    db = tmp_path / "shop.db"
    options = tmp_path / "options.csv"
    options.write_bytes(
        csv_bytes([["key", "value", "isDefault"], ["paymentTerms", "Net 30", 1]])
    )
    groups = tmp_path / "groups.csv"
    groups.write_bytes(
        csv_bytes(
            [["id", "isDefault", "name", "currency"], ["retail", 1, "Retail", "usd"]]
        )
    )

    assert 0 == main(["plan", str(options), "--db", str(db), "--create"])
    planned = capsys.readouterr().out
    status, document, err = _json_apply(capsys, str(groups), "--db", str(db))
    assert 0 == main(["apply", "--yes", str(options), "--db", str(db)])
    applied = capsys.readouterr()
    assert 0 == main(["apply", "--yes", str(options), "--db", str(db)])
    again = capsys.readouterr()

    assert "1 option to create, 0 to update, 0 unchanged; 0 errors" in planned
    assert (
        "+ row 2: add 'Net 30' to the paymentTerms list, at place 1 (the default)"
        in planned
    )
    assert (0, ["retail"]) == (status, document["result"]["customer_groups"])  # type: ignore[index]
    assert "Applied: 1 customer group added or changed.\n" == err
    assert "Applied: 1 option added or changed." in applied.err + applied.out
    assert "Nothing to do." in again.err + again.out
    with SQLiteStore(db) as store:
        assert [Option(key="paymentTerms", value="Net 30", is_default=True)] == list(
            store.options()
        )


def test_apply_json_is_one_document_with_the_created_internal_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`apply --json` prints one JSON document: the outcome, the plan and what
    was applied, with the internal ids of the created customers; the
    sentence for a person goes to standard error."""
    db = _database(tmp_path, "Acme")
    path = tmp_path / "new.csv"
    path.write_bytes(b"id,name,contact\nC1,Acme,Ann\nN1,New One,\n,New Two,\n")

    status, document, err = _json_apply(capsys, "--db", str(db), str(path))

    assert 0 == status
    assert "applied" == document["outcome"]
    assert {
        "created": [{"row": 3, "internal_id": "2"}, {"row": 4, "internal_id": "3"}],
        "updated": ["1"],
        "user_groups": [],
        "unchanged": [],
        "options": [],
        "customer_groups": [],
        "ship_to": [],
    } == document["result"]
    assert structure_plan(document["plan"]).summary()["actions"]["create"] == 2
    assert "Applied: 2 created, 1 updated, 0 user groups created.\n" == err


@pytest.mark.parametrize(
    "case",
    [
        (b"id,name\nC1,Acme\n", [], 0, "nothing-to-do"),
        (b"id,name,customerGroup\nN1,One,nope\nN2,Two,\n", [], 1, "refused"),
        (
            b"id,name,customerGroup\nN1,One,nope\nN2,Two,\n",
            ["--partial"],
            4,
            "applied-in-part",
        ),
        (
            b"id,name,customerGroup\nN1,One,nope\nC1,Acme,\n",
            ["--partial"],
            4,
            "nothing-to-do",
        ),
    ],
)
def test_apply_exit_statuses(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: tuple[bytes, list[str], int, str],
) -> None:
    """0 applied everything (or nothing to do), 1 refused for errors,
    4 applied the rows without errors."""
    content, options, status, outcome = case
    db = _database(tmp_path, "Acme")
    path = tmp_path / "f.csv"
    path.write_bytes(content)

    got, document, _ = _json_apply(capsys, "--db", str(db), *options, str(path))

    assert (status, outcome) == (got, document["outcome"])
    assert (document["result"] is None) == (outcome != "applied-in-part")


def test_apply_refused_as_stale_exits_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan made stale between planning and applying: exit 5, outcome
    'stale', nothing applied."""
    db = _database(tmp_path, "Acme")
    path = tmp_path / "f.csv"
    path.write_bytes(b"id,name,contact\nC1,Acme,Ann\n")
    real_apply = SQLiteStore.apply

    def apply_after_a_change(store: SQLiteStore, plan: Plan, **options: bool) -> object:
        """Another import changes C1's contact first, then the plan is applied."""
        monkeypatch.setattr(SQLiteStore, "apply", real_apply)
        change = [["id", "name", "contact"], ["C1", "Acme", "Bo"]]
        store.apply(reconcile(csv_bytes(change), store))
        return real_apply(store, plan, **options)

    monkeypatch.setattr(SQLiteStore, "apply", apply_after_a_change)

    status, document, err = _json_apply(capsys, "--db", str(db), str(path))

    assert 5 == status
    assert "stale" == document["outcome"]
    assert "Nothing applied: Row 2: the data changed since this plan was made" in err
    with SQLiteStore(db) as store:
        assert "Bo" == store.customers_by_id(["C1"])["C1"].contact


def test_plan_partial_is_refused_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan --partial` is a usage error that says why (plan applies nothing)."""
    db = _database(tmp_path)
    path = tmp_path / "f.csv"
    path.write_bytes(b"name\nAcme\n")

    assert 2 == main(["plan", "--partial", "--db", str(db), str(path)])
    assert "--partial is for apply" in capsys.readouterr().err


def test_a_database_that_does_not_exist_needs_create(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --db naming no file is a usage error (a typo would otherwise make an
    empty database); --create makes it."""
    db = tmp_path / "typo.db"
    path = tmp_path / "f.csv"
    path.write_bytes(b"name\nAcme\n")

    assert 2 == main(["plan", "--db", str(db), str(path)])
    assert "does not exist; pass --create" in capsys.readouterr().err
    assert not db.exists()
    assert 0 == main(["plan", "--db", str(db), "--create", str(path)])
    assert db.exists()


def test_register_says_what_it_added_and_what_was_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """register adds the new values, says which were there already
    (ignoring case), and refuses a blank one."""
    db = _database(tmp_path)

    assert 0 == main(
        [
            "register",
            "--db",
            str(db),
            "customer-group",
            "RETAIL",
            "wholesale",
            "Wholesale",
        ]
    )
    assert (
        f"Added 1 value to customer-group in {db}: 'wholesale'.\n"
        "Already there: 'RETAIL' (as 'retail').\n"
        "Already there: 'Wholesale' (as 'wholesale').\n"
    ) == capsys.readouterr().out
    assert 0 == main(["register", "--db", str(db), "paymentTerms", "Net 30"])
    assert 0 == main(["register", "--db", str(db), "paymentTerms", "net 30"])
    assert "Nothing added to paymentTerms" in capsys.readouterr().out
    assert 2 == main(["register", "--db", str(db), "user-group", "Reps", "  "])
    assert "a value is blank" in capsys.readouterr().err
    with SQLiteStore(db) as store:
        assert ["retail", "wholesale"] == sorted(g.id for g in store.customer_groups())
        assert [Option(key="paymentTerms", value="Net 30")] == list(store.options())
        assert () == tuple(store.user_groups())


def test_list_shows_the_reference_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """list shows each kind of reference data with its values (control
    characters escaped), or as JSON."""
    db = _database(tmp_path)
    with SQLiteStore(db) as store:
        store.add_options("paymentTerms", ["Net 30", "Net\x1b[2J 60"])

    assert 0 == main(["list", "--db", str(db), "customer-group", "paymentTerms"])
    assert (
        "customer-group (1)\n  retail\npaymentTerms (2)\n  Net 30\n  Net\\x1b[2J 60\n"
    ) == capsys.readouterr().out
    assert 0 == main(["list", "--db", str(db), "--json"])
    assert {
        "manufacturer": [],
        "customer-group": ["retail"],
        "user-group": [],
        "paymentTerms": ["Net 30", "Net\x1b[2J 60"],
        "shippingMethod": [],
        "ccType": [],
    } == json.loads(capsys.readouterr().out)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the installed version."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert 0 == exit_info.value.code
    assert capsys.readouterr().out.startswith("handshake-import 0.")


def test_a_column_alias_far_from_any_column_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --column target like no template column: the columns are listed."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"name\nA\n")

    assert 2 == main(["check", "--column", "X=zzzzzz", str(path)])
    err = capsys.readouterr().err
    assert "'zzzzzz' is not a template column. The template's columns are id," in err
    assert "userGroup, and id:<Manufacturer>." in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_shows_a_percentage_where_the_total_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal, progress with a total is a percentage; without one, a
    count of rows; the line is cleared at the end."""
    from handshake_import.cli import _ProgressBar  # noqa: PLC0415 - the unit tested

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    bar = _ProgressBar()

    bar(0, 4000)
    bar(1000, 4000)
    bar(3000, None)
    bar.finish()

    assert "\r0% read\r25% read\r3,000 rows read\r\x1b[K" == terminal.getvalue()
