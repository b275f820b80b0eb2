"""Rows + the store's answers -> `Plan`. Pure: no I/O, no store calls.

Theory of operation. The driver (`_api.reconcile`) reads the file, asks
`lookups` which keys to look up, fetches them from the store in batches and
hands everything to `build_plan`, which applies the template's rules:

1. Matching, in this order (each action records `matched_by`): a filled
   ``internal_id`` is that customer (unknown: error; a different ``id`` in
   the row renames the customer unless another customer has that id); a
   filled ``id`` is the customer with that id, else a new customer with it;
   a blank ``id`` is the one customer with exactly that name (folded case
   and spaces), none: a new customer with a generated ``HS-<n>`` id, several:
   an error listing their ids.
2. In-file conflicts are errors on every row involved: the same id, internal
   id or blank-id name twice, or two rows reaching one stored customer.
3. Changes are compared column by column (emails as a set): a column absent
   from the file leaves the field alone, a blank cell clears it; a blank id
   never clears an id. ``paymentTerms``/``shippingMethod`` values the store
   lacks are kept with a warning; an unknown ``customerGroup`` is an error;
   an unknown ``userGroup`` is created once; an ``id:<Manufacturer>`` column
   for an unknown manufacturer is one error on the column.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from ._fields import FieldValue
from ._names import fold_name, key_of_folded, name_key
from ._plan import (
    Action,
    CreateCustomer,
    CreateUserGroup,
    MatchedBy,
    Plan,
    UpdateCustomer,
    new_create,
    new_unchanged,
    new_update,
)
from ._problems import Problem, make_problem, quote
from ._records import Address, Customer, CustomerRow
from ._result import Column
from ._schema import ADDRESS_PARTS, TEMPLATE_COLUMNS

__all__ = [
    "Lookups",
    "Mode",
    "Settings",
    "StoreAnswers",
    "build_plan",
    "lookups",
    "name_keys_needed",
    "same_value",
]

Mode = Literal["upsert", "create-only", "update-only"]

_GENERATED = re.compile(r"HS-([0-9]+)")


@attrs.frozen(kw_only=True)
class Settings:
    """The options of `reconcile` that shape the plan."""

    mode: Mode = "upsert"
    max_errors: int | None = None
    mass_change_share: float = 0.5
    mass_change_minimum: int = 20


@attrs.frozen(kw_only=True)
class Lookups:
    """The keys the store is asked about, each without duplicates, in file order."""

    ids: tuple[str, ...]
    internal_ids: tuple[str, ...]


@attrs.frozen(kw_only=True)
class StoreAnswers:
    """What the store said about the `Lookups` and its reference data."""

    by_id: Mapping[str, Customer]
    by_internal_id: Mapping[str, Customer]
    by_name_key: Mapping[str, Sequence[Customer]]
    highest_generated_id: int
    customer_count: int
    customer_groups: Collection[str]
    user_groups: Collection[str]
    manufacturers: Collection[str]
    options: Mapping[str, Collection[str]]


def lookups(rows: Iterable[CustomerRow]) -> Lookups:
    """The ids and internal ids reconciling *rows* needs; the store is asked
    about these first, then about `name_keys_needed`."""
    customers = [row.customer for row in rows]
    return Lookups(
        ids=tuple(dict.fromkeys(c.id for c in customers if c.id)),
        internal_ids=tuple(
            dict.fromkeys(c.internal_id for c in customers if c.internal_id)
        ),
    )


def name_keys_needed(
    rows: Iterable[CustomerRow],
    by_id: Mapping[str, Customer],
    by_internal_id: Mapping[str, Customer],
) -> tuple[str, ...]:
    """The name keys to ask the store about, once ids are answered.

    Names matter only for rows that an id or internal id does not settle:
    blank-id rows (matched by name) and rows that will create a customer
    (checked for probable duplicates). A row found by its id or internal id
    needs no name look-up, which spares the store most of the work on a
    re-upload.
    """
    names: dict[str, None] = {}
    for row in rows:
        customer = row.customer
        if customer.internal_id:
            if customer.internal_id in by_internal_id:
                continue
        elif customer.id and customer.id in by_id:
            continue
        names[customer.name] = None
    return tuple(dict.fromkeys(map(name_key, names)))


class _NameForms:
    """Each distinct name's `fold_name` and `name_key`, computed once per plan.

    Conflicts, matching and duplicate warnings all need them, and names
    repeat within a file; a dictionary look-up costs a fraction of either.
    """

    def __init__(self) -> None:
        self._folds: dict[str, str] = {}
        self._keys: dict[str, str] = {}

    def fold(self, name: str) -> str:
        folded = self._folds.get(name)
        if folded is None:
            folded = self._folds[name] = fold_name(name)
        return folded

    def key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = key_of_folded(self.fold(name))
        return key


class _Canon:
    """Case-insensitive look-up of reference values, answering the store's spelling."""

    def __init__(self, values: Iterable[str]) -> None:
        self._by_fold = {value.casefold(): value for value in values}
        #: The values `get` answers with themselves: a value spelled as the
        #: store spells it (nearly every one) is found without a casefold.
        self.spelled = frozenset(self._by_fold.values())

    def get(self, value: str) -> str | None:
        return self._by_fold.get(value.casefold())


@attrs.define
class _Builder:
    rows: Sequence[CustomerRow]
    columns: Mapping[str, Column]
    answers: StoreAnswers
    settings: Settings
    problems: list[tuple[int, Problem]] = attrs.field(factory=list)
    bad_rows: set[int] = attrs.field(factory=set)
    names: _NameForms = attrs.field(factory=_NameForms)
    #: name -> its possible-duplicate warning, not yet placed at a row (None:
    #: no similar stored customer)
    duplicate_warnings: dict[str, Problem | None] = attrs.field(factory=dict)
    # Built on first use: only rows with errors or matched by name need it.
    _by_number: dict[int, CustomerRow] | None = None

    def row(self, number: int) -> CustomerRow:
        if self._by_number is None:
            self._by_number = {row.row: row for row in self.rows}
        return self._by_number[number]

    # -- problems ------------------------------------------------------------

    def error(
        self, row: CustomerRow, code: str, field: str | None, **details: object
    ) -> None:
        self.bad_rows.add(row.row)
        self.problems.append((row.row, self.at(row, code, field, details)))

    def warn(
        self, row: CustomerRow, code: str, field: str | None, **details: object
    ) -> None:
        self.problems.append((row.row, self.at(row, code, field, details)))

    def at(
        self,
        row: CustomerRow,
        code: str,
        field: str | None,
        details: Mapping[str, object],
    ) -> Problem:
        column = self.columns.get(field) if field else None
        return make_problem(
            code,
            row=row.row,
            column=column.header if column else None,
            cell=f"{column.letter}{row.row}" if column else None,
            sheet=row.sheet,
            details=details,
        )

    def warn_as(self, row: CustomerRow, field: str, unplaced: Problem) -> None:
        """Warn at *row* with the words of *unplaced* (a problem made without
        a row), for a warning worded the same on many rows."""
        column = self.columns.get(field)
        problem = Problem(
            severity=unplaced.severity,
            code=unplaced.code,
            message=unplaced.message,
            row=row.row,
            column=column.header if column else None,
            cell=f"{column.letter}{row.row}" if column else None,
            sheet=row.sheet,
        )
        self.problems.append((row.row, problem))


def build_plan(
    rows: Sequence[CustomerRow],
    *,
    read_problems: Sequence[Problem],
    columns: Sequence[Column],
    header_row: int | None,
    answers: StoreAnswers,
    settings: Settings,
) -> Plan:
    """Apply every template rule to *rows* given the store's *answers*."""
    by_field = {column.field: column for column in columns}
    builder = _Builder(rows, by_field, answers, settings)
    header_problems, manufacturer_names = _check_manufacturers(
        columns, answers, header_row, rows[0].sheet if rows else None
    )
    _in_file_conflicts(builder)
    matches = _match(builder)
    _same_customer_twice(builder, matches)

    references = _References(answers)
    next_number = max(answers.highest_generated_id, _highest_in_file(rows)) + 1
    errors_before = len(builder.bad_rows)
    actions, changed_fields = _actions(
        builder, matches, references, manufacturer_names, next_number
    )
    references.warn_unknown_options(builder)
    plan_problems = [
        *header_problems,
        *_mass_changes(changed_fields, answers, settings),
    ]
    if len(builder.bad_rows) != errors_before:
        # A row's action is only added while the row has no error, so only
        # an error found in the loop (for a row number two rows share) can
        # leave an action to drop.
        actions = [a for a in actions if _row_of(a) not in builder.bad_rows]
    plan = _finish(read_problems, builder, plan_problems, actions, settings)
    if not references.new_user_groups:
        return plan
    return attrs.evolve(
        plan,
        actions=(
            *_user_groups_used(plan.actions, references.new_user_groups.values()),
            *plan.actions,
        ),
    )


def _actions(
    builder: _Builder,
    matches: Mapping[int, tuple[Customer, MatchedBy]],
    references: _References,
    manufacturer_names: Mapping[str, str | None],
    next_number: int,
) -> tuple[list[Action], dict[str, int]]:
    """An action for each row without errors (errors for the rows that get
    none), and how many updates change each field."""
    mode = builder.settings.mode
    bad_rows = builder.bad_rows
    actions: list[Action] = []
    changed_fields: dict[str, int] = defaultdict(int)
    differs: dict[frozenset[str], _Diff] = {}
    # Manufacturers the store spells as the file does: ids under only those
    # need no rewriting (nearly always all of them).
    as_stored = frozenset(
        name for name, known in manufacturer_names.items() if known == name
    )
    for row in builder.rows:
        number = row.row
        if number in bad_rows:
            continue
        customer = row.customer
        if customer.manufacturer_ids and not (
            customer.manufacturer_ids.keys() <= as_stored
        ):
            customer = _known_manufacturers(customer, manufacturer_names)
        checked = references.normalise(builder, row, customer)
        if checked is None:
            continue
        customer = checked
        match = matches.get(number)
        if match is None:
            if mode == "update-only":
                builder.error(row, "not-found", None)
                continue
            generated = not customer.id
            if generated:
                customer = attrs.evolve(customer, id=f"HS-{next_number}")
                next_number += 1
            _warn_if_duplicate(builder, row)
            actions.append(new_create(number, row.sheet, customer, generated))
            continue
        stored, matched_by = match
        if mode == "create-only":
            builder.error(row, "already-exists", None, customer=_describe(stored))
            continue
        # Rows share one `present` set (one header), so its diff is built
        # once. (A frozenset keeps its hash: the look-up is cheap.)
        diff = differs.get(row.present)
        if diff is None:
            diff = differs[row.present] = _Diff(row.present, manufacturer_names)
        changes = diff(stored, customer)
        assert stored.internal_id is not None
        if changes:
            for field in changes:
                changed_fields[field] += 1
            # `changes` is the diff's new dict, and this action's alone.
            actions.append(
                new_update(number, row.sheet, stored.internal_id, matched_by, changes)
            )
        else:
            actions.append(
                new_unchanged(number, row.sheet, stored.internal_id, matched_by)
            )
    return actions, changed_fields


def _user_groups_used(
    actions: Iterable[Action], new_groups: Iterable[str]
) -> list[CreateUserGroup]:
    """The new user groups that the plan's actions use, in first-seen order."""
    used: set[str] = set()
    for action in actions:
        if isinstance(action, CreateCustomer) and action.customer.user_group:
            used.add(action.customer.user_group)
        elif isinstance(action, UpdateCustomer) and "userGroup" in action.changes:
            used.add(str(action.changes["userGroup"][1]))
    return [CreateUserGroup(name=name) for name in new_groups if name in used]


_OPTION_ATTRIBUTES = {
    "paymentTerms": "payment_terms",
    "shippingMethod": "shipping_method",
}


class _References:
    """Reference data (groups, options) checked and spelled as the store does."""

    def __init__(self, answers: StoreAnswers) -> None:
        self.user_groups = _Canon(answers.user_groups)
        self.customer_groups = _Canon(answers.customer_groups)
        self.options = {key: _Canon(values) for key, values in answers.options.items()}
        self.unknown_options: dict[tuple[str, str], list[CustomerRow]] = defaultdict(
            list
        )
        #: case-folded name -> the spelling of its first row
        self.new_user_groups: dict[str, str] = {}
        no_values: frozenset[str] = frozenset()
        self._payment_terms = (
            option.spelled
            if (option := self.options.get("paymentTerms"))
            else no_values
        )
        self._shipping_methods = (
            option.spelled
            if (option := self.options.get("shippingMethod"))
            else no_values
        )

    def normalise(
        self, builder: _Builder, row: CustomerRow, customer: Customer
    ) -> Customer | None:
        """*customer* with references spelled as the store spells them, or
        ``None`` when the row has an error."""
        # Nearly every row spells each value as the store does: one test for
        # that, before the look-ups.
        if (
            (
                customer.customer_group is None
                or customer.customer_group in self.customer_groups.spelled
            )
            and (
                customer.user_group is None
                or customer.user_group in self.user_groups.spelled
            )
            and (
                customer.payment_terms is None
                or customer.payment_terms in self._payment_terms
            )
            and (
                customer.shipping_method is None
                or customer.shipping_method in self._shipping_methods
            )
        ):
            return customer
        changed: dict[str, Any] = {}
        # Each value spelled as the store spells it is left as it is without
        # a look-up; the others are looked up case-insensitively.
        group = customer.customer_group
        if group is not None and group not in self.customer_groups.spelled:
            known = self.customer_groups.get(group)
            if known is None:
                builder.error(
                    row, "unknown-customer-group", "customerGroup", value=quote(group)
                )
                return None
            changed["customer_group"] = known
        user_group = customer.user_group
        if user_group is not None and user_group not in self.user_groups.spelled:
            known = self.user_groups.get(user_group)
            if known is None:
                known = self.new_user_groups.setdefault(
                    user_group.casefold(), user_group
                )
            if known != user_group:
                changed["user_group"] = known
        for key, attribute in _OPTION_ATTRIBUTES.items():
            value = getattr(customer, attribute)
            if value is not None:
                option = self.options.get(key)
                if option is not None and value in option.spelled:
                    continue
                known = option.get(value) if option else None
                if known is None:
                    self.unknown_options[(key, value.casefold())].append(row)
                else:  # spelled otherwise: the store's spelling
                    changed[attribute] = known
        return attrs.evolve(customer, **changed) if changed else customer

    def warn_unknown_options(self, builder: _Builder) -> None:
        for (key, _), rows in self.unknown_options.items():
            live = [row for row in rows if row.row not in builder.bad_rows]
            if live:
                spelled = getattr(live[0].customer, _OPTION_ATTRIBUTES[key])
                builder.warn(
                    live[0],
                    "unknown-option",
                    key,
                    value=quote(spelled),
                    key=key,
                    count=f"{len(live)} row" if len(live) == 1 else f"{len(live)} rows",
                )


def _row_of(action: Action) -> int | None:
    return None if isinstance(action, CreateUserGroup) else action.row


def _finish(
    read_problems: Sequence[Problem],
    builder: _Builder,
    plan_problems: list[Problem],
    actions: list[Action],
    settings: Settings,
) -> Plan:
    # File order: problems of the whole file first, then by row (the header's
    # problems are row 1); plan-level warnings (no row) last. The sort is
    # stable: a row's problems keep the order they were found in.
    ordered = sorted(
        [(p.row if p.row is not None else 0, p) for p in read_problems]
        + builder.problems
        + [(p.row, p) for p in plan_problems if p.row is not None],
        key=operator.itemgetter(0),
    )
    problems = [problem for _, problem in ordered]
    problems += [p for p in plan_problems if p.row is None]
    limit = settings.max_errors
    if limit is None:
        return Plan(actions=tuple(actions), problems=tuple(problems))
    errors = [p for p in problems if p.is_error]
    if len(errors) <= limit:
        return Plan(actions=tuple(actions), problems=tuple(problems))
    # Stop at the first error past the limit: keep what came before its row.
    stop_row = errors[limit].row or 0
    # A set: looking each problem up in the list of errors took time
    # proportional to the limit (problems are frozen, so hashable).
    kept_errors = set(errors[:limit])
    kept = [
        p
        for p in problems
        if (p.row or 0) < stop_row or (p.is_error and p in kept_errors)
    ]
    kept.append(make_problem("stopped-early", count=limit, row_limit=stop_row))
    kept_actions = tuple(
        action
        for action in actions
        if (row := _row_of(action)) is None or row < stop_row
    )
    return Plan(actions=kept_actions, problems=tuple(kept), stopped_early=True)


def _describe(customer: Customer) -> str:
    return f"{quote(customer.name)} (id {quote(customer.id or '')})"


def _highest_in_file(rows: Iterable[CustomerRow]) -> int:
    # The prefix test first: it is cheap, and few ids are generated ones.
    candidates = [
        id_ for row in rows if (id_ := row.customer.id) and id_.startswith("HS-")
    ]
    highest = 0
    for id_ in candidates:
        match = _GENERATED.fullmatch(id_)
        if match:
            highest = max(highest, int(match.group(1)))
    return highest


def _check_manufacturers(
    columns: Sequence[Column],
    answers: StoreAnswers,
    header_row: int | None,
    sheet: str | None,
) -> tuple[list[Problem], dict[str, str | None]]:
    """Header errors for unknown manufacturers; file spelling -> store spelling."""
    known = _Canon(answers.manufacturers)
    problems = []
    names: dict[str, str | None] = {}
    for column in columns:
        if not column.field.startswith("id:"):
            continue
        name = column.field[3:]
        names[name] = known.get(name)
        if names[name] is None:
            problems.append(
                make_problem(
                    "unknown-manufacturer",
                    row=header_row,
                    column=column.header,
                    cell=f"{column.letter}{header_row}" if header_row else None,
                    sheet=sheet,
                    header=quote(column.header),
                    value=quote(name),
                )
            )
    return problems, names


def _known_manufacturers(
    customer: Customer, names: Mapping[str, str | None]
) -> Customer:
    """*customer* with manufacturer ids under the store's spelling of each
    manufacturer, and without those of unknown manufacturers.

    (Only called for a customer that has ids the store spells otherwise or
    does not know.)
    """
    ids = customer.manufacturer_ids
    return attrs.evolve(
        customer,
        manufacturer_ids={
            known: value
            for name, value in ids.items()
            if (known := names.get(name)) is not None
        },
    )


_SCALAR_COLUMNS = (
    ("name", "name"),
    ("contact", "contact"),
    ("paymentTerms", "payment_terms"),
    ("shippingMethod", "shipping_method"),
    ("taxID", "tax_id"),
    ("customerGroup", "customer_group"),
    ("userGroup", "user_group"),
)


def _template_scalars(customer: Customer) -> tuple[str | None, ...]:
    """The values of every `_SCALAR_COLUMNS` column, in its order.

    Written out because plain attribute reads in a function are several
    times faster than `operator.attrgetter`'s, and most files have every
    column; `_values_of` serves the others.
    """
    return (
        customer.name,
        customer.contact,
        customer.payment_terms,
        customer.shipping_method,
        customer.tax_id,
        customer.customer_group,
        customer.user_group,
    )


def _address_values(address: Address) -> tuple[str | None, ...]:
    """The values of every part of `ADDRESS_PARTS`, in its order (written out
    as `_template_scalars` is)."""
    return (
        address.id,
        address.name,
        address.street,
        address.street2,
        address.city,
        address.state,
        address.postcode,
        address.country,
        address.phone,
        address.fax,
    )


def _values_of(attributes: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving an object's *attributes* as a tuple."""
    if len(attributes) > 1:
        return operator.attrgetter(*attributes)
    # `attrgetter` of one attribute answers the value itself, not a tuple.
    getters = [operator.attrgetter(attribute) for attribute in attributes]
    return lambda value: tuple(get(value) for get in getters)


class _Block:
    """The columns of one address block that the file has."""

    def __init__(self, prefix: str, present: frozenset[str]) -> None:
        parts = [part for part in ADDRESS_PARTS if f"{prefix}_{part}" in present]
        self.columns = [f"{prefix}_{part}" for part in parts]
        self.values_of: Callable[[Address], tuple[str | None, ...]] = (
            _address_values if len(parts) == len(ADDRESS_PARTS) else _values_of(parts)
        )
        self.blank = (None,) * len(parts)  # the values of a blank block

    def changes(
        self,
        changes: dict[str, tuple[FieldValue, FieldValue]],
        old: Address | None,
        new: Address | None,
    ) -> None:
        """Add to *changes* the columns where addresses *old* and *new*
        differ."""
        befores = self.blank if old is None else self.values_of(old)
        afters = self.blank if new is None else self.values_of(new)
        for column, before, after in zip(self.columns, befores, afters, strict=True):
            if before != after:
                changes[column] = (before, after)


class _Diff:
    """The changes between a stored customer and a row, for one set of
    columns: only the columns the file has are compared (an absent column
    leaves its field alone; a blank cell clears it).

    Most compared values are equal, so each group of values (the scalars,
    each address, the manufacturer ids) is compared as one first, and value
    by value only when it differs.
    """

    def __init__(
        self, present: frozenset[str], names: Mapping[str, str | None]
    ) -> None:
        self.id = "id" in present
        scalars = [pair for pair in _SCALAR_COLUMNS if pair[0] in present]
        self.scalar_columns = [column for column, _ in scalars]
        self.scalars_of: Callable[[Customer], tuple[str | None, ...]] = (
            _template_scalars
            if len(scalars) == len(_SCALAR_COLUMNS)
            else _values_of([attribute for _, attribute in scalars])
        )
        self.email = "email" in present
        self.bill = _Block("bill", present) if _has_block("bill", present) else None
        self.ship = _Block("ship", present) if _has_block("ship", present) else None
        # Sorted: `present` is a set, and a plan's changes keep one order.
        self.manufacturers = sorted(
            known
            for field in present
            if field.startswith("id:") and (known := names.get(field[3:])) is not None
        )
        self.custom = sorted(
            field
            for field in present
            if field not in TEMPLATE_COLUMNS
            and field != "email"
            and not field.startswith("id:")
        )

    def __call__(
        self, stored: Customer, new: Customer
    ) -> dict[str, tuple[FieldValue, FieldValue]]:
        changes: dict[str, tuple[FieldValue, FieldValue]] = {}
        # Identity: a blank id never clears an id; internal_id never changes.
        if self.id and new.id and new.id != stored.id:
            changes["id"] = (stored.id, new.id)
        # Scalars are text or None: tuples of them are equal exactly when
        # every pair is.
        befores, afters = self.scalars_of(stored), self.scalars_of(new)
        if befores != afters:
            for column, before, after in zip(
                self.scalar_columns, befores, afters, strict=True
            ):
                if before != after:
                    changes[column] = (before, after)
        # Equal tuples are the same set, without casefolding each address.
        if (
            self.email
            and stored.emails != new.emails
            and not same_value("email", stored.emails, new.emails)
        ):
            changes["email"] = (stored.emails or None, new.emails or None)
        # Whole addresses first (`Address.__eq__`), their parts only when
        # they differ.
        if self.bill is not None and stored.bill_to != new.bill_to:
            self.bill.changes(changes, stored.bill_to, new.bill_to)
        if self.ship is not None and stored.ship_to != new.ship_to:
            self.ship.changes(changes, stored.ship_to, new.ship_to)
        # Equal mappings hold no change; one comparison is cheaper than a
        # `get` per name (a read-only mapping's `get` is a slow call).
        if self.manufacturers and stored.manufacturer_ids != new.manufacturer_ids:
            for manufacturer in self.manufacturers:
                before = stored.manufacturer_ids.get(manufacturer)
                after = new.manufacturer_ids.get(manufacturer)
                if before != after:
                    changes[f"id:{manufacturer}"] = (before, after)
        # Custom values one by one, as they come: a mapping's comparison
        # would take an identical NaN for no change, where `!=` sees one.
        for name in self.custom:
            old_value, new_value = stored.custom.get(name), new.custom.get(name)
            if old_value != new_value:
                changes[name] = (old_value, new_value)
        return changes


def _has_block(prefix: str, present: frozenset[str]) -> bool:
    return any(f"{prefix}_{part}" in present for part in ADDRESS_PARTS)


def _in_file_conflicts(builder: _Builder) -> None:
    customers = [row.customer for row in builder.rows]
    # Sets first: most files repeat no id, and then there is nothing to
    # group (grouping costs a list per row).
    internal_ids = [c.internal_id for c in customers if c.internal_id]
    ids = [c.id for c in customers if c.id]
    if len(set(internal_ids)) < len(internal_ids) or len(set(ids)) < len(ids):
        groups: dict[tuple[str, str], list[CustomerRow]] = defaultdict(list)
        for row in builder.rows:
            customer = row.customer
            if customer.internal_id:
                groups[("internal_id", customer.internal_id)].append(row)
            if customer.id:
                groups[("id", customer.id)].append(row)
        for (what, value), rows in groups.items():
            if len(rows) > 1:
                _duplicates(builder, rows, rows, what, value)
    # A blank-id row is matched by its name: sharing that name with another
    # row of the file (even one with an id) makes it ambiguous, now or on the
    # next upload, so the blank-id rows of such a name are errors. Without
    # blank-id rows there is nothing to find.
    if not [c for c in customers if not c.id and not c.internal_id]:
        return
    names: dict[str, list[CustomerRow]] = defaultdict(list)
    for row in builder.rows:
        names[builder.names.fold(row.customer.name)].append(row)
    for rows in names.values():
        blank_ids = [
            row for row in rows if not row.customer.id and not row.customer.internal_id
        ]
        if len(rows) > 1 and blank_ids:
            _duplicates(builder, blank_ids, rows, "name", rows[0].customer.name)


def _duplicates(
    builder: _Builder,
    faulty: Sequence[CustomerRow],
    involved: Sequence[CustomerRow],
    what: str,
    value: str,
) -> None:
    listed = _rows_text(involved)
    for row in faulty:
        builder.error(
            row,
            "duplicate-in-file",
            what,
            what={"internal_id": "internal id", "id": "id", "name": "name"}[what],
            value=quote(value),
            rows=listed,
        )


def _rows_text(rows: Sequence[CustomerRow]) -> str:
    numbers = [str(row.row) for row in rows]
    return ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _match(builder: _Builder) -> dict[int, tuple[Customer, MatchedBy]]:
    answers = builder.answers
    by_internal_id = answers.by_internal_id
    by_id = answers.by_id
    bad_rows = builder.bad_rows
    matches: dict[int, tuple[Customer, MatchedBy]] = {}
    by_name: list[CustomerRow] = []
    for row in builder.rows:
        if row.row in bad_rows:
            continue
        customer = row.customer
        if customer.internal_id:
            stored = by_internal_id.get(customer.internal_id)
            if stored is None:
                builder.error(
                    row,
                    "unknown-internal-id",
                    "internal_id",
                    value=quote(customer.internal_id),
                )
                continue
            if customer.id and customer.id != stored.id:
                other = by_id.get(customer.id)
                if other is not None and other.internal_id != stored.internal_id:
                    builder.error(
                        row,
                        "id-taken",
                        "id",
                        value=quote(customer.id),
                        other=_describe(other),
                    )
                    continue
            matches[row.row] = (stored, "internal_id")
        elif customer.id:
            stored = by_id.get(customer.id)
            if stored is not None:
                matches[row.row] = (stored, "id")
        else:
            by_name.append(row)
    if not by_name:
        return matches
    fold = builder.names.fold
    # Names are matched against the store as the file leaves it: a customer
    # that another row renames no longer answers to its old name (otherwise
    # the next upload of the same file would match differently).
    renamed = {
        stored.internal_id
        for number, (stored, _) in matches.items()
        if fold(builder.row(number).customer.name) != fold(stored.name)
    }
    for row in by_name:
        customer = row.customer
        folded = fold(customer.name)
        candidates = [
            candidate
            for candidate in answers.by_name_key.get(
                builder.names.key(customer.name), ()
            )
            if fold(candidate.name) == folded and candidate.internal_id not in renamed
        ]
        if len(candidates) == 1:
            matches[row.row] = (candidates[0], "name")
        elif len(candidates) > 1:
            builder.error(
                row,
                "ambiguous-name",
                "name",
                count=len(candidates),
                value=quote(customer.name),
                ids=", ".join(quote(c.id or "") for c in candidates),
            )
    return matches


def _same_customer_twice(
    builder: _Builder, matches: Mapping[int, tuple[Customer, MatchedBy]]
) -> None:
    reached = [stored.internal_id for stored, _ in matches.values()]
    if len(set(reached)) == len(reached):
        return  # the usual case: no stored customer is reached twice
    by_target: dict[str, list[CustomerRow]] = defaultdict(list)
    for number, (stored, _) in matches.items():
        assert stored.internal_id is not None
        by_target[stored.internal_id].append(builder.row(number))
    for targets in by_target.values():
        if len(targets) < 2:
            continue
        stored = matches[targets[0].row][0]
        for row in targets:
            builder.error(
                row,
                "same-customer-twice",
                None,
                rows=_rows_text(targets),
                customer=_describe(stored),
            )


def same_value(field: str, old: FieldValue, new: FieldValue) -> bool:
    """Whether a field's values are the same (emails compare as a set)."""
    if field == "email" and isinstance(old, tuple) and isinstance(new, tuple):
        return {e.casefold() for e in old} == {e.casefold() for e in new}
    return old == new


def _warn_if_duplicate(builder: _Builder, row: CustomerRow) -> None:
    name = row.customer.name
    # The warning's words depend on the name alone, and a file's new
    # customers share names (a chain's branches): word it once per name.
    if name in builder.duplicate_warnings:
        unplaced = builder.duplicate_warnings[name]
    else:
        similar = builder.answers.by_name_key.get(builder.names.key(name), ())
        unplaced = builder.duplicate_warnings[name] = (
            make_problem(
                "possible-duplicate",
                value=quote(name),
                other=quote(similar[0].name),
                other_id=quote(similar[0].id or ""),
            )
            if similar
            else None
        )
    if unplaced is not None:
        builder.warn_as(row, "name", unplaced)


def _mass_changes(
    changed: Mapping[str, int], answers: StoreAnswers, settings: Settings
) -> list[Problem]:
    total = answers.customer_count
    problems = []
    for field, count in sorted(changed.items()):
        if (
            count >= settings.mass_change_minimum
            and count > settings.mass_change_share * total
        ):
            problems.append(
                make_problem(
                    "mass-change",
                    field=quote(field),
                    count=count,
                    total=total,
                    share=f"{count / total:.0%}" if total else "all",
                )
            )
    return problems
