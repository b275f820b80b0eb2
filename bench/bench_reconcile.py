"""Reconciling benchmark: ``reconcile(path, store)``, file to plan, against
csv.DictReader over the same file, and the memory the plan takes.

    python bench/bench_reconcile.py [--rows 100000] [--quick]

The store is an `InMemoryStore` of the customers `_files.iter_existing`
describes, so the plan creates about 40% of the rows, updates 50% and leaves
10% unchanged. A naive dict-lookup reconcile over DictReader is timed too, as
a calibration point with no target. See bench/README.md; the script reports
and exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from _files import ADDRESS_PARTS, REFERENCE_DATA, Cells, iter_existing, write_csv
from _harness import (
    Result,
    Runs,
    dictreader,
    fmt,
    main,
    measure,
    peak_mb,
    print_runs,
    print_targets,
    ratio,
    ready,
    status_mb,
    table,
    target,
    write,
)

if TYPE_CHECKING:
    from handshake_import import Customer, InMemoryStore

SCRIPT = str(Path(__file__).resolve())
MIX = {"create": 40.0, "update": 50.0, "unchanged": 10.0}
"""The plan's share of each action, in % of the rows, each give or take 2."""
_SEPARATORS = re.compile(r"[,;\s]+")


def customer(cells: Cells) -> Customer:
    """The `Customer` a row with these cells reads as, through the public
    constructors."""
    from handshake_import import Address, Customer  # noqa: PLC0415

    def address(prefix: str) -> Address | None:
        parts = {part: cells[f"{prefix}_{part}"] or None for part in ADDRESS_PARTS}
        return Address(**parts) if any(parts.values()) else None

    maker_id = cells["id:Acme Tools"]
    return Customer(
        name=cells["name"],
        id=cells["id"] or None,
        internal_id=cells["internal_id"] or None,
        contact=cells["contact"] or None,
        emails=tuple(filter(None, _SEPARATORS.split(cells["email"]))),
        bill_to=address("bill"),
        ship_to=address("ship"),
        payment_terms=cells["paymentTerms"] or None,
        shipping_method=cells["shippingMethod"] or None,
        tax_id=cells["taxID"] or None,
        customer_group=cells["customerGroup"] or None,
        user_group=cells["userGroup"] or None,
        manufacturer_ids={"Acme Tools": maker_id} if maker_id else {},
    )


def build_store(rows: int, others: int) -> tuple[InMemoryStore, Counter[str]]:
    """The store the file meets, and how many customers of each kind it holds
    (it knows every reference the file makes, so the plan has no errors)."""
    from handshake_import import InMemoryStore  # noqa: PLC0415

    kinds: Counter[str] = Counter()

    def customers() -> Iterator[Customer]:
        for kind, cells in iter_existing(rows, others):
            kinds[kind] += 1
            yield customer(cells)

    store = InMemoryStore(
        customers(),
        customer_groups=REFERENCE_DATA["customer_groups"],
        user_groups=REFERENCE_DATA["user_groups"],
        manufacturers=REFERENCE_DATA["manufacturers"],
        options={
            key: REFERENCE_DATA[key] for key in ("paymentTerms", "shippingMethod")
        },
    )
    return store, kinds


def expected(rows: int, kinds: Mapping[str, int]) -> dict[str, int]:
    """The action counts the data implies."""
    stored = kinds["same"] + kinds["changed"]
    return {
        "create": rows - stored,
        "update": kinds["changed"],
        "unchanged": kinds["same"],
    }


def _reset_peak() -> bool:
    """Reset this process's peak RSS to its RSS (Linux 4.0 and later): it
    changes no page and nothing Python does."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def child_reconcile(path: str, rows: str, others: str) -> Result:
    """Build the store (timed apart), then time ``reconcile(path, store)``."""
    from handshake_import import reconcile  # noqa: PLC0415

    ready(path)
    start = time.perf_counter()
    store, kinds = build_store(int(rows), int(others))
    store_seconds = time.perf_counter() - start
    store_peak, before, reset = peak_mb(), status_mb("VmRSS"), _reset_peak()
    start = time.perf_counter()
    plan = reconcile(path, store)
    seconds = time.perf_counter() - start
    reconcile_peak = peak_mb()
    summary, want = plan.summary(), expected(int(rows), kinds)
    got = {kind: summary["actions"][kind] for kind in want}
    result = {
        "seconds": seconds,
        "store_seconds": store_seconds,
        "stored": store.customer_count(),
        "before_mb": before,
        "reconcile_peak_mb": reconcile_peak,
        "after_mb": status_mb("VmRSS"),
        "peak_mb": max(store_peak, reconcile_peak),
        "peak_reset": reset,
        "actions": summary["actions"],
        "expected": want,
        "problems": {**summary["errors"], **summary["warnings"]},
    }
    if got != want:
        result["warning"] = f"plan has {got}, the data implies {want}"
    return result


def child_naive(path: str, rows: str, others: str) -> Result:
    """A naive reconcile: DictReader, a `Customer` per row through the public
    constructors, a look-up by internal id, else id, in dictionaries of the
    stored customers, a field-by-field comparison and an action per row. No
    validation, names, references or in-file checks."""
    import attrs  # noqa: PLC0415

    from handshake_import import (  # noqa: PLC0415
        CreateCustomer,
        Customer,
        Unchanged,
        UpdateCustomer,
    )

    store, kinds = build_store(int(rows), int(others))
    names = [f.name for f in attrs.fields(Customer)]
    start = time.perf_counter()
    by_internal_id = {c.internal_id: c for c in store.customers}
    by_id = {c.id: c for c in store.customers if c.id}
    actions: list[object] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row, cells in enumerate(csv.DictReader(fh), start=2):
            new = customer(cells)
            how = "internal_id" if new.internal_id else "id"
            old = (
                by_internal_id.get(new.internal_id)
                if new.internal_id
                else by_id.get(new.id)
            )
            if old is None or old.internal_id is None:
                actions.append(CreateCustomer(row=row, sheet=None, customer=new))
                continue
            changes = {
                name: (getattr(old, name), getattr(new, name))
                for name in names
                if getattr(old, name) != getattr(new, name)
            }
            kind = UpdateCustomer if changes else Unchanged
            extra = {"changes": changes} if changes else {}
            actions.append(
                kind(
                    row=row,
                    sheet=None,
                    internal_id=old.internal_id,
                    matched_by=how,
                    **extra,
                )
            )
    seconds = time.perf_counter() - start
    got = Counter(type(a).__name__ for a in actions)
    want = expected(int(rows), kinds)
    named = {
        "create": "CreateCustomer",
        "update": "UpdateCustomer",
        "unchanged": "Unchanged",
    }
    result: Result = {"seconds": seconds}
    if {kind: got[name] for kind, name in named.items()} != want:
        result["warning"] = f"planned {dict(got)}, the data implies {want}"
    return result


CHILDREN = {
    "dictreader": dictreader,
    "reconcile": child_reconcile,
    "naive": child_naive,
}


def _details(runs: Runs) -> dict[str, float]:
    """Print the store, memory and plan figures of the reconcile child;
    return each action's share of the rows, in %."""
    if runs.error or not runs.results:
        return {}
    actions, want = runs.last("actions"), runs.last("expected")
    lines = [
        [
            "store: customers (built in, s; not timed)",
            f"{runs.last('stored'):,} ({fmt(runs.best('store_seconds'), '.1f')})",
        ],
        ["RSS before reconcile, MB", fmt(runs.most("before_mb"), ".1f")],
        ["peak while reconciling, MB", fmt(runs.most("reconcile_peak_mb"), ".1f")],
        ["RSS after, plan held, MB", fmt(runs.most("after_mb"), ".1f")],
        *(
            [
                kind,
                f"{actions[kind]:,}, {100 * actions[kind] / runs.rows:.1f}%"
                f" (expected {want[kind]:,})",
            ]
            for kind in MIX
        ),
        ["create-user-group", f"{actions['create-user-group']:,} (expected 0)"],
        [
            "problems",
            ", ".join(f"{k} {v:,}" for k, v in runs.last("problems").items()) or "none",
        ],
    ]
    print(f"Reconcile child, {runs.rows:,} rows (memory: highest run)")
    print(table(["figure", "value"], lines))
    if not all(r.get("peak_reset") for r in runs.results):
        print("(peak not reset before reconcile: the growth is an upper bound)")
    print()
    return {kind: 100 * actions[kind] / runs.rows for kind in MIX}


def bench(args: argparse.Namespace, workdir: Path) -> None:
    rows = args.rows
    path = write(workdir / f"customers_{rows}.csv", write_csv, rows)
    others = rows * 2 // 5  # stored customers the file does not mention
    runs = {
        "dictreader": Runs("csv.DictReader, CSV", rows, ["dictreader", path, rows]),
        "reconcile": Runs(
            "reconcile, CSV -> plan", rows, ["reconcile", path, rows, others]
        ),
        "naive": Runs(
            "naive reconcile (calibration)", rows, ["naive", path, rows, others]
        ),
    }
    print("Measuring")
    measure(SCRIPT, list(runs.values()), args.repeat, args.timeout)
    print()
    print_runs(list(runs.values()), args.repeat)
    shares = _details(runs["reconcile"])
    big = runs["reconcile"]
    growth: float | None = None
    if big.results and not big.error:
        growth = max(r["reconcile_peak_mb"] - r["before_mb"] for r in big.results)
    mix_off = max((abs(shares[k] - MIX[k]) for k in MIX), default=None)
    print_targets(
        [
            target(
                "reconcile / DictReader, rows/s",
                ratio(big.rate, runs["dictreader"].rate),
                ">=",
                1 / 3,
                ".3f",
            ),
            target("peak growth while reconciling, MB", growth, "<", 300, ".0f"),
            target(
                "plan mix: furthest share from 40/50/10 %, points",
                mix_off,
                "<=",
                2,
                ".1f",
            ),
        ],
        list(runs.values()),
    )
    naive = runs["naive"].rate
    print(
        f"Calibration (no target): the naive reconcile runs at "
        f"{fmt(ratio(naive, runs['dictreader'].rate), '.3f')} of DictReader's rows/s "
        f"(the 1/3 target assumed about 0.25); reconcile at "
        f"{fmt(ratio(big.rate, naive), '.2f')} times the naive one's."
    )


if __name__ == "__main__":
    raise SystemExit(
        main(
            "Reconciling: reconcile(path, store) against csv.DictReader.",
            CHILDREN,
            {"rows": (100_000, 10_000)},
            bench,
        )
    )
