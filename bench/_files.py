"""Seeded customer-template files for the benchmarks.

`write_csv` and `write_xlsx` draw their rows from `iter_records`, so a CSV and
an XLSX of the same ``rows`` and ``seed`` hold the same cells, and the same
arguments always give the same bytes. `iter_existing` describes the
customers a store holds before such a file is imported. Both writers stream
(the XLSX shared-string table excepted, as in Excel itself).
"""

from __future__ import annotations

import csv
import functools
import random
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

Value = str | int | None
"""One cell: text, a whole number (written as a number in XLSX) or blank."""

Record = tuple[Value, ...]

ADDRESS_PARTS = (
    "id", "name", "street", "street2", "city", "state", "postcode", "country",
    "phone", "fax",
)  # fmt: skip
HEADER: tuple[str, ...] = (
    "id", "internal_id", "name", "contact", "email",
    *(f"bill_{part}" for part in ADDRESS_PARTS),
    *(f"ship_{part}" for part in ADDRESS_PARTS),
    "paymentTerms", "shippingMethod", "taxID", "customerGroup", "userGroup",
    "id:Acme Tools",
)  # fmt: skip
"""The customer template's columns, in order (the last one is a manufacturer id)."""

DEFAULT_SEED = 20240611

_FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph",
    "Jessica", "Thomas", "Sarah", "Carlos", "Karen", "Daniel", "Nancy", "Wei",
    "Priya", "Ahmed", "Olga", "Kenji", "Fatima", "Liam", "Emma",
)  # fmt: skip
_LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright",
)  # fmt: skip
_NON_ASCII_FIRST = ("José", "Zoë", "Jürgen", "Begoña", "François", "Ñusta")
_NON_ASCII_LAST = ("Müller", "Peña", "Lefèvre", "Brontë", "Núñez", "Köhler")
_NON_ASCII_COMPANIES = (
    "Müller Werkzeuge GmbH", "Peña Hermanos S.A.", "Société Générale de Quincaillerie",
    "Café Zoë", "Ferretería Núñez", "Brüder Köhler KG",
)  # fmt: skip
_COMPANY_WORDS = (
    "Acme", "Summit", "Pioneer", "Harbor", "Granite", "Cedar", "Liberty", "Atlas",
    "Keystone", "Evergreen", "Northside", "Riverbend", "Blue Ridge", "Iron Horse",
    "Lakeshore", "Prairie", "Redwood", "Silver Creek", "Union", "Westfield",
)  # fmt: skip
_COMPANY_KINDS = (
    "Hardware", "Supply", "Tool & Die", "Building Supply", "Lumber", "Industrial",
    "Home Center", "Outfitters", "Equipment", "Contractors",
)  # fmt: skip
_COMPANY_SUFFIXES = ("Inc.", "LLC", "Co.", "Corp.", "Ltd", "")
_STREET_NAMES = (
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill",
    "Park", "Sunset", "Railroad", "Mill", "Church", "Market", "Commerce",
)  # fmt: skip
_STREET_KINDS = ("St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Pkwy")
_STREET2 = ("Suite 100", "Suite 210", "Unit B", "Floor 3", "Bldg 4", "Dock 7")
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

# (city, state, postcode style, country); postcode style: "us" five digits
# (text when it starts with 0, as it would have to be in Excel), "int" a
# number, or a literal text pattern where "#" is a digit and "@" a letter.
_PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("Springfield", "IL", "us", "US"), ("Boston", "MA", "us0", "US"),
    ("Hartford", "CT", "us0", "US"), ("Austin", "TX", "us", "US"),
    ("Denver", "CO", "us", "US"), ("Portland", "OR", "us", "US"),
    ("Columbus", "OH", "us", "US"), ("Atlanta", "GA", "us", "US"),
    ("Phoenix", "AZ", "us", "US"), ("Seattle", "WA", "us", "US"),
    ("Toronto", "ON", "@#@ #@#", "CA"), ("Montréal", "QC", "@#@ #@#", "CA"),
    ("London", "", "@@# #@@", "GB"), ("München", "BY", "int", "DE"),
    ("Madrid", "M", "int", "ES"), ("México", "CDMX", "int", "MX"),
)  # fmt: skip
_PAYMENT_TERMS = ("Net 30", "Net 30", "Net 60", "Net 15", "Due on receipt", "COD")
_SHIPPING = ("UPS Ground", "FedEx 2Day", "USPS Priority", "Will Call", "LTL Freight")
_CUSTOMER_GROUPS = ("Retail", "Wholesale", "Distributor", "Key Account")
_USER_GROUPS = ("East", "West", "Central", "International")


@functools.lru_cache(maxsize=8192)
def _ascii_slug(text: str) -> str:
    """Return the lower-case ASCII letters and digits of ``text`` ("Zoë" -> "zoe")."""
    folded = unicodedata.normalize("NFKD", text).lower()
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


class _Maker:
    """Builds one record at a time from a seeded :class:`random.Random`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self) -> tuple[str, str]:
        """Return a (first, last) name; about 2% of them are non-ASCII."""
        rng = self.rng
        if rng.random() < 0.02:
            return rng.choice(_NON_ASCII_FIRST), rng.choice(_NON_ASCII_LAST)
        return rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)

    def company(self, last: str) -> str:
        """Return a company name, sometimes with a comma (so CSV quotes it)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.02:
            return rng.choice(_NON_ASCII_COMPANIES)
        if roll < 0.07:
            return f"{last}, {rng.choice(_LAST_NAMES)} & Sons"
        if roll < 0.20:
            return f"{last} {rng.choice(_COMPANY_KINDS)}"
        suffix = rng.choice(_COMPANY_SUFFIXES)
        name = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)}"
        return f"{name} {suffix}" if suffix else name

    def postcode(self, style: str) -> Value:
        """Return a postcode in the given style (see ``_PLACES``)."""
        rng = self.rng
        if style in ("us", "int"):
            return rng.randrange(10000, 99999)
        if style == "us0":
            return f"0{rng.randrange(1000, 9999)}"
        return "".join(
            str(rng.randrange(10))
            if ch == "#"
            else chr(65 + rng.randrange(26))
            if ch == "@"
            else ch
            for ch in style
        )

    def phone(self, country: str) -> str:
        """Return a phone number formatted for the country."""
        rng = self.rng
        if country in ("US", "CA"):
            return f"({rng.randrange(201, 989)}) 555-{rng.randrange(10000):04d}"
        area = rng.randrange(10, 99)
        return f"+{rng.randrange(30, 60)} {area} {rng.randrange(10**6, 10**7)}"

    def address(self, name: str) -> list[Value]:
        """Return the nine address cells after the address id (name..fax)."""
        rng = self.rng
        city, state, style, country = rng.choice(_PLACES)
        number = rng.randrange(1, 9999)
        street = f"{number} {rng.choice(_STREET_NAMES)} {rng.choice(_STREET_KINDS)}"
        if rng.random() < 0.05:
            street = f"{street}, Rear Entrance"
        street2 = rng.choice(_STREET2) if rng.random() < 0.2 else None
        phone = self.phone(country) if rng.random() < 0.9 else None
        fax = self.phone(country) if rng.random() < 0.15 else None
        return [
            name,
            street,
            street2,
            city,
            state or None,
            self.postcode(style),
            country,
            phone,
            fax,
        ]

    def emails(self, first: str, last: str, company: str) -> str:
        """Return 1-3 addresses joined by ``"; "`` or ``", "``."""
        rng = self.rng
        domain = f"{_ascii_slug(company)[:16] or 'shop'}.{rng.choice(_EMAIL_DOMAINS)}"
        found = [f"{_ascii_slug(first)}.{_ascii_slug(last)}@{domain}"]
        for extra in ("orders", "accounts")[: rng.choice((0, 0, 0, 1, 1, 2))]:
            found.append(f"{extra}@{domain}")
        return rng.choice(("; ", ", ")).join(found)

    def record(self, index: int) -> Record:
        """Return the record for 0-based data row ``index``."""
        rng = self.rng
        number = index + 1
        first, last = self.person()
        company = self.company(last)
        cust_id: Value = 500000 + number if rng.random() < 0.15 else f"C{number:06d}"
        internal: Value = 900000 + number if rng.random() < 0.6 else None
        contact = f"{first} {last}" if rng.random() < 0.9 else None
        email = self.emails(first, last, company) if rng.random() < 0.95 else None
        bill = [f"B{number:06d}", *self.address(company)]
        if rng.random() < 0.5:
            ship_name = company if rng.random() < 0.7 else f"{company} Warehouse"
            ship = [f"S{number:06d}", *self.address(ship_name)]
        else:
            ship = [None] * 10
        terms = rng.choice(_PAYMENT_TERMS) if rng.random() < 0.8 else None
        shipping = rng.choice(_SHIPPING) if rng.random() < 0.7 else None
        tax = (
            f"{rng.randrange(10, 99)}-{rng.randrange(10**7):07d}"
            if rng.random() < 0.4
            else None
        )
        group = rng.choice(_CUSTOMER_GROUPS)
        user_group = rng.choice(_USER_GROUPS) if rng.random() < 0.6 else None
        roll = rng.random()
        maker_id: Value
        if roll < 0.5:
            maker_id = f"AT-{rng.randrange(100000):05d}"
        elif roll < 0.7:
            maker_id = rng.randrange(10000, 99999)
        else:
            maker_id = None
        return (
            cust_id,
            internal,
            company,
            contact,
            email,
            *bill,
            *ship,
            terms,
            shipping,
            tax,
            group,
            user_group,
            maker_id,
        )


def iter_records(rows: int, seed: int = DEFAULT_SEED) -> Iterator[Record]:
    """Yield ``rows`` data records (no header), identical for identical arguments."""
    maker = _Maker(seed)
    for index in range(rows):
        yield maker.record(index)


def write_csv(path: str | Path, rows: int, seed: int = DEFAULT_SEED) -> None:
    """Write a UTF-8 CSV: a header and ``rows`` rows, CRLF ends, minimal quoting."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        # csv writes None as an empty field and ints as their digits.
        writer.writerows(iter_records(rows, seed))


# --- the store's side -------------------------------------------------------

Cells = dict[str, str]
"""One customer as the template's cells: header -> text, ``""`` for blank."""

_CHANGEABLE = (
    "contact", "email", "bill_street", "bill_phone", "paymentTerms",
    "shippingMethod", "taxID", "customerGroup", "userGroup", "id:Acme Tools",
)  # fmt: skip
"""The cells in which a stored customer may differ from its row."""

_CHOICES: dict[str, tuple[str, ...]] = {
    "paymentTerms": (*dict.fromkeys(_PAYMENT_TERMS), ""),
    "shippingMethod": (*_SHIPPING, ""),
    "customerGroup": _CUSTOMER_GROUPS,
    "userGroup": (*_USER_GROUPS, ""),
}

REFERENCE_DATA: dict[str, tuple[str, ...]] = {
    "customer_groups": _CUSTOMER_GROUPS,
    "user_groups": _USER_GROUPS,
    "manufacturers": ("Acme Tools",),
    "paymentTerms": tuple(dict.fromkeys(_PAYMENT_TERMS)),
    "shippingMethod": _SHIPPING,
}
"""Every customer group, user group, manufacturer and option the files use."""


def record_cells(record: Record) -> Cells:
    """Return ``record`` as its CSV row reads: header -> text, ``""`` if blank."""
    return {
        column: "" if value is None else str(value)
        for column, value in zip(HEADER, record, strict=True)
    }


def _changed_value(maker: _Maker, column: str, old: str) -> str:
    """Return a value for ``column`` that differs from ``old`` (maybe blank)."""
    rng = maker.rng
    while True:
        if column == "contact":
            new = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        elif column == "email":
            new = f"buyer{rng.randrange(1000)}@{rng.choice(_EMAIL_DOMAINS)}"
        elif column == "bill_street":
            street = f"{rng.choice(_STREET_NAMES)} {rng.choice(_STREET_KINDS)}"
            new = f"{rng.randrange(1, 9999)} {street}"
        elif column == "bill_phone":
            new = maker.phone("US")
        elif column == "taxID":
            new = f"{rng.randrange(10, 99)}-{rng.randrange(10**7):07d}"
        elif column == "id:Acme Tools":
            new = f"AT-{rng.randrange(100000):05d}"
        else:
            new = rng.choice(_CHOICES[column])
        if new != old:
            return new


def iter_existing(
    rows: int, others: int = 0, seed: int = DEFAULT_SEED
) -> Iterator[tuple[str, Cells]]:
    """Yield the customers a store holds before ``write_csv(path, rows, seed)``.

    Each item is ``(kind, cells)``. Every row of that file with an internal
    id (about 60% of them) is a stored customer with the same id and
    internal id: one in six of them (kind ``"same"``) identical to its row,
    the others (``"changed"``) with one or two cells different, so importing
    the file updates them. Rows without an internal id are new customers and
    have nothing here. Then come ``others`` customers the file does not
    mention (``"other"``), with ids ``K000001``, ``K000002``... and no
    internal id. The same arguments always give the same customers, and
    neither the CSV nor the XLSX depends on this function.
    """
    changer = _Maker(seed + 1)
    matched = 0
    for record in iter_records(rows, seed):
        cells = record_cells(record)
        if not cells["internal_id"]:
            continue
        matched += 1
        if matched % 6 == 1:
            yield "same", cells
            continue
        count = changer.rng.choice((1, 2))
        for column in changer.rng.sample(_CHANGEABLE, count):
            cells[column] = _changed_value(changer, column, cells[column])
        yield "changed", cells
    for number, record in enumerate(iter_records(others, seed + 2), start=1):
        cells = record_cells(record)
        cells["id"] = f"K{number:06d}"
        cells["internal_id"] = ""
        yield "other", cells


# --- XLSX -------------------------------------------------------------------
#
# Written by hand, as Excel lays a worksheet out: <dimension>, spans on each
# row, r on each cell, all text in the shared-string table (t="s"), numbers
# as plain <v>, blank cells left out. (openpyxl's own writer puts text inline
# instead, which reads differently.) Styles and document properties, which
# a reader parses once per file, are left out.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def _member(name: str) -> zipfile.ZipInfo:
    """A deflated part with a fixed date, so the same rows give the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2024, 6, 11, 9, 30, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _rels(*targets: tuple[str, str]) -> str:
    """A relationships part from (type, target) pairs."""
    items = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_DECL}<Relationships xmlns="{_PKG}/relationships">{items}</Relationships>'


_PARTS = {
    "[Content_Types].xml": f'{_DECL}<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(
        f'<Override PartName="/xl/{part}" ContentType="{_SML}{kind}+xml"/>'
        for part, kind in (
            ("workbook.xml", "sheet.main"),
            ("worksheets/sheet1.xml", "worksheet"),
            ("sharedStrings.xml", "sharedStrings"),
        )
    )
    + "</Types>",
    "_rels/.rels": _rels(("officeDocument", "xl/workbook.xml")),
    "xl/workbook.xml": f'{_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": _rels(
        ("worksheet", "worksheets/sheet1.xml"), ("sharedStrings", "sharedStrings.xml")
    ),
}
_COLUMNS = tuple(
    chr(65 + i) if i < 26 else f"A{chr(65 + i - 26)}" for i in range(len(HEADER))
)


def _sheet_row(number: int, values: Sequence[Value], strings: dict[str, int]) -> str:
    """One ``<row>``; text goes to *strings* (text -> index)."""
    cells = [f'<row r="{number}" spans="1:{len(values)}">']
    for column, value in zip(_COLUMNS[: len(values)], values, strict=True):
        if isinstance(value, int):
            cells.append(f'<c r="{column}{number}"><v>{value}</v></c>')
        elif value:
            index = strings.setdefault(value, len(strings))
            cells.append(f'<c r="{column}{number}" t="s"><v>{index}</v></c>')
    cells.append("</row>")
    return "".join(cells)


def write_xlsx(path: str | Path, rows: int, seed: int = DEFAULT_SEED) -> None:
    """Write the rows of `write_csv` as one worksheet, "Customers".

    The sheet is streamed into the ZIP; the shared-string table is kept in
    memory while it is written and stored after it, as Excel orders them.
    """
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in _PARTS.items():
            zf.writestr(_member(name), text)
        sheet = _member("xl/worksheets/sheet1.xml")
        with zf.open(sheet, "w", force_zip64=rows > 1_500_000) as fh:
            fh.write(
                f'{_DECL}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
                f'<dimension ref="A1:{_COLUMNS[-1]}{rows + 1}"/>'
                '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/>'
                "</sheetViews><sheetData>".encode()
            )
            fh.write(_sheet_row(1, HEADER, strings).encode())
            for number, record in enumerate(iter_records(rows, seed), start=2):
                fh.write(_sheet_row(number, record, strings).encode())
            fh.write(b"</sheetData></worksheet>")
        table = _member("xl/sharedStrings.xml")
        with zf.open(table, "w", force_zip64=rows > 1_500_000) as fh:
            fh.write(
                f'{_DECL}<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">'.encode()
            )
            for text in strings:  # in index order
                space = ' xml:space="preserve"' if text != text.strip() else ""
                fh.write(f"<si><t{space}>{escape(text)}</t></si>".encode())
            fh.write(b"</sst>")


# --- a workbook of the four templates ------------------------------------------------

_ID_AT, _INTERNAL_ID_AT = HEADER.index("id"), HEADER.index("internal_id")
_BILL = slice(HEADER.index("bill_name"), HEADER.index("bill_fax") + 1)
SHIP_TO_HEADER = ("cust_id", "ship_id", *(f"ship_{p}" for p in ADDRESS_PARTS[1:]))


def _workbook_sheets(
    rows: int, seed: int
) -> list[tuple[str, Iterator[Sequence[Value]]]]:
    """The four sheets: their names and rows (header first)."""
    groups = [
        ("id", "isDefault", "name", "currency"),
        *(
            (group, int(i == 0), group, "USD")
            for i, group in enumerate(_CUSTOMER_GROUPS)
        ),
    ]
    options = [
        ("key", "value", "isDefault"),
        *(
            ("paymentTerms", term, int(i == 0))
            for i, term in enumerate(dict.fromkeys(_PAYMENT_TERMS))
        ),
        *(
            ("shippingMethod", method, int(i == 0))
            for i, method in enumerate(_SHIPPING)
        ),
    ]

    def customers() -> Iterator[Sequence[Value]]:
        yield HEADER
        for record in iter_records(rows, seed):
            # New customers: no internal ids.
            yield (*record[:_INTERNAL_ID_AT], None, *record[_INTERNAL_ID_AT + 1 :])

    def ship_to() -> Iterator[Sequence[Value]]:
        yield SHIP_TO_HEADER
        for number, record in enumerate(iter_records(rows, seed), start=1):
            # Another address of each customer: its billing address, named
            # as a depot.
            yield (record[_ID_AT], f"D{number}", *record[_BILL])

    return [
        ("Customer groups", iter(groups)),
        ("Options", iter(options)),
        ("Customers", customers()),
        ("Ship-to", ship_to()),
    ]


def write_workbook(path: str | Path, rows: int, seed: int = DEFAULT_SEED) -> None:
    """Write a workbook of the four templates: the customer groups and
    options the customers of `write_csv` name, ``rows`` customers (without
    internal ids), and ``rows`` ship-to addresses, one per customer; shared
    strings, as Excel writes them."""
    sheets = _workbook_sheets(rows, seed)
    names = [name for name, _ in sheets]
    parts = {
        "[Content_Types].xml": f'{_DECL}<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        f'ContentType="{_SML}sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            f'ContentType="{_SML}worksheet+xml"/>'
            for n in range(1, len(names) + 1)
        )
        + f'<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{_SML}sharedStrings+xml"/></Types>',
        "_rels/.rels": _rels(("officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": f'{_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(names, start=1)
        )
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": _rels(
            *(
                ("worksheet", f"worksheets/sheet{n}.xml")
                for n in range(1, len(names) + 1)
            ),
            ("sharedStrings", "sharedStrings.xml"),
        ),
    }
    strings: dict[str, int] = {}
    big = rows > 700_000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(_member(name), text)
        for n, (_, lines) in enumerate(sheets, start=1):
            with zf.open(
                _member(f"xl/worksheets/sheet{n}.xml"), "w", force_zip64=big
            ) as fh:
                opening = f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetData>'
                fh.write(f"{_DECL}{opening}".encode())
                for number, values in enumerate(lines, start=1):
                    fh.write(_sheet_row(number, values, strings).encode())
                fh.write(b"</sheetData></worksheet>")
        with zf.open(_member("xl/sharedStrings.xml"), "w", force_zip64=big) as fh:
            fh.write(
                f'{_DECL}<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">'.encode()
            )
            for text in strings:
                space = ' xml:space="preserve"' if text != text.strip() else ""
                fh.write(f"<si><t{space}>{escape(text)}</t></si>".encode())
            fh.write(b"</sst>")
