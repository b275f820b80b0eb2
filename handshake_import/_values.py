"""Cell parsers: text in, a value out, or a `CellError`.

Each parser knows nothing of rows or positions; the row loop in `_parse`
catches `CellError` and attaches row, column, cell and sheet.
Every check here is linear in the length of the text: no regular expression
that can backtrack is run on a user's value.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from decimal import Decimal, InvalidOperation

from dateutil import parser

from ._problems import quote
from ._readers._cells import TRIMMED_CHARACTERS as _TRIM
from ._records import OPTION_KEYS

__all__ = [
    "EXCEL_ERRORS",
    "NUMBER_START",
    "CellError",
    "clean",
    "clean_keeps",
    "parse_boolean",
    "parse_choice",
    "parse_currency",
    "parse_date",
    "parse_decimal",
    "parse_emails",
    "parse_id",
    "parse_integer",
    "parse_option_key",
    "plain_addresses",
]


class CellError(Exception):
    """A cell's text is not a valid value: *code* from the catalogue, *details*
    for its message."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


#: What a spreadsheet shows (and exports) in place of a formula's value when
#: the formula fails.
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#EXTERNAL!",
        "#PYTHON!",
    }
)


def clean(raw: str) -> str:
    """Trim spaces (also non-breaking and zero-width ones), NFC.

    A NUL is kept: the parser refuses the cell (``nul-in-cell``) rather
    than read it without it.
    """
    if raw.isascii():
        return raw.strip()
    return unicodedata.normalize("NFC", raw).strip(_TRIM)


def clean_keeps(stripped: str) -> bool:
    """Whether `clean` leaves *stripped* as it is, once `str.strip` has trimmed
    it; *stripped* may also be several such texts joined together, when
    `clean` leaves each of them as it is.

    Beyond `str.strip`, `clean` removes zero-width characters and the BOM
    at either end, and normalises to NFC. Text is NFC only if each of its parts is
    (what normalising a part alone would change, it changes in the whole),
    so one check answers for a whole row of cells.
    """
    return not (
        "\u200b" in stripped
        or "\u200c" in stripped
        or "\u200d" in stripped
        or "\u2060" in stripped
        or "\ufeff" in stripped
    ) and unicodedata.is_normalized("NFC", stripped)


# Excel's rendering of a big number ("1.23457E+11"), and float specials.
_MANGLED_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]\d+")
_NOT_NUMBERS = frozenset({"inf", "-inf", "+inf", "nan", "infinity", "-infinity"})


#: How the ids `parse_id` may refuse start: numbers, ``inf`` and ``nan``. It
#: accepts any other id, and any all-digit one, at once; a loop over many ids
#: can test that itself and spare the call.
NUMBER_START = frozenset("0123456789+-.iInN")


def parse_id(text: str) -> str:
    """An id as text; one Excel already turned into a rounded number is refused."""
    if text[:1] not in NUMBER_START or text.isdigit():
        return text
    if _MANGLED_NUMBER.fullmatch(text) or text.casefold() in _NOT_NUMBERS:
        raise CellError("mangled-id", value=quote(text))
    return text


_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")
_LOCAL_SPECIALS = frozenset("!#$%&'*+/=?^_`{|}~.-")


def _email_fault(address: str) -> str | None:
    """Why *address* is not a valid email address, or ``None`` if it is."""
    if address.count("@") != 1:
        return "it must contain exactly one @"
    local, domain = address.split("@")
    if not local:
        return "there is nothing before the @"
    if not domain:
        return "there is nothing after the @"
    if len(local) > 64 or len(address) > 254:
        return "it is too long"
    if local[0] == "." or local[-1] == "." or ".." in local:
        return "dots cannot start, end or double up before the @"
    for char in local:
        if not (char.isalnum() or char in _LOCAL_SPECIALS):
            return f"{quote(char)} cannot appear in an address"
    labels = domain.split(".")
    if len(labels) < 2:
        return "the domain after the @ needs a dot, like example.com"
    for label in labels:
        if not label:
            return "the domain has an empty part"
        if len(label) > 63 or label[0] == "-" or label[-1] == "-":
            return f"the domain part {quote(label)} is not valid"
        for char in label:
            if not (char.isalnum() or char == "-"):
                return f"{quote(char)} cannot appear in a domain"
    if labels[-1].isdigit():
        return "the domain cannot end in a number"
    return None


# Fast acceptance of the common, plain-ASCII address, in C where possible:
# a pattern of single-character-class runs split by literal dots and one @
# (no run can match what ends it, so matching is linear), then plain string
# checks for what the pattern leaves out. Anything not accepted here goes to
# `_email_fault`, which also says why. The address must end in a letter (a
# one-character look back, linear too), so its last label is not all digits
# and does not end in a hyphen: `_email_fault` takes the rare address that
# does. Since no run can match what ends it, giving characters back never
# lets the pattern match otherwise: where Python has possessive quantifiers
# (3.11), which keep nothing to give back, they match the same texts with
# less bookkeeping, about a third faster.
def _plain_cell_pattern(keep: str) -> str:
    """One plain address, or several and their separators; *keep* is ``"+"``
    to make every repetition possessive, ``""`` for plain ones.

    The characters that end an address can never start a separator, so this
    too matches in linear time. A cell is matched once, whatever it holds;
    the group captures a separator, so it took part in the match only if the
    cell holds several addresses.
    """
    local_run = rf"[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+{keep}"
    domain_run = rf"[A-Za-z0-9-]+{keep}"
    address = (
        rf"{local_run}(?:\.{local_run})*{keep}"
        rf"@{domain_run}(?:\.{domain_run})+{keep}(?<=[A-Za-z])"
    )
    return rf"{address}(?:([,;\s]+{keep}){address})*{keep}"


_PLAIN_CELL = re.compile(
    _plain_cell_pattern("+" if sys.version_info >= (3, 11) else "")
)
_LABEL_BREAKS = re.compile(r"[.@]")


def plain_addresses(text: str) -> tuple[str, ...] | None:
    """The addresses of *text* if they are all plainly valid and distinct.

    What the pattern lets through but an address may not have (a domain
    label that starts or ends with a hyphen, a label or local part too long)
    sends the cell to the careful check instead.
    """
    match = _PLAIN_CELL.fullmatch(text)
    if match is None:
        return None
    # Most addresses have no hyphen: one search then rules out all three.
    if "-" in text and ("-." in text or ".-" in text or "@-" in text):
        return None
    if match.lastindex is None:
        # No separator: the cell is one address.
        return None if len(text) > 63 and _too_long(text) else (text,)
    # Only , ; and white space separate them here: str.split is enough.
    addresses = tuple(text.replace(",", " ").replace(";", " ").split())
    # Distinct ignoring case. The pattern only lets ASCII through, which
    # lower() keeps the length of, so addresses of different lengths
    # differ: comparing lengths is enough, and cheaper, most of the time.
    lengths = set(map(len, addresses))
    count = len(addresses)
    if len(lengths) < count and len(set(map(str.lower, addresses))) < count:
        return None
    # Only an address over 63 characters can be, or have a part, too long.
    if max(lengths) > 63 and any(map(_too_long, addresses)):
        return None
    return addresses


def _too_long(address: str) -> bool:
    """Whether a plainly valid *address*, or a part of it, is too long."""
    return len(address) > 63 and (
        len(address) > 254
        or address.index("@") > 64
        or max(map(len, _LABEL_BREAKS.split(address))) > 63
    )


def parse_emails(text: str) -> tuple[str, ...]:
    """Addresses separated by commas, semicolons or spaces, each checked.

    Duplicates are dropped, compared ignoring case; the first spelling wins.
    """
    plain = plain_addresses(text)
    if plain is not None:
        return plain
    addresses: list[str] = []
    seen: set[str] = set()
    for address in _EMAIL_SEPARATORS.split(text):
        if not address:
            continue
        fault = _email_fault(address)
        if fault is not None:
            raise CellError("invalid-email", value=quote(address), reason=f" ({fault})")
        # lower(), not casefold(): only a difference of case makes two
        # addresses the same, and casefold() makes "straße" and "STRASSE" one.
        key = address.lower()
        if key not in seen:
            seen.add(key)
            addresses.append(address)
    return tuple(addresses)


_GROUPED_INTEGER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_PLAIN_INTEGER = re.compile(r"[+-]?\d+")


def _ungroup(text: str) -> str:
    return (
        text.replace(",", "")
        if _GROUPED_INTEGER.fullmatch(text.split(".", maxsplit=1)[0])
        else text
    )


#: What an integer custom column holds: a signed 64-bit integer, as every
#: database stores one (and Python turns no more than 4,300 digits to int).
INTEGER_RANGE = range(-(2**63), 2**63)
_INTEGER_DIGITS = len(str(2**63))


def parse_integer(text: str) -> int:
    """``"42"``, ``"-7"``, ``"1,000"``; a spreadsheet's ``"42.0"`` is not seen
    here because readers already write integral numbers without decimals."""
    plain = _ungroup(text)
    if not _PLAIN_INTEGER.fullmatch(plain):
        raise CellError("invalid-integer", value=quote(text), reason="")
    # The length test keeps int() from thousands of digits (Python refuses).
    digits = plain.lstrip("+-").lstrip("0")
    value = int(plain) if len(digits) <= _INTEGER_DIGITS else None
    if value is None or value not in INTEGER_RANGE:
        raise CellError(
            "invalid-integer",
            value=quote(text),
            reason=f" that fits in 64 bits ({INTEGER_RANGE.start:,} to "
            f"{INTEGER_RANGE.stop - 1:,})",
        )
    return value


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_decimal(text: str) -> Decimal:
    """``"12.50"``, ``"-0.5"``, ``"1,234.5"``, ``"1E+3"``, as an exact Decimal."""
    plain = _ungroup(text)
    if not _DECIMAL.fullmatch(plain):
        raise CellError("invalid-decimal", value=quote(text))
    try:
        return Decimal(plain)
    except InvalidOperation as error:  # pragma: no cover - the pattern rules it out
        raise CellError("invalid-decimal", value=quote(text)) from error


_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def parse_boolean(text: str) -> bool:
    """TRUE/FALSE, yes/no, y/n, 1/0, ignoring case."""
    folded = text.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("invalid-boolean", value=quote(text))


def parse_currency(text: str) -> str:
    """A three-letter currency code (``usd`` is ``USD``)."""
    if len(text) == 3 and text.isascii() and text.isalpha():
        return text.upper()
    raise CellError("invalid-currency", value=quote(text))


_OPTION_KEYS = {"".join(key.casefold().split()): key for key in OPTION_KEYS}


def parse_option_key(text: str) -> str:
    """One of `OPTION_KEYS`, ignoring case and spaces, as spelled there."""
    key = _OPTION_KEYS.get("".join(text.casefold().split()))
    if key is None:
        raise CellError(
            "unknown-option-key",
            value=quote(text),
            keys=", ".join(quote(key) for key in OPTION_KEYS),
        )
    return key


_DEFAULTS = (dt.datetime(2001, 1, 1), dt.datetime(2002, 2, 2))


def parse_date(text: str, *, dayfirst: bool) -> dt.date:
    """An ISO date (what readers write for real date cells), or a written date
    read with dateutil and the column's explicit *dayfirst* setting.

    A date missing its day, month or year is refused rather than completed
    from today's date.
    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        # Parsing against two different defaults shows which parts the text
        # really has: a part that follows the default was not written.
        first, second = (
            parser.parse(text, dayfirst=dayfirst, default=default)
            for default in _DEFAULTS
        )
    except (ValueError, OverflowError) as error:
        raise CellError("invalid-date", value=quote(text), reason="") from error
    if first.date() != second.date():
        raise CellError(
            "invalid-date",
            value=quote(text),
            reason=" (it needs a day, month and year)",
        )
    return first.date()


def parse_choice(text: str, choices: tuple[str, ...]) -> str:
    """One of *choices*, matched ignoring case, returned as spelled there."""
    folded = text.casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice
    raise CellError(
        "invalid-choice",
        value=quote(text),
        choices=", ".join(quote(choice) for choice in choices),
    )
