"""Planning, stage 5: what needs the whole file planned, and the `Plan`.

- Blank ids are generated, in file order: ``HS-<n>`` past the highest *n*
  the store and the file use; past the last one (18 digits) a row gets
  ``no-generated-id`` and nothing else.
- Unknown option values are warned about once per value, at the first row
  naming it that keeps its action, with the count of such rows.
- A row with an error has no action (an action planned before its row got
  its error, such as ``no-generated-id``, is dropped).
- The mass-change guard: a warning when the plan changes one field for more
  than ``mass_change_share`` of the store's customers, and at least
  ``mass_change_minimum`` of them.
- Problems in file order: the file's as a whole first, then by row (the
  header's are its row), each row's in the order they were found; the
  plan's own warnings (no row) last. Past ``max_errors`` errors, the plan
  stops at the row of the first error too many and says so.
- The user groups to create come first, those the kept actions use.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import attrs

from ._actions import Planned, Settings
from ._lookups import StoreAnswers
from ._placement import Placement
from ._plan import Action, CreateCustomer, CreateUserGroup, Plan, UpdateCustomer
from ._problems import Problem, make_problem, quote
from ._references import References
from ._store import GENERATED_LIMIT, generated_number
from ._template import TemplateName

__all__ = ["finish", "number_generated_ids"]


def number_generated_ids(
    planned: Planned,
    answers: StoreAnswers,
    generated_like: Iterable[str],
    placement: Placement,
) -> tuple[list[Action], list[Problem]]:
    """The actions with each waiting create given its ``HS-<n>`` id, and a
    ``no-generated-id`` error for each create past the last one."""
    actions = list(planned.actions)
    problems: list[Problem] = []
    numbers = [generated_number(id_) for id_ in generated_like]
    next_number = 1 + max(
        answers.highest_generated_id,
        max((number for number in numbers if number is not None), default=0),
    )
    for index in planned.to_number:
        action = actions[index]
        assert isinstance(action, CreateCustomer)
        if next_number >= GENERATED_LIMIT:
            problems.append(
                placement.problem(
                    "no-generated-id", action.row, "id", last=GENERATED_LIMIT - 1
                )
            )
            continue
        actions[index] = attrs.evolve(
            action, customer=attrs.evolve(action.customer, id=f"HS-{next_number}")
        )
        next_number += 1
    return actions, problems


def finish(
    actions: Sequence[Action],
    *,
    read_problems: Sequence[Problem],
    problems: Sequence[Problem],
    header_problems: Sequence[Problem],
    references: References,
    answers: StoreAnswers,
    settings: Settings,
    placement: Placement,
) -> Plan:
    """The plan of *actions*, with every problem in file order."""
    found = list(problems)
    # A row with no-generated-id has that error alone.
    alone = {p.row for p in found if p.code == "no-generated-id"}
    if alone:
        found = [p for p in found if p.row not in alone or p.code == "no-generated-id"]
    bad = {p.row for p in found if p.is_error}
    found += _unknown_options(references.unknown_options, bad, placement)
    kept = [a for a in actions if _row_of(a) not in bad] if bad else list(actions)
    changed = Counter(
        itertools.chain.from_iterable(
            a.changes for a in kept if isinstance(a, UpdateCustomer)
        )
    )
    plan_problems = [*header_problems, *_mass_changes(changed, answers, settings)]
    ordered = sorted(
        [(p.row if p.row is not None else 0, p) for p in read_problems]
        + [(p.row or 0, p) for p in found]
        + [(p.row, p) for p in plan_problems if p.row is not None],
        key=operator.itemgetter(0),
    )
    in_order = [p for _, p in ordered] + [p for p in plan_problems if p.row is None]
    plan = _stop_at_max_errors(kept, in_order, settings.max_errors)
    groups = _user_groups_used(plan.actions, references.new_user_groups)
    if not groups:
        return plan
    return attrs.evolve(plan, actions=(*groups, *plan.actions))


def _row_of(action: Action) -> int | None:
    return None if isinstance(action, CreateUserGroup) else action.row


def _unknown_options(
    unknown: Mapping[tuple[str, str], Sequence[tuple[int, str]]],
    bad: set[int | None],
    placement: Placement,
) -> list[Problem]:
    problems = []
    for (key, _), rows in unknown.items():
        live = [row for row in rows if row[0] not in bad]
        if live:
            row, spelled = live[0]
            problems.append(
                placement.problem(
                    "unknown-option",
                    row,
                    key,
                    value=quote(spelled),
                    key=key,
                    count=f"{len(live)} row" if len(live) == 1 else f"{len(live)} rows",
                )
            )
    return problems


def _mass_changes(
    changed: Mapping[str, int], answers: StoreAnswers, settings: Settings
) -> list[Problem]:
    total = answers.customer_count
    return [
        make_problem(
            "mass-change",
            field=quote(field),
            count=count,
            total=total,
            share=f"{count / total:.0%}" if total else "all",
        )
        for field, count in sorted(changed.items())
        if count >= settings.mass_change_minimum
        and count > settings.mass_change_share * total
    ]


def _stop_at_max_errors(
    actions: Sequence[Action], problems: list[Problem], limit: int | None
) -> Plan:
    errors = [p for p in problems if p.is_error]
    if limit is None or len(errors) <= limit:
        return Plan(actions=tuple(actions), problems=tuple(problems))
    # Stop at the first error past the limit: keep what came before its row.
    stop_row = errors[limit].row or 0
    kept_errors = set(errors[:limit])
    kept = [
        p
        for p in problems
        if (p.row or 0) < stop_row or (p.is_error and p in kept_errors)
    ]
    kept.append(make_problem("stopped-early", count=limit, row_limit=stop_row))
    kept_actions = tuple(
        action
        for action in actions
        if (row := _row_of(action)) is None or row < stop_row
    )
    return Plan(actions=kept_actions, problems=tuple(kept), stopped_early=True)


def _user_groups_used(
    actions: Iterable[Action], new_groups: Iterable[str]
) -> list[CreateUserGroup]:
    """The new user groups that the plan's actions use, in first-seen order."""
    used: set[str] = set()
    for action in actions:
        if isinstance(action, CreateCustomer) and action.customer.user_group:
            used.add(action.customer.user_group)
        elif isinstance(action, UpdateCustomer) and "userGroup" in action.changes:
            used.add(str(action.changes["userGroup"][1]))
    return [CreateUserGroup(name=name) for name in new_groups if name in used]


def finish_list(
    template: TemplateName,
    actions: Sequence[Action],
    read_problems: Sequence[Problem],
    problems: Sequence[Problem],
    settings: Settings,
) -> Plan:
    """The plan of a list template (options, customer groups): problems in
    file order, the plan's own last; ``max_errors``; no action for a row
    with an error."""
    bad = {p.row for p in problems if p.is_error}
    kept = [a for a in actions if _row_of(a) not in bad] if bad else list(actions)
    with_rows = sorted(
        [*read_problems, *(p for p in problems if p.row is not None)],
        key=lambda p: p.row or 0,
    )
    in_order = with_rows + [p for p in problems if p.row is None]
    plan = _stop_at_max_errors(kept, in_order, settings.max_errors)
    return attrs.evolve(plan, templates=(template,))
