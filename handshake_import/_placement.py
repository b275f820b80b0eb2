"""Where a file's fields are, so that the planner's problems name their cells."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from ._problems import Problem, make_problem
from ._result import Column

__all__ = ["Placement", "rows_text"]


@attrs.frozen
class Placement:
    """The file's columns (field -> `Column`) and its sheet."""

    columns: Mapping[str, Column]
    sheet: str | None = None

    @classmethod
    def of(cls, columns: Iterable[Column], sheet: str | None) -> Placement:
        """The placement of a file with *columns* read from *sheet*."""
        return cls({column.field: column for column in columns}, sheet)

    def problem(
        self, code: str, row: int | None, field: str | None, **details: object
    ) -> Problem:
        """The problem *code* at *row*, in the cell of *field* when the file
        has that column (``None``: the row as a whole)."""
        column = self.columns.get(field) if field else None
        return make_problem(
            code,
            row=row,
            column=column.header if column else None,
            cell=f"{column.letter}{row}" if column and row is not None else None,
            sheet=self.sheet,
            details=details,
        )


def rows_text(rows: Sequence[int]) -> str:
    """``2, 5 and 9``."""
    numbers = [str(row) for row in rows]
    return ", ".join(numbers[:-1]) + " and " + numbers[-1]
