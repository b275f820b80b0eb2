"""Reconciling benchmark: a customer CSV against a store, file to plan.

Usage::

    python bench/bench_reconcile.py [--rows 100000] [--compare-rows 10000] [--quick]

Generates a CSV of ``--rows`` customers and a CSV of its first
``--compare-rows`` rows into a temporary directory, then measures, each in a
fresh interpreter:

- ``reconcile(path, store)`` over the big CSV, against an `InMemoryStore` of
  the customers `_files.iter_existing` describes (the CSV's rows with an
  internal id, most of them with a cell or two different, plus 40% as many
  customers again that the file does not mention), so that the plan creates
  about 40% of the rows, updates 50% and leaves 10% unchanged; and
  ``csv.DictReader`` over the same file, as the speed floor;
- a naive dict-lookup reconcile over ``csv.DictReader`` with attrs records,
  against the same store: the calibration point the speed target assumes
  (reported for context, with no target);
- the memory that child needs: its peak, and the growth from just before
  ``reconcile`` (store built) to its peak while reconciling;
- django-import-export's dry run over the small CSV, against an SQLite table
  holding the same stored customers as an `InMemoryStore` that ``reconcile``
  gets for the same file (needs the ``bench`` extra; skipped without it).

Speed figures are the best of ``--repeat`` runs. The script reports; it
always exits 0 (except on bad arguments). Internally it re-runs itself as
``bench_reconcile.py --child NAME PATH ROWS OTHERS``; see ``_child``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import importlib.util
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from _files import REFERENCE_DATA, Cells, iter_existing, write_csv
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
    _peak_mb,
    _print_result,
    _print_targets,
    _print_warnings,
    _ratio,
    _run_child,
    _status_mb,
    _table,
    _verdict,
    _write_files,
)

if TYPE_CHECKING:
    from handshake_import import Customer, InMemoryStore

SPEED_TARGET = 1 / 3
"""reconcile rows/s ÷ csv.DictReader rows/s, at least."""
PLAN_GROWTH_TARGET_MB = 300.0
"""Peak memory growth while reconciling ``--rows`` rows, under."""
MIX_TARGET = {"create": 40.0, "update": 50.0, "unchanged": 10.0}
"""The plan's share of each action, in percent of the rows ..."""
MIX_TOLERANCE = 2.0
"""... give or take this many points."""
DJANGO_SPEED_TARGET = 50.0
"""reconcile rows/s ÷ django-import-export rows/s, at least."""

_BENCH_EXTRA = ("django", "import_export", "tablib")
_INSTALL_HINT = "pip install -e '.[bench]'"


# --- child side --------------------------------------------------------------


def _rss_mb() -> float | None:
    """Current resident set size of this process in MB (MiB); Linux only."""
    return _status_mb("VmRSS")


def _reset_peak() -> bool:
    """Reset this process's ``VmHWM`` to its current RSS (Linux >= 4.0).

    Returns False where that is not possible; ``_peak_mb`` then still
    reports the high-water mark since the process started.
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")
_ADDRESS_PARTS = (
    "id",
    "name",
    "street",
    "street2",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
    "fax",
)


def _customer(cells: Cells) -> Customer:
    """The `Customer` a CSV row with these cells reads as, built directly."""
    from handshake_import import Address, Customer  # noqa: PLC0415

    def address(prefix: str) -> Address | None:
        parts = {part: cells[f"{prefix}_{part}"] or None for part in _ADDRESS_PARTS}
        if all(value is None for value in parts.values()):
            return None
        return Address(**parts)

    maker_id = cells["id:Acme Tools"]
    return Customer(
        name=cells["name"],
        id=cells["id"] or None,
        internal_id=cells["internal_id"] or None,
        contact=cells["contact"] or None,
        emails=tuple(e for e in _EMAIL_SEPARATORS.split(cells["email"]) if e),
        bill_to=address("bill"),
        ship_to=address("ship"),
        payment_terms=cells["paymentTerms"] or None,
        shipping_method=cells["shippingMethod"] or None,
        tax_id=cells["taxID"] or None,
        customer_group=cells["customerGroup"] or None,
        user_group=cells["userGroup"] or None,
        manufacturer_ids={"Acme Tools": maker_id} if maker_id else {},
    )


def _counted(
    items: Iterable[tuple[str, Cells]], kinds: Counter[str]
) -> Iterable[Cells]:
    """Yield the cells of ``items``, counting their kinds into ``kinds``."""
    for kind, cells in items:
        kinds[kind] += 1
        yield cells


def _build_store(rows: int, others: int) -> tuple[InMemoryStore, Counter[str]]:
    """The store ``reconcile`` meets, and how many customers of each kind it has.

    It knows every customer group, user group, manufacturer and option the
    file uses, so the plan has no errors and no user groups to create.
    """
    from handshake_import import InMemoryStore  # noqa: PLC0415

    kinds: Counter[str] = Counter()
    store = InMemoryStore(
        (_customer(c) for c in _counted(iter_existing(rows, others), kinds)),
        customer_groups=REFERENCE_DATA["customer_groups"],
        user_groups=REFERENCE_DATA["user_groups"],
        manufacturers=REFERENCE_DATA["manufacturers"],
        options={
            "paymentTerms": REFERENCE_DATA["paymentTerms"],
            "shippingMethod": REFERENCE_DATA["shippingMethod"],
        },
    )
    return store, kinds


def _expected(rows: int, kinds: Mapping[str, int]) -> dict[str, int]:
    """The plan's action counts that the generated data implies."""
    stored_rows = kinds.get("same", 0) + kinds.get("changed", 0)
    return {
        "create": rows - stored_rows,
        "update": kinds.get("changed", 0),
        "unchanged": kinds.get("same", 0),
    }


def _child_dictreader(path: str, rows: int, others: int) -> dict[str, object]:
    """Loop over every row with csv.DictReader, touching nothing."""
    del others
    start = time.perf_counter()
    count = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for _ in csv.DictReader(fh):
            count += 1
    result: dict[str, object] = {"seconds": time.perf_counter() - start}
    if count != rows:
        result["warning"] = f"read {count:,} rows, expected {rows:,}"
    return result


def _child_reconcile(path: str, rows: int, others: int) -> dict[str, object]:
    """Build the store (timed apart), then time ``reconcile(path, store)``.

    Memory: the RSS once the store is built (after a full collection), the
    peak while building it, and, with the high-water mark reset there, the
    peak while reconciling, the RSS afterwards with the plan still held, and
    the RSS once the plan is dropped.
    """
    from handshake_import import reconcile  # noqa: PLC0415

    start_mb = _rss_mb()
    start = time.perf_counter()
    store, kinds = _build_store(rows, others)
    store_seconds = time.perf_counter() - start
    gc.collect()
    before_mb = _rss_mb()
    store_peak_mb = _peak_mb()
    reset = _reset_peak()

    start = time.perf_counter()
    plan = reconcile(path, store)
    seconds = time.perf_counter() - start

    reconcile_peak_mb = _peak_mb()
    after_mb = _rss_mb()
    summary = plan.summary()
    expected = _expected(rows, kinds)
    result: dict[str, object] = {
        "seconds": seconds,
        "store_seconds": store_seconds,
        "store_customers": store.customer_count(),
        "kinds": dict(kinds),
        "start_mb": start_mb,
        "before_mb": before_mb,
        "store_peak_mb": store_peak_mb,
        "reconcile_peak_mb": reconcile_peak_mb,
        "after_mb": after_mb,
        "peak_reset": reset,
        "peak_mb": max(store_peak_mb, reconcile_peak_mb),
        "actions": summary["actions"],
        "expected": expected,
        "errors": summary["errors"],
        "warnings": summary["warnings"],
    }
    got = {kind: summary["actions"].get(kind, 0) for kind in expected}
    if got != expected:
        result["warning"] = f"plan has {got}, the data implies {expected}"
    del plan
    gc.collect()
    result["dropped_mb"] = _rss_mb()
    return result


def _child_naive(path: str, rows: int, others: int) -> dict[str, object]:
    """Time the speed target's calibration point: a naive dict-lookup
    reconcile over csv.DictReader with attrs records.

    Each row becomes a `Customer` through the public constructors (as the
    store's customers are built), is looked up by internal id, else by id, in
    dictionaries of the stored customers, and is compared field by field:
    no validation, no name matching, no references, no in-file checks, and
    the garbage collector left as Python sets it. Same store as the
    reconcile child, built before the clock starts.
    """
    import attrs  # noqa: PLC0415

    from handshake_import import (  # noqa: PLC0415
        CreateCustomer,
        Customer,
        MatchedBy,
        Unchanged,
        UpdateCustomer,
    )

    store, kinds = _build_store(rows, others)
    gc.collect()
    fields = [field.name for field in attrs.fields(Customer)]
    start = time.perf_counter()
    stored = store.customers
    by_internal_id = {customer.internal_id: customer for customer in stored}
    by_id = {customer.id: customer for customer in stored if customer.id}
    actions: list[object] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for number, cells in enumerate(csv.DictReader(fh), start=2):
            customer = _customer(cells)
            matched_by: MatchedBy
            if customer.internal_id:
                match = by_internal_id.get(customer.internal_id)
                matched_by = "internal_id"
            else:
                match = by_id.get(customer.id or "")
                matched_by = "id"
            if match is None or match.internal_id is None:
                actions.append(
                    CreateCustomer(row=number, sheet=None, customer=customer)
                )
                continue
            changes = {
                field: (getattr(match, field), getattr(customer, field))
                for field in fields
                if getattr(match, field) != getattr(customer, field)
            }
            if changes:
                actions.append(
                    UpdateCustomer(
                        row=number,
                        sheet=None,
                        internal_id=match.internal_id,
                        matched_by=matched_by,
                        changes=changes,
                    )
                )
            else:
                actions.append(
                    Unchanged(
                        row=number,
                        sheet=None,
                        internal_id=match.internal_id,
                        matched_by=matched_by,
                    )
                )
    seconds = time.perf_counter() - start
    got = Counter(
        {CreateCustomer: "create", UpdateCustomer: "update", Unchanged: "unchanged"}[
            type(action)
        ]
        for action in actions
    )
    expected = _expected(rows, kinds)
    result: dict[str, object] = {"seconds": seconds, "actions": dict(got)}
    if dict(got) != expected:
        result["warning"] = f"planned {dict(got)}, the data implies {expected}"
    return result


def _child_django(path: str, rows: int, others: int) -> dict[str, object]:
    """Time django-import-export's dry run of the CSV against the same customers.

    Django is configured in this process with an SQLite file in a temporary
    directory; the stored customers are inserted first (timed apart), the
    CSV is loaded into a tablib Dataset (timed apart), then
    ``import_data(dataset, dry_run=True)`` is timed.
    """
    try:
        import _django_app  # noqa: PLC0415
        import tablib  # noqa: PLC0415

        for module in _BENCH_EXTRA:
            importlib.import_module(module)
    except ImportError as error:
        return {"skipped": f"{error}; install the bench extra: {_INSTALL_HINT}"}
    with tempfile.TemporaryDirectory(prefix="hsi-bench-django-") as tmp:
        _django_app.configure(Path(tmp, "bench.sqlite3"))
        _django_app.create_tables()
        from _django_app.models import COLUMN_FOR_FIELD  # noqa: PLC0415
        from _django_app.models import Customer as Row  # noqa: PLC0415
        from _django_app.resources import CustomerResource  # noqa: PLC0415
        from django.db import connection  # noqa: PLC0415

        field_for = {column: name for name, column in COLUMN_FOR_FIELD.items()}
        kinds: Counter[str] = Counter()
        start = time.perf_counter()
        Row.objects.bulk_create(
            Row(**{field_for.get(column, column): v for column, v in cells.items()})
            for cells in _counted(iter_existing(rows, others), kinds)
        )
        db_seconds = time.perf_counter() - start

        start = time.perf_counter()
        with open(path, encoding="utf-8", newline="") as fh:
            dataset = tablib.Dataset().load(fh.read(), format="csv")
        load_seconds = time.perf_counter() - start

        start = time.perf_counter()
        outcome = CustomerResource().import_data(dataset, dry_run=True)
        seconds = time.perf_counter() - start

        totals = {str(kind): int(count) for kind, count in outcome.totals.items()}
        stored = Row.objects.count()
        connection.close()
    expected = _expected(rows, kinds)
    got = {
        "create": totals.get("new", 0),
        "update": totals.get("update", 0),
        "unchanged": totals.get("skip", 0),
    }
    result: dict[str, object] = {
        "seconds": seconds,
        "db_seconds": db_seconds,
        "load_seconds": load_seconds,
        "stored": stored,
        "dataset_rows": len(dataset),
        "totals": totals,
        "row_errors": bool(outcome.has_errors() or outcome.has_validation_errors()),
    }
    if got != expected or result["row_errors"]:
        result["warning"] = (
            f"import_data totals {totals}, the data implies {expected}"
            + (" (rows with errors)" if result["row_errors"] else "")
        )
    return result


_CHILDREN: dict[str, Callable[[str, int, int], dict[str, object]]] = {
    "dictreader": _child_dictreader,
    "reconcile": _child_reconcile,
    "naive": _child_naive,
    "django": _child_django,
}


def _child(name: str, path: str, rows: int, others: int) -> None:
    """Run one measurement and print its result as one JSON line.

    handshake_import is imported before any clock starts, so that the times
    cover the work alone (the DictReader child does not import it).
    """
    if name in ("reconcile", "naive"):
        importlib.import_module("handshake_import")
    _print_result(_CHILDREN[name](path, rows, others))


# --- parent side -------------------------------------------------------------


@dataclass
class Reconciling(Measurement):
    """A measurement of this script, with the child's ``OTHERS`` argument."""

    others: int = 0
    """Stored customers the file does not mention, beyond those it does."""


def _note(m: Measurement) -> str:
    """The note column of a measurement's line: what its child reconciled against."""
    if m.child == "reconcile":
        store = m.last("store_customers")
        return f"store: {store:,} customers" if isinstance(store, int) else ""
    if m.child == "django":
        stored = m.last("stored")
        load = m.best("load_seconds")
        return (
            f"table: {stored:,} customers; Dataset load {_fmt(load, '.3f')} s"
            if isinstance(stored, int)
            else ""
        )
    return ""


def _missing_extra() -> list[str]:
    """The modules of the ``bench`` extra that cannot be imported here."""
    return [name for name in _BENCH_EXTRA if importlib.util.find_spec(name) is None]


def _reconcile_details(m: Measurement) -> tuple[float | None, dict[str, float]]:
    """Print the store, memory and plan figures of the big reconcile child.

    Returns the peak growth while reconciling and the action shares.
    """
    if not m.done:
        return None, {}
    peak_growth = m.highest_difference("reconcile_peak_mb", "before_mb")
    reset = all(result.get("peak_reset") is True for result in m.results)
    kinds = _mapping(m.last("kinds"))
    print(f"Reconcile child, {m.rows:,} rows (highest over the runs)")
    memory = [
        [
            "store built: customers (same / changed / other)",
            f"{sum(kinds.values()):,} ({kinds.get('same', 0):,} / "
            f"{kinds.get('changed', 0):,} / {kinds.get('other', 0):,})",
        ],
        [
            "store built: seconds (best run, not in rows/s)",
            _fmt(m.best("store_seconds"), ".2f"),
        ],
        ["RSS after imports, MB", _fmt(m.highest("start_mb"), ".1f")],
        [
            "RSS with the store built (before reconcile), MB",
            _fmt(m.highest("before_mb"), ".1f"),
        ],
        ["peak while building the store, MB", _fmt(m.highest("store_peak_mb"), ".1f")],
        ["peak while reconciling, MB", _fmt(m.highest("reconcile_peak_mb"), ".1f")],
        ["RSS after reconcile, plan held, MB", _fmt(m.highest("after_mb"), ".1f")],
        ["RSS once the plan is dropped, MB", _fmt(m.highest("dropped_mb"), ".1f")],
        ["growth: peak while reconciling - before, MB", _fmt(peak_growth, ".1f")],
        [
            "growth kept: RSS with the plan - before, MB",
            _fmt(m.highest_difference("after_mb", "before_mb"), ".1f"),
        ],
        ["whole child peak, MB", _fmt(m.highest("peak_mb"), ".1f")],
    ]
    print(_table(["figure", "value"], memory))
    if not reset:
        print(
            "(the peak could not be reset before reconciling: the peak while "
            "reconciling is the child's whole peak, so the growth is an upper bound)"
        )
    print()

    actions = _mapping(m.last("actions"))
    expected = _mapping(m.last("expected"))
    planned = sum(actions.get(kind, 0) for kind in MIX_TARGET)
    shares = {
        kind: 100 * actions.get(kind, 0) / planned if planned else 0.0
        for kind in MIX_TARGET
    }
    plan_lines = [
        [
            kind,
            f"{actions.get(kind, 0):,}",
            f"{shares[kind]:.1f}%",
            f"{expected.get(kind, 0):,}",
        ]
        for kind in MIX_TARGET
    ]
    plan_lines.append(
        ["create-user-group", f"{actions.get('create-user-group', 0):,}", "", "0"]
    )
    print(f"Plan of the {m.rows:,}-row CSV")
    print(_table(["action", "count", "share", "expected"], plan_lines))
    print(f"errors: {_counts(m.last('errors'))}")
    print(f"warnings: {_counts(m.last('warnings'))}")
    print()
    return peak_growth, shares


def _django_details(small: Measurement, django: Measurement) -> None:
    """Print the comparison's counts side by side."""
    if not (small.done and django.done):
        return
    actions = _mapping(small.last("actions"))
    totals = _mapping(django.last("totals"))
    lines = [
        ["create / new", f"{actions.get('create', 0):,}", f"{totals.get('new', 0):,}"],
        ["update", f"{actions.get('update', 0):,}", f"{totals.get('update', 0):,}"],
        [
            "unchanged / skip",
            f"{actions.get('unchanged', 0):,}",
            f"{totals.get('skip', 0):,}",
        ],
        [
            "errors / error+invalid",
            f"{sum(_mapping(small.last('errors')).values()):,}",
            f"{totals.get('error', 0) + totals.get('invalid', 0):,}",
        ],
    ]
    print(f"Comparison, {small.rows:,} rows: what each one found")
    print(_table(["", "reconcile", "django-import-export"], lines))
    print(
        "django-import-export: stored customers inserted in "
        f"{_fmt(django.best('db_seconds'), '.2f')} s, the CSV loaded into a "
        f"Dataset in {_fmt(django.best('load_seconds'), '.3f')} s (neither timed)"
    )
    print()


def _report(ms: Mapping[str, Measurement], repeat: int) -> None:
    """Print the measurements, the details, the targets and any warnings."""
    _measurements_table(ms, repeat, _note)
    print()
    big, small, django = ms["reconcile"], ms["small"], ms["django"]
    peak_growth, shares = _reconcile_details(big)
    _django_details(small, django)

    speed = _ratio(big.rows_per_second, ms["dictreader"].rows_per_second)
    versus = _ratio(small.rows_per_second, django.rows_per_second)
    mix_ok = bool(shares) and all(
        abs(shares[kind] - target) <= MIX_TOLERANCE
        for kind, target in MIX_TARGET.items()
    )
    mix_verdict = "PASS" if mix_ok else "FAIL"
    targets = [
        [
            f"speed: reconcile / DictReader ({big.rows:,} rows)",
            _fmt(speed, ".3f"),
            f">= {SPEED_TARGET:.3f}",
            _verdict(speed, SPEED_TARGET, at_least=True),
        ],
        [
            f"plan memory: peak growth while reconciling ({big.rows:,} rows), MB",
            _fmt(peak_growth, ".1f"),
            f"< {PLAN_GROWTH_TARGET_MB:.0f}",
            "n/a"
            if peak_growth is None
            else ("PASS" if peak_growth < PLAN_GROWTH_TARGET_MB else "FAIL"),
        ],
        [
            "plan mix: create / update / unchanged, % of rows",
            " / ".join(f"{shares[k]:.1f}" for k in MIX_TARGET) if shares else "-",
            " / ".join(f"{v:.0f}" for v in MIX_TARGET.values())
            + f" ± {MIX_TOLERANCE:.0f}",
            mix_verdict if shares else "n/a",
        ],
        [
            f"speed: reconcile / django-import-export ({small.rows:,} rows)",
            _fmt(versus, ",.1f"),
            f">= {DJANGO_SPEED_TARGET:.0f}",
            "skipped"
            if django.skipped
            else _verdict(versus, DJANGO_SPEED_TARGET, at_least=True),
        ],
    ]
    _print_targets(targets)
    naive = _ratio(ms["naive"].rows_per_second, ms["dictreader"].rows_per_second)
    print(
        "Calibration (no target): a naive dict-lookup reconcile over DictReader "
        f"runs at {_fmt(naive, '.3f')} of DictReader (the speed target assumes "
        "about 0.25); reconcile runs at "
        f"{_fmt(_ratio(big.rows_per_second, ms['naive'].rows_per_second), '.2f')}"
        " times its rows/s."
    )
    if django.skipped:
        print(f"django-import-export comparison skipped: {django.skipped}")
    _print_warnings(ms)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark handshake_import.reconcile, file to plan."
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows reconciled")
    parser.add_argument(
        "--compare-rows",
        type=int,
        default=10_000,
        help="rows of the django-import-export comparison",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 10,000 / 2,000 rows"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per speed figure")
    args = _parse_common(parser, argv, _CHILDREN, ("NAME", "PATH", "ROWS", "OTHERS"))
    if args.quick:
        args.rows, args.compare_rows = 10_000, 2_000
    if args.rows < 1 or args.compare_rows < 1 or args.repeat < 1:
        parser.error("--rows, --compare-rows and --repeat must be positive")
    return args


def _bench(workdir: Path, args: argparse.Namespace) -> None:
    """Generate the files, run every measurement and print the report."""
    rows, compare = args.rows, args.compare_rows
    files = _write_files(
        {
            n: (workdir / f"customers_{n}.csv", write_csv, n)
            for n in sorted({rows, compare}, reverse=True)
        }
    )
    others = rows * 2 // 5
    ms = {
        "dictreader": Reconciling(
            "csv.DictReader, CSV", "dictreader", files[rows], rows
        ),
        "reconcile": Reconciling(
            "reconcile, CSV -> plan", "reconcile", files[rows], rows, others
        ),
        "naive": Reconciling(
            "naive reconcile over DictReader (calibration)",
            "naive",
            files[rows],
            rows,
            others,
        ),
        "small": Reconciling(
            f"reconcile, first {compare:,} rows", "reconcile", files[compare], compare
        ),
        "django": Reconciling(
            f"django-import-export dry run, first {compare:,} rows",
            "django",
            files[compare],
            compare,
        ),
    }
    missing = _missing_extra()
    if missing:
        ms["django"].skipped = (
            f"{', '.join(missing)} not installed; install the bench extra: "
            f"{_INSTALL_HINT}"
        )

    def run(m: Reconciling, _: int) -> Outcome:
        return _run_child(__file__, [m.child, m.path, m.rows, m.others], args.timeout)

    print("Measuring")
    _measure([ms["dictreader"], ms["reconcile"], ms["naive"]], args.repeat, run)
    _measure([ms["small"], ms["django"]], args.repeat, run)
    print()
    _report(ms, args.repeat)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; always 0 once the arguments parse (it reports, not gates)."""
    args = _parse_args(argv)
    if args.child:
        name, path, rows, others = args.child
        _child(name, path, int(rows), int(others))
        return 0
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    _in_workdir(args.workdir, lambda workdir: _bench(workdir, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
