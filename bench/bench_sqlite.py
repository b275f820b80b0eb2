"""SQLite store benchmark: `SQLiteStore.apply`, and reconciling against it.

    python bench/bench_sqlite.py [--rows 100000] [--quick]

- ``store.apply(plan)`` of a plan creating every customer of a CSV in an
  empty database, against one plain ``executemany`` of the same rows into
  the adapter's own customers table (created from its ``CREATE TABLE``);
- ``reconcile`` of a copy with one cell changed in every tenth row against
  ``SQLiteStore`` on that database, against an `InMemoryStore` holding the
  same customers; both plans must be the same.

See bench/README.md; the script reports and exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from _files import REFERENCE_DATA, write_csv
from _harness import (
    Result,
    Runs,
    main,
    measure,
    print_runs,
    print_targets,
    ratio,
    ready,
    table,
    target,
    write,
)

if TYPE_CHECKING:
    from handshake_import import CustomerStore

SCRIPT = str(Path(__file__).resolve())
CHANGED = ("contact", "email", "bill_street", "taxID")
"""The cells changed in every tenth row, in turn, to values no row has."""
# The baseline's value of each table column: the CSV column of that name,
# or of the name given here, or the constant given here.
_SOURCE = {
    "name_key": "name",
    "payment_terms": "paymentTerms",
    "shipping_method": "shippingMethod",
    "tax_id": "taxID",
    "customer_group": "customerGroup",
    "user_group": "userGroup",
    "emails": "email",
}
_CONSTANT = {"generated_number": None, "custom": "{}"}


def _copy(source: Path, target: Path, change: bool) -> Path:
    """*source* with blank internal ids (every row a new customer, found by
    its id from then on) and, with *change*, one cell of `CHANGED` changed in
    every tenth row."""
    with (
        open(source, encoding="utf-8", newline="") as src,
        open(target, "w", encoding="utf-8", newline="") as dst,
    ):
        reader, writer = csv.reader(src), csv.writer(dst)
        header = next(reader)
        writer.writerow(header)
        internal_id = header.index("internal_id")
        for number, row in enumerate(reader, start=1):
            row[internal_id] = ""
            if change and number % 10 == 0:
                column = CHANGED[number // 10 % len(CHANGED)]
                row[header.index(column)] = {
                    "contact": f"Changed Contact {number}",
                    "email": f"changed{number}@example.com",
                    "bill_street": f"{number} Changed Street",
                    "taxID": f"99-{number:07d}",
                }[column]
            writer.writerow(row)
    return target


def _unlink(db: str) -> None:
    for path in (Path(db), Path(f"{db}-journal")):
        path.unlink(missing_ok=True)


def child_executemany(path: str, db: str, rows: str) -> Result:
    """Time ``BEGIN IMMEDIATE``, one ``executemany`` of every row of the CSV
    (blank cells NULL, ``''`` in a NOT NULL column) and ``COMMIT``, into an
    empty database with the adapter's customers table (without its indexes)."""
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    schema = sqlite3.connect(":memory:")
    SQLiteStore(schema)
    (create,) = schema.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'customers'"
    ).fetchone()
    columns = [
        (name, notnull)
        for _, name, _, notnull, _, _ in schema.execute("PRAGMA table_info(customers)")
        if name != "internal_id"
    ]
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        where = {name: i for i, name in enumerate(next(reader))}
        picks = [
            (where.get(_SOURCE.get(n, n)), _CONSTANT.get(n), nn) for n, nn in columns
        ]
        values = [
            [
                c if i is None else (row[i] if row[i] or nn else None)
                for i, c, nn in picks
            ]
            for row in reader
        ]
    _unlink(db)
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute(create)
    names = ", ".join(name for name, _ in columns)
    insert = f"INSERT INTO customers ({names}) VALUES ({', '.join('?' * len(columns))})"
    start = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(insert, values)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    (stored,) = connection.execute("SELECT count(*) FROM customers").fetchone()
    connection.close()
    result: Result = {"seconds": seconds}
    if stored != int(rows):
        result["warning"] = f"the table holds {stored:,} rows, not {int(rows):,}"
    return result


def child_apply(path: str, db: str, rows: str) -> Result:
    """Plan the CSV against an empty database (not timed), then time ``apply``."""
    from handshake_import import reconcile  # noqa: PLC0415
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    ready(path)
    _unlink(db)
    with SQLiteStore(db) as store:
        store.add_manufacturers(REFERENCE_DATA["manufacturers"])
        store.add_customer_groups(REFERENCE_DATA["customer_groups"])
        for key in ("paymentTerms", "shippingMethod"):
            store.add_options(key, REFERENCE_DATA[key])
        plan = reconcile(path, store)
        if not plan.ok:
            return {"failure": f"the plan has errors: {plan.summary()['errors']}"}
        start = time.perf_counter()
        applied = store.apply(plan)
        seconds = time.perf_counter() - start
        stored = store.customer_count()
    result: Result = {"seconds": seconds, "user_groups": len(applied.user_groups)}
    if len(applied.created) != int(rows) or stored != int(rows):
        result["warning"] = f"created {len(applied.created):,}, stored {stored:,}"
    return result


def _reconciled(path: str, rows: int, store: CustomerStore, **more: object) -> Result:
    """Time ``reconcile(path, store)``; the plan's counts and digest."""
    from handshake_import import reconcile  # noqa: PLC0415

    ready(path)
    start = time.perf_counter()
    plan = reconcile(path, store)
    seconds = time.perf_counter() - start
    actions = plan.summary()["actions"]
    digest = hashlib.sha256(repr(plan.actions).encode()).hexdigest()[:16]
    result: Result = {"seconds": seconds, "actions": actions, "digest": digest, **more}
    want = {"create": 0, "update": rows // 10, "unchanged": rows - rows // 10}
    if not plan.ok or {kind: actions[kind] for kind in want} != want:
        result["warning"] = f"plan: {actions}, {plan.summary()['errors']}; want {want}"
    return result


def child_sqlite(path: str, db: str, rows: str) -> Result:
    """Time reconciling the changed CSV against ``SQLiteStore(db)``."""
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    with SQLiteStore(db) as store:
        return _reconciled(path, int(rows), store)


def child_memory(path: str, db: str, rows: str) -> Result:
    """Time reconciling the changed CSV against an `InMemoryStore` of the
    database's customers, read back through the adapter (not timed)."""
    from handshake_import import OPTION_KEYS, InMemoryStore  # noqa: PLC0415
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    start = time.perf_counter()
    with SQLiteStore(db) as source:
        connection = sqlite3.connect(db)
        ids = [
            str(i) for (i,) in connection.execute("SELECT internal_id FROM customers")
        ]
        connection.close()
        store = InMemoryStore(
            source.customers_by_internal_id(ids).values(),
            customer_groups=source.customer_groups(),
            user_groups=source.user_groups(),
            manufacturers=source.manufacturers(),
            options={key: source.option_values(key) for key in OPTION_KEYS},
        )
    built = time.perf_counter() - start
    return _reconciled(path, int(rows), store, store_seconds=built)


CHILDREN = {
    "executemany": child_executemany,
    "apply": child_apply,
    "sqlite": child_sqlite,
    "memory": child_memory,
}


def bench(args: argparse.Namespace, workdir: Path) -> None:
    rows = args.rows
    generated = write(workdir / "generated.csv", write_csv, rows)
    new = _copy(generated, workdir / f"customers_{rows}.csv", change=False)
    changed = _copy(generated, workdir / f"customers_{rows}_changed.csv", change=True)
    db, base_db = workdir / "customers.sqlite", workdir / "executemany.sqlite"
    runs = {
        "executemany": Runs(
            "executemany, customers table", rows, ["executemany", new, base_db, rows]
        ),
        "apply": Runs(
            "SQLiteStore.apply, empty database", rows, ["apply", new, db, rows]
        ),
        "memory": Runs(
            "reconcile changed CSV, InMemoryStore", rows, ["memory", changed, db, rows]
        ),
        "sqlite": Runs(
            "reconcile changed CSV, SQLiteStore", rows, ["sqlite", changed, db, rows]
        ),
    }
    print("Measuring")
    measure(SCRIPT, [runs["executemany"], runs["apply"]], args.repeat, args.timeout)
    # Every apply run fills the database again; the reconcile runs read the
    # last one's.
    if runs["apply"].error:
        runs["memory"].error = runs["sqlite"].error = "no database: apply failed"
    measure(SCRIPT, [runs["memory"], runs["sqlite"]], args.repeat, args.timeout)
    print()
    runs["apply"].note = f"{runs['apply'].last('user_groups')} user groups created"
    store_seconds = runs["memory"].best("store_seconds")
    runs["memory"].note = f"store built in {store_seconds or 0:.1f} s (not timed)"
    print_runs(list(runs.values()), args.repeat)
    sides = [runs["sqlite"], runs["memory"]]
    digests = [{r["digest"] for r in side.results} for side in sides]
    same = len(digests[0]) == 1 and digests[0] == digests[1]
    done = not any(side.error for side in sides) and all(digests)
    actions = [side.last("actions") or {} for side in sides]
    print("Plans of the changed CSV")
    lines = [[kind, *(f"{a.get(kind, 0):,}" for a in actions)] for kind in actions[0]]
    print(table(["action", "SQLiteStore", "InMemoryStore"], lines))
    print()
    apply_speed = ratio(runs["apply"].rate, runs["executemany"].rate)
    print_targets(
        [
            target(
                "SQLiteStore.apply / executemany, rows/s",
                apply_speed,
                ">=",
                1 / 3,
                ".3f",
            ),
            target(
                "reconcile: SQLiteStore / InMemoryStore, rows/s",
                ratio(runs["sqlite"].rate, runs["memory"].rate),
                ">=",
                0.5,
                ".3f",
            ),
            [
                "the two plans: same actions in the same order",
                ("yes" if same else "no") if done else "-",
                "yes",
                ("PASS" if same else "FAIL") if done else "n/a",
            ],
        ],
        list(runs.values()),
    )


if __name__ == "__main__":
    raise SystemExit(
        main(
            "SQLiteStore: apply, and reconcile against it.",
            CHILDREN,
            {"rows": (100_000, 10_000)},
            bench,
        )
    )
