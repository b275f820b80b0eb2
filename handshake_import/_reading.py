"""Reading a file into `Table`s: one sheet for a template, or every sheet
of a workbook, each for the template its header is written for; with the
progress of reading."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sized
from typing import IO

import attrs

from ._errors import ImportFileError
from ._options import ReadOptions
from ._parse import ParsedRow, ParsedRows, header_problem, parse_rows
from ._problems import Problem, make_problem, quote
from ._readers import Sheet, Source, open_sheet, open_sheets
from ._result import Column, Table, rows_read
from ._schema import detect_template, map_header
from ._template import CUSTOMERS, NO_EXTRAS, Template

__all__ = ["Meter", "Progress", "read_table", "read_tables", "table_of_sheet"]

#: What `reconcile` calls with (done, total): bytes read of the file's size
#: for a CSV, TSV or XLSX file, rows read of the number of rows for mappings given
#: as a sequence, rows read and ``None`` otherwise (docs/reconcile.md).
Progress = Callable[[int, int | None], None]

_PROGRESS_EVERY = 1_000


@attrs.define
class Meter:
    """How far reading has got, in the unit the file allows: bytes of a
    text file or an XLSX workbook (`position` is its stream's), else rows."""

    total: int | None = None
    position: Callable[[], int] | None = None
    #: ``(0, total)`` was told
    started: bool = False

    def watch(self, stream: IO[bytes]) -> None:
        """Measure by *stream*, the file being read (its size is known)."""
        here = stream.tell()
        self.total = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        self.position = stream.tell

    def done(self, rows: int) -> int:
        """How far reading has got, *rows* rows read."""
        if self.position is None:
            return rows
        return min(self.position(), self.total or 0)


def read_table(
    source: Source,
    options: ReadOptions,
    progress: Progress | None,
    template: Template | None,
    meter: Meter | None = None,
) -> Table:
    """Read *source* for *template*, or for the template its header is
    written for."""
    watch = meter.watch if meter is not None else None
    with open_sheet(
        source, sheet=options.sheet, limits=options.limits, watch=watch
    ) as table:
        return table_of_sheet(
            table, source, options, progress=progress, template=template, meter=meter
        )


def table_of_sheet(
    table: Sheet | None,
    source: Source,
    options: ReadOptions,
    *,
    progress: Progress | None,
    template: Template | None,
    meter: Meter | None,
) -> Table:
    """The `Table` of one sheet read for *template* (or for the template its
    header is written for: `detect_template`)."""
    if table is None:
        return Table(
            template=template or CUSTOMERS,
            parsed=ParsedRows(),
            present=frozenset(),
            extras=NO_EXTRAS,
            problems=(make_problem("no-header"),),
        )
    if table.header_issue is not None:
        problem = header_problem(table, table.header_issue, limits=options.limits)
        return Table(
            template=template or CUSTOMERS,
            parsed=ParsedRows(),
            present=frozenset(),
            extras=NO_EXTRAS,
            problems=(*table.notices, problem),
            header_row=table.header_row,
            sheet=table.name,
        )
    if template is None:
        template = detect_template(table.header, options.columns)
    column_map = map_header(
        table.header,
        header_row=table.header_row,
        sheet=table.name,
        schema=options.schema,
        aliases=options.columns,
        template=template,
    )
    problems: list[Problem] = [*table.notices, *column_map.problems]
    rows = ParsedRows()
    if column_map.ok:
        items = parse_rows(table, column_map, limits=options.limits)
        if progress is None:
            add_number, add_values = rows.numbers.append, rows.values.append
            for item in items:
                if type(item) is tuple:
                    add_number(item[0])
                    add_values(item[1])
                else:
                    problems.append(item)  # type: ignore[arg-type]
        else:
            assert meter is not None
            # Text and XLSX by bytes, as watched (a workbook's sheets are
            # read from its archive as they are parsed); the others by rows.
            if table.format not in ("csv", "tsv", "xlsx"):
                meter.position = None
                # Mappings given as a sequence: a row each.
                sized = table.format == "records" and isinstance(source, Sized)
                meter.total = len(source) if sized else None  # type: ignore[arg-type]
            if meter.total is not None and not meter.started:
                progress(0, meter.total)
                meter.started = True
            _read_telling(
                items,
                rows,
                problems,
                table.header_row,
                progress=progress,
                meter=meter,
            )
    return Table(
        template=template,
        parsed=rows,
        present=column_map.present,
        extras=column_map.extras,
        problems=tuple(problems),
        columns=tuple(
            Column(field=c.field, header=c.header, letter=c.letter)
            for c in column_map.columns
        ),
        header_row=table.header_row,
        sheet=table.name,
    )


def _read_telling(
    items: Iterator[ParsedRow | Problem],
    rows: ParsedRows,
    problems: list[Problem],
    header_row: int,
    *,
    progress: Progress,
    meter: Meter,
) -> None:
    """Read *items* into *rows* and *problems*, telling *progress* how far
    reading has got (see `Meter`) every thousand rows read, with or
    without errors."""
    told = 0
    for item in items:
        if type(item) is tuple:
            number = item[0]
            rows.append(number, item[1])
        else:
            problems.append(item)  # type: ignore[arg-type]
            if item.row is None:  # type: ignore[union-attr]
                continue
            number = item.row  # type: ignore[union-attr]
        done = number - header_row
        if done >= told + _PROGRESS_EVERY:
            told = done - done % _PROGRESS_EVERY
            progress(meter.done(told), meter.total)


def read_tables(
    source: Source,
    options: ReadOptions,
    progress: Progress | None,
    meter: Meter | None,
) -> tuple[list[Table], list[Problem]]:
    """Every sheet of *source* that has a header, each read for the template
    its header is written for, in the order of the file; and a warning for
    each sheet whose header fits no template (not read: never a guess).

    A file of one table (a text file, mappings, a workbook with one sheet
    that has a header) reads as `read_table` does: a header that fits no
    template is an `ImportFileError`.

    Raises:
        ImportFileError: no sheet's header fits a template, or two sheets
            are of one template.
    """
    watch = meter.watch if meter is not None else None
    tables: list[Table] = []
    skipped: list[tuple[str | None, ImportFileError]] = []
    before = 0  # rows read in the sheets before, for progress

    def telling(done: int, total: int | None) -> None:
        assert progress is not None
        # Bytes of the file count on from sheet to sheet; rows start again.
        progress(done if meter and meter.position else before + done, total)

    with open_sheets(source, limits=options.limits, watch=watch) as sheets:
        for name, sheet in sheets:
            if sheet is None:
                continue  # an empty sheet
            template = None
            if sheet.header_issue is None:
                try:
                    template = detect_template(sheet.header, options.columns)
                except ImportFileError as error:
                    skipped.append((name, error))
                    continue
            told = None if progress is None else telling
            table = table_of_sheet(
                sheet, source, options, progress=told, template=template, meter=meter
            )
            tables.append(table)
            before += rows_read(table)
    if not tables:
        if len(skipped) == 1:
            raise skipped[0][1]
        if skipped:
            raise ImportFileError(
                "No worksheet's header row fits a template: "
                + " ".join(
                    f"Sheet {quote(name or '')}: {error}" for name, error in skipped
                ),
                detected=None,
            )
        return [
            table_of_sheet(
                None, source, options, progress=None, template=None, meter=None
            )
        ], []
    _refuse_two_of_a_template(tables)
    return tables, [
        make_problem(
            "sheet-not-imported",
            sheet=name,
            details={"sheet": quote(name or ""), "reason": str(error)},
        )
        for name, error in skipped
    ]


def _refuse_two_of_a_template(tables: list[Table]) -> None:
    seen: dict[str, Table] = {}
    for table in tables:
        earlier = seen.get(table.template.name)
        if earlier is not None:
            first, second = quote(earlier.sheet or ""), quote(table.sheet or "")
            raise ImportFileError(
                f"The sheets {first} and {second} are both of the "
                f"{table.template.name} template; put their rows in one sheet, or "
                "read one of them (sheet=...).",
                detected=None,
            )
        seen[table.template.name] = table
