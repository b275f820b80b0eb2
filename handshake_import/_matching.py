"""Planning, stage 2: which stored customer each row is.

The template's rules, in this order (each match records how it was made):

- a filled ``internal_id`` is that customer; unknown, it is an error. A
  different ``id`` in the row renames the customer, unless another customer
  has that id (an error);
- a filled ``id`` is the customer with that id, else a new customer;
- a blank ``id`` is the one customer with exactly that name (folded case and
  spaces); none: a new customer; several: an error listing them, never a
  guess. Names are matched against the store as the file leaves it: a
  customer that another row renames no longer answers to its old name
  (otherwise the next upload of the same file would match differently),
  unless that row's rename is refused (the row has an error: see
  `_reconcile.plan_rows`).

Rows that reach one stored customer by different routes are each an error,
and get no match.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs

from ._lookups import StoreAnswers
from ._names import NameForms
from ._parse import ParsedRow
from ._placement import Placement, rows_text
from ._plan import MatchedBy
from ._problems import Problem, customer_key, describe_customer, quote
from ._records import Customer
from ._template import at

__all__ = ["Matches", "match"]

_ID = at("id")
_INTERNAL_ID = at("internal_id")
_NAME = at("name")


@attrs.frozen
class Matches:
    """The stored customer of each matched row, by row number, and how the
    row found it. Rows without a match create a customer."""

    stored: Mapping[int, Customer] = attrs.field(factory=dict)
    matched_by: Mapping[int, MatchedBy] = attrs.field(factory=dict)
    #: the rows that rename their customer, by its internal id
    renames: Mapping[str | None, int] = attrs.field(factory=dict)


def match(
    rows: Iterable[ParsedRow],
    answers: StoreAnswers,
    names: NameForms,
    bad: Collection[int],
    placement: Placement,
    *,
    refused: Collection[int] = (),
) -> tuple[Matches, list[Problem]]:
    """Match each row not in *bad* (rows with errors) to its stored customer.

    A customer renamed by a row in *refused* still answers to its name."""
    by_internal_id, by_id = answers.by_internal_id, answers.by_id
    fold = names.fold
    problems: list[Problem] = []
    stored_of: dict[int, Customer] = {}
    matched_by: dict[int, MatchedBy] = {}
    renames: dict[str | None, int] = {}
    by_name: list[ParsedRow] = []
    for row in rows:
        number, values = row
        if bad and number in bad:
            continue
        internal_id, id_ = values[_INTERNAL_ID], values[_ID]
        how: MatchedBy
        if internal_id:
            stored = by_internal_id.get(internal_id)
            if stored is None:
                problems.append(
                    placement.problem(
                        "unknown-internal-id",
                        number,
                        "internal_id",
                        value=quote(internal_id),
                    )
                )
                continue
            if id_ and id_ != stored.id:
                other = by_id.get(id_)
                if other is not None and other.internal_id != stored.internal_id:
                    problems.append(
                        placement.problem(
                            "id-taken",
                            number,
                            "id",
                            value=quote(id_),
                            other=describe_customer(other),
                        )
                    )
                    continue
            how = "internal_id"
        elif id_:
            stored = by_id.get(id_)
            if stored is None:
                continue
            how = "id"
        else:
            by_name.append(row)
            continue
        stored_of[number] = stored
        matched_by[number] = how
        if fold(values[_NAME]) != fold(stored.name):
            renames[stored.internal_id] = number
    # A rename by a row that reaches its customer twice does not happen.
    reached = Counter(stored.internal_id for stored in stored_of.values())
    renamed = {
        internal_id
        for internal_id, number in renames.items()
        if reached[internal_id] == 1 and number not in refused
    }
    for number, values in by_name:
        name = values[_NAME]
        folded = fold(name)
        candidates = [
            candidate
            for candidate in answers.by_name_key.get(names.key(name), ())
            if fold(candidate.name) == folded and candidate.internal_id not in renamed
        ]
        if len(candidates) == 1:
            stored_of[number] = candidates[0]
            matched_by[number] = "name"
        elif len(candidates) > 1:
            problems.append(
                placement.problem(
                    "ambiguous-name",
                    number,
                    "name",
                    count=len(candidates),
                    value=quote(name),
                    **_candidate_keys(candidates),
                )
            )
    problems += _reached_twice(stored_of, matched_by, placement)
    renames = {
        internal_id: number
        for internal_id, number in renames.items()
        if internal_id in renamed and number in stored_of
    }
    return Matches(stored_of, matched_by, renames), problems


def _reached_twice(
    stored_of: dict[int, Customer],
    matched_by: dict[int, MatchedBy],
    placement: Placement,
) -> list[Problem]:
    """An error on each row of each group of rows that reach one stored
    customer; those rows lose their match."""
    if len({c.internal_id for c in stored_of.values()}) == len(stored_of):
        return []
    groups: dict[str | None, list[int]] = defaultdict(list)
    for number, stored in stored_of.items():
        groups[stored.internal_id].append(number)
    problems = []
    for numbers in groups.values():
        if len(numbers) < 2:
            continue
        numbers.sort()
        listed = rows_text(numbers)
        customer = describe_customer(stored_of[numbers[0]])
        for number in numbers:
            problems.append(
                placement.problem(
                    "same-customer-twice", number, None, rows=listed, customer=customer
                )
            )
            del stored_of[number], matched_by[number]
    return problems


def _candidate_keys(candidates: Sequence[Customer]) -> dict[str, str]:
    """The ``ids`` and ``or_internal_id`` of an ``ambiguous-name`` message:
    a candidate without an id can be named only by its internal id."""
    if all(candidate.id for candidate in candidates):
        ids = "ids " + ", ".join(quote(candidate.id or "") for candidate in candidates)
        return {"ids": ids, "or_internal_id": ""}
    return {
        "ids": ", ".join(map(customer_key, candidates)),
        "or_internal_id": ", or its internal_id if it has no id",
    }
