"""The options of the public calls, checked once, at the call.

A wrong option is the caller's mistake: `TypeError` for a wrong type,
`ValueError` for a wrong value, with a message naming the option, before
any file is opened.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import attrs

from ._actions import Settings
from ._limits import Limits
from ._schema import Schema

__all__ = ["ReadOptions", "check_positive_int", "planning_settings", "read_options"]


@attrs.frozen
class ReadOptions:
    """How to read a file: the options of `read_customers`, checked."""

    sheet: str | None
    columns: Mapping[str, str] | None
    schema: Schema
    limits: Limits


def read_options(
    source: object,
    *,
    sheet: str | None,
    columns: Mapping[str, str] | None,
    schema: Schema | None,
    limits: Limits | None,
) -> ReadOptions:
    """The options checked (`TypeError` for a wrong type), with defaults."""
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and (
        not hasattr(source, "read") and not isinstance(source, Iterable)
    ):
        raise TypeError(
            "source must be a path, bytes, a binary file object or an iterable "
            f"of {{header: value}} mappings, not {type(source).__name__}"
        )
    if columns is not None and not isinstance(columns, Mapping):
        raise TypeError(
            "columns must be a mapping of header text to template column, "
            f"like {{'Customer Name': 'name'}}, not {type(columns).__name__}"
        )
    if schema is not None and not isinstance(schema, Schema):
        raise TypeError(f"schema must be a Schema, not {type(schema).__name__}")
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError(f"limits must be a Limits, not {type(limits).__name__}")
    if sheet is not None and not isinstance(sheet, str):
        raise TypeError(f"sheet must be a sheet name (str), not {type(sheet).__name__}")
    return ReadOptions(sheet, columns, schema or Schema(), limits or Limits())


def planning_settings(
    mode: object,
    batch_size: object,
    max_errors: object,
    mass_change_share: object,
    mass_change_minimum: object,
    *,
    strict_options: object = False,
    create_user_groups: object = True,
) -> Settings:
    """The planning options checked (`ValueError` for a wrong one)."""
    for name, flag in (
        ("strict_options", strict_options),
        ("create_user_groups", create_user_groups),
    ):
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be True or False, not {flag!r}")
    if mode not in ("upsert", "create-only", "update-only"):
        raise ValueError(
            f"mode must be 'upsert', 'create-only' or 'update-only', not {mode!r}"
        )
    check_positive_int("batch_size", batch_size)
    check_positive_int("mass_change_minimum", mass_change_minimum)
    if max_errors is not None and (
        isinstance(max_errors, bool)
        or not isinstance(max_errors, int)
        or max_errors < 0
    ):
        raise ValueError(f"max_errors must be None or an int >= 0, not {max_errors!r}")
    if (
        isinstance(mass_change_share, bool)
        or not isinstance(mass_change_share, (int, float))
        or not 0 <= mass_change_share <= 1
    ):
        raise ValueError(
            f"mass_change_share must be between 0 and 1, not {mass_change_share!r}"
        )
    return Settings(
        mode=mode,
        max_errors=max_errors,
        mass_change_share=mass_change_share,
        mass_change_minimum=mass_change_minimum,  # type: ignore[arg-type]
        strict_options=bool(strict_options),
        create_user_groups=bool(create_user_groups),
    )


def check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, not {value!r}")
