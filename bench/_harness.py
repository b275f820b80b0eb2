"""What the benchmark scripts share: child processes, their results, the report.

Every script measures in fresh interpreters, so that each peak-memory figure
belongs to one measurement alone: the parent re-runs its own script as
``script --child NAME ...`` (`_run_child`), the child prints its result as
one ``BENCH-RESULT <json>`` line (`_print_result`), and the parent keeps the
results of each report line's runs in a `Measurement`. The rest are the
small helpers the reports are printed with.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import TypeVar

_MARKER = "BENCH-RESULT "
"""What starts the line of a child's stdout that holds its result."""
_REPO_ROOT = Path(__file__).resolve().parent.parent

Outcome = dict[str, object] | str
"""One run of a child: its result, or a one-line reason why it failed."""


# --- child side --------------------------------------------------------------


def _status_mb(key: str) -> float | None:
    """A memory figure of this process from /proc/self/status, in MB (MiB).

    ``key`` is the line's name, such as ``VmRSS``; None where there is no
    such file (anywhere but Linux).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def _peak_mb() -> float:
    """Peak resident set size of this process, in MB (MiB).

    On Linux this is ``VmHWM`` from /proc/self/status, the high-water mark of
    this program's own address space. ``ru_maxrss`` is not used there because
    the kernel carries the parent's high-water mark over into a child started
    with vfork/posix_spawn (which subprocess uses), so every child would
    report at least the parent's peak, including file generation. Elsewhere
    ``ru_maxrss`` is the best there is (KiB on Linux, bytes on macOS).
    """
    peak_mb = _status_mb("VmHWM")
    if peak_mb is not None:
        return peak_mb
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _print_result(result: dict[str, object]) -> None:
    """Print a child's result as the line `_run_child` reads.

    Adds the child's peak memory, unless the child measured its own.
    """
    result.setdefault("peak_mb", _peak_mb())
    print(_MARKER + json.dumps(result), flush=True)


# --- parent side -------------------------------------------------------------


@dataclass
class Measurement:
    """One line of a report: a child run one or more times, and its results.

    Scripts subclass it with what else their measurements need (more
    arguments for the child, how many runs).
    """

    label: str
    child: str
    path: Path | None
    """The file the child reads (None for a child that reads none)."""
    rows: int
    """The data rows the child handles; rows/s counts these."""
    _: KW_ONLY
    results: list[dict[str, object]] = field(default_factory=list)
    """The results of the runs so far, in order."""
    error: str | None = None
    """Why a run failed; the figures of every run then count for nothing."""
    skipped: str | None = None
    """Why the child did not measure (a missing extra, say)."""
    warnings: list[str] = field(default_factory=list)
    """The distinct warnings of the runs."""

    def add(self, outcome: Outcome) -> None:
        """Keep one run's outcome: a result, a failure or a skip."""
        if isinstance(outcome, str):
            self.error = outcome
            return
        skipped = outcome.get("skipped")
        if isinstance(skipped, str):
            self.skipped = skipped
            return
        self.results.append(outcome)
        warning = outcome.get("warning")
        if isinstance(warning, str) and warning not in self.warnings:
            self.warnings.append(warning)

    @property
    def done(self) -> bool:
        """Whether it has results and neither failed nor was skipped."""
        return bool(self.results) and not self.error and not self.skipped

    def numbers(self, key: str) -> list[float]:
        """The numeric values of ``key`` over the runs."""
        return [
            float(value)
            for result in self.results
            if isinstance(value := result.get(key), (int, float))
            and not isinstance(value, bool)
        ]

    def best(self, key: str = "seconds") -> float | None:
        """The lowest value of ``key`` over the runs (the best time)."""
        values = self.numbers(key)
        return min(values) if values and self.done else None

    def highest(self, key: str) -> float | None:
        """The highest value of ``key`` over the runs (the worst memory)."""
        values = self.numbers(key)
        return max(values) if values and self.done else None

    def highest_difference(self, minuend: str, subtrahend: str) -> float | None:
        """The highest ``minuend - subtrahend`` over the runs that have both."""
        values = [
            float(a) - float(b)
            for result in self.results
            if isinstance(a := result.get(minuend), (int, float))
            and isinstance(b := result.get(subtrahend), (int, float))
        ]
        return max(values) if values and self.done else None

    def last(self, key: str) -> object:
        """The value of ``key`` in the last run (for deterministic figures)."""
        return self.results[-1].get(key) if self.done else None

    def values(self, key: str) -> set[str]:
        """The distinct text values of ``key`` over the runs."""
        return {str(r[key]) for r in self.results if key in r}

    @property
    def rows_per_second(self) -> float | None:
        """Data rows per second of the best run."""
        seconds = self.best()
        return self.rows / seconds if seconds else None


M = TypeVar("M", bound=Measurement)


def _run_child(
    script: str,
    args: Sequence[object],
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> Outcome:
    """Run ``script --child *args`` once; return its result or why it failed.

    ``env`` is added to this process's environment. A result that carries a
    ``failure`` (the child ran, but its measurement does not count) is
    returned as that reason.
    """
    child_env = {**os.environ, **(env or {})}
    # Let the child find the package when it is not installed.
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_REPO_ROOT), child_env.get("PYTHONPATH", "")) if p
    )
    command = [
        sys.executable,
        str(Path(script).resolve()),
        "--child",
        *(str(arg) for arg in args),
    ]
    try:
        done = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            env=child_env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(_MARKER):
            parsed: dict[str, object] = json.loads(line[len(_MARKER) :])
            failure = parsed.get("failure")
            return str(failure) if failure else parsed
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    reason = lines[-1].strip() if lines else "no output"
    return f"exit {done.returncode}: {reason}"


def _measure(group: Sequence[M], repeat: int, run: Callable[[M, int], Outcome]) -> None:
    """Run each child of ``group`` ``repeat`` times, interleaved.

    ``run(m, number)`` runs the child of ``m`` once. Interleaving puts a
    measurement and its baseline under the same load when the machine is
    busy with something else.
    """
    for number in range(1, repeat + 1):
        for m in group:
            if m.error or m.skipped:
                continue
            m.add(run(m, number))
            if m.error:
                print(f"  {m.label}: failed", flush=True)
            elif m.skipped:
                print(f"  {m.label}: skipped", flush=True)
            else:
                seconds = m.results[-1].get("seconds")
                shown = f"{seconds:.3f} s" if isinstance(seconds, float) else "done"
                print(f"  {m.label}: run {number}/{repeat}: {shown}", flush=True)


# --- running a script --------------------------------------------------------


def _parse_common(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    children: Collection[str],
    child_args: tuple[str, ...],
) -> argparse.Namespace:
    """Add the options every script ends with to ``parser``, and parse ``argv``.

    Those are ``--timeout``, ``--workdir`` and the hidden ``--child``, which
    takes ``child_args``, the first of which names one of ``children``.
    """
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds allowed per child"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="write the files here and keep them (default: a temporary directory)",
    )
    parser.add_argument(
        "--child",
        nargs=len(child_args),
        metavar=child_args,
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)
    if args.child and args.child[0] not in children:
        parser.error(f"unknown child {args.child[0]!r}")
    return args


def _in_workdir(workdir: Path | None, bench: Callable[[Path], None]) -> None:
    """Call ``bench`` with ``workdir``, or with a temporary directory.

    ``workdir`` is created if need be and kept; the temporary directory is
    removed afterwards.
    """
    if workdir:
        workdir.mkdir(parents=True, exist_ok=True)
        bench(workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="hsi-bench-") as tmp:
            bench(Path(tmp))


K = TypeVar("K")


def _write_files(
    files: Mapping[K, tuple[Path, Callable[[Path, int], None], int]],
) -> dict[K, Path]:
    """Write each ``(path, writer, rows)`` and print how long each took."""
    out: dict[K, Path] = {}
    report = []
    for key, (path, writer, rows) in files.items():
        start = time.perf_counter()
        writer(path, rows)
        elapsed = time.perf_counter() - start
        size = path.stat().st_size / (1024 * 1024)
        report.append([path.name, f"{rows:,}", f"{elapsed:.1f}", f"{size:.1f}"])
        out[key] = path
    print("Generated files", flush=True)
    print(_table(["file", "rows", "seconds", "MB"], report))
    print()
    return out


# --- the report --------------------------------------------------------------


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


def _mapping(value: object) -> dict[str, int]:
    """A JSON object of counts as a dict (empty for anything else)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): int(v) for k, v in value.items() if isinstance(v, int)}


def _counts(value: object) -> str:
    """``{"a": 3, "b": 1}`` as ``"a 3, b 1"`` (``"none"`` when empty)."""
    found = _mapping(value)
    return ", ".join(f"{k} {v:,}" for k, v in found.items()) or "none"


def _measurements_table(
    ms: Mapping[str, Measurement], repeat: int, note: Callable[[Measurement], str]
) -> None:
    """Print one line per measurement, ``note(m)`` in the last column.

    A measurement that failed or was skipped says so there instead.
    """
    lines = []
    for m in ms.values():
        if m.error or m.skipped:
            reason = f"failed: {m.error}" if m.error else "skipped (see below)"
            lines.append([m.label, f"{m.rows:,}", "-", "-", "-", reason])
            continue
        lines.append(
            [
                m.label,
                f"{m.rows:,}",
                _fmt(m.best(), ".3f"),
                _fmt(m.rows_per_second, ",.0f"),
                _fmt(m.highest("peak_mb"), ".1f"),
                note(m),
            ]
        )
    print(
        f"Measurements (time: best of {repeat} run{'s' if repeat > 1 else ''}; "
        "peak MB: the child's high-water RSS, highest run)"
    )
    print(
        _table(
            ["measurement", "rows", "best s", "rows/s", "peak MB", "note"],
            lines,
            left=(0, 5),
        )
    )


def _print_targets(targets: Sequence[Sequence[str]]) -> None:
    """Print the targets table: figure, value, target, verdict."""
    print("Targets")
    print(_table(["figure", "value", "target", "verdict"], targets, left=(0, 3)))


def _print_warnings(ms: Mapping[str, Measurement]) -> None:
    """Print the warnings of every measurement, one line each."""
    for m in ms.values():
        for warning in m.warnings:
            print(f"WARNING: {m.label}: {warning}")
