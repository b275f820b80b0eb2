"""A damaged file is an ImportFileError naming the library that failed on it;
an exception from the library's own code is a bug, and propagates as itself."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable

import openpyxl.xml
import pytest

from handshake_import import ImportFileError, read_customers
from handshake_import._readers import _cells, _xls, _xlsx
from handshake_import._readers._damage import parser_failure

from .tables import declared, rewrite_part, with_shared_strings, xls_bytes, xlsx_bytes

TABLE = [["name", "contact"], ["Acme", "Ann"], ["Beta", dt.datetime(2024, 5, 1)]]


def raised(action: object) -> Exception:
    """The exception calling *action* raises."""
    try:
        action()  # type: ignore[operator]
    except Exception as error:
        return error
    raise AssertionError("nothing was raised")


# -- where an exception was raised -------------------------------------------------


def test_an_error_raised_inside_zipfile_is_zipfiles() -> None:
    """A KeyError for a part the archive lacks, raised inside zipfile."""
    archive = zipfile.ZipFile(io.BytesIO(xlsx_bytes(TABLE)))

    error = raised(lambda: archive.getinfo("xl/missing.xml"))

    assert isinstance(error, KeyError)
    assert "Python's zipfile" == parser_failure(error)


def test_the_same_type_raised_by_other_code_is_not_damage() -> None:
    """A KeyError raised outside the parsers is nobody's file's fault."""
    error = raised(lambda: {}["xl/missing.xml"])

    assert parser_failure(error) is None


def test_standard_library_helpers_are_passed_over() -> None:
    """An error inside `re`, called by code that is not a parser, is that
    code's: not damage."""
    error = raised(lambda: re.compile("("))

    assert re.error is type(error)
    assert parser_failure(error) is None


def test_an_error_only_parsers_raise_is_damage_wherever_it_was_raised() -> None:
    """zipfile.BadZipFile means a bad archive, whoever raised it."""

    def not_a_zip() -> None:
        raise zipfile.BadZipFile("File is not a zip file")

    assert "Python's zipfile" == parser_failure(raised(not_a_zip))


def test_a_warning_raised_as_an_error_is_not_damage() -> None:
    """A warning the program turned into an error is the program's choice."""
    assert parser_failure(UserWarning("Data Validation extension")) is None


def test_lxmls_syntax_error_is_damage() -> None:
    """openpyxl parses with lxml when it is installed: lxml's XMLSyntaxError
    names lxml (lxml is not a dependency: skipped without it)."""
    etree = pytest.importorskip("lxml.etree")

    error = raised(lambda: etree.fromstring(b"<sheets></sheetz>"))

    assert "lxml" == parser_failure(error)


# -- the readers -------------------------------------------------------------------


def test_a_type_error_inside_openpyxl_is_a_damaged_workbook() -> None:
    """A sheet without a name makes openpyxl raise TypeError on opening: the
    file is damaged, and the message says openpyxl failed."""
    data = rewrite_part(xlsx_bytes(TABLE), "xl/workbook.xml", {' name="Customers"': ""})

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert "xlsx" == caught.value.detected
    assert "damaged or incomplete (openpyxl: TypeError: " in str(caught.value)


def test_a_value_error_inside_openpyxl_while_rows_are_read() -> None:
    """A number cell holding letters: openpyxl fails on that row."""
    data = rewrite_part(
        xlsx_bytes([["name", "id"], ["Acme", 5]]),
        "xl/worksheets/sheet1.xml",
        {"<v>5</v>": "<v>five</v>"},
    )

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert "(row 2 of sheet 'Customers': openpyxl: ValueError)" in str(caught.value)


def test_an_attribute_error_of_our_own_while_rows_are_read_propagates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug of the XLSX reader is not reported as a damaged workbook."""

    def broken_values(*args: object) -> list[str]:
        raise AttributeError("'NoneType' object has no attribute 'value'")

    monkeypatch.setattr(_xlsx, "_values", broken_values)

    with pytest.raises(AttributeError, match="no attribute 'value'"):
        read_customers(xlsx_bytes(TABLE))


def test_a_type_error_in_our_code_called_while_openpyxl_reads_propagates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our cell conversion failing on a date (here: the float one, given a
    datetime) is raised in our frame: a TypeError, not a damaged file."""
    monkeypatch.setattr(_xlsx, "cell_text", _cells.float_text)

    with pytest.raises(TypeError) as caught:
        read_customers(xlsx_bytes(TABLE))

    assert not isinstance(caught.value, ImportFileError)


def test_an_attribute_error_of_our_own_while_an_xls_opens_propagates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The XLS reader's sheet choice failing is a bug, not a damaged .xls."""

    def broken_pick(*args: object) -> int:
        raise AttributeError("'Book' object has no attribute 'sheet_titles'")

    monkeypatch.setattr(_xls, "pick_by_name", broken_pick)

    with pytest.raises(AttributeError, match="sheet_titles"):
        read_customers(xls_bytes(TABLE), sheet="Customers")


def test_a_damaged_xls_names_xlrd() -> None:
    """An .xls cut short: xlrd fails, and the message says so."""
    data = xls_bytes(TABLE)

    with pytest.raises(ImportFileError) as caught:
        read_customers(data[: len(data) // 2])

    assert "xls" == caught.value.detected
    assert "cannot be read (xlrd: " in str(caught.value)


# -- XML parts that do not parse, with and without lxml ---------------------------

#: The parts openpyxl parses whole (with lxml when it is installed), and the
#: ones read a piece at a time (always with the standard library's parser).
WHOLE_PARTS = (
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
)
STREAMED_PARTS = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")


def workbook_with(part: str, change: Callable[[bytes], bytes]) -> bytes:
    """A workbook with a shared-strings table, *part* changed by *change*."""
    data = with_shared_strings(xlsx_bytes([["name", "contact"], ["Acme", "Ann"]]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[part] = change(parts[part])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def parser_of(part: str) -> str:
    """How a damaged-file message names the parser that read *part*."""
    if part in WHOLE_PARTS and openpyxl.xml.LXML:
        return "lxml: XMLSyntaxError"
    return "Python's XML parser"


@pytest.mark.parametrize("part", WHOLE_PARTS + STREAMED_PARTS)
def test_a_truncated_part_is_a_damaged_workbook(part: str) -> None:
    """Half a part: damage, naming the parser that failed (lxml's
    XMLSyntaxError, when openpyxl parses with lxml, was raised as itself)."""
    data = workbook_with(part, lambda body: body[: len(body) // 2])

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert "xlsx" == caught.value.detected
    assert "damaged or incomplete (" in str(caught.value)
    assert parser_of(part) in str(caught.value)


def test_openpyxl_parses_with_lxml_when_it_is_installed() -> None:
    """The tests above meet lxml's errors when lxml is installed (one CI run
    installs it): openpyxl uses it then (skipped without it)."""
    pytest.importorskip("lxml.etree")

    assert openpyxl.xml.LXML
    data = workbook_with("xl/workbook.xml", lambda body: body[: len(body) // 2])
    with pytest.raises(ImportFileError, match=r"\(lxml: XMLSyntaxError: "):
        read_customers(data)


@pytest.mark.parametrize("part", WHOLE_PARTS + STREAMED_PARTS)
@pytest.mark.parametrize(
    "encoding", ["x-no-such", "base64", "rot13", "zlib", "hex", "utf-16", "utf-32"]
)
def test_a_declared_encoding_that_is_no_text_encoding_is_damage(
    part: str, encoding: str
) -> None:
    """An encoding the codecs do not know, one that is not a text encoding
    (base64: LookupError), or one the bytes are not in: damage, in every
    part, whichever parser reads it."""
    with pytest.raises(ImportFileError) as caught:
        read_customers(workbook_with(part, declared(encoding)))

    assert "xlsx" == caught.value.detected
    assert "damaged or incomplete (" in str(caught.value)


@pytest.mark.parametrize("part", WHOLE_PARTS + STREAMED_PARTS)
@pytest.mark.parametrize("encoding", ["UTF8", "us-ascii", "ISO-8859-1", "cp1252"])
def test_a_declared_encoding_the_bytes_are_in_is_read(part: str, encoding: str) -> None:
    """Another name of an encoding the (ASCII) part is in: read as usual."""
    result = read_customers(workbook_with(part, declared(encoding)))

    assert [("Acme", "Ann")] == [
        (row.customer.name, row.customer.contact) for row in result.rows
    ]
