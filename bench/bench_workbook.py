"""A workbook of the four templates → one plan, against raw openpyxl.

    python bench/bench_workbook.py [--rows 100000] [--quick]

Writes a workbook of the four templates with ``--rows`` customers and
``--rows`` ship-to addresses (and the customer groups and options they
name), then measures, each in a child process of its own (see
bench/README.md): raw openpyxl read-only iteration over every sheet, and
``reconcile`` of the workbook against an empty `InMemoryStore` (every row
creates: the whole plan is built). It reports rows per second of each, the
ratio, and the peak memory; it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from _files import REFERENCE_DATA, write_workbook
from _harness import (
    Result,
    Runs,
    counted,
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
    """openpyxl's read-only mode over every sheet, keeping nothing."""
    import openpyxl  # noqa: PLC0415 - only this child needs it

    importlib.import_module("encodings.cp437")  # zipfile's, as for the library

    start, rows = time.perf_counter(), 0
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for worksheet in workbook.worksheets:
        rows -= 1  # the header is no data row
        for _ in worksheet.iter_rows(values_only=True):
            rows += 1
    workbook.close()
    return counted(start, rows, int(expected))


def plan(path: str, expected: str) -> Result:
    """``reconcile(path, store)``: the four sheets, one plan."""
    ready(path)
    from handshake_import import InMemoryStore, reconcile  # noqa: PLC0415

    store = InMemoryStore(manufacturers=REFERENCE_DATA["manufacturers"])
    start = time.perf_counter()
    result = reconcile(path, store)
    rows = sum(
        1 for action in result.actions if type(action).__name__ != "CreateUserGroup"
    )
    return counted(
        start,
        rows,
        int(expected),
        errors=len(result.errors),
        templates=len(result.templates),
    )


CHILDREN = {"openpyxl": raw_openpyxl, "plan": plan}


def bench(args: argparse.Namespace, workdir: Path) -> None:
    n = args.rows
    path = write(workdir / f"workbook_{n}.xlsx", write_workbook, n)
    # Customers and ship-to addresses, and the few groups and options.
    rows = 2 * n + 4 + 10
    runs = {
        "openpyxl": Runs(
            "openpyxl read-only, every sheet", rows, ["openpyxl", path, rows]
        ),
        "plan": Runs("reconcile, the four sheets", rows, ["plan", path, rows]),
    }
    print("Measuring")
    measure(SCRIPT, list(runs.values()), args.repeat, args.timeout)
    print()
    print_runs(list(runs.values()), args.repeat)
    print_targets(
        [
            target(
                "workbook → plan / openpyxl iteration, rows/s",
                ratio(runs["plan"].rate, runs["openpyxl"].rate),
                ">=",
                0.5,
            ),
            target(
                "workbook → plan, peak MB",
                runs["plan"].most("peak_mb"),
                "<",
                2000,
                ".0f",
            ),
        ],
        list(runs.values()),
    )


if __name__ == "__main__":
    raise SystemExit(
        main(
            "A workbook of the four templates to one plan, against raw openpyxl.",
            CHILDREN,
            {"rows": (100_000, 5_000)},
            bench,
        )
    )
