"""Files that are not what they claim: each is named for what it really is.

Every file is built here from its bytes and given without a name, so only
the bytes can tell what it is.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlwt
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import ImportFileError, read_customers
from handshake_import._readers._sniff import ZipEnd, zip_directory_size, zip_end

from .tables import xls_bytes, xlsx_bytes

TABLE = [["name", "email"], *([f"Acme {i}", f"a{i}@example.com"] for i in range(50))]
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What every "not a spreadsheet" refusal tells the user to do instead.
UPLOAD_INSTEAD = ("Upload", ".xlsx", "CSV")


def refused(source: bytes | Path, detected: str | None, *words: str) -> ImportFileError:
    """Read *source*, expecting a refusal as *detected* whose message has *words*."""
    with pytest.raises(ImportFileError) as caught:
        read_customers(source)
    error = caught.value
    assert error.detected == detected, str(error)
    for word in words:
        assert word in str(error), (word, str(error))
    return error


def zip_of(*parts: tuple[str, bytes], stored: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, body in parts:
            archive.writestr(name, body)
    return out.getvalue()


def rename_ole2_entry(data: bytes, old: str, new: str) -> bytes:
    """Rename a directory entry of a compound file (an .xls from xlwt).

    An entry is 128 bytes on a 128-byte boundary: the UTF-16LE name with a
    NUL, padded to 64 bytes, then that name's length in bytes.
    """
    at = data.find(old.encode("utf-16-le") + b"\x00\x00")
    assert at % 128 == 0
    name = new.encode("utf-16-le") + b"\x00\x00"
    assert len(name) <= 64
    patched = bytearray(data)
    patched[at : at + 64] = name.ljust(64, b"\x00")
    patched[at + 64 : at + 66] = len(name).to_bytes(2, "little")
    return bytes(patched)


def xls_saying(text: str) -> bytes:
    """An .xls whose only cell holds *text* (UTF-16 in the file if not Latin-1)."""
    book = xlwt.Workbook()
    book.add_sheet("Notes").write(0, 0, text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- nothing, noise, other file types -----------------------------------------


def test_zero_byte_file() -> None:
    """A 0-byte upload is 'empty' and the message asks for a new export."""
    refused(b"", "empty", "empty", "0 bytes", "Export")


def test_zero_byte_file_on_disk(tmp_path: Path) -> None:
    """A 0-byte file given by path is 'empty' too."""
    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"")

    refused(path, "empty", "empty", "again")


@pytest.mark.parametrize("name", ["missing.csv", "."])
def test_path_that_cannot_be_opened(tmp_path: Path, name: str) -> None:
    """A path that is not there, or is a folder, is refused and named."""
    path = tmp_path / name

    refused(path, None, "Cannot open", repr(str(path)))


@pytest.mark.parametrize("given_as", [str, Path])
def test_path_holding_a_nul(tmp_path: Path, given_as: Callable[[str], object]) -> None:
    """A file name with a NUL in it (from an upload's name, say) names no
    file: refused as such, not a bare ValueError."""
    path = given_as(str(tmp_path / "custo\x00mers.csv"))

    error = refused(path, None, "Cannot open", "a file name cannot hold a NUL")  # type: ignore[arg-type]

    assert "'" + str(tmp_path / "custo\\x00mers.csv") + "'" in str(error)


def test_random_binary_garbage() -> None:
    """Random bytes are 'binary', not mistaken for a Windows-1252 CSV."""
    data = random.Random(20240601).randbytes(4096)

    refused(data, "binary", "binary", "not a spreadsheet", "CSV or XLSX")


@pytest.mark.parametrize(
    ("head", "detected", "described"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "pdf", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "png", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "jpeg", "JPEG image"),
        (b"\x1f\x8b\x08\x00" + bytes(64), "gzip", "gzip archive"),
        (b"SQLite format 3\x00" + bytes(84), "sqlite", "SQLite"),
        (b"MZ\x90\x00\x03" + bytes(64), "binary", "binary file"),
    ],
    ids=["pdf", "png", "jpeg", "gzip", "sqlite", "exe"],
)
def test_other_file_types_by_magic_number(
    head: bytes, detected: str, described: str
) -> None:
    """A PDF, an image, an archive... is named and refused with what to upload."""
    refused(head, detected, described, "not a customer spreadsheet", *UPLOAD_INSTEAD)


# -- zips ----------------------------------------------------------------------


def test_truncated_xlsx() -> None:
    """An XLSX cut in half (no central directory) is a damaged workbook."""
    data = xlsx_bytes(TABLE)

    refused(data[: len(data) // 2], "xlsx", "Excel workbook", "damaged", "again")


def test_xlsx_with_a_flipped_byte_in_a_part() -> None:
    """One byte changed inside a part fails its CRC: a damaged workbook."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(TABLE))) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    data = bytearray(zip_of(*parts, stored=True))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0x01

    error = refused(bytes(data), "xlsx", "damaged", "save it again")
    assert "CRC" in str(error)


def test_zip_that_is_not_a_workbook() -> None:
    """A ZIP of other files is 'zip', with what to upload instead."""
    data = zip_of(("customers.csv", b"name\nAcme\n"), ("readme.txt", b"hello"))

    refused(data, "zip", "ZIP archive", *UPLOAD_INSTEAD)


def test_word_document() -> None:
    """A .docx (word/ parts) is named as a Word document."""
    data = zip_of(
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", b"<Relationships/>"),
        ("word/document.xml", b"<w:document/>"),
    )

    refused(data, "docx", "Word document", *UPLOAD_INSTEAD)


def test_opendocument_spreadsheet() -> None:
    """An ODS (stored 'mimetype' first) is named, with how to save it as .xlsx."""
    data = zip_of(
        ("mimetype", ODS_MIMETYPE),
        ("content.xml", b"<office:document-content/>"),
        stored=True,
    )

    refused(data, "ods", "OpenDocument", "not supported", "Save it as .xlsx or CSV")


def test_excel_binary_workbook() -> None:
    """An XLSB (xl/workbook.bin) is named, with how to save it as .xlsx."""
    data = zip_of(
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.bin", b"\x83\x01\x00"),
        ("xl/worksheets/sheet1.bin", b"\x81\x01\x00"),
    )

    refused(data, "xlsb", ".xlsb", "not supported", "Save it as .xlsx")


def test_zip_with_an_encrypted_mimetype_entry() -> None:
    """An encrypted 'mimetype' entry is not opened (no password): just a ZIP."""
    data = bytearray(zip_of(("mimetype", ODS_MIMETYPE), ("content.xml", b"<x/>")))
    central = data.find(b"PK\x01\x02")
    for flags in (6, central + 8):  # local and central general-purpose flags
        data[flags] |= 0x01

    refused(bytes(data), "zip", "ZIP archive")


def test_zip_with_a_corrupt_compressed_mimetype() -> None:
    """A 'mimetype' entry whose deflate data is garbage is a damaged file."""
    data = bytearray(zip_of(("mimetype", ODS_MIMETYPE * 4), ("content.xml", b"<x/>")))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        size = archive.getinfo("mimetype").compress_size
    start = 30 + len("mimetype")
    data[start : start + size] = bytes(byte ^ 0x55 for byte in data[start:][:size])

    refused(bytes(data), "xlsx", "damaged")


# -- the end of a zip archive ---------------------------------------------------
#
# zip_end reads the end records itself; what it says must be what zipfile goes
# on to parse: where the central directory starts, and how big it is.


def zipfile_view(data: bytes) -> ZipEnd | None:
    """Where zipfile reads the central directory of *data*, and its size as
    the entries zipfile listed from it; None when zipfile refuses *data*."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            start = archive.start_dir
    except (zipfile.BadZipFile, NotImplementedError, ValueError):
        return None
    size = sum(
        46
        + len(info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"))
        + len(info.extra)
        + len(info.comment)
        for info in infos
    )
    return ZipEnd(start, size)


def read_end(data: bytes) -> ZipEnd | None:
    stream = io.BytesIO(data)
    stream.seek(7)
    end = zip_end(stream)
    assert stream.tell() == 0
    return end


def with_comment(data: bytes, comment: bytes) -> bytes:
    """*data* with an archive comment after its end record."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.comment = comment
    return out.getvalue()


def as_zip64(data: bytes) -> bytes:
    """*data* with a ZIP64 end record and locator, and an end record whose
    count, size and offset say "see the ZIP64 record" (0xFFFF, 0xFFFFFFFF),
    as a writer does for an archive past those limits."""
    at = data.rindex(b"PK\x05\x06")
    _, _, _, _, entries, size, offset, _ = struct.unpack_from("<4s4H2IH", data, at)
    end64 = struct.pack(
        "<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, offset
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, at, 1)
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0
    )
    return data[:at] + end64 + locator + end


def zip64_by_zipfile(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """An archive zipfile itself writes with ZIP64 end records (it does past
    65,535 entries; the limit is lowered to 3 here)."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
    return zip_of(*((f"part{i}.xml", b"<x/>" * i) for i in range(5)))


ARCHIVES: dict[str, Callable[[], bytes]] = {
    "ordinary": lambda: xlsx_bytes(TABLE),
    "stored": lambda: zip_of(("a.txt", b"a"), ("b.txt", b"b"), stored=True),
    "empty": zip_of,
    "comment": lambda: with_comment(xlsx_bytes(TABLE), b"exported by a reporting tool"),
    "longest-comment": lambda: with_comment(xlsx_bytes(TABLE), b"c" * 0xFFFF),
    "bytes-in-front": lambda: b"MZ" + b"\x00" * 5000 + xlsx_bytes(TABLE),
    "zip64": lambda: as_zip64(xlsx_bytes(TABLE)),
    "zip64-comment": lambda: with_comment(as_zip64(xlsx_bytes(TABLE)), b"note"),
}


@functools.cache
def archive(kind: str) -> bytes:
    """`ARCHIVES`' archive *kind*, made once."""
    return ARCHIVES[kind]()


@pytest.mark.parametrize("kind", sorted(ARCHIVES))
def test_zip_end_is_where_zipfile_reads_the_directory(kind: str) -> None:
    """Ordinary, commented, prefixed and ZIP64 archives: the directory's
    start and size are zipfile's."""
    data = archive(kind)
    expected = zipfile_view(data)

    assert expected is not None
    assert expected == read_end(data)
    assert expected.size == zip_directory_size(io.BytesIO(data))


def test_zip_end_of_a_zip64_archive_zipfile_wrote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ZIP64 end records as zipfile writes them are read as it reads them."""
    data = zip64_by_zipfile(monkeypatch)
    assert b"PK\x06\x06" in data

    assert zipfile_view(data) == read_end(data)


def test_zip64_end_record_sizes_the_directory() -> None:
    """The ZIP64 end record, not the end record's 0xFFFFFFFF, gives the size."""
    data = as_zip64(xlsx_bytes(TABLE))

    end = read_end(data)

    assert end is not None
    assert end.size < 10_000
    assert data[end.start : end.start + 4] == b"PK\x01\x02"


def test_zip64_archive_spread_over_disks_has_no_end() -> None:
    """A locator naming several disks: zipfile refuses it, zip_end finds none."""
    data = bytearray(as_zip64(xlsx_bytes(TABLE)))
    locator = data.rindex(b"PK\x06\x07")
    struct.pack_into("<I", data, locator + 16, 2)

    assert zipfile_view(bytes(data)) is None
    assert read_end(bytes(data)) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"PK\x05\x06" + b"\x00" * 17,
        b"PK\x03\x04" + bytes(random.Random(3).randrange(256) for _ in range(5000)),
        b"PK\x03\x04"
        + b"\x00" * 100
        + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, 500, 0, 0),
    ],
    ids=[
        "nothing",
        "magic",
        "short-end",
        "end-cut-by-a-byte",
        "noise",
        "directory-before-the-file",
    ],
)
def test_zip_end_of_garbage(data: bytes) -> None:
    """Bytes with no usable end record: zipfile refuses them, zip_end finds none."""
    assert zipfile_view(data) is None
    assert read_end(data) is None
    assert zip_directory_size(io.BytesIO(data)) == 0


@given(
    st.sampled_from(sorted(ARCHIVES)),
    st.lists(st.tuples(st.integers(1, 200), st.integers(0, 255)), max_size=6),
    st.integers(0, 100),
)
def test_zip_end_agrees_with_zipfile_on_damaged_ends(
    kind: str, changes: list[tuple[int, int]], cut: int
) -> None:
    """Bytes changed near the end and the end cut off: wherever zipfile
    still finds the directory, zip_end finds the same (where it finds one,
    zipfile may yet refuse the directory itself)."""
    data = bytearray(archive(kind))
    for back, byte in changes:
        data[len(data) - 1 - back % len(data)] = byte
    data = data[: len(data) - cut]

    expected, found = zipfile_view(bytes(data)), read_end(bytes(data))

    assert expected == found or expected is None


# -- markup --------------------------------------------------------------------

HTML_TABLE = (
    "<html><head><title>Report</title></head><body><table>"
    "<tr><td>name</td><td>email</td></tr><tr><td>Acme</td><td>a@b.com</td></tr>"
    "</table></body></html>"
)


@pytest.mark.parametrize(
    "data",
    [
        HTML_TABLE.encode(),
        b"<!DOCTYPE html>\n" + HTML_TABLE.encode(),
        b"\xef\xbb\xbf\r\n  <!doctype HTML>" + HTML_TABLE.upper().encode(),
        HTML_TABLE.encode("utf-16"),
        b"\xfe\xff" + HTML_TABLE.encode("utf-16-be"),
        HTML_TABLE.encode("utf-32"),
        b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        + HTML_TABLE[6:].encode(),
    ],
    ids=["html", "doctype", "bom-upper", "utf-16", "utf-16-be", "utf-32", "xhtml"],
)
def test_html_page_given_as_bytes(data: bytes) -> None:
    """A web page (often named .xls by report exports) is 'html', not a CSV."""
    refused(data, "html", "web page (HTML)", "save it as .xlsx or CSV")


SPREADSHEETML = (
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
    '<Worksheet ss:Name="Customers"><Table><Row><Cell><Data ss:Type="String">'
    "name</Data></Cell></Row></Table></Worksheet></Workbook>"
)
XML_DECLARATION = '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'


@pytest.mark.parametrize(
    "data",
    [
        (XML_DECLARATION + SPREADSHEETML).encode(),
        SPREADSHEETML.encode(),
        (XML_DECLARATION + SPREADSHEETML).encode("utf-16"),
    ],
    ids=["excel-2003", "no-declaration", "utf-16"],
)
def test_excel_2003_xml_spreadsheet(data: bytes) -> None:
    """SpreadsheetML (Excel 2003 XML) is named, even though it has a <Table>."""
    refused(data, "spreadsheetml", "Excel 2003 XML", "save it as .xlsx or CSV")


def test_other_xml() -> None:
    """XML that is neither a web page nor a spreadsheet is 'xml'."""
    data = b'<?xml version="1.0"?>\n<customers><customer name="Acme"/></customers>'

    refused(data, "xml", "XML file", *UPLOAD_INSTEAD)


# -- OLE2 compound files -------------------------------------------------------


def test_password_protected_ooxml() -> None:
    """A compound file with an EncryptedPackage stream is a protected workbook."""
    data = rename_ole2_entry(xls_bytes(TABLE), "Workbook", "EncryptedPackage")

    refused(data, "encrypted", "password", "Remove the password")


def test_password_protected_xls() -> None:
    """An .xls with a FILEPASS record (Excel 97-2003 encryption) is protected."""
    data = bytearray(xls_bytes(TABLE))
    assert data[512:514] == b"\x09\x08"  # the Workbook stream's BOF record
    (length,) = struct.unpack_from("<H", data, 514)
    struct.pack_into("<H", data, 512 + 4 + length, 0x002F)  # next record: FILEPASS

    refused(bytes(data), "encrypted", "password", "Remove the password")


def test_ole2_file_that_is_not_a_workbook() -> None:
    """A compound file without a Workbook stream (a .doc) is 'ole2'."""
    data = rename_ole2_entry(xls_bytes(TABLE), "Workbook", "WordDocument")

    refused(data, "ole2", "Word, PowerPoint or similar", *UPLOAD_INSTEAD)


def test_ole2_magic_and_nothing_else() -> None:
    """The compound-file magic number followed by zeros is 'ole2'."""
    refused(OLE2_MAGIC + bytes(4096), "ole2", "Office 97-2003 document")


def test_ole2_directory_position_is_read_from_the_header() -> None:
    """Directory at sector 0x41, inside the file: not a cut-off .xls, just 'ole2'."""
    header = bytearray(OLE2_MAGIC + bytes(512 - len(OLE2_MAGIC)))
    struct.pack_into("<H", header, 30, 9)  # 512-byte sectors
    struct.pack_into("<I", header, 48, 0x41)  # first directory sector
    data = bytes(header) + bytes(0x42 * 512)

    refused(data, "ole2", "Word, PowerPoint or similar")
    refused(data[: 512 + 0x41 * 512], "xls", "cannot be read")


def test_xls_whose_text_names_a_stream_is_still_read() -> None:
    """A cell saying 'EncryptedPackage' does not make an .xls look protected."""
    data = xls_saying("EncryptedPackage \u2012 Workbook")
    assert "EncryptedPackage".encode("utf-16-le") in data

    result = read_customers(data)

    assert [problem.code for problem in result.problems] == [
        "unknown-column",
        "missing-required-column",
    ]


def test_document_whose_text_says_workbook_is_not_an_xls() -> None:
    """A compound file whose text (not a stream) says 'Workbook' is 'ole2'."""
    data = rename_ole2_entry(
        xls_saying("Order Book \u2012 Workbook"), "Workbook", "WordDocument"
    )
    assert "Workbook".encode("utf-16-le") in data

    refused(data, "ole2", "Word, PowerPoint or similar")


def test_xls_stream_name_in_another_case_is_an_xls() -> None:
    """Stream names compare without case, as xlrd compares them."""
    data = rename_ole2_entry(xls_bytes(TABLE), "Workbook", "WORKBOOK")

    assert len(read_customers(data).rows) == 50


def test_truncated_xls() -> None:
    """An .xls cut short is a damaged .xls, with what to do."""
    data = xls_bytes(TABLE)

    refused(data[: len(data) // 2], "xls", "Excel 97-2003", "cannot be read", "save")


def strict(data: bytes) -> bytes:
    """The workbook *data* as Excel's "Strict Open XML Spreadsheet" writes
    it: the parts in the Strict namespaces instead of the usual ones."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            for usual, strict_name in (
                (
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                ),
                (
                    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                    b"http://purl.oclc.org/ooxml/officeDocument/relationships",
                ),
            ):
                body = body.replace(usual, strict_name)
            target.writestr(info, body)
    return out.getvalue()


def test_strict_open_xml_workbook() -> None:
    """A workbook saved as "Strict Open XML Spreadsheet" is named as such,
    with what to do (it was "no visible worksheet")."""
    error = refused(
        strict(xlsx_bytes([["name"], ["Acme"]])),
        "xlsx-strict",
        "saved as 'Strict Open XML Spreadsheet', which is not supported",
        "save it as an ordinary Excel Workbook (.xlsx)",
    )

    assert "visible" not in str(error)


def test_a_memoryview_that_is_not_contiguous() -> None:
    """A view of every other byte is read as the bytes it shows (BytesIO
    refused it with BufferError)."""
    data = b"name\nAcme\nBeta\n"
    # Each byte of the file, then one of something else.
    spread = bytes(
        byte for pair in zip(data, b"#" * len(data), strict=True) for byte in pair
    )

    source = memoryview(spread)[::2]

    assert not source.c_contiguous
    assert ["Acme", "Beta"] == [
        row.customer.name for row in read_customers(source).rows
    ]
