"""The text of a workbook: its shared-strings table, Excel's ``_xHHHH_``
escapes, and how much text a workbook may make.

An XLSX keeps most of its text in one table, the shared strings, which cells
refer to by number. openpyxl would read the table whole when the workbook
opens, costing about 150 bytes and 8 µs a string: a 2 MB workbook of a few
million short strings (a compression ratio of 105, under the 200 cap) took
1.8 GB and 110 s. The reader reads the table itself (`read_shared_strings`),
and a workbook may make at most `TextBudget` characters of text, from the
table and from the cells that refer to it, counted as they are made (a cell
refers to a string of 32,767 characters in a few bytes).

Excel writes a character XML cannot hold (a carriage return, most control
characters) as ``_xHHHH_``, and a ``_`` that would read as the start of one
as ``_x005F_``: `unescape` gives back what Excel shows.
"""

from __future__ import annotations

import re
from typing import IO
from xml.etree import ElementTree

from .._errors import LimitExceededError
from .._limits import Limits

__all__ = [
    "SharedStrings",
    "StringOutsideTable",
    "TextBudget",
    "read_shared_strings",
    "unescape",
]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_STRING = _MAIN + "si"
_TEXT = _MAIN + "t"
_RUN = _MAIN + "r"

#: What holding one string of the table costs, counted in characters: a
#: Python string and its place in the table take about 64 bytes more than
#: its characters.
STRING_COST = 64
#: A workbook may make this much text whatever its size.
TEXT_FLOOR = 64 * 1024 * 1024


class TextBudget:
    """The characters a workbook may still make: `Limits.max_compression_ratio`
    times its size in bytes (at least `TEXT_FLOOR`), as the ratio caps what
    each part may inflate to. Each string of the shared-strings table costs
    its characters and `STRING_COST`; each cell that refers to one, its
    characters again."""

    __slots__ = ("limits", "size", "total")

    def __init__(self, size: int, limits: Limits) -> None:
        self.size = size
        self.limits = limits
        #: The characters the workbook may make in all.
        self.total = max(TEXT_FLOOR, limits.max_compression_ratio * size)

    def exceeded(self) -> LimitExceededError:
        ratio = self.limits.max_compression_ratio
        return LimitExceededError(
            f"This workbook of {self.size:,} bytes makes more than {self.total:,} "
            f"characters of text from its shared strings ({ratio} times its size), "
            "as a zip bomb does. It is refused. If the file is genuine, raise "
            "Limits.max_compression_ratio.",
            limit="max_compression_ratio",
            value=ratio,
            detected="xlsx",
        )


class StringOutsideTable(Exception):
    """A cell refers to a shared string the table does not have."""

    def __init__(self, index: int, size: int) -> None:
        super().__init__(index, size)
        self.index = index
        self.size = size


class SharedStrings:
    """A shared-strings table, as the sheet parser looks strings up in it
    (``table[int(text)]``): an index outside the table (a negative one
    too, which a list would count from its end) raises
    `StringOutsideTable`, and each string given is paid for from the
    budget."""

    __slots__ = ("budget", "left", "strings")

    def __init__(self, strings: list[str], budget: TextBudget, left: int) -> None:
        self.strings = strings
        self.budget = budget
        #: The characters the cells may still make.
        self.left = left

    def __getitem__(self, index: int) -> str:
        strings = self.strings
        if not 0 <= index < len(strings):
            raise StringOutsideTable(index, len(strings))
        text = strings[index]
        self.left -= len(text)
        if self.left < 0:
            raise self.budget.exceeded()
        return text


def read_shared_strings(part: IO[bytes], budget: TextBudget) -> SharedStrings:
    """The shared-strings table in *part*, its text as written (escapes and
    all, as in every other cell: see `unescape`), each string the plain
    text of its runs without the phonetic ones (what openpyxl reads).

    Raises `LimitExceededError` once the table costs more than the budget.
    """
    strings: list[str] = []
    append = strings.append
    left = budget.total
    events = ElementTree.iterparse(part, events=("start", "end"))
    _, root = next(events)
    for event, element in events:
        if event != "end" or element.tag != _STRING:
            continue
        if len(element) == 1 and element[0].tag == _TEXT:
            text = element[0].text or ""
        else:
            parts = []
            for child in element:
                if child.tag == _TEXT:
                    parts.append(child.text or "")
                elif child.tag == _RUN:
                    parts.extend(node.text or "" for node in child if node.tag == _TEXT)
            text = "".join(parts)
        left -= len(text) + STRING_COST
        if left < 0:
            raise budget.exceeded()
        append(text)
        # The strings read are not kept in the tree.
        root.clear()
    return SharedStrings(strings, budget, left)


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_(?:_x([0-9A-Fa-f]{4})_)?")


def _unescaped(match: re.Match[str]) -> str:
    first, second = match.group(1, 2)
    code = int(first, 16)
    if second is not None:
        low = int(second, 16)
        if 0xD800 <= code < 0xDC00 and 0xDC00 <= low < 0xE000:
            # A character past U+FFFF, as UTF-16 writes it: two halves.
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        return _character(code, match.group(0)[:7]) + _character(
            low, match.group(0)[7:]
        )
    return _character(code, match.group(0))


def _character(code: int, written: str) -> str:
    # Half of a character alone is no text: it is kept as written.
    return written if 0xD800 <= code < 0xE000 else chr(code)


def unescape(text: str) -> str:
    """*text* with Excel's ``_xHHHH_`` escapes read: ``C_x002D_1003`` is
    ``C-1003``, ``_x000D_`` a carriage return, ``_x005F_`` a ``_`` (so
    ``_x005F_x000D_`` is the text ``_x000D_``). Text that only looks like
    part of one (``IDx005F_77``) is kept."""
    return _ESCAPE.sub(_unescaped, text) if "_x" in text else text
