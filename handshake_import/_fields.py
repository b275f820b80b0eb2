"""A customer as a flat mapping of template column -> value, for diffs.

Reconciliation compares and changes customers column by column (a column
absent from the file leaves that field alone); these two functions are the
one place that knows how template columns map onto `Customer` and `Address`.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._problems import quote
from ._records import Address, Customer, CustomValue
from ._schema import ADDRESS_PARTS, TEMPLATE_COLUMNS

__all__ = ["FieldValue", "flatten", "show_value", "unflatten"]

#: A value in a diff: text, the email addresses, a custom column's value,
#: or ``None`` for blank.
FieldValue = str | tuple[str, ...] | CustomValue | None

_SCALARS = {
    "id": "id",
    "name": "name",
    "contact": "contact",
    "paymentTerms": "payment_terms",
    "shippingMethod": "shipping_method",
    "taxID": "tax_id",
    "customerGroup": "customer_group",
    "userGroup": "user_group",
}
_BLOCKS = (("bill", "bill_to"), ("ship", "ship_to"))


def flatten(customer: Customer) -> dict[str, FieldValue]:
    """Every non-blank field of *customer* under its template column name.

    Manufacturer ids are ``"id:<Manufacturer>"``; custom columns keep their
    names; `internal_id` is identity, not a field, and is left out.
    """
    fields: dict[str, FieldValue] = {}
    for column, attribute in _SCALARS.items():
        value = getattr(customer, attribute)
        if value is not None:
            fields[column] = value
    if customer.emails:
        fields["email"] = customer.emails
    for prefix, attribute in _BLOCKS:
        address = getattr(customer, attribute)
        if address is not None:
            for part in ADDRESS_PARTS:
                value = getattr(address, part)
                if value is not None:
                    fields[f"{prefix}_{part}"] = value
    for manufacturer, value in customer.manufacturer_ids.items():
        fields[f"id:{manufacturer}"] = value
    fields.update(customer.custom)
    return fields


_TEMPLATE = frozenset(TEMPLATE_COLUMNS) | {"email"}


def unflatten(fields: Mapping[str, FieldValue], *, internal_id: str | None) -> Customer:
    """The `Customer` whose `flatten` is *fields* (blank fields omitted).

    Fields that are neither template columns nor ``id:<Manufacturer>`` are
    custom columns.
    """

    def text(column: str) -> str | None:
        value = fields.get(column)
        return value if isinstance(value, str) else None

    def address(prefix: str) -> Address | None:
        parts = {part: text(f"{prefix}_{part}") for part in ADDRESS_PARTS}
        if all(value is None for value in parts.values()):
            return None
        return Address(**parts)

    emails = fields.get("email")
    return Customer(
        name=text("name") or "",
        id=text("id"),
        internal_id=internal_id,
        contact=text("contact"),
        emails=emails if isinstance(emails, tuple) else (),
        bill_to=address("bill"),
        ship_to=address("ship"),
        payment_terms=text("paymentTerms"),
        shipping_method=text("shippingMethod"),
        tax_id=text("taxID"),
        customer_group=text("customerGroup"),
        user_group=text("userGroup"),
        manufacturer_ids={
            column[3:]: value
            for column, value in fields.items()
            if column.startswith("id:") and isinstance(value, str)
        },
        custom={
            name: value
            for name, value in fields.items()
            if name not in _TEMPLATE
            and not name.startswith("id:")
            and value is not None
        },
    )


def show_value(value: FieldValue, blank: str) -> str:
    """*value* as a message shows it: quoted (emails joined), or *blank*."""
    if value is None:
        return blank
    if isinstance(value, tuple):
        return quote(", ".join(value))
    return quote(str(value))
