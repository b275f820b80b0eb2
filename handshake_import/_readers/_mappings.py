"""Rows given as mappings (``{header: value}``), e.g. from an app's own form."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from .._errors import ImportFileError
from .._limits import Limits
from .._problems import quote
from ._cells import cell_text
from ._sheet import RowItem, Sheet, sheet_from_rows

__all__ = ["read_mappings"]


def read_mappings(
    records: Iterable[Mapping[str, object]], limits: Limits
) -> Sheet | None:
    """The keys of the first mapping are the header (row 1); each mapping is a row."""
    iterator = iter(records)
    first = next(iterator, None)
    if first is None:
        return None
    if not isinstance(first, Mapping):
        raise TypeError(
            f"rows must be mappings of header to value, not {type(first).__name__}"
        )
    header = tuple(str(key) for key in first)
    _check_text(header, 1, header)
    return sheet_from_rows(
        itertools.chain([list(header)], _rows(first, iterator, header)),
        format="records",
        name=None,
        limits=limits,
    )


def _rows(
    first: Mapping[str, object],
    rest: Iterator[Mapping[str, object]],
    header: tuple[str, ...],
) -> Iterator[RowItem]:
    known = set(header)
    for row, mapping in enumerate(itertools.chain((first,), rest), start=2):
        if not isinstance(mapping, Mapping):
            kind = type(mapping).__name__
            raise TypeError(f"rows must be mappings of header to value, not {kind}")
        cells = [_value_text(mapping.get(key)) for key in header]
        # A key the first row did not have is a value without a header; it is
        # passed on so that the parser reports it, never dropped.
        cells.extend(
            _value_text(value) for key, value in mapping.items() if key not in known
        )
        _check_text(cells, row, header)
        yield cells


def _value_text(value: object) -> str:
    """A mapping's value as cell text, a missing value as a blank cell."""
    if type(value) is str:
        return value
    if _is_missing(value):
        return ""
    return cell_text(value)


#: The types of pandas' missing-value markers, ``pandas.NA`` and ``pandas.NaT``,
#: by name: the library does not import pandas.
_PANDAS_MISSING = frozenset({"NAType", "NaTType"})


def _is_missing(value: object) -> bool:
    """Whether *value* marks a missing value, as a blank cell does.

    Rows made from a data frame (``df.to_dict("records")``) hold NaN, or
    pandas' own markers, where the sheet they were read from had a blank
    cell: read as the text ``nan``, it would be a customer group named
    "nan", or clear nothing where the cell was meant to clear a field.
    """
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    kind = type(value)
    return kind.__name__ in _PANDAS_MISSING and kind.__module__.startswith("pandas")


def _check_text(cells: Sequence[str], row: int, header: Sequence[str]) -> None:
    """Refuse text that is not Unicode: an unpaired surrogate, which a file
    cannot hold (its decoding refuses it) but a Python string can."""
    if "".join(cells).isascii():
        return
    for position, text in enumerate(cells):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            if row == 1:
                what = "A header"
            elif position < len(header):
                what = f"The value in row {row}, column {quote(header[position])},"
            else:
                what = f"A value without a header in row {row}"
            raise ImportFileError(
                f"{what} is not valid text: it holds "
                f"{quote(error.object[error.start : error.end])}, half of a "
                "character (an unpaired surrogate), which no database can store. "
                "It usually comes from bytes decoded with errors='surrogateescape' "
                "or from JSON with a broken \\u escape: decode the data strictly "
                "and pass the rows again.",
                detected=None,
            ) from error
