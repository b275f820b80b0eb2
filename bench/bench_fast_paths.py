"""Micro-benchmarks of the library's fast paths: each one timed against the
plain way of doing the same work, on the same input, with the gain printed.

    python bench/bench_fast_paths.py [--rows 20000] [--repeat 7] [--quick]

This script is about internals: it imports the library's private modules,
and may need changing when they change. Each fast path is a pure function,
timed in this process, best of ``--repeat`` runs over every input of a
seeded file of ``--rows`` customers (`_files`). Not with `timeit`, which
turns the garbage collector off while it times: here it stays as Python
sets it. Before timing, each pair is checked to give the same answers. The
script reports and exits 0 whatever the figures (2 on bad arguments).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from _files import HEADER, REFERENCE_DATA, iter_records
from _harness import table

from handshake_import import Address, Customer, Problem, read_customers
from handshake_import._build import positional
from handshake_import._changes import Diff, same_value
from handshake_import._names import NameForms, fold_name, name_key
from handshake_import._readers._text import _records
from handshake_import._records import NO_MAPPING
from handshake_import._references import _Canon
from handshake_import._template import (
    CUSTOMER_FIELDS,
    NO_EXTRAS,
    TEMPLATE_COLUMNS,
    at,
    customer_from_values,
    emails_of,
    values_of,
)
from handshake_import._values import (
    _EMAIL_SEPARATORS,
    _email_fault,
    _plain_cell_pattern,
    clean,
    clean_keeps,
    plain_addresses,
)

Case = tuple[str, int, Callable[[], object], Callable[[], object]]
"""What a line compares: its name, how many items, the fast path, the plain way."""


def seconds(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def compare(
    name: str,
    items: int,
    fast: Callable[[], object],
    plain: Callable[[], object],
    repeat: int,
) -> list[str]:
    """One line of the report: *fast* and *plain* timed in turn, after a
    check that they give the same answer."""
    if fast() != plain():
        return [name, f"{items:,}", "-", "-", "NOT THE SAME ANSWERS"]
    # In turn, so that both meet the same load; the best run of each.
    runs = [(seconds(fast), seconds(plain)) for _ in range(repeat)]
    fast_s, plain_s = (min(side) for side in zip(*runs, strict=True))
    per = 1e6 / items
    return [
        name,
        f"{items:,}",
        f"{plain_s * per:.3f}",
        f"{fast_s * per:.3f}",
        f"{plain_s / fast_s:.2f}x",
    ]


# The plain ways --------------------------------------------------------------


def careful_addresses(text: str) -> tuple[str, ...]:
    """`parse_emails` without its fast path: every address checked alone."""
    found: dict[str, str] = {}
    for address in filter(None, _EMAIL_SEPARATORS.split(text)):
        if _email_fault(address) is not None:
            raise ValueError(address)
        found.setdefault(address.casefold(), address)
    return tuple(found.values())


_build_address, _build_customer = positional(Address), positional(Customer)
_NAMES = [field.name for field in attrs.fields(Customer)]


def loop_values_of(customer: Customer) -> tuple[Any, ...]:
    """`values_of` as a loop over the table, with getattr."""
    values = []
    for field in CUSTOMER_FIELDS:
        if field.part:
            block = getattr(customer, field.attribute)
            values.append(getattr(block, field.part) if block else None)
        elif field.attribute == "emails":
            values.append("\n".join(customer.emails) or None)
        else:
            values.append(getattr(customer, field.attribute))
    return tuple(values)


def loop_customer_from_values(values: tuple[Any, ...]) -> Customer:
    """`customer_from_values` as a loop over the table, with the same
    positional builders."""
    found: dict[str, Any] = {"manufacturer_ids": NO_MAPPING, "custom": NO_MAPPING}
    blocks: dict[str, list[Any]] = {}
    for field, value in zip(CUSTOMER_FIELDS, values, strict=False):
        if field.part:
            blocks.setdefault(field.attribute, []).append(value)
        elif field.attribute == "emails":
            found["emails"] = emails_of(value)
        else:
            found[field.attribute] = value
    for attribute, parts in blocks.items():
        found[attribute] = _build_address(*parts) if any(parts) else None
    return _build_customer(*(found[name] for name in _NAMES))


_COMPARED = [
    (i, f.column) for i, f in enumerate(CUSTOMER_FIELDS) if f.column != "internal_id"
]


def field_by_field(stored: Customer, values: tuple[Any, ...]) -> dict[str, Any]:
    """A `Diff` of every template column, comparing each field alone."""
    old = values_of(stored)
    return {
        column: (old[place], values[place])
        for place, column in _COMPARED
        if not same_value(column, old[place], values[place])
    }


_CHECKS = [
    (at(column), _Canon(REFERENCE_DATA[key]))
    for column, key in (
        ("customerGroup", "customer_groups"),
        ("userGroup", "user_groups"),
        ("paymentTerms", "paymentTerms"),
        ("shippingMethod", "shippingMethod"),
    )
]


def respelled(rows: list[tuple[Any, ...]], spelled_first: bool) -> list[int]:
    """The rows naming a reference otherwise than the store spells it: as
    `check_references` finds them (*spelled_first*: one test of the row
    against the store's spellings first), or with a look-up of every value."""
    (g, groups), (u, users), (t, terms), (s, shipping) = _CHECKS
    found = []
    for number, values in enumerate(rows):
        if spelled_first:
            group, user, term, ship = values[g], values[u], values[t], values[s]
            if (
                (group is None or group in groups.spelled)
                and (user is None or user in users.spelled)
                and (term is None or term in terms.spelled)
                and (ship is None or ship in shipping.spelled)
            ):
                continue
        for place, canon in _CHECKS:
            value = values[place]
            if value is not None and canon.get(value) != value:
                found.append(number)
                break
    return found


# The benchmarks ----------------------------------------------------------------


def cases(rows: int) -> list[Case]:
    """Each fast path and the plain way, on the inputs of *rows* customers."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows([HEADER, *iter_records(rows)])
    lines = text.getvalue().splitlines(keepends=True)
    cells = [[cell.strip() for cell in row] for row in csv.reader(lines[1:])]
    read = read_customers(io.BytesIO(text.getvalue().encode()))
    values = [v[: len(CUSTOMER_FIELDS)] for v in read.rows.parsed.values]
    customers = [row.customer for row in read.rows]
    found: list[Case] = []

    # (a) a line without quotes split at the delimiter, not by the csv module:
    # on those lines, and on the whole file (where a third of them have quotes)
    plain_lines = [line for line in lines if '"' not in line]
    for label, some in (("lines without quotes", plain_lines), ("all lines", lines)):
        found.append(
            (
                f"text reader (_records) vs csv.reader, {label}",
                len(some),
                lambda some=some: list(_records(iter(some), ",")),
                lambda some=some: list(csv.reader(some)),
            )
        )
    # (b) one clean_keeps per joined row instead of clean per cell, on the
    # rows that hold non-ASCII text (an ASCII row never gets this far)
    foreign = [row for row in cells if not "".join(row).isascii()]
    found.append(
        (
            "clean_keeps(joined row) vs clean per cell, non-ASCII rows",
            len(foreign),
            lambda: [
                row if clean_keeps("".join(row)) else list(map(clean, row))
                for row in foreign
            ],
            lambda: [list(map(clean, row)) for row in foreign],
        )
    )
    # (c) the plain email cell accepted by one pattern
    email = HEADER.index("email")
    emails = [row[email] for row in cells if row[email]]
    found.append(
        (
            "plain_addresses vs the careful check per address",
            len(emails),
            lambda: list(map(plain_addresses, emails)),
            lambda: list(map(careful_addresses, emails)),
        )
    )
    if sys.version_info >= (3, 11):
        possessive = re.compile(_plain_cell_pattern("+")).fullmatch
        backtracking = re.compile(_plain_cell_pattern("")).fullmatch
        found.append(
            (
                "email cell pattern: possessive vs plain quantifiers",
                len(emails),
                lambda: [m and m.lastindex for m in map(possessive, emails)],
                lambda: [m and m.lastindex for m in map(backtracking, emails)],
            )
        )
    # (d) positional builders vs the attrs keyword constructors
    addresses = [c.bill_to for c in customers if c.bill_to]
    problems = [
        Problem(severity="warning", code="possible-duplicate", message=f"row {n}",
                row=n, column="name", cell=f"C{n}")
        for n in range(2, len(customers) + 2)
    ]  # fmt: skip
    for cls, instances in (
        (Customer, customers),
        (Address, addresses),
        (Problem, problems),
    ):
        build = positional(cls)
        names = [field.name for field in attrs.fields(cls)]
        args = [tuple(getattr(x, n) for n in names) for x in instances]
        kwargs = [dict(zip(names, a, strict=True)) for a in args]
        found.append(
            (
                f"positional builder vs {cls.__name__}(**keywords)",
                len(instances),
                lambda build=build, args=args: [build(*a) for a in args],
                lambda cls=cls, kwargs=kwargs: [cls(**k) for k in kwargs],
            )
        )
    # (e) the conversions generated from the table vs a loop over it
    found.append(
        (
            "values_of (generated) vs a loop over CUSTOMER_FIELDS",
            len(customers),
            lambda: list(map(values_of, customers)),
            lambda: list(map(loop_values_of, customers)),
        )
    )
    found.append(
        (
            "customer_from_values (generated) vs a loop over CUSTOMER_FIELDS",
            len(values),
            lambda: list(map(customer_from_values, values)),
            lambda: list(map(loop_customer_from_values, values)),
        )
    )
    # (f) an unchanged customer: one tuple comparison vs field by field
    diff = Diff(frozenset(TEMPLATE_COLUMNS), NO_EXTRAS)
    found.append(
        (
            "Diff of an unchanged customer vs field by field",
            len(customers),
            lambda: list(map(diff, customers, values)),
            lambda: list(map(field_by_field, customers, values)),
        )
    )
    # (g) references spelled as the store spells them: no case-insensitive look-up
    found.append(
        (
            "references: one spelled-as-stored test per row vs a look-up per value",
            len(values),
            lambda: respelled(values, spelled_first=True),
            lambda: respelled(values, spelled_first=False),
        )
    )
    # (h) each distinct name's forms worked out once per plan
    names = [v[at("name")] for v in values]

    def once() -> list[tuple[str, str]]:
        forms = NameForms()
        return [(forms.fold(n), forms.key(n)) for n in names]

    found.append(
        (
            "NameForms vs fold_name and name_key per name",
            len(names),
            once,
            lambda: [(fold_name(n), name_key(n)) for n in names],
        )
    )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Micro-benchmarks of the fast paths.")
    parser.add_argument("--rows", type=int, help="default 20,000; --quick: 2,000")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each side")
    parser.add_argument("--quick", action="store_true", help="smoke run")
    args = parser.parse_args(argv)
    rows = args.rows if args.rows is not None else 2_000 if args.quick else 20_000
    if rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be positive")
    print(f"Python {sys.version.split()[0]}; {rows:,} rows; best of {args.repeat}")
    headers = ["fast path vs the plain way", "items", "plain µs", "fast µs", "gain"]
    lines = [compare(*case, args.repeat) for case in cases(rows)]
    print(table(headers, lines, left=(0,)))
    print("(µs: per item, best run; gain: the plain way's time / the fast path's)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
