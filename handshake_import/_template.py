"""The customer template as one table: each column, the record attribute it
fills, and how its cells are read.

Header matching (`_schema`), the parser (`_parse`), the record builders
here, the diff (`_changes`), the SQLite adapter's columns and the messages
all read `CUSTOMER_FIELDS`; none of them spells the columns out again.

A row travels through the library as its *values*: a flat tuple holding
one value per field of the table, in the table's order — a text, ``None``
when blank (the ``email`` field's addresses joined by line breaks, which
no address holds) — then one value per extra column of the file
(``id:<Manufacturer>`` ids and custom columns; `Extras` says where each
is). A flat tuple of texts is the lightest thing Python has to hold a row
in: the cyclic garbage collector stops tracking it after its first look,
where every record is tracked, and walked again, for as long as it lives
(a tuple inside it would keep it tracked one look longer). The records
(`Customer`, `Address`) are built from the values only when one is wanted:
a row handed to the caller, a customer to create.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import attrs

from ._build import positional
from ._records import NO_MAPPING, Address, Customer, CustomValue, frozen_mapping

__all__ = [
    "ADDRESS_BLOCKS",
    "ADDRESS_PARTS",
    "BLANK_VALUES",
    "CUSTOMER_FIELDS",
    "NO_EXTRAS",
    "TEMPLATE_COLUMNS",
    "Extra",
    "Extras",
    "Field",
    "FieldValue",
    "Kind",
    "Values",
    "at",
    "customer_from_fields",
    "customer_from_values",
    "customer_of_row",
    "emails_of",
    "emails_value",
    "fields_of",
    "values_of",
]

#: How a column's cells are read.
Kind = Literal["text", "id", "emails"]

#: A value of a field: text, the email addresses, a custom column's value,
#: or ``None`` for blank.
FieldValue = str | tuple[str, ...] | CustomValue | None

#: A row's values: see the module's docstring. (Each is a `FieldValue`; the
#: kind of each place is the table's, which a checker cannot follow.)
Values = tuple[Any, ...]


@attrs.frozen
class Field:
    """One column of the template.

    Attributes:
        column: the column as the template's header names it (``bill_city``).
        attribute: the `Customer` attribute it fills (``bill_to``).
        part: for an address column, the `Address` attribute (``city``).
        kind: how its cells are read: ``"text"``, ``"id"`` (an id Excel
            rounded is refused) or ``"emails"`` (several addresses).
        required: a file without the column cannot be read, and a row with
            a blank cell is an error.
    """

    column: str
    attribute: str
    part: str | None = None
    kind: Kind = "text"
    required: bool = False


#: The parts of an address block, in `Address` field order (``bill_<part>``).
ADDRESS_PARTS: tuple[str, ...] = tuple(field.name for field in attrs.fields(Address))

#: Address block prefix -> the `Customer` attribute it fills.
ADDRESS_BLOCKS: Mapping[str, str] = {"bill": "bill_to", "ship": "ship_to"}


def _block(prefix: str) -> tuple[Field, ...]:
    attribute = ADDRESS_BLOCKS[prefix]
    return tuple(Field(f"{prefix}_{part}", attribute, part) for part in ADDRESS_PARTS)


#: The customer template, in template order.
CUSTOMER_FIELDS: tuple[Field, ...] = (
    Field("id", "id", kind="id"),
    Field("internal_id", "internal_id", kind="id"),
    Field("name", "name", required=True),
    Field("contact", "contact"),
    Field("email", "emails", kind="emails"),
    *_block("bill"),
    *_block("ship"),
    Field("paymentTerms", "payment_terms"),
    Field("shippingMethod", "shipping_method"),
    Field("taxID", "tax_id"),
    Field("customerGroup", "customer_group"),
    Field("userGroup", "user_group"),
)

#: Template column -> its kind, in template order.
TEMPLATE_COLUMNS: Mapping[str, Kind] = {f.column: f.kind for f in CUSTOMER_FIELDS}

_POSITIONS = {field.column: index for index, field in enumerate(CUSTOMER_FIELDS)}


def at(column: str) -> int:
    """The place of template *column* in a row's values."""
    return _POSITIONS[column]


#: The blank value of each field, in table order.
BLANK_VALUES: Values = (None,) * len(CUSTOMER_FIELDS)
_EMAIL = _POSITIONS["email"]


def emails_of(text: str | None) -> tuple[str, ...]:
    """The addresses of an ``email`` value."""
    return tuple(text.split("\n")) if text else ()


def emails_value(addresses: tuple[str, ...]) -> str | None:
    """The ``email`` value of *addresses*."""
    return "\n".join(addresses) or None


@attrs.frozen
class Extra:
    """An extra column of a file: a manufacturer's ids, or a custom column.

    Attributes:
        place: where its value is in a row's values (after the table's).
        column: its name in `CustomerRow.present` and in an update's
            changes: ``"id:<Manufacturer>"``, or the custom column's name.
        key: its key in `Customer.manufacturer_ids` or `Customer.custom`.
        manufacturer: whether it holds a manufacturer's ids.
    """

    place: int
    column: str
    key: str
    manufacturer: bool


def _places(
    extras: tuple[Extra, ...], manufacturer: bool
) -> tuple[tuple[int, str], ...]:
    return tuple((e.place, e.key) for e in extras if e.manufacturer is manufacturer)


@attrs.frozen
class Extras:
    """The extra columns of a file, in file order."""

    columns: tuple[Extra, ...] = ()
    #: (place, manufacturer) of each manufacturer column
    manufacturers: tuple[tuple[int, str], ...] = attrs.field(init=False)
    #: (place, name) of each custom column
    custom: tuple[tuple[int, str], ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "manufacturers", _places(self.columns, True))
        object.__setattr__(self, "custom", _places(self.columns, False))

    def manufacturer_ids(self, values: Values) -> Mapping[str, str]:
        """The manufacturer ids of a row, read-only (blank ones left out)."""
        found = {
            name: value
            for place, name in self.manufacturers
            if (value := values[place]) is not None
        }
        return MappingProxyType(found) if found else NO_MAPPING

    def custom_values(self, values: Values) -> Mapping[str, CustomValue]:
        """The custom values of a row, read-only (blank ones left out)."""
        found = {
            name: value
            for place, name in self.custom
            if (value := values[place]) is not None
        }
        return MappingProxyType(found) if found else NO_MAPPING

    def stored(self, customer: Customer) -> Values:
        """A stored customer's values of these columns, in their order."""
        ids, custom = customer.manufacturer_ids, customer.custom
        return tuple(
            (ids if extra.manufacturer else custom).get(extra.key)
            for extra in self.columns
        )


NO_EXTRAS = Extras()

# -- values <-> records ------------------------------------------------------------
#
# Derived from the table and from `attrs.fields`: the fields of one address
# block follow each other in the table, in `Address` field order.

_build_address = positional(Address)
_build_customer = positional(Customer)
_COUNT = len(CUSTOMER_FIELDS)
_BLOCK_SLICES = {
    attribute: slice(
        min(i for i, f in enumerate(CUSTOMER_FIELDS) if f.attribute == attribute),
        max(i for i, f in enumerate(CUSTOMER_FIELDS) if f.attribute == attribute) + 1,
    )
    for attribute in ADDRESS_BLOCKS.values()
}
assert all(
    tuple(f.part for f in CUSTOMER_FIELDS[where]) == ADDRESS_PARTS
    for where in _BLOCK_SLICES.values()
)
# `customer_from_values` hands the builder a row's table values followed by
# the built blocks and the two mappings: this picks the `Customer` fields,
# in `attrs.fields` order, out of that.
_APPENDED = [*_BLOCK_SLICES, "manufacturer_ids", "custom"]


def _argument_place(attribute: str) -> int:
    if attribute in _APPENDED:
        return _COUNT + _APPENDED.index(attribute)
    (place,) = (i for i, f in enumerate(CUSTOMER_FIELDS) if f.attribute == attribute)
    return place


_customer_arguments = operator.itemgetter(
    *(_argument_place(field.name) for field in attrs.fields(Customer))
)


def _address(parts: Sequence[Any]) -> Address | None:
    """The `Address` of a block's values; ``None`` when they are all blank."""
    return _build_address(*parts) if any(parts) else None


def customer_from_values(
    values: Values,
    manufacturer_ids: Mapping[str, str] = NO_MAPPING,
    custom: Mapping[str, CustomValue] = NO_MAPPING,
) -> Customer:
    """The `Customer` whose table values are *values* (a blank address
    block is no address); *manufacturer_ids* and *custom* are read-only
    mappings (see `frozen_mapping`), the shared empty one when empty."""
    whole = [
        *values[:_COUNT],
        *map(_address, map(values.__getitem__, _BLOCK_SLICES.values())),
        manufacturer_ids,
        custom,
    ]
    whole[_EMAIL] = emails_of(whole[_EMAIL])
    return _build_customer(*_customer_arguments(whole))


def customer_of_row(values: Values, extras: Extras) -> Customer:
    """The `Customer` of a row read from a file whose extra columns are
    *extras*."""
    return customer_from_values(
        values,
        extras.manufacturer_ids(values) if extras.manufacturers else NO_MAPPING,
        extras.custom_values(values) if extras.custom else NO_MAPPING,
    )


def _one(get: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, ...]]:
    return lambda value: (get(value),)


def _segment_getters() -> list[
    tuple[str | None, Callable[[Any], tuple[Any, ...]], int]
]:
    """The table as runs of consecutive fields read from one object: the
    customer itself (``None``), or one of its address blocks."""
    runs: list[tuple[str | None, list[str]]] = []
    for field in CUSTOMER_FIELDS:
        owner = field.attribute if field.part else None
        name = field.part or field.attribute
        if runs and runs[-1][0] == owner:
            runs[-1][1].append(name)
        else:
            runs.append((owner, [name]))
    getters: list[tuple[str | None, Callable[[Any], tuple[Any, ...]], int]] = []
    for owner, names in runs:
        if len(names) == 1:
            (single,) = names
            get = operator.attrgetter(single)
            getters.append((owner, _one(get), 1))
        else:
            getters.append((owner, operator.attrgetter(*names), len(names)))
    return getters


_SEGMENTS = _segment_getters()


def values_of(customer: Customer) -> Values:
    """A stored customer's values of the table's fields, in its order."""
    values: list[Any] = []
    for owner, get, count in _SEGMENTS:
        if owner is None:
            values.extend(get(customer))
        else:
            block = getattr(customer, owner)
            values.extend(get(block) if block is not None else (None,) * count)
    values[_EMAIL] = emails_value(values[_EMAIL])
    return tuple(values)


# -- records by column name (for `apply` and adapters) ------------------------------


def fields_of(customer: Customer) -> dict[str, FieldValue]:
    """Every non-blank field of *customer* under its column name, as an
    `UpdateCustomer`'s ``changes`` name them.

    Manufacturer ids are ``"id:<Manufacturer>"``; custom columns keep their
    names; ``internal_id`` is identity, not a field, and is left out.
    """
    fields: dict[str, FieldValue] = {
        field.column: value
        for field, value in zip(CUSTOMER_FIELDS, values_of(customer), strict=True)
        if value is not None and field.column != "internal_id"
    }
    if customer.emails:
        fields["email"] = customer.emails
    for manufacturer, value in customer.manufacturer_ids.items():
        fields[f"id:{manufacturer}"] = value
    fields.update(customer.custom)
    return fields


def customer_from_fields(
    fields: Mapping[str, FieldValue], *, internal_id: str | None
) -> Customer:
    """The `Customer` whose `fields_of` is *fields* (blank fields omitted).

    Fields that are neither template columns nor ``id:<Manufacturer>`` are
    custom columns.
    """
    values = tuple(
        internal_id
        if field.column == "internal_id"
        else emails_value(fields.get("email") or ())  # type: ignore[arg-type]
        if field.column == "email"
        else fields.get(field.column)
        for field in CUSTOMER_FIELDS
    )
    if values[at("name")] is None:
        values = (*values[: at("name")], "", *values[at("name") + 1 :])
    return customer_from_values(
        values,
        frozen_mapping(  # type: ignore[arg-type]
            {
                column[3:]: value
                for column, value in fields.items()
                if column.startswith("id:") and isinstance(value, str)
            }
        ),
        frozen_mapping(  # type: ignore[arg-type]
            {
                name: value
                for name, value in fields.items()
                if name not in TEMPLATE_COLUMNS
                and not name.startswith("id:")
                and value is not None
            }
        ),
    )
