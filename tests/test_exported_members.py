"""The public surface is exactly what `__all__` says, and it is cheap to import."""

from __future__ import annotations

import inspect
import subprocess
import sys
import types

import pytest

import handshake_import


def test_all() -> None:
    """`__all__` is sorted and pins the public names."""
    assert [
        "OPTION_KEYS",
        "Action",
        "Address",
        "ApplyError",
        "ApplyResult",
        "Column",
        "CreateCustomer",
        "CreateCustomerGroup",
        "CreateOption",
        "CreateShipTo",
        "CreateUserGroup",
        "CustomColumn",
        "Customer",
        "CustomerGroup",
        "CustomerRow",
        "CustomerStore",
        "ImportFileError",
        "InMemoryStore",
        "LimitExceededError",
        "Limits",
        "MatchedBy",
        "Option",
        "Plan",
        "PlanHasErrorsError",
        "Problem",
        "Progress",
        "ReadResult",
        "Schema",
        "StalePlanError",
        "StoreError",
        "Unchanged",
        "UnchangedCustomerGroup",
        "UnchangedOption",
        "UnchangedShipTo",
        "UpdateCustomer",
        "UpdateCustomerGroup",
        "UpdateOption",
        "UpdateShipTo",
        "WritableCustomerStore",
        "describe_plan",
        "fold_name",
        "iter_customers",
        "name_key",
        "read_customers",
        "reconcile",
        "structure_plan",
        "unstructure_plan",
    ] == handshake_import.__all__
    # ruff (RUF022) keeps the list sorted, constants first.


def test_every_public_name_has_a_docstring() -> None:
    """Every exported class and function is documented (aliases are, in docs/)."""
    objects = {
        name: getattr(handshake_import, name) for name in handshake_import.__all__
    }
    undocumented = [
        name
        for name, obj in objects.items()
        if (inspect.isclass(obj) or inspect.isfunction(obj))
        # An alias such as Progress = Callable[...] is no class, though
        # Python 3.10's inspect.isclass says it is: the alias passes
        # __class__ on from its origin there.
        and not isinstance(obj, types.GenericAlias)
        and not obj.__doc__
    ]

    assert [] == undocumented


def test_source_type_is_checked_at_call_time() -> None:
    """A wrong source type is API misuse, raised by the call, not later."""
    with pytest.raises(TypeError, match="source must be a path, bytes"):
        handshake_import.iter_customers(42)  # type: ignore[arg-type]


def test_import_does_not_import_spreadsheet_libraries() -> None:
    """`import handshake_import` does not import openpyxl or xlrd."""
    code = "import sys, handshake_import; print(sorted(m for m in ('openpyxl', 'xlrd') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )

    assert "[]" == result.stdout.strip()


def test_adapters_namespace() -> None:
    """`handshake_import.adapters` exports the pieces every apply shares."""
    from handshake_import import adapters  # noqa: PLC0415 - the import is the test

    assert [
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
    ] == adapters.__all__


def test_the_adapters_do_not_import_sqlalchemy() -> None:
    """Neither the package nor `handshake_import.adapters` imports SQLAlchemy;
    only `handshake_import.adapters.sqlalchemy` does."""
    code = (
        "import sys, handshake_import, handshake_import.adapters, "
        "handshake_import.adapters.sqlite; print('sqlalchemy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )

    assert "False" == result.stdout.strip()
