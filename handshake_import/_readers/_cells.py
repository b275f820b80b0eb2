"""Spreadsheet cell values as text, the way a person reads them."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable
from decimal import Decimal
from typing import Any

__all__ = ["TRIMMED_CHARACTERS", "cell_text", "column_letter", "float_text"]

#: What a cell's text is trimmed of: every Unicode space, plus the zero-width
#: characters that ride along with copy-pasted text and the BOM. A cell of
#: nothing else is blank.
TRIMMED_CHARACTERS = (
    "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
    + "\u200b\u200c\u200d\u2060\ufeff"
)

# Above 2**53 a float no longer holds every integer: an id stored that way
# has already lost digits, so it is shown as Excel shows it, in scientific
# notation, and the id check reports it instead of passing a wrong id.
_EXACT_INTEGER = 2**53


def float_text(value: float) -> str:
    """``3.0`` -> ``"3"``; ``0.1 + 0.2`` -> ``"0.3"`` (Excel's 15 digits)."""
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value.is_integer() and abs(value) < _EXACT_INTEGER:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa}E{int(exponent):+03d}"
    return text


def _datetime_text(value: dt.datetime) -> str:
    if value.time() == dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat()


def _timedelta_text(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _int_text(value: int) -> str:
    try:
        # The digits, also of a subclass whose `str()` says something else.
        return int.__repr__(value)
    except ValueError:
        # Past Python's limit on int-to-text digits (4,300): the decimal
        # module has none, and the cell is then merely too long.
        return str(Decimal(value))


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        # float() refuses a signalling NaN; these are what float_text writes.
        return "nan" if value.is_nan() else ("-inf" if value.is_signed() else "inf")
    return float_text(float(value))


_BY_TYPE: dict[type, Callable[[Any], str]] = {
    # The text itself, also of a subclass whose `str()` says something else
    # (``Color.RED`` for a member of ``class Color(str, Enum)``).
    str: str.__str__,
    int: _int_text,
    float: float_text,
    bool: lambda value: "TRUE" if value else "FALSE",
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: dt.time.isoformat,
    dt.timedelta: _timedelta_text,
    Decimal: _decimal_text,
}


def _integral_text(value: Any) -> str:
    return _int_text(int(value))


def _real_text(value: Any) -> str:
    return float_text(float(value))


def _base_type_text(kind: type) -> Callable[[Any], str]:
    """How to write a value of a type `_BY_TYPE` does not list: a subclass
    of one it does (`numpy.float64`, `pandas.Timestamp`, an `IntEnum`) as
    that type, a number registered with the `numbers` ABCs (`numpy.int64`,
    `numpy.float32`) as an `int` or a `float`, never through its own
    `str()`, which may write ``1234.0`` or ``Colour.RED``; anything else
    through `str()`."""
    for known, to_text in _BY_TYPE.items():
        # `_BY_TYPE` lists `datetime` before `date`, its base class.
        if issubclass(kind, known):
            return to_text
    if issubclass(kind, numbers.Integral):
        return _integral_text
    if issubclass(kind, numbers.Real):
        return _real_text
    return str


#: The conversions `_base_type_text` found, by type.
_FOUND: dict[type, Callable[[Any], str]] = {}
_FOUND_LIMIT = 256


def cell_text(value: object) -> str:
    """Text of one cell value from openpyxl or xlrd, or of a value of a row
    given as a mapping; ``None`` is ``""``."""
    if value is None:
        return ""
    kind = type(value)
    to_text = _BY_TYPE.get(kind) or _FOUND.get(kind)
    if to_text is None:
        to_text = _base_type_text(kind)
        # Found once per type (rows of a data frame hold millions of such
        # values); a program making types on the fly cannot grow this much.
        if len(_FOUND) < _FOUND_LIMIT:
            _FOUND[kind] = to_text
    return to_text(value)


def column_letter(index: int) -> str:
    """0 -> ``"A"``, 25 -> ``"Z"``, 26 -> ``"AA"``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
