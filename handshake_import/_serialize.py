"""Plans and problems as plain JSON-able data, and back, with cattrs.

Apps queue a plan between the preview and the user's confirmation; the CLI
prints it with ``--json``. `unstructure_plan` gives dicts, lists, strings,
numbers and ``None`` only; `structure_plan` turns that back into an equal
`Plan`. Field values that JSON cannot hold as they are (a custom column's
decimal or date) are tagged: ``{"decimal": "12.50"}``, ``{"date": "2024-01-31"}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import cattrs
from cattrs.strategies import configure_tagged_union

from ._plan import ACTION_KINDS, Action, Plan
from ._records import CustomValue
from ._template import FieldValue

__all__ = ["converter", "structure_plan", "unstructure_plan"]

converter = cattrs.Converter()


def _unstructure_value(value: object) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot serialise field value {value!r}")


def _structure_value(data: Any, _: object) -> Any:
    if data is None or isinstance(data, str):
        return data
    if isinstance(data, list):
        return tuple(str(item) for item in data)
    if isinstance(data, dict) and len(data) == 1:
        ((tag, value),) = data.items()
        if tag == "bool":
            return bool(value)
        if tag == "int":
            return int(value)
        if tag == "decimal":
            return Decimal(value)
        if tag == "date":
            return dt.date.fromisoformat(value)
    raise ValueError(f"not a serialised field value: {data!r}")


def _is_value_union(type_: object) -> bool:
    return type_ in (FieldValue, CustomValue)


def _kind(cls: type) -> str:
    return ACTION_KINDS[cls]


converter.register_unstructure_hook_func(_is_value_union, _unstructure_value)
converter.register_structure_hook_func(_is_value_union, _structure_value)
configure_tagged_union(Action, converter, tag_name="kind", tag_generator=_kind)


def unstructure_plan(plan: Plan) -> dict[str, Any]:
    """*plan* as JSON-able data (actions tagged by ``"kind"``)."""
    data: dict[str, Any] = converter.unstructure(plan)
    return data


def structure_plan(data: Any) -> Plan:
    """The `Plan` that `unstructure_plan` turned into *data*."""
    return converter.structure(data, Plan)
