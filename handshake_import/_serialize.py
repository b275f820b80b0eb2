"""Plans and problems as plain JSON-able data, and back, with cattrs.

Apps queue a plan between the preview and the user's confirmation; the CLI
prints it with ``--json``. `unstructure_plan` gives dicts, lists, strings,
numbers and ``None`` only; `structure_plan` turns that back into an equal
`Plan`. Field values that JSON cannot hold as they are (a custom column's
decimal or date) are tagged: ``{"decimal": "12.50"}``, ``{"date": "2024-01-31"}``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import cattrs
from cattrs.strategies import configure_tagged_union

from ._apply import value_faults
from ._plan import ACTION_KINDS, Action, Plan
from ._records import CustomValue
from ._template import FieldValue

__all__ = [
    "converter",
    "dump_custom_values",
    "load_custom_values",
    "structure_plan",
    "unstructure_plan",
]

#: Structuring is strict: a value of another type than the field's is
#: refused, never converted (``None`` is not the name ``'None'``, a text is
#: not a tuple of its letters), and so is a key the class does not have.
converter = cattrs.Converter(forbid_extra_keys=True)


def _exactly(kind: type) -> Any:
    """A structure hook that takes a value of *kind*, and nothing else
    (``True`` is not the int 1, nor ``"false"`` a bool)."""

    def structure(value: object, _: object) -> object:
        if type(value) is not kind:
            raise TypeError(
                f"expected {kind.__name__}, got {type(value).__name__} {value!r:.40}"
            )
        return value

    return structure


def _texts(value: object, _: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(type(item) is str for item in value):
        raise TypeError(f"expected a list of texts, got {value!r:.60}")
    return tuple(value)


def _text_mapping(value: object, _: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        type(key) is str and type(item) is str for key, item in value.items()
    ):
        raise TypeError(f"expected an object of texts, got {value!r:.60}")
    return value


for _kind_of_value in (str, bool, int):
    converter.register_structure_hook(_kind_of_value, _exactly(_kind_of_value))
converter.register_structure_hook_func(lambda kind: kind == tuple[str, ...], _texts)
converter.register_structure_hook_func(
    lambda kind: kind == Mapping[str, str], _text_mapping
)


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


_TAGGED: dict[str, tuple[type, Any]] = {
    "bool": (bool, bool),
    "int": (int, int),
    "decimal": (str, Decimal),
    "date": (str, dt.date.fromisoformat),
}


def _structure_value(data: Any, _: object) -> Any:
    if data is None or type(data) is str:
        return data
    if isinstance(data, list):
        return _texts(data, None)
    if isinstance(data, dict) and len(data) == 1:
        ((tag, value),) = data.items()
        entry = _TAGGED.get(tag)
        if entry is not None and type(value) is entry[0]:
            try:
                return entry[1](value)
            except (ValueError, ArithmeticError) as error:
                raise ValueError(f"not a {tag}: {value!r:.40}") from error
    raise ValueError(f"not a serialised field value: {data!r:.60}")


def dump_custom_values(custom: Mapping[str, CustomValue]) -> str:
    """A customer's custom values as JSON text, for a text column: each
    value tagged as in a serialised plan (``{"decimal": "12.50"}``), the
    names sorted; ``"{}"`` for none."""
    if not custom:
        return "{}"  # the common case, without the encoder
    return json.dumps(
        {name: _unstructure_value(value) for name, value in custom.items()},
        sort_keys=True,
        ensure_ascii=False,
    )


def load_custom_values(text: str | None) -> Mapping[str, CustomValue]:
    """The custom values that `dump_custom_values` wrote as *text* (blank
    or ``None``: none).

    Raises:
        ValueError: *text* is not what `dump_custom_values` writes.
    """
    if not text or text == "{}":
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"not custom values: {text!r:.60}")
    return {name: _structure_value(value, None) for name, value in data.items()}


def _is_value_union(type_: object) -> bool:
    return type_ in (FieldValue, CustomValue)


def _kind(cls: type) -> str:
    return ACTION_KINDS[cls]


converter.register_unstructure_hook_func(_is_value_union, _unstructure_value)
converter.register_structure_hook_func(_is_value_union, _structure_value)
configure_tagged_union(Action, converter, tag_name="kind", tag_generator=_kind)

#: The same data, without the values that are their field's default (a
#: blank field, an empty mapping, ``False``): `converter` structures both.
_compact = cattrs.Converter(omit_if_default=True)
_compact.register_unstructure_hook_func(_is_value_union, _unstructure_value)
configure_tagged_union(Action, _compact, tag_name="kind", tag_generator=_kind)


def unstructure_plan(plan: Plan, *, compact: bool = False) -> dict[str, Any]:
    """*plan* as JSON-able data (actions tagged by ``"kind"``).

    With *compact*, a value that is its field's default (a blank field, no
    address, no manufacturer ids, ``generated_id`` false) is left out: the
    form to keep a plan in, a fraction of the size; `structure_plan` reads
    both forms.
    """
    data: dict[str, Any] = (_compact if compact else converter).unstructure(plan)
    return data


def structure_plan(data: Any) -> Plan:
    """The `Plan` that `unstructure_plan` turned into *data* (compact or not).

    Raises:
        ValueError: *data* is not what `unstructure_plan` makes of a plan
            (a value of another type, a key too many, a value no file could
            have given, such as a blank name); the message says where.
    """
    if not isinstance(data, dict):
        raise ValueError(_not_a_plan([f"plan: expected an object, got {data!r:.40}"]))
    try:
        plan = converter.structure(data, Plan)
    except cattrs.BaseValidationError as error:
        faults = cattrs.transform_error(error, path="plan")
        raise ValueError(_not_a_plan(faults)) from error
    faults = value_faults(plan)
    if faults:
        raise ValueError(_not_a_plan(faults))
    return plan


def _not_a_plan(faults: list[str]) -> str:
    shown = "; ".join(faults[:5])
    more = f" (and {len(faults) - 5} more)" if len(faults) > 5 else ""
    return f"This is not a plan made by unstructure_plan: {shown}{more}."
