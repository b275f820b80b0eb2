"""The one exception family for files that cannot be read at all.

::

    ValueError
     └── ImportFileError          the file as a whole is unusable
          └── LimitExceededError  ... because it is over one of the `Limits`

    RuntimeError
     ├── StoreError               the store cannot be used (not a database, locked,
     │                            or it answered what no store answers)
     └── ApplyError               a store refused to apply a plan; nothing changed
          ├── PlanHasErrorsError  ... the plan has errors and partial=False
          │                       (also a ValueError: the caller's to fix)
          └── StalePlanError      ... the data changed since the plan was made

Row-level trouble is never an exception: it is a `Problem` in the result.
API misuse (a wrong argument type, an unknown option) raises plain
`TypeError` / `ValueError`.
"""

from __future__ import annotations

__all__ = [
    "ApplyError",
    "ImportFileError",
    "LimitExceededError",
    "PlanHasErrorsError",
    "StalePlanError",
    "StoreError",
]


class ImportFileError(ValueError):
    """The file cannot be read at all.

    The message says what the file really is and what to do about it.

    Attributes:
        detected: what the bytes really are, as a short lowercase name
            (``"csv"``, ``"xlsx"``, ``"xls"``, ``"ods"``, ``"xlsb"``, ``"html"``,
            ``"pdf"``, ``"zip"``, ``"empty"``, ``"binary"``, ...), or ``None``
            when that could not be told.
    """

    def __init__(self, message: str, *, detected: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detected = detected

    def __str__(self) -> str:
        return self.message


class LimitExceededError(ImportFileError):
    """The file is over one of the configured `Limits`.

    Attributes:
        limit: the name of the `Limits` field that was exceeded
            (for example ``"max_rows"``).
        value: the configured value of that limit.
    """

    def __init__(
        self, message: str, *, limit: str, value: int, detected: str | None = None
    ) -> None:
        super().__init__(message, detected=detected)
        self.limit = limit
        self.value = value


class StoreError(RuntimeError):
    """The store cannot be used: its database is not one, is locked past the
    timeout, failed, or answered what no `CustomerStore` answers. The
    message says which."""


class ApplyError(RuntimeError):
    """A store refused to apply a plan. Nothing was changed.

    Not a `StoreError`: the store works, and refused this plan for a
    reason the caller can act on.
    """


class PlanHasErrorsError(ApplyError, ValueError):
    """The plan has errors; fix the file, or apply with ``partial=True`` to
    import only the rows without errors."""


class StalePlanError(ApplyError):
    """The data changed since this plan was made; reconcile the file again.

    Attributes:
        row: the spreadsheet row whose action no longer fits the store.
    """

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row
