"""Tell what a file really is from its bytes, never from its name."""

from __future__ import annotations

import zipfile
from typing import IO

__all__ = ["HEAD_SIZE", "describe", "sniff"]

HEAD_SIZE = 64 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
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
    "ole2": "an Office 97-2003 document that is not a workbook",
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


def _sniff_zip(stream: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    if part.read(len(_ODS_MIMETYPE)) == _ODS_MIMETYPE:
                        return "ods"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
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
    # The directory of a compound file can sit anywhere in it; its entries
    # store names in UTF-16LE, so look for the stream names themselves.
    data = stream.read()
    stream.seek(0)
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "ole2"


def _sniff_markup(head: bytes) -> str | None:
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not start.startswith(b"<"):
        return None
    if start.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head.lower():
            return "spreadsheetml"
        if b"<html" in start:
            return "html"
        return "xml"
    if any(
        tag in start
        for tag in (b"<html", b"<!doctype html", b"<table", b"<head", b"<body")
    ):
        return "html"
    return None
