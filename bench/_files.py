"""Deterministic customer-template files for the benchmarks.

Both writers draw their data from :func:`iter_records`, so a CSV and an XLSX
generated with the same ``rows`` and ``seed`` hold exactly the same cells.
:func:`iter_existing` draws from it too, for the reconciling benchmark: the
customers a store already holds before such a file is imported.
Everything here streams: the CSV is written row by row and the worksheet XML
is written into the ZIP member in chunks, so a million rows never sit in
memory at once (the XLSX shared-string table is the one exception, as it is
in Excel itself).

Run ``python bench/_files.py`` to write small files into a temporary
directory and check that openpyxl reads the XLSX back as the CSV's data.
"""

from __future__ import annotations

import csv
import functools
import random
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

Value = str | int | None
"""One cell: text, a whole number (written as a number in XLSX) or blank."""

Record = tuple[Value, ...]

HEADER: tuple[str, ...] = (
    "id",
    "internal_id",
    "name",
    "contact",
    "email",
    "bill_id",
    "bill_name",
    "bill_street",
    "bill_street2",
    "bill_city",
    "bill_state",
    "bill_postcode",
    "bill_country",
    "bill_phone",
    "bill_fax",
    "ship_id",
    "ship_name",
    "ship_street",
    "ship_street2",
    "ship_city",
    "ship_state",
    "ship_postcode",
    "ship_country",
    "ship_phone",
    "ship_fax",
    "paymentTerms",
    "shippingMethod",
    "taxID",
    "customerGroup",
    "userGroup",
    "id:Acme Tools",
)
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
    "Müller Werkzeuge GmbH",
    "Peña Hermanos S.A.",
    "Société Générale de Quincaillerie",
    "Café Zoë",
    "Ferretería Núñez",
    "Brüder Köhler KG",
)
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
    ("Springfield", "IL", "us", "US"),
    ("Boston", "MA", "us0", "US"),
    ("Hartford", "CT", "us0", "US"),
    ("Austin", "TX", "us", "US"),
    ("Denver", "CO", "us", "US"),
    ("Portland", "OR", "us", "US"),
    ("Columbus", "OH", "us", "US"),
    ("Atlanta", "GA", "us", "US"),
    ("Phoenix", "AZ", "us", "US"),
    ("Seattle", "WA", "us", "US"),
    ("Toronto", "ON", "@#@ #@#", "CA"),
    ("Montréal", "QC", "@#@ #@#", "CA"),
    ("London", "", "@@# #@@", "GB"),
    ("München", "BY", "int", "DE"),
    ("Madrid", "M", "int", "ES"),
    ("México", "CDMX", "int", "MX"),
)
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
        if style == "us":
            return rng.randrange(10000, 99999)
        if style == "us0":
            return f"0{rng.randrange(1000, 9999)}"
        if style == "int":
            return rng.randrange(10000, 99999)
        chars = []
        for ch in style:
            if ch == "#":
                chars.append(str(rng.randrange(10)))
            elif ch == "@":
                chars.append(chr(65 + rng.randrange(26)))
            else:
                chars.append(ch)
        return "".join(chars)

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
    "contact",
    "email",
    "bill_street",
    "bill_phone",
    "paymentTerms",
    "shippingMethod",
    "taxID",
    "customerGroup",
    "userGroup",
    "id:Acme Tools",
)
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

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_FIXED_DATE = (2024, 6, 11, 9, 30, 0)


def _override(part: str, content_type: str) -> str:
    """Return a content-types ``<Override>`` element."""
    return f'<Override PartName="{part}" ContentType="{content_type}"/>'


def _relationships(*rels: tuple[str, str, str]) -> str:
    """Return a relationships part from (id, type URI, target) triples."""
    items = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
        for rid, kind, target in rels
    )
    head = f'{_XML_DECL}<Relationships xmlns="{_PKG}/relationships">'
    return f"{head}{items}</Relationships>"


_CONTENT_TYPES = (
    _XML_DECL
    + f'<Types xmlns="{_PKG}/content-types">'
    + '<Default Extension="rels" ContentType="application/'
    + 'vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + _override("/xl/workbook.xml", _SML + "sheet.main+xml")
    + _override("/xl/worksheets/sheet1.xml", _SML + "worksheet+xml")
    + _override("/xl/styles.xml", _SML + "styles+xml")
    + _override("/xl/sharedStrings.xml", _SML + "sharedStrings+xml")
    + _override(
        "/docProps/core.xml",
        "application/vnd.openxmlformats-package.core-properties+xml",
    )
    + _override(
        "/docProps/app.xml",
        "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    )
    + "</Types>"
)
_ROOT_RELS = _relationships(
    ("rId3", f"{_DOC_REL}/extended-properties", "docProps/app.xml"),
    ("rId2", f"{_PKG}/relationships/metadata/core-properties", "docProps/core.xml"),
    ("rId1", f"{_DOC_REL}/officeDocument", "xl/workbook.xml"),
)
_WORKBOOK_RELS = _relationships(
    ("rId3", f"{_DOC_REL}/sharedStrings", "sharedStrings.xml"),
    ("rId2", f"{_DOC_REL}/styles", "styles.xml"),
    ("rId1", f"{_DOC_REL}/worksheet", "worksheets/sheet1.xml"),
)
_WORKBOOK = (
    _XML_DECL + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_DOC_REL}">'
    '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>'
    '<workbookPr defaultThemeVersion="166925"/>'
    '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800"'
    ' windowHeight="12300"/></bookViews>'
    '<sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets>'
    '<calcPr calcId="191029"/>'
    "</workbook>"
)
_XF = 'numFmtId="0" fontId="0" fillId="0" borderId="0"'
_STYLES = (
    _XML_DECL + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/>'
    '<scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
    "</border></borders>"
    f'<cellStyleXfs count="1"><xf {_XF}/></cellStyleXfs>'
    f'<cellXfs count="1"><xf {_XF} xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles>"
    '<dxfs count="0"/>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium2"'
    ' defaultPivotStyle="PivotStyleLight16"/>'
    "</styleSheet>"
)
_W3CDTF = 'xsi:type="dcterms:W3CDTF">2024-06-11T09:30:00Z'
_CORE = (
    _XML_DECL + "<cp:coreProperties"
    f' xmlns:cp="{_PKG}/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>Sales Ops</dc:creator>"
    "<cp:lastModifiedBy>Sales Ops</cp:lastModifiedBy>"
    f"<dcterms:created {_W3CDTF}</dcterms:created>"
    f"<dcterms:modified {_W3CDTF}</dcterms:modified>"
    "</cp:coreProperties>"
)
_APP = (
    _XML_DECL + "<Properties"
    ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop>"
    '<HeadingPairs><vt:vector size="2" baseType="variant">'
    "<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>"
    "<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
    '<TitlesOfParts><vt:vector size="1" baseType="lpstr">'
    "<vt:lpstr>Customers</vt:lpstr></vt:vector></TitlesOfParts>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0300</AppVersion>"
    "</Properties>"
)
_SHEET_HEAD = (
    _XML_DECL + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_DOC_REL}">'
    '<dimension ref="A1:{last}"/>'
    '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/>'
    "<sheetData>"
)
_SHEET_TAIL = (
    "</sheetData>"
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75"'
    ' header="0.3" footer="0.3"/>'
    "</worksheet>"
)
_CHUNK_ROWS = 2000


def _column_letter(index: int) -> str:
    """Return the column letters for 0-based ``index`` (0 -> A, 30 -> AE)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_COLUMNS = tuple(_column_letter(i) for i in range(len(HEADER)))


class _SharedStrings:
    """The shared-string table: text -> index, plus the total text-cell count."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str) -> int:
        """Return the index of ``text``, adding it on first sight."""
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml_chunks(self, per_chunk: int = 20_000) -> Iterator[bytes]:
        """Yield ``xl/sharedStrings.xml`` in encoded pieces."""
        yield (
            f'{_XML_DECL}<sst xmlns="{_MAIN_NS}" count="{self.count}"'
            f' uniqueCount="{len(self.index)}">'
        ).encode()
        chunk: list[str] = []
        for text in self.index:  # dicts keep insertion order, i.e. index order
            if text != text.strip():
                chunk.append(f'<si><t xml:space="preserve">{escape(text)}</t></si>')
            else:
                chunk.append(f"<si><t>{escape(text)}</t></si>")
            if len(chunk) >= per_chunk:
                yield "".join(chunk).encode()
                chunk.clear()
        chunk.append("</sst>")
        yield "".join(chunk).encode()


def _sheet_row(number: int, values: Sequence[Value], strings: _SharedStrings) -> str:
    """Return one ``<row>`` element; blank cells are left out, as Excel does."""
    cells = [f'<row r="{number}" spans="1:{len(HEADER)}">']
    for column, value in zip(_COLUMNS, values, strict=True):
        if value is None or value == "":
            continue
        if isinstance(value, int):
            cells.append(f'<c r="{column}{number}"><v>{value}</v></c>')
        else:
            index = strings.add(value)
            cells.append(f'<c r="{column}{number}" t="s"><v>{index}</v></c>')
    cells.append("</row>")
    return "".join(cells)


def _member(name: str) -> zipfile.ZipInfo:
    """Return a deflated ZIP entry with a fixed timestamp (reproducible files)."""
    info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_xlsx_excel_layout(
    path: str | Path, rows: int, seed: int = DEFAULT_SEED
) -> None:
    """Write an XLSX laid out the way Excel saves one.

    One visible sheet, "Customers", with a ``<dimension>``, ``<sheetViews>``,
    ``spans`` on every row, ``r`` on every cell, all text as shared strings
    (``t="s"``), whole numbers as plain ``<v>`` and blank cells omitted.
    The sheet XML is streamed; the shared-string table is collected while
    the sheet is written and stored after it, in Excel's member order.
    """
    strings = _SharedStrings()
    # Members past 2 GiB need ZIP64 headers, which must be chosen up front.
    big = rows > 1_500_000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_member("[Content_Types].xml"), _CONTENT_TYPES)
        zf.writestr(_member("_rels/.rels"), _ROOT_RELS)
        zf.writestr(_member("xl/workbook.xml"), _WORKBOOK)
        zf.writestr(_member("xl/_rels/workbook.xml.rels"), _WORKBOOK_RELS)
        sheet = _member("xl/worksheets/sheet1.xml")
        with zf.open(sheet, "w", force_zip64=big) as fh:
            head = _SHEET_HEAD.format(last=f"{_COLUMNS[-1]}{rows + 1}")
            fh.write((head + _sheet_row(1, HEADER, strings)).encode())
            chunk: list[str] = []
            for number, record in enumerate(iter_records(rows, seed), start=2):
                chunk.append(_sheet_row(number, record, strings))
                if len(chunk) >= _CHUNK_ROWS:
                    fh.write("".join(chunk).encode())
                    chunk.clear()
            chunk.append(_SHEET_TAIL)
            fh.write("".join(chunk).encode())
        zf.writestr(_member("xl/styles.xml"), _STYLES)
        with zf.open(_member("xl/sharedStrings.xml"), "w", force_zip64=big) as fh:
            for piece in strings.xml_chunks():
                fh.write(piece)
        zf.writestr(_member("docProps/core.xml"), _CORE)
        zf.writestr(_member("docProps/app.xml"), _APP)


# --- self-check ---------------------------------------------------------------


def check_pair(csv_path: str | Path, xlsx_path: str | Path, rows: int) -> list[str]:
    """Compare a CSV and an XLSX written with the same arguments; return mismatches.

    The XLSX is read with openpyxl in read-only mode; a blank XLSX cell must
    be an empty CSV field and a number must be the field's digits.
    """
    # Comparison only: the generators themselves need nothing outside stdlib.
    import openpyxl  # noqa: PLC0415

    errors: list[str] = []
    wb = openpyxl.load_workbook(xlsx_path, read_only=True, data_only=True)
    try:
        if wb.sheetnames != ["Customers"]:
            errors.append(f"sheet names {wb.sheetnames!r}")
        ws = wb.worksheets[0]
        if ws.max_row != rows + 1 or ws.max_column != len(HEADER):
            errors.append(f"dimension says {ws.max_row} x {ws.max_column}")
        with open(csv_path, encoding="utf-8", newline="") as fh:
            csv_rows = csv.reader(fh)
            count = 0
            for count, (got, want) in enumerate(
                zip(ws.iter_rows(values_only=True), csv_rows, strict=True), start=1
            ):
                cells = tuple("" if v is None else str(v) for v in got)
                if cells != tuple(want):
                    errors.append(f"row {count}: {cells!r} != {tuple(want)!r}")
                    if len(errors) > 5:
                        break
        if count != rows + 1:
            errors.append(f"read {count} rows, expected {rows + 1}")
    finally:
        wb.close()
    return errors


def main() -> int:
    """Write small files to a temporary directory and check them against each other."""
    rows = 2000
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp, "customers.csv")
        xlsx_path = Path(tmp, "customers.xlsx")
        write_csv(csv_path, rows)
        write_xlsx_excel_layout(xlsx_path, rows)
        errors = check_pair(csv_path, xlsx_path, rows)
    for error in errors:
        print(error)
    print("ok" if not errors else f"{len(errors)} mismatch(es)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
