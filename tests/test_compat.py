"""The private names of openpyxl the XLSX reader uses are checked when it is
first needed, and an openpyxl without them is named, with its version."""

from __future__ import annotations

import array
import importlib
import subprocess
import sys
from collections.abc import Callable

import openpyxl
import pytest
from openpyxl.reader import excel
from openpyxl.styles import cell_style
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet import _read_only, _reader

from handshake_import import ImportFileError, read_customers

from .tables import xlsx_bytes

COMPAT = "handshake_import._compat"
XLSX_READER = "handshake_import._readers._xlsx"


def fresh_import() -> object:
    """Import `handshake_import._compat` anew (the test's monkeypatch puts
    the module already imported back afterwards)."""
    return importlib.import_module(COMPAT)


class OtherParser:
    """A sheet parser taking other arguments than openpyxl 3.1's."""

    def __init__(self, source: object, strings: object) -> None:
        self.source = source

    def parse(self) -> list[object]:
        return []


def _no_setup_styles(workbook: Workbook) -> None:
    """`Workbook._setup_styles` without the attributes it sets."""


class OtherReader:
    """A workbook reader taking other arguments than openpyxl 3.1's."""

    def __init__(self, fn: object, read_only: bool = False) -> None:
        self.fn = fn


def _read_no_strings(reader: object) -> None:
    """`ExcelReader.read` that reads no shared strings."""


class ReaderOfOtherNames:
    """A workbook reader called as openpyxl 3.1's, keeping what it reads
    under other names."""

    def __init__(
        self,
        fn: object,
        *,
        read_only: bool = False,
        keep_vba: bool = False,
        data_only: bool = False,
        keep_links: bool = True,
        rich_text: bool = False,
    ) -> None:
        self.zip = fn

    def read(self) -> None:
        self.read_strings()

    def read_strings(self) -> None:
        """Reads nothing."""


class StyleOfOtherNames(array.array):  # type: ignore[type-arg]
    """A cell style without openpyxl 3.1's names."""


CHANGES: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], str]] = {
    "parser": (
        lambda patch: patch.delattr(_reader, "WorkSheetParser"),
        "no class openpyxl.worksheet._reader.WorkSheetParser",
    ),
    "parser-arguments": (
        lambda patch: patch.setattr(_reader, "WorkSheetParser", OtherParser),
        "WorkSheetParser takes (source, strings), not (src, shared_strings, "
        "data_only, epoch, date_formats, timedelta_formats)",
    ),
    "get-source": (
        lambda patch: patch.delattr(_read_only.ReadOnlyWorksheet, "_get_source"),
        "no ReadOnlyWorksheet._get_source()",
    ),
    "date-formats": (
        lambda patch: patch.setattr(Workbook, "_setup_styles", _no_setup_styles),
        "no Workbook._date_formats",
    ),
    "reader-arguments": (
        lambda patch: patch.setattr(excel, "ExcelReader", OtherReader),
        "ExcelReader takes (fn, read_only), not (fn, read_only, keep_vba, "
        "data_only, keep_links, rich_text)",
    ),
    "reader-strings": (
        lambda patch: patch.setattr(excel.ExcelReader, "read", _read_no_strings),
        "no ExcelReader.read() calling read_strings()",
    ),
    "style-number-format": (
        lambda patch: patch.setattr(cell_style, "StyleArray", StyleOfOtherNames),
        "no StyleArray.numFmtId",
    ),
    "reader-archive": (
        lambda patch: patch.setattr(excel, "ExcelReader", ReaderOfOtherNames),
        "no ExcelReader.archive",
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_missing_private_name_is_named_with_the_openpyxl_version(
    monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """An openpyxl without a name the reader uses fails the import, naming
    openpyxl, its version, what is missing, and the versions that work."""
    apply, missing = CHANGES[change]
    apply(monkeypatch)
    monkeypatch.delitem(sys.modules, COMPAT, raising=False)

    with pytest.raises(ImportError) as caught:
        fresh_import()

    message = str(caught.value)
    assert type(caught.value).__name__ == "UnsupportedOpenpyxlError"
    assert f"the installed openpyxl {openpyxl.__version__} does not have it" in message
    assert f"({missing})" in message
    assert "pip install 'openpyxl>=3.1,<3.2'" in message


def test_reading_an_xlsx_with_an_unsupported_openpyxl_is_not_a_file_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check runs when the first XLSX is read, and its error is an
    ImportError naming openpyxl 3.2.0 (here), never "your file is damaged"."""
    data = xlsx_bytes([["name"], ["Acme"]])
    monkeypatch.setattr(openpyxl, "__version__", "3.2.0")
    monkeypatch.delattr(_reader, "WorkSheetParser")
    monkeypatch.delitem(sys.modules, COMPAT, raising=False)
    monkeypatch.delitem(sys.modules, XLSX_READER, raising=False)

    with pytest.raises(ImportError, match=r"installed openpyxl 3\.2\.0") as caught:
        read_customers(data)

    assert not isinstance(caught.value, ImportFileError)


def test_the_check_passes_on_the_installed_openpyxl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The openpyxl the tests run with has every name, as pyproject pins it."""
    monkeypatch.delitem(sys.modules, COMPAT, raising=False)

    compat = fresh_import()

    assert ">=3.1,<3.2" == compat.SUPPORTED_OPENPYXL  # type: ignore[attr-defined]


def test_the_check_waits_for_the_first_workbook() -> None:
    """Importing the package, and reading a CSV, imports neither openpyxl nor
    the check."""
    code = (
        "import sys, handshake_import; "
        "handshake_import.read_customers(b'name\\nAcme\\n'); "
        f"print(sorted(m for m in ('openpyxl', {COMPAT!r}) if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )

    assert "[]" == result.stdout.strip()
