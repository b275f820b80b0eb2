"""Rows + the store's answers -> `Plan`. Pure: no I/O, no store calls.

Theory of operation. The driver (`_api.reconcile`) reads the file (a chunk
of rows at a time, or whole), asks `_lookups.lookups` which keys to look
up, fetches them from the store in batches and hands everything to
`PlanBuilder`, which applies the template's rules:

1. Matching, in this order (each action records `matched_by`): a filled
   ``internal_id`` is that customer (unknown: error; a different ``id`` in
   the row renames the customer unless another customer has that id; an
   update renaming a customer with whom the row shares nothing else is
   warned about); a filled ``id`` is the customer with that id, else a new
   customer with it; a blank ``id`` is the one customer with exactly that
   name (folded case and spaces), none: a new customer with a generated
   ``HS-<n>`` id, several: an error listing their ids.
2. In-file conflicts are errors on every row involved: the same id, internal
   id or blank-id name twice, or two rows reaching one stored customer.
3. Changes are compared column by column by `_changes.Diff` (emails as a
   set): a column absent from the file leaves the field alone, a blank cell
   clears it; a blank id never clears an id. ``paymentTerms`` and
   ``shippingMethod`` values the store lacks are kept with a warning; an
   unknown ``customerGroup`` is an error; an unknown ``userGroup`` is
   created once; an ``id:<Manufacturer>`` column for an unknown
   manufacturer is one error on the column.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, NamedTuple, Protocol

import attrs

from ._changes import Diff
from ._errors import StoreError
from ._fields import FieldValue
from ._lookups import Lookups, NameForms, StoreAnswers
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
from ._problems import (
    Problem,
    customer_key,
    describe_customer,
    make_problem,
    new_problem,
    quote,
)
from ._records import Customer, CustomerRow
from ._result import Column
from ._store import GENERATED_LIMIT, generated_number

__all__ = ["Mode", "PlanBuilder", "Settings"]

Mode = Literal["upsert", "create-only", "update-only"]


@attrs.frozen(kw_only=True)
class Settings:
    """The options of `reconcile` that shape the plan."""

    mode: Mode = "upsert"
    max_errors: int | None = None
    mass_change_share: float = 0.5
    mass_change_minimum: int = 20


class _Canon:
    """Case-insensitive look-up of reference values, answering the store's spelling."""

    def __init__(self, values: Iterable[str]) -> None:
        self._by_fold = {value.casefold(): value for value in values}
        #: The values `get` answers with themselves: a value spelled as the
        #: store spells it (nearly every one) is found without a casefold.
        self.spelled = frozenset(self._by_fold.values())

    def get(self, value: str) -> str | None:
        return self._by_fold.get(value.casefold())


class _Placed(Protocol):
    """Where a row is, which is all its problems need of it: a
    `CustomerRow`, or a `_Place` kept instead of one."""

    @property
    def row(self) -> int: ...

    @property
    def sheet(self) -> str | None: ...


class _Place(NamedTuple):
    """A row's place, kept instead of the row (its records are let go)."""

    row: int
    sheet: str | None


@attrs.define
class _Builder:
    columns: Mapping[str, Column]
    answers: StoreAnswers
    settings: Settings
    problems: list[tuple[int, Problem]] = attrs.field(factory=list)
    bad_rows: set[int] = attrs.field(factory=set)
    names: NameForms = attrs.field(factory=NameForms)

    # -- problems ------------------------------------------------------------

    def error(
        self, row: _Placed, code: str, field: str | None, **details: object
    ) -> None:
        self.bad_rows.add(row.row)
        self.problems.append((row.row, self.at(row, code, field, details)))

    def warn(
        self, row: _Placed, code: str, field: str | None, **details: object
    ) -> None:
        self.problems.append((row.row, self.at(row, code, field, details)))

    def at(
        self,
        row: _Placed,
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


_NAME_OF_ROW = operator.attrgetter("customer.name")


class PlanBuilder:
    """Applies every template rule to the rows of a file, given the store's
    answers, and makes the `Plan`.

    The rows come whole (`add_file`), or a chunk at a time in file order
    (`add_chunk`), so that a file can be planned as it is read, each chunk
    while its records are fresh, and their memory reused. A chunk is planned
    with what the chunks before it said; the rules that need the whole file
    (a key on two rows, two rows reaching one customer, a name another row
    may change) cannot be, and `add_chunk` says so rather than plan it: the
    caller then plans the whole file with `add_file` on a new builder.

    *answers* holds the store's reference data (`add_chunk` is given each
    chunk's answers about its keys). *names* holds the name forms computed
    so far, and gains the others.
    """

    def __init__(
        self,
        *,
        columns: Sequence[Column],
        header_row: int | None,
        sheet: str | None,
        answers: StoreAnswers,
        names: NameForms,
        settings: Settings,
    ) -> None:
        by_field = {column.field: column for column in columns}
        self._builder = _Builder(by_field, answers, settings, names=names)
        self._header_problems, self._manufacturer_names = _check_manufacturers(
            columns, answers, header_row, sheet
        )
        self._start()
        # What the chunks so far hold, for the rules of the whole file: the
        # keys, the names (folded once a blank-id row needs them), and the
        # stored customers that a blank-id row's name could match.
        self._ids: set[str] = set()
        self._internal_ids: set[str] = set()
        self._names: list[str] = []
        self._folds: set[str] | None = None
        self._blank_id_folds: set[str] = set()
        self._name_candidates: set[str] = set()

    def _start(self) -> None:
        """Forget every row planned (for planning the rows again)."""
        self._builder.problems.clear()
        self._builder.bad_rows.clear()
        self._references = _References(self._builder.answers)
        self._actions: list[Action] = []
        #: how many updates change each field (for the mass-change guard)
        self._changed_fields: Counter[str] = Counter()
        #: the internal ids of the stored customers the chunks so far reach,
        #: and of those a blank-id row reaches by its name
        self._reached: set[str] = set()
        self._reached_by_name: set[str] = set()
        #: the creates that wait for a generated id: (index in actions, row)
        self._to_number: list[tuple[int, _Place]] = []
        self._generated_like: list[str] = []
        self._differs: dict[frozenset[str], Diff] = {}
        self._warn_if_duplicate = _DuplicateWarnings(self._builder)

    def add_file(self, rows: Sequence[CustomerRow], keys: Lookups) -> None:
        """Plan all the rows of the file; *keys* is what `lookups` found in them."""
        builder = self._builder
        _in_file_conflicts(builder, rows, keys)
        by_name = _match_by_name(builder, keys) if keys.blank_ids else {}
        conflicts = (list(builder.problems), set(builder.bad_rows))
        reached_twice = self._plan_rows(rows, by_name, {})
        self._generated_like.extend(keys.generated_like)
        if reached_twice:
            # Rows that reach one customer twice are errors and get nothing
            # else (no other error, no say in a new user group's spelling):
            # the rows are planned again, with those left out from the
            # start. (Rare: it costs a second walk over the rows.)
            self._start()
            builder.problems.extend(conflicts[0])
            builder.bad_rows.update(conflicts[1])
            _same_customer_twice(builder, reached_twice)
            self._plan_rows(rows, by_name, {})
            self._generated_like.extend(keys.generated_like)

    def fits(self, keys: Lookups) -> bool:
        """Whether the next rows of the file, whose keys are *keys*, can be
        planned as a chunk: none of their ids or internal ids is on another
        row of the file so far, and no blank-id row so far shares its name
        with another row (the rules of the whole file make such rows
        errors). Asked before the store is, and remembered for the next.
        """
        if keys.repeated:
            return False
        # The keys of *keys* are distinct: each set grows by all of them
        # unless one was there.
        for seen, new in (
            (self._ids, keys.ids),
            (self._internal_ids, keys.internal_ids),
        ):
            count = len(seen)
            seen.update(new)
            if len(seen) != count + len(new):
                return False
        return self._names_apart(keys)

    def add_chunk(
        self, rows: Sequence[CustomerRow], keys: Lookups, answers: StoreAnswers
    ) -> bool:
        """Plan the next rows of the file, which `fits` accepted, with the
        store's *answers* about their *keys*, unless a rule of the whole file
        applies to them.

        Returns False when it does (the plan is then not to be finished):
        two rows reach one stored customer, or a row with an id reaches a
        customer that a blank-id row's name could match (whether the row
        renames that customer decides the match).
        """
        builder = self._builder
        builder.answers = answers
        by_name: dict[int, Customer] = {}
        candidates: set[str] = set()
        if keys.blank_ids:
            by_name = _match_by_name(builder, keys, candidates)
        reached: dict[str, CustomerRow] = {}
        if self._plan_rows(rows, by_name, reached) or not self._reached.isdisjoint(
            reached
        ):
            return False
        self._reached.update(reached)
        self._reached_by_name.update(
            customer.internal_id or "" for customer in by_name.values()
        )
        self._generated_like.extend(keys.generated_like)
        # A customer a blank-id row's name could match, reached by a row
        # with an id: by an earlier row, or by a row of this chunk.
        if (candidates & self._reached) - self._reached_by_name:
            return False
        self._name_candidates |= candidates
        candidates = self._name_candidates
        return not (candidates and self._reaches(keys, candidates))

    def _reaches(self, keys: Lookups, internal_ids: set[str]) -> bool:
        """Whether a row with an id or an internal id among *keys* names one
        of the stored customers of *internal_ids*."""
        answers = self._builder.answers
        for row in keys.by_internal_id:
            if row.customer.internal_id in internal_ids:
                return True
        for row in keys.by_id_or_name:
            if row.customer.id:
                stored = answers.by_id.get(row.customer.id)
                if stored is not None and stored.internal_id in internal_ids:
                    return True
        return False

    def _names_apart(self, keys: Lookups) -> bool:
        """Whether no blank-id row so far shares its name with another row."""
        rows = (keys.by_internal_id, keys.by_id_or_name)
        if self._folds is None:
            if not keys.blank_ids:
                # Kept as they are: nothing needs them folded yet.
                for some in rows:
                    self._names.extend(map(_NAME_OF_ROW, some))
                return True
            self._folds = set(map(self._builder.names.fold, self._names))
            self._names.clear()
        fold = self._builder.names.fold
        folds, blank_id_folds = self._folds, self._blank_id_folds
        # Either order finds a shared name: the test is the same both ways.
        for row in itertools.chain(*rows):
            folded = fold(row.customer.name)
            if folded in blank_id_folds:
                return False
            if not (row.customer.id or row.customer.internal_id):
                if folded in folds:
                    return False
                blank_id_folds.add(folded)
            folds.add(folded)
        return True

    def _plan_rows(  # noqa: PLR0915 - the per-row loop stays in one frame
        self,
        rows: Sequence[CustomerRow],
        by_name: Mapping[int, Customer],
        reached: dict[str, CustomerRow],
    ) -> dict[str, tuple[Customer, list[CustomerRow]]]:
        """Match each row without errors to its stored customer and give it
        an action (or an error); *by_name* holds the matches of blank-id rows.
        *reached* gains each stored customer a row reaches (internal id ->
        the first such row).

        Returns the stored customers that several rows reach (internal id ->
        the customer and those rows), which the caller turns into errors.

        Matching happens here, row by row, rather than in a pass of its own:
        a row's records are then read once, which is most of what matching
        costs.
        """
        builder = self._builder
        create_only = builder.settings.mode == "create-only"
        update_only = builder.settings.mode == "update-only"
        bad_rows = builder.bad_rows
        by_internal_id = builder.answers.by_internal_id
        by_id = builder.answers.by_id
        actions = self._actions
        # Counted once the rows are planned, while their changes are fresh.
        all_changes: list[dict[str, tuple[FieldValue, FieldValue]]] = []
        to_number = self._to_number
        references = self._references
        manufacturer_names = self._manufacturer_names
        differs = self._differs
        reached_twice: dict[str, tuple[Customer, list[CustomerRow]]] = {}
        internal_id = ""  # the internal id of the row's stored customer, if any
        # The file's manufacturer ids come from its header's columns: when the
        # store spells each of those as the file does (nearly always), no
        # row's ids need rewriting.
        as_stored = frozenset(
            name for name, known in manufacturer_names.items() if known == name
        )
        rewrite_manufacturers = len(as_stored) < len(manufacturer_names)
        # Nearly every row spells each reference as the store does: one test
        # of that here, before `_References.normalise` looks anything up.
        customer_groups = references.customer_groups.spelled
        user_groups = references.user_groups.spelled
        payment_terms = references.payment_terms
        shipping_methods = references.shipping_methods
        warn_if_duplicate = self._warn_if_duplicate
        for row in rows:
            number = row.row
            if bad_rows and number in bad_rows:
                continue
            customer = row.customer
            # -- matching: internal id, then id, then name ------------------
            matched_by: MatchedBy
            if customer.internal_id:
                stored = by_internal_id.get(customer.internal_id)
                matched_by = "internal_id"
                # An unknown internal id, or a new id that another customer
                # may have: the careful path, which reports the row's error.
                if (stored is None or (customer.id and customer.id != stored.id)) and (
                    not _internal_id_holds(builder, row, stored, report=True)
                ):
                    continue
            elif customer.id:
                stored = by_id.get(customer.id)
                matched_by = "id"
            else:
                stored = by_name.get(number)
                matched_by = "name"
            if stored is not None:
                if stored.internal_id is None:
                    raise StoreError(
                        f"The store returned customer {stored.name!r} without an "
                        "internal_id; a CustomerStore returns stored customers "
                        "with theirs."
                    )
                internal_id = stored.internal_id
                first = reached.setdefault(internal_id, row)
                if first is not row:
                    reached_twice.setdefault(internal_id, (stored, [first]))[1].append(
                        row
                    )
            # -- references -------------------------------------------------
            if rewrite_manufacturers and not (
                customer.manufacturer_ids.keys() <= as_stored
            ):
                customer = _known_manufacturers(customer, manufacturer_names)
            if not (
                (
                    customer.customer_group is None
                    or customer.customer_group in customer_groups
                )
                and (customer.user_group is None or customer.user_group in user_groups)
                and (
                    customer.payment_terms is None
                    or customer.payment_terms in payment_terms
                )
                and (
                    customer.shipping_method is None
                    or customer.shipping_method in shipping_methods
                )
            ):
                checked = references.normalise(builder, row, customer)
                if checked is None:
                    continue
                customer = checked
            # -- the action -------------------------------------------------
            if stored is None:
                if update_only:
                    builder.error(row, "not-found", None)
                    continue
                generated = not customer.id
                if generated:
                    # Numbered once the whole file is known (`_number`): a
                    # generated id must differ from every id of the file.
                    to_number.append((len(actions), _Place(number, row.sheet)))
                warn_if_duplicate(row)
                actions.append(new_create(number, row.sheet, customer, generated))
                continue
            if create_only:
                builder.error(
                    row, "already-exists", None, customer=describe_customer(stored)
                )
                continue
            # Rows share one `present` set (one header), so its diff is built
            # once. (A frozenset keeps its hash: the look-up is cheap.)
            diff = differs.get(row.present)
            if diff is None:
                diff = differs[row.present] = Diff(row.present, manufacturer_names)
            changes = diff(stored, customer)
            if changes:
                all_changes.append(changes)
                if "name" in changes and matched_by == "internal_id":
                    _warn_if_unrelated(builder, row, stored)
                # `changes` is the diff's new dict, and this action's alone.
                actions.append(
                    new_update(number, row.sheet, internal_id, matched_by, changes)
                )
            else:
                actions.append(
                    new_unchanged(number, row.sheet, internal_id, matched_by)
                )
        self._changed_fields.update(itertools.chain.from_iterable(all_changes))
        return reached_twice

    def _number(self) -> None:
        """Give each create that waits for one its generated id, in file
        order: ``HS-<n>`` past the highest the store and the file use."""
        builder = self._builder
        next_number = (
            max(
                builder.answers.highest_generated_id,
                _highest_in_file(self._generated_like),
            )
            + 1
        )
        for index, row in self._to_number:
            action = self._actions[index]
            assert isinstance(action, CreateCustomer)
            if next_number >= GENERATED_LIMIT:
                # The row gets this error and nothing else.
                builder.problems[:] = [
                    (number, problem)
                    for number, problem in builder.problems
                    if number != row.row
                ]
                builder.error(row, "no-generated-id", "id", last=GENERATED_LIMIT - 1)
                continue
            self._actions[index] = new_create(
                action.row,
                action.sheet,
                attrs.evolve(action.customer, id=f"HS-{next_number}"),
                True,
            )
            next_number += 1

    def finish(self, read_problems: Sequence[Problem]) -> Plan:
        """The plan of the rows added, with *read_problems* (those of reading
        the file) among its problems."""
        builder = self._builder
        settings = builder.settings
        if self._to_number:
            self._number()
        self._references.warn_unknown_options(builder)
        actions = self._actions
        changed_fields = self._changed_fields
        if builder.bad_rows:
            # A row's action may be added before it gets an error (another
            # row sharing its row number, no generated id left): such
            # actions are dropped, and the changes counted again.
            kept = [a for a in actions if _row_of(a) not in builder.bad_rows]
            if len(kept) < len(actions):
                actions = kept
                changed_fields = Counter(
                    itertools.chain.from_iterable(
                        a.changes for a in actions if isinstance(a, UpdateCustomer)
                    )
                )
        plan_problems = [
            *self._header_problems,
            *_mass_changes(changed_fields, builder.answers, settings),
        ]
        plan = _finish(read_problems, builder, plan_problems, actions, settings)
        references = self._references
        if not references.new_user_groups:
            return plan
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
        #: (option key, folded value) -> the place and spelling of each row
        #: with that value
        self.unknown_options: dict[tuple[str, str], list[tuple[_Place, str]]] = (
            defaultdict(list)
        )
        #: case-folded name -> the spelling of its first row
        self.new_user_groups: dict[str, str] = {}
        no_values: frozenset[str] = frozenset()
        #: the option values as the store spells them
        self.payment_terms = (
            option.spelled
            if (option := self.options.get("paymentTerms"))
            else no_values
        )
        self.shipping_methods = (
            option.spelled
            if (option := self.options.get("shippingMethod"))
            else no_values
        )

    def normalise(
        self, builder: _Builder, row: CustomerRow, customer: Customer
    ) -> Customer | None:
        """*customer* with references spelled as the store spells them, or
        ``None`` when the row has an error."""
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
                    self.unknown_options[(key, value.casefold())].append(
                        (_Place(row.row, row.sheet), value)
                    )
                else:  # spelled otherwise: the store's spelling
                    changed[attribute] = known
        return attrs.evolve(customer, **changed) if changed else customer

    def warn_unknown_options(self, builder: _Builder) -> None:
        for (key, _), rows in self.unknown_options.items():
            live = [row for row in rows if row[0].row not in builder.bad_rows]
            if live:
                place, spelled = live[0]
                builder.warn(
                    place,
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


def _highest_in_file(candidates: Iterable[str]) -> int:
    numbers = [generated_number(id_) for id_ in candidates]
    return max([number for number in numbers if number is not None], default=0)


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


def _in_file_conflicts(
    builder: _Builder, rows: Sequence[CustomerRow], keys: Lookups
) -> None:
    # Most files repeat no id, and then there is nothing to group (grouping
    # costs a list per row).
    if keys.repeated:
        groups: dict[tuple[str, str], list[CustomerRow]] = defaultdict(list)
        for row in rows:
            customer = row.customer
            if customer.internal_id:
                groups[("internal_id", customer.internal_id)].append(row)
            if customer.id:
                groups[("id", customer.id)].append(row)
        for (what, value), group in groups.items():
            if len(group) > 1:
                _duplicates(builder, group, group, what, value)
    # A blank-id row is matched by its name: sharing that name with another
    # row of the file (even one with an id) makes it ambiguous, now or on the
    # next upload, so the blank-id rows of such a name are errors. Without
    # blank-id rows there is nothing to find.
    if not keys.blank_ids:
        return
    names: dict[str, list[CustomerRow]] = defaultdict(list)
    for row in rows:
        names[builder.names.fold(row.customer.name)].append(row)
    for group in names.values():
        blank_ids = [
            row for row in group if not row.customer.id and not row.customer.internal_id
        ]
        if len(group) > 1 and blank_ids:
            _duplicates(builder, blank_ids, group, "name", group[0].customer.name)


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


def _internal_id_holds(
    builder: _Builder, row: CustomerRow, stored: Customer | None, *, report: bool
) -> bool:
    """Whether a row with an internal id reaches *stored*, the customer with
    that internal id (``None``: there is none): it does unless the internal
    id is unknown, or the row gives the customer an id another customer has.
    With *report*, the row's error is recorded."""
    customer = row.customer
    if stored is None:
        if report:
            builder.error(
                row,
                "unknown-internal-id",
                "internal_id",
                value=quote(customer.internal_id or ""),
            )
        return False
    if customer.id and customer.id != stored.id:
        other = builder.answers.by_id.get(customer.id)
        if other is not None and other.internal_id != stored.internal_id:
            if report:
                builder.error(
                    row,
                    "id-taken",
                    "id",
                    value=quote(customer.id),
                    other=describe_customer(other),
                )
            return False
    return True


def _warn_if_unrelated(builder: _Builder, row: CustomerRow, stored: Customer) -> None:
    """Warn at a row, matched by internal id, whose update renames *stored*
    when the internal id is all they share: *stored* has an id, the file has
    an id column, and the row's id is blank or another, as its name is.

    The usual cause is a wrong internal id, or one the store handed to a new
    customer after an earlier partial import left this row out. (A customer
    without an id can be named only by its internal id: no warning.)
    """
    if not (stored.id and "id" in row.present and row.customer.id != stored.id):
        return
    fold = builder.names.fold
    if fold(row.customer.name) != fold(stored.name):
        builder.warn(
            row,
            "internal-id-mismatch",
            "internal_id",
            value=quote(stored.internal_id or ""),
            customer=describe_customer(stored),
            name=quote(row.customer.name),
        )


def _match_by_name(
    builder: _Builder, keys: Lookups, named: set[str] | None = None
) -> dict[int, Customer]:
    """The stored customer of each blank-id row that has exactly one; an
    error for each row that has several. *named* gains the internal ids of
    every stored customer a row's name matches, renamed or not.

    Names are matched against the store as the file leaves it: a customer
    that another row renames no longer answers to its old name (otherwise
    the next upload of the same file would match differently). So the rows
    with ids are matched first, only to see which customers they rename;
    `_actions` matches them again, and reports their errors.
    """
    answers = builder.answers
    bad_rows = builder.bad_rows
    fold = builder.names.fold
    renamed: set[str | None] = set()
    for row in keys.by_internal_id:
        if row.row in bad_rows:
            continue
        stored = answers.by_internal_id.get(row.customer.internal_id or "")
        if _internal_id_holds(builder, row, stored, report=False):
            assert stored is not None
            if fold(row.customer.name) != fold(stored.name):
                renamed.add(stored.internal_id)
    blank_ids: list[CustomerRow] = []
    for row in keys.by_id_or_name:
        if row.row in bad_rows:
            continue
        if not row.customer.id:
            blank_ids.append(row)
            continue
        stored = answers.by_id.get(row.customer.id)
        if stored is not None and fold(row.customer.name) != fold(stored.name):
            renamed.add(stored.internal_id)
    matches: dict[int, Customer] = {}
    for row in blank_ids:
        customer = row.customer
        folded = fold(customer.name)
        same_name = [
            candidate
            for candidate in answers.by_name_key.get(
                builder.names.key(customer.name), ()
            )
            if fold(candidate.name) == folded
        ]
        if named is not None:
            named.update(candidate.internal_id or "" for candidate in same_name)
        candidates = [c for c in same_name if c.internal_id not in renamed]
        if len(candidates) == 1:
            matches[row.row] = candidates[0]
        elif len(candidates) > 1:
            builder.error(
                row,
                "ambiguous-name",
                "name",
                count=len(candidates),
                value=quote(customer.name),
                **_candidate_keys(candidates),
            )
    return matches


def _candidate_keys(candidates: Sequence[Customer]) -> dict[str, str]:
    """The ``ids`` and ``or_internal_id`` of an ``ambiguous-name`` message:
    a candidate without an id can be named only by its internal id."""
    if all(candidate.id for candidate in candidates):
        ids = "ids " + ", ".join(quote(candidate.id or "") for candidate in candidates)
        return {"ids": ids, "or_internal_id": ""}
    return {
        "ids": ", ".join(map(customer_key, candidates)),
        "or_internal_id": ", or its internal_id if it has no id",
    }


def _same_customer_twice(
    builder: _Builder, reached_twice: Mapping[str, tuple[Customer, list[CustomerRow]]]
) -> None:
    """An error on each row of each group of rows that reach one stored
    customer."""
    for stored, rows in reached_twice.values():
        listed = _rows_text(rows)
        for row in rows:
            builder.error(
                row,
                "same-customer-twice",
                None,
                rows=listed,
                customer=describe_customer(stored),
            )


class _DuplicateWarnings:
    """Warns at the rows that would create a customer named like a stored
    one (`possible-duplicate`).

    The warning's words depend on the name alone, and a file's new customers
    share names (a chain's branches): each name is worded once, and each row
    gets those words placed at its name cell.
    """

    def __init__(self, builder: _Builder) -> None:
        self._problems = builder.problems
        self._similar = builder.answers.by_name_key
        self._key = builder.names.key
        column = builder.columns.get("name")
        self._header = column.header if column else None
        self._letter = column.letter if column else None
        #: name -> its warning, not yet placed at a row (None: no similar
        #: stored customer)
        self._worded: dict[str, Problem | None] = {}

    def __call__(self, row: CustomerRow) -> None:
        name = row.customer.name
        words = self._worded.get(name, _NOT_WORDED)
        if words is _NOT_WORDED:
            words = self._worded[name] = self._word(name)
        if words is not None:
            number = row.row
            self._problems.append(
                (
                    number,
                    new_problem(
                        words.severity,
                        words.code,
                        words.message,
                        number,
                        self._header,
                        None if self._letter is None else f"{self._letter}{number}",
                        row.sheet,
                    ),
                )
            )

    def _word(self, name: str) -> Problem | None:
        similar = self._similar.get(self._key(name), ())
        if not similar:
            return None
        other = similar[0]
        # A customer made in the system may have no id: a row names it by
        # its internal id then.
        by_id = bool(other.id) or not other.internal_id
        return make_problem(
            "possible-duplicate",
            value=quote(name),
            other=describe_customer(other),
            key="id" if by_id else "internal id",
            key_column="id" if by_id else "internal_id",
        )


#: `_DuplicateWarnings`' mark for a name not worded yet (None is a wording).
_NOT_WORDED = make_problem(
    "possible-duplicate", value="", other="", key="", key_column=""
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
