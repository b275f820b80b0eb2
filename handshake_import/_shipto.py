"""Planning the additional ship-to addresses template. Pure: rows and what
the store holds in, actions and problems out.

The rules (from the template's help page):

- A row's customer is the one whose ``id`` is its ``cust_id`` (reliable),
  else the one customer with its ``cust_name`` (folded case and spaces, as
  customers are matched by name): none is an error, and so are several,
  named by their ids (never a guess). A customer the same plan creates
  counts (a workbook with the customers' sheet).
- ``ship_id`` identifies an address across uploads; it may repeat for
  different customers, never for two addresses of one customer (in the
  file: an error on each row).
- With a ``ship_id``: the customer's stored address with that id is
  updated field by field (or unchanged); none, it is created.
- Without one: a stored address of the customer equal in every address
  column of the file is the same address (unchanged); otherwise the row
  creates a new one, with a warning when it resembles a stored one (same
  street, or same name and postcode): without a ``ship_id`` a changed
  address cannot be told from a new one.
- The customer template's own ``ship_*`` columns stay that customer's one
  primary ship-to address; the addresses here are others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._actions import Settings
from ._names import NameForms
from ._placement import Placement, rows_text
from ._plan import Action, CreateShipTo, UnchangedShipTo, UpdateShipTo
from ._problems import Problem, describe_customer, quote
from ._records import Address, Customer
from ._template import ADDRESS_PARTS, SHIP_TO, Values

__all__ = ["PlannedCustomers", "ShipToAnswers", "customer_keys", "plan_ship_to"]

_CUST_ID = SHIP_TO.at("cust_id")
_CUST_NAME = SHIP_TO.at("cust_name")
_FIRST_PART = SHIP_TO.at("ship_id")
#: (place in a row's values, address part, template column), in part order
_PARTS = tuple(
    (_FIRST_PART + index, part, f"ship_{part}")
    for index, part in enumerate(ADDRESS_PARTS)
)
_Row = tuple[int, Values]


@attrs.frozen
class ShipToAnswers:
    """What the store says about a ship-to file's customers.

    Attributes:
        by_id: the customers the rows' ``cust_id`` name, by id.
        by_name_key: the customers whose name key is one of the rows'
            ``cust_name``'s, by key.
        addresses: the stored additional ship-to addresses of each customer
            found, by internal id, in their order.
    """

    by_id: Mapping[str, Customer]
    by_name_key: Mapping[str, Sequence[Customer]]
    addresses: Mapping[str, Sequence[Address]]


@attrs.frozen
class PlannedCustomers:
    """The customers a plan creates, which its ship-to rows may name
    (a workbook whose customers' sheet creates them): by id, and by folded
    name."""

    by_id: Mapping[str, Customer] = attrs.field(factory=dict)
    by_name: Mapping[str, Sequence[Customer]] = attrs.field(factory=dict)


def customer_keys(
    rows: Iterable[_Row], names: NameForms
) -> tuple[list[str], list[str]]:
    """The ids to look up (``cust_id``), and the name keys (``cust_name``
    of the rows without one), each once, in first-seen order."""
    ids: dict[str, None] = {}
    keys: dict[str, None] = {}
    for _, values in rows:
        if values[_CUST_ID]:
            ids[values[_CUST_ID]] = None
        elif values[_CUST_NAME]:
            keys[names.key(values[_CUST_NAME])] = None
    return list(ids), list(keys)


def plan_ship_to(
    rows: Sequence[_Row],
    *,
    present: frozenset[str],
    answers: ShipToAnswers,
    names: NameForms,
    settings: Settings,
    placement: Placement,
    planned: PlannedCustomers | None = None,
) -> tuple[list[Action], list[Problem]]:
    """The actions and problems of the rows of a ship-to file."""
    owners, problems = _owners(rows, answers, names, placement, planned)
    rows = [row for row in rows if row[0] in owners]
    conflicts = _in_file_conflicts(rows, owners, present, placement)
    problems += conflicts
    bad = {p.row for p in conflicts}
    actions, found = _actions(
        [row for row in rows if row[0] not in bad],
        owners=owners,
        present=present,
        answers=answers,
        settings=settings,
        placement=placement,
    )
    return actions, problems + found


def _owners(
    rows: Sequence[_Row],
    answers: ShipToAnswers,
    names: NameForms,
    placement: Placement,
    planned: PlannedCustomers | None,
) -> tuple[dict[int, Customer], list[Problem]]:
    """The customer of each row that has one; an error on each other row."""
    planned = planned or PlannedCustomers()
    owners: dict[int, Customer] = {}
    problems: list[Problem] = []
    for number, values in rows:
        customer_id, name = values[_CUST_ID], values[_CUST_NAME]
        if customer_id:
            found = answers.by_id.get(customer_id) or planned.by_id.get(customer_id)
            if found is None:
                problems.append(
                    placement.problem(
                        "unknown-customer",
                        number,
                        "cust_id",
                        what="id",
                        value=quote(customer_id),
                    )
                )
            else:
                owners[number] = found
        elif name:
            folded = names.fold(name)
            candidates = [
                customer
                for customer in answers.by_name_key.get(names.key(name), ())
                if names.fold(customer.name) == folded
            ]
            candidates += planned.by_name.get(folded, ())
            if len(candidates) == 1:
                owners[number] = candidates[0]
            elif not candidates:
                problems.append(
                    placement.problem(
                        "unknown-customer",
                        number,
                        "cust_name",
                        what="name",
                        value=quote(name),
                    )
                )
            else:
                problems.append(
                    placement.problem(
                        "ambiguous-customer",
                        number,
                        "cust_name",
                        count=len(candidates),
                        value=quote(name),
                        customers=", ".join(map(describe_customer, candidates)),
                    )
                )
        else:
            problems.append(placement.problem("missing-customer", number, "cust_id"))
    return owners, problems


def _owner_key(customer: Customer) -> str:
    """A customer as the key of its addresses: its internal id, or for a
    customer the plan creates, its id."""
    return customer.internal_id or f"new:{customer.id}"


def _in_file_conflicts(
    rows: Sequence[_Row],
    owners: Mapping[int, Customer],
    present: frozenset[str],
    placement: Placement,
) -> list[Problem]:
    """An error on each row of an address given twice for one customer:
    the same ``ship_id``, or without one, the same address."""
    groups: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for number, values in rows:
        ship_id = values[_FIRST_PART]
        identity = ship_id if ship_id else _folded(values, present)
        groups[(_owner_key(owners[number]), identity)].append(number)
    problems = []
    for (_, identity), numbers in groups.items():
        if len(numbers) < 2:
            continue
        value = (
            quote(identity)
            if isinstance(identity, str)
            else "(the same address, without a ship_id)"
        )
        for number in numbers:
            problems.append(
                placement.problem(
                    "duplicate-in-file",
                    number,
                    "ship_id",
                    what="ship_id" if isinstance(identity, str) else "address",
                    value=value,
                    rows=rows_text(numbers),
                    noun="ship-to address of one customer",
                )
            )
    return problems


def _folded(values: Values, present: frozenset[str]) -> tuple[str | None, ...]:
    return tuple(
        " ".join(values[place].casefold().split()) if values[place] else None
        for place, _, column in _PARTS
        if column in present and column != "ship_id"
    )


def _address(values: Values) -> Address:
    return Address(**{part: values[place] for place, part, _ in _PARTS})


def _actions(
    rows: Sequence[_Row],
    *,
    owners: Mapping[int, Customer],
    present: frozenset[str],
    answers: ShipToAnswers,
    settings: Settings,
    placement: Placement,
) -> tuple[list[Action], list[Problem]]:
    compared = [
        (place, part, column)
        for place, part, column in _PARTS
        if column in present and column != "ship_id"
    ]
    actions: list[Action] = []
    problems: list[Problem] = []
    for number, values in rows:
        owner = owners[number]
        stored = (
            answers.addresses.get(owner.internal_id or "", ())
            if owner.internal_id
            else ()
        )
        ship_id = values[_FIRST_PART]
        if ship_id:
            same = [address for address in stored if address.id == ship_id]
        else:
            same = [
                address
                for address in stored
                if all(
                    getattr(address, part) == values[place]
                    for place, part, _ in compared
                )
            ][:1]
        if len(same) > 1:
            problems.append(
                placement.problem(
                    "ambiguous-ship-id",
                    number,
                    "ship_id",
                    value=quote(ship_id),
                    customer=describe_customer(owner),
                    count=len(same),
                )
            )
        elif not same:
            if settings.mode == "update-only":
                problems.append(
                    placement.problem("not-found", number, None, noun=SHIP_TO.noun)
                )
                continue
            actions.append(
                CreateShipTo(
                    row=number,
                    sheet=placement.sheet,
                    internal_id=owner.internal_id,
                    customer_id=owner.id,
                    address=_address(values),
                )
            )
            if not ship_id:
                problems += _resemblance(number, values, owner, stored, placement)
        elif settings.mode == "create-only":
            problems.append(
                placement.problem(
                    "already-exists",
                    number,
                    None,
                    what=f"The ship-to address of {describe_customer(owner)}",
                    nouns="ship-to addresses",
                )
            )
        else:
            (old,) = same
            changes = {
                column: (getattr(old, part), values[place])
                for place, part, column in compared
                if getattr(old, part) != values[place]
            }
            internal_id = owner.internal_id or ""
            actions.append(
                UpdateShipTo(
                    row=number,
                    sheet=placement.sheet,
                    internal_id=internal_id,
                    ship_id=ship_id,
                    changes=changes,
                )
                if changes
                else UnchangedShipTo(
                    row=number,
                    sheet=placement.sheet,
                    internal_id=internal_id,
                    ship_id=old.id,
                )
            )
    return actions, problems


def _resemblance(
    number: int,
    values: Values,
    owner: Customer,
    stored: Sequence[Address],
    placement: Placement,
) -> list[Problem]:
    """A warning when a new address without a ship_id resembles one the
    customer has: the same street, or the same name and postcode."""
    new = _address(values)
    for address in stored:
        if _resemble(new, address):
            return [
                placement.problem(
                    "similar-address",
                    number,
                    None,
                    customer=describe_customer(owner),
                    other=_describe_address(address),
                )
            ]
    return []


def _fold(text: str | None) -> str | None:
    return " ".join(text.casefold().split()) if text else None


def _resemble(new: Address, old: Address) -> bool:
    if new.street and _fold(new.street) == _fold(old.street):
        return True
    return bool(
        new.name
        and new.postcode
        and _fold(new.name) == _fold(old.name)
        and _fold(new.postcode) == _fold(old.postcode)
    )


def _describe_address(address: Address) -> str:
    parts = [address.name, address.street, address.city]
    text = ", ".join(part for part in parts if part) or "(blank)"
    return quote(text) + (f" (ship_id {quote(address.id)})" if address.id else "")
