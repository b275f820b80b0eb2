"""SQLite store benchmark: `SQLiteStore.apply` and reconciling against it.

Usage::

    python bench/bench_sqlite.py [--rows 100000] [--quick] [--repeat 3]

Generates a CSV of ``--rows`` new customers and a copy of it with one cell
changed in every tenth row, into a temporary directory, then measures, each
in a fresh interpreter:

- ``store.apply(plan)`` of the plan that creates every customer of the CSV
  in an empty database, next to a plain ``executemany`` of the same rows
  into one table with the columns of the adapter's ``customers`` table, in
  one transaction (the floor under any SQLite insert of these rows);
- ``reconcile(changed_csv, SQLiteStore(db))`` against the database the
  first apply run filled, next to ``reconcile(changed_csv, InMemoryStore(...))``
  holding the same customers, read back from that database; both plans must
  be the same.

Speed figures are the best of ``--repeat`` runs, measurement and baseline
interleaved. The script reports; it always exits 0 (except on bad
arguments). Internally it re-runs itself as ``bench_sqlite.py --child NAME
CSV DB ROWS``; see ``_child``.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import hashlib
import importlib
import io
import os
import pstats
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from _files import REFERENCE_DATA, write_csv
from _harness import (
    Measurement,
    Outcome,
    _counts,
    _fmt,
    _in_workdir,
    _mapping,
    _measure,
    _measurements_table,
    _parse_common,
    _print_result,
    _print_targets,
    _print_warnings,
    _ratio,
    _run_child,
    _table,
    _verdict,
)

if TYPE_CHECKING:
    from handshake_import import CustomerStore, Plan
    from handshake_import.adapters.sqlite import SQLiteStore

APPLY_SPEED_TARGET = 1 / 3
"""``SQLiteStore.apply`` rows/s ÷ plain ``executemany`` rows/s, at least."""
RECONCILE_SPEED_TARGET = 0.5
"""reconcile rows/s against SQLiteStore ÷ against InMemoryStore, at least."""

CHANGE_EVERY = 10
"""The changed CSV changes one cell in every this-many-th data row."""
_CHANGED_COLUMNS = ("contact", "email", "bill_street", "taxID")
"""The cells changed, in turn (text, an email list, an address part, blank or not)."""

_PROFILE_LINES = 20

# Where each column of the adapter's customers table takes its value from in
# the executemany baseline: a CSV column, or a constant for the columns the
# template has no cell for. internal_id is left to SQLite, as apply does.
_CSV_SOURCE = {
    "id": "id",
    "name": "name",
    "name_key": "name",
    "contact": "contact",
    "payment_terms": "paymentTerms",
    "shipping_method": "shippingMethod",
    "tax_id": "taxID",
    "customer_group": "customerGroup",
    "user_group": "userGroup",
    "emails": "email",
}
_CONSTANTS: dict[str, object] = {"generated_number": None, "custom": "{}"}


# --- files -------------------------------------------------------------------


def _rewrite(source: Path, target: Path, change: bool) -> int:
    """Copy the CSV ``source`` to ``target`` with blank internal ids.

    The generated file gives 60% of its rows an internal id, which in an
    empty database is an error (no customer has it); blanking the column
    makes every row a new customer, matched by its ``id`` from then on. With
    ``change``, every ``CHANGE_EVERY``-th data row also gets a new value in
    one of ``_CHANGED_COLUMNS`` (in turn), one no generated row has.
    Returns the number of changed rows. csv.writer's defaults are those of
    ``_files.write_csv``, so the other bytes are the same.
    """
    changed = 0
    with (
        open(source, encoding="utf-8", newline="") as src,
        open(target, "w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.reader(src)
        writer = csv.writer(dst)
        header = next(reader)
        writer.writerow(header)
        internal = header.index("internal_id")
        columns = [header.index(name) for name in _CHANGED_COLUMNS]
        for number, row in enumerate(reader, start=1):
            row[internal] = ""
            if change and number % CHANGE_EVERY == 0:
                which = changed % len(columns)
                row[columns[which]] = _new_value(_CHANGED_COLUMNS[which], number)
                changed += 1
            writer.writerow(row)
    return changed


def _new_value(column: str, number: int) -> str:
    """A value for ``column`` of data row ``number`` that no generated row has."""
    if column == "contact":
        return f"Changed Contact {number}"
    if column == "email":
        return f"changed{number}@example.com"
    if column == "bill_street":
        return f"{number} Changed Street"
    return f"99-{number:07d}"  # taxID; generated ones start at 10-.. up to 98-..


def _generate(workdir: Path, rows: int) -> dict[str, Path]:
    """Write the new-customers CSV and its changed copy; print how long it took."""
    generated = workdir / f"generated_{rows}.csv"
    new = workdir / f"customers_{rows}.csv"
    changed = workdir / f"customers_{rows}_changed.csv"
    start = time.perf_counter()
    write_csv(generated, rows)
    _rewrite(generated, new, change=False)
    count = _rewrite(generated, changed, change=True)
    generated.unlink()
    elapsed = time.perf_counter() - start
    report = [
        [path.name, f"{rows:,}", f"{path.stat().st_size / (1024 * 1024):.1f}"]
        for path in (new, changed)
    ]
    print(f"Generated files ({elapsed:.1f} s)", flush=True)
    print(_table(["file", "rows", "MB"], report))
    print(f"{changed.name}: {count:,} rows changed (every {CHANGE_EVERY}th)")
    print()
    return {"new": new, "changed": changed}


# --- child side --------------------------------------------------------------


def _customers_ddl(indexes: bool) -> tuple[list[str], list[tuple[str, int]]]:
    """The adapter's customers table: its CREATE statements and its columns.

    Read from the ``sqlite_master`` of a database the adapter set up in
    memory, so the baseline follows the schema. Returns the statements (the
    table, then its own indexes when ``indexes``) and ``(name, notnull)``
    of each column but ``internal_id``.
    """
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    connection = sqlite3.connect(":memory:", isolation_level=None)
    SQLiteStore(connection)
    (table,) = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'customers'"
    ).fetchone()
    statements = [table]
    if indexes:
        statements += [
            sql
            for (sql,) in connection.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'customers' AND sql IS NOT NULL ORDER BY name"
            )
        ]
    columns = [
        (name, notnull)
        for _, name, _, notnull, _, _ in connection.execute(
            "PRAGMA table_info(customers)"
        )
        if name != "internal_id"
    ]
    connection.close()
    return statements, columns


def _baseline_rows(
    path: str, columns: Sequence[tuple[str, int]]
) -> list[tuple[object, ...]]:
    """The CSV's rows as the baseline inserts them: cells straight from the
    file, in the table's column order, a blank cell as NULL (as ``''`` in a
    NOT NULL column)."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        where = {name: i for i, name in enumerate(header)}
        plan: list[
            tuple[int, object, bool]
        ] = []  # (cell index or -1, constant, notnull)
        for name, notnull in columns:
            source = _CSV_SOURCE.get(name, name)
            index = where.get(source, -1)
            plan.append((index, _CONSTANTS.get(name), bool(notnull)))
        return [
            tuple(
                (row[i] if row[i] or notnull else None) if i >= 0 else constant
                for i, constant, notnull in plan
            )
            for row in reader
        ]


def _child_executemany(
    csv_path: str, db: str, rows: int, indexes: bool
) -> dict[str, object]:
    """Time ``executemany`` of the CSV's rows into a customers-shaped table.

    The table is created in an empty database file from the adapter's own
    CREATE TABLE (same columns, types and constraints), and its indexes too
    when ``indexes``. Timed: ``BEGIN IMMEDIATE``, one ``executemany`` of
    every row, ``COMMIT``; the rows are read and arranged before the clock.
    """
    statements, columns = _customers_ddl(indexes)
    values = _baseline_rows(csv_path, columns)
    connection = sqlite3.connect(db, isolation_level=None)
    for statement in statements:
        connection.execute(statement)
    names = [name for name, _ in columns]
    insert = (
        f"INSERT INTO customers ({', '.join(names)}) "
        f"VALUES ({', '.join('?' * len(names))})"
    )
    gc.collect()
    start = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(insert, values)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    (count,) = connection.execute("SELECT count(*) FROM customers").fetchone()
    connection.close()
    result: dict[str, object] = {"seconds": seconds, "stored": count}
    if count != rows:
        result["warning"] = f"table holds {count:,} rows, expected {rows:,}"
    return result


def _register(store: SQLiteStore) -> None:
    """Register what the generated files refer to, so the plan has no errors.

    Manufacturer and customer groups (unknown ones are errors) and the
    payment terms and shipping methods (unknown ones are warnings). User
    groups are left out: the plan creates them, as an import would.
    """
    store.add_manufacturers(REFERENCE_DATA["manufacturers"])
    store.add_customer_groups(REFERENCE_DATA["customer_groups"])
    for key in ("paymentTerms", "shippingMethod"):
        store.add_options(key, REFERENCE_DATA[key])


def _plan_figures(plan: Plan) -> dict[str, object]:
    """The plan's counts, and a digest of its actions for comparing plans."""
    summary = plan.summary()
    digest = hashlib.sha256(repr(plan.actions).encode("utf-8")).hexdigest()
    return {
        "ok": plan.ok,
        "actions": summary["actions"],
        "errors": summary["errors"],
        "warnings": summary["warnings"],
        "digest": digest[:16],
    }


def _failure(message: str, figures: Mapping[str, object]) -> dict[str, object]:
    """A child result that fails its measurement, with the plan's problems."""
    return {
        "failure": f"{message}; errors: {figures['errors']}, "
        f"warnings: {figures['warnings']}",
        **figures,
    }


def _child_apply(csv_path: str, db: str, rows: int) -> dict[str, object]:
    """Plan the CSV against an empty database (not timed); time ``apply``."""
    from handshake_import import reconcile  # noqa: PLC0415
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    with SQLiteStore(db) as store:
        _register(store)
        start = time.perf_counter()
        plan = reconcile(csv_path, store)
        plan_seconds = time.perf_counter() - start
        figures = _plan_figures(plan)
        if not plan.ok:
            return _failure("the plan has errors", figures)
        profiler = _profiler()
        gc.collect()
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        applied = store.apply(plan)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
        count = store.customer_count()
    result: dict[str, object] = {
        "seconds": seconds,
        "plan_seconds": plan_seconds,
        "created": len(applied.created),
        "user_groups": len(applied.user_groups),
        "stored": count,
        **figures,
    }
    if len(applied.created) != rows or count != rows:
        result["warning"] = (
            f"created {len(applied.created):,}, the database holds {count:,}; "
            f"expected {rows:,}"
        )
    if profiler:
        result["profile"] = _profile_text(profiler)
    return result


def _expected(rows: int) -> dict[str, int]:
    """The changed CSV's plan against the database holding the original."""
    updates = rows // CHANGE_EVERY
    return {"create": 0, "update": updates, "unchanged": rows - updates}


def _reconciled(
    csv_path: str, rows: int, store: CustomerStore, extra: Mapping[str, object]
) -> dict[str, object]:
    """Time ``reconcile(csv_path, store)``; return its figures and ``extra``."""
    from handshake_import import reconcile  # noqa: PLC0415

    profiler = _profiler()
    gc.collect()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    plan = reconcile(csv_path, store)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    figures = _plan_figures(plan)
    result: dict[str, object] = {"seconds": seconds, **extra, **figures}
    if not plan.ok:
        return _failure("the plan has errors", figures)
    expected = _expected(rows)
    actions = plan.summary()["actions"]
    got = {kind: actions.get(kind, 0) for kind in expected}
    if got != expected:
        result["warning"] = f"plan has {got}, the changes imply {expected}"
    if profiler:
        result["profile"] = _profile_text(profiler)
    return result


def _child_reconcile_sqlite(csv_path: str, db: str, rows: int) -> dict[str, object]:
    """Time ``reconcile`` of the changed CSV against ``SQLiteStore(db)``."""
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    with SQLiteStore(db) as store:
        return _reconciled(csv_path, rows, store, {"stored": store.customer_count()})


def _child_reconcile_memory(csv_path: str, db: str, rows: int) -> dict[str, object]:
    """Time ``reconcile`` of the changed CSV against an `InMemoryStore` of
    the database's customers and reference data.

    The customers are read back through the SQLite store's own look-up
    (``customers_by_internal_id``), so both stores hold equal records with
    the same internal ids; building the store is timed apart.
    """
    from handshake_import import OPTION_KEYS, InMemoryStore  # noqa: PLC0415
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    start = time.perf_counter()
    reader = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    ids = [
        str(internal_id)
        for (internal_id,) in reader.execute(
            "SELECT internal_id FROM customers ORDER BY internal_id"
        )
    ]
    reader.close()
    with SQLiteStore(db) as source:
        found = source.customers_by_internal_id(ids)
        store = InMemoryStore(
            found.values(),
            customer_groups=source.customer_groups(),
            user_groups=source.user_groups(),
            manufacturers=source.manufacturers(),
            options={key: source.option_values(key) for key in OPTION_KEYS},
        )
    store_seconds = time.perf_counter() - start
    extra = {"stored": store.customer_count(), "store_seconds": store_seconds}
    return _reconciled(csv_path, rows, store, extra)


def _profiler() -> cProfile.Profile | None:
    """A profiler when the child runs under ``--profile``, else None."""
    return cProfile.Profile() if os.environ.get("BENCH_SQLITE_PROFILE") else None


def _profile_text(profiler: cProfile.Profile) -> str:
    """The functions with the most own time, as pstats prints them."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(_PROFILE_LINES)
    out.write("\n")
    stats.sort_stats("cumulative").print_stats(_PROFILE_LINES)
    return out.getvalue()


_CHILDREN: dict[str, Callable[[str, str, int], dict[str, object]]] = {
    "executemany": lambda c, d, r: _child_executemany(c, d, r, indexes=False),
    "executemany_indexed": lambda c, d, r: _child_executemany(c, d, r, indexes=True),
    "apply": _child_apply,
    "reconcile_sqlite": _child_reconcile_sqlite,
    "reconcile_memory": _child_reconcile_memory,
}


def _child(name: str, csv_path: str, db: str, rows: int) -> None:
    """Run one measurement and print its result as one JSON line.

    handshake_import is imported before any clock starts, so the times
    cover the work alone.
    """
    importlib.import_module("handshake_import")
    importlib.import_module("handshake_import.adapters.sqlite")
    _print_result(_CHILDREN[name](csv_path, db, rows))


# --- parent side -------------------------------------------------------------


@dataclass
class SQLiteRun(Measurement):
    """A measurement of this script: its child reads the CSV ``path`` and ``db``."""

    db: Path
    fresh_db: bool
    """Each run gets an empty database file of its own (else all share ``db``)."""


def _remove_db(path: Path) -> None:
    """Delete an SQLite database file and its journal, if there."""
    for name in (path, path.with_name(path.name + "-journal")):
        name.unlink(missing_ok=True)


def _run(m: SQLiteRun, db: Path, timeout: float, profile: bool = False) -> Outcome:
    """Run the child of ``m`` once, on the database file ``db``."""
    # Blank, not absent: the child takes a blank value as off, so a value this
    # process inherited cannot turn profiling on; only --profile does.
    env = {"BENCH_SQLITE_PROFILE": "1" if profile else ""}
    return _run_child(__file__, [m.child, m.path, db, m.rows], timeout, env)


def _run_db(m: SQLiteRun, run: int) -> Path:
    """The database file run ``run`` of ``m`` uses (emptied first if its own)."""
    if not m.fresh_db:
        return m.db
    path = m.db.with_name(f"{m.child}_run{run}.sqlite")
    _remove_db(path)
    return path


def _run_measured(
    m: SQLiteRun, run: int, timeout: float, keep: Mapping[str, Path]
) -> Outcome:
    """Run the child of ``m`` once, as run number ``run`` of its measurement.

    A child's own database is deleted after its run, except the first good
    run's of a child named in ``keep``, which is moved to the path given
    there.
    """
    db = _run_db(m, run)
    outcome = _run(m, db, timeout)
    if m.fresh_db:
        target = keep.get(m.child)
        if target is not None and not target.exists() and isinstance(outcome, dict):
            db.replace(target)
        _remove_db(db)
    return outcome


def _note(m: Measurement) -> str:
    """The note column of a measurement's line: what was not timed."""
    if m.child == "apply":
        return (
            f"plan made in {_fmt(m.best('plan_seconds'), '.2f')} s (not timed); "
            f"{_fmt(m.highest('user_groups'), '.0f')} user groups created"
        )
    if m.child == "reconcile_memory":
        return f"store built in {_fmt(m.best('store_seconds'), '.2f')} s (not timed)"
    return ""


def _runs_table(ms: Mapping[str, Measurement]) -> None:
    """Print every run's time of each measurement that has them."""
    runs = [
        [m.label, ", ".join(f"{s:.3f}" for s in m.numbers("seconds"))]
        for m in ms.values()
        if m.done
    ]
    print("Every run, seconds")
    print(_table(["measurement", "runs"], runs, left=(0, 1)))
    print()


def _plans(sqlite_m: Measurement, memory_m: Measurement) -> str | None:
    """Print both plans' counts side by side; return whether they are the same.

    Returns ``"same"`` or ``"differ"``, None when a side is missing.
    """
    if not (sqlite_m.done and memory_m.done):
        return None
    expected = _expected(sqlite_m.rows)
    kinds = ("create", "update", "unchanged", "create-user-group")
    sides = [_mapping(sqlite_m.last("actions")), _mapping(memory_m.last("actions"))]
    lines = [
        [
            kind,
            *(f"{side.get(kind, 0):,}" for side in sides),
            f"{expected.get(kind, 0):,}",
        ]
        for kind in kinds
    ]
    for key in ("errors", "warnings"):
        lines.append(
            [key, _counts(sqlite_m.last(key)), _counts(memory_m.last(key)), "none"]
        )
    digests = [sqlite_m.values("digest"), memory_m.values("digest")]
    lines.append(["actions digest", *(", ".join(sorted(d)) for d in digests), ""])
    same = len(digests[0]) == 1 and digests[0] == digests[1]
    print(f"Plans of the changed CSV ({sqlite_m.rows:,} rows)")
    print(_table(["", "SQLiteStore", "InMemoryStore", "expected"], lines))
    print(
        "same actions in the same order: "
        + ("yes" if same else "NO (the digests of repr(plan.actions) differ)")
    )
    print()
    return "same" if same else "differ"


def _report(ms: Mapping[str, Measurement], repeat: int) -> list[str]:
    """Print the measurements, the plans and the targets.

    Returns the keys of the SQLite-side measurements whose target failed.
    """
    _measurements_table(ms, repeat, _note)
    print()
    _runs_table(ms)
    apply_m, base = ms["apply"], ms["executemany"]
    sqlite_m, memory_m = ms["reconcile_sqlite"], ms["reconcile_memory"]
    if apply_m.done:
        print(f"Plan applied ({apply_m.rows:,} rows)")
        print(
            f"actions: {_counts(apply_m.last('actions'))}; "
            f"errors: {_counts(apply_m.last('errors'))}; "
            f"warnings: {_counts(apply_m.last('warnings'))}"
        )
        print()
    same = _plans(sqlite_m, memory_m)

    apply_speed = _ratio(apply_m.rows_per_second, base.rows_per_second)
    reconcile_speed = _ratio(sqlite_m.rows_per_second, memory_m.rows_per_second)
    apply_verdict = _verdict(apply_speed, APPLY_SPEED_TARGET, at_least=True)
    reconcile_verdict = _verdict(reconcile_speed, RECONCILE_SPEED_TARGET, at_least=True)
    targets = [
        [
            f"apply speed: SQLiteStore.apply / executemany ({apply_m.rows:,} rows)",
            _fmt(apply_speed, ".3f"),
            f">= {APPLY_SPEED_TARGET:.3f}",
            apply_verdict,
        ],
        [
            "reconcile speed: SQLiteStore / InMemoryStore "
            f"({sqlite_m.rows:,} rows, 10% changed)",
            _fmt(reconcile_speed, ".3f"),
            f">= {RECONCILE_SPEED_TARGET:.3f}",
            reconcile_verdict,
        ],
        [
            "plans: SQLiteStore and InMemoryStore",
            same or "-",
            "same",
            "n/a" if same is None else ("PASS" if same == "same" else "FAIL"),
        ],
    ]
    _print_targets(targets)
    _print_warnings(ms)
    failed = []
    if apply_verdict == "FAIL":
        failed.append("apply")
    if reconcile_verdict == "FAIL":
        failed.append("reconcile_sqlite")
    return failed


def _profile(ms: Mapping[str, SQLiteRun], keys: Sequence[str], timeout: float) -> None:
    """Run each SQLite-side child once more under cProfile; print the top."""
    for key in keys:
        m = ms[key]
        db = _run_db(m, 0)
        outcome = _run(m, db, timeout, profile=True)
        if m.fresh_db:
            _remove_db(db)
        print()
        print(f"Profile: {m.label} (one run under cProfile, only the timed call)")
        if isinstance(outcome, str):
            print(f"failed: {outcome}")
        else:
            print(str(outcome.get("profile", "no profile")).rstrip())


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark SQLiteStore: apply, and reconcile against it."
    )
    parser.add_argument("--rows", type=int, default=100_000, help="customers")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10,000 rows")
    parser.add_argument("--repeat", type=int, default=3, help="runs per speed figure")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="when a speed target fails, profile its SQLite side once and print it",
    )
    args = _parse_common(parser, argv, _CHILDREN, ("NAME", "CSV", "DB", "ROWS"))
    if args.quick:
        args.rows = 10_000
    if args.rows < CHANGE_EVERY or args.repeat < 1:
        parser.error(f"--rows must be at least {CHANGE_EVERY}, --repeat positive")
    return args


def _bench(workdir: Path, args: argparse.Namespace) -> None:
    """Generate the files, run every measurement and print the report."""
    rows = args.rows
    files = _generate(workdir, rows)
    filled = workdir / f"customers_{rows}.sqlite"
    _remove_db(filled)
    ms = {
        "executemany": SQLiteRun(
            "executemany, customers table",
            "executemany",
            files["new"],
            rows,
            filled,
            True,
        ),
        "executemany_indexed": SQLiteRun(
            "executemany, customers table + its indexes",
            "executemany_indexed",
            files["new"],
            rows,
            filled,
            True,
        ),
        "apply": SQLiteRun(
            "SQLiteStore.apply, empty database",
            "apply",
            files["new"],
            rows,
            filled,
            True,
        ),
        "reconcile_memory": SQLiteRun(
            "reconcile changed CSV, InMemoryStore",
            "reconcile_memory",
            files["changed"],
            rows,
            filled,
            False,
        ),
        "reconcile_sqlite": SQLiteRun(
            "reconcile changed CSV, SQLiteStore",
            "reconcile_sqlite",
            files["changed"],
            rows,
            filled,
            False,
        ),
    }
    print("Measuring")
    _measure(
        [ms["executemany"], ms["executemany_indexed"], ms["apply"]],
        args.repeat,
        lambda m, run: _run_measured(m, run, args.timeout, keep={"apply": filled}),
    )
    if ms["apply"].error or not filled.exists():
        reason = "no database to reconcile against: the apply child failed"
        ms["reconcile_memory"].error = ms["reconcile_sqlite"].error = reason
    _measure(
        [ms["reconcile_memory"], ms["reconcile_sqlite"]],
        args.repeat,
        lambda m, run: _run_measured(m, run, args.timeout, keep={}),
    )
    print()
    failed = _report(ms, args.repeat)
    if args.profile and failed:
        _profile(ms, failed, args.timeout)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; always 0 once the arguments parse (it reports, not gates)."""
    args = _parse_args(argv)
    if args.child:
        name, csv_path, db, rows = args.child
        _child(name, csv_path, db, int(rows))
        return 0
    python = sys.version.split()[0]
    print(f"Python {python} on {sys.platform}, SQLite {sqlite3.sqlite_version}")
    _in_workdir(args.workdir, lambda workdir: _bench(workdir, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
