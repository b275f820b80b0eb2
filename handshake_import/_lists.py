"""Planning the options and customer groups templates: ordered lists with
one default. Pure: rows and what the store holds in, actions and problems
out.

The rules (from the templates' help pages):

- Options: a row is one value of the list its ``key`` names; the values of
  a list are in the order of the file; exactly one value of each list the
  file has is its default (``isDefault`` 1): none, or two, is an error on
  each row involved. A value is matched by its list and its value, ignoring
  case (a value spelled otherwise is the same option, respelled).
- Customer groups: a row is one group, matched by its ``id``; its ``name``
  and ``currency`` may change; the groups are in the order of the file;
  exactly one group is the default once the plan is applied (a new default
  in the file takes the default away from the group that had it).
- Either: the same value, or id, twice in the file is an error on each row.
  What the store holds and the file does not list is kept, never removed
  (an upload says what to add and change, not what to delete): after the
  file's values, in their order, with a warning naming them. A column the
  file lacks leaves its field alone, as in the customer template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._actions import Settings
from ._placement import Placement, rows_text
from ._plan import (
    Action,
    CreateCustomerGroup,
    CreateOption,
    UnchangedCustomerGroup,
    UnchangedOption,
    UpdateCustomerGroup,
    UpdateOption,
)
from ._problems import Problem, quote
from ._records import CustomerGroup, Option
from ._template import CUSTOMER_GROUPS, OPTIONS, Template, Values

__all__ = ["LISTS", "ListRules", "plan_list"]

#: (row number, values)
_Row = tuple[int, Values]


@attrs.frozen
class ListRules:
    """How one template's rows form lists, and its actions.

    Attributes:
        template: the template.
        list_column: the column naming a row's list (``None``: one list).
        identity_column: the column a row is matched by.
        ignore_case: whether the identity is matched ignoring case.
        default_in_file: whether each list the file has needs its default
            in the file (else: once the plan is applied).
        stored_values: a stored record as a row's values.
        create, update, unchanged: the actions.
    """

    template: Template
    list_column: str | None
    identity_column: str
    ignore_case: bool
    default_in_file: bool
    stored_values: Callable[[Any], Values]
    create: Callable[[int, str | None, Values, int], Action]
    update: Callable[[int | None, str | None, Values, dict[str, Any]], Action]
    unchanged: Callable[[int, str | None, Values], Action]

    def list_of(self, values: Values) -> str:
        return (
            ""
            if self.list_column is None
            else values[self.template.at(self.list_column)]
        )

    def identity(self, values: Values) -> str:
        value: str = values[self.template.at(self.identity_column)]
        return value.casefold() if self.ignore_case else value


def _option(values: Values) -> Option:
    key, value, is_default = values[:3]
    return Option(key=key, value=value, is_default=bool(is_default))


def _group(values: Values) -> CustomerGroup:
    id_, is_default, name, currency = values[:4]
    return CustomerGroup(
        id=id_, name=name, currency=currency, is_default=bool(is_default)
    )


OPTION_RULES = ListRules(
    template=OPTIONS,
    list_column="key",
    identity_column="value",
    ignore_case=True,
    default_in_file=True,
    stored_values=lambda option: (option.key, option.value, option.is_default),
    create=lambda row, sheet, values, position: CreateOption(
        row=row, sheet=sheet, option=_option(values), position=position
    ),
    update=lambda row, sheet, stored, changes: UpdateOption(
        row=row, sheet=sheet, key=stored[0], value=stored[1], changes=changes
    ),
    unchanged=lambda row, sheet, stored: UnchangedOption(
        row=row, sheet=sheet, key=stored[0], value=stored[1]
    ),
)

GROUP_RULES = ListRules(
    template=CUSTOMER_GROUPS,
    list_column=None,
    identity_column="id",
    ignore_case=False,
    default_in_file=False,
    stored_values=lambda group: (
        group.id,
        group.is_default,
        group.name,
        group.currency,
    ),
    create=lambda row, sheet, values, position: CreateCustomerGroup(
        row=row, sheet=sheet, group=_group(values), position=position
    ),
    update=lambda row, sheet, stored, changes: UpdateCustomerGroup(
        row=row, sheet=sheet, id=stored[0], changes=changes
    ),
    unchanged=lambda row, sheet, stored: UnchangedCustomerGroup(
        row=row, sheet=sheet, id=stored[0]
    ),
)

#: The rules of each list template, by its name.
LISTS: Mapping[str, ListRules] = {
    rules.template.name: rules for rules in (OPTION_RULES, GROUP_RULES)
}


def plan_list(
    rules: ListRules,
    rows: Iterable[_Row],
    *,
    present: frozenset[str],
    stored: Sequence[Any],
    settings: Settings,
    placement: Placement,
) -> tuple[list[Action], list[Problem]]:
    """The actions and problems of the rows of a list template."""
    rows = list(rows)
    problems = _in_file_conflicts(rules, rows, placement)
    if "isDefault" in present:
        bad = {p.row for p in problems if p.is_error}
        problems += _defaults(
            rules, [r for r in rows if r[0] not in bad], stored, placement
        )
    bad = {p.row for p in problems if p.is_error}
    actions, found = _actions(
        rules,
        [r for r in rows if r[0] not in bad],
        present=present,
        stored=stored,
        settings=settings,
        placement=placement,
    )
    return actions, problems + found


def _in_file_conflicts(
    rules: ListRules, rows: Sequence[_Row], placement: Placement
) -> list[Problem]:
    groups: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        groups[(rules.list_of(row[1]), rules.identity(row[1]))].append(row)
    problems = []
    for group in groups.values():
        if len(group) > 1:
            listed = rows_text([number for number, _ in group])
            value = group[0][1][rules.template.at(rules.identity_column)]
            for number, _ in group:
                problems.append(
                    placement.problem(
                        "duplicate-in-file",
                        number,
                        rules.identity_column,
                        what=rules.identity_column,
                        value=quote(value),
                        rows=listed,
                        noun=rules.template.noun,
                    )
                )
    return problems


def _defaults(
    rules: ListRules, rows: Sequence[_Row], stored: Sequence[Any], placement: Placement
) -> list[Problem]:
    """An error on each row involved when a list has no default, or two."""
    default_at = rules.template.at("isDefault")
    by_list: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_list[rules.list_of(row[1])].append(row)
    listed = {rules.identity(row[1]) for row in rows}
    problems = []
    for name, members in by_list.items():
        defaults = [row for row in members if row[1][default_at]]
        kept_default = not rules.default_in_file and any(
            values[default_at] and rules.identity(values) not in listed
            for values in map(rules.stored_values, stored)
            if rules.list_of(values) == name
        )
        which = f"the {name} list" if name else f"the {rules.template.noun}s"
        if len(defaults) > 1:
            for number, _ in defaults:
                problems.append(
                    placement.problem(
                        "several-defaults",
                        number,
                        "isDefault",
                        which=which,
                        rows=rows_text([n for n, _ in defaults]),
                    )
                )
        elif not defaults and not kept_default:
            for number, _ in members:
                problems.append(
                    placement.problem(
                        "no-default",
                        number,
                        "isDefault",
                        which=which,
                        rows=rows_text([n for n, _ in members])
                        if len(members) > 1
                        else str(members[0][0]),
                    )
                )
    return problems


@attrs.frozen
class _Places:
    """Where each value of the lists the file has is, before and after."""

    #: (list, identity) -> the stored value
    stored: Mapping[tuple[str, str], Values]
    #: (list, identity) -> its place in its list now (1 is the first)
    before: Mapping[tuple[str, str], int]
    #: (list, identity) -> its place once the plan is applied
    after: Mapping[tuple[str, str], int]
    #: list -> the stored values the file does not list, in their order
    kept: Mapping[str, Sequence[Values]]


def _places(
    rules: ListRules, rows: Sequence[_Row], stored: Sequence[Values]
) -> _Places:
    """The file's values of each list come first, in its order, then the
    stored ones it does not list, in theirs."""
    by_key: dict[tuple[str, str], Values] = {}
    before: dict[tuple[str, str], int] = {}
    members: dict[str, list[Values]] = defaultdict(list)
    for values in stored:
        name = rules.list_of(values)
        members[name].append(values)
        by_key[(name, rules.identity(values))] = values
        before[(name, rules.identity(values))] = len(members[name])
    in_file: dict[str, list[Values]] = defaultdict(list)
    for _, values in rows:
        in_file[rules.list_of(values)].append(values)
    after: dict[tuple[str, str], int] = {}
    kept: dict[str, list[Values]] = {}
    for name, listed in in_file.items():
        identities = {rules.identity(values) for values in listed}
        left = [v for v in members[name] if rules.identity(v) not in identities]
        for position, values in enumerate([*listed, *left], start=1):
            after[(name, rules.identity(values))] = position
        if left:
            kept[name] = left
    return _Places(by_key, before, after, kept)


def _actions(
    rules: ListRules,
    rows: Sequence[_Row],
    *,
    present: frozenset[str],
    stored: Sequence[Any],
    settings: Settings,
    placement: Placement,
) -> tuple[list[Action], list[Problem]]:
    template = rules.template
    places = _places(rules, rows, [rules.stored_values(r) for r in stored])
    compared = [
        (place, field.column)
        for place, field in enumerate(template.fields)
        if field.column in present and field.column != rules.list_column
    ]
    actions: list[Action] = []
    problems: list[Problem] = []
    for number, values in rows:
        key = (rules.list_of(values), rules.identity(values))
        old = places.stored.get(key)
        if old is None:
            if settings.mode == "update-only":
                problems.append(
                    placement.problem("not-found", number, None, noun=template.noun)
                )
            else:
                actions.append(
                    rules.create(number, placement.sheet, values, places.after[key])
                )
        elif settings.mode == "create-only":
            name = quote(old[template.at(rules.identity_column)])
            problems.append(
                placement.problem(
                    "already-exists",
                    number,
                    None,
                    what=f"{template.noun.capitalize()} {name}",
                    nouns=f"{template.noun}s",
                )
            )
        else:
            changes = _changes(compared, old, values)
            if places.before[key] != places.after[key]:
                changes["position"] = (places.before[key], places.after[key])
            actions.append(
                rules.update(number, placement.sheet, old, changes)
                if changes
                else rules.unchanged(number, placement.sheet, old)
            )
    defaults = {
        rules.list_of(values)
        for _, values in rows
        if "isDefault" in present and values[template.at("isDefault")]
    }
    for name, left in places.kept.items():
        actions += _kept(
            rules,
            name,
            left,
            places,
            default_given=name in defaults,
            placement=placement,
        )
        problems.append(
            placement.problem(
                "kept-not-in-file",
                None,
                None,
                which=f"the {name} list" if name else f"the {template.noun}s",
                values=", ".join(
                    quote(v[template.at(rules.identity_column)]) for v in left
                ),
            )
        )
    return actions, problems


def _changes(
    compared: Sequence[tuple[int, str]], old: Values, new: Values
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for place, column in compared:
        before, after = old[place], new[place]
        if column == "isDefault":
            before, after = bool(before), bool(after)
        if before != after:
            changes[column] = (before, after)
    return changes


def _kept(
    rules: ListRules,
    name: str,
    left: Sequence[Values],
    places: _Places,
    *,
    default_given: bool,
    placement: Placement,
) -> list[Action]:
    """The updates of the stored values the file does not list: moved after
    the file's values, and no longer the default when the file gives one."""
    default_at = rules.template.at("isDefault")
    actions = []
    for values in left:
        key = (name, rules.identity(values))
        changes: dict[str, Any] = {}
        if places.before[key] != places.after[key]:
            changes["position"] = (places.before[key], places.after[key])
        if default_given and values[default_at]:
            changes["isDefault"] = (True, False)
        if changes:
            actions.append(rules.update(None, placement.sheet, values, changes))
    return actions
