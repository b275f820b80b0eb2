"""Read, validate and reconcile customer spreadsheets in the Handshake template.

::

    from handshake_import import InMemoryStore, reconcile

    plan = reconcile("customers.xlsx", store)
    for problem in plan.problems:
        print(problem.cell, problem.message)
    if plan.ok:
        store.apply(plan)
"""

from ._api import Progress, iter_customers, read_customers, reconcile
from ._apply import ApplyResult
from ._describe import describe_plan
from ._errors import (
    ApplyError,
    ImportFileError,
    LimitExceededError,
    PlanHasErrorsError,
    StalePlanError,
    StoreError,
)
from ._limits import Limits
from ._memory import InMemoryStore
from ._names import fold_name, name_key
from ._plan import (
    Action,
    CreateCustomer,
    CreateCustomerGroup,
    CreateOption,
    CreateShipTo,
    CreateUserGroup,
    MatchedBy,
    Plan,
    Unchanged,
    UnchangedCustomerGroup,
    UnchangedOption,
    UnchangedShipTo,
    UpdateCustomer,
    UpdateCustomerGroup,
    UpdateOption,
    UpdateShipTo,
)
from ._problems import Problem
from ._records import Address, Customer, CustomerGroup, CustomerRow, Option
from ._result import Column, ReadResult
from ._schema import CustomColumn, Schema
from ._serialize import structure_plan, unstructure_plan
from ._store import OPTION_KEYS, CustomerStore, WritableCustomerStore

__all__ = [
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
]
