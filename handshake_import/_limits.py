"""Caps on what a file may make the library do."""

from __future__ import annotations

import attrs

__all__ = ["Limits"]

MiB = 1024 * 1024


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"Limits.{attribute.name} must be a positive int, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Limits:
    """Caps on rows, columns, cell length and bytes, all overridable.

    Going over a cap raises `LimitExceededError` (an `ImportFileError`),
    except a too-long cell, which is a ``cell-too-long`` problem on that cell.

    Attributes:
        max_rows: data rows read (blank rows are not counted).
        max_columns: columns in the header row.
        max_cell_chars: characters in one cell; Excel's own limit is 32,767.
            With `max_columns`, it also caps the longest CSV line held in
            memory (a longer one is read past, and its row refused).
        max_file_bytes: bytes read from the source.
        max_decompressed_bytes: bytes inflated from an XLSX, counted from
            the bytes actually inflated, all parts together.
        max_compression_ratio: inflated / compressed size of one XLSX part,
            checked once the part has inflated past 16 MiB (zip bombs); and
            the characters of text an XLSX makes from its shared strings /
            its size in bytes (at least 64 Mi characters are allowed).
    """

    max_rows: int = attrs.field(default=1_048_576, validator=_positive)
    max_columns: int = attrs.field(default=1_024, validator=_positive)
    max_cell_chars: int = attrs.field(default=32_767, validator=_positive)
    max_file_bytes: int = attrs.field(default=1024 * MiB, validator=_positive)
    max_decompressed_bytes: int = attrs.field(default=2048 * MiB, validator=_positive)
    max_compression_ratio: int = attrs.field(default=200, validator=_positive)
