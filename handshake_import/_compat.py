"""Every private name of a dependency the library uses, in one place.

openpyxl. The XLSX reader takes a worksheet's rows from openpyxl's sheet
parser (`WorkSheetParser`, in the private module
``openpyxl.worksheet._reader``), fed as openpyxl's own read-only
``iter_rows`` feeds it: from a read-only worksheet's ``_get_source()`` and
``_shared_strings``, and its workbook's ``_date_formats`` and
``_timedelta_formats``. The parser says where each row and cell is, which
``iter_rows`` does not (see `handshake_import._readers._xlsx`). These names
are the same in every openpyxl 3.1 release, 3.1.0 to 3.1.5, the versions
pyproject.toml allows (`SUPPORTED_OPENPYXL`).

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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openpyxl

__all__ = [
    "SUPPORTED_OPENPYXL",
    "ParsedRow",
    "ReadOnlyWorksheet",
    "UnsupportedOpenpyxlError",
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
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet import _reader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
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
    # Attributes of instances: named by the code of their class's methods
    # (which set them).
    for owner, names in (
        (ReadOnlyWorksheet, ("_shared_strings",)),
        (Workbook, ("_date_formats", "_timedelta_formats")),
    ):
        used = {
            name
            for method in vars(owner).values()
            for name in getattr(getattr(method, "__code__", None), "co_names", ())
        }
        for name in names:
            if name not in used:
                raise _unsupported(f"no {owner.__name__}.{name}")


_check()


@contextmanager
def parsed_rows(worksheet: ReadOnlyWorksheet) -> Iterator[Iterator[ParsedRow]]:
    """The rows of a read-only *worksheet* from openpyxl's sheet parser, as
    openpyxl's read-only ``iter_rows`` reads them; the sheet's part is
    closed when the block ends."""
    workbook = worksheet.parent
    with worksheet._get_source() as source:  # type: ignore[attr-defined]
        parser = _reader.WorkSheetParser(
            source,
            worksheet._shared_strings,  # type: ignore[attr-defined]
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,  # type: ignore[attr-defined]
            timedelta_formats=workbook._timedelta_formats,  # type: ignore[attr-defined]
        )
        yield parser.parse()
