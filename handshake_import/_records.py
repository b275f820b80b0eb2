"""The domain records: what a row of each template says, once parsed and
validated, and what a store holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

import attrs

__all__ = [
    "OPTION_KEYS",
    "Address",
    "CustomValue",
    "Customer",
    "CustomerGroup",
    "CustomerRow",
    "Option",
]

#: The option lists a store keeps (the options template's keys).
OPTION_KEYS = ("paymentTerms", "shippingMethod", "ccType")

#: A value of a custom column, typed by its column's type.
CustomValue = str | int | Decimal | bool | dt.date | tuple[str, ...]

#: The one empty read-only mapping every blank `manufacturer_ids` and `custom`
#: shares.
NO_MAPPING: Mapping[str, str] = MappingProxyType({})


def frozen_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    """A read-only copy of *value* (shared when it is already read-only)."""
    if type(value) is MappingProxyType:
        return value
    if not value:
        return NO_MAPPING
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Address:
    """A bill-to or ship-to address; every field is text or ``None`` (blank)."""

    id: str | None = None
    name: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    phone: str | None = None
    fax: str | None = None


@attrs.frozen(kw_only=True)
class Customer:
    """One customer as the template describes it.

    Blank cells are ``None`` (or empty for `emails`, `manufacturer_ids` and
    `custom`). `bill_to` / `ship_to` are ``None`` when every cell of that
    address block is blank.

    Attributes:
        name: the customer's name (required).
        id: the customer's id in the user's CRM (``id`` column).
        internal_id: the id the system assigned (``internal_id`` column).
        contact: the contact person.
        emails: the addresses of the ``email`` cell, in order, without
            duplicates (compared ignoring case).
        bill_to: the ``bill_*`` columns.
        ship_to: the ``ship_*`` columns.
        payment_terms: ``paymentTerms``.
        shipping_method: ``shippingMethod``.
        tax_id: ``taxID``.
        customer_group: ``customerGroup``, the id of a customer group.
        user_group: ``userGroup``, the name of a user group.
        manufacturer_ids: manufacturer name (as typed in the ``id:<name>``
            header) -> that manufacturer's id for this customer.
        custom: custom column name -> typed value, for the columns a
            `Schema` adds.
    """

    name: str
    id: str | None = None
    internal_id: str | None = None
    contact: str | None = None
    emails: tuple[str, ...] = ()
    bill_to: Address | None = None
    ship_to: Address | None = None
    payment_terms: str | None = None
    shipping_method: str | None = None
    tax_id: str | None = None
    customer_group: str | None = None
    user_group: str | None = None
    manufacturer_ids: Mapping[str, str] = attrs.field(
        default=NO_MAPPING, converter=frozen_mapping
    )
    custom: Mapping[str, CustomValue] = attrs.field(
        default=NO_MAPPING, converter=frozen_mapping
    )


@attrs.frozen(kw_only=True)
class CustomerRow:
    """A customer read from one row of the file, and where it came from.

    Attributes:
        row: the spreadsheet row number the user sees (header = 1).
        sheet: the worksheet name (``None`` for CSV/TSV).
        customer: the parsed record.
        present: the template columns the file has (``"email"``,
            ``"bill_city"``, ``"id:Acme"``, custom column names): a column
            absent from the file leaves that field of an existing customer
            untouched, while a present column with a blank cell clears it.
    """

    row: int
    sheet: str | None
    customer: Customer
    present: frozenset[str]


@attrs.frozen(kw_only=True)
class Option:
    """One value of an option list (the options template).

    Attributes:
        key: the list: one of `OPTION_KEYS`.
        value: the value, as customers name it (``paymentTerms``,
            ``shippingMethod``).
        is_default: whether it is the list's default (one per list).
    """

    key: str
    value: str
    is_default: bool = False


@attrs.frozen(kw_only=True)
class CustomerGroup:
    """A customer group (the customer groups template).

    Attributes:
        id: what a customer's ``customerGroup`` names.
        name: what users see; it may change, the id stays.
        currency: a three-letter currency code (``USD``), upper case.
        is_default: whether it is the default group (one in a store).
    """

    id: str
    name: str | None = None
    currency: str | None = None
    is_default: bool = False
