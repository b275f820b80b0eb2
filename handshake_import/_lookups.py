"""What the rows ask of the store, and what it answers.

`lookups` walks the rows (a chunk of the file, or all of it) once and
gathers their keys (`Lookups`); the driver (`_api`) asks the store for the
internal ids, then for the ids that the customers found by internal id do
not answer for (`ids_to_ask`), then for the name keys of the rows that no
id settles (`name_keys_needed`), and hands the answers (`StoreAnswers`) to
`PlanBuilder`. `NameForms` computes each distinct name's folded form and
key once for all of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

import attrs

from ._names import fold_name, key_of_folded
from ._records import Customer, CustomerRow

__all__ = [
    "Lookups",
    "NameForms",
    "StoreAnswers",
    "ids_to_ask",
    "lookups",
    "name_keys_needed",
]


@attrs.frozen(kw_only=True)
class Lookups:
    """What the rows ask of the store, found in one pass over them.

    The store is asked about `internal_ids` first, then about `ids_to_ask`,
    then about `name_keys_needed`; `PlanBuilder` reuses the rest of what the
    pass found rather than walking the rows again.
    """

    #: every id of the file, without duplicates, in file order
    ids: tuple[str, ...]
    #: every internal id of the file, without duplicates, in file order
    internal_ids: tuple[str, ...]
    #: whether some id or internal id is on two rows or more
    repeated: bool
    #: the rows with an internal id, matched by it
    by_internal_id: tuple[CustomerRow, ...]
    #: the rows without an internal id: they are matched by id or by name
    by_id_or_name: tuple[CustomerRow, ...]
    #: whether some row has neither an id nor an internal id
    blank_ids: bool
    #: the ids that begin like a generated one (``HS-``), in file order
    generated_like: tuple[str, ...]


@attrs.frozen(kw_only=True)
class StoreAnswers:
    """What the store said about the `Lookups` and its reference data."""

    #: The look-ups answered so far (the driver adds to them).
    by_id: dict[str, Customer]
    by_internal_id: dict[str, Customer]
    by_name_key: dict[str, Sequence[Customer]]
    highest_generated_id: int
    customer_count: int
    customer_groups: Collection[str]
    user_groups: Collection[str]
    manufacturers: Collection[str]
    options: Mapping[str, Collection[str]]


def lookups(rows: Iterable[CustomerRow]) -> Lookups:
    """Gather the keys of *rows*, and what `PlanBuilder` needs of them, at once."""
    ids: dict[str, None] = {}
    internal_ids: dict[str, None] = {}
    id_count = internal_id_count = 0
    by_internal_id: list[CustomerRow] = []
    by_id_or_name: list[CustomerRow] = []
    blank_ids = False
    generated_like: list[str] = []
    for row in rows:
        customer = row.customer
        id_ = customer.id
        if id_:
            ids[id_] = None
            id_count += 1
            # Tested here, while the text is at hand (later, reading each id
            # again would cost more than the test).
            if id_.startswith("HS-"):
                generated_like.append(id_)
        if customer.internal_id:
            internal_ids[customer.internal_id] = None
            internal_id_count += 1
            by_internal_id.append(row)
        else:
            by_id_or_name.append(row)
            if not id_:
                blank_ids = True
    return Lookups(
        ids=tuple(ids),
        internal_ids=tuple(internal_ids),
        repeated=len(ids) < id_count or len(internal_ids) < internal_id_count,
        by_internal_id=tuple(by_internal_id),
        by_id_or_name=tuple(by_id_or_name),
        blank_ids=blank_ids,
        generated_like=tuple(generated_like),
    )


def ids_to_ask(
    keys: Lookups,
    found: Mapping[str, Customer],
    by_id: dict[str, Customer],
    asked: Collection[str],
) -> list[str]:
    """Add to *by_id* what the customers *found* by internal id tell about
    ids, and return the ids of *keys* still to ask the store about: those
    that *by_id* lacks and that were not *asked* before.

    A customer found by its internal id answers for its own id too (ids are
    unique in a store): on a re-upload, where most rows carry both, only the
    new customers' ids are left to ask.
    """
    by_id.update({c.id: c for c in found.values() if c.id is not None})
    unknown = itertools.filterfalse(by_id.__contains__, keys.ids)
    if asked:
        unknown = itertools.filterfalse(asked.__contains__, unknown)
    return list(unknown)


def name_keys_needed(
    keys: Lookups, by_id: Mapping[str, Customer], names: NameForms
) -> tuple[str, ...]:
    """The name keys to ask the store about, once ids are answered.

    Names matter only for rows that no id or internal id settles: blank-id
    rows (matched by name) and rows that will create a customer (checked for
    probable duplicates). A row with an internal id is settled by it, or is
    an error; a row found by its id needs no name look-up: that spares the
    store most of the work on a re-upload.
    """
    unsettled: dict[str, None] = {}
    for row in keys.by_id_or_name:
        customer = row.customer
        if not (customer.id and customer.id in by_id):
            unsettled[customer.name] = None
    return tuple(dict.fromkeys(map(names.key, unsettled)))


class _Forms(dict[str, str]):
    """Name -> one form of it, computed on the first look-up of the name."""

    def __init__(self, form: Callable[[str], str]) -> None:
        super().__init__()
        self._form = form

    def __missing__(self, name: str) -> str:
        form = self[name] = self._form(name)
        return form


class NameForms:
    """Each distinct name's `fold_name` and `name_key`, computed once per plan.

    Conflicts, matching and duplicate warnings all need them, and names
    repeat within a file; a dictionary look-up costs a fraction of either.
    `fold` and `key` are the dictionaries' own look-ups, so a name seen
    before costs no Python call.
    """

    def __init__(self) -> None:
        folds = _Forms(fold_name)
        keys = _Forms(lambda name: key_of_folded(folds[name]))
        #: the `fold_name` of a name
        self.fold: Callable[[str], str] = folds.__getitem__
        #: the `name_key` of a name
        self.key: Callable[[str], str] = keys.__getitem__
