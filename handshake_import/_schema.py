"""The customer template as one declarative schema, and header matching.

Header matching ignores case, spaces, underscores, hyphens and punctuation:
``Payment Terms`` is ``paymentTerms`` and ``BILL STREET 2`` is
``bill_street2``. ``id:<Manufacturer>`` columns keep the manufacturer's name
as typed. Callers add aliases (``columns=``) and custom typed columns
(`Schema`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs

from ._errors import ImportFileError
from ._problems import Problem, make_problem, quote
from ._readers import column_letter
from ._template import (
    CUSTOMERS,
    TEMPLATE_COLUMNS,
    TEMPLATES,
    Extra,
    Extras,
    Kind,
    Template,
)

__all__ = [
    "ColumnMap",
    "CustomColumn",
    "MappedColumn",
    "Schema",
    "column_letter",
    "detect_template",
    "map_header",
]

#: How a column's cells are read: a template `Kind`, or an extra column's.
ColumnKind = Kind | Literal["manufacturer-id", "custom"]

CustomType = Literal[
    "text", "integer", "decimal", "boolean", "date", "choice", "email-list"
]
_CUSTOM_TYPES = (
    "text",
    "integer",
    "decimal",
    "boolean",
    "date",
    "choice",
    "email-list",
)

_MANUFACTURER = re.compile(r"\A\s*id\s*:\s*(.*?)\s*\Z", re.IGNORECASE | re.DOTALL)
_NOT_WORD = re.compile(r"[\W_]+")


def fold(header: str) -> str:
    """The key a header is matched by: letters and digits only, case-folded."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", header).casefold())


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise TypeError(
            f"choices must be a sequence of strings, not the string {values!r}"
        )
    return tuple(values)


def _custom_columns(columns: Iterable[CustomColumn]) -> tuple[CustomColumn, ...]:
    return tuple(columns)


def _check_custom(instance: CustomColumn, attribute: object, value: object) -> None:
    if instance.type not in _CUSTOM_TYPES:
        raise ValueError(
            f"CustomColumn.type must be one of {', '.join(_CUSTOM_TYPES)}; "
            f"got {instance.type!r}"
        )
    if instance.type == "date" and instance.dayfirst is None:
        raise ValueError(
            f"custom date column {instance.name!r} needs an explicit dayfirst=True "
            "(31/12/2024) or dayfirst=False (12/31/2024)"
        )
    if instance.type == "choice" and not instance.choices:
        raise ValueError(f"custom choice column {instance.name!r} needs choices=")
    if not fold(instance.name):
        raise ValueError(
            f"custom column name {instance.name!r} has no letters or digits"
        )


@attrs.frozen(kw_only=True)
class CustomColumn:
    """A typed column an app adds to the template; its values land on
    `Customer.custom` under `name`.

    Attributes:
        name: the column's name; headers match it the way template columns
            match (ignoring case, spaces and punctuation).
        type: ``"text"``, ``"integer"``, ``"decimal"``, ``"boolean"``,
            ``"date"``, ``"choice"`` or ``"email-list"``.
        required: a blank cell is an error, and so is a missing column.
        dayfirst: for dates, whether ``01/02/2024`` is 1 February (``True``)
            or 2 January (``False``); required for ``"date"`` columns.
        choices: the allowed values of a ``"choice"`` column (matched
            ignoring case; the value is returned as written here).
    """

    name: str
    type: CustomType = attrs.field(default="text", validator=_check_custom)
    required: bool = False
    dayfirst: bool | None = None
    choices: tuple[str, ...] = attrs.field(default=(), converter=_strings)


def _check_columns(
    instance: Schema, attribute: object, value: tuple[CustomColumn, ...]
) -> None:
    seen: dict[str, str] = {fold(name): name for name in TEMPLATE_COLUMNS}
    for column in value:
        if not isinstance(column, CustomColumn):
            raise TypeError(f"Schema columns must be CustomColumn, not {column!r}")
        if _MANUFACTURER.match(column.name):
            raise ValueError(
                f"custom column {column.name!r} clashes with the manufacturer id "
                "columns (id:<Manufacturer>)"
            )
        key = fold(column.name)
        if key in seen:
            raise ValueError(
                f"custom column {column.name!r} clashes with column {seen[key]!r}"
            )
        seen[key] = column.name


@attrs.frozen
class Schema:
    """The customer template, extended with custom typed columns.

    ``Schema()`` is the plain template;
    ``Schema([CustomColumn(name="creditLimit", type="decimal")])`` adds one.
    """

    custom_columns: tuple[CustomColumn, ...] = attrs.field(
        default=(), converter=_custom_columns, validator=_check_columns
    )


@attrs.frozen(kw_only=True)
class MappedColumn:
    """One column of the file the parser reads.

    Attributes:
        index: 0-based position in the row.
        header: the header text as written in the file.
        letter: the spreadsheet column letter (``"C"``).
        field: the template column (``"bill_city"``), ``"id:<Manufacturer>"``
            for a manufacturer id, or a custom column's name.
        kind: how its cells are read.
        place: where its value goes in a row's values (see `_template`).
        manufacturer: the manufacturer's name, for ``id:<name>`` columns.
        custom: the custom column, for kind ``"custom"``.
    """

    index: int
    header: str
    letter: str
    field: str
    kind: ColumnKind
    place: int
    manufacturer: str | None = None
    custom: CustomColumn | None = None


@attrs.frozen(kw_only=True)
class ColumnMap:
    """How the header row maps onto the template.

    Attributes:
        columns: the columns that are read, in file order.
        width: the number of columns in the header.
        present: the fields the file has (see `CustomerRow.present`).
        extras: where its extra columns' values are in a row's values.
        problems: header problems; any error means no row can be read.
        template: the template the header was matched to.
    """

    columns: tuple[MappedColumn, ...]
    width: int
    present: frozenset[str]
    extras: Extras
    problems: tuple[Problem, ...]
    template: Template = CUSTOMERS

    @property
    def ok(self) -> bool:
        """True when the header has no errors."""
        return not any(problem.is_error for problem in self.problems)


@attrs.frozen
class _Target:
    field: str
    kind: ColumnKind
    manufacturer: str | None = None
    custom: CustomColumn | None = None


def _targets(template: Template, schema: Schema) -> dict[str, _Target]:
    targets = {
        fold(name): _Target(name, kind) for name, kind in template.columns.items()
    }
    if template.extra_columns:
        for column in schema.custom_columns:
            targets[fold(column.name)] = _Target(column.name, "custom", custom=column)
    return targets


def _manufacturer_target(text: str) -> _Target | None:
    match = _MANUFACTURER.match(text)
    if match is None or not match.group(1):
        return None
    name = match.group(1)
    return _Target(f"id:{name}", "manufacturer-id", manufacturer=name)


def _resolve_aliases(
    aliases: Mapping[str, str] | None,
    targets: dict[str, _Target],
    template: Template,
) -> dict[str, _Target]:
    resolved: dict[str, _Target] = {}
    for alias, field in (aliases or {}).items():
        if not isinstance(alias, str) or not isinstance(field, str):
            raise TypeError(
                "columns= maps header text (str) to a template column (str)"
            )
        target = targets.get(fold(field))
        if target is None and template.extra_columns:
            target = _manufacturer_target(field)
        if target is None:
            raise ValueError(
                f"columns={{{alias!r}: {field!r}}}: {field!r} is not a template column"
            )
        if not fold(alias):
            raise ValueError(f"columns=: alias {alias!r} has no letters or digits")
        resolved[fold(alias)] = target
    return resolved


def map_header(
    header: Sequence[str],
    *,
    header_row: int,
    sheet: str | None,
    schema: Schema,
    aliases: Mapping[str, str] | None = None,
    template: Template = CUSTOMERS,
) -> ColumnMap:
    """Match the header row to *template*; collect every header problem."""
    targets = _targets(template, schema)
    alias_targets = _resolve_aliases(aliases, targets, template)
    problems: list[Problem] = []
    columns: list[MappedColumn] = []
    by_field: dict[str, MappedColumn] = {}
    extras = 0  # extra columns so far

    def at(code: str, index: int, text: str, **details: object) -> Problem:
        return make_problem(
            code,
            row=header_row,
            column=text or None,
            cell=f"{column_letter(index)}{header_row}",
            sheet=sheet,
            details=details,
        )

    for index, raw in enumerate(header):
        text = raw.strip().lstrip("\ufeff").strip()
        letter = column_letter(index)
        if not text:
            problems.append(at("blank-header", index, text, letter=letter))
            continue
        key = fold(text)
        if key in alias_targets:
            target: _Target | None = alias_targets[key]
        elif template.extra_columns and _MANUFACTURER.match(text):
            target = _manufacturer_target(text)  # None for a bare "id:"
        else:
            target = targets.get(key)
        if target is None:
            problems.append(
                at(
                    "unknown-column",
                    index,
                    text,
                    header=quote(text),
                    suggestion=_suggest(key, targets),
                )
            )
            continue
        is_template = target.field in template.places
        column = MappedColumn(
            index=index,
            header=text,
            letter=letter,
            field=target.field,
            kind=target.kind,
            place=template.at(target.field)
            if is_template
            else len(template.fields) + extras,
            manufacturer=target.manufacturer,
            custom=target.custom,
        )
        # Manufacturer names differing only in case, spaces or punctuation
        # are one manufacturer's column twice.
        duplicate_key = (
            "id:" + fold(target.manufacturer) if target.manufacturer else target.field
        )
        earlier = by_field.get(duplicate_key)
        if earlier is not None:
            problems.append(
                at(
                    "duplicate-column",
                    index,
                    text,
                    first=f"{earlier.letter} ({quote(earlier.header)})",
                    second=f"{letter} ({quote(text)})",
                    field=quote(target.field),
                )
            )
            continue
        by_field[duplicate_key] = column
        columns.append(column)
        extras += not is_template

    required = [
        *template.required,
        *(c.name for c in schema.custom_columns if c.required),
    ]
    missing = [quote(field) for field in required if field not in by_field]
    if template.one_of and not any(field in by_field for field in template.one_of):
        missing.append(" or ".join(map(quote, template.one_of)))
    for field in missing:
        found = ", ".join(quote(cell.strip()) for cell in header if cell.strip())
        problems.append(
            make_problem(
                "missing-required-column",
                field=field,
                header_row=header_row,
                found=found or "nothing",
                row=header_row,
                sheet=sheet,
            )
        )
    return ColumnMap(
        template=template,
        columns=tuple(columns),
        width=len(header),
        present=frozenset(column.field for column in columns),
        extras=Extras(
            tuple(
                Extra(
                    place=column.place,
                    column=column.field,
                    key=column.manufacturer or column.field,
                    manufacturer=column.manufacturer is not None,
                )
                for column in columns
                if column.field not in template.places
            )
        ),
        problems=tuple(problems),
    )


def _suggest(key: str, targets: Mapping[str, _Target]) -> str:
    close = difflib.get_close_matches(key, list(targets), n=1, cutoff=0.75)
    if not close:
        return ""
    return f" Did you mean {quote(targets[close[0]].field)}?"


def detect_template(
    header: Sequence[str], aliases: Mapping[str, str] | None = None
) -> Template:
    """The template a header row is written for.

    A header fits a template when it has the template's required columns;
    of the templates it fits, the one with the most of its columns wins,
    and a tie between the customer template and another goes to the
    customer template (a header of ``id`` and ``name`` alone is the
    customers'). Matching is header matching's: case, spaces and
    punctuation do not count.

    Raises:
        ImportFileError: the header fits none of the templates, or two of
            them as well; the message names each template's required
            columns.
    """
    renamed = {fold(alias): fold(field) for alias, field in (aliases or {}).items()}
    keys = {renamed.get(fold(cell), fold(cell)) for cell in header if cell.strip()}
    counts = {}
    for template in TEMPLATES.values():
        columns = {fold(column): column for column in template.columns}
        if template.fits({columns[key] for key in keys if key in columns}):
            counts[template.name] = len(columns.keys() & keys)
    if counts:
        most = max(counts.values())
        best = [name for name, count in counts.items() if count == most]
        if len(best) == 1:
            return TEMPLATES[best[0]]
        if CUSTOMERS.name in best:
            return CUSTOMERS
    else:
        best = []
    found = ", ".join(quote(cell.strip()) for cell in header if cell.strip())
    needs = "; ".join(
        f"{template.name}: {template.needs}" for template in TEMPLATES.values()
    )
    fits = (
        f"fits the {' and the '.join(best)} templates as well"
        if best
        else "fits none of the templates"
    )
    raise ImportFileError(
        f"The header row ({found or 'nothing'}) {fits}. Each template needs "
        f"its own columns ({needs}); use the template's header, or name the "
        "template to read the file as.",
        detected=None,
    )
