"""Storage adapters: implementations of `CustomerStore` for real databases,
and the pieces every adapter's ``apply`` shares.

The core package never imports this package; import the adapter you use::

    from handshake_import.adapters.sqlite import SQLiteStore

An adapter of your own builds its ``apply`` on `check_plan` (refuse a plan
with errors unless partial), `apply_options` and `apply_customer_groups`
(the option lists and the customer groups once the plan's actions are
applied, after checking them), `ship_to_customers` and `apply_ship_to`
(whose additional ship-to addresses the plan changes, and what they are
once it is applied), `apply_update` (check an update's old values
against the stored customer and give the updated one), `id_created_since`
and `id_taken_since` (the `StalePlanError` for ids that another process took
meanwhile), `check_names_free` and `name_taken_since` (the same for the name
of a customer created with a generated id), and returns an `ApplyResult`;
`WritableCustomerStore` is the protocol of such a store. `customer_fields`
gives a customer's values by template column, as an `UpdateCustomer`'s
``changes`` name them, and `customer_from_fields` builds the `Customer` of
such values (what an adapter reads back from its tables);
`dump_custom_values` and `load_custom_values` keep custom values in a text
column. `generated_number` gives the number of an ``HS-<n>`` id, as
``highest_generated_id`` counts them, and `integer_internal_id` the number
of a key that can be an integer internal id (``None`` for any other).
"""

from .._apply import (
    ApplyResult,
    apply_customer_groups,
    apply_options,
    apply_update,
    check_names_free,
    check_plan,
    id_created_since,
    id_taken_since,
    name_taken_since,
)
from .._apply_ship_to import apply_ship_to, ship_to_customers
from .._serialize import dump_custom_values, load_custom_values
from .._store import WritableCustomerStore, generated_number, integer_internal_id
from .._template import customer_from_fields
from .._template import fields_of as customer_fields

__all__ = [
    "ApplyResult",
    "WritableCustomerStore",
    "apply_customer_groups",
    "apply_options",
    "apply_ship_to",
    "apply_update",
    "check_names_free",
    "check_plan",
    "customer_fields",
    "customer_from_fields",
    "dump_custom_values",
    "generated_number",
    "id_created_since",
    "id_taken_since",
    "integer_internal_id",
    "load_custom_values",
    "name_taken_since",
    "ship_to_customers",
]
