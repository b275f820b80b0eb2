"""The field table: one declaration that the schema, the parser, the records
and the diff all read."""

from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import given

from handshake_import import Address, CustomColumn, Customer, Schema
from handshake_import._schema import map_header
from handshake_import._template import (
    ADDRESS_PARTS,
    CUSTOMER_FIELDS,
    TEMPLATE_COLUMNS,
    customer_from_fields,
    customer_from_values,
    fields_of,
    values_of,
)

from .test_build import customers

TEMPLATE_ORDER = [
    "id", "internal_id", "name", "contact", "email",
    *(f"bill_{part}" for part in ADDRESS_PARTS),
    *(f"ship_{part}" for part in ADDRESS_PARTS),
    "paymentTerms", "shippingMethod", "taxID", "customerGroup", "userGroup",
]  # fmt: skip


def test_the_table_is_the_template() -> None:
    """The columns of the Handshake customer template, in its order; each
    fills a record attribute that exists."""
    assert TEMPLATE_ORDER == [field.column for field in CUSTOMER_FIELDS]
    assert list(TEMPLATE_COLUMNS) == TEMPLATE_ORDER
    customer_attributes = {field.name for field in attrs.fields(Customer)}
    address_attributes = {field.name for field in attrs.fields(Address)}
    for field in CUSTOMER_FIELDS:
        assert field.attribute in customer_attributes
        assert field.part is None or field.part in address_attributes
    assert ["name"] == [field.column for field in CUSTOMER_FIELDS if field.required]


def test_the_header_of_the_template_maps_every_field_to_its_place() -> None:
    """map_header reads the table: the template's own header maps each column
    to its field, in place, and needs every required one."""
    mapped = map_header(TEMPLATE_ORDER, header_row=1, sheet=None, schema=Schema())

    assert () == mapped.problems
    assert TEMPLATE_ORDER == [column.field for column in mapped.columns]
    assert list(range(len(TEMPLATE_ORDER))) == [c.place for c in mapped.columns]
    missing = map_header(["id"], header_row=1, sheet=None, schema=Schema())
    assert ["missing-required-column"] == [p.code for p in missing.problems]


@given(customers)
def test_values_make_the_customer_again(customer: Customer) -> None:
    """A customer's values build it again (without its mappings, which are
    the file's extra columns, not the table's)."""
    plain = attrs.evolve(customer, manufacturer_ids={}, custom={})
    # A block of blank parts is no address.
    for block in ("bill_to", "ship_to"):
        address = getattr(plain, block)
        if address is not None and not any(attrs.astuple(address)):
            plain = attrs.evolve(plain, **{block: None})

    assert plain == customer_from_values(values_of(plain))


@given(customers.filter(lambda c: c.name))
def test_fields_make_the_customer_again(customer: Customer) -> None:
    """`customer_from_fields` undoes `fields_of` (which leaves internal_id
    out, and blank fields)."""
    for block in ("bill_to", "ship_to"):
        address = getattr(customer, block)
        if address is not None and not any(attrs.astuple(address)):
            customer = attrs.evolve(customer, **{block: None})
    customer = attrs.evolve(
        customer,
        manufacturer_ids={k: v for k, v in customer.manufacturer_ids.items() if v},
        emails=tuple(e for e in customer.emails if e) if all(customer.emails) else (),
    )

    rebuilt = customer_from_fields(
        fields_of(customer), internal_id=customer.internal_id
    )

    assert customer == rebuilt


def test_fields_name_extra_columns_as_changes_do() -> None:
    """Manufacturer ids are ``id:<name>``, custom values keep their names."""
    customer = Customer(
        name="A",
        id="C1",
        internal_id="7",
        bill_to=Address(city="Oslo"),
        manufacturer_ids={"Acme": "9"},
        custom={"limit": Decimal("5")},
    )

    assert {
        "id": "C1",
        "name": "A",
        "bill_city": "Oslo",
        "id:Acme": "9",
        "limit": Decimal("5"),
    } == fields_of(customer)


def test_custom_columns_take_places_after_the_table() -> None:
    """Extra columns (custom, manufacturers) come after the table's fields,
    in file order."""
    mapped = map_header(
        ["name", "limit", "id:Acme"],
        header_row=1,
        sheet=None,
        schema=Schema([CustomColumn(name="limit", type="decimal")]),
    )

    count = len(CUSTOMER_FIELDS)
    assert [2, count, count + 1] == [column.place for column in mapped.columns]
    assert [(count, "limit", False), (count + 1, "Acme", True)] == [
        (extra.place, extra.key, extra.manufacturer) for extra in mapped.extras.columns
    ]
