"""Hostile and broken files: every reader refuses them cleanly, within limits.

Zip bombs, lying zip headers, XML entity tricks, files over a limit,
worksheets that claim a million rows, hidden sheets, and fuzzed bytes. Every
file is built here, in the test. Format detection is in test_sniff.py.
"""

from __future__ import annotations

import array
import contextlib
import io
import os
import re
import struct
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape as xml_escape

import openpyxl
import pytest
import xlwt
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import PatternFill

from handshake_import import (
    ImportFileError,
    LimitExceededError,
    Limits,
    ReadResult,
    iter_customers,
    read_customers,
)
from handshake_import._readers import _source, _xlsx
from handshake_import._readers._strings import unescape
from handshake_import._values import clean

from .tables import (
    Table,
    Writer,
    csv_bytes,
    declared,
    measured,
    streamed_into,
    with_shared_strings,
    xls_bytes,
    xlsx_bytes,
)

MiB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
TABLE = [["name", "email"], *([f"Acme {i}", f"a{i}@example.com"] for i in range(10))]
READERS: dict[str, Writer] = {"csv": csv_bytes, "xlsx": xlsx_bytes, "xls": xls_bytes}


def names(result: ReadResult) -> list[str]:
    return [row.customer.name for row in result.rows]


# -- building hostile workbooks ------------------------------------------------


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


Change = Callable[[bytes], bytes] | bytes


def with_parts(data: bytes, changes: dict[str, Change]) -> bytes:
    """*data* with parts changed by a function, or replaced or added as bytes."""
    parts = parts_of(data)
    for name, change in changes.items():
        parts[name] = change(parts[name]) if callable(change) else change
    return rezip(parts)


def padded(data: bytes, name: str, mib: int) -> bytes:
    """*data* with *mib* MiB of spaces streamed into part *name* (~1000:1)."""
    spaces = b" " * MiB
    return streamed_into(data, name, b"</worksheet>", (spaces for _ in range(mib)))


def headers(data: bytes, name: str) -> tuple[int, int]:
    """Offsets of the local and the central-directory header of part *name*."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
        central = archive.start_dir
    while data[central : central + 4] == b"PK\x01\x02":
        length, extra, comment = struct.unpack_from("<HHH", data, central + 28)
        if data[central + 46 : central + 46 + length] == name.encode():
            return local, central
        central += 46 + length + extra + comment
    raise AssertionError(f"no central directory entry for {name}")


def claim_sizes(
    data: bytes, name: str, *, compressed: int | None = None, size: int | None = None
) -> bytes:
    """Make the local and central zip headers of *name* lie about its sizes."""
    patched = bytearray(data)
    local, central = headers(data, name)
    for value, at_local, at_central in ((compressed, 18, 20), (size, 22, 24)):
        if value is not None:
            struct.pack_into("<I", patched, local + at_local, value)
            struct.pack_into("<I", patched, central + at_central, value)
    return bytes(patched)


def save(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid XLSX whose sheet1.xml inflates by 300 MiB of spaces."""
    return padded(xlsx_bytes(TABLE), SHEET, 300)


# -- zip bombs and lying headers -----------------------------------------------


def test_zip_bomb_part_is_refused_quickly_in_little_memory(bomb: bytes) -> None:
    """300 MiB of spaces in a 0.3 MB file stops at the ratio check, fast and small."""
    assert len(bomb) < 2 * MiB
    error, elapsed, peak = measured(lambda: read_customers(bomb))

    assert isinstance(error, LimitExceededError)
    assert (error.limit, error.value, error.detected) == (
        "max_compression_ratio",
        200,
        "xlsx",
    )
    assert "sheet1.xml" in str(error)
    assert "zip bomb" in str(error)
    assert "raise Limits.max_compression_ratio" in str(error)
    assert elapsed < 5
    assert peak < 50 * MiB


def test_zip_bomb_within_the_ratio_hits_the_decompressed_limit(bomb: bytes) -> None:
    """With the ratio allowed, the bytes inflated are still capped."""
    limits = Limits(max_compression_ratio=100_000, max_decompressed_bytes=20 * MiB)
    started = time.perf_counter()
    with pytest.raises(LimitExceededError) as caught:
        read_customers(bomb, limits=limits)

    assert time.perf_counter() - started < 5
    assert (caught.value.limit, caught.value.value) == (
        "max_decompressed_bytes",
        20 * MiB,
    )
    assert "20,971,520 bytes when unzipped" in str(caught.value)
    assert "Split it" in str(caught.value)


def test_zip_bomb_claiming_a_huge_compressed_size_is_still_refused(
    bomb: bytes,
) -> None:
    """A header claiming 1 GiB compressed cannot loosen the ratio check: the
    claim itself is refused, before any part is inflated, and in the same
    words on every Python version (3.13's zipfile refuses it too, in its own)."""
    lying = claim_sizes(bomb, SHEET, compressed=2**30)
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read_customers(lying)

    assert time.perf_counter() - started < 5
    error = caught.value
    assert error.detected == "xlsx"
    assert str(error).startswith(
        "This looks like an Excel workbook (.xlsx) but it is damaged or incomplete "
        f"(part {SHEET!r} claims 1,073,741,824 compressed bytes where the archive "
        "has room for "
    )
    assert "as a zip bomb may" in str(error)


def test_part_claiming_more_compressed_bytes_than_it_has_is_refused() -> None:
    """An ordinary part whose headers claim more compressed bytes than come
    before the next part is refused as damaged on every Python version
    (zipfile reads on before 3.13), and in the same words."""
    data = xlsx_bytes(TABLE)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        compressed = archive.getinfo(SHEET).compress_size
    lying = claim_sizes(data, SHEET, compressed=compressed + 1)

    with pytest.raises(ImportFileError) as caught:
        read_customers(lying)

    assert not isinstance(caught.value, LimitExceededError)
    assert caught.value.detected == "xlsx"
    # The next part starts right after the sheet's compressed bytes.
    assert (
        f"(part {SHEET!r} claims {compressed + 1:,} compressed bytes where the "
        f"archive has room for {compressed:,}, as a zip bomb may)"
    ) in str(caught.value)


def test_part_claiming_a_small_size_is_not_inflated_past_it() -> None:
    """A part whose headers claim 10 bytes is cut there, fails its CRC, is refused."""
    # zipfile never inflates past the size the central directory claims, so
    # the lie cannot smuggle bytes past max_decompressed_bytes, which is set
    # here between the claimed and the real total.
    data = xlsx_bytes([["name", "notes"], *(["Acme", "x" * 1000] for _ in range(50))])
    real = sum(len(body) for body in parts_of(data).values())
    lying = claim_sizes(data, SHEET, size=10)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        claimed = sum(info.file_size for info in archive.infolist())
    assert claimed < real - 40_000
    limits = Limits(max_decompressed_bytes=claimed + 1_000)

    with pytest.raises(ImportFileError) as caught:
        read_customers(lying, limits=limits)

    assert not isinstance(caught.value, LimitExceededError)
    assert caught.value.detected == "xlsx"
    assert "CRC" in str(caught.value)
    assert "damaged" in str(caught.value)


def test_decompressed_bytes_are_counted_over_all_parts() -> None:
    """max_decompressed_bytes counts inflated bytes of every part together."""
    data = xlsx_bytes([["name", "notes"], *(["Acme", "x" * 1000] for _ in range(50))])
    total = sum(len(body) for body in parts_of(data).values())

    assert len(read_customers(data, limits=Limits(max_decompressed_bytes=total)).rows)
    with pytest.raises(LimitExceededError) as caught:
        read_customers(data, limits=Limits(max_decompressed_bytes=total - 1))
    assert caught.value.limit == "max_decompressed_bytes"


def with_empty_parts(data: bytes, count: int) -> bytes:
    """*data* with *count* more central-directory entries (no local headers)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        start, entries = archive.start_dir, len(archive.infolist())
    end = data.rindex(b"PK\x05\x06")
    names = [f"{i:06x}".encode() for i in range(count)]
    extra = b"".join(
        struct.pack("<4s6H3I5HII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0,
                    len(name), 0, 0, 0, 0, 0, 0) + name
        for name in names
    )  # fmt: skip
    directory = data[start:end] + extra
    record = struct.pack(
        "<4s4H2IH",
        b"PK\x05\x06",
        0,
        0,
        min(entries + count, 0xFFFF),
        min(entries + count, 0xFFFF),
        len(directory),
        start,
        0,
    )
    return data[:start] + directory + record


def test_archive_with_a_huge_list_of_parts_is_refused_unread() -> None:
    """150,000 empty entries (7 MB of zip directory) are refused before listing."""
    data = with_empty_parts(xlsx_bytes(TABLE), 150_000)
    error, elapsed, peak = measured(lambda: read_customers(data))

    assert isinstance(error, ImportFileError)
    assert elapsed < 1
    assert peak < 20 * MiB
    assert error.detected == "xlsx"
    assert "list of parts" in str(error)
    assert "damaged" in str(error)


def test_archive_with_more_parts_than_a_workbook_has() -> None:
    """Over 10,000 parts is refused after listing, before inflating any."""
    data = with_empty_parts(xlsx_bytes(TABLE), 10_001)

    with pytest.raises(ImportFileError, match=r"10,010 parts in the archive"):
        read_customers(data)


def test_archive_with_many_parts_under_the_limit_is_read() -> None:
    """Two thousand extra (empty) parts are fine: they are listed and checked."""
    parts = parts_of(xlsx_bytes(TABLE))
    parts.update({f"customXml/item{i}.xml": b"" for i in range(2_000)})
    data = rezip(parts)

    assert len(read_customers(data).rows) == 10


def patched_part_headers(data: bytes, name: str, offset: int, value: int) -> bytes:
    """Set a 2-byte field of part *name* in its local and central headers.

    *offset* is the field's place in the local header; in the central header
    it sits 2 bytes further.
    """
    patched = bytearray(data)
    local, central = headers(data, name)
    struct.pack_into("<H", patched, local + offset, value)
    struct.pack_into("<H", patched, central + offset + 2, value)
    return bytes(patched)


def test_part_encrypted_with_a_zip_password() -> None:
    """A part with the zip 'encrypted' flag is a password-protected workbook."""
    data = xlsx_bytes(TABLE)
    (flags,) = struct.unpack_from("<H", data, 6)
    data = patched_part_headers(data, "docProps/app.xml", 6, flags | 0x1)

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert caught.value.detected == "encrypted"
    assert "Remove the password" in str(caught.value)


def test_part_with_an_unknown_compression_method() -> None:
    """A part compressed with a method zipfile lacks is a damaged workbook."""
    data = patched_part_headers(xlsx_bytes(TABLE), SHEET, 8, 99)

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert caught.value.detected == "xlsx"
    assert "unsupported compression" in str(caught.value)


# -- XML document type declarations --------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"
 uniqueCount="1"><si><t>&lol9;</t></si></sst>"""

XXE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
)


def with_xxe(sheet: bytes) -> bytes:
    return XXE + sheet.replace(b"<t>Acme 0</t>", b"<t>&xxe;</t>")


def in_utf16(xml: bytes, codec: str = "utf-16") -> bytes:
    text = xml.decode().replace('encoding="UTF-8"', f'encoding="{codec.upper()}"')
    return text.encode(codec)


def at_chunk_edge(xml: bytes) -> bytes:
    """An external DTD whose "<!DOCTYPE" straddles the reader's 64 KiB chunks."""
    declaration = XXE.partition(b"\n")[0]
    dtd = b'\n<!DOCTYPE styleSheet SYSTEM "http://attacker.invalid/x.dtd">\n'
    padding = b" " * (64 * 1024 - 5 - len(declaration))
    assert not xml.startswith(b"<?xml")
    return declaration + padding + dtd + xml


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if openpyxl is asked to read the workbook at all."""

    def read(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl parsed a workbook that should be refused")

    monkeypatch.setattr(ExcelReader, "read", read)


@pytest.mark.usefixtures("no_openpyxl")
@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("xl/sharedStrings.xml", BILLION_LAUGHS),
        (SHEET, with_xxe),
        (SHEET, lambda sheet: in_utf16(with_xxe(sheet))),
        (SHEET, lambda sheet: in_utf16(with_xxe(sheet), "utf-16-be")),
        ("xl/styles.xml", at_chunk_edge),
    ],
    ids=["billion-laughs", "external-entity", "utf-16", "utf-16-be", "chunk-edge"],
)
def test_document_type_declaration_is_refused_before_parsing(
    part: str, change: Change
) -> None:
    """Any DTD (entity bombs, external entities) is refused before openpyxl runs."""
    with pytest.raises(ImportFileError) as caught:
        read_customers(with_parts(xlsx_bytes(TABLE), {part: change}))

    error = caught.value
    assert not isinstance(error, LimitExceededError)
    assert error.detected == "xlsx"
    assert str(error).startswith("This workbook contains an XML document type")
    assert repr(part) in str(error)
    assert "save it again" in str(error)


@pytest.mark.usefixtures("no_openpyxl")
def test_document_type_declaration_in_a_part_not_named_xml() -> None:
    """A worksheet part renamed to sheet1.dat (the rels point there) is scanned."""
    parts = parts_of(xlsx_bytes(TABLE))
    sheet = parts.pop(SHEET)
    parts["xl/worksheets/sheet1.dat"] = with_xxe(sheet)
    for name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        parts[name] = parts[name].replace(b"sheet1.xml", b"sheet1.dat")

    with pytest.raises(ImportFileError, match="document type declaration in 'xl/"):
        read_customers(rezip(parts))


def test_svg_image_with_a_doctype_is_not_refused() -> None:
    """A DTD in an image (an SVG logo in xl/media) is not the workbook's XML."""
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>'
    )
    data = with_parts(xlsx_bytes(TABLE), {"xl/media/image1.svg": svg})

    assert len(read_customers(data).rows) == 10


# -- limits --------------------------------------------------------------------


class NonSeekable(io.RawIOBase):
    """A pipe-like binary stream: readable, not seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._data.readinto(buffer)


class Endless(NonSeekable):
    """A stream that never ends."""

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        buffer[:] = b"a" * len(buffer)
        return len(buffer)


@pytest.mark.parametrize("given_as", ["path", "bytes", "stream", "non-seekable"])
def test_max_file_bytes(tmp_path: Path, given_as: str) -> None:
    """A file over max_file_bytes is refused however it is given."""
    data = xlsx_bytes(TABLE)
    path = tmp_path / "customers.xlsx"
    path.write_bytes(data)
    sources: dict[str, Path | bytes | IO[bytes]] = {
        "path": path,
        "bytes": data,
        "stream": io.BytesIO(data),
        "non-seekable": io.BufferedReader(NonSeekable(data)),
    }
    source = sources[given_as]

    with pytest.raises(LimitExceededError) as caught:
        read_customers(source, limits=Limits(max_file_bytes=1_000))

    assert (caught.value.limit, caught.value.value) == ("max_file_bytes", 1_000)
    assert "over the limit of 1,000 bytes" in str(caught.value)
    assert "Split it into smaller files" in str(caught.value)
    assert len(read_customers(data, limits=Limits(max_file_bytes=len(data))).rows)


def test_max_file_bytes_counts_the_bytes_of_a_memoryview() -> None:
    """A memoryview of 8-byte items is measured in bytes, not in items."""
    view = memoryview(array.array("d", [0.0] * 200))
    assert (len(view), view.nbytes) == (200, 1_600)

    with pytest.raises(LimitExceededError) as caught:
        read_customers(view, limits=Limits(max_file_bytes=1_000))

    assert "1,600 bytes" in str(caught.value)


def test_endless_stream_stops_at_max_file_bytes() -> None:
    """A stream that never ends is cut off at max_file_bytes, not read forever."""
    with pytest.raises(LimitExceededError) as caught:
        read_customers(
            io.BufferedReader(Endless(b"")), limits=Limits(max_file_bytes=3 * MiB)
        )

    assert caught.value.limit == "max_file_bytes"


def feed(fifo: Path, data: bytes) -> threading.Thread:
    """Write *data* into the named pipe *fifo* from a thread, as a shell would."""

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), fifo.open("wb") as pipe:
            pipe.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("reader", sorted(READERS))
def test_path_naming_a_pipe(tmp_path: Path, reader: str) -> None:
    """A path naming a pipe (/dev/stdin, a shell's <(...)) is read like a stream."""
    fifo = tmp_path / "customers"
    os.mkfifo(fifo)
    writer = feed(fifo, READERS[reader](TABLE))

    result = read_customers(fifo)

    writer.join(timeout=5)
    assert len(result.rows) == 10


@pytest.mark.parametrize("spilled", [False, True], ids=["in-memory", "on-disk"])
@pytest.mark.parametrize("reader", sorted(READERS))
def test_stream_that_cannot_seek(
    monkeypatch: pytest.MonkeyPatch, reader: str, spilled: bool
) -> None:
    """A stream that cannot seek (a socket, a pipe) is copied, in memory or,
    past 16 MiB (100 bytes here), into a temporary file, and read like any
    file, on every Python version."""
    files: list[object] = []

    def temporary_file() -> IO[bytes]:
        files.append(made := real_temporary_file())
        return made

    real_temporary_file = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    if spilled:
        monkeypatch.setattr(_source, "_SPOOL_IN_MEMORY", 100)
    data = READERS[reader](TABLE)
    assert len(data) > 100

    result = read_customers(io.BufferedReader(NonSeekable(data)))

    assert names(result) == [f"Acme {i}" for i in range(10)]
    assert len(files) == spilled


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_path_naming_a_pipe_stops_at_max_file_bytes(tmp_path: Path) -> None:
    """A pipe is read up to max_file_bytes and no further."""
    fifo = tmp_path / "customers.csv"
    os.mkfifo(fifo)
    writer = feed(fifo, csv_bytes(TABLE) * 100_000)

    with pytest.raises(LimitExceededError) as caught:
        read_customers(fifo, limits=Limits(max_file_bytes=2 * MiB))

    writer.join(timeout=5)
    assert caught.value.limit == "max_file_bytes"


@pytest.mark.parametrize("reader", sorted(READERS))
def test_max_columns(reader: str) -> None:
    """A header wider than max_columns is refused, saying how wide it is."""
    header = ["name", *(f"extra {i}" for i in range(29))]
    data = READERS[reader]([header, ["Acme", *["x"] * 29]])

    with pytest.raises(LimitExceededError) as caught:
        read_customers(data, limits=Limits(max_columns=20))

    assert (caught.value.limit, caught.value.value) == ("max_columns", 20)
    assert caught.value.detected == reader
    assert "30 columns, over the limit of 20" in str(caught.value)
    assert read_customers(data, limits=Limits(max_columns=30)).rows


@pytest.mark.parametrize("reader", sorted(READERS))
def test_max_rows(reader: str) -> None:
    """Ten data rows are over Limits(max_rows=5); blank rows do not count."""
    write = READERS[reader]
    with pytest.raises(LimitExceededError) as caught:
        read_customers(write(TABLE), limits=Limits(max_rows=5))

    assert (caught.value.limit, caught.value.value) == ("max_rows", 5)
    assert "more than 5 rows" in str(caught.value)
    assert "Split it into smaller files" in str(caught.value)
    spaced = [TABLE[0], *(row for data in TABLE[1:] for row in (data, ["", ""]))]
    assert len(read_customers(write(spaced), limits=Limits(max_rows=10)).rows) == 10


@pytest.mark.parametrize("reader", sorted(READERS))
def test_max_cell_chars_is_a_problem_on_that_cell(reader: str) -> None:
    """A too-long cell is a cell-too-long problem at its cell, not an exception."""
    table: Table = [
        ["name", "email", "contact"],
        ["Acme", "a@example.com", "x" * 41],
        ["Beta", "b@example.com", "x" * 40],
    ]

    result = read_customers(READERS[reader](table), limits=Limits(max_cell_chars=40))

    (problem,) = result.problems
    assert (problem.code, problem.cell, problem.row, problem.column) == (
        "cell-too-long",
        "C2",
        2,
        "contact",
    )
    assert "41 characters; at most 40" in problem.message
    assert names(result) == ["Beta"]


# -- spreadsheet hazards -------------------------------------------------------


def test_dimension_claiming_a_million_rows() -> None:
    """<dimension ref="A1:XFD1048576"> is a claim: only the real rows are read."""
    claim = b'<dimension ref="A1:XFD1048576"'
    data = with_parts(
        xlsx_bytes(TABLE),
        {SHEET: lambda sheet: re.sub(rb'<dimension ref="[^"]*"', claim, sheet)},
    )
    assert b"A1:XFD1048576" in parts_of(data)[SHEET]

    started = time.perf_counter()
    result = read_customers(data)

    assert time.perf_counter() - started < 2
    assert result.problems == ()
    assert names(result) == [f"Acme {i}" for i in range(10)]


def with_last_row_numbered(number: int) -> bytes:
    """TABLE as an XLSX whose last row claims row number *number*."""
    return with_parts(
        xlsx_bytes(TABLE),
        {SHEET: lambda sheet: sheet.replace(b'<row r="11"', b'<row r="%d"' % number)},
    )


def test_row_numbered_past_the_last_row_a_sheet_can_have(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row numbered past a worksheet's last row is damage, not a row:
    the file is refused (openpyxl would yield an empty row for every row
    number skipped on the way, minutes of them)."""
    monkeypatch.setattr(_xlsx, "LAST_ROW", 30)

    assert names(read_customers(with_last_row_numbered(30)))[-1] == "Acme 9"
    with pytest.raises(ImportFileError, match="numbered past 30, the last row"):
        read_customers(with_last_row_numbered(31))


@pytest.mark.slow
def test_row_numbered_in_the_billions_is_refused_in_seconds() -> None:
    """The real limit: reading stops at row 1,048,577 whatever the number."""
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="numbered past 1,048,576"):
        read_customers(with_last_row_numbered(2_000_000_000))

    assert time.perf_counter() - started < 20


_ROW_2_CELLS = (
    b'<c r="A2" t="inlineStr"><is><t>Acme 0</t></is></c>',
    b'<c r="B2" t="inlineStr"><is><t>a0@example.com</t></is></c>',
)


def with_sheet_change(old: bytes, new: bytes) -> bytes:
    """TABLE as an XLSX with *old* replaced by *new* in its sheet."""

    def change(sheet: bytes) -> bytes:
        assert old in sheet
        return sheet.replace(old, new, 1)

    return with_parts(xlsx_bytes(TABLE), {SHEET: change})


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'<row r="3">', b'<row r="2">', "gives row 2 after row 2"),
        (b'<row r="6">', b'<row r="4">', "gives row 4 after row 5"),
        (_ROW_2_CELLS[1], _ROW_2_CELLS[1] * 2, "gives cell B2 twice"),
        (b"".join(_ROW_2_CELLS), b"".join(_ROW_2_CELLS[::-1]) + _ROW_2_CELLS[1], "B2"),
    ],
    ids=["row-repeated", "row-backwards", "cell-twice", "cell-twice-unordered"],
)
def test_rows_or_cells_given_twice_are_damage(
    old: bytes, new: bytes, message: str
) -> None:
    """A row numbered like an earlier one or before it, or a cell given
    twice, is damage: the file is refused (openpyxl's row reader would drop
    the row, or one of the cells, without a word)."""
    with pytest.raises(ImportFileError, match=message) as caught:
        read_customers(with_sheet_change(old, new))

    assert caught.value.detected == "xlsx"


def test_cells_out_of_order_are_read_in_their_columns() -> None:
    """Cells a writer put out of order still land in their columns
    (openpyxl's row reader would drop those past the row's last cell)."""
    result = read_customers(
        with_sheet_change(b"".join(_ROW_2_CELLS), b"".join(_ROW_2_CELLS[::-1]))
    )

    assert result.problems == ()
    assert names(result) == [f"Acme {i}" for i in range(10)]
    assert result.rows[0].customer.emails == ("a0@example.com",)


def test_rows_the_sheet_skips_keep_row_numbers() -> None:
    """Rows numbered with gaps keep their numbers: the rows between are
    blank."""
    result = read_customers(with_sheet_change(b'<row r="11">', b'<row r="40">'))

    assert [row.row for row in result.rows] == [*range(2, 11), 40]


def test_a_row_reaching_the_last_column_is_one_problem() -> None:
    """A row with a cell in the last column a worksheet has (XFD, 16,384)
    past blank and blank-looking cells is a too-many-cells error naming
    that cell; a row whose cells past the header are only spaces is read.
    The blank cells on the way cost no Python work each."""
    far = b'<c r="E3" t="inlineStr"><is><t> </t></is></c><c r="XFD3"><v>7</v></c>'
    spaces = b'<c r="XFD4" t="inlineStr"><is><t>\xc2\xa0</t></is></c>'

    def change(sheet: bytes) -> bytes:
        for cells, before in ((far, b'<row r="4">'), (spaces, b'<row r="5">')):
            sheet = sheet.replace(b"</row>" + before, cells + b"</row>" + before)
        return sheet

    result = read_customers(with_parts(xlsx_bytes(TABLE), {SHEET: change}))

    (problem,) = result.problems
    assert (problem.code, problem.cell) == ("too-many-cells", "XFD3")
    assert problem.message.startswith("This row has 16384 cells but the header has 2")
    assert names(result) == [f"Acme {i}" for i in range(10) if i != 1]


def empty_xlsx() -> bytes:
    return save(openpyxl.Workbook())


def empty_xls() -> bytes:
    book = xlwt.Workbook()
    book.add_sheet("Customers")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("build", [empty_xlsx, empty_xls], ids=["xlsx", "xls"])
def test_workbook_with_an_empty_sheet(build: Callable[[], bytes]) -> None:
    """A sheet with nothing in it is a no-header problem, not an exception."""
    result = read_customers(build())

    assert [problem.code for problem in result.problems] == ["no-header"]
    assert result.rows == ()


def test_formatted_empty_rows_after_the_data() -> None:
    """Cells with a fill and no value, below and beside the data, are nothing."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for values in TABLE:
        sheet.append(values)
    fill = PatternFill("solid", fgColor="FFFF00")
    for row in range(12, 500):
        for column in range(1, 8):
            sheet.cell(row, column).fill = fill
    data = save(workbook)
    assert b'<c r="G499" s=' in parts_of(data)[SHEET]

    result = read_customers(data)

    assert result.problems == ()
    assert len(result.rows) == 10


def test_formatted_empty_rows_after_the_data_xls() -> None:
    """The same in an .xls: styled blank cells (BLANK records) are nothing."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Customers")
    for r, values in enumerate(TABLE):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    fill = xlwt.easyxf("pattern: pattern solid, fore_colour yellow")
    for r in range(11, 2_000):
        for c in range(7):
            sheet.write(r, c, None, fill)
    out = io.BytesIO()
    book.save(out)

    result = read_customers(out.getvalue())

    assert result.problems == ()
    assert len(result.rows) == 10


def hidden_sheets_xlsx(*, active: int = 2) -> bytes:
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    assert hidden is not None
    hidden.title = "Hidden"
    hidden.sheet_state = "hidden"
    very_hidden = workbook.create_sheet("Very Hidden")
    very_hidden.sheet_state = "veryHidden"
    visible = workbook.create_sheet("Customers")
    for sheet, name in ((hidden, "Secret"), (very_hidden, "Deep"), (visible, "Open")):
        sheet.append(["name"])
        sheet.append([name])
    data = save(workbook)
    # openpyxl will not save a hidden active sheet; Excel files can have one.
    tab = b'activeTab="%d"' % active
    return with_parts(
        data, {"xl/workbook.xml": lambda book: re.sub(rb'activeTab="\d+"', tab, book)}
    )


def hidden_sheets_xls() -> bytes:
    book = xlwt.Workbook()
    for title, visibility, name in (
        ("Hidden", 1, "Secret"),
        ("Very Hidden", 2, "Deep"),
        ("Customers", 0, "Open"),
    ):
        sheet = book.add_sheet(title)
        sheet.visibility = visibility
        sheet.write(0, 0, "name")
        sheet.write(1, 0, name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HIDDEN: dict[str, Callable[[], bytes]] = {
    "xlsx": hidden_sheets_xlsx,
    "xlsx-active-hidden": lambda: hidden_sheets_xlsx(active=0),
    "xls": hidden_sheets_xls,
}


@pytest.mark.parametrize("kind", sorted(HIDDEN))
def test_hidden_sheets_are_skipped_by_default(kind: str) -> None:
    """The first visible sheet is read, even when a hidden one is active."""
    data = HIDDEN[kind]()
    if kind == "xlsx-active-hidden":
        assert b'activeTab="0"' in parts_of(data)["xl/workbook.xml"]

    result = read_customers(data)

    assert [(row.sheet, row.customer.name) for row in result.rows] == [
        ("Customers", "Open")
    ]


@pytest.mark.parametrize("kind", sorted(HIDDEN))
@pytest.mark.parametrize(
    ("asked", "sheet", "name"),
    [("Hidden", "Hidden", "Secret"), (" very hidden ", "Very Hidden", "Deep")],
)
def test_hidden_sheet_read_when_named(
    kind: str, asked: str, sheet: str, name: str
) -> None:
    """Naming a hidden or very hidden sheet reads it (case and spaces ignored)."""
    result = read_customers(HIDDEN[kind](), sheet=asked)

    assert [(row.sheet, row.customer.name) for row in result.rows] == [(sheet, name)]


@pytest.mark.parametrize("kind", sorted(HIDDEN))
def test_unknown_sheet_name_lists_the_sheets(kind: str) -> None:
    """sheet= naming no sheet is refused with the names there are."""
    with pytest.raises(ImportFileError) as caught:
        read_customers(HIDDEN[kind](), sheet="Kunden")

    assert caught.value.detected == kind.partition("-")[0]
    assert str(caught.value) == (
        "The workbook has no sheet named 'Kunden'. "
        "Its sheets are: 'Hidden', 'Very Hidden', 'Customers'."
    )


def test_xlsx_with_no_visible_sheet() -> None:
    """A workbook whose every sheet is hidden says so, and how to choose one."""
    data = with_parts(
        hidden_sheets_xlsx(),
        {"xl/workbook.xml": lambda book: book.replace(b'"visible"', b'"hidden"')},
    )

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert caught.value.detected == "xlsx"
    assert "no visible worksheet" in str(caught.value)
    assert "Unhide" in str(caught.value)
    assert names(read_customers(data, sheet="Customers")) == ["Open"]


def test_xls_with_no_visible_sheet() -> None:
    """The same for an .xls: every sheet hidden is refused with what to do."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Hidden")
    sheet.visibility = 1
    sheet.write(0, 0, "name")
    sheet.write(1, 0, "Secret")
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(ImportFileError) as caught:
        read_customers(out.getvalue())

    assert caught.value.detected == "xls"
    assert "no visible worksheet" in str(caught.value)
    assert names(read_customers(out.getvalue(), sheet="hidden")) == ["Secret"]


# -- the caller's stream -------------------------------------------------------


@pytest.mark.parametrize("reader", sorted(READERS))
def test_callers_stream_is_left_open(reader: str) -> None:
    """read_customers reads a BytesIO it is given but does not close it."""
    data = READERS[reader](TABLE)
    stream = io.BytesIO(data)

    assert len(read_customers(stream).rows) == 10
    assert not stream.closed
    assert stream.getvalue() == data


def test_callers_stream_is_left_open_when_refused() -> None:
    """A refused file (here a web page) leaves the caller's stream open too."""
    stream = io.BytesIO(b"<!DOCTYPE html><html><table></table></html>")

    with pytest.raises(ImportFileError):
        read_customers(stream)
    assert not stream.closed


@pytest.mark.parametrize("reader", sorted(READERS))
def test_callers_stream_is_left_open_by_an_abandoned_iteration(reader: str) -> None:
    """Closing iter_customers after one row leaves the caller's stream open."""
    stream = io.BytesIO(READERS[reader](TABLE))
    rows: Iterator[object] = iter_customers(stream)

    next(rows)
    rows.close()  # type: ignore[attr-defined]

    assert not stream.closed


# -- fuzzing -------------------------------------------------------------------


def read_or_refuse(data: bytes) -> ReadResult | ImportFileError:
    """A ReadResult or an ImportFileError with a message; nothing else."""
    outcome: ReadResult | ImportFileError
    try:
        outcome = read_customers(data)
    except ImportFileError as error:
        outcome = error
    if isinstance(outcome, ImportFileError):
        assert str(outcome)
        assert outcome.detected is None or isinstance(outcome.detected, str)
    else:
        assert isinstance(outcome, ReadResult)
    return outcome


@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    """Any bytes at all are read or refused with ImportFileError."""
    read_or_refuse(data)


@given(st.binary(max_size=2000))
def test_zip_magic_and_random_tail(tail: bytes) -> None:
    """The zip magic number with anything after it is read or refused."""
    read_or_refuse(b"PK\x03\x04" + tail)


@given(st.binary(max_size=2000))
def test_ole2_magic_and_random_tail(tail: bytes) -> None:
    """The compound-file magic number with anything after it is read or refused."""
    read_or_refuse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail)


WORKBOOKS = {"xlsx": xlsx_bytes(TABLE), "xls": xls_bytes(TABLE)}


@given(
    st.sampled_from(sorted(WORKBOOKS)),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    st.floats(min_value=0, max_value=1),
)
def test_damaged_workbooks(
    kind: str, changes: list[tuple[int, int]], cut: float
) -> None:
    """A real workbook with bytes changed and its end cut off is read or refused."""
    data = bytearray(WORKBOOKS[kind])
    for at, byte in changes:
        data[at % len(data)] = byte
    read_or_refuse(bytes(data[: max(1, round(len(data) * cut))]))


#: A workbook with a shared-strings table, as Excel writes one.
SHARED = with_shared_strings(xlsx_bytes(TABLE))
XML_PARTS = sorted(
    name for name in parts_of(SHARED) if name.endswith((".xml", ".rels"))
)
ENCODINGS = st.one_of(
    st.sampled_from(
        [
            "UTF-8", "utf-8-sig", "utf-16", "UTF-32", "latin-1", "ascii", "cp1252",
            "koi8-r", "utf-7", "base64", "hex", "rot13", "zlib", "bz2", "uu",
            "quopri", "idna", "punycode", "undefined", "unicode-escape",
            "raw-unicode-escape", "charmap", "mbcs", "x-no-such", "",
        ]
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.:", max_size=12),
)  # fmt: skip


# The unicode-escape codec warns of the bytes it is given (invalid escape
# sequences): a program's filters decide what becomes of that, as of any
# warning, and they ignore it by default.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@given(st.sampled_from(XML_PARTS), ENCODINGS)
def test_xml_declarations_of_any_encoding(part: str, encoding: str) -> None:
    """Whatever encoding the XML declaration of any part names (unknown,
    not a text encoding, not the part's), the workbook is read or refused
    as damaged; no LookupError or other escapes."""
    outcome = read_or_refuse(with_parts(SHARED, {part: declared(encoding)}))

    if isinstance(outcome, ImportFileError):
        assert "xlsx" == outcome.detected


ESCAPE_PIECES = st.one_of(
    st.sampled_from(
        ["_x", "_x005F_", "_x005f_", "x005F_", "_x000D_", "_x0000_", "_xD83D_",
         "_xDE00_", "_xFFFF_", "_", "x", "\n", " "]
    ),
    st.text(alphabet="Acme0123456789abcdefABCDEF", max_size=5),
    st.integers(0, 0xFFFF).map(lambda code: f"_x{code:04X}_"),
)  # fmt: skip


@given(st.lists(ESCAPE_PIECES, min_size=1, max_size=8).map("".join), st.booleans())
def test_escapes_in_text_cells(text: str, shared: bool) -> None:
    """A name of escapes and near-escapes, in the shared-strings table or in
    the cell: read as Excel shows it (`unescape`), or refused; never
    anything else, and never a crash."""
    written = f'<t xml:space="preserve">{xml_escape(text)}</t>'
    data = xlsx_bytes([["name"], ["PLACE"]])
    if shared:
        data = with_shared_strings(data, written={"PLACE": written})
    else:
        data = with_parts(
            data,
            {SHEET: lambda sheet: sheet.replace(b"<t>PLACE</t>", written.encode())},
        )

    outcome = read_or_refuse(data)

    assert isinstance(outcome, ReadResult)
    if outcome.rows:
        assert clean(unescape(text)) == outcome.rows[0].customer.name
    else:
        # A blank name is a blank row; any other is a problem.
        assert outcome.problems or not clean(unescape(text))


# -- a long-running process ------------------------------------------------------


def resident() -> int | None:
    """The bytes this process holds in memory now, or None where that cannot
    be told (no /proc)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def damaged_files() -> list[bytes]:
    """Small files of each kind, each damaged in its own way."""
    good = xlsx_bytes(TABLE)
    return [
        good[: len(good) * 2 // 3],
        with_parts(good, {"xl/workbook.xml": lambda body: body[:-40]}),
        with_parts(good, {"xl/styles.xml": lambda body: body[:-40]}),
        with_parts(SHARED, {SHEET: lambda body: body[:-300]}),
        with_parts(SHARED, {"xl/sharedStrings.xml": declared("base64")}),
        xls_bytes(TABLE)[:3_000],
        b"name,contact\r\nAcme,Ann\r\n\x1aBeta,Bob\r\n",
    ]


@pytest.mark.slow
@pytest.mark.skipif(resident() is None, reason="needs /proc to measure memory")
def test_reading_damaged_files_thousands_of_times_stays_flat() -> None:
    """A long-running process reading damaged files (an upload service): 2,100
    reads hold no more memory than the first few hundred did. (Reading a
    damaged XLSX 6,000 times grew a process from 21 to 301 MiB.)"""
    files = damaged_files()

    def read_all(times: int) -> None:
        for _ in range(times):
            for data in files:
                with contextlib.suppress(ImportFileError):
                    read_customers(data)

    read_all(50)
    before = resident()
    read_all(300)
    after = resident()

    assert before is not None
    assert after is not None
    assert after - before < 16 * MiB
