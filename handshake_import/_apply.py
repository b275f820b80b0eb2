"""What every store's ``apply`` shares: the refusal of plans with errors, the
optimistic-concurrency check of an update, and the result it returns.

`InMemoryStore.apply` and the SQLite adapter both build on these, and so can
an adapter author's store (they are re-exported by
`handshake_import.adapters`).
"""

from __future__ import annotations

import attrs

from ._changes import same_value
from ._errors import PlanHasErrorsError, StalePlanError
from ._plan import Plan, UpdateCustomer
from ._problems import quote, show_value
from ._records import Customer
from ._template import FieldValue, customer_from_fields, fields_of

__all__ = [
    "ApplyResult",
    "apply_update",
    "check_plan",
    "id_created_since",
    "id_taken_since",
]


@attrs.frozen(kw_only=True)
class ApplyResult:
    """What applying a plan did.

    Attributes:
        created: ``(row, internal_id)`` of every customer created, in order.
        updated: the internal ids of the customers updated.
        user_groups: the names of the user groups created.
        unchanged: the internal ids of the customers whose rows needed
            nothing.
    """

    created: tuple[tuple[int, str], ...] = ()
    updated: tuple[str, ...] = ()
    user_groups: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


def check_plan(plan: Plan, *, partial: bool) -> None:
    """Refuse a plan with errors unless *partial* (`PlanHasErrorsError`)."""
    if not plan.ok and not partial:
        raise PlanHasErrorsError(
            "The plan has errors; fix the file and reconcile again, or apply with "
            "partial=True to import only the rows without errors."
        )


def apply_update(current: Customer | None, action: UpdateCustomer) -> Customer:
    """The customer *current* with *action*'s changes, after checking that it
    still holds every old value the plan was made against.

    Raises:
        StalePlanError: *current* is ``None`` (deleted since) or a field
            changed since the plan was made.
    """
    if current is None:
        raise StalePlanError(
            f"Row {action.row}: the customer was deleted since this plan was made; "
            "reconcile the file again.",
            row=action.row,
        )
    fields: dict[str, FieldValue] = fields_of(current)
    for field, (old, new) in action.changes.items():
        if not same_value(field, fields.get(field), old):
            raise StalePlanError(
                f"Row {action.row}: the data changed since this plan was made "
                f"({field} is now {show_value(fields.get(field), 'blank')}, the plan "
                f"expected {show_value(old, 'blank')}); reconcile the file again.",
                row=action.row,
            )
        if new is None:
            fields.pop(field, None)
        else:
            fields[field] = new
    return customer_from_fields(fields, internal_id=current.internal_id)


def id_created_since(row: int, customer_id: str | None) -> StalePlanError:
    """The error for a create whose id another customer got meanwhile."""
    return StalePlanError(
        f"Row {row}: a customer with id {quote(customer_id or '')} was created since "
        "this plan was made; reconcile the file again.",
        row=row,
    )


def id_taken_since(row: int, customer_id: str | None) -> StalePlanError:
    """The error for an update to an id another customer got meanwhile."""
    return StalePlanError(
        f"Row {row}: id {quote(customer_id or '')} was taken since this plan was "
        "made; reconcile the file again.",
        row=row,
    )
