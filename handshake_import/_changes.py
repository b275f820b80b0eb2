"""How a row changes a stored customer: the changes of an `UpdateCustomer`.

Only the columns the file has are compared: an absent column leaves its
field alone, a blank cell clears it. Emails compare as a set, ignoring
case; a blank id never clears an id, and internal_id never changes. A
`Diff` is made once per file (its columns) and called once per matched
row; it compares the row's values with the stored customer's values of the
same columns (`_template.values_of`), in one comparison when nothing
changed, which is the common case of a re-upload.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from ._records import Customer
from ._template import (
    CUSTOMER_FIELDS,
    Extras,
    FieldValue,
    Values,
    at,
    emails_of,
    values_of,
)

__all__ = ["Changes", "Diff", "same_value"]

#: Field -> (old, new), ``None`` for blank.
Changes = dict[str, tuple[FieldValue, FieldValue]]

_ID = at("id")
_EMAIL = at("email")


def same_value(field: str, old: FieldValue, new: FieldValue) -> bool:
    """Whether a field's values are the same (emails compare as a set,
    ignoring case)."""
    if field == "email" and isinstance(old, tuple) and isinstance(new, tuple):
        return _same_addresses(old, new)
    return old == new


def _same_addresses(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    # lower(), not casefold(): only a difference of case makes two addresses
    # the same, and casefold() makes "straße" and "STRASSE" one.
    return {e.lower() for e in old} == {e.lower() for e in new}


def _email_change(
    before: str | None, after: str | None
) -> tuple[FieldValue, FieldValue] | None:
    """The change between two ``email`` values, unless they hold the same
    addresses."""
    old, new = emails_of(before), emails_of(after)
    if _same_addresses(old, new):
        return None
    return (old or None, new or None)


def _picker(places: Sequence[int]) -> Callable[[Values], tuple[Any, ...]]:
    if len(places) == 1:
        (place,) = places
        return lambda values: (values[place],)
    return operator.itemgetter(*places)


class Diff:
    """The changes between stored customers and the rows of one file.

    *present* is the file's fields (template columns and the extra columns'
    names); *extras* says where its extra columns are, under the names
    their changes take (a manufacturer as the store spells it).
    """

    def __init__(self, present: frozenset[str], extras: Extras) -> None:
        # Template columns in template order, then manufacturers and custom
        # columns each sorted by name: a plan's changes keep one order.
        compared = [
            (place, field.column)
            for place, field in enumerate(CUSTOMER_FIELDS)
            if field.column in present and field.column != "internal_id"
        ]
        compared += sorted(
            ((e.place, e.column) for e in extras.columns if e.manufacturer),
            key=operator.itemgetter(1),
        )
        compared += sorted(
            ((e.place, e.column) for e in extras.columns if not e.manufacturer),
            key=operator.itemgetter(1),
        )
        self._extras = extras
        self._places = [place for place, _ in compared]
        self._columns = [column for _, column in compared]
        self._pick = _picker(self._places) if compared else (lambda values: ())

    def __call__(self, stored: Customer, values: Values) -> Changes:
        """The changes *values* make to *stored*."""
        old_values = values_of(stored)
        if self._extras.columns:
            old_values += self._extras.stored(stored)
        old, new = self._pick(old_values), self._pick(values)
        changes: Changes = {}
        if old == new:
            return changes
        places, columns = self._places, self._columns
        # Only the values that differ, found in C.
        for index in itertools.compress(itertools.count(), map(operator.ne, old, new)):
            place, column, before, after = (
                places[index],
                columns[index],
                old[index],
                new[index],
            )
            if place == _ID and after is None:
                continue  # a blank id never clears an id
            if place == _EMAIL:
                change = _email_change(before, after)
                if change is not None:
                    changes[column] = change
                continue
            changes[column] = (before, after)
        return changes
