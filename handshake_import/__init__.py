"""Read, validate and reconcile customer spreadsheets in the Handshake template.

::

    from handshake_import import read_customers

    result = read_customers("customers.xlsx")
    for problem in result.problems:
        print(problem.cell, problem.message)
"""

from ._api import ReadResult, iter_customers, read_customers
from ._errors import ImportFileError, LimitExceededError
from ._limits import Limits
from ._problems import Problem
from ._records import Address, Customer, CustomerRow
from ._schema import CustomColumn, Schema

__all__ = [
    "Address",
    "CustomColumn",
    "Customer",
    "CustomerRow",
    "ImportFileError",
    "LimitExceededError",
    "Limits",
    "Problem",
    "ReadResult",
    "Schema",
    "iter_customers",
    "read_customers",
]
