"""How a row changes a stored customer: the changes of an `UpdateCustomer`.

Only the columns the file has are compared: an absent column leaves its
field alone, a blank cell clears it. Emails compare as a set; a blank id
never clears an id, and internal_id never changes. `Diff` is built once per
set of columns (per header) and called once per matched row.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._fields import FieldValue
from ._records import Address, Customer
from ._schema import ADDRESS_PARTS, TEMPLATE_COLUMNS

__all__ = ["Diff", "same_value"]


def same_value(field: str, old: FieldValue, new: FieldValue) -> bool:
    """Whether a field's values are the same (emails compare as a set)."""
    if field == "email" and isinstance(old, tuple) and isinstance(new, tuple):
        return {e.casefold() for e in old} == {e.casefold() for e in new}
    return old == new


_SCALAR_COLUMNS = (
    ("name", "name"),
    ("contact", "contact"),
    ("paymentTerms", "payment_terms"),
    ("shippingMethod", "shipping_method"),
    ("taxID", "tax_id"),
    ("customerGroup", "customer_group"),
    ("userGroup", "user_group"),
)


# The changes of the common file, which has every template column, are
# found by `_scalar_changes` and `_Block.whole_changes`: written out, a plain
# attribute read and comparison per column, because that is the cheapest
# way there is (tuples of the values, or `operator.attrgetter`, cost more,
# and an attrs `__eq__` is a Python call of its own). `_SomeScalars` and
# `_Block.some_changes` serve the files that lack some columns.
# tests/test_plan_building.py compares them column by column.


def _scalar_changes(
    stored: Customer, new: Customer, changes: dict[str, tuple[FieldValue, FieldValue]]
) -> None:
    """Add to *changes* every `_SCALAR_COLUMNS` column where *stored* and
    *new* differ."""
    if stored.name != new.name:
        changes["name"] = (stored.name, new.name)
    if stored.contact != new.contact:
        changes["contact"] = (stored.contact, new.contact)
    if stored.payment_terms != new.payment_terms:
        changes["paymentTerms"] = (stored.payment_terms, new.payment_terms)
    if stored.shipping_method != new.shipping_method:
        changes["shippingMethod"] = (stored.shipping_method, new.shipping_method)
    if stored.tax_id != new.tax_id:
        changes["taxID"] = (stored.tax_id, new.tax_id)
    if stored.customer_group != new.customer_group:
        changes["customerGroup"] = (stored.customer_group, new.customer_group)
    if stored.user_group != new.user_group:
        changes["userGroup"] = (stored.user_group, new.user_group)


def _values_of(attributes: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving an object's *attributes* as a tuple."""
    if len(attributes) > 1:
        return operator.attrgetter(*attributes)
    # `attrgetter` of one attribute answers the value itself, not a tuple.
    getters = [operator.attrgetter(attribute) for attribute in attributes]
    return lambda value: tuple(get(value) for get in getters)


def _add_changes(
    changes: dict[str, tuple[FieldValue, FieldValue]],
    columns: Sequence[str],
    befores: Sequence[str | None],
    afters: Sequence[str | None],
) -> None:
    """Add to *changes* each column whose value before and after differ."""
    for column, before, after in zip(columns, befores, afters, strict=True):
        if before != after:
            changes[column] = (before, after)


class _SomeScalars:
    """`_scalar_changes` for some of the `_SCALAR_COLUMNS`."""

    def __init__(self, present: frozenset[str]) -> None:
        scalars = [pair for pair in _SCALAR_COLUMNS if pair[0] in present]
        self.columns = [column for column, _ in scalars]
        self.values_of = _values_of([attribute for _, attribute in scalars])

    def __call__(
        self,
        stored: Customer,
        new: Customer,
        changes: dict[str, tuple[FieldValue, FieldValue]],
    ) -> None:
        # Scalars are text or None: tuples of them are equal exactly when
        # every pair is.
        befores, afters = self.values_of(stored), self.values_of(new)
        if befores != afters:
            _add_changes(changes, self.columns, befores, afters)


class _Block:
    """The columns of one address block that the file has."""

    def __init__(self, prefix: str, present: frozenset[str]) -> None:
        parts = [part for part in ADDRESS_PARTS if f"{prefix}_{part}" in present]
        self.columns = [f"{prefix}_{part}" for part in parts]
        self.whole = len(parts) == len(ADDRESS_PARTS)
        self.values_of = _values_of(parts)
        self.blank = (None,) * len(parts)  # the values of a blank block

    @classmethod
    def of(cls, prefix: str, present: frozenset[str]) -> _Block | None:
        """The block *prefix* of a file with the *present* columns, or None
        when it has none of them."""
        block = cls(prefix, present)
        return block if block.columns else None

    def whole_changes(
        self,
        changes: dict[str, tuple[FieldValue, FieldValue]],
        old: Address,
        new: Address,
    ) -> None:
        """Add to *changes* the columns where addresses *old* and *new*
        differ, for a whole block."""
        (
            id_,
            name,
            street,
            street2,
            city,
            state,
            postcode,
            country,
            phone,
            fax,
        ) = self.columns
        if old.id != new.id:
            changes[id_] = (old.id, new.id)
        if old.name != new.name:
            changes[name] = (old.name, new.name)
        if old.street != new.street:
            changes[street] = (old.street, new.street)
        if old.street2 != new.street2:
            changes[street2] = (old.street2, new.street2)
        if old.city != new.city:
            changes[city] = (old.city, new.city)
        if old.state != new.state:
            changes[state] = (old.state, new.state)
        if old.postcode != new.postcode:
            changes[postcode] = (old.postcode, new.postcode)
        if old.country != new.country:
            changes[country] = (old.country, new.country)
        if old.phone != new.phone:
            changes[phone] = (old.phone, new.phone)
        if old.fax != new.fax:
            changes[fax] = (old.fax, new.fax)

    def some_changes(
        self,
        changes: dict[str, tuple[FieldValue, FieldValue]],
        old: Address | None,
        new: Address | None,
    ) -> None:
        """Add to *changes* the columns where addresses *old* and *new*
        differ, for any block, either address possibly none."""
        befores = self.blank if old is None else self.values_of(old)
        afters = self.blank if new is None else self.values_of(new)
        if befores != afters:
            _add_changes(changes, self.columns, befores, afters)


class Diff:
    """The changes between a stored customer and a row, for one set of
    columns: only the columns the file has are compared (an absent column
    leaves its field alone; a blank cell clears it)."""

    def __init__(
        self, present: frozenset[str], names: Mapping[str, str | None]
    ) -> None:
        self.id = "id" in present
        self.scalars: Callable[
            [Customer, Customer, dict[str, tuple[FieldValue, FieldValue]]], None
        ] = (
            _scalar_changes
            if all(column in present for column, _ in _SCALAR_COLUMNS)
            else _SomeScalars(present)
        )
        self.email = "email" in present
        self.bill = _Block.of("bill", present)
        self.ship = _Block.of("ship", present)
        # Sorted: `present` is a set, and a plan's changes keep one order.
        self.manufacturers = sorted(
            known
            for field in present
            if field.startswith("id:") and (known := names.get(field[3:])) is not None
        )
        self.custom = sorted(
            field
            for field in present
            if field not in TEMPLATE_COLUMNS
            and field != "email"
            and not field.startswith("id:")
        )

    def __call__(
        self, stored: Customer, new: Customer
    ) -> dict[str, tuple[FieldValue, FieldValue]]:
        changes: dict[str, tuple[FieldValue, FieldValue]] = {}
        # Identity: a blank id never clears an id; internal_id never changes.
        if self.id and new.id and new.id != stored.id:
            changes["id"] = (stored.id, new.id)
        self.scalars(stored, new, changes)
        # Equal tuples are the same set, without casefolding each address.
        if (
            self.email
            and stored.emails != new.emails
            and not same_value("email", stored.emails, new.emails)
        ):
            changes["email"] = (stored.emails or None, new.emails or None)
        # Two blank addresses are the same None: nothing to compare. (Both
        # blocks written out: a loop over the two costs more than either.)
        block, old, new_address = self.bill, stored.bill_to, new.bill_to
        if block is not None and old is not new_address:
            if block.whole and old is not None and new_address is not None:
                block.whole_changes(changes, old, new_address)
            else:
                block.some_changes(changes, old, new_address)
        block, old, new_address = self.ship, stored.ship_to, new.ship_to
        if block is not None and old is not new_address:
            if block.whole and old is not None and new_address is not None:
                block.whole_changes(changes, old, new_address)
            else:
                block.some_changes(changes, old, new_address)
        # Equal mappings hold no change; one comparison is cheaper than a
        # `get` per name (a read-only mapping's `get` is a slow call).
        if self.manufacturers and stored.manufacturer_ids != new.manufacturer_ids:
            for manufacturer in self.manufacturers:
                before = stored.manufacturer_ids.get(manufacturer)
                after = new.manufacturer_ids.get(manufacturer)
                if before != after:
                    changes[f"id:{manufacturer}"] = (before, after)
        # Custom values one by one, as they come: a mapping's comparison
        # would take an identical NaN for no change, where `!=` sees one.
        for name in self.custom:
            old_value, new_value = stored.custom.get(name), new.custom.get(name)
            if old_value != new_value:
                changes[name] = (old_value, new_value)
        return changes
