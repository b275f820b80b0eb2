"""Write examples/customers-changed.csv: the example customers, edited.

Run ``python examples/make_changed.py`` after ``make_examples.py``. The
changed file is what a user uploads after the first import, so that a plan
against the database shows every kind of outcome:

* row 2, C00017: the customer's name changes (matched by id) -> an update;
* row 3, 10045: a new email address -> an update of ``email``;
* row 5: the blank-id customer "Greenway Garden Centre" renamed to
  "GREENWAY GARDEN CENTRE LTD" -> a new customer, with a ``possible-duplicate``
  warning (the documented trap of renaming without an id);
* row 9, C00064: an invalid email -> an ``invalid-email`` error;
* last row: a new customer, Northwind Traders (C00999) -> a create;
* every other valid row -> unchanged. The deliberately wrong rows of the
  first file are left out.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "customers.csv"
TARGET = HERE / "customers-changed.csv"

# The rows of customers.csv that are wrong on purpose (see examples/README.md).
WRONG_IDS = {"C00063", "C00097", "C00126", "1.23457E+11"}

EDITS: dict[str, dict[str, str]] = {
    "C00017": {"name": "Harbor Hardware & Marine Supply"},
    "10045": {
        "email": "commandes@cafelumiere.example, compta@cafelumiere.example, "
        "achats@cafelumiere.example"
    },
    "C00064": {"email": "orders@maplebirch"},
}
RENAMES_WITHOUT_ID = {"Greenway Garden Centre": "GREENWAY GARDEN CENTRE LTD"}
NEW_CUSTOMER = {
    "id": "C00999",
    "name": "Northwind Traders",
    "contact": "Ana Trujillo",
    "email": "orders@northwind.example",
    "bill_street": "12 Harbour Road",
    "bill_city": "Portland",
    "bill_state": "ME",
    "bill_postcode": "04101",
    "bill_country": "United States",
    "paymentTerms": "Net 30",
    "shippingMethod": "UPS Ground",
    "customerGroup": "wholesale",
    "userGroup": "East Coast Reps",
}


def main() -> None:
    """Read customers.csv, apply the edits, write customers-changed.csv."""
    with SOURCE.open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        header = list(reader.fieldnames or [])
        rows = [row for row in reader if row["id"] not in WRONG_IDS]
    for row in rows:
        row.update(EDITS.get(row["id"], {}))
        if not row["id"] and row["name"] in RENAMES_WITHOUT_ID:
            row["name"] = RENAMES_WITHOUT_ID[row["name"]]
    rows.append({column: NEW_CUSTOMER.get(column, "") for column in header})
    with TARGET.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
