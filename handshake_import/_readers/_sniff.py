"""Tell what a file really is from its bytes, never from its name."""

from __future__ import annotations

import codecs
import io
import struct
import zipfile
from typing import IO, NamedTuple

from ._damage import parser_failure

__all__ = [
    "HEAD_SIZE",
    "MAX_ZIP_DIRECTORY",
    "ZipEnd",
    "describe",
    "sniff",
    "zip_directory_size",
    "zip_end",
]

HEAD_SIZE = 64 * 1024
#: The most zip central directory a workbook needs (10,000 parts with long
#: names). zipfile turns all of it into ZipInfo objects, about ten times its
#: size in memory, before anything else can be checked.
MAX_ZIP_DIRECTORY = 4 * 1024 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SPREADSHEETML = b"urn:schemas-microsoft-com:office:spreadsheet"
# UTF-32 first: its little-endian BOM starts with UTF-16's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x7fELF", "binary"),
    (b"MZ", "binary"),
    (b"SQLite format 3\x00", "sqlite"),
)

#: detected name -> how a person would call it, for messages.
_DESCRIPTIONS = {
    "csv": "a text (CSV) file",
    "tsv": "a tab-separated text file",
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an Excel 97-2003 workbook (.xls)",
    "xlsb": "an Excel binary workbook (.xlsb)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "encrypted": "a password-protected Office file",
    "ole2": "an Office 97-2003 document (Word, PowerPoint or similar)",
    "docx": "a Word document (.docx)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "zip": "a ZIP archive",
    "html": "a web page (HTML)",
    "spreadsheetml": "an Excel 2003 XML spreadsheet",
    "xml": "an XML file",
    "pdf": "a PDF document",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "gzip": "a gzip archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "sqlite": "an SQLite database",
    "binary": "a binary file, not a spreadsheet or text",
    "empty": "an empty file (0 bytes)",
}


def describe(detected: str) -> str:
    """A human name for a detected format, for error messages."""
    return _DESCRIPTIONS.get(detected, detected)


def sniff(stream: IO[bytes]) -> str:
    """Return the detected format of a seekable stream; leaves it at offset 0.

    One of ``"text"`` (decided further by the text reader), ``"xlsx"``,
    ``"xls"``, or a name from `describe` for everything that is not readable.
    """
    stream.seek(0)
    head = stream.read(HEAD_SIZE)
    stream.seek(0)
    if not head:
        return "empty"
    if head.startswith(_ZIP):
        return _sniff_zip(stream)
    if head.startswith(_OLE2):
        return _sniff_ole2(stream)
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return _sniff_markup(head) or "text"


class ZipEnd(NamedTuple):
    """Where an archive's end records put its central directory."""

    #: the offset of the central directory in the file
    start: int
    #: its size in bytes, as the end records claim it
    size: int


_END = struct.Struct("<4s4H2IH")
_END_SIGNATURE = b"PK\x05\x06"
_MAX_COMMENT = 0xFFFF
_END64 = struct.Struct("<4sQ2H2I4Q")
_END64_SIGNATURE = b"PK\x06\x06"
_LOCATOR = struct.Struct("<4sIQI")
_LOCATOR_SIGNATURE = b"PK\x06\x07"
_END64_RECORDS = _END64.size + _LOCATOR.size


def zip_end(stream: IO[bytes]) -> ZipEnd | None:
    """The central directory zipfile would read from *stream*, or ``None``
    when zipfile would find none (it then refuses the file).

    Reads the end records of the ZIP format (PKWARE's APPNOTE.TXT, 4.3.14 to
    4.3.16) as zipfile reads them, so that the size checked is the size
    zipfile goes on to parse: the end-of-central-directory record is the
    last 22 bytes, or else the last of its signatures in the last 64 KiB + 22
    bytes (an archive comment follows it); a ZIP64 locator right before it
    means a ZIP64 end record right before the locator, whose size holds.
    The directory ends where the end records start (as zipfile takes it, so
    that bytes in front of the archive move it). Leaves *stream* at 0.
    """
    try:
        file_size = stream.seek(0, io.SEEK_END)
        tail_start = max(file_size - _MAX_COMMENT - _END.size, 0)
        stream.seek(tail_start)
        tail = stream.read()
        last = tail[-_END.size :]
        if last.startswith(_END_SIGNATURE) and last.endswith(b"\0\0"):
            # No comment: the record is the last 22 bytes.
            at = len(tail) - _END.size
        else:
            at = tail.rfind(_END_SIGNATURE)
        if at < 0 or len(tail) - at < _END.size:
            return None
        size = _END.unpack_from(tail, at)[5]
        location = tail_start + at
        if location >= _END64_RECORDS:
            stream.seek(location - _END64_RECORDS)
            records = stream.read(_END64_RECORDS)
            signature, disk, _, disks = _LOCATOR.unpack_from(records, _END64.size)
            if signature == _LOCATOR_SIGNATURE:
                if disk != 0 or disks > 1:
                    # Spread over several disks: zipfile refuses it.
                    return None
                end64 = _END64.unpack_from(records)
                if end64[0] == _END64_SIGNATURE:
                    size = end64[8]
                    location -= _END64_RECORDS
    except OSError:
        return None
    finally:
        stream.seek(0)
    start = location - size
    return ZipEnd(start, size) if start >= 0 else None


def zip_directory_size(stream: IO[bytes]) -> int:
    """Bytes of central directory that zipfile would read; 0 if it finds none.

    Leaves *stream* at offset 0.
    """
    end = zip_end(stream)
    return end.size if end else 0


def _sniff_zip(stream: IO[bytes]) -> str:
    if zip_directory_size(stream) > MAX_ZIP_DIRECTORY:
        # Too big to list safely; the xlsx reader refuses it.
        return "xlsx"
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            # An encrypted entry cannot be opened without its password.
            if "mimetype" in names and not archive.getinfo("mimetype").flag_bits & 0x1:
                with archive.open("mimetype") as part:
                    if part.read(len(_ODS_MIMETYPE)) == _ODS_MIMETYPE:
                        return "ods"
    except Exception as error:
        if parser_failure(error) is None:
            raise
        # A damaged archive is still reported as what it claims to be.
        return "xlsx"
    finally:
        stream.seek(0)
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" in names or (
        "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)
    ):
        return "xlsx"
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("ppt/") for name in names):
        return "pptx"
    return "zip"


def _sniff_ole2(stream: IO[bytes]) -> str:
    data = stream.read()
    stream.seek(0)
    cut_off = _directory_offset(data) >= len(data)
    # Stream names compare without regard to case, as xlrd compares them.
    data = data.lower()
    if _has_entry(data, "encryptedpackage"):
        return "encrypted"
    if _has_entry(data, "workbook") or _has_entry(data, "book"):
        return "xls"
    if cut_off:
        # Cut off before its directory (which writers put last): most likely
        # an .xls upload that did not complete; the xls reader says so.
        return "xls"
    return "ole2"


def _directory_offset(data: bytes) -> int:
    """Where the header says the directory of a compound file starts."""
    if len(data) < 52:
        return len(data)
    (sector_shift,) = struct.unpack_from("<H", data, 30)
    (first_sector,) = struct.unpack_from("<I", data, 48)
    return 512 + (int(first_sector) << min(int(sector_shift), 16))


def _has_entry(data: bytes, name: str) -> bool:
    """Whether the compound file *data* has a directory entry called *name*.

    The directory can sit anywhere in the file, but each entry is 128 bytes
    at an offset that is a multiple of 128: the name in UTF-16LE with a NUL
    terminator, padded to 64 bytes, then that name's length in bytes. Only a
    match laid out like that counts: the same name in a cell or a paragraph
    (text is stored as UTF-16LE too) is not a stream.
    """
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    size = len(encoded).to_bytes(2, "little")
    start = data.find(encoded)
    while start != -1:
        if start % 128 == 0 and data[start + 64 : start + 66] == size:
            return True
        # Only the next 128-byte boundary can hold the next entry.
        start = data.find(encoded, start - start % 128 + 128)
    return False


def _sniff_markup(head: bytes) -> str | None:
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            # A web page or XML saved as "Unicode" is still markup.
            head = head[len(bom) :].decode(codec, errors="replace").encode()
            break
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not start.startswith(b"<"):
        return None
    if b"<html" not in start and _SPREADSHEETML in head.lower():
        # Its <Table> must not make it a web page; the <?xml> line is optional.
        return "spreadsheetml"
    if start.startswith(b"<?xml"):
        if b"<html" in start:
            return "html"
        return "xml"
    if any(
        tag in start
        for tag in (b"<html", b"<!doctype html", b"<table", b"<head", b"<body")
    ):
        return "html"
    return None
