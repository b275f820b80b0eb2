"""Every private name of a dependency the library uses, in one place.

openpyxl. The XLSX reader takes a worksheet's rows from openpyxl's sheet
parser (`WorkSheetParser`, in the private module
``openpyxl.worksheet._reader``), fed as openpyxl's own read-only
``iter_rows`` feeds it: from a read-only worksheet's ``_get_source()``, and
its workbook's ``_date_formats`` and ``_timedelta_formats``. The parser
says where each row and cell is, which ``iter_rows`` does not (see
`handshake_import._readers._xlsx`).

The workbook is opened as ``openpyxl.load_workbook`` opens it, by its
``ExcelReader``, except that the reader's ``read_strings`` only notes where
the shared-strings table is (from the reader's ``package`` and
``archive``): the library reads the table itself, within limits and keeping
its text as written, and gives it to the sheet parser. A cell's number
format comes from the workbook's ``_cell_styles`` (each with its
``numFmtId``) and ``_number_formats`` (the custom formats).

These names are the same in every openpyxl 3.1 release, 3.1.0 to 3.1.5, the
versions pyproject.toml allows (`SUPPORTED_OPENPYXL`).

They are checked once, when this module is first imported, which happens
when the first XLSX is read (``import handshake_import`` does not import
openpyxl): an openpyxl without them raises `UnsupportedOpenpyxlError`,
naming the installed version and the supported ones, an `ImportError`
rather than a damaged-file error, because no file is at fault.

The standard library's private names are not used at all: the zip end
records are read with `struct` (`handshake_import._readers._sniff.zip_end`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol, TypeVar

import openpyxl

__all__ = [
    "SUPPORTED_OPENPYXL",
    "ParsedRow",
    "ReadOnlyWorksheet",
    "StringTable",
    "UnsupportedOpenpyxlError",
    "load_workbook",
    "number_formats",
    "parsed_rows",
]

#: The openpyxl releases whose private names `parsed_rows` uses, as
#: pyproject.toml pins them.
SUPPORTED_OPENPYXL = ">=3.1,<3.2"

#: What openpyxl's sheet parser yields per row: the row's number, and a dict
#: per cell with (among others) its ``"column"`` number (1-based) and
#: ``"value"``.
ParsedRow = tuple[int, list[dict[str, Any]]]


class UnsupportedOpenpyxlError(ImportError):
    """The installed openpyxl lacks what the XLSX reader uses.

    Raised when the first XLSX is read. The message names the installed
    version, what is missing, and the versions that work.
    """


def _unsupported(missing: str) -> UnsupportedOpenpyxlError:
    version = getattr(openpyxl, "__version__", "of an unknown version")
    return UnsupportedOpenpyxlError(
        f"handshake_import reads XLSX files through openpyxl's sheet parser, and "
        f"the installed openpyxl {version} does not have it as expected "
        f"({missing}). Install a supported openpyxl: pip install "
        f"'openpyxl{SUPPORTED_OPENPYXL}' (3.1.0 to 3.1.5 are known to work)."
    )


try:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet import _reader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS
except ImportError as error:
    raise _unsupported(str(error)) from error

_PARSER_PARAMETERS = (
    "src",
    "shared_strings",
    "data_only",
    "epoch",
    "date_formats",
    "timedelta_formats",
)


def _check() -> None:
    """Raise `UnsupportedOpenpyxlError` unless the private names `parsed_rows`
    uses are there, with the shape it uses."""
    parser = getattr(_reader, "WorkSheetParser", None)
    if not inspect.isclass(parser) or not callable(getattr(parser, "parse", None)):
        raise _unsupported("no class openpyxl.worksheet._reader.WorkSheetParser")
    parameters = inspect.signature(parser).parameters
    if any(name not in parameters for name in _PARSER_PARAMETERS):
        raise _unsupported(
            f"WorkSheetParser takes ({', '.join(parameters)}), not "
            f"({', '.join(_PARSER_PARAMETERS)})"
        )
    if not callable(getattr(ReadOnlyWorksheet, "_get_source", None)):
        raise _unsupported("no ReadOnlyWorksheet._get_source()")
    reader = inspect.signature(ExcelReader).parameters
    if any(name not in reader for name in _READER_PARAMETERS):
        raise _unsupported(
            f"ExcelReader takes ({', '.join(reader)}), not "
            f"({', '.join(_READER_PARAMETERS)})"
        )
    if "numFmtId" not in vars(StyleArray):
        raise _unsupported("no StyleArray.numFmtId")
    read = getattr(ExcelReader, "read", None)
    if "read_strings" not in getattr(getattr(read, "__code__", None), "co_names", ()):
        raise _unsupported("no ExcelReader.read() calling read_strings()")
    # Attributes of instances: named by the code of their class's methods
    # (which set them).
    for owner, label, names in (
        (Workbook, "Workbook", _WORKBOOK_NAMES),
        (ExcelReader, "ExcelReader", ("archive", "package", "shared_strings", "wb")),
    ):
        used = {
            name
            for method in vars(owner).values()
            for name in getattr(getattr(method, "__code__", None), "co_names", ())
        }
        for name in names:
            if name not in used:
                raise _unsupported(f"no {label}.{name}")


_READER_PARAMETERS = (
    "fn",
    "read_only",
    "keep_vba",
    "data_only",
    "keep_links",
    "rich_text",
)
_WORKBOOK_NAMES = (
    "_date_formats",
    "_timedelta_formats",
    "_cell_styles",
    "_number_formats",
)


_check()


class StringTable(Protocol):
    """What the sheet parser looks the cells of type ``s`` up in."""

    def __getitem__(self, index: int, /) -> str: ...


T = TypeVar("T")


class _Reader(ExcelReader):
    """openpyxl's workbook reader, which leaves the shared-strings table
    unread and notes only where it is."""

    strings_part: str | None = None

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)  # type: ignore[no-untyped-call]
        self.strings_part = None if part is None else part.PartName[1:]


def load_workbook(
    stream: IO[bytes], read_strings: Callable[[IO[bytes]], T]
) -> tuple[Workbook, T | None]:
    """The workbook in *stream*, as ``openpyxl.load_workbook(stream,
    read_only=True, data_only=True, keep_links=False)`` opens it, and its
    shared-strings table as *read_strings* reads it from its part (``None``
    without one). openpyxl itself reads no shared string."""
    reader = _Reader(stream, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read()
        strings = None
        if reader.strings_part is not None:
            with reader.archive.open(reader.strings_part) as part:
                strings = read_strings(part)
    except BaseException:
        reader.archive.close()
        raise
    return reader.wb, strings


def number_formats(workbook: Workbook) -> list[str]:
    """The number format of each cell style of *workbook*, by style id (a
    cell's ``style_id`` from the sheet parser)."""
    custom = workbook._number_formats  # type: ignore[attr-defined]
    formats = []
    for style in workbook._cell_styles:  # type: ignore[attr-defined]
        number = style.numFmtId
        if number < BUILTIN_FORMATS_MAX_SIZE:
            formats.append(BUILTIN_FORMATS.get(number, "General"))
        elif number - BUILTIN_FORMATS_MAX_SIZE < len(custom):
            formats.append(custom[number - BUILTIN_FORMATS_MAX_SIZE])
        else:
            formats.append("General")
    return formats


@contextmanager
def parsed_rows(
    worksheet: ReadOnlyWorksheet, shared_strings: StringTable
) -> Iterator[Iterator[ParsedRow]]:
    """The rows of a read-only *worksheet* from openpyxl's sheet parser, as
    openpyxl's read-only ``iter_rows`` reads them, the cells of type ``s``
    looked up in *shared_strings*; the sheet's part is closed when the
    block ends."""
    workbook = worksheet.parent
    with worksheet._get_source() as source:  # type: ignore[attr-defined]
        parser = _reader.WorkSheetParser(
            source,
            shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,  # type: ignore[attr-defined]
            timedelta_formats=workbook._timedelta_formats,  # type: ignore[attr-defined]
        )
        yield parser.parse()
