"""Rows + the store's answers -> `Plan`: the planner, in pure stages.

Theory of operation. The driver (`_api.reconcile`) reads the file into its
rows' values (`_parse`), finds their keys (`_lookups.keys_of`), asks the
store about them (`_asking`), and hands everything to `plan_rows`, which
runs the template's rules as stages, each a function of plain values that
returns its result and its problems:

1. `_conflicts`: keys shared by rows of the file;
2. `_matching`: which stored customer each row is (internal id, then id,
   then name);
3. `_references`: customer groups, user groups, options, manufacturers;
4. `_actions`: create, update field by field (`_changes`), or unchanged;
5. `_finish`: generated ids, option warnings, the mass-change guard,
   problem order, ``max_errors``.

A row with an error in one stage takes no part in the next. No stage reads
a file or calls the store. One loop back: a row that renames its customer
takes the old name away from the rows matched by name (stage 2); when that
row ends with an error in a later stage, its rename is refused and stages
2 to 4 run again, so that no row is planned against a rename that will not
happen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._actions import Settings, plan_actions
from ._conflicts import in_file_conflicts
from ._finish import finish, number_generated_ids
from ._lookups import Keys, StoreAnswers
from ._matching import match
from ._names import NameForms
from ._parse import ParsedRow
from ._placement import Placement
from ._plan import Plan
from ._problems import Problem
from ._references import check_references, known_manufacturers
from ._result import Column
from ._template import Extras

__all__ = ["plan_rows"]


def plan_rows(
    rows: Iterable[ParsedRow],
    *,
    present: frozenset[str],
    extras: Extras,
    columns: Sequence[Column],
    header_row: int | None,
    sheet: str | None,
    read_problems: Sequence[Problem],
    keys: Keys,
    answers: StoreAnswers,
    names: NameForms,
    settings: Settings,
) -> Plan:
    """The plan of a file's *rows*, given the store's *answers* about their
    *keys*."""
    placement = Placement.of(columns, sheet)
    extras, header_problems = known_manufacturers(
        extras, columns, answers.manufacturers, header_row, sheet
    )
    conflicts = in_file_conflicts(rows, keys, names, placement)
    refused: set[int] = set()
    while True:
        problems = list(conflicts)
        bad = _error_rows(problems)
        matches, found = match(rows, answers, names, bad, placement, refused=refused)
        problems += found
        bad |= _error_rows(found)
        references, found = check_references(
            rows, answers, bad, placement, settings=settings
        )
        problems += found
        bad |= _error_rows(found)
        planned, found = plan_actions(
            rows,
            matches=matches,
            references=references,
            answers=answers,
            extras=extras,
            present=present,
            settings=settings,
            names=names,
            bad=bad,
            placement=placement,
        )
        problems += found
        failed = set(matches.renames.values()) & (bad | _error_rows(found))
        if not failed:
            break
        refused |= failed
    actions, found = number_generated_ids(
        planned, answers, keys.generated_like, placement
    )
    problems += found
    return finish(
        actions,
        read_problems=read_problems,
        problems=problems,
        header_problems=header_problems,
        references=references,
        answers=answers,
        settings=settings,
        placement=placement,
    )


def _error_rows(problems: Iterable[Problem]) -> set[int]:
    return {p.row for p in problems if p.is_error and p.row is not None}
