"""The django-import-export resource that imports the customer CSV."""

from __future__ import annotations

from import_export import fields, resources

from .models import COLUMN_FOR_FIELD, Customer

_COLUMNS = [f.name for f in Customer._meta.get_fields() if f.name != "id"]


class CustomerResource(resources.ModelResource):  # type: ignore[misc]
    """Matches rows on the CSV's ``id`` (the model's ``crm_id``), skips rows
    that change nothing, and otherwise keeps django-import-export's defaults
    (one query per row to find the instance, a diff of every row)."""

    crm_id = fields.Field(attribute="crm_id", column_name=COLUMN_FOR_FIELD["crm_id"])
    acme_tools_id = fields.Field(
        attribute="acme_tools_id", column_name=COLUMN_FOR_FIELD["acme_tools_id"]
    )

    class Meta:
        model = Customer
        fields = tuple(_COLUMNS)
        import_id_fields = ("crm_id",)
        skip_unchanged = True
        report_skipped = True
