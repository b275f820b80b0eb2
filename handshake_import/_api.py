"""The public entry points: the thin driver over readers, schema and parser."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Mapping

import attrs

from ._limits import Limits
from ._parse import parse_rows
from ._problems import Problem, make_problem
from ._readers import FileSource, open_sheet
from ._records import CustomerRow
from ._schema import Schema, map_header

__all__ = ["ReadResult", "iter_customers", "read_customers"]


@attrs.frozen(kw_only=True)
class ReadResult:
    """What `read_customers` read: the valid rows and every problem.

    Attributes:
        rows: one `CustomerRow` per row without errors, in file order.
        problems: header, row and cell problems, in file order.
    """

    rows: tuple[CustomerRow, ...]
    problems: tuple[Problem, ...]

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


def _check_options(
    source: object,
    columns: object,
    schema: Schema | None,
    limits: Limits | None,
    sheet: str | None,
) -> tuple[Schema, Limits]:
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and (
        not hasattr(source, "read")
    ):
        raise TypeError(
            "source must be a path, bytes, or a binary file object, "
            f"not {type(source).__name__}"
        )
    if columns is not None and not isinstance(columns, Mapping):
        raise TypeError(
            "columns must be a mapping of header text to template column, "
            f"like {{'Customer Name': 'name'}}, not {type(columns).__name__}"
        )
    if schema is not None and not isinstance(schema, Schema):
        raise TypeError(f"schema must be a Schema, not {type(schema).__name__}")
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError(f"limits must be a Limits, not {type(limits).__name__}")
    if sheet is not None and not isinstance(sheet, str):
        raise TypeError(f"sheet must be a sheet name (str), not {type(sheet).__name__}")
    return schema or Schema(), limits or Limits()


def iter_customers(
    source: FileSource,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
) -> Iterator[CustomerRow | Problem]:
    """Stream a customer file: yield each `CustomerRow` and `Problem` as read.

    Holds one row at a time, for files too big to keep in memory. Arguments
    are those of `read_customers`. The file is opened on the first ``next()``
    and closed when the iteration ends (or the iterator is closed), so
    `ImportFileError` is raised from the iteration, not from this call.
    """
    schema, limits = _check_options(source, columns, schema, limits, sheet)
    return _iterate(source, sheet=sheet, columns=columns, schema=schema, limits=limits)


def _iterate(
    source: FileSource,
    *,
    sheet: str | None,
    columns: Mapping[str, str] | None,
    schema: Schema,
    limits: Limits,
) -> Iterator[CustomerRow | Problem]:
    with open_sheet(source, sheet=sheet, limits=limits) as table:
        if table is None:
            yield make_problem("no-header")
            return
        yield from table.notices
        column_map = map_header(
            table.header,
            header_row=table.header_row,
            sheet=table.name,
            schema=schema,
            aliases=columns,
        )
        yield from column_map.problems
        if column_map.ok:
            yield from parse_rows(table, column_map, limits=limits)


def read_customers(
    source: FileSource,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read and validate a customer file (CSV, TSV, XLSX, XLSM or XLS).

    Args:
        source: a path, the file's bytes, or a binary file object. The format
            is detected from the bytes, not from the name.
        sheet: the worksheet to read; default: the first visible one.
        columns: aliases for headers a CRM writes differently,
            ``{"Customer Name": "name", "E-mail": "email"}``.
        schema: the template extended with custom typed columns.
        limits: caps on rows, columns, cell length and bytes.

    Returns:
        The valid rows and every problem. Trouble in a row or cell is a
        `Problem` in the result, never an exception.

    Raises:
        ImportFileError: the file cannot be read at all (not a spreadsheet,
            damaged, password-protected, over a limit); its message says what
            the file is and what to do.
    """
    rows: list[CustomerRow] = []
    problems: list[Problem] = []
    items = iter_customers(
        source, sheet=sheet, columns=columns, schema=schema, limits=limits
    )
    with _collector_paused():
        for item in items:
            if type(item) is CustomerRow:
                rows.append(item)
            else:
                problems.append(item)  # type: ignore[arg-type]
    return ReadResult(rows=tuple(rows), problems=tuple(problems))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while records pile up.

    Every record is a container the collector tracks, so holding a hundred
    thousand of them makes it walk the growing heap again and again although
    records never form cycles: about a quarter of the reading time, for
    nothing. It is re-enabled afterwards (if it was enabled), also on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
