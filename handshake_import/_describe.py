"""`describe_plan`: a plan as JSON-ready rows for a preview screen.

A plan names stored customers by internal id only; a person recognises
them by name and id. `describe_plan` asks the store for the customers the
plan updates or leaves alone (in bulk, as `reconcile` asks), and turns every
value into the text a screen shows: blank as ``""``, email addresses joined
by ``", "``, a decimal or a date as written, a yes/no as ``"yes"``/``"no"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._asking import batches
from ._plan import (
    ACTION_KINDS,
    CreateCustomer,
    CreateCustomerGroup,
    CreateOption,
    CreateShipTo,
    CreateUserGroup,
    Plan,
    Unchanged,
    UnchangedCustomerGroup,
    UnchangedOption,
    UnchangedShipTo,
    UpdateCustomer,
    UpdateCustomerGroup,
    UpdateOption,
    UpdateShipTo,
    unreachable,
)
from ._problems import Problem
from ._records import Customer
from ._store import CustomerStore
from ._template import FieldValue, fields_of

__all__ = ["describe_plan", "display_value"]


def display_value(value: FieldValue) -> str:
    """*value* as a screen shows it: ``""`` for blank, addresses and other
    lists joined by ``", "``, a date as ``2024-01-31``, a yes/no as
    ``"yes"``/``"no"``, a number as written."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not a field value: {value!r:.40}")


def describe_plan(
    plan: Plan,
    store: CustomerStore,
    *,
    unchanged: bool = True,
    batch_size: int = 1000,
) -> dict[str, Any]:
    """*plan* as JSON-ready data for a preview screen.

    Args:
        plan: a plan made by `reconcile` against *store*.
        store: the store, asked (in batches of *batch_size*) for the
            customers the plan updates and, with *unchanged*, those it
            leaves alone, so that each row names its customer.
        unchanged: describe the unchanged rows too (they are counted in
            the summary either way).

    Returns:
        ``{"ok", "summary", "actions", "problems"}``: *summary* is
        `Plan.summary`; *actions* has one object per action in file order,
        each with ``kind`` (``create-user-group``, ``create``, ``update``,
        ``unchanged``, and for the other templates the kinds of
        `Plan.summary`, such as ``create-option``), ``row``, ``sheet`` and
        ``label`` (the customer's name and id, the group's name, the
        option's list and value, the ship-to address's id or street), for
        an option its ``key`` and ``value``, for a customer group its
        ``id``, for a ship-to address its customer's ``internal_id`` (and
        ``customer_id`` for an address added) and its ``ship_id``, and for
        customers ``name``,
        ``id``, ``internal_id`` (``None`` for a create), for a create its
        ``values`` and whether its id was ``generated``, for an update
        ``matched_by`` and its ``changes``, each ``{"field", "old", "new"}``
        with display values (see `display_value`); *problems* has every
        problem as ``{"severity", "code", "message", "row", "column",
        "cell", "sheet"}``.
    """
    wanted = [
        action.internal_id
        for action in plan.actions
        if isinstance(action, UpdateCustomer)
        or (unchanged and isinstance(action, Unchanged))
    ]
    stored: dict[str, Customer] = {}
    for batch in batches(list(dict.fromkeys(wanted)), batch_size):
        stored.update(store.customers_by_internal_id(batch))
    actions: list[dict[str, Any]] = []
    for action in plan.actions:
        if isinstance(action, CreateUserGroup):
            actions.append(
                {
                    "kind": "create-user-group",
                    "row": None,
                    "sheet": None,
                    "label": action.name,
                    "name": action.name,
                }
            )
        elif isinstance(action, CreateCustomer):
            customer = action.customer
            actions.append(
                {
                    "kind": "create",
                    "row": action.row,
                    "sheet": action.sheet,
                    **_naming(customer, None),
                    "generated": action.generated_id,
                    "values": [
                        {"field": field, "value": display_value(value)}
                        for field, value in fields_of(customer).items()
                    ],
                }
            )
        elif isinstance(action, UpdateCustomer):
            actions.append(
                {
                    "kind": "update",
                    "row": action.row,
                    "sheet": action.sheet,
                    **_naming(stored.get(action.internal_id), action.internal_id),
                    "matched_by": action.matched_by,
                    "changes": [
                        {
                            "field": field,
                            "old": display_value(old),
                            "new": display_value(new),
                        }
                        for field, (old, new) in action.changes.items()
                    ],
                }
            )
        elif isinstance(action, Unchanged):
            if unchanged:
                actions.append(
                    {
                        "kind": "unchanged",
                        "row": action.row,
                        "sheet": action.sheet,
                        **_naming(stored.get(action.internal_id), action.internal_id),
                        "matched_by": action.matched_by,
                    }
                )
        elif isinstance(action, _LIST_ACTIONS):
            if unchanged or not isinstance(
                action, (UnchangedOption, UnchangedCustomerGroup)
            ):
                actions.append(_list_action(action))
        elif isinstance(action, (CreateShipTo, UpdateShipTo, UnchangedShipTo)):
            if unchanged or not isinstance(action, UnchangedShipTo):
                actions.append(_ship_to_action(action))
        else:
            unreachable(action)
    return {
        "ok": plan.ok,
        "summary": plan.summary(),
        "actions": actions,
        "problems": [_problem(problem) for problem in plan.problems],
    }


_LIST_ACTIONS = (
    CreateOption,
    UpdateOption,
    UnchangedOption,
    CreateCustomerGroup,
    UpdateCustomerGroup,
    UnchangedCustomerGroup,
)


def _list_action(
    action: CreateOption
    | UpdateOption
    | UnchangedOption
    | CreateCustomerGroup
    | UpdateCustomerGroup
    | UnchangedCustomerGroup,
) -> dict[str, Any]:
    """An action of the options or customer groups template, described."""
    described: dict[str, Any] = {
        "kind": ACTION_KINDS[type(action)],
        "row": action.row,
        "sheet": action.sheet,
    }
    if isinstance(action, CreateOption):
        option = action.option
        described |= _option_naming(option.key, option.value)
        described["values"] = [
            {"field": "isDefault", "value": display_value(option.is_default)},
            {"field": "position", "value": display_value(action.position)},
        ]
    elif isinstance(action, (UpdateOption, UnchangedOption)):
        described |= _option_naming(action.key, action.value)
    elif isinstance(action, CreateCustomerGroup):
        group = action.group
        described |= {"label": group.name or group.id, "id": group.id}
        described["values"] = [
            {"field": "name", "value": display_value(group.name)},
            {"field": "currency", "value": display_value(group.currency)},
            {"field": "isDefault", "value": display_value(group.is_default)},
            {"field": "position", "value": display_value(action.position)},
        ]
    else:
        described |= {"label": action.id, "id": action.id}
    if isinstance(action, (UpdateOption, UpdateCustomerGroup)):
        described["changes"] = [
            {"field": field, "old": display_value(old), "new": display_value(new)}
            for field, (old, new) in action.changes.items()
        ]
    return described


def _ship_to_action(
    action: CreateShipTo | UpdateShipTo | UnchangedShipTo,
) -> dict[str, Any]:
    """An action of the ship-to template, described: its customer by
    ``internal_id`` (``None`` for a customer the plan creates) and
    ``customer_id``."""
    described: dict[str, Any] = {
        "kind": ACTION_KINDS[type(action)],
        "row": action.row,
        "sheet": action.sheet,
        "internal_id": action.internal_id,
    }
    if isinstance(action, CreateShipTo):
        address = action.address
        described |= {
            "label": address.id or address.street or address.name or "",
            "customer_id": action.customer_id,
            "ship_id": address.id,
            "values": [
                {"field": f"ship_{part}", "value": display_value(value)}
                for part, value in attrs.asdict(address).items()
            ],
        }
    else:
        described |= {"label": action.ship_id or "", "ship_id": action.ship_id}
    if isinstance(action, UpdateShipTo):
        described["changes"] = [
            {"field": field, "old": display_value(old), "new": display_value(new)}
            for field, (old, new) in action.changes.items()
        ]
    return described


def _option_naming(key: str, value: str) -> dict[str, Any]:
    return {"label": f"{value} ({key})", "key": key, "value": value}


def _naming(customer: Customer | None, internal_id: str | None) -> dict[str, Any]:
    """The ``label``, ``name``, ``id`` and ``internal_id`` of a row's
    customer (one the store no longer has is named by its internal id)."""
    if customer is None:
        return {
            "label": f"the customer with internal id {internal_id}",
            "name": None,
            "id": None,
            "internal_id": internal_id,
        }
    key = customer.id or (internal_id and f"internal id {internal_id}")
    return {
        "label": f"{customer.name} ({key})" if key else customer.name,
        "name": customer.name,
        "id": customer.id,
        "internal_id": internal_id,
    }


def _problem(problem: Problem) -> Mapping[str, Any]:
    return {
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
        "row": problem.row,
        "column": problem.column,
        "cell": problem.cell,
        "sheet": problem.sheet,
    }
