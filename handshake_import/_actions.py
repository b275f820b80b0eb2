"""Planning, stage 4: an action for each row without errors.

A row without a stored customer creates one (an error in ``update-only``
mode); its id, when blank, is generated at the end (`_finish`), and a
stored customer with a very similar name is warned about. A row with a
stored customer updates the fields that differ (`_changes.Diff`), or is
unchanged (an error in ``create-only`` mode). An update that renames a
customer its internal id alone ties the row to is warned about: that is the
usual sign of a wrong internal id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import attrs

from ._changes import Diff
from ._lookups import StoreAnswers
from ._matching import Matches
from ._names import NameForms
from ._parse import ParsedRow
from ._placement import Placement
from ._plan import Action, new_create, new_unchanged, new_update
from ._problems import Problem, describe_customer, make_problem, new_problem, quote
from ._records import Customer
from ._references import References
from ._settings import Mode, Settings
from ._template import Extras, Values, at, customer_of_row

__all__ = ["Mode", "Planned", "Settings", "plan_actions"]

_ID = at("id")
_NAME = at("name")


@attrs.frozen
class Planned:
    """The actions of the rows, in file order, and the places (in
    `actions`) of the creates whose id is to be generated."""

    actions: list[Action]
    to_number: list[int]


def plan_actions(
    rows: Iterable[ParsedRow],
    *,
    matches: Matches,
    references: References,
    answers: StoreAnswers,
    extras: Extras,
    present: frozenset[str],
    settings: Settings,
    names: NameForms,
    bad: Collection[int],
    placement: Placement,
) -> tuple[Planned, list[Problem]]:
    """An action for each row not in *bad* (rows with errors)."""
    create_only = settings.mode == "create-only"
    update_only = settings.mode == "update-only"
    stored_of, matched_by = matches.stored, matches.matched_by
    respelled = references.respelled
    sheet = placement.sheet
    diff = Diff(present, extras)
    warn_if_duplicate = _DuplicateWarnings(answers, names, placement)
    check_id = "id" in present
    actions: list[Action] = []
    to_number: list[int] = []
    problems: list[Problem] = []
    for number, values in rows:
        if bad and number in bad:
            continue
        if respelled:
            values = respelled.get(number, values)  # noqa: PLW2901
        stored = stored_of.get(number)
        if stored is None:
            if update_only:
                problems.append(
                    placement.problem("not-found", number, None, noun="customer")
                )
                continue
            generated = values[_ID] is None
            if generated:
                to_number.append(len(actions))
            warn_if_duplicate(number, values[_NAME], problems)
            actions.append(
                new_create(number, sheet, customer_of_row(values, extras), generated)
            )
            continue
        if create_only:
            problems.append(
                placement.problem(
                    "already-exists",
                    number,
                    None,
                    what=f"Customer {describe_customer(stored)}",
                    nouns="customers",
                )
            )
            continue
        how = matched_by[number]
        internal_id: str = stored.internal_id  # type: ignore[assignment]
        changes = diff(stored, values)
        if not changes:
            actions.append(new_unchanged(number, sheet, internal_id, how))
            continue
        if "name" in changes and how == "internal_id" and check_id:
            problem = _unrelated(stored, values, names, placement, number)
            if problem is not None:
                problems.append(problem)
        actions.append(new_update(number, sheet, internal_id, how, changes))
    return Planned(actions, to_number), problems


def _unrelated(
    stored: Customer, values: Values, names: NameForms, placement: Placement, row: int
) -> Problem | None:
    """The warning for a row, matched by internal id, whose update renames
    the stored customer when the internal id is all they share: the stored
    customer has an id, the file has an id column, and the row's id is blank
    or another, as its name is.

    The usual cause is a wrong internal id, or one the store handed to a new
    customer after an earlier partial import left this row out. (A customer
    without an id can be named only by its internal id: no warning.)
    """
    if not stored.id or values[_ID] == stored.id:
        return None
    name = values[_NAME]
    if names.fold(name) == names.fold(stored.name):
        return None
    return placement.problem(
        "internal-id-mismatch",
        row,
        "internal_id",
        value=quote(stored.internal_id or ""),
        customer=describe_customer(stored),
        name=quote(name),
    )


class _DuplicateWarnings:
    """Warns at the rows that would create a customer named like a stored
    one (``possible-duplicate``).

    The warning's words depend on the name alone, and a file's new customers
    share names (a chain's branches): each name is worded once, and each row
    gets those words placed at its name cell.
    """

    def __init__(
        self, answers: StoreAnswers, names: NameForms, placement: Placement
    ) -> None:
        self._similar = answers.by_name_key
        self._key = names.key
        column = placement.columns.get("name")
        self._header = column.header if column else None
        self._letter = column.letter if column else None
        self._sheet = placement.sheet
        #: name -> its wording, not yet placed at a row (None: no similar
        #: stored customer)
        self._worded: dict[str, Problem | None] = {}

    def __call__(self, row: int, name: str, problems: list[Problem]) -> None:
        if name in self._worded:
            words = self._worded[name]
        else:
            words = self._worded[name] = self._word(name)
        if words is not None:
            problems.append(
                new_problem(
                    words.severity,
                    words.code,
                    words.message,
                    row,
                    self._header,
                    None if self._letter is None else f"{self._letter}{row}",
                    self._sheet,
                )
            )

    def _word(self, name: str) -> Problem | None:
        similar = self._similar.get(self._key(name), ())
        if not similar:
            return None
        other = similar[0]
        # A customer made in the system may have no id: a row names it by
        # its internal id then.
        by_id = bool(other.id) or not other.internal_id
        return make_problem(
            "possible-duplicate",
            value=quote(name),
            other=describe_customer(other),
            key="id" if by_id else "internal id",
            key_column="id" if by_id else "internal_id",
        )
