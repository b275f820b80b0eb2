"""What the rows ask of the store (pure), and the store's answers.

`keys_of` walks the rows once and gathers their keys. The driver asks the
store (`_asking`) for the internal ids, then for the ids that the
customers found by internal id do not answer for (`ids_to_ask`), then for
the name keys of the rows that no id settles (`name_keys_to_ask`), and
hands the answers, as `StoreAnswers`, to the planner.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs

from ._names import NameForms
from ._parse import ParsedRow
from ._records import Customer
from ._template import at

__all__ = ["Keys", "StoreAnswers", "ids_to_ask", "keys_of", "name_keys_to_ask"]

_ID = at("id")
_INTERNAL_ID = at("internal_id")
_NAME = at("name")


@attrs.frozen(kw_only=True)
class Keys:
    """The keys of a file's rows, found in one pass over them."""

    #: every internal id of the file, without duplicates, in file order
    internal_ids: tuple[str, ...]
    #: every id of the file, without duplicates, in file order
    ids: tuple[str, ...]
    #: whether some id or internal id is on two rows or more
    repeated: bool
    #: whether some row has neither an id nor an internal id
    blank_ids: bool
    #: the ids that begin like a generated one (``HS-``), in file order
    generated_like: tuple[str, ...]


def keys_of(rows: Iterable[ParsedRow]) -> Keys:
    """Gather the keys of *rows*."""
    ids: dict[str, None] = {}
    internal_ids: dict[str, None] = {}
    id_count = internal_id_count = 0
    blank_ids = False
    for _, values in rows:
        id_, internal_id = values[_ID], values[_INTERNAL_ID]
        if id_:
            ids[id_] = None
            id_count += 1
        if internal_id:
            internal_ids[internal_id] = None
            internal_id_count += 1
        elif not id_:
            blank_ids = True
    return Keys(
        internal_ids=tuple(internal_ids),
        ids=tuple(ids),
        repeated=len(ids) < id_count or len(internal_ids) < internal_id_count,
        blank_ids=blank_ids,
        generated_like=tuple(id_ for id_ in ids if id_.startswith("HS-")),
    )


def ids_to_ask(keys: Keys, found: Mapping[str, Customer]) -> list[str]:
    """The ids of *keys* that the customers *found* by internal id do not
    answer for (ids are unique in a store): on a re-upload, where most rows
    carry both, only the new customers' ids are left to ask."""
    known = {customer.id for customer in found.values()}
    return [id_ for id_ in keys.ids if id_ not in known]


def name_keys_to_ask(
    rows: Iterable[ParsedRow], by_id: Mapping[str, Customer], names: NameForms
) -> tuple[str, ...]:
    """The name keys to ask the store about, once ids are answered.

    Names matter only for rows that no id or internal id settles: blank-id
    rows (matched by name) and rows that will create a customer (checked
    for probable duplicates). A row with an internal id is settled by it,
    or is an error; a row found by its id needs no name look-up: that
    spares the store most of the work on a re-upload.
    """
    unsettled: dict[str, None] = {}
    for _, values in rows:
        if values[_INTERNAL_ID]:
            continue
        id_ = values[_ID]
        if not (id_ and id_ in by_id):
            unsettled[values[_NAME]] = None
    return tuple(dict.fromkeys(map(names.key, unsettled)))


@attrs.frozen(kw_only=True)
class StoreAnswers:
    """What the store said about a file's keys, and its reference data.

    Attributes:
        by_id: stored customers by id: those asked by id, and those found
            by internal id.
        by_internal_id: stored customers by internal id.
        by_name_key: stored customers by `name_key`.
        highest_generated_id: the highest *n* of the ``HS-<n>`` ids in use.
        customer_count: how many customers the store holds.
        customer_groups, user_groups, manufacturers: what exists.
        options: option key -> its values, in order.
    """

    by_id: Mapping[str, Customer] = attrs.field(factory=dict)
    by_internal_id: Mapping[str, Customer] = attrs.field(factory=dict)
    by_name_key: Mapping[str, Sequence[Customer]] = attrs.field(factory=dict)
    highest_generated_id: int = 0
    customer_count: int = 0
    customer_groups: Collection[str] = ()
    user_groups: Collection[str] = ()
    manufacturers: Collection[str] = ()
    options: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
