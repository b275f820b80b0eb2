"""The plan: what reconciling a file against a store would do.

Actions are a closed set; code that dispatches on them ends in
`typing.assert_never`, so a new kind nobody handles is a type error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NoReturn

import attrs

from ._build import positional
from ._problems import Problem
from ._records import Address, Customer, CustomerGroup, Option
from ._template import FieldValue, TemplateName

__all__ = [
    "ACTION_KINDS",
    "Action",
    "CreateCustomer",
    "CreateCustomerGroup",
    "CreateOption",
    "CreateShipTo",
    "CreateUserGroup",
    "MatchedBy",
    "Plan",
    "Unchanged",
    "UnchangedCustomerGroup",
    "UnchangedOption",
    "UnchangedShipTo",
    "UpdateCustomer",
    "UpdateCustomerGroup",
    "UpdateOption",
    "UpdateShipTo",
    "unreachable",
]

#: How a row found its existing customer (template rule order).
MatchedBy = Literal["internal_id", "id", "name"]

Changes = Mapping[str, tuple[FieldValue, FieldValue]]


def _frozen_changes(value: Mapping[str, tuple[FieldValue, FieldValue]]) -> Changes:
    return MappingProxyType({field: tuple(pair) for field, pair in value.items()})  # type: ignore[misc]


@attrs.frozen(kw_only=True)
class CreateUserGroup:
    """Create the user group *name* (before the customers that use it)."""

    name: str


@attrs.frozen(kw_only=True)
class CreateCustomer:
    """Create *customer* from spreadsheet *row*.

    Attributes:
        row: the spreadsheet row the customer comes from.
        sheet: its worksheet (``None`` for CSV/TSV).
        customer: the new customer; `Customer.internal_id` is ``None`` until
            the store assigns one.
        generated_id: the id was blank in the file and generated (``HS-<n>``).
    """

    row: int
    sheet: str | None
    customer: Customer
    generated_id: bool = False


@attrs.frozen(kw_only=True)
class UpdateCustomer:
    """Change some fields of an existing customer.

    Attributes:
        row: the spreadsheet row.
        sheet: its worksheet.
        internal_id: the stored customer's internal id.
        matched_by: how the row found the customer.
        changes: template column -> ``(old, new)``; ``old`` is what the
            store held when the plan was made, checked again when the plan
            is applied (optimistic concurrency).
    """

    row: int
    sheet: str | None
    internal_id: str
    matched_by: MatchedBy
    changes: Changes = attrs.field(converter=_frozen_changes)


@attrs.frozen(kw_only=True)
class Unchanged:
    """A row that matches an existing customer and changes nothing."""

    row: int
    sheet: str | None
    internal_id: str
    matched_by: MatchedBy


@attrs.frozen(kw_only=True)
class CreateShipTo:
    """Add *address* to a customer's additional ship-to addresses (the
    ship-to template).

    Attributes:
        row: the spreadsheet row.
        sheet: its worksheet.
        internal_id: the customer's internal id; ``None`` for a customer the
            same plan creates.
        customer_id: the customer's id (for a customer the plan creates,
            what finds it once it is created).
        address: the new address; its ``id`` is the row's ``ship_id``.
    """

    row: int
    sheet: str | None
    internal_id: str | None
    customer_id: str | None
    address: Address


@attrs.frozen(kw_only=True)
class UpdateShipTo:
    """Change some parts of a customer's stored ship-to address, the one
    with ``ship_id``.

    Attributes:
        row: the spreadsheet row.
        sheet: its worksheet.
        internal_id: the customer's internal id.
        ship_id: the address's id.
        changes: ``"ship_<part>"`` -> ``(old, new)``, checked against the
            store when the plan is applied.
    """

    row: int
    sheet: str | None
    internal_id: str
    ship_id: str
    changes: Changes = attrs.field(converter=_frozen_changes)


@attrs.frozen(kw_only=True)
class UnchangedShipTo:
    """A row of the ship-to template that is a stored address already."""

    row: int
    sheet: str | None
    internal_id: str
    ship_id: str | None


@attrs.frozen(kw_only=True)
class CreateOption:
    """Add *option* to its list (the options template).

    Attributes:
        row: the spreadsheet row.
        sheet: its worksheet.
        option: the new option.
        position: its place in its list once the plan is applied (1 is the
            first).
    """

    row: int
    sheet: str | None
    option: Option
    position: int


@attrs.frozen(kw_only=True)
class UpdateOption:
    """Change a stored option: its spelling, its place, whether it is its
    list's default.

    Attributes:
        row: the spreadsheet row; ``None`` for an option the file does not
            list, whose place or default the file's options change.
        sheet: its worksheet.
        key: the option's list.
        value: the option's value, as the store spells it.
        changes: ``"value"``, ``"position"``, ``"isDefault"`` -> ``(old,
            new)``, checked against the store when the plan is applied.
    """

    row: int | None
    sheet: str | None
    key: str
    value: str
    changes: Changes = attrs.field(converter=_frozen_changes)


@attrs.frozen(kw_only=True)
class UnchangedOption:
    """A row of the options template that matches a stored option and
    changes nothing."""

    row: int
    sheet: str | None
    key: str
    value: str


@attrs.frozen(kw_only=True)
class CreateCustomerGroup:
    """Create *group* (the customer groups template).

    Attributes:
        row: the spreadsheet row.
        sheet: its worksheet.
        group: the new group.
        position: its place among the groups once the plan is applied.
    """

    row: int
    sheet: str | None
    group: CustomerGroup
    position: int


@attrs.frozen(kw_only=True)
class UpdateCustomerGroup:
    """Change a stored customer group.

    Attributes:
        row: the spreadsheet row; ``None`` for a group the file does not
            list, whose place or default the file's groups change.
        sheet: its worksheet.
        id: the group's id.
        changes: ``"name"``, ``"currency"``, ``"isDefault"``, ``"position"``
            -> ``(old, new)``, checked against the store when the plan is
            applied.
    """

    row: int | None
    sheet: str | None
    id: str
    changes: Changes = attrs.field(converter=_frozen_changes)


@attrs.frozen(kw_only=True)
class UnchangedCustomerGroup:
    """A row of the customer groups template that matches a stored group
    and changes nothing."""

    row: int
    sheet: str | None
    id: str


#: The closed set of things a plan can do.
Action = (
    CreateUserGroup
    | CreateOption
    | UpdateOption
    | UnchangedOption
    | CreateCustomerGroup
    | UpdateCustomerGroup
    | UnchangedCustomerGroup
    | CreateCustomer
    | UpdateCustomer
    | Unchanged
    | CreateShipTo
    | UpdateShipTo
    | UnchangedShipTo
)


@attrs.frozen(kw_only=True)
class Plan:
    """What reconciling a file would do, before anything is written.

    Attributes:
        actions: user-group creations first, then one action per valid row,
            in file order.
        problems: problems from reading and from reconciling, in file order
            (plan-level ones last).
        templates: the templates of the files the plan was made of
            (``"customers"``, ``"options"``, ``"customer-groups"``).
        stopped_early: collecting stopped at ``max_errors``; rows after that
            point were not reconciled.
    """

    actions: tuple[Action, ...]
    problems: tuple[Problem, ...] = ()
    stopped_early: bool = False
    templates: tuple[TemplateName, ...] = ("customers",)

    @property
    def ok(self) -> bool:
        """True when no problem is an error (and collecting did not stop early,
        which it only does because of errors)."""
        return not self.stopped_early and not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``"error"``."""
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems of severity ``"warning"``."""
        return tuple(problem for problem in self.problems if not problem.is_error)

    @property
    def creates(self) -> tuple[CreateCustomer, ...]:
        """The customers to create."""
        return tuple(a for a in self.actions if isinstance(a, CreateCustomer))

    @property
    def updates(self) -> tuple[UpdateCustomer, ...]:
        """The customers to update."""
        return tuple(a for a in self.actions if isinstance(a, UpdateCustomer))

    @property
    def unchanged(self) -> tuple[Unchanged, ...]:
        """The rows that match a customer and change nothing."""
        return tuple(a for a in self.actions if isinstance(a, Unchanged))

    @property
    def user_groups(self) -> tuple[CreateUserGroup, ...]:
        """The user groups to create."""
        return tuple(a for a in self.actions if isinstance(a, CreateUserGroup))

    @property
    def error_rows(self) -> frozenset[int]:
        """Rows with at least one error (they have no action)."""
        return frozenset(
            problem.row
            for problem in self.problems
            if problem.is_error and problem.row is not None
        )

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per action kind (every kind of the plan's templates) and
        per problem code.

        ``{"actions": {"create-user-group": 1, "create": 3, "update": 2,
        "unchanged": 5}, "errors": {...}, "warnings": {...}}``
        """
        kinds = Counter(ACTION_KINDS[type(action)] for action in self.actions)
        listed = [
            kind
            for cls, kind in ACTION_KINDS.items()
            if TEMPLATE_OF_ACTION[cls] in self.templates or kinds[kind]
        ]
        return {
            "actions": {kind: kinds.get(kind, 0) for kind in listed},
            "errors": dict(Counter(p.code for p in self.problems if p.is_error)),
            "warnings": dict(Counter(p.code for p in self.problems if not p.is_error)),
        }


#: Each action class and its kind, as `Plan.summary` counts it and as a
#: serialised plan tags it.
ACTION_KINDS: dict[type, str] = {
    CreateUserGroup: "create-user-group",
    CreateOption: "create-option",
    UpdateOption: "update-option",
    UnchangedOption: "unchanged-option",
    CreateCustomerGroup: "create-customer-group",
    UpdateCustomerGroup: "update-customer-group",
    UnchangedCustomerGroup: "unchanged-customer-group",
    CreateCustomer: "create",
    UpdateCustomer: "update",
    Unchanged: "unchanged",
    CreateShipTo: "create-ship-to",
    UpdateShipTo: "update-ship-to",
    UnchangedShipTo: "unchanged-ship-to",
}


#: The template each kind of action comes from.
TEMPLATE_OF_ACTION: dict[type, TemplateName] = {
    CreateUserGroup: "customers",
    CreateOption: "options",
    UpdateOption: "options",
    UnchangedOption: "options",
    CreateCustomerGroup: "customer-groups",
    UpdateCustomerGroup: "customer-groups",
    UnchangedCustomerGroup: "customer-groups",
    CreateCustomer: "customers",
    UpdateCustomer: "customers",
    Unchanged: "customers",
    CreateShipTo: "ship-to",
    UpdateShipTo: "ship-to",
    UnchangedShipTo: "ship-to",
}


# -- Building actions in bulk ---------------------------------------------------
#
# A plan holds an action per row: built positionally (see `_build`).
# `new_update` wraps changes made for the action alone read-only instead of
# copying them as the converter does.

new_create = positional(CreateCustomer)
new_unchanged = positional(Unchanged)
_new_update = positional(UpdateCustomer)


def new_update(
    row: int,
    sheet: str | None,
    internal_id: str,
    matched_by: MatchedBy,
    changes: dict[str, tuple[FieldValue, FieldValue]],
) -> UpdateCustomer:
    """``UpdateCustomer(row=row, ...)`` for *changes* that nothing else
    holds (the action keeps them rather than a copy)."""
    return _new_update(row, sheet, internal_id, matched_by, MappingProxyType(changes))


def unreachable(action: NoReturn) -> NoReturn:
    """End a dispatch on `Action`: mypy flags any kind not handled before it.

    (`typing.assert_never`, for Python 3.10.)
    """
    raise AssertionError(f"unhandled action {action!r}")
