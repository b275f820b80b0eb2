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

from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

from ._build import compiled, positional
from ._records import NO_MAPPING, Address, Customer, CustomValue, frozen_mapping

__all__ = [
    "ADDRESS_BLOCKS",
    "ADDRESS_PARTS",
    "BLANK_VALUES",
    "CUSTOMERS",
    "CUSTOMER_FIELDS",
    "CUSTOMER_GROUPS",
    "NO_EXTRAS",
    "OPTIONS",
    "SHIP_TO",
    "TEMPLATES",
    "TEMPLATE_COLUMNS",
    "Extra",
    "Extras",
    "Field",
    "FieldValue",
    "Kind",
    "Template",
    "TemplateName",
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
Kind = Literal["text", "id", "emails", "flag", "currency", "option-key"]

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
            rounded is refused), ``"emails"`` (several addresses),
            ``"flag"`` (1 or 0, a blank is 0), ``"currency"`` (a
            three-letter code) or ``"option-key"`` (one of `OPTION_KEYS`).
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

#: The templates of the bulk-import page, by the name the API gives them.
TemplateName = Literal["customers", "ship-to", "options", "customer-groups"]


@attrs.frozen
class Template:
    """One spreadsheet of the bulk-import page, as a table of fields.

    Header matching, the parser and the planner read it; a row's values
    hold one value per field, in this order.

    Attributes:
        name: how the API names it (``"customers"``).
        noun: what one of its rows is, for messages (``"customer"``).
        fields: its columns, in template order.
        extra_columns: whether a file may add ``id:<Manufacturer>`` and
            custom columns to it (after the fields, in a row's values).
        one_of: columns of which a file must have at least one.
    """

    name: TemplateName
    noun: str
    fields: tuple[Field, ...]
    extra_columns: bool = False
    one_of: tuple[str, ...] = ()
    #: column -> its place in a row's values
    places: Mapping[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        places = {field.column: place for place, field in enumerate(self.fields)}
        object.__setattr__(self, "places", MappingProxyType(places))

    @property
    def columns(self) -> Mapping[str, Kind]:
        """Column -> its kind, in template order."""
        return {field.column: field.kind for field in self.fields}

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have, and a row must fill."""
        return tuple(field.column for field in self.fields if field.required)

    @property
    def needs(self) -> str:
        """The columns a file must have, for messages (``key, value``;
        ``cust_id or cust_name``)."""
        return ", ".join(
            [*self.required, *([" or ".join(self.one_of)] * bool(self.one_of))]
        )

    def fits(self, columns: Collection[str]) -> bool:
        """Whether a file with *columns* has the columns it must have."""
        return all(column in columns for column in self.required) and (
            not self.one_of or any(column in columns for column in self.one_of)
        )

    def at(self, column: str) -> int:
        """The place of *column* in a row's values."""
        return self.places[column]


#: The customer template.
CUSTOMERS = Template("customers", "customer", CUSTOMER_FIELDS, extra_columns=True)

#: The additional ship-to addresses template: a customer's addresses other
#: than the one of its own ``ship_*`` columns, each in the customer
#: template's ``ship_*`` columns.
SHIP_TO = Template(
    "ship-to",
    "ship-to address",
    (
        Field("cust_id", "customer_id", kind="id"),
        Field("cust_name", "customer_name"),
        *_block("ship"),
    ),
    one_of=("cust_id", "cust_name"),
)

#: The options template: the values of each option list, in order.
OPTIONS = Template(
    "options",
    "option",
    (
        Field("key", "key", kind="option-key", required=True),
        Field("value", "value", required=True),
        Field("isDefault", "is_default", kind="flag"),
    ),
)

#: The customer groups template.
CUSTOMER_GROUPS = Template(
    "customer-groups",
    "customer group",
    (
        Field("id", "id", kind="id", required=True),
        Field("isDefault", "is_default", kind="flag"),
        Field("name", "name"),
        Field("currency", "currency", kind="currency"),
    ),
)

#: Every template, by name.
TEMPLATES: Mapping[str, Template] = {
    template.name: template
    for template in (CUSTOMERS, SHIP_TO, OPTIONS, CUSTOMER_GROUPS)
}

#: Template column -> its kind, in template order.
TEMPLATE_COLUMNS: Mapping[str, Kind] = CUSTOMERS.columns

_POSITIONS = CUSTOMERS.places


def at(column: str) -> int:
    """The place of customer template *column* in a row's values."""
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
            [
                (ids if extra.manufacturer else custom).get(extra.key)
                for extra in self.columns
            ]
        )


NO_EXTRAS = Extras()

# -- values <-> records ------------------------------------------------------------
#
# The two conversions are generated from the table and from `attrs.fields`
# (see `_build.compiled`): straight-line code, one attribute read or one
# item per field, costs a quarter of what a loop over the fields costs, and
# they run once per stored customer compared and once per record built.

_build_address = positional(Address)
_build_customer = positional(Customer)
_COUNT = len(CUSTOMER_FIELDS)


def _block_slice(attribute: str) -> slice:
    """Where the values of the address block *attribute* are: the fields of
    one block follow each other in the table, in `Address` field order."""
    places = [i for i, f in enumerate(CUSTOMER_FIELDS) if f.attribute == attribute]
    block = slice(places[0], places[-1] + 1)
    assert tuple(f.part for f in CUSTOMER_FIELDS[block]) == ADDRESS_PARTS
    return block


def _customer_from_values_source() -> str:
    lines = [
        "def customer_from_values("
        "values, manufacturer_ids=NO_MAPPING, custom=NO_MAPPING):"
    ]
    arguments = []
    for field in attrs.fields(Customer):
        name = field.name
        if name in ADDRESS_BLOCKS.values():
            parts = [f"values[{i}]" for i in range(*_block_slice(name).indices(_COUNT))]
            arguments.append(
                f"address({', '.join(parts)}) if ({' or '.join(parts)}) else None"
            )
        elif name in ("manufacturer_ids", "custom"):
            arguments.append(name)
        elif name == "emails":
            email = f"values[{_POSITIONS['email']}]"
            arguments.append(f"tuple({email}.split('\\n')) if {email} else ()")
        else:
            (place,) = (i for i, f in enumerate(CUSTOMER_FIELDS) if f.attribute == name)
            arguments.append(f"values[{place}]")
    lines.append(f"    return build({', '.join(arguments)})")
    return "\n".join(lines) + "\n"


customer_from_values: Callable[..., Customer] = compiled(
    _customer_from_values_source(),
    "customer_from_values",
    {
        "build": _build_customer,
        "address": _build_address,
        "NO_MAPPING": NO_MAPPING,
    },
    "customer_from_values",
)
customer_from_values.__doc__ = """The `Customer` whose table values are *values*.

A blank address block is no address; *manufacturer_ids* and *custom* are
read-only mappings (see `frozen_mapping`), the shared empty one when empty.
Signature: ``(values, manufacturer_ids=NO_MAPPING, custom=NO_MAPPING)``.
"""


def _values_of_source() -> str:
    lines = ["def values_of(customer):"]
    for prefix, attribute in ADDRESS_BLOCKS.items():
        lines.append(f"    {prefix} = customer.{attribute} or NO_ADDRESS")
    lines.append("    emails = customer.emails")
    items = []
    prefixes = {attribute: prefix for prefix, attribute in ADDRESS_BLOCKS.items()}
    for field in CUSTOMER_FIELDS:
        if field.part:
            items.append(f"{prefixes[field.attribute]}.{field.part}")
        elif field.attribute == "emails":
            items.append("'\\n'.join(emails) if emails else None")
        else:
            items.append(f"customer.{field.attribute}")
    lines.append(f"    return ({', '.join(items)},)")
    return "\n".join(lines) + "\n"


values_of: Callable[[Customer], Values] = compiled(
    _values_of_source(), "values_of", {"NO_ADDRESS": Address()}, "values_of"
)
values_of.__doc__ = "A stored customer's values of the table's fields, in its order."


def customer_of_row(values: Values, extras: Extras) -> Customer:
    """The `Customer` of a row read from a file whose extra columns are
    *extras*."""
    return customer_from_values(
        values,
        extras.manufacturer_ids(values) if extras.manufacturers else NO_MAPPING,
        extras.custom_values(values) if extras.custom else NO_MAPPING,
    )


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
        frozen_mapping(
            {
                column[3:]: value
                for column, value in fields.items()
                if column.startswith("id:") and isinstance(value, str)
            }
        ),
        frozen_mapping(
            {
                name: value
                for name, value in fields.items()
                if name not in TEMPLATE_COLUMNS
                and not name.startswith("id:")
                and value is not None
            }
        ),
    )
