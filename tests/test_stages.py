"""Each stage of the planner, on literal values: no file, no store."""

from __future__ import annotations

from collections.abc import Sequence

from handshake_import import (
    CreateCustomer,
    CreateUserGroup,
    Customer,
    Problem,
    Unchanged,
    UpdateCustomer,
)
from handshake_import._actions import Planned, Settings, plan_actions
from handshake_import._conflicts import in_file_conflicts
from handshake_import._finish import finish, number_generated_ids
from handshake_import._lookups import StoreAnswers, keys_of
from handshake_import._matching import Matches, match
from handshake_import._names import NameForms, name_key
from handshake_import._parse import ParsedRow
from handshake_import._placement import Placement
from handshake_import._references import (
    References,
    check_references,
    known_manufacturers,
)
from handshake_import._result import Column
from handshake_import._template import (
    BLANK_VALUES,
    NO_EXTRAS,
    Extra,
    Extras,
    Values,
    at,
)

COLUMNS = [
    Column(field=field, header=field, letter=letter)
    for field, letter in zip(
        ["id", "internal_id", "name", "customerGroup", "userGroup", "paymentTerms"],
        "ABCDEF",
        strict=True,
    )
]
PLACEMENT = Placement.of(COLUMNS, None)
PRESENT = frozenset(column.field for column in COLUMNS)
ACME = Customer(id="C1", internal_id="10", name="Acme Tools")
BETA = Customer(id="C2", internal_id="11", name="Beta Supply")


def values(**fields: str) -> Values:
    """A row's values: the given template columns, the others blank."""
    row = list(BLANK_VALUES)
    for column, value in fields.items():
        row[at(column)] = value
    return tuple(row)


def answers(*customers: Customer, **reference: object) -> StoreAnswers:
    """What a store holding *customers* would answer about all of them."""
    by_name_key: dict[str, list[Customer]] = {}
    for customer in customers:
        by_name_key.setdefault(name_key(customer.name), []).append(customer)
    return StoreAnswers(
        by_id={c.id: c for c in customers if c.id},
        by_internal_id={c.internal_id: c for c in customers if c.internal_id},
        by_name_key=by_name_key,
        **{"customer_count": len(customers), **reference},  # type: ignore[arg-type]
    )


def codes(problems: Sequence[Problem]) -> list[tuple[str, int | None]]:
    return [(problem.code, problem.row) for problem in problems]


# -- 1. conflicts in the file ----------------------------------------------------------


def test_a_key_on_two_rows_is_an_error_on_each() -> None:
    """The same id, or internal id, on two rows: an error on both."""
    rows: list[ParsedRow] = [
        (2, values(id="C1", name="A")),
        (3, values(id="C2", name="B")),
        (4, values(id="C1", name="C", internal_id="7")),
        (5, values(name="D", internal_id="7")),
    ]

    problems = in_file_conflicts(rows, keys_of(rows), NameForms(), PLACEMENT)

    assert [
        ("duplicate-in-file", 2),
        ("duplicate-in-file", 4),
        ("duplicate-in-file", 4),
        ("duplicate-in-file", 5),
    ] == sorted(codes(problems), key=lambda code: code[1] or 0)
    assert "The id 'C1' is in rows 2 and 4" in problems[0].message


def test_a_blank_id_name_shared_with_another_row_is_an_error_on_it_alone() -> None:
    """A blank-id row is matched by name: sharing it (folded) is an error on
    the blank-id rows; the rows with ids are fine."""
    rows: list[ParsedRow] = [
        (2, values(id="C1", name="Acme")),
        (3, values(name="  ACME ")),
        (4, values(name="Beta")),
    ]

    problems = in_file_conflicts(rows, keys_of(rows), NameForms(), PLACEMENT)

    assert [("duplicate-in-file", 3)] == codes(problems)
    assert "C3" == problems[0].cell


def test_rows_without_shared_keys_have_no_conflict() -> None:
    rows: list[ParsedRow] = [(2, values(id="C1", name="A")), (3, values(name="B"))]

    assert [] == in_file_conflicts(rows, keys_of(rows), NameForms(), PLACEMENT)


# -- 2. matching -----------------------------------------------------------------------


def test_matching_by_internal_id_then_id_then_name() -> None:
    """Each rule in turn; a row matching nothing creates (no match)."""
    delta = Customer(id="C4", internal_id="13", name="Delta Stores")
    rows: list[ParsedRow] = [
        (2, values(internal_id="10", id="C1", name="Acme Tools")),
        (3, values(id="C2", name="Beta Supply")),
        (4, values(name="delta  STORES")),
        (5, values(id="C9", name="New")),
    ]

    matches, problems = match(
        rows, answers(ACME, BETA, delta), NameForms(), (), PLACEMENT
    )

    assert [] == problems
    assert {2: ACME, 3: BETA, 4: delta} == dict(matches.stored)
    assert {2: "internal_id", 3: "id", 4: "name"} == dict(matches.matched_by)


def test_rows_reaching_one_customer_are_each_an_error_without_a_match() -> None:
    rows: list[ParsedRow] = [
        (2, values(id="C2", name="Beta Supply")),
        (3, values(name="beta supply")),
        (4, values(internal_id="11", name="Beta Supply")),
    ]

    matches, problems = match(rows, answers(BETA), NameForms(), (), PLACEMENT)

    assert [
        ("same-customer-twice", 2),
        ("same-customer-twice", 3),
        ("same-customer-twice", 4),
    ] == codes(problems)
    assert "Rows 2, 3 and 4" in problems[0].message
    assert {} == dict(matches.stored)


def test_an_unknown_internal_id_and_a_taken_id_are_errors() -> None:
    rows: list[ParsedRow] = [
        (2, values(internal_id="99", name="X")),
        (3, values(internal_id="10", id="C2", name="Acme Tools")),
    ]

    matches, problems = match(rows, answers(ACME, BETA), NameForms(), (), PLACEMENT)

    assert [("unknown-internal-id", 2), ("id-taken", 3)] == codes(problems)
    assert ["B2", "A3"] == [problem.cell for problem in problems]
    assert {} == matches.stored


def test_a_name_matching_two_customers_is_an_error_never_a_guess() -> None:
    twin = Customer(id="C3", internal_id="12", name="ACME TOOLS")
    rows: list[ParsedRow] = [(2, values(name="Acme Tools"))]

    matches, problems = match(rows, answers(ACME, twin), NameForms(), (), PLACEMENT)

    assert [("ambiguous-name", 2)] == codes(problems)
    assert "ids 'C1', 'C3'" in problems[0].message
    assert {} == matches.stored


def test_a_customer_another_row_renames_no_longer_answers_to_its_name() -> None:
    """Row 2 renames Acme; row 3's blank-id "Acme Tools" is then new."""
    rows: list[ParsedRow] = [
        (2, values(id="C1", name="Acme Industrial")),
        (3, values(name="Acme Tools")),
    ]

    matches, problems = match(rows, answers(ACME), NameForms(), (), PLACEMENT)

    assert [] == problems
    assert {2: ACME} == dict(matches.stored)


def test_rows_with_errors_are_not_matched() -> None:
    rows: list[ParsedRow] = [(2, values(id="C1", name="Acme Tools"))]

    matches, problems = match(rows, answers(ACME), NameForms(), {2}, PLACEMENT)

    assert ({}, []) == (dict(matches.stored), problems)


# -- 3. references -----------------------------------------------------------------------


def test_references_take_the_stores_spelling() -> None:
    """Groups and options are found ignoring case; an unknown customer group
    is an error, a new user group is created once as first spelled, an
    unknown option is kept for a warning."""
    reference = answers(
        customer_groups=("Retail",),
        user_groups=("East",),
        options={"paymentTerms": ("Net 30",), "shippingMethod": ()},
    )
    rows: list[ParsedRow] = [
        (2, values(name="A", customerGroup="retail", userGroup="East")),
        (3, values(name="B", customerGroup="Gold")),
        (4, values(name="C", userGroup="west", paymentTerms="net 30")),
        (5, values(name="D", userGroup="WEST", paymentTerms="Net 45")),
        (6, values(name="E", paymentTerms="net 45")),
    ]

    references, problems = check_references(rows, reference, {6}, PLACEMENT)

    assert [("unknown-customer-group", 3)] == codes(problems)
    assert "D3" == problems[0].cell
    assert {2: "Retail", 4: None} == {
        n: v[at("customerGroup")] for n, v in references.respelled.items() if n != 5
    }
    assert ("Net 30", "west") == (
        references.respelled[4][at("paymentTerms")],
        references.respelled[4][at("userGroup")],
    )
    assert "west" == references.respelled[5][at("userGroup")]
    assert ("west",) == references.new_user_groups
    assert {("paymentTerms", "net 45"): [(5, "Net 45")]} == references.unknown_options


def test_unknown_manufacturers_are_one_error_on_their_column() -> None:
    columns = [
        Column(field="name", header="name", letter="A"),
        Column(field="id:acme", header="id:acme", letter="B"),
        Column(field="id:Zed", header="ID: Zed", letter="C"),
    ]
    extras = Extras(
        (
            Extra(place=40, column="id:acme", key="acme", manufacturer=True),
            Extra(place=41, column="id:Zed", key="Zed", manufacturer=True),
        )
    )

    known, problems = known_manufacturers(extras, columns, ("Acme",), 1, "Sheet1")

    assert [("id:Acme", "Acme", 40)] == [
        (e.column, e.key, e.place) for e in known.columns
    ]
    assert [("unknown-manufacturer", 1)] == codes(problems)
    assert ("C1", "Sheet1") == (problems[0].cell, problems[0].sheet)


# -- 4. actions ---------------------------------------------------------------------------


def plan(
    rows: list[ParsedRow],
    matches: Matches,
    store: StoreAnswers,
    settings: Settings | None = None,
    bad: frozenset[int] = frozenset(),
) -> tuple[Planned, list[Problem]]:
    return plan_actions(
        rows,
        matches=matches,
        references=References(),
        answers=store,
        extras=NO_EXTRAS,
        present=PRESENT,
        settings=settings or Settings(),
        names=NameForms(),
        bad=bad,
        placement=PLACEMENT,
    )


def test_create_update_or_unchanged() -> None:
    rows: list[ParsedRow] = [
        (2, values(id="C1", name="Acme Tools")),
        (3, values(id="C2", name="Beta Supplies")),
        (4, values(name="Gamma")),
    ]
    matches = Matches({2: ACME, 3: BETA}, {2: "id", 3: "id"})

    planned, problems = plan(rows, matches, answers(ACME, BETA))

    assert [] == problems
    unchanged, update, create = planned.actions
    assert Unchanged(row=2, sheet=None, internal_id="10", matched_by="id") == unchanged
    assert isinstance(update, UpdateCustomer)
    assert {"name": ("Beta Supply", "Beta Supplies")} == dict(update.changes)
    assert isinstance(create, CreateCustomer)
    assert (None, "Gamma") == (create.customer.id, create.customer.name)
    assert [2] == planned.to_number


def test_modes_refuse_what_they_do_not_do() -> None:
    rows: list[ParsedRow] = [
        (2, values(id="C1", name="Acme Tools")),
        (3, values(id="N", name="New")),
    ]
    matches = Matches({2: ACME}, {2: "id"})

    _, only_creating = plan(rows, matches, answers(ACME), Settings(mode="create-only"))
    _, only_updating = plan(rows, matches, answers(ACME), Settings(mode="update-only"))

    assert [("already-exists", 2)] == codes(only_creating)
    assert [("not-found", 3)] == codes(only_updating)


def test_a_create_named_like_a_stored_customer_is_warned_about() -> None:
    rows: list[ParsedRow] = [(2, values(id="N1", name="ACME TOOLS, Inc."))]

    planned, problems = plan(rows, Matches(), answers(ACME))

    assert [("possible-duplicate", 2)] == codes(problems)
    assert "C2" == problems[0].cell
    assert [CreateCustomer] == [type(action) for action in planned.actions]


def test_a_rename_through_the_internal_id_alone_is_warned_about() -> None:
    rows: list[ParsedRow] = [(2, values(internal_id="10", id="C7", name="Other"))]

    planned, problems = plan(
        rows, Matches({2: ACME}, {2: "internal_id"}), answers(ACME)
    )

    assert [("internal-id-mismatch", 2)] == codes(problems)
    assert [UpdateCustomer] == [type(action) for action in planned.actions]


# -- 5. finishing -------------------------------------------------------------------------


def creates(*names: str) -> Planned:
    actions = [
        CreateCustomer(row=row, sheet=None, customer=Customer(name=name))
        for row, name in enumerate(names, start=2)
    ]
    return Planned(list(actions), list(range(len(actions))))


def test_generated_ids_continue_after_the_store_and_the_file() -> None:
    actions, problems = number_generated_ids(
        creates("A", "B"), answers(highest_generated_id=4), ["HS-6", "HS-x"], PLACEMENT
    )

    assert [] == problems
    assert ["HS-7", "HS-8"] == [a.customer.id for a in actions]  # type: ignore[union-attr]


def test_no_generated_id_past_the_last_one() -> None:
    actions, problems = number_generated_ids(
        creates("A"), answers(highest_generated_id=10**18 - 1), [], PLACEMENT
    )

    assert [("no-generated-id", 2)] == codes(problems)
    plan = finish(
        actions,
        read_problems=[],
        problems=[
            *problems,
            PLACEMENT.problem(
                "possible-duplicate",
                2,
                "name",
                value="",
                other="",
                key="",
                key_column="",
            ),
        ],
        header_problems=[],
        references=References(),
        answers=answers(),
        settings=Settings(),
        placement=PLACEMENT,
    )
    assert ((), [("no-generated-id", 2)]) == (plan.actions, codes(plan.problems))


def test_finish_orders_problems_and_keeps_the_actions_of_rows_without_errors() -> None:
    """Read problems and the planner's in row order, plan-level ones last;
    unknown options warned at the first row without errors; new user groups
    first, those used."""
    actions = [
        CreateCustomer(
            row=2, sheet=None, customer=Customer(name="A", user_group="west")
        ),
        CreateCustomer(
            row=3, sheet=None, customer=Customer(name="B", user_group="east")
        ),
    ]
    references = References(
        new_user_groups=("west", "east"),
        unknown_options={("paymentTerms", "net 45"): [(3, "Net 45"), (2, "net 45")]},
    )
    read = [Problem(severity="error", code="missing-value", message="m", row=4)]
    error = PLACEMENT.problem("unknown-customer-group", 3, "customerGroup", value="'x'")

    plan = finish(
        actions,
        read_problems=read,
        problems=[error],
        header_problems=[],
        references=references,
        answers=answers(),
        settings=Settings(),
        placement=PLACEMENT,
    )

    assert [CreateUserGroup(name="west"), actions[0]] == list(plan.actions)
    assert [
        ("unknown-option", 2),
        ("unknown-customer-group", 3),
        ("missing-value", 4),
    ] == codes(plan.problems)
    assert "(1 row)" in plan.problems[0].message


def test_the_mass_change_guard_and_max_errors() -> None:
    updates = [
        UpdateCustomer(
            row=row, sheet=None, internal_id=str(row), matched_by="id",
            changes={"contact": ("a", "b")},
        )
        for row in range(2, 6)
    ]  # fmt: skip
    errors = [
        PLACEMENT.problem("not-found", row, None, noun="customer") for row in (6, 7, 8)
    ]
    settings = Settings(max_errors=2, mass_change_minimum=4)

    plan = finish(
        updates,
        read_problems=[],
        problems=errors,
        header_problems=[],
        references=References(),
        answers=answers(customer_count=5),
        settings=settings,
        placement=PLACEMENT,
    )

    assert plan.stopped_early
    assert [
        ("not-found", 6),
        ("not-found", 7),
        ("mass-change", None),
        ("stopped-early", None),
    ] == codes(plan.problems)
    assert 4 == len(plan.actions)
