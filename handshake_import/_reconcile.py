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

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from ._fields import FieldValue
from ._names import fold_name, name_key
from ._plan import (
    Action,
    CreateCustomer,
    CreateUserGroup,
    MatchedBy,
    Plan,
    Unchanged,
    UpdateCustomer,
)
from ._problems import Problem, make_problem, quote
from ._records import Customer, CustomerRow
from ._result import Column
from ._schema import ADDRESS_PARTS, TEMPLATE_COLUMNS

__all__ = [
    "Lookups",
    "Mode",
    "Settings",
    "StoreAnswers",
    "build_plan",
    "lookups",
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
    name_keys: tuple[str, ...]


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
    """The ids, internal ids and name keys reconciling *rows* needs."""
    ids: dict[str, None] = {}
    internal_ids: dict[str, None] = {}
    keys: dict[str, None] = {}
    for row in rows:
        customer = row.customer
        if customer.internal_id:
            internal_ids[customer.internal_id] = None
        if customer.id:
            ids[customer.id] = None
        keys[name_key(customer.name)] = None
    return Lookups(
        ids=tuple(ids), internal_ids=tuple(internal_ids), name_keys=tuple(keys)
    )


class _Canon:
    """Case-insensitive look-up of reference values, answering the store's spelling."""

    def __init__(self, values: Iterable[str]) -> None:
        self._by_fold = {value.casefold(): value for value in values}

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
    by_number: dict[int, CustomerRow] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        self.by_number = {row.row: row for row in self.rows}

    def row(self, number: int) -> CustomerRow:
        return self.by_number[number]

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
    actions: list[Action] = []
    changed_fields: dict[str, int] = defaultdict(int)

    differs: dict[int, _Diff] = {}
    for row in rows:
        if row.row in builder.bad_rows:
            continue
        customer = _known_manufacturers(row.customer, manufacturer_names)
        checked = references.normalise(builder, row, customer)
        if checked is None:
            continue
        customer = checked
        match = matches.get(row.row)
        if match is None:
            if settings.mode == "update-only":
                builder.error(row, "not-found", None)
                continue
            generated = not customer.id
            if generated:
                customer = attrs.evolve(customer, id=f"HS-{next_number}")
                next_number += 1
            _warn_if_duplicate(builder, row, answers)
            actions.append(
                CreateCustomer(
                    row=row.row,
                    sheet=row.sheet,
                    customer=customer,
                    generated_id=generated,
                )
            )
            continue
        stored, matched_by = match
        if settings.mode == "create-only":
            builder.error(row, "already-exists", None, customer=_describe(stored))
            continue
        # Rows share one `present` set (one header), so its diff is built once.
        diff = differs.get(id(row.present))
        if diff is None:
            diff = differs[id(row.present)] = _Diff(row.present, manufacturer_names)
        changes = diff(stored, customer)
        assert stored.internal_id is not None
        if changes:
            for field in changes:
                changed_fields[field] += 1
            actions.append(
                UpdateCustomer(
                    row=row.row,
                    sheet=row.sheet,
                    internal_id=stored.internal_id,
                    matched_by=matched_by,
                    changes=changes,
                )
            )
        else:
            actions.append(
                Unchanged(
                    row=row.row,
                    sheet=row.sheet,
                    internal_id=stored.internal_id,
                    matched_by=matched_by,
                )
            )

    references.warn_unknown_options(builder)
    plan_problems = [
        *header_problems,
        *_mass_changes(changed_fields, answers, settings),
    ]
    actions = [action for action in actions if _row_of(action) not in builder.bad_rows]
    plan = _finish(read_problems, builder, plan_problems, actions, settings)
    return attrs.evolve(
        plan,
        actions=(
            *_user_groups_used(plan.actions, references.new_user_groups.values()),
            *plan.actions,
        ),
    )


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

    def normalise(
        self, builder: _Builder, row: CustomerRow, customer: Customer
    ) -> Customer | None:
        """*customer* with references spelled as the store spells them, or
        ``None`` when the row has an error."""
        changed: dict[str, Any] = {}
        group = customer.customer_group
        if group is not None:
            known = self.customer_groups.get(group)
            if known is None:
                builder.error(
                    row, "unknown-customer-group", "customerGroup", value=quote(group)
                )
                return None
            if known != group:
                changed["customer_group"] = known
        user_group = customer.user_group
        if user_group is not None:
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
                known = option.get(value) if option else None
                if known is None:
                    self.unknown_options[(key, value.casefold())].append(row)
                elif known != value:
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
    # problems are row 1); plan-level warnings (no row) last.
    ordered = sorted(
        [(p.row if p.row is not None else 0, p) for p in read_problems]
        + builder.problems
        + [(p.row, p) for p in plan_problems if p.row is not None],
        key=lambda pair: pair[0],
    )
    problems = [problem for _, problem in ordered]
    problems += [p for p in plan_problems if p.row is None]
    limit = settings.max_errors
    errors = [p for p in problems if p.is_error]
    if limit is None or len(errors) <= limit:
        return Plan(actions=tuple(actions), problems=tuple(problems))
    # Stop at the first error past the limit: keep what came before its row.
    stop_row = errors[limit].row or 0
    kept = [
        p
        for p in problems
        if (p.row or 0) < stop_row or (p.is_error and p in errors[:limit])
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
    highest = 0
    for row in rows:
        if row.customer.id:
            match = _GENERATED.fullmatch(row.customer.id)
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
    manufacturer, and without those of unknown manufacturers."""
    ids = customer.manufacturer_ids
    if not ids or all(names.get(name) == name for name in ids):
        return customer
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


class _Diff:
    """The changes between a stored customer and a row, for one set of
    columns: only the columns the file has are compared (an absent column
    leaves its field alone; a blank cell clears it)."""

    def __init__(
        self, present: frozenset[str], names: Mapping[str, str | None]
    ) -> None:
        self.id = "id" in present
        self.scalars = [pair for pair in _SCALAR_COLUMNS if pair[0] in present]
        self.email = "email" in present
        self.blocks = [
            (
                prefix,
                attribute,
                [p for p in ADDRESS_PARTS if f"{prefix}_{p}" in present],
            )
            for prefix, attribute in (("bill", "bill_to"), ("ship", "ship_to"))
        ]
        self.blocks = [block for block in self.blocks if block[2]]
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
        for column, attribute in self.scalars:
            before, after = getattr(stored, attribute), getattr(new, attribute)
            if before != after:
                changes[column] = (before, after)
        if self.email and not same_value("email", stored.emails, new.emails):
            changes["email"] = (stored.emails or None, new.emails or None)
        for prefix, attribute, parts in self.blocks:
            old_address, new_address = (
                getattr(stored, attribute),
                getattr(new, attribute),
            )
            if old_address == new_address:
                continue
            for part in parts:
                before = getattr(old_address, part) if old_address else None
                after = getattr(new_address, part) if new_address else None
                if before != after:
                    changes[f"{prefix}_{part}"] = (before, after)
        for manufacturer in self.manufacturers:
            before = stored.manufacturer_ids.get(manufacturer)
            after = new.manufacturer_ids.get(manufacturer)
            if before != after:
                changes[f"id:{manufacturer}"] = (before, after)
        for name in self.custom:
            before, after = stored.custom.get(name), new.custom.get(name)
            if before != after:
                changes[name] = (before, after)
        return changes


def _in_file_conflicts(builder: _Builder) -> None:
    groups: dict[tuple[str, str], list[CustomerRow]] = defaultdict(list)
    names: dict[str, list[CustomerRow]] = defaultdict(list)
    for row in builder.rows:
        customer = row.customer
        if customer.internal_id:
            groups[("internal_id", customer.internal_id)].append(row)
        if customer.id:
            groups[("id", customer.id)].append(row)
        names[fold_name(customer.name)].append(row)
    for (what, value), rows in groups.items():
        if len(rows) > 1:
            _duplicates(builder, rows, rows, what, value)
    # A blank-id row is matched by its name: sharing that name with another
    # row of the file (even one with an id) makes it ambiguous, now or on the
    # next upload, so the blank-id rows of such a name are errors.
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
    matches: dict[int, tuple[Customer, MatchedBy]] = {}
    by_name: list[CustomerRow] = []
    for row in builder.rows:
        if row.row in builder.bad_rows:
            continue
        customer = row.customer
        if customer.internal_id:
            stored = answers.by_internal_id.get(customer.internal_id)
            if stored is None:
                builder.error(
                    row,
                    "unknown-internal-id",
                    "internal_id",
                    value=quote(customer.internal_id),
                )
                continue
            if customer.id and customer.id != stored.id:
                other = answers.by_id.get(customer.id)
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
            stored = answers.by_id.get(customer.id)
            if stored is not None:
                matches[row.row] = (stored, "id")
        else:
            by_name.append(row)
    # Names are matched against the store as the file leaves it: a customer
    # that another row renames no longer answers to its old name (otherwise
    # the next upload of the same file would match differently).
    renamed = {
        stored.internal_id
        for number, (stored, _) in matches.items()
        if fold_name(builder.row(number).customer.name) != fold_name(stored.name)
    }
    for row in by_name:
        customer = row.customer
        folded = fold_name(customer.name)
        candidates = [
            candidate
            for candidate in answers.by_name_key.get(name_key(customer.name), ())
            if fold_name(candidate.name) == folded
            and candidate.internal_id not in renamed
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
    by_target: dict[str, list[CustomerRow]] = defaultdict(list)
    rows = {row.row: row for row in builder.rows}
    for number, (stored, _) in matches.items():
        assert stored.internal_id is not None
        by_target[stored.internal_id].append(rows[number])
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


def _warn_if_duplicate(
    builder: _Builder, row: CustomerRow, answers: StoreAnswers
) -> None:
    similar = answers.by_name_key.get(name_key(row.customer.name), ())
    if similar:
        other = similar[0]
        builder.warn(
            row,
            "possible-duplicate",
            "name",
            value=quote(row.customer.name),
            other=quote(other.name),
            other_id=quote(other.id or ""),
        )


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
