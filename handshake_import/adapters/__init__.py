"""Storage adapters: implementations of `CustomerStore` for real databases,
and the pieces every adapter's ``apply`` shares.

The core package never imports this package; import the adapter you use::

    from handshake_import.adapters.sqlite import SQLiteStore

An adapter of your own builds its ``apply`` on `check_plan` (refuse a plan
with errors unless partial), `apply_options` and `apply_customer_groups`
(the option lists and the customer groups once the plan's actions are
applied, after checking them), `apply_update` (check an update's old values
against the stored customer and give the updated one), `id_created_since`
and `id_taken_since` (the `StalePlanError` for ids that another process took
meanwhile), `name_taken_since` (the same for the name of a customer created
with a generated id), and returns an `ApplyResult`. `customer_fields` gives a
customer's values by template column, as an `UpdateCustomer`'s ``changes``
name them, and `customer_from_fields` builds the `Customer` of such values
(what an adapter reads back from its tables). `generated_number` gives the
number of an ``HS-<n>`` id, as ``highest_generated_id`` counts them.
"""

from .._apply import (
    ApplyResult,
    apply_customer_groups,
    apply_options,
    apply_update,
    check_plan,
    id_created_since,
    id_taken_since,
    name_taken_since,
)
from .._store import generated_number
from .._template import customer_from_fields
from .._template import fields_of as customer_fields

__all__ = [
    "ApplyResult",
    "apply_customer_groups",
    "apply_options",
    "apply_update",
    "check_plan",
    "customer_fields",
    "customer_from_fields",
    "generated_number",
    "id_created_since",
    "id_taken_since",
    "name_taken_since",
]
