"""Planning, stage 3: the rows' references to the store's reference data.

- ``customerGroup`` names an existing customer group: unknown, it is an
  error on the cell;
- ``userGroup`` names a user group: one that does not exist yet is created
  (once, spelled as its first row spells it);
- ``paymentTerms`` and ``shippingMethod`` values the store lacks are kept,
  with a warning (once per value, at its first row that keeps an action);
- an ``id:<Manufacturer>`` column for a manufacturer the store does not
  know is one error on the column, and its values are ignored.

References are compared ignoring case; a value spelled otherwise than the
store spells it takes the store's spelling.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._lookups import StoreAnswers
from ._parse import ParsedRow
from ._placement import Placement
from ._problems import Problem, make_problem, quote
from ._result import Column
from ._settings import Settings
from ._template import Extra, Extras, Values, at

__all__ = ["References", "check_references", "known_manufacturers"]

_CUSTOMER_GROUP = at("customerGroup")
_USER_GROUP = at("userGroup")
#: The option lists the template's columns take their values from.
OPTION_COLUMNS = ("paymentTerms", "shippingMethod")
_OPTIONS = tuple((key, at(key)) for key in OPTION_COLUMNS)
_LENIENT = Settings()


class _Canon:
    """Case-insensitive look-up of reference values, answering the store's
    spelling."""

    def __init__(self, values: Iterable[str]) -> None:
        self._by_fold = {value.casefold(): value for value in values}
        #: The values `get` answers with themselves: a value spelled as the
        #: store spells it (nearly every one) is found without a casefold.
        self.spelled = frozenset(self._by_fold.values())

    def get(self, value: str) -> str | None:
        return self._by_fold.get(value.casefold())


@attrs.frozen
class References:
    """What checking the rows' references found.

    Attributes:
        respelled: the values of the rows that name a reference otherwise
            than the store spells it, with the store's spelling, by row.
        new_user_groups: the user groups to create, as first spelled, in
            the order rows name them.
        unknown_options: (option key, value folded) -> each row (number,
            spelling) naming that value, which the store lacks.
    """

    respelled: Mapping[int, Values] = attrs.field(factory=dict)
    new_user_groups: tuple[str, ...] = ()
    unknown_options: Mapping[tuple[str, str], Sequence[tuple[int, str]]] = attrs.field(
        factory=dict
    )


def check_references(
    rows: Iterable[ParsedRow],
    answers: StoreAnswers,
    bad: Collection[int],
    placement: Placement,
    *,
    settings: Settings = _LENIENT,
) -> tuple[References, list[Problem]]:
    """Check the references of each row not in *bad*: an unknown customer
    group is an error; an unknown user group is created, or an error
    (``settings.create_user_groups``); an unknown option is a warning (made
    by `_finish`), or an error (``settings.strict_options``)."""
    customer_groups = _Canon(answers.customer_groups)
    user_groups = _Canon(answers.user_groups)
    options = {key: _Canon(answers.options.get(key, ())) for key, _ in _OPTIONS}
    problems: list[Problem] = []
    respelled: dict[int, Values] = {}
    new_user_groups: dict[str, str] = {}
    unknown_options: dict[tuple[str, str], list[tuple[int, str]]] = {}
    # Nearly every row spells each reference as the store does: one test of
    # that per row before anything is looked up.
    groups_spelled = customer_groups.spelled
    users_spelled = user_groups.spelled
    terms_spelled = options["paymentTerms"].spelled
    shipping_spelled = options["shippingMethod"].spelled
    terms_at, shipping_at = (place for _, place in _OPTIONS)
    for number, values in rows:
        group, user_group = values[_CUSTOMER_GROUP], values[_USER_GROUP]
        terms, shipping = values[terms_at], values[shipping_at]
        if (
            (group is None or group in groups_spelled)
            and (user_group is None or user_group in users_spelled)
            and (terms is None or terms in terms_spelled)
            and (shipping is None or shipping in shipping_spelled)
        ) or (bad and number in bad):
            continue
        changed: dict[int, Any] = {}
        if group is not None and group not in groups_spelled:
            known = customer_groups.get(group)
            if known is None:
                problems.append(
                    placement.problem(
                        "unknown-customer-group",
                        number,
                        "customerGroup",
                        value=quote(group),
                    )
                )
                continue
            changed[_CUSTOMER_GROUP] = known
        refused = False
        if user_group is not None and user_group not in users_spelled:
            known = user_groups.get(user_group)
            if known is None and not settings.create_user_groups:
                problems.append(
                    placement.problem(
                        "unknown-user-group",
                        number,
                        "userGroup",
                        value=quote(user_group),
                    )
                )
                refused = True
            elif known is None:
                known = new_user_groups.setdefault(user_group.casefold(), user_group)
            if known is not None and known != user_group:
                changed[_USER_GROUP] = known
        for key, place in _OPTIONS:
            value = values[place]
            if value is None or value in options[key].spelled:
                continue
            known = options[key].get(value)
            if known is None and settings.strict_options:
                problems.append(
                    placement.problem(
                        "option-not-found", number, key, value=quote(value), key=key
                    )
                )
                refused = True
            elif known is None:
                unknown_options.setdefault((key, value.casefold()), []).append(
                    (number, value)
                )
            else:
                changed[place] = known
        if refused:
            continue
        if changed:
            respelled[number] = tuple(
                changed.get(place, value) for place, value in enumerate(values)
            )
    return (
        References(
            respelled=respelled,
            new_user_groups=tuple(new_user_groups.values()),
            unknown_options=unknown_options,
        ),
        problems,
    )


def known_manufacturers(
    extras: Extras,
    columns: Sequence[Column],
    manufacturers: Collection[str],
    header_row: int | None,
    sheet: str | None,
) -> tuple[Extras, list[Problem]]:
    """*extras* with each manufacturer as the store spells it, and without
    the manufacturers the store does not know: an error on each of their
    columns."""
    known = _Canon(manufacturers)
    by_field = {column.field: column for column in columns}
    kept: list[Extra] = []
    problems: list[Problem] = []
    for extra in extras.columns:
        if not extra.manufacturer:
            kept.append(extra)
            continue
        spelled = known.get(extra.key)
        if spelled is not None:
            kept.append(attrs.evolve(extra, column=f"id:{spelled}", key=spelled))
            continue
        column = by_field[extra.column]
        problems.append(
            make_problem(
                "unknown-manufacturer",
                row=header_row,
                column=column.header,
                cell=f"{column.letter}{header_row}" if header_row else None,
                sheet=sheet,
                header=quote(column.header),
                value=quote(extra.key),
            )
        )
    return Extras(tuple(kept)), problems
