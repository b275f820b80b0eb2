"""Number formats that show a number with leading zeros.

An id or a postcode kept as a number in a workbook shows its leading zeros
through the cell's number format: 42 with the format ``00000`` shows
``00042``, and that is the id the user sees. The readers apply such
formats: those made of digit placeholders (``0``, ``#``) and literal text
only, with at least two zeros, to whole numbers (``00000``, ``000-000``,
``000\\-00\\-0000``, ``"C"00000``). A format that shows leading zeros in a
way not applied here (``00000.00``; a condition, as in Excel's "Zip Code +
4"; a number with a fraction under ``00000``) gives `UNREADABLE`: the reader
reports the cell rather than pass another value. Any other format (General,
``0``, ``#,##0.00``, ``0%``, ``"C"0``, text ``@``) is left alone: the cell
reads as its number, as before.

A format's sections (``positive;negative;zero;text``) are chosen as Excel
chooses them; one section alone shows a negative number with a minus sign.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ._cells import cell_text

__all__ = ["UNREADABLE", "Shown", "shown_by"]

#: How a number format shows a number: its text, or `UNREADABLE`.
Shown = Callable[[int | float], str]

#: What a `Shown` gives for a number it cannot show exactly.
UNREADABLE = "\x00unreadable"

# Above 2**53 a float no longer holds every integer.
_EXACT = 2**53
#: Characters a format shows as they are, without quotes.
_LITERALS = frozenset("$-+/():!^&'~{}<>= ")
_COLOURS = frozenset(
    ("black", "blue", "cyan", "green", "magenta", "red", "white", "yellow")
)
_DIGITS = ("0", "#")


def _sections(code: str) -> list[str]:
    """*code* split at its ``;`` (not those quoted or escaped)."""
    sections, start, at, quoted = [], 0, 0, False
    while at < len(code):
        char = code[at]
        if char == '"':
            quoted = not quoted
        elif char == "\\" and not quoted:
            at += 1
        elif char == ";" and not quoted:
            sections.append(code[start:at])
            start = at + 1
        at += 1
    sections.append(code[start:])
    return sections


class _Section:
    """One section of a number format, read for a whole number."""

    __slots__ = ("conditional", "pads", "pure", "tokens")

    def __init__(self, section: str) -> None:
        #: Digit placeholders ("0", "#") and literal text; any other code as
        #: itself after a NUL.
        self.tokens: list[str] = []
        self.conditional = False
        at = 0
        while at < len(section):
            at = self._read(section, at)
        self.pure = all(not token.startswith("\x00") for token in self.tokens)
        # Zeros before the decimal point: more than one shows leading zeros.
        zeros = 0
        for token in self.tokens:
            if token == "\x00.":
                break
            zeros += token == "0"
        self.pads = zeros > 1

    def _read(self, section: str, at: int) -> int:
        """Read the code at *at*; return where the next one starts."""
        char = section[at]
        if char == '"':
            end = section.find('"', at + 1)
            end = len(section) if end < 0 else end
            self.tokens.append(section[at + 1 : end])
            return end + 1
        if char in "\\_" and at + 1 < len(section):
            # An escaped character, or the space as wide as one (_x).
            self.tokens.append(section[at + 1] if char == "\\" else " ")
            return at + 2
        if char == "[":
            end = section.find("]", at)
            end = len(section) if end < 0 else end
            inside = section[at + 1 : end].lower()
            if inside[:1] in ("<", ">", "="):
                self.conditional = True
            elif inside.startswith("$"):
                # A currency or a locale: [$€-407] shows €.
                self.tokens.append(section[at + 2 : end].partition("-")[0])
            elif inside not in _COLOURS and not inside.startswith("color"):
                # Elapsed time ([h]), or unknown.
                self.tokens.append("\x00[")
            return end + 1
        self.tokens.append(
            char if char in _DIGITS or char in _LITERALS else "\x00" + char
        )
        return at + 1

    def show(self, digits: str) -> str:
        """*digits* in the placeholders, from the right: a ``0`` with no
        digit left shows 0, a ``#`` nothing; digits left over go into the
        first placeholder."""
        places = [at for at, token in enumerate(self.tokens) if token in _DIGITS]
        shown = list(self.tokens)
        rest = digits
        for at in reversed(places):
            if rest:
                shown[at], rest = rest[-1], rest[:-1]
            else:
                shown[at] = "0" if self.tokens[at] == "0" else ""
        shown[places[0]] = rest + shown[places[0]]
        return "".join(shown)


@functools.lru_cache(maxsize=256)
def shown_by(code: str) -> Shown | None:
    """How the number format *code* shows a number, or ``None`` when it is
    left alone (the cell reads as its number)."""
    # The text section (with @) shows no number.
    sections = [_Section(text) for text in _sections(code) if "@" not in text]
    if not any(section.pads for section in sections):
        return None
    if any(section.conditional for section in sections):
        return _unreadable

    def shown(value: int | float) -> str:
        if value < 0 and len(sections) > 1:
            section, sign = sections[1], ""
        elif value == 0 and len(sections) > 2:
            section, sign = sections[2], ""
        else:
            section, sign = sections[0], "-" if value < 0 else ""
        if not section.pads:
            return cell_text(value)
        whole = abs(value) < _EXACT and (isinstance(value, int) or value.is_integer())
        if not section.pure or not whole:
            return UNREADABLE
        return sign + section.show(str(abs(int(value))))

    return shown


def _unreadable(value: int | float) -> str:
    return UNREADABLE
