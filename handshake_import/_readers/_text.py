"""CSV, TSV and other delimited text, streamed through the standard csv module.

The encoding is decided from the first MiB: a BOM (UTF-8, UTF-16, UTF-32)
wins; otherwise UTF-8 if those bytes are valid UTF-8; otherwise Windows-1252,
with an ``encoding-assumed`` warning. Bytes later in the file that do not
decode raise `ImportFileError` rather than being guessed at.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
from collections import deque
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import IO

import attrs

from .._errors import ImportFileError
from .._limits import Limits
from .._problems import make_problem, quote
from ._cells import TRIMMED_CHARACTERS, column_letter
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
    marked = _has_end_mark(stream, encoding, sample)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")
    lines = _decoded_lines(text, longest_line(limits), marked=marked)
    try:
        leading = _leading_lines(lines)
        first = leading[0] if leading else ""
        hint = _SEP_HINT.match(first) if isinstance(first, str) else None
        if hint:
            delimiter = hint.group(1)
            leading.pop(0)
            leading.extend(_leading_lines(lines))
        else:
            delimiter = _choose_delimiter(_text_of(leading[-1]) if leading else "")
        records = _records(
            itertools.chain(leading, lines),
            delimiter,
            span=quoted_span(limits),
            limits=limits,
        )
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


#: Excel's limit on the characters of a cell.
EXCEL_CELL_CHARS = 32_767


def quoted_span(limits: Limits) -> int:
    """How many characters a quoted cell may run on, over several lines,
    before its quote is taken for one that never closes: more than a
    spreadsheet cell can hold (Excel's 32,767, or `Limits.max_cell_chars`
    when that is higher)."""
    return max(limits.max_cell_chars, EXCEL_CELL_CHARS)


def longest_line(limits: Limits) -> int:
    """The most characters a line of a row within the limits can take:
    `Limits.max_columns` cells of `Limits.max_cell_chars` characters, each
    quoted and each character a quote written twice, with delimiters."""
    return limits.max_columns * (2 * limits.max_cell_chars + 3)


class Overlong:
    """A line longer than `longest_line`: its first characters only (the
    rest was read past, never held). No row within the limits is so long;
    `_overlong_issue` says what is wrong with it."""

    __slots__ = ("head",)

    def __init__(self, head: str) -> None:
        self.head = head


#: What the line reader yields: a line with its line break, or an over-long one.
Line = str | Overlong


def _text_of(line: Line) -> str:
    return line.head if isinstance(line, Overlong) else line


def _leading_lines(lines: Iterator[Line]) -> list[Line]:
    """The blank lines before the first line with text, and that line."""
    leading = []
    for line in lines:
        leading.append(line)
        if isinstance(line, Overlong) or line.strip():
            break
    return leading


#: Characters read at a time from a line too long to hold.
_CHUNK = 1024 * 1024
#: The DOS end-of-file mark, Ctrl-Z.
_END_MARK = "\x1a"
#: What may follow the end-of-file mark: blank lines, and more marks.
_AFTER_END_MARK = " \t\r\n" + _END_MARK


def _decoded_lines(
    text: io.TextIOWrapper, longest: int, *, marked: bool = True
) -> Generator[Line, None, None]:
    """The lines of *text*, each with its line break; a line of more than
    *longest* characters as an `Overlong`, read past without being held.

    The DOS end-of-file mark (Ctrl-Z) ends the text; only blank lines and
    more marks may follow it (`ImportFileError` otherwise). Without
    *marked*, the text is known to hold no mark.
    """
    # The line and its line break (\r\n at most).
    size = longest + 2
    reads: Iterator[str] = iter(functools.partial(text.readline, size), "")
    number = 0
    try:
        while True:
            for line in reads:
                if marked:
                    number += 1
                    if _END_MARK in line:
                        before, _, rest = line.partition(_END_MARK)
                        if before:
                            yield before
                        _check_end(text, rest, number)
                        return
                if len(line) < size or line.endswith("\n"):
                    yield line
                    continue
                yield Overlong(line)
                marked_at, after = _read_past(text, line, size)
                if marked_at:
                    _check_end(text, after, number)
                    return
                if after:
                    # The next line's start, read to see where this one ends.
                    reads = itertools.chain([after], reads)
                    break
            else:
                return
    except UnicodeDecodeError as error:
        name = _ENCODING_NAMES.get(text.encoding, text.encoding)
        raise ImportFileError(
            "Part of the file is not in the same text encoding as its start "
            f"({name}). Save the whole file again as 'CSV UTF-8' from your "
            "spreadsheet program, or export it as XLSX.",
            detected="csv",
        ) from error


def _has_end_mark(stream: IO[bytes], encoding: str, sample: bytes) -> bool:
    """Whether the bytes of *stream* may hold the end-of-file mark in
    *encoding* (a look for its bytes, which a UTF-16 or UTF-32 file may
    also hold across two characters). Rewinds *stream*."""
    if encoding in ("utf-16", "utf-32"):
        # The BOM says the byte order.
        order = "le" if sample[:2] == codecs.BOM_UTF16_LE else "be"
        mark = _END_MARK.encode(f"{encoding}-{order}")
    else:
        # (Not utf-8-sig, which would put a BOM before it.)
        mark = _END_MARK.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    tail = b""
    try:
        while chunk := stream.read(_CHUNK):
            if mark in tail + chunk[: len(mark)] or mark in chunk:
                return True
            tail = chunk[-len(mark) + 1 :] if len(mark) > 1 else b""
        return False
    finally:
        stream.seek(0)


def _read_past(text: io.TextIOWrapper, read: str, size: int) -> tuple[bool, str]:
    """Read the rest of the line whose first *read* characters were read,
    a chunk at a time. Returns ``(True, what follows it)`` when the
    end-of-file mark ends the text within the line; else ``(False, "")``,
    or ``(False, the next line's start)`` when that had to be read to find
    where this line ends (after a \r, where a \n may follow)."""
    while not read.endswith("\n"):
        if read.endswith("\r"):
            # The line ended: the \n of a \r\n, if any, comes next.
            after = text.readline(size)
            return False, "" if after == "\n" else after
        read = text.readline(_CHUNK)
        if not read:
            break
        if _END_MARK in read:
            return True, read.partition(_END_MARK)[2]
    return False, ""


def _check_end(text: io.TextIOWrapper, rest: str, number: int) -> None:
    """Check that nothing but blank lines follows the end-of-file mark on
    line *number*; *rest* is what followed it on that line."""
    while rest is not None:
        if rest.strip(_AFTER_END_MARK):
            raise ImportFileError(
                "The file has a DOS end-of-file mark (Ctrl-Z) on line "
                f"{number:,}, and more text after it; programs that honour the "
                "mark read the file only up to it. Remove the mark, or the text "
                "after it, and upload the file again.",
                detected="csv",
            )
        rest = text.read(_CHUNK) or None  # type: ignore[assignment]


def _records(
    lines: Iterator[Line], delimiter: str, *, span: int, limits: Limits
) -> Iterator[RowItem]:
    """One item per record, as a spreadsheet shows one row per record.

    A line without a quote is one whole record, and its cells are what
    splitting it at the delimiter gives: what the csv module would read from
    it, in about a sixth less time. Any other line goes to the csv module; so does a
    line longer than the module's field size limit, for its error.

    A quoted cell still open at the end of its line goes on into the lines
    after it, while each leaves it open, for at most *span* characters: a
    quote that has not closed by then, or by the end of the text, is an
    ``unclosed-quote`` issue of the row where it opened, and the lines
    after that row's first line are read again, as rows of their own. So a
    stray quote costs one row, and row numbers stay those of the lines.

    Each line is read in a quoted cell at most once: the lines read again
    (`held`) are known to leave a quoted cell open, so a quote opened again
    among them is measured without reading them again.
    """
    module = _CsvModule(delimiter)
    limit = module.limit
    pending = _Pending()
    for line in lines:
        if type(line) is str and '"' not in line and len(line) <= limit:
            # Line iteration splits lines at the end of each line break only.
            text = line.rstrip("\r\n")
            yield text.split(delimiter) if text else []
            continue
        # This line, then the lines an unclosed quote leaves to read again.
        current: Line | None = line
        while current is not None:
            if type(current) is not str:
                yield _overlong_issue(current.head, delimiter, limits)  # type: ignore[union-attr]
            elif '"' not in current and len(current) <= limit:
                text = current.rstrip("\r\n")
                yield text.split(delimiter) if text else []
            else:
                item = module.parse([current])
                if type(item) is list or item.code != "unclosed-quote":  # type: ignore[union-attr]
                    yield item
                else:
                    # A quoted cell is open at the end of the line.
                    yield from _open_record(current, lines, pending, module, span)
            current = pending.next_line()


class _CsvModule:
    """The csv module, reading one record at a time from the lines given."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.limit = csv.field_size_limit()
        # The lines of the record being read, last first.
        self.queue: list[str] = []
        self.wanted_more = False
        self.reader = csv.reader(self._feed(), delimiter=delimiter, strict=True)

    def _feed(self) -> Iterator[str]:
        queue = self.queue
        while True:
            if queue:
                yield queue.pop()
            else:
                # The record goes on past its lines: a quote that closes the
                # quoted cell ends it, to be thrown away.
                self.wanted_more = True
                yield '"\n'

    def parse(self, record: list[str]) -> RowItem:
        """The cells the csv module reads from the lines of *record*, or the
        issue it finds; ``unclosed-quote`` when the record goes on past them."""
        nul = "\x00" in record[0] if len(record) == 1 else "\x00" in "".join(record)
        # The csv module of Python 3.10 refuses a NUL: it goes through as a
        # stand-in, and comes back in the cells (the parser then refuses the
        # cell that holds it).
        fed = (
            [line.replace("\x00", _NUL_STAND_IN) for line in record] if nul else record
        )
        self.queue.extend(reversed(fed))
        self.wanted_more = False
        try:
            cells = next(self.reader)
        except csv.Error as error:
            self.queue.clear()
            issue = _issue(str(error))
            if issue.code == "cell-too-long":
                column = _cell_over("".join(record), self.delimiter, self.limit)
                issue = attrs.evolve(issue, column=column)
            return issue
        if self.wanted_more:
            return RowIssue("unclosed-quote", {"where": _NOT_AT_END})
        if nul:
            return [cell.replace(_NUL_STAND_IN, "\x00") for cell in cells]
        return cells


class _Pending:
    """The lines an unclosed quote leaves to be read again, as rows."""

    __slots__ = ("chars", "held", "waiting")

    def __init__(self) -> None:
        #: Lines each of which, read inside a quoted cell, leaves it open.
        self.held: deque[str] = deque()
        #: Their characters.
        self.chars = 0
        #: A line read after them, not known to leave a cell open.
        self.waiting: list[Line] = []

    def next_line(self) -> Line | None:
        """The next line to read again, or ``None``."""
        if self.held:
            line = self.held.popleft()
            self.chars -= len(line)
            return line
        if self.waiting:
            return self.waiting.pop()
        return None


def _open_record(
    line: str,
    lines: Iterator[Line],
    pending: _Pending,
    module: _CsvModule,
    span: int,
) -> Iterator[RowItem]:
    """The record of *line*, whose quoted cell is open at its end: the cell
    goes on into the held lines, then into the waiting one and new ones,
    while each leaves it open, for at most *span* characters; a quote that
    has not closed by then is an ``unclosed-quote`` issue, and the lines
    after *line* are held, to be read again."""
    state, opened, place = _scan(line, 0, module.delimiter, quoted=False)
    if state != _OPEN:
        # The csv module and the scan disagree: the csv module's word.
        yield RowIssue("unclosed-quote", {"where": _NOT_AT_END})
        return
    issue = RowIssue(
        "unclosed-quote", {"where": f"within {span:,} characters"}, column=place
    )
    held = pending.held
    run = len(line) - opened + pending.chars
    if run > span:
        yield issue
        return
    record = [line, *held]
    while True:
        if pending.waiting:
            following = pending.waiting.pop()
        else:
            read = next(lines, None)
            if read is None:
                issue = attrs.evolve(issue, details={"where": _NOT_AT_END})
                break
            following = read
        if type(following) is not str:
            pending.waiting.append(following)
            break
        if _scan(following, 0, module.delimiter, quoted=True)[0] != _OPEN:
            held.clear()
            pending.chars = 0
            record.append(following)
            yield module.parse(record)
            return
        record.append(following)
        run += len(following)
        if run > span:
            break
    # Not closed: the lines after the first are read again, as rows.
    yield issue
    held.extend(record[1 + len(held) :])
    pending.chars = sum(map(len, held))


#: Where an unclosed quote did not close, for its message.
_NOT_AT_END = "before the end of the file"

_OPEN, _CLOSED, _BROKEN = range(3)


def _scan(line: str, at: int, delimiter: str, *, quoted: bool) -> tuple[int, int, int]:
    """Read *line* from *at* as the csv module reads a record (*quoted*:
    inside a quoted cell). Returns ``(_OPEN, start, place)`` when a quoted
    cell is open at the end of the line (opened at *start*, the cell at
    *place*); ``(_CLOSED, -1, -1)`` when the record ends with the line;
    ``(_BROKEN, -1, -1)`` when text follows a closing quote."""
    end = len(line)
    place = 0
    start = at - 1
    while True:
        if quoted or line.startswith('"', at):
            if not quoted:
                start, at = at, at + 1
            quoted = False
            while True:
                close = line.find('"', at)
                if close < 0:
                    return _OPEN, start, place
                if not line.startswith('"', close + 1):
                    at = close + 1
                    break
                at = close + 2
            if at == end or line[at] in "\r\n":
                return _CLOSED, -1, -1
            if not line.startswith(delimiter, at):
                return _BROKEN, -1, -1
            at += 1
        else:
            stop = line.find(delimiter, at)
            if stop < 0:
                return _CLOSED, -1, -1
            at = stop + 1
        place += 1


#: What a NUL is while the csv module reads its line: a noncharacter, which
#: no text holds.
_NUL_STAND_IN = "\uffff"


def _issue(message: str) -> RowIssue:
    if "unexpected end of data" in message:
        return RowIssue("unclosed-quote", {"where": _NOT_AT_END})
    if "field larger than field limit" in message:
        # The csv module's own cap, below which Limits.max_cell_chars is applied.
        limit = csv.field_size_limit()
        return RowIssue(
            "cell-too-long", {"length": f"over {limit:,}", "limit": f"{limit:,}"}
        )
    return RowIssue("malformed-quotes", {"detail": message})


def _overlong_issue(head: str, delimiter: str, limits: Limits) -> RowIssue:
    """What is wrong with a line of which *head* are the first characters,
    a line longer than a row within *limits* can take: a cell holding more
    than `Limits.max_cell_chars` characters, or text past the last column a
    header can have (`Limits.max_columns`), whichever comes first.

    A cell within the cell limit takes at most twice as many characters,
    quoted, and a delimiter (`longest_line`): so one of the two comes
    before the head ends.
    """
    most, end = limits.max_cell_chars, len(head)
    place, at = 0, 0
    while True:
        stop = head.find(delimiter, at)
        if head.startswith('"', at):
            # Quoted: up to the quote that is not doubled, and any text after
            # it up to the delimiter.
            close = at + 1
            while (close := head.find('"', close)) >= 0 and head.startswith(
                '"', close + 1
            ):
                close += 2
            if close < 0:
                close = stop = end
            elif stop < close:
                stop = head.find(delimiter, close)
            stop = end if stop < 0 else stop
            value = head[at + 1 : close].replace('""', '"') + head[close + 1 : stop]
        else:
            stop = end if stop < 0 else stop
            value = head[at:stop]
        if len(value) > most or (stop == end and place < limits.max_columns):
            length = f"over {len(value):,}" if stop == end else f"{len(value):,}"
            return RowIssue(
                "cell-too-long", {"length": length, "limit": f"{most:,}"}, column=place
            )
        shown = value.strip(TRIMMED_CHARACTERS)
        if place >= limits.max_columns and (shown or stop == end):
            if not shown:
                # Only blank cells past the last column, as far as the head
                # goes: the first of them.
                place = limits.max_columns
            return RowIssue(
                "too-many-cells",
                {
                    "count": f"more than {limits.max_columns:,}",
                    "value": quote(shown),
                    "letter": column_letter(place),
                },
                column=place,
            )
        place, at = place + 1, stop + 1


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
