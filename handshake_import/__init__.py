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
    CreateUserGroup,
    MatchedBy,
    Plan,
    Unchanged,
    UpdateCustomer,
)
from ._problems import Problem
from ._records import Address, Customer, CustomerRow
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
    "CreateUserGroup",
    "CustomColumn",
    "Customer",
    "CustomerRow",
    "CustomerStore",
    "ImportFileError",
    "InMemoryStore",
    "LimitExceededError",
    "Limits",
    "MatchedBy",
    "Plan",
    "PlanHasErrorsError",
    "Problem",
    "Progress",
    "ReadResult",
    "Schema",
    "StalePlanError",
    "StoreError",
    "Unchanged",
    "UpdateCustomer",
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
