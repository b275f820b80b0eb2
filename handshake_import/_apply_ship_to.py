"""Applying a plan's ship-to actions, for every store: the addresses of
each customer once the plan is applied, after checking that the plan still
fits what is stored (re-exported by `handshake_import.adapters`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from ._errors import StalePlanError
from ._plan import CreateShipTo, Plan, UpdateShipTo
from ._problems import show_value
from ._records import Address
from ._template import ADDRESS_PARTS

__all__ = ["apply_ship_to", "listed_ship_to", "ship_to_customers"]

_PART_OF = {f"ship_{part}": part for part in ADDRESS_PARTS}


def ship_to_customers(plan: Plan) -> tuple[str, ...]:
    """The internal ids of the stored customers whose ship-to addresses
    *plan* adds to or changes, each once: read their addresses (under the
    write lock) for `apply_ship_to`."""
    wanted: dict[str, None] = {}
    for action in plan.actions:
        if isinstance(action, (CreateShipTo, UpdateShipTo)) and action.internal_id:
            wanted[action.internal_id] = None
    return tuple(wanted)


def apply_ship_to(
    stored: Mapping[str, Sequence[Address]],
    plan: Plan,
    created: Mapping[str, str] | None = None,
) -> dict[str, list[Address]]:
    """The ship-to addresses of each customer whose addresses *plan* adds to
    or changes, once it is applied: internal id -> its addresses, in order
    (new ones after the others, in plan order).

    Args:
        stored: the addresses of the customers `ship_to_customers` names,
            as they are now (a customer without any may be absent).
        plan: the plan.
        created: customer id -> internal id of the customers *plan*
            created, for its addresses of those customers.

    Raises:
        StalePlanError: an address the plan updates is gone or holds
            another old value, or one it adds is there already.
    """
    result: dict[str, list[Address]] = {}
    for action in plan.actions:
        if isinstance(action, CreateShipTo):
            internal_id = action.internal_id or (created or {}).get(
                action.customer_id or ""
            )
            if internal_id is None:
                raise ValueError(
                    f"Row {action.row}: the ship-to address is for customer "
                    f"{action.customer_id!r}, which the plan creates; pass the "
                    "created customers' internal ids (created=)."
                )
            addresses = _addresses(result, stored, internal_id)
            _check_absent(action, addresses)
            addresses.append(action.address)
        elif isinstance(action, UpdateShipTo):
            addresses = _addresses(result, stored, action.internal_id)
            found = [i for i, a in enumerate(addresses) if a.id == action.ship_id]
            if len(found) != 1:
                raise StalePlanError(
                    f"Row {action.row}: the ship-to address {action.ship_id!r} was "
                    "removed since this plan was made; reconcile the file again.",
                    row=action.row,
                )
            (at,) = found
            addresses[at] = _updated(action, addresses[at])
    return result


def listed_ship_to(
    plan: Plan, created: Mapping[str, str] | None = None
) -> tuple[tuple[int, str], ...]:
    """``(row, customer internal id)`` of each ship-to address *plan* adds
    or changes, in plan order (see `ApplyResult.ship_to`)."""
    listed = []
    for action in plan.actions:
        if isinstance(action, CreateShipTo):
            internal_id = action.internal_id or (created or {}).get(
                action.customer_id or "", ""
            )
            listed.append((action.row, internal_id))
        elif isinstance(action, UpdateShipTo):
            listed.append((action.row, action.internal_id))
    return tuple(listed)


def _addresses(
    result: dict[str, list[Address]],
    stored: Mapping[str, Sequence[Address]],
    internal_id: str,
) -> list[Address]:
    if internal_id not in result:
        result[internal_id] = list(stored.get(internal_id, ()))
    return result[internal_id]


def _check_absent(action: CreateShipTo, addresses: Sequence[Address]) -> None:
    """A create is stale when the customer has that address by now: one
    with its ship_id, or without one, one equal in every part."""
    new = action.address
    there = (
        any(address.id == new.id for address in addresses)
        if new.id
        else new in addresses
    )
    if there:
        raise StalePlanError(
            f"Row {action.row}: the customer got this ship-to address since this "
            "plan was made; reconcile the file again.",
            row=action.row,
        )


def _updated(action: UpdateShipTo, address: Address) -> Address:
    new: dict[str, object] = {}
    for column, (old, value) in action.changes.items():
        part = _PART_OF[column]
        now = getattr(address, part)
        if now != old:
            raise StalePlanError(
                f"Row {action.row}: the ship-to address {action.ship_id!r} changed "
                f"since this plan was made ({column} is now "
                f"{show_value(now, 'blank')}, the plan expected "
                f"{show_value(old, 'blank')}); reconcile the file again.",
                row=action.row,
            )
        new[part] = value
    return attrs.evolve(address, **new)  # type: ignore[arg-type]
