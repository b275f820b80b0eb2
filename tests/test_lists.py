"""The options and customer groups templates: every rule, on a CSV file, an
XLSX workbook and rows of mappings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from handshake_import import (
    CreateCustomerGroup,
    CreateOption,
    CustomerGroup,
    ImportFileError,
    InMemoryStore,
    Option,
    Plan,
    StalePlanError,
    UnchangedCustomerGroup,
    UnchangedOption,
    UpdateCustomerGroup,
    UpdateOption,
    read_customers,
    reconcile,
)
from handshake_import.adapters.sqlite import SQLiteStore

from .tables import Source, csv_bytes, source_of

_SOURCE = {"kind": "csv"}


@pytest.fixture(autouse=True, params=["csv", "xlsx", "dicts"])
def source_kind(request: pytest.FixtureRequest) -> None:
    """Every test here runs on a CSV file, an XLSX workbook and mappings."""
    _SOURCE["kind"] = request.param


def table(header: Sequence[str], *rows: Sequence[object]) -> Source:
    """The rows under *header*, as the source the test runs on."""
    return source_of(_SOURCE["kind"], header, rows, title="Options")


def options(*rows: Sequence[object]) -> Source:
    return table(["key", "value", "isDefault"], *rows)


def groups(*rows: Sequence[object]) -> Source:
    return table(["id", "isDefault", "name", "currency"], *rows)


def codes(plan: Plan) -> list[tuple[str, int | None]]:
    return [(problem.code, problem.row) for problem in plan.problems]


def terms(*values: str, default: str | None = None) -> InMemoryStore:
    """A store whose paymentTerms list is *values*, *default* its default."""
    return InMemoryStore(
        options={
            "paymentTerms": [
                Option(key="paymentTerms", value=value, is_default=value == default)
                for value in values
            ]
        }
    )


# -- options ---------------------------------------------------------------------


def test_options_are_created_in_the_order_of_the_file() -> None:
    plan = reconcile(
        options(
            ["paymentTerms", "Net 30", 1],
            ["paymentTerms", "COD", 0],
            ["shippingMethod", "Courier", 1],
        ),
        InMemoryStore(),
    )

    assert ("options",) == plan.templates
    assert [] == codes(plan)
    assert [
        CreateOption(
            row=2,
            sheet=plan.actions[0].sheet,  # type: ignore[union-attr]
            option=Option(key="paymentTerms", value="Net 30", is_default=True),
            position=1,
        ),
        CreateOption(
            row=3,
            sheet=plan.actions[1].sheet,  # type: ignore[union-attr]
            option=Option(key="paymentTerms", value="COD"),
            position=2,
        ),
        CreateOption(
            row=4,
            sheet=plan.actions[2].sheet,  # type: ignore[union-attr]
            option=Option(key="shippingMethod", value="Courier", is_default=True),
            position=1,
        ),
    ] == list(plan.actions)


def test_a_key_that_is_no_option_list_is_an_error_on_its_cell() -> None:
    plan = reconcile(
        options(["paymentTerms", "Net 30", 1], ["terms", "COD", 0]), InMemoryStore()
    )

    (problem,) = plan.problems
    assert ("unknown-option-key", 3, "key", "A3") == (
        problem.code,
        problem.row,
        problem.column,
        problem.cell,
    )
    assert "'paymentTerms', 'shippingMethod', 'ccType'" in problem.message


def test_option_keys_are_read_ignoring_case_and_spaces() -> None:
    plan = reconcile(options([" Payment Terms ", "Net 30", 1]), InMemoryStore())

    assert ["paymentTerms"] == [a.option.key for a in plan.actions]  # type: ignore[union-attr]


def test_a_blank_value_is_an_error() -> None:
    plan = reconcile(
        options(["paymentTerms", "Net 30", 1], ["paymentTerms", "  ", 0]),
        InMemoryStore(),
    )

    assert [("missing-value", 3)] == codes(plan)


def test_is_default_takes_1_and_0_and_nothing_else() -> None:
    plan = reconcile(
        options(["paymentTerms", "Net 30", 1], ["paymentTerms", "COD", "maybe"]),
        InMemoryStore(),
    )

    assert [("invalid-boolean", 3)] == codes(plan)


def test_a_list_without_a_default_is_an_error_on_each_of_its_rows() -> None:
    plan = reconcile(
        options(
            ["paymentTerms", "Net 30", 0],
            ["paymentTerms", "COD", 0],
            ["ccType", "Visa", 1],
        ),
        InMemoryStore(),
    )

    assert [("no-default", 2), ("no-default", 3)] == codes(plan)
    assert "rows 2 and 3" in plan.problems[0].message.lower()
    assert not plan.ok


def test_two_defaults_in_a_list_are_an_error_on_both_rows() -> None:
    plan = reconcile(
        options(
            ["paymentTerms", "Net 30", 1],
            ["paymentTerms", "COD", 0],
            ["paymentTerms", "Net 60", 1],
        ),
        InMemoryStore(),
    )

    assert [("several-defaults", 2), ("several-defaults", 4)] == codes(plan)
    assert "rows 2 and 4" in plan.problems[0].message.lower()


def test_the_same_option_twice_is_an_error_on_both_rows() -> None:
    """Matched by (key, value) after trimming, ignoring case."""
    plan = reconcile(
        options(
            ["paymentTerms", "Net 30", 1],
            ["paymentTerms", " net 30 ", 0],
            ["shippingMethod", "Net 30", 1],
        ),
        InMemoryStore(),
    )

    assert [("duplicate-in-file", 2), ("duplicate-in-file", 3)] == codes(plan)
    assert "rows 2 and 3" in plan.problems[0].message.lower()


def test_an_option_listed_as_stored_is_unchanged() -> None:
    plan = reconcile(
        options(["paymentTerms", "Net 30", 1], ["paymentTerms", "COD", 0]),
        terms("Net 30", "COD", default="Net 30"),
    )

    assert [UnchangedOption, UnchangedOption] == [type(a) for a in plan.actions]
    assert [] == codes(plan)


def test_order_is_data_a_new_order_is_an_update() -> None:
    plan = reconcile(
        options(["paymentTerms", "COD", 0], ["paymentTerms", "Net 30", 1]),
        terms("Net 30", "COD", default="Net 30"),
    )

    assert [
        ("COD", {"position": (2, 1)}),
        ("Net 30", {"position": (1, 2)}),
    ] == [
        (a.value, dict(a.changes)) for a in plan.actions if isinstance(a, UpdateOption)
    ]


def test_a_value_respelled_and_a_new_default_are_updates() -> None:
    plan = reconcile(
        options(["paymentTerms", "net 30", 0], ["paymentTerms", "COD", 1]),
        terms("Net 30", "COD", default="Net 30"),
    )

    assert [
        ("Net 30", {"value": ("Net 30", "net 30"), "isDefault": (True, False)}),
        ("COD", {"isDefault": (False, True)}),
    ] == [(a.value, dict(a.changes)) for a in plan.actions]  # type: ignore[union-attr]


def test_stored_options_the_file_does_not_list_are_kept_after_its_own() -> None:
    """Never removed: kept after the file's values, in their order, no
    longer the default when the file gives one, with a warning naming them."""
    plan = reconcile(
        options(["paymentTerms", "Net 60", 1]),
        terms("Net 30", "COD", default="Net 30"),
    )

    assert [
        CreateOption,
        UpdateOption,
        UpdateOption,
    ] == [type(a) for a in plan.actions]
    kept = [a for a in plan.actions if isinstance(a, UpdateOption)]
    assert [
        (None, "Net 30", {"position": (1, 2), "isDefault": (True, False)}),
        (None, "COD", {"position": (2, 3)}),
    ] == [(a.row, a.value, dict(a.changes)) for a in kept]
    (warning,) = plan.problems
    assert "kept-not-in-file" == warning.code
    assert "'Net 30', 'COD'" in warning.message
    assert plan.ok


def test_a_list_the_file_does_not_have_is_left_alone() -> None:
    store = InMemoryStore(
        options={"ccType": ["Visa", "Amex"], "paymentTerms": ["Net 30"]}
    )

    plan = reconcile(options(["paymentTerms", "Net 30", 1]), store)

    assert [UpdateOption] == [type(a) for a in plan.actions]
    assert [] == codes(plan)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("create-only", [("already-exists", 2)]), ("update-only", [("not-found", 3)])],
)
def test_modes_apply_to_options(mode: str, expected: list[tuple[str, int]]) -> None:
    plan = reconcile(
        options(["paymentTerms", "Net 30", 1], ["paymentTerms", "COD", 0]),
        terms("Net 30", default="Net 30"),
        mode=mode,  # type: ignore[arg-type]
    )

    assert expected == codes(plan)


def test_options_applied_then_read_again_are_unchanged(tmp_path: Path) -> None:
    data = options(
        ["paymentTerms", "COD", 0],
        ["paymentTerms", "Net 60", 1],
        ["ccType", "Visa", 1],
    )
    for store in (
        terms("Net 30", "COD", default="Net 30"),
        _sqlite(tmp_path, options=["Net 30", "COD"]),
    ):
        result = store.apply(reconcile(data, store))
        again = reconcile(data, store)

        assert [
            Option(key="ccType", value="Visa", is_default=True),
            Option(key="paymentTerms", value="COD"),
            Option(key="paymentTerms", value="Net 60", is_default=True),
            Option(key="paymentTerms", value="Net 30"),
        ] == sorted(store.options(), key=lambda option: option.key)
        assert ("paymentTerms", "COD") in result.options
        assert {UnchangedOption} == {type(a) for a in again.actions}
        if isinstance(store, SQLiteStore):
            store.close()


def test_an_option_created_since_the_plan_makes_it_stale() -> None:
    store = terms("Net 30", default="Net 30")
    plan = reconcile(
        options(["paymentTerms", "Net 30", 1], ["paymentTerms", "COD", 0]), store
    )
    store.apply(reconcile(options(["paymentTerms", "COD", 1]), store))

    with pytest.raises(StalePlanError):
        store.apply(plan)


# -- customer groups ---------------------------------------------------------------


def test_groups_are_created_with_their_currency_in_capitals() -> None:
    plan = reconcile(
        groups(["retail", 1, "Retail", "usd"], ["pro", 0, "Trade", "EUR"]),
        InMemoryStore(),
    )

    assert ("customer-groups",) == plan.templates
    assert [
        (CustomerGroup(id="retail", name="Retail", currency="USD", is_default=True), 1),
        (CustomerGroup(id="pro", name="Trade", currency="EUR"), 2),
    ] == [
        (a.group, a.position)
        for a in plan.actions
        if isinstance(a, CreateCustomerGroup)
    ]


@pytest.mark.parametrize("currency", ["EURO", "E1R", "€", "US"])
def test_a_currency_that_is_not_three_letters_is_an_error(currency: str) -> None:
    plan = reconcile(groups(["retail", 1, "Retail", currency]), InMemoryStore())

    (problem,) = plan.problems
    assert ("invalid-currency", 2, "D2") == (problem.code, problem.row, problem.cell)


def test_a_changed_name_updates_the_same_group() -> None:
    store = InMemoryStore(
        customer_groups=[CustomerGroup(id="retail", name="Retail", is_default=True)]
    )

    plan = reconcile(groups(["retail", 1, "Shops", ""]), store)

    assert [UpdateCustomerGroup(row=2, sheet=plan.actions[0].sheet, id="retail",  # type: ignore[union-attr]
            changes={"name": ("Retail", "Shops")})] == list(plan.actions)  # fmt: skip


def test_a_group_needs_an_id_once_in_the_file() -> None:
    plan = reconcile(
        groups(["retail", 1, "Retail", ""], ["", 0, "X", ""], ["retail", 0, "R", ""]),
        InMemoryStore(),
    )

    assert [
        ("duplicate-in-file", 2),
        ("missing-value", 3),
        ("duplicate-in-file", 4),
    ] == codes(plan)


def test_a_new_default_takes_the_default_from_the_stored_one() -> None:
    store = InMemoryStore(customer_groups=[CustomerGroup(id="retail", is_default=True)])

    plan = reconcile(groups(["pro", 1, "Trade", ""]), store)
    store.apply(plan)

    assert [
        CustomerGroup(id="pro", name="Trade", is_default=True),
        CustomerGroup(id="retail"),
    ] == list(store.customer_groups())


def test_the_stored_default_left_out_of_the_file_stays_the_default() -> None:
    store = InMemoryStore(customer_groups=[CustomerGroup(id="retail", is_default=True)])

    plan = reconcile(groups(["pro", 0, "Trade", ""]), store)

    assert plan.ok
    assert ["kept-not-in-file"] == [p.code for p in plan.problems]


def test_no_default_once_the_plan_is_applied_is_an_error() -> None:
    """The file's groups give none, and the default stored is one of them."""
    store = InMemoryStore(customer_groups=[CustomerGroup(id="retail", is_default=True)])

    plan = reconcile(groups(["retail", 0, "", ""], ["pro", 0, "", ""]), store)

    assert [("no-default", 2), ("no-default", 3)] == codes(plan)


def test_groups_applied_then_read_again_are_unchanged(tmp_path: Path) -> None:
    data = groups(["pro", 1, "Trade", "eur"], ["retail", 0, "Retail", "USD"])
    for store in (
        InMemoryStore(customer_groups=["retail"]),
        _sqlite(tmp_path, groups=["retail"]),
    ):
        result = store.apply(reconcile(data, store))
        again = reconcile(data, store)

        assert [
            CustomerGroup(id="pro", name="Trade", currency="EUR", is_default=True),
            CustomerGroup(id="retail", name="Retail", currency="USD"),
        ] == list(store.customer_groups())
        assert ("pro", "retail") == result.customer_groups
        assert {UnchangedCustomerGroup} == {type(a) for a in again.actions}
        if isinstance(store, SQLiteStore):
            store.close()


def test_a_group_changed_since_the_plan_makes_it_stale() -> None:
    store = InMemoryStore(
        customer_groups=[CustomerGroup(id="retail", name="Retail", is_default=True)]
    )
    plan = reconcile(groups(["retail", 1, "Shops", ""]), store)
    store.apply(reconcile(groups(["retail", 1, "Stores", ""]), store))

    with pytest.raises(StalePlanError, match="name is now 'Stores'"):
        store.apply(plan)


# -- which template ------------------------------------------------------------------


def test_a_header_that_fits_no_template_names_them_all() -> None:
    with pytest.raises(ImportFileError) as raised:
        reconcile(table(["code", "label"], ["a", "b"]), InMemoryStore())

    message = str(raised.value)
    assert "fits none of the templates" in message
    for needs in ("customers: name", "options: key, value", "customer-groups: id"):
        assert needs in message


def test_the_template_given_is_the_one_read() -> None:
    """A customer header read as the customer groups template: the
    customers' columns are unknown there, and its id column is read."""
    plan = reconcile(
        table(["id", "name"], ["retail", "Retail"]),
        InMemoryStore(),
        template="customer-groups",
    )

    assert ("customer-groups",) == plan.templates
    assert [CustomerGroup(id="retail", name="Retail")] == [
        a.group for a in plan.actions if isinstance(a, CreateCustomerGroup)
    ]


def test_a_template_that_does_not_exist_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="template must be one of 'customers'"):
        reconcile(options(), InMemoryStore(), template="orders")  # type: ignore[arg-type]


def test_a_read_result_is_of_the_customer_template() -> None:
    read = read_customers(csv_bytes([["id", "name"], ["C1", "One"]]))

    with pytest.raises(TypeError, match="a ReadResult is a customer file"):
        reconcile(read, InMemoryStore(), template="options")


def test_the_store_is_asked_for_the_list_once() -> None:
    asked: list[str] = []

    class Counting(InMemoryStore):
        def options(self) -> Sequence[Option]:
            asked.append("options")
            return super().options()

        def customer_groups(self) -> Sequence[CustomerGroup]:
            asked.append("customer_groups")
            return super().customer_groups()

    reconcile(
        options(*([["ccType", f"Card {n}", n == 0] for n in range(50)])),
        Counting(),
        batch_size=7,
    )
    reconcile(
        groups(*([[f"G{n}", n == 0, "", ""] for n in range(50)])),
        Counting(),
        batch_size=7,
    )

    assert ["options", "customer_groups"] == asked


def _sqlite(
    folder: Path, *, options: Sequence[str] = (), groups: Sequence[str] = ()
) -> SQLiteStore:
    path = folder / f"lists-{len(list(folder.iterdir()))}.db"
    store = SQLiteStore(path)
    store.add_options(
        "paymentTerms",
        [
            Option(key="paymentTerms", value=v, is_default=i == 0)
            for i, v in enumerate(options)
        ],
    )
    store.add_customer_groups(groups)
    return store
