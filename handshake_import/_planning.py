"""Planning each template's `Table`, and a workbook's tables as one plan.

A workbook's sheets are planned in the order that makes their references
hold: customer groups and options first, then customers (which may name a
group or an option the same workbook creates), then ship-to addresses
(which may belong to a customer the same workbook creates). The plan holds
every sheet's actions in that order, and every problem names its sheet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import attrs

from ._actions import Settings
from ._asking import ask, ask_ship_to, stored_customer_groups, stored_options
from ._finish import finish_list
from ._lists import LISTS, plan_list
from ._lookups import StoreAnswers, keys_of
from ._names import NameForms
from ._placement import Placement
from ._plan import Action, CreateCustomer, CreateCustomerGroup, CreateOption, Plan
from ._problems import Problem
from ._reconcile import plan_rows
from ._records import Customer
from ._result import Table
from ._shipto import PlannedCustomers, plan_ship_to
from ._store import CustomerStore
from ._template import CUSTOMERS, OPTIONS, SHIP_TO, TemplateName

__all__ = ["plan_table", "plan_tables"]

#: The order a workbook's templates are planned, and their actions listed.
ORDER: tuple[TemplateName, ...] = ("customer-groups", "options", "customers", "ship-to")


def plan_table(
    table: Table,
    store: CustomerStore,
    settings: Settings,
    batch_size: int,
    *,
    planned: Sequence[Action] = (),
) -> Plan:
    """The plan of one table; *planned* are the actions of the tables
    planned before it in the same workbook, whose creations its references
    may name."""
    if table.template is CUSTOMERS:
        return _plan_customers(table, store, settings, batch_size, planned)
    if table.template is SHIP_TO:
        return _plan_ship_to(table, store, settings, batch_size, planned)
    return _plan_list(table, store, settings)


def plan_tables(
    tables: Sequence[Table],
    notes: Sequence[Problem],
    store: CustomerStore,
    settings: Settings,
    batch_size: int,
) -> Plan:
    """One plan of a workbook's tables (one of each template at most), and
    the *notes* about its sheets that were not read."""
    by_template = {table.template.name: table for table in tables}
    plans: list[Plan] = []
    actions: list[Action] = []
    for name in ORDER:
        table = by_template.get(name)
        if table is not None:
            plan = plan_table(table, store, settings, batch_size, planned=actions)
            plans.append(plan)
            actions += plan.actions
    return Plan(
        actions=tuple(actions),
        problems=(*notes, *(p for plan in plans for p in plan.problems)),
        stopped_early=any(plan.stopped_early for plan in plans),
        templates=tuple(name for name in ORDER if name in by_template),
    )


def _plan_customers(
    table: Table,
    store: CustomerStore,
    settings: Settings,
    batch_size: int,
    planned: Sequence[Action],
) -> Plan:
    rows = table.parsed
    names = NameForms()
    keys = keys_of(rows)
    answers = ask(store, keys, rows, names, batch_size)
    if planned:
        answers = _with_planned_lists(answers, planned)
    return plan_rows(
        rows,
        present=table.present,
        extras=table.extras,
        columns=table.columns,
        header_row=table.header_row,
        sheet=table.sheet,
        read_problems=table.problems,
        keys=keys,
        answers=answers,
        names=names,
        settings=settings,
    )


def _with_planned_lists(
    answers: StoreAnswers, planned: Iterable[Action]
) -> StoreAnswers:
    """*answers* as the store will answer once the groups and options the
    workbook creates exist."""
    groups = [a.group.id for a in planned if isinstance(a, CreateCustomerGroup)]
    options: dict[str, list[str]] = defaultdict(list)
    for action in planned:
        if isinstance(action, CreateOption):
            options[action.option.key].append(action.option.value)
    return attrs.evolve(
        answers,
        customer_groups=frozenset([*answers.customer_groups, *groups]),
        options={
            key: (*values, *options.get(key, ()))
            for key, values in answers.options.items()
        },
    )


def _plan_ship_to(
    table: Table,
    store: CustomerStore,
    settings: Settings,
    batch_size: int,
    planned: Sequence[Action],
) -> Plan:
    rows = list(table.parsed)
    names = NameForms()
    actions, problems = plan_ship_to(
        rows,
        present=table.present,
        answers=ask_ship_to(store, rows, names, batch_size),
        names=names,
        settings=settings,
        placement=Placement.of(table.columns, table.sheet),
        planned=_planned_customers(planned, names),
    )
    return finish_list(table.template.name, actions, table.problems, problems, settings)


def _planned_customers(planned: Iterable[Action], names: NameForms) -> PlannedCustomers:
    """The customers the workbook's customer sheet creates, by id and by
    folded name."""
    created: list[Customer] = [
        a.customer for a in planned if isinstance(a, CreateCustomer)
    ]
    by_name: dict[str, list[Customer]] = defaultdict(list)
    for customer in created:
        by_name[names.fold(customer.name)].append(customer)
    return PlannedCustomers(
        by_id={c.id: c for c in created if c.id is not None}, by_name=dict(by_name)
    )


def _plan_list(table: Table, store: CustomerStore, settings: Settings) -> Plan:
    rules = LISTS[table.template.name]
    stored = (
        stored_options(store)
        if table.template is OPTIONS
        else stored_customer_groups(store)
    )
    actions, problems = plan_list(
        rules,
        table.parsed,
        present=table.present,
        stored=stored,
        settings=settings,
        placement=Placement.of(table.columns, table.sheet),
    )
    return finish_list(table.template.name, actions, table.problems, problems, settings)
