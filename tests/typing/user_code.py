"""Realistic user code, type-checked by mypy --strict as part of the suite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from handshake_import import (
    CustomColumn,
    CustomerRow,
    ImportFileError,
    LimitExceededError,
    Limits,
    Problem,
    Schema,
    iter_customers,
    read_customers,
)


def preview(data: bytes) -> tuple[list[str], list[str]]:
    try:
        result = read_customers(
            data,
            columns={"Customer Name": "name"},
            schema=Schema([CustomColumn(name="since", type="date", dayfirst=True)]),
            limits=Limits(max_rows=10_000),
        )
    except LimitExceededError as error:
        return [], [f"too big ({error.limit})"]
    except ImportFileError as error:
        return [], [str(error)]
    names = [row.customer.name for row in result.rows]
    since = [row.customer.custom.get("since") for row in result.rows]
    assert all(value is None or isinstance(value, dt.date) for value in since)
    messages = [f"{p.cell}: {p.message}" for p in result.problems if p.is_error]
    return names, messages


def count_valid(path: str) -> int:
    valid = 0
    for item in iter_customers(path):
        if isinstance(item, CustomerRow):
            valid += 1
            emails: tuple[str, ...] = item.customer.emails
            del emails
        else:
            problem: Problem = item
            del problem
    return valid


def credit(row: CustomerRow) -> Decimal | None:
    value = row.customer.custom.get("credit")
    return value if isinstance(value, Decimal) else None
