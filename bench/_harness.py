"""What the ratio benchmarks share: a child process per measurement, best of
N, ratios against a baseline measured in the same run, one table printer.

A script hands `main` its children (name -> function) and its parent side.
The parent re-runs the script as ``script --child NAME ARG...`` for every run
of every measurement, so each peak-memory figure is that measurement's own;
the child prints its result as one ``BENCH-RESULT <json>`` line. A child
imports what it needs before its clock starts, and touches nothing the whole
process shares: the garbage collector stays as Python sets it.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import operator
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARKER = "BENCH-RESULT "
ROOT = Path(__file__).resolve().parent.parent
Result = dict[str, Any]


# --- child side --------------------------------------------------------------


def status_mb(key: str) -> float | None:
    """A line of /proc/self/status (``VmRSS``, ``VmHWM``) in MiB; None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_mb() -> float:
    """This process's peak RSS in MiB.

    ``VmHWM`` on Linux: ``ru_maxrss`` there carries the parent's peak over into
    a child started by subprocess, so it would count the file generation.
    """
    peak = status_mb("VmHWM")
    if peak is not None:
        return peak
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 / (1024 if sys.platform == "darwin" else 1)


def ready(path: str | None) -> None:
    """Import before the clock what the library uses to read *path* (it
    imports a reader when it meets its format), or nothing but the library.

    A workbook's reader brings openpyxl, timed without its import in the
    raw openpyxl baseline, and zipfile's codec for the names of the parts.
    """
    modules = ["handshake_import"]
    if path and path.endswith(".csv"):
        modules.append("handshake_import._readers._text")
    elif path and path.endswith(".xlsx"):
        modules += ["handshake_import._readers._xlsx", "encodings.cp437"]
    for module in modules:
        importlib.import_module(module)


def counted(start: float, rows: int, expected: int, **more: object) -> Result:
    """A child's result: seconds since *start*, and a warning when it read
    another number of rows than the file has."""
    result: Result = {"seconds": time.perf_counter() - start, **more}
    if rows != expected:
        result["warning"] = f"read {rows:,} rows, expected {expected:,}"
    return result


def dictreader(path: str, expected: str) -> Result:
    """The CSV baseline: `csv.DictReader` over every row, touching nothing."""
    start, rows = time.perf_counter(), 0
    with open(path, encoding="utf-8", newline="") as fh:
        for _ in csv.DictReader(fh):
            rows += 1
    return counted(start, rows, int(expected))


# --- parent side -------------------------------------------------------------


@dataclass
class Runs:
    """One line of a report: a child, its arguments, and its runs' results."""

    label: str
    rows: int
    args: Sequence[object]
    """The child's name and arguments."""
    results: list[Result] = field(default_factory=list)
    error: str | None = None
    note: str = ""

    def values(self, key: str) -> list[float]:
        return [float(r[key]) for r in self.results if r.get(key) is not None]

    def best(self, key: str = "seconds") -> float | None:
        """The lowest *key* over the runs (the best time); None after a failure."""
        found = self.values(key)
        return min(found) if found and not self.error else None

    def most(self, key: str) -> float | None:
        """The highest *key* over the runs (the worst memory)."""
        found = self.values(key)
        return max(found) if found and not self.error else None

    def last(self, key: str) -> Any:
        return self.results[-1].get(key) if self.results and not self.error else None

    @property
    def rate(self) -> float | None:
        """Rows per second of the best run."""
        seconds = self.best()
        return self.rows / seconds if seconds else None


def run_child(script: str, args: Sequence[object], timeout: float) -> Result | str:
    """Run ``script --child *args`` once: its result, or why it failed."""
    env = dict(os.environ)
    # The package is found without being installed.
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), env.get("PYTHONPATH")])
    )
    command = [sys.executable, script, "--child", *map(str, args)]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            result: Result = json.loads(line[len(MARKER) :])
            return result.get("failure") or result
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    return f"exit {done.returncode}: {errors[-1].strip() if errors else 'no output'}"


def measure(script: str, group: Sequence[Runs], repeat: int, timeout: float) -> None:
    """Run each child of *group* *repeat* times, interleaved, so that a
    measurement and its baseline meet the same load on a busy machine."""
    for number in range(1, repeat + 1):
        for runs in group:
            if runs.error:
                continue
            outcome = run_child(script, runs.args, timeout)
            if isinstance(outcome, str):
                runs.error = outcome
                print(f"  {runs.label}: failed: {outcome}", flush=True)
                continue
            runs.results.append(outcome)
            seconds = outcome.get("seconds")
            shown = f"{seconds:.3f} s" if seconds is not None else "done"
            print(f"  {runs.label}: run {number}/{repeat}: {shown}", flush=True)


# --- the report --------------------------------------------------------------


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return None if numerator is None or not denominator else numerator / denominator


def table(
    headers: Sequence[str], lines: Sequence[Sequence[str]], left: Sequence[int] = (0,)
) -> str:
    """A plain-text table: numbers right-aligned, the columns in *left* not."""
    widths = [
        max(len(line[i]) for line in (headers, *lines)) for i in range(len(headers))
    ]

    def row(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([row(headers), row(["-" * w for w in widths]), *map(row, lines)])


def print_runs(group: Sequence[Runs], repeat: int) -> None:
    """The measurements: best time, rows/s, highest peak, and each one's note."""
    lines = [
        [
            runs.label,
            f"{runs.rows:,}",
            fmt(runs.best(), ".3f"),
            fmt(runs.rate, ",.0f"),
            fmt(runs.most("peak_mb"), ".1f"),
            f"failed: {runs.error}" if runs.error else runs.note,
        ]
        for runs in group
    ]
    print(
        f"Measurements (best of {repeat}; peak MB: the child's peak RSS, highest run)"
    )
    headers = ["measurement", "rows", "best s", "rows/s", "peak MB", "note"]
    print(table(headers, lines, left=(0, 5)))
    print()


def target(
    figure: str, value: float | None, op: str, goal: float, spec: str = ".3f"
) -> list[str]:
    """One line of the targets table; *op* is ``">="``, ``"<="`` or ``"<"``."""
    compare = {">=": operator.ge, "<=": operator.le, "<": operator.lt}[op]
    ok = None if value is None else compare(value, goal)
    verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
    return [figure, fmt(value, spec), f"{op} {goal:{spec}}", verdict]


def print_targets(lines: Sequence[Sequence[str]], group: Sequence[Runs]) -> None:
    """The targets, then a warning line for each distinct warning of a run."""
    print("Targets")
    print(table(["figure", "value", "target", "verdict"], lines, left=(0, 3)))
    for runs in group:
        for warning in dict.fromkeys(
            r["warning"] for r in runs.results if "warning" in r
        ):
            print(f"WARNING: {runs.label}: {warning}")


def write(path: Path, writer: Callable[[Path, int], None], rows: int) -> Path:
    """Write a generated file and say how long it took."""
    start = time.perf_counter()
    writer(path, rows)
    size = path.stat().st_size / 2**20
    took = time.perf_counter() - start
    print(f"wrote {path.name}: {rows:,} rows, {size:.1f} MB, {took:.1f} s", flush=True)
    return path


# --- a script ----------------------------------------------------------------


def main(
    description: str,
    children: Mapping[str, Callable[..., Result]],
    sizes: Mapping[str, tuple[int, int]],
    bench: Callable[[argparse.Namespace, Path], None],
    argv: Sequence[str] | None = None,
) -> int:
    """Run a benchmark script: a child when called with ``--child``, else
    parse the options and call ``bench(args, workdir)``.

    *sizes* is each size option -> (default, its ``--quick`` value). Exits 0
    whatever the figures (the script reports, it does not gate), 2 on bad
    arguments.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--child"]:
        name, *args = argv[1:]
        result = children[name](*args)
        result.setdefault("peak_mb", peak_mb())
        print(MARKER + json.dumps(result), flush=True)
        return 0
    parser = argparse.ArgumentParser(description=description)
    for name, (default, quick) in sizes.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            help=f"default {default:,}; --quick: {quick:,}",
        )
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per speed figure")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per child")
    parser.add_argument(
        "--workdir", type=Path, help="write the files here and keep them"
    )
    args = parser.parse_args(argv)
    for name, (default, quick) in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else default)
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.repeat < 1:
        parser.error("--repeat must be positive")
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        bench(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="hsi-bench-") as tmp:
            bench(args, Path(tmp))
    return 0
