"""PostgreSQL benchmark: `SQLAlchemyStore.apply` and the re-upload reconcile
on PostgreSQL, against a bare insert and against the SQLite adapter.

    python bench/bench_postgresql.py [--rows 100000] [--quick] [--url URL]

- ``store.apply(plan)`` of a plan creating every customer of a CSV in empty
  tables (`default_tables`, in a schema of their own), against one plain
  psycopg ``executemany`` of the same rows into the same customers table,
  in one transaction;
- ``reconcile`` of a copy with one cell changed in every tenth row against
  that store (the re-upload);
- the whole run (apply, then the re-upload reconcile) against the same two
  steps with `SQLiteStore`.

The server is one the script starts from the machine's PostgreSQL binaries
(as the tests do: tests/postgres.py), unless ``--url`` names one
(``postgresql+psycopg://user@/db?host=/socket/dir``). Needs the
``postgresql`` extra. See bench/README.md; the script reports and exits 0
whatever the figures.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from _files import REFERENCE_DATA, write_csv
from _harness import (
    ROOT,
    Result,
    Runs,
    main,
    measure,
    print_runs,
    print_targets,
    ratio,
    ready,
    target,
    write,
)
from bench_sqlite import _SOURCE, _copy, _unlink

SCRIPT = str(Path(__file__).resolve())
SCHEMA = "handshake_bench"


def _store(url: str, fresh: bool) -> object:
    """An `SQLAlchemyStore` on the bench's schema (made anew if *fresh*,
    with the example's reference data)."""
    import sqlalchemy as sa  # noqa: PLC0415

    from handshake_import.adapters.sqlalchemy import (  # noqa: PLC0415
        SQLAlchemyStore,
        create_tables,
        default_tables,
    )

    engine = sa.create_engine(url)
    tables = default_tables(sa.MetaData(schema=SCHEMA))
    if fresh:
        with engine.begin() as connection:
            connection.execute(
                sa.schema.DropSchema(SCHEMA, cascade=True, if_exists=True)
            )
            connection.execute(sa.schema.CreateSchema(SCHEMA))
        create_tables(engine, tables)
    store = SQLAlchemyStore(engine, tables)
    if fresh:
        store.add_manufacturers(REFERENCE_DATA["manufacturers"])
        store.add_customer_groups(REFERENCE_DATA["customer_groups"])
        for key in ("paymentTerms", "shippingMethod"):
            store.add_options(key, REFERENCE_DATA[key])
    return store


def _applied(path: str, rows: int, store: object) -> Result:
    """Plan the CSV against *store* (not timed), then time ``apply``."""
    from handshake_import import reconcile  # noqa: PLC0415

    ready(path)
    plan = reconcile(path, store)  # type: ignore[arg-type]
    if not plan.ok:
        return {"failure": f"the plan has errors: {plan.summary()['errors']}"}
    start = time.perf_counter()
    applied = store.apply(plan)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - start
    stored = store.customer_count()  # type: ignore[attr-defined]
    result: Result = {"seconds": seconds}
    if len(applied.created) != rows or stored != rows:
        result["warning"] = f"created {len(applied.created):,}, stored {stored:,}"
    return result


def _reconciled(path: str, rows: int, store: object) -> Result:
    """Time ``reconcile(path, store)`` of the changed copy."""
    from handshake_import import reconcile  # noqa: PLC0415

    ready(path)
    start = time.perf_counter()
    plan = reconcile(path, store)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    actions = plan.summary()["actions"]
    result: Result = {"seconds": seconds}
    want = {"create": 0, "update": rows // 10, "unchanged": rows - rows // 10}
    if not plan.ok or {kind: actions[kind] for kind in want} != want:
        result["warning"] = f"plan: {actions}; want {want}"
    return result


def child_executemany(path: str, url: str, rows: str) -> Result:
    """Time one psycopg ``executemany`` of every row of the CSV into the
    empty customers table of `default_tables`, in one transaction."""
    import psycopg  # noqa: PLC0415
    import sqlalchemy as sa  # noqa: PLC0415

    store = _store(url, fresh=True)
    table = store.tables.customers.table  # type: ignore[attr-defined]
    store.engine.dispose()  # type: ignore[attr-defined]
    columns = [c.name for c in table.columns if c.name not in ("internal_id",)]
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        where = {name: i for i, name in enumerate(next(reader))}
        picks = [where.get(_SOURCE.get(name, name)) for name in columns]
        values = [
            [row[i] or None if i is not None else None for i in picks] for row in reader
        ]
    names = ", ".join(columns)
    insert = (
        f"INSERT INTO {SCHEMA}.{table.name} ({names}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    conninfo = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as connection:
        start = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            cursor.executemany(insert, values)
        seconds = time.perf_counter() - start
        (stored,) = connection.execute(
            f"SELECT count(*) FROM {SCHEMA}.{table.name}"
        ).fetchone()  # type: ignore[misc]
    result: Result = {"seconds": seconds}
    if stored != int(rows):
        result["warning"] = f"the table holds {stored:,} rows, not {int(rows):,}"
    return result


def child_pg_apply(path: str, url: str, rows: str) -> Result:
    store = _store(url, fresh=True)
    try:
        return _applied(path, int(rows), store)
    finally:
        store.engine.dispose()  # type: ignore[attr-defined]


def child_pg_reconcile(path: str, url: str, rows: str) -> Result:
    store = _store(url, fresh=False)
    try:
        return _reconciled(path, int(rows), store)
    finally:
        store.engine.dispose()  # type: ignore[attr-defined]


def child_sqlite_apply(path: str, db: str, rows: str) -> Result:
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    _unlink(db)
    with SQLiteStore(db) as store:
        store.add_manufacturers(REFERENCE_DATA["manufacturers"])
        store.add_customer_groups(REFERENCE_DATA["customer_groups"])
        for key in ("paymentTerms", "shippingMethod"):
            store.add_options(key, REFERENCE_DATA[key])
        return _applied(path, int(rows), store)


def child_sqlite_reconcile(path: str, db: str, rows: str) -> Result:
    from handshake_import.adapters.sqlite import SQLiteStore  # noqa: PLC0415

    with SQLiteStore(db) as store:
        return _reconciled(path, int(rows), store)


CHILDREN = {
    "executemany": child_executemany,
    "pg_apply": child_pg_apply,
    "pg_reconcile": child_pg_reconcile,
    "sqlite_apply": child_sqlite_apply,
    "sqlite_reconcile": child_sqlite_reconcile,
}


def _server() -> tuple[str, object | None]:
    """The URL of a server started for this run, and the server."""
    sys.path.insert(0, str(ROOT))
    from tests.postgres import PostgresServer, find_binaries  # noqa: PLC0415

    binaries = find_binaries()
    if binaries is None:
        raise SystemExit(
            "no PostgreSQL binaries (initdb, pg_ctl) here; pass --url to use a server"
        )
    server = PostgresServer(binaries).start()
    return server.url, server


def bench(args: argparse.Namespace, workdir: Path) -> None:
    rows = args.rows
    url = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--url=")), None)
    server = None
    if url is None:
        url, server = _server()
        print(f"PostgreSQL started for this run ({url})")
    try:
        _bench(args, workdir, rows, url)
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


def _bench(args: argparse.Namespace, workdir: Path, rows: int, url: str) -> None:
    generated = write(workdir / "generated.csv", write_csv, rows)
    new = _copy(generated, workdir / f"customers_{rows}.csv", change=False)
    changed = _copy(generated, workdir / f"customers_{rows}_changed.csv", change=True)
    db = workdir / "customers.sqlite"
    runs = {
        "executemany": Runs(
            "psycopg executemany, customers table",
            rows,
            ["executemany", new, url, rows],
        ),
        "pg_apply": Runs(
            "SQLAlchemyStore.apply, PostgreSQL", rows, ["pg_apply", new, url, rows]
        ),
        "pg_reconcile": Runs(
            "reconcile changed CSV, PostgreSQL",
            rows,
            ["pg_reconcile", changed, url, rows],
        ),
        "sqlite_apply": Runs(
            "SQLiteStore.apply", rows, ["sqlite_apply", new, db, rows]
        ),
        "sqlite_reconcile": Runs(
            "reconcile changed CSV, SQLiteStore",
            rows,
            ["sqlite_reconcile", changed, db, rows],
        ),
    }
    print("Measuring")
    measure(
        SCRIPT,
        [runs["executemany"], runs["pg_apply"], runs["sqlite_apply"]],
        args.repeat,
        args.timeout,
    )
    # The last apply runs filled the databases; the reconciles read them.
    measure(
        SCRIPT,
        [runs["pg_reconcile"], runs["sqlite_reconcile"]],
        args.repeat,
        args.timeout,
    )
    print()
    print_runs(list(runs.values()), args.repeat)

    def whole(*names: str) -> float | None:
        times = [runs[name].best() for name in names]
        return None if None in times else sum(t or 0 for t in times)

    print_targets(
        [
            target(
                "SQLAlchemyStore.apply / executemany on PostgreSQL, rows/s",
                ratio(runs["pg_apply"].rate, runs["executemany"].rate),
                ">=",
                1 / 3,
            ),
            target(
                "apply + re-upload reconcile: PostgreSQL / SQLite, seconds",
                ratio(
                    whole("pg_apply", "pg_reconcile"),
                    whole("sqlite_apply", "sqlite_reconcile"),
                ),
                "<=",
                3.0,
            ),
        ],
        list(runs.values()),
    )


if __name__ == "__main__":
    # --url is the script's own option: taken out before the harness parses.
    argv = [a for a in sys.argv[1:] if not a.startswith("--url=")]
    raise SystemExit(
        main(
            "SQLAlchemyStore on PostgreSQL: apply, and reconcile against it.",
            CHILDREN,
            {"rows": (100_000, 10_000)},
            bench,
            argv,
        )
    )
