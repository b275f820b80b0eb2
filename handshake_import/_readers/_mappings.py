"""Rows given as mappings (``{header: value}``), e.g. from an app's own form."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping

from .._limits import Limits
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
    for mapping in itertools.chain((first,), rest):
        if not isinstance(mapping, Mapping):
            kind = type(mapping).__name__
            raise TypeError(f"rows must be mappings of header to value, not {kind}")
        cells = [cell_text(mapping.get(key)) for key in header]
        # A key the first row did not have is a value without a header; it is
        # passed on so that the parser reports it, never dropped.
        cells.extend(
            cell_text(value) for key, value in mapping.items() if key not in known
        )
        yield cells
