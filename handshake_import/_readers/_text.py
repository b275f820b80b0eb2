"""CSV, TSV and other delimited text, streamed through the standard csv module.

The encoding is decided from the first MiB: a BOM (UTF-8, UTF-16, UTF-32)
wins; otherwise UTF-8 if those bytes are valid UTF-8; otherwise Windows-1252,
with an ``encoding-assumed`` warning. Bytes later in the file that do not
decode raise `ImportFileError` rather than being guessed at.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import IO

import attrs

from .._errors import ImportFileError
from .._limits import Limits
from .._problems import make_problem
from ._sheet import RowIssue, RowItem, Sheet, sheet_from_rows

__all__ = ["read_text"]

_SAMPLE = 1024 * 1024
_CANDIDATES = (",", ";", "\t", "|")
_SEP_HINT = re.compile(r"\A\s*sep=([^\r\n])[\r\n]*\Z", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"')
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that do not occur in text: C0 controls other than tab, LF, FF, CR
# and the DOS end-of-file mark. NUL is counted separately (it does occur).
_BINARY_BYTES = bytes([*range(1, 9), 11, *range(14, 26), *range(27, 32)])


def _detect_encoding(sample: bytes) -> tuple[str, bool]:
    """Return (codec name, whether the encoding was a fallback guess)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, False
    nuls = sample.count(0)
    if nuls * 4 > len(sample) and _looks_like_utf16(sample):
        raise ImportFileError(
            "This looks like UTF-16 text without a byte-order mark, which cannot be "
            "read reliably. Save it again as 'CSV UTF-8' from your spreadsheet "
            "program, or as 'Unicode Text', which includes the mark.",
            detected="utf-16",
        )
    if nuls * 10 > len(sample) or len(sample.translate(None, _BINARY_BYTES)) * 20 < (
        len(sample) * 19
    ):
        raise ImportFileError(
            "This file is binary data, not a spreadsheet or a text (CSV) file. "
            "Export the customers from your system as CSV or XLSX and upload that.",
            detected="binary",
        )
    try:
        # An incremental decoder accepts a multi-byte character cut at the
        # end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", False
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError as error:
        raise _invalid_bytes(error, offset=0) from error
    return "cp1252", True


_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252",
}


def _invalid_bytes(error: UnicodeDecodeError, *, offset: int) -> ImportFileError:
    bad = error.object[error.start]
    return ImportFileError(
        f"The file has bytes that are not text in any encoding it could be in "
        f"(byte 0x{bad:02X} at position {offset + error.start:,}). Save it again "
        "as 'CSV UTF-8' from your spreadsheet program, or export it as XLSX.",
        detected="binary",
    )


def _looks_like_utf16(sample: bytes) -> bool:
    # ASCII text in UTF-16 has a NUL in every other byte, on one side.
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) * 10 > len(even) * 9 or odd.count(0) * 10 > len(odd) * 9


def _choose_delimiter(first_line: str) -> str:
    unquoted = _QUOTED.sub("", first_line)
    best, best_count = ",", 0
    for candidate in _CANDIDATES:
        count = unquoted.count(candidate)
        if count > best_count:
            best, best_count = candidate, count
    return best


@contextmanager
def read_text(stream: IO[bytes], limits: Limits) -> Iterator[Sheet | None]:
    """Read delimited text; yields a `Sheet`, or ``None`` when it has no header."""
    sample = stream.read(_SAMPLE)
    stream.seek(0)
    encoding, guessed = _detect_encoding(sample)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")
    lines = _decoded_lines(text)
    try:
        leading = _leading_lines(lines)
        hint = _SEP_HINT.match(leading[0]) if leading else None
        if hint:
            delimiter = hint.group(1)
            leading.pop(0)
            leading.extend(_leading_lines(lines))
        else:
            delimiter = _choose_delimiter(leading[-1] if leading else "")
        records = _records(itertools.chain(leading, lines), delimiter)
        notices = []
        if guessed:
            notices.append(make_problem("encoding-assumed", encoding="Windows-1252"))
        yield sheet_from_rows(
            records,
            format="tsv" if delimiter == "\t" else "csv",
            name=None,
            limits=limits,
            notices=notices,
        )
    finally:
        lines.close()
        # Closing the wrapper would close the caller's stream.
        text.detach()


def _leading_lines(lines: Iterator[str]) -> list[str]:
    """The blank lines before the first line with text, and that line."""
    leading = []
    for line in lines:
        leading.append(line)
        if line.strip():
            break
    return leading


def _decoded_lines(text: io.TextIOWrapper) -> Generator[str, None, None]:
    try:
        # Not `yield from`: closing this generator would then close the
        # wrapper, and with it the caller's stream.
        for line in text:  # noqa: UP028 - see above
            yield line
    except UnicodeDecodeError as error:
        name = _ENCODING_NAMES.get(text.encoding, text.encoding)
        raise ImportFileError(
            "Part of the file is not in the same text encoding as its start "
            f"({name}). Save the whole file again as 'CSV UTF-8' from your "
            "spreadsheet program, or export it as XLSX.",
            detected="csv",
        ) from error


def _records(lines: Iterator[str], delimiter: str) -> Iterator[RowItem]:
    """One item per record, as a spreadsheet shows one row per record.

    A line without a quote is one whole record, and its cells are what
    splitting it at the delimiter gives: what the csv module would read from
    it, in about a sixth less time. Any other line goes to the csv module,
    which takes the lines after it too while a quoted cell goes on; so does
    a line longer than the module's field size limit, for its error.
    """
    pending: list[str] = []
    # The lines of the record the csv module is reading.
    fed: list[str] = []

    def feed() -> Iterator[str]:
        # The line handed over, then the lines a quoted cell goes on into.
        while True:
            if pending:
                line = pending.pop()
            else:
                following = next(lines, None)
                if following is None:
                    return
                line = following
            fed.append(line)
            # The csv module of Python 3.10 refuses a NUL: it goes through
            # as a stand-in, and comes back in the cells (the parser then
            # refuses the cell that holds it).
            yield line.replace("\x00", _NUL_STAND_IN) if "\x00" in line else line

    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    limit = csv.field_size_limit()
    for line in lines:
        if '"' in line or len(line) > limit:
            pending.append(line)
            try:
                cells = next(reader)
                if any("\x00" in fed_line for fed_line in fed):
                    cells = [cell.replace(_NUL_STAND_IN, "\x00") for cell in cells]
                yield cells
            except csv.Error as error:
                # The csv reader goes on with the next line after an error.
                issue = _issue(str(error))
                if issue.code == "cell-too-long":
                    column = _cell_over("".join(fed), delimiter, limit)
                    issue = attrs.evolve(issue, column=column)
                yield issue
            fed.clear()
        else:
            # Line iteration splits lines at the end of each line break only.
            text = line.rstrip("\r\n")
            yield text.split(delimiter) if text else []


#: What a NUL is while the csv module reads its line: a noncharacter, which
#: no text holds.
_NUL_STAND_IN = "\uffff"


def _issue(message: str) -> RowIssue:
    if "unexpected end of data" in message:
        return RowIssue("unclosed-quote")
    if "field larger than field limit" in message:
        # The csv module's own cap, below which Limits.max_cell_chars is applied.
        limit = csv.field_size_limit()
        return RowIssue(
            "cell-too-long", {"length": f"over {limit:,}", "limit": f"{limit:,}"}
        )
    return RowIssue("malformed-quotes", {"detail": message})


def _cell_over(record: str, delimiter: str, limit: int) -> int | None:
    """The place of the first cell of *record* longer than *limit*, counted
    as the csv module counts it (the text inside the quotes, a doubled
    quote once), or ``None``.

    Only for a record the csv module refused for a cell over its field size
    limit: its cells up to that one are well formed (the module would have
    refused them first otherwise), and *record* holds every line the module
    read of it, so that cell's text too.
    """
    place, at, end = 0, 0, len(record)
    while True:
        if record.startswith('"', at):
            # Quoted: up to the quote that is not doubled.
            length, at = 0, at + 1
            while True:
                close = record.find('"', at)
                if close < 0:
                    length, at = length + end - at, end
                    break
                length += close - at
                if not record.startswith('"', close + 1):
                    at = close + 1
                    break
                length, at = length + 1, close + 2
        else:
            # Unquoted: up to the delimiter or the end of the line.
            stops = [record.find(stop, at) for stop in (delimiter, "\r", "\n")]
            stop = min((found for found in stops if found >= 0), default=end)
            length, at = stop - at, stop
        if length > limit:
            return place
        if not record.startswith(delimiter, at):
            return None
        place, at = place + 1, at + len(delimiter)
