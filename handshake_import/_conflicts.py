"""Planning, stage 1: conflicts inside the file, before the store is asked.

A customer may appear only once in a file: the same id or internal id on
two rows is an error on each of them. A blank-id row is matched by its name,
so sharing that name with another row of the file (even one with an id)
makes it ambiguous, now or on the next upload: the blank-id rows of such a
name are errors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from ._lookups import Keys
from ._names import NameForms
from ._parse import ParsedRow
from ._placement import Placement, rows_text
from ._problems import Problem, quote
from ._template import at

__all__ = ["in_file_conflicts"]

_ID = at("id")
_INTERNAL_ID = at("internal_id")
_NAME = at("name")
_WHAT = {"internal_id": "internal id", "id": "id", "name": "name"}


def in_file_conflicts(
    rows: Iterable[ParsedRow], keys: Keys, names: NameForms, placement: Placement
) -> list[Problem]:
    """An error on each row that shares a key with another row."""
    problems: list[Problem] = []
    # Most files repeat no key, and then there is nothing to group.
    if keys.repeated:
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for number, values in rows:
            if values[_INTERNAL_ID]:
                groups[("internal_id", values[_INTERNAL_ID])].append(number)
            if values[_ID]:
                groups[("id", values[_ID])].append(number)
        for (what, value), numbers in groups.items():
            if len(numbers) > 1:
                problems += _duplicates(placement, numbers, numbers, what, value)
    if keys.blank_ids:
        by_name: dict[str, list[ParsedRow]] = defaultdict(list)
        for row in rows:
            by_name[names.fold(row[1][_NAME])].append(row)
        for group in by_name.values():
            if len(group) < 2:
                continue
            blank_ids = [
                number
                for number, values in group
                if not values[_ID] and not values[_INTERNAL_ID]
            ]
            if blank_ids:
                involved = [number for number, _ in group]
                name = group[0][1][_NAME]
                problems += _duplicates(placement, blank_ids, involved, "name", name)
    return problems


def _duplicates(
    placement: Placement,
    faulty: Sequence[int],
    involved: Sequence[int],
    what: str,
    value: str,
) -> list[Problem]:
    listed = rows_text(involved)
    return [
        placement.problem(
            "duplicate-in-file",
            row,
            what,
            what=_WHAT[what],
            value=quote(value),
            rows=listed,
            noun="customer",
        )
        for row in faulty
    ]
