"""`Problem`, and the catalogue of every problem code.

Codes are public API: they are never renamed. Each code has one severity and
one message template; the code that finds a problem supplies the details and
the loop that knows the position supplies row, column, cell and sheet.
docs/problems.md lists every code, and a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from ._build import positional
from ._records import Customer
from ._template import FieldValue

__all__ = [
    "CATALOGUE",
    "Problem",
    "Severity",
    "customer_key",
    "describe_customer",
    "make_problem",
    "new_problem",
    "quote",
    "show_value",
]

Severity = Literal["error", "warning"]


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong (error) or worth a look (warning) in the file.

    Attributes:
        severity: ``"error"`` (the row or file cannot be imported as is) or
            ``"warning"`` (it can, but the user should look).
        code: stable kebab-case identifier, see docs/problems.md.
        message: a sentence a non-programmer understands.
        row: the row number the user sees in their spreadsheet (header = 1,
            or the real row when blank rows precede it); ``None`` for the
            whole file.
        column: the column header as written in the file, if one is at fault.
        cell: the spreadsheet cell reference, like ``"C7"``.
        sheet: the worksheet name (``None`` for CSV/TSV files).
    """

    severity: Severity
    code: str
    message: str
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    sheet: str | None = None

    @property
    def is_error(self) -> bool:
        """True when `severity` is ``"error"``."""
        return self.severity == "error"


#: ``Problem(severity=..., code=..., ...)`` from its fields in order, for
#: the loops that place a problem on many rows (see `_build`).
new_problem = positional(Problem)


@attrs.frozen
class _Entry:
    severity: Severity
    template: str
    example: str


#: code -> (severity, message template, example of the situation).
CATALOGUE: dict[str, _Entry] = {
    # -- file-level notices --------------------------------------------------
    "encoding-assumed": _Entry(
        "warning",
        "The file is not UTF-8; it was read as {encoding}. Check that accented "
        "letters look right, or save the file as 'CSV UTF-8'.",
        "A CSV saved by an old Excel on Windows with 'Café' in it.",
    ),
    # -- header problems -----------------------------------------------------
    "no-header": _Entry(
        "error",
        "The file has no header row: it holds no text at all. Export the customers "
        "again with the template's header row (id, name, email, ...).",
        "A CSV file made of blank lines only.",
    ),
    "missing-required-column": _Entry(
        "error",
        "The file has no {field} column, which is required. The header row "
        "(row {header_row}) reads: {found}.",
        "A file whose header row has no 'name' column.",
    ),
    "duplicate-column": _Entry(
        "error",
        "Columns {first} and {second} both give the {field} field; keep only one "
        "of them.",
        "Both 'Name' and 'Customer Name' when 'Customer Name' is an alias of name.",
    ),
    "unknown-column": _Entry(
        "warning",
        "Column {header} is not part of the template and is ignored.{suggestion}",
        "A column headed 'Emial' (did you mean 'email'?).",
    ),
    "blank-header": _Entry(
        "warning",
        "Column {letter} has no header; its cells are ignored.",
        "An empty header cell between two named columns.",
    ),
    # -- reading rows ----------------------------------------------------------
    "too-many-cells": _Entry(
        "error",
        "This row has {count} cells but the header has {width} columns; the "
        "extra value {value} in column {letter} has no header. Check for an "
        "unquoted separator in the row.",
        "'Smith, John' written without quotes in a comma-separated file.",
    ),
    "unclosed-quote": _Entry(
        "error",
        "A quote opens in this row and does not close {where}, so the row "
        "could not be read. Close the quote or remove it.",
        'A cell starting with "Big Box while the closing quote is missing.',
    ),
    "malformed-quotes": _Entry(
        "error",
        "This row's quotes are malformed ({detail}); the row was not read. "
        'Write a quote inside a quoted cell as two quotes ("").',
        'A cell written as "Acme" Inc, text after the closing quote.',
    ),
    "cell-too-long": _Entry(
        "error",
        "This cell holds {length} characters; at most {limit} are allowed.",
        "A notes field pasted into the street column.",
    ),
    # -- cell values -----------------------------------------------------------
    "excel-error": _Entry(
        "error",
        "This cell holds the spreadsheet error {value} instead of a value; fix the "
        "formula or type the value in.",
        "#N/A left by a VLOOKUP that found nothing.",
    ),
    "nul-in-cell": _Entry(
        "error",
        "This cell holds a NUL character (a zero byte) in {value}; no one types "
        "one, so the file is damaged or was saved in another encoding than it "
        "says. Remove the character, or export the file again.",
        "A CSV with a zero byte inside an id, from a damaged export.",
    ),
    "unreadable-number-format": _Entry(
        "error",
        "This cell holds the number {value}, which its number format {format} "
        "shows with leading zeros in a way that cannot be read exactly. Format "
        "the column as Text and type the values as they should read.",
        "A postcode under Excel's 'Zip Code + 4' format, [<=99999]00000;00000-0000.",
    ),
    "missing-value": _Entry(
        "error",
        "The {field} is blank; every {noun} needs one.",
        "A row with an empty name cell.",
    ),
    "invalid-email": _Entry(
        "error",
        "{value} is not a valid email address{reason}.",
        "orders@@example.com",
    ),
    "mangled-id": _Entry(
        "error",
        "The id {value} is a number Excel rounded, wrote in scientific notation "
        "or could not compute; the real id is lost. Format the column as Text "
        "in the source and export again.",
        "1.23457E+11 in the id column.",
    ),
    "invalid-integer": _Entry(
        "error",
        "{value} is not a whole number{reason}.",
        "'12.5' or 'ten' in an integer custom column.",
    ),
    "invalid-decimal": _Entry(
        "error",
        "{value} is not a number.",
        "'12,5,0' in a decimal custom column.",
    ),
    "invalid-boolean": _Entry(
        "error",
        "{value} is not a yes/no value (use TRUE/FALSE, yes/no, y/n or 1/0).",
        "'maybe' in a boolean custom column.",
    ),
    "invalid-date": _Entry(
        "error",
        "{value} is not a date{reason}.",
        "'31/02/2024' in a date custom column.",
    ),
    "invalid-currency": _Entry(
        "error",
        "{value} is not a currency code; use its three letters, like USD, EUR or AUD.",
        "'US$' or 'Euro' in the currency column of the customer groups template.",
    ),
    "unknown-option-key": _Entry(
        "error",
        "{value} is not an option list; the options template has the keys {keys}.",
        "'terms' in the key column of the options template.",
    ),
    "invalid-choice": _Entry(
        "error",
        "{value} is not one of the allowed values: {choices}.",
        "'platinum' in a choice column allowing gold, silver.",
    ),
    # -- reconciliation -------------------------------------------------------
    "unknown-internal-id": _Entry(
        "error",
        "No customer has the internal id {value}. Leave internal_id blank for new "
        "customers; it is assigned by the system.",
        "An internal_id typed by hand or copied from another system.",
    ),
    "internal-id-mismatch": _Entry(
        "warning",
        "Internal id {value} is customer {customer}, but this row has neither "
        "that name nor that id: the update renames it to {name}. If the "
        "internal id is wrong, correct it, or leave it blank.",
        "An internal_id copied from the next row, or one that only became a "
        "customer's after a partial import.",
    ),
    "id-taken": _Entry(
        "error",
        "This row would change the customer's id to {value}, but customer "
        "{other} already has that id.",
        "Two customers' ids swapped in the CRM.",
    ),
    "no-generated-id": _Entry(
        "error",
        "The id is blank, and no id can be generated for this customer: "
        "generated ids end at HS-{last}, and the ids in use reach it. Fill in "
        "an id.",
        "A file or store holding HS-999999999999999999.",
    ),
    "ambiguous-name": _Entry(
        "error",
        "The id is blank and {count} customers are named {value} ({ids}); "
        "fill in the id of the one you mean{or_internal_id}.",
        "Two branches both called 'Corner Store'.",
    ),
    "duplicate-in-file": _Entry(
        "error",
        "The {what} {value} is in rows {rows}; a {noun} may appear only once "
        "in the file.",
        "The same id on two rows after a copy-paste.",
    ),
    "same-customer-twice": _Entry(
        "error",
        "Rows {rows} all resolve to the same customer ({customer}); keep one.",
        "One row with the id, another with the name of the same customer.",
    ),
    "already-exists": _Entry(
        "error",
        "{what} already exists and the import only creates {nouns} (mode create-only).",
        "Re-uploading a file of new customers.",
    ),
    "not-found": _Entry(
        "error",
        "No existing {noun} matches this row and the import only updates "
        "{noun}s (mode update-only).",
        "A new customer in a price-update file.",
    ),
    "several-defaults": _Entry(
        "error",
        "Rows {rows} are all the default of {which}; a list has one default: "
        "set isDefault to 1 on one row only.",
        "Two payment terms marked isDefault 1.",
    ),
    "no-default": _Entry(
        "error",
        "{which} would have no default (rows {rows}); set isDefault to 1 on one row.",
        "An options file where every shippingMethod row has isDefault 0.",
    ),
    "kept-not-in-file": _Entry(
        "warning",
        "The file does not list {values} ({which}): kept, after the file's "
        "values. An upload never removes anything.",
        "An options file without 'Net 90', which the store has.",
    ),
    "sheet-not-imported": _Entry(
        "warning",
        "The sheet {sheet} is not imported: {reason}",
        "A workbook with an 'Instructions' sheet beside the template's sheets.",
    ),
    "missing-customer": _Entry(
        "error",
        "The row names no customer; fill in its cust_id (or its cust_name).",
        "A ship-to row whose cust_id and cust_name cells are both blank.",
    ),
    "unknown-customer": _Entry(
        "error",
        "There is no customer with the {what} {value}; a ship-to address "
        "belongs to an existing customer (or one the same workbook creates).",
        "A ship-to row whose cust_id has a typo.",
    ),
    "ambiguous-customer": _Entry(
        "error",
        "{count} customers are named {value} ({customers}); put the id of the "
        "one you mean in the cust_id column.",
        "Two branches both called 'Corner Store'.",
    ),
    "ambiguous-ship-id": _Entry(
        "error",
        "Customer {customer} has {count} ship-to addresses with the ship_id "
        "{value}; give them different ids in your system first.",
        "A store that holds two addresses of one customer with one ship_id.",
    ),
    "similar-address": _Entry(
        "warning",
        "This row adds a ship-to address to {customer} that resembles its "
        "address {other}. Without a ship_id, an address that changed is a new "
        "one: if it is that address, give both its ship_id.",
        "A ship-to address re-uploaded with a corrected postcode and no ship_id.",
    ),
    "unknown-customer-group": _Entry(
        "error",
        "There is no customer group {value}; create it first or fix the id.",
        "A customer group id with a typo.",
    ),
    "unknown-manufacturer": _Entry(
        "error",
        "Column {header} is for manufacturer {value}, which does not exist; "
        "add the manufacturer first or fix the header. The column is ignored.",
        "id:Acme Tool when the manufacturer is 'Acme Tools'.",
    ),
    "unknown-option": _Entry(
        "warning",
        "{value} is not (yet) one of the {key} options; it is kept and will match "
        "once the option exists ({count}).",
        "'Net 45' when the options list has Net 30 and Net 60.",
    ),
    "option-not-found": _Entry(
        "error",
        "{value} is not one of the {key} options; add it to the list first, or "
        "use one of its values.",
        "'Net 45' when the options list has Net 30 and Net 60, and the app "
        "refuses unknown options (strict_options=True).",
    ),
    "unknown-user-group": _Entry(
        "error",
        "There is no user group {value}; create it first or fix the name.",
        "A user group with a typo, when the app does not create user groups "
        "(create_user_groups=False).",
    ),
    "possible-duplicate": _Entry(
        "warning",
        "This row creates a new customer {value}, but existing customer {other} "
        "has a very similar name. If it is the same customer, put its {key} in "
        "the {key_column} column.",
        "A customer renamed from 'Acme Inc' to 'ACME' with a blank id.",
    ),
    "mass-change": _Entry(
        "warning",
        "This import changes {field} for {count} of the {total} customers in the "
        "store ({share}). Check that the columns are not shifted and that the "
        "right sheet was read.",
        "Every bill_city replaced by the postcode after a column shift.",
    ),
    "stopped-early": _Entry(
        "warning",
        "Stopped after {count} errors (max_errors): rows from row {row_limit} on "
        "were not reconciled, and the plan has no actions for them.",
        "A file of the wrong kind with an error in every row.",
    ),
}


def make_problem(
    code: str,
    *,
    row: int | None = None,
    column: str | None = None,
    cell: str | None = None,
    sheet: str | None = None,
    details: Mapping[str, object] | None = None,
    **more_details: object,
) -> Problem:
    """Build the `Problem` for *code*, its message filled from the details."""
    entry = CATALOGUE[code]
    return new_problem(
        entry.severity,
        code,
        entry.template.format(**(details or {}), **more_details),
        row,
        column,
        cell,
        sheet,
    )


_MAX_QUOTED = 80


def _escape_unprintable(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quote(value: str, limit: int = _MAX_QUOTED) -> str:
    """Quote a user's value for a message: escaped, and shortened past *limit*.

    Control and format characters (terminal escapes, bidi overrides, NULs) are
    shown as ``\\x1b``-style escapes, so a message can be printed safely.
    """
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    if not value.isprintable():
        value = "".join(map(_escape_unprintable, value))
    return "'" + value.replace("'", "\\'") + "'"


def show_value(value: FieldValue, blank: str) -> str:
    """*value* as a message shows it: quoted (emails joined), or *blank*."""
    if value is None:
        return blank
    if isinstance(value, tuple):
        return quote(", ".join(value))
    return quote(str(value))


def customer_key(customer: Customer) -> str:
    """How a row can name a stored customer, for a message: ``id 'C1'``.

    Customers made in the system itself may have no id; a row can then name
    one only by its internal id, so the message gives that instead.
    """
    if customer.id:
        return f"id {quote(customer.id)}"
    if customer.internal_id:
        return f"internal id {quote(customer.internal_id)}"
    return "no id"


def describe_customer(customer: Customer) -> str:
    """A stored customer for a message: ``'Acme Tools' (id 'C1')``."""
    return f"{quote(customer.name)} ({customer_key(customer)})"
