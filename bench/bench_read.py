"""Reading benchmark: handshake_import against csv.DictReader and raw openpyxl.

Usage::

    python bench/bench_read.py [--rows 100000] [--big-rows 1000000] [--quick]

Generates a CSV and an XLSX of ``--rows`` customers and a CSV of
``--big-rows`` customers into a temporary directory, then runs every
measurement in a fresh interpreter so that each peak-memory figure belongs to
that measurement alone. Speed figures are the best of ``--repeat`` runs.
The script reports; it always exits 0 (except on bad arguments).

Internally the script re-runs itself as ``bench_read.py --child NAME PATH
ROWS`` for each measurement; see ``_child``.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from _harness import (
    Measurement,
    _fmt,
    _in_workdir,
    _parse_common,
    _print_result,
    _print_targets,
    _print_warnings,
    _ratio,
    _run_child,
    _table,
    _verdict,
    _write_files,
)

CSV_SPEED_TARGET = 0.5
XLSX_SPEED_TARGET = 0.85
XLSX_PEAK_TARGET = 1.5
BIG_PEAK_TARGET_MB = 150.0


# --- child side --------------------------------------------------------------


def _count_dictreader(path: str) -> tuple[int, int]:
    """Loop over every row with csv.DictReader, touching nothing."""
    rows = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for _ in csv.DictReader(fh):
            rows += 1
    return rows, 0


def _count_openpyxl(path: str) -> tuple[int, int]:
    """Loop over every row of the first sheet with openpyxl in read-only mode."""
    import openpyxl  # noqa: PLC0415 - here, so the other children stay lean

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = 0
        for _ in wb.worksheets[0].iter_rows(values_only=True):
            rows += 1
    finally:
        wb.close()
    return rows - 1, 0  # the header row is not data


def _count_read_customers(path: str) -> tuple[int, int]:
    """Read the whole file with handshake_import.read_customers."""
    from handshake_import import read_customers  # noqa: PLC0415

    result = read_customers(path)
    return len(result.rows), len(result.problems)


def _count_iter_customers(path: str) -> tuple[int, int]:
    """Stream the file with handshake_import.iter_customers, one item at a time."""
    from handshake_import import Problem, iter_customers  # noqa: PLC0415

    rows = problems = 0
    for item in iter_customers(path):
        if isinstance(item, Problem):
            problems += 1
        else:
            rows += 1
    return rows, problems


_COUNTERS: dict[str, Callable[[str], tuple[int, int]]] = {
    "dictreader": _count_dictreader,
    "openpyxl": _count_openpyxl,
    "read": _count_read_customers,
    "iter": _count_iter_customers,
}
_CHILD_NAMES = ("python", "import", *_COUNTERS)


def _preloads(name: str, path: str) -> list[str]:
    """Modules a child imports before its clock starts.

    The openpyxl baseline does not pay for importing openpyxl, so neither
    does the library on an XLSX (handshake_import imports it on first use).
    """
    modules = []
    if name in ("import", "read", "iter"):
        modules.append("handshake_import")
    if name == "openpyxl" or (name in ("read", "iter") and path.endswith(".xlsx")):
        modules.append("openpyxl")
    return modules


def _child(name: str, path: str, expected: int) -> None:
    """Run one measurement and print its result as one JSON line.

    ``python`` measures the child itself with no reader imported (the floor
    under every other figure) and ``import`` one that imported
    handshake_import; both only report peak memory. Modules are imported
    before the clock starts (see `_preloads`), so times cover the read alone.
    """
    for module in _preloads(name, path):
        importlib.import_module(module)
    result: dict[str, object] = {}
    counter = _COUNTERS.get(name)
    if counter is not None:
        start = time.perf_counter()
        rows, problems = counter(path)
        result["seconds"] = time.perf_counter() - start
        result["rows"] = rows
        result["problems"] = problems
        if rows != expected:
            result["warning"] = f"read {rows:,} rows, expected {expected:,}"
    _print_result(result)


# --- parent side -------------------------------------------------------------


@dataclass
class Reading(Measurement):
    """A measurement of this script; its child runs ``runs`` times in a row."""

    runs: int


def _measure(m: Reading, timeout: float) -> None:
    """Run ``m.runs`` children; a failed run voids the runs before it."""
    for _ in range(m.runs):
        m.add(_run_child(__file__, [m.child, m.path or "", m.rows], timeout))
        if m.error:
            print(f"  {m.label}: failed", flush=True)
            return
    print(f"  {m.label}: done", flush=True)


def _generate(workdir: Path, rows: int, big_rows: int) -> dict[str, Path]:
    """Write the three benchmark files and print how long each took."""
    from _files import write_csv, write_xlsx_excel_layout  # noqa: PLC0415

    return _write_files(
        {
            "csv": (workdir / f"customers_{rows}.csv", write_csv, rows),
            "xlsx": (workdir / f"customers_{rows}.xlsx", write_xlsx_excel_layout, rows),
            "big": (workdir / f"customers_{big_rows}.csv", write_csv, big_rows),
        }
    )


def _report(ms: dict[str, Reading], rows: int, big_rows: int) -> None:
    """Print the measurements table, the targets and any warnings."""
    table = []
    for m in ms.values():
        if m.error:
            table.append([m.label, "-", "-", "-", "-", "-", f"failed: {m.error}"])
            continue
        table.append(
            [
                m.label,
                f"{m.rows:,}" if m.child not in ("python", "import") else "-",
                _fmt(m.best(), ".3f"),
                _fmt(m.rows_per_second, ",.0f"),
                _fmt(m.highest("peak_mb"), ".1f"),
                _fmt(m.highest("problems"), ".0f"),
                "",
            ]
        )
    print("Measurements (time: best run; peak MB: the child's high-water RSS)")
    print(
        _table(
            ["measurement", "rows", "best s", "rows/s", "peak MB", "problems", "note"],
            table,
            left=(0, 6),
        )
    )
    print()

    csv_speed = _ratio(ms["csv_lib"].rows_per_second, ms["csv_base"].rows_per_second)
    xlsx_speed = _ratio(ms["xlsx_lib"].rows_per_second, ms["xlsx_base"].rows_per_second)
    xlsx_peak = _ratio(
        ms["xlsx_iter"].highest("peak_mb"), ms["xlsx_base"].highest("peak_mb")
    )
    big_peak = ms["big_iter"].highest("peak_mb")
    targets = [
        [
            f"CSV speed: read_customers / DictReader ({rows:,} rows)",
            _fmt(csv_speed, ".2f"),
            f">= {CSV_SPEED_TARGET:.2f}",
            _verdict(csv_speed, CSV_SPEED_TARGET, at_least=True),
        ],
        [
            f"XLSX speed: read_customers / openpyxl ({rows:,} rows)",
            _fmt(xlsx_speed, ".2f"),
            f">= {XLSX_SPEED_TARGET:.2f}",
            _verdict(xlsx_speed, XLSX_SPEED_TARGET, at_least=True),
        ],
        [
            f"XLSX peak: iter_customers / openpyxl ({rows:,} rows)",
            _fmt(xlsx_peak, ".2f"),
            f"<= {XLSX_PEAK_TARGET:.2f}",
            _verdict(xlsx_peak, XLSX_PEAK_TARGET, at_least=False),
        ],
        [
            f"CSV peak MB: iter_customers ({big_rows:,} rows)",
            _fmt(big_peak, ".1f"),
            f"< {BIG_PEAK_TARGET_MB:.0f}",
            "n/a"
            if big_peak is None
            else ("PASS" if big_peak < BIG_PEAK_TARGET_MB else "FAIL"),
        ],
    ]
    _print_targets(targets)
    _print_warnings(ms)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark handshake_import reading against raw readers."
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows (speed)")
    parser.add_argument(
        "--big-rows", type=int, default=1_000_000, help="rows of the streaming CSV"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 10,000 / 100,000 rows"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per speed figure")
    args = _parse_common(parser, argv, _CHILD_NAMES, ("NAME", "PATH", "ROWS"))
    if args.quick:
        args.rows, args.big_rows = 10_000, 100_000
    if args.rows < 1 or args.big_rows < 1 or args.repeat < 1:
        parser.error("--rows, --big-rows and --repeat must be positive")
    return args


def _bench(workdir: Path, args: argparse.Namespace) -> None:
    """Generate the files, run every measurement and print the report."""
    files = _generate(workdir, args.rows, args.big_rows)
    n, big, repeat = args.rows, args.big_rows, args.repeat
    ms = {
        "python": Reading("child baseline (no reader)", "python", None, 0, 1),
        "import": Reading("import handshake_import", "import", None, 0, 1),
        "csv_base": Reading(
            "csv.DictReader, CSV", "dictreader", files["csv"], n, repeat
        ),
        "csv_lib": Reading("read_customers, CSV", "read", files["csv"], n, repeat),
        "xlsx_base": Reading(
            "openpyxl read-only, XLSX", "openpyxl", files["xlsx"], n, repeat
        ),
        "xlsx_lib": Reading("read_customers, XLSX", "read", files["xlsx"], n, repeat),
        # Memory is compared iteration to iteration: raw openpyxl keeps no
        # rows, and neither does iter_customers; read_customers' peak (which
        # holds every record) is shown above for context.
        "xlsx_iter": Reading("iter_customers, XLSX", "iter", files["xlsx"], n, 1),
        "big_iter": Reading(
            f"iter_customers, {big:,}-row CSV", "iter", files["big"], big, 1
        ),
    }
    print("Measuring")
    for m in ms.values():
        _measure(m, args.timeout)
    print()
    _report(ms, n, big)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; always 0 once the arguments parse (it reports, not gates)."""
    args = _parse_args(argv)
    if args.child:
        name, path, expected = args.child
        _child(name, path, int(expected))
        return 0
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    _in_workdir(args.workdir, lambda workdir: _bench(workdir, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
