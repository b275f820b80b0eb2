"""The comparison's customer table: one text column per template column."""

from __future__ import annotations

from django.db import models

#: Model field -> template column, where the column's name cannot be a field:
#: ``id`` is the model's primary key, and ``id:Acme Tools`` is no identifier.
#: Every other field is named as its column.
COLUMN_FOR_FIELD = {"crm_id": "id", "acme_tools_id": "id:Acme Tools"}


def _text(**options: bool) -> models.CharField:
    """A text column; blank cells are stored as ``""``."""
    return models.CharField(max_length=255, blank=True, default="", **options)


class Customer(models.Model):  # type: ignore[misc]
    """A stored customer, as the template's cells."""

    crm_id = _text(unique=True)
    internal_id = _text()
    name = _text()
    contact = _text()
    email = _text()
    bill_id = _text()
    bill_name = _text()
    bill_street = _text()
    bill_street2 = _text()
    bill_city = _text()
    bill_state = _text()
    bill_postcode = _text()
    bill_country = _text()
    bill_phone = _text()
    bill_fax = _text()
    ship_id = _text()
    ship_name = _text()
    ship_street = _text()
    ship_street2 = _text()
    ship_city = _text()
    ship_state = _text()
    ship_postcode = _text()
    ship_country = _text()
    ship_phone = _text()
    ship_fax = _text()
    # camelCase, as the template spells these columns
    paymentTerms = _text()
    shippingMethod = _text()
    taxID = _text()
    customerGroup = _text()
    userGroup = _text()
    acme_tools_id = _text()

    class Meta:
        app_label = "_django_app"

    def __str__(self) -> str:
        return f"{self.name} ({self.crm_id})"
