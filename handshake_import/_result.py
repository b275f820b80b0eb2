"""`ReadResult`: what reading a file produced, and where its columns are."""

from __future__ import annotations

import attrs

from ._problems import Problem
from ._records import CustomerRow

__all__ = ["Column", "ReadResult"]


@attrs.frozen(kw_only=True)
class Column:
    """A column of the file that feeds a template field.

    Attributes:
        field: the template column (``"bill_city"``), ``"id:<Manufacturer>"``
            or a custom column's name.
        header: the header text as written in the file.
        letter: the spreadsheet column letter (``"C"``).
    """

    field: str
    header: str
    letter: str


@attrs.frozen(kw_only=True)
class ReadResult:
    """What `read_customers` read: the valid rows and every problem.

    Attributes:
        rows: one `CustomerRow` per row without errors, in file order.
        problems: header, row and cell problems, in file order.
        columns: the file's columns that feed template fields.
        header_row: the row number of the header (``None`` without one).
        sheet: the worksheet read (``None`` for CSV/TSV).
    """

    rows: tuple[CustomerRow, ...]
    problems: tuple[Problem, ...]
    columns: tuple[Column, ...] = ()
    header_row: int | None = None
    sheet: str | None = None

    @property
    def ok(self) -> bool:
        """True when no problem is an error (warnings allowed)."""
        return not any(problem.is_error for problem in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``"error"``."""
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems of severity ``"warning"``."""
        return tuple(problem for problem in self.problems if not problem.is_error)
