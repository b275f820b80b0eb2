"""Reading benchmark: handshake_import against csv.DictReader and raw openpyxl.

    python bench/bench_read.py [--rows 100000] [--big-rows 1000000] [--quick]

Writes a CSV and an XLSX of ``--rows`` customers and a CSV of ``--big-rows``
customers, then measures each reader in a child process of its own
(see bench/README.md). It reports and exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from _files import write_csv, write_xlsx
from _harness import (
    Result,
    Runs,
    counted,
    dictreader,
    main,
    measure,
    print_runs,
    print_targets,
    ratio,
    ready,
    target,
    write,
)

SCRIPT = str(Path(__file__).resolve())


def raw_openpyxl(path: str, expected: str) -> Result:
    """openpyxl's read-only mode over the first sheet, keeping nothing."""
    import openpyxl  # noqa: PLC0415 - only this child needs it

    importlib.import_module("encodings.cp437")  # zipfile's, as for the library

    start, rows = time.perf_counter(), -1  # the header is no data row
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _ in workbook.worksheets[0].iter_rows(values_only=True):
        rows += 1
    workbook.close()
    return counted(start, rows, int(expected))


def read(path: str, expected: str, records: str) -> Result:
    """``read_customers(path)``; with *records* ``"1"``, then every row's
    ``.customer`` taken once, as a caller does (which builds the records)."""
    ready(path)
    from handshake_import import read_customers  # noqa: PLC0415

    start = time.perf_counter()
    result = read_customers(path)
    if records == "1":
        for row in result.rows:
            row.customer  # noqa: B018 - taking it is the point
    return counted(
        start, len(result.rows), int(expected), problems=len(result.problems)
    )


def stream(path: str, expected: str) -> Result:
    """``iter_customers(path)`` item by item, keeping nothing."""
    ready(path)
    from handshake_import import Problem, iter_customers  # noqa: PLC0415

    start, rows, problems = time.perf_counter(), 0, 0
    for item in iter_customers(path):
        if isinstance(item, Problem):
            problems += 1
        else:
            rows += 1
    return counted(start, rows, int(expected), problems=problems)


CHILDREN = {
    "dictreader": dictreader,
    "openpyxl": raw_openpyxl,
    "read": read,
    "stream": stream,
}


def bench(args: argparse.Namespace, workdir: Path) -> None:
    n, big = args.rows, args.big_rows
    csv_file = write(workdir / f"customers_{n}.csv", write_csv, n)
    xlsx = write(workdir / f"customers_{n}.xlsx", write_xlsx, n)
    big_file = write(workdir / f"customers_{big}.csv", write_csv, big)
    runs = {
        "dictreader": Runs("csv.DictReader, CSV", n, ["dictreader", csv_file, n]),
        "read": Runs("read_customers, CSV", n, ["read", csv_file, n, 0]),
        "records": Runs(
            "read_customers + each .customer, CSV", n, ["read", csv_file, n, 1]
        ),
        "openpyxl": Runs("openpyxl read-only, XLSX", n, ["openpyxl", xlsx, n]),
        "xlsx": Runs("read_customers, XLSX", n, ["read", xlsx, n, 0]),
        "xlsx_stream": Runs("iter_customers, XLSX", n, ["stream", xlsx, n]),
        "big": Runs(f"iter_customers, {big:,}-row CSV", big, ["stream", big_file, big]),
    }
    print("Measuring")
    measure(
        SCRIPT,
        [runs[k] for k in ("dictreader", "read", "records")],
        args.repeat,
        args.timeout,
    )
    measure(SCRIPT, [runs["openpyxl"], runs["xlsx"]], args.repeat, args.timeout)
    measure(SCRIPT, [runs["xlsx_stream"], runs["big"]], 1, args.timeout)
    print()
    print_runs(list(runs.values()), args.repeat)
    base = runs["dictreader"].rate
    print_targets(
        [
            target(
                "CSV: read_customers / DictReader, rows/s",
                ratio(runs["read"].rate, base),
                ">=",
                0.5,
            ),
            target(
                "CSV: read_customers + records / DictReader, rows/s",
                ratio(runs["records"].rate, base),
                ">=",
                0.5,
            ),
            target(
                "XLSX: read_customers / openpyxl, rows/s",
                ratio(runs["xlsx"].rate, runs["openpyxl"].rate),
                ">=",
                0.85,
            ),
            target(
                "XLSX: iter_customers peak / openpyxl peak",
                ratio(
                    runs["xlsx_stream"].most("peak_mb"),
                    runs["openpyxl"].most("peak_mb"),
                ),
                "<=",
                1.5,
            ),
            target(
                f"CSV: iter_customers peak MB, {big:,} rows",
                runs["big"].most("peak_mb"),
                "<",
                150,
                ".0f",
            ),
        ],
        list(runs.values()),
    )


if __name__ == "__main__":
    raise SystemExit(
        main(
            "Reading: handshake_import against csv.DictReader and raw openpyxl.",
            CHILDREN,
            {"rows": (100_000, 10_000), "big_rows": (1_000_000, 100_000)},
            bench,
        )
    )
