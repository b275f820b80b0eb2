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
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_MARKER = "BENCH-RESULT "
_REPO_ROOT = Path(__file__).resolve().parent.parent

CSV_SPEED_TARGET = 0.5
XLSX_SPEED_TARGET = 0.85
XLSX_PEAK_TARGET = 1.5
BIG_PEAK_TARGET_MB = 150.0


# --- child side --------------------------------------------------------------


def _peak_mb() -> float:
    """Peak resident set size of this process, in MB (MiB).

    On Linux this is ``VmHWM`` from /proc/self/status, the high-water mark of
    this program's own address space. ``ru_maxrss`` is not used there because
    the kernel carries the parent's high-water mark over into a child started
    with vfork/posix_spawn (which subprocess uses), so every child would
    report at least the parent's peak, including file generation. Elsewhere
    ``ru_maxrss`` is the best there is (KiB on Linux, bytes on macOS).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


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
    result["peak_mb"] = _peak_mb()
    print(_MARKER + json.dumps(result), flush=True)


# --- parent side -------------------------------------------------------------


@dataclass
class Measurement:
    """One line of the report, aggregated over its runs."""

    label: str
    child: str
    path: Path | None
    rows: int
    runs: int
    seconds: float | None = None
    peak_mb: float | None = None
    problems: int | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float | None:
        """Data rows per second of the best run."""
        if self.seconds is None or self.seconds <= 0:
            return None
        return self.rows / self.seconds


def _run_child(m: Measurement, timeout: float) -> dict[str, object] | str:
    """Run one child; return its JSON result or a one-line failure reason."""
    env = dict(os.environ)
    # Let the child find the package when it is not installed.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p
    )
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        m.child,
        str(m.path or ""),
        str(m.rows),
    ]
    try:
        done = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(_MARKER):
            parsed: dict[str, object] = json.loads(line[len(_MARKER) :])
            return parsed
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    reason = lines[-1].strip() if lines else "no output"
    return f"exit {done.returncode}: {reason}"


def _measure(m: Measurement, timeout: float) -> None:
    """Run ``m.runs`` children; keep the best time and the highest peak."""
    for _ in range(m.runs):
        outcome = _run_child(m, timeout)
        if isinstance(outcome, str):
            # A failed run voids the figures of the runs before it.
            m.error = outcome
            m.seconds = m.peak_mb = None
            m.problems = None
            print(f"  {m.label}: failed", flush=True)
            return
        seconds = outcome.get("seconds")
        if isinstance(seconds, float) and (m.seconds is None or seconds < m.seconds):
            m.seconds = seconds
        peak = outcome.get("peak_mb")
        if isinstance(peak, (int, float)):
            m.peak_mb = max(m.peak_mb or 0.0, float(peak))
        problems = outcome.get("problems")
        if isinstance(problems, int):
            m.problems = problems
        warning = outcome.get("warning")
        if isinstance(warning, str) and warning not in m.warnings:
            m.warnings.append(warning)
    print(f"  {m.label}: done", flush=True)


def _fmt(value: float | None, spec: str) -> str:
    """Format a number, or a dash when it is missing."""
    return "-" if value is None else format(value, spec)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _verdict(value: float | None, target: float, at_least: bool) -> str:
    """PASS/FAIL against a target; n/a when the figure is missing."""
    if value is None:
        return "n/a"
    ok = value >= target if at_least else value <= target
    return "PASS" if ok else "FAIL"


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], left: Sequence[int] = (0,)
) -> str:
    """Render a plain-text table; columns in ``left`` are left-aligned."""
    widths = [max(len(r[i]) for r in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths).rstrip()
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _generate(workdir: Path, rows: int, big_rows: int) -> dict[str, Path]:
    """Write the three benchmark files and print how long each took."""
    from _files import write_csv, write_xlsx_excel_layout  # noqa: PLC0415

    files = {
        "csv": (workdir / f"customers_{rows}.csv", write_csv, rows),
        "xlsx": (workdir / f"customers_{rows}.xlsx", write_xlsx_excel_layout, rows),
        "big": (workdir / f"customers_{big_rows}.csv", write_csv, big_rows),
    }
    out: dict[str, Path] = {}
    report = []
    for key, (path, writer, count) in files.items():
        start = time.perf_counter()
        writer(path, count)
        elapsed = time.perf_counter() - start
        size = path.stat().st_size / (1024 * 1024)
        report.append([path.name, f"{count:,}", f"{elapsed:.1f}", f"{size:.1f}"])
        out[key] = path
    print("Generated files", flush=True)
    print(_table(["file", "rows", "seconds", "MB"], report))
    print()
    return out


def _report(ms: dict[str, Measurement], rows: int, big_rows: int) -> None:
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
                _fmt(m.seconds, ".3f"),
                _fmt(m.rows_per_second, ",.0f"),
                _fmt(m.peak_mb, ".1f"),
                _fmt(m.problems, "d"),
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
    xlsx_peak = _ratio(ms["xlsx_iter"].peak_mb, ms["xlsx_base"].peak_mb)
    big_peak = ms["big_iter"].peak_mb
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
    print("Targets")
    print(_table(["figure", "value", "target", "verdict"], targets, left=(0, 3)))
    for m in ms.values():
        for warning in m.warnings:
            print(f"WARNING: {m.label}: {warning}")


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
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds allowed per child"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="write the files here and keep them (default: a temporary directory)",
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("NAME", "PATH", "ROWS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child and args.child[0] not in _CHILD_NAMES:
        parser.error(f"unknown child {args.child[0]!r}")
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
        "python": Measurement("child baseline (no reader)", "python", None, 0, 1),
        "import": Measurement("import handshake_import", "import", None, 0, 1),
        "csv_base": Measurement(
            "csv.DictReader, CSV", "dictreader", files["csv"], n, repeat
        ),
        "csv_lib": Measurement("read_customers, CSV", "read", files["csv"], n, repeat),
        "xlsx_base": Measurement(
            "openpyxl read-only, XLSX", "openpyxl", files["xlsx"], n, repeat
        ),
        "xlsx_lib": Measurement(
            "read_customers, XLSX", "read", files["xlsx"], n, repeat
        ),
        # Memory is compared iteration to iteration: raw openpyxl keeps no
        # rows, and neither does iter_customers; read_customers' peak (which
        # holds every record) is shown above for context.
        "xlsx_iter": Measurement("iter_customers, XLSX", "iter", files["xlsx"], n, 1),
        "big_iter": Measurement(
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
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        _bench(args.workdir, args)
    else:
        with tempfile.TemporaryDirectory(prefix="hsi-bench-") as tmp:
            _bench(Path(tmp), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
