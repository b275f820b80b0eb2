"""Regenerate the example customer spreadsheets next to this script.

Writes ``customers.xlsx`` (sheet "Customers") and ``customers.csv`` with the
same 50 wholesale customers laid out in the Handshake customer template.
Everything is fixed data, so re-running the script produces identical files:
the CSV byte for byte, and the XLSX too, because the workbook's document
properties and the timestamps inside its zip archive are pinned to a fixed
date.

A few rows are wrong on purpose so that the importer's validation can be
tried out; each one is marked with a ``DELIBERATELY WRONG`` comment below and
listed in ``README.md``.

Usage::

    python examples/make_examples.py
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
XLSX_PATH = HERE / "customers.xlsx"
CSV_PATH = HERE / "customers.csv"
WORKBOOK_PATH = HERE / "workbook.xlsx"
SHEET_NAME = "Customers"

# Used for the workbook's created/modified properties and the zip entries.
FIXED_TIMESTAMP = datetime(2024, 1, 15, 9, 0, 0)

HEADERS: tuple[str, ...] = (
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

US = "United States"
UK = "United Kingdom"
CA = "Canada"
AU = "Australia"
DE = "Germany"
FR = "France"

EAST = "East Coast Reps"
WEST = "West Coast Reps"

# A cell value: text, a whole number (numeric ids only), or "" for blank.
Cell = str | int


@dataclass(frozen=True)
class Address:
    """One bill-to or ship-to block (ten template columns)."""

    street: str
    city: str
    state: str
    postcode: str
    country: str
    phone: str = ""
    street2: str = ""
    fax: str = ""
    id: str = ""
    name: str = ""

    def cells(self) -> list[Cell]:
        return [
            self.id,
            self.name,
            self.street,
            self.street2,
            self.city,
            self.state,
            self.postcode,
            self.country,
            self.phone,
            self.fax,
        ]


NO_ADDRESS_CELLS: list[Cell] = [""] * 10


@dataclass(frozen=True)
class Customer:
    """One spreadsheet row. ``id`` is "" (blank), text, or a whole number."""

    id: str | int
    name: str
    contact: str
    email: str
    bill: Address
    payment_terms: str
    shipping_method: str
    ship: Address | None = None
    tax_id: str = ""
    customer_group: str = ""
    user_group: str = ""
    acme_id: str = ""

    def cells(self) -> list[Cell]:
        internal_id = ""  # always blank: these are all new customers
        ship = self.ship.cells() if self.ship else NO_ADDRESS_CELLS
        return [
            self.id,
            internal_id,
            self.name,
            self.contact,
            self.email,
            *self.bill.cells(),
            *ship,
            self.payment_terms,
            self.shipping_method,
            self.tax_id,
            self.customer_group,
            self.user_group,
            self.acme_id,
        ]


CUSTOMERS: tuple[Customer, ...] = (
    Customer(
        id="C00017",
        name="Harbor Hardware & Supply",
        contact="Dana Whitfield",
        email="orders@harborhardware.example",
        bill=Address("214 Atlantic Ave", "Boston", "MA", "02110", US, "(617) 555-0142"),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        tax_id="04-3817265",
        customer_group="wholesale",
        user_group=EAST,
        acme_id="AC-7781",
    ),
    Customer(
        id=10045,
        name="Café Lumière",
        contact="Élodie Marchand",
        email="commandes@cafelumiere.example, compta@cafelumiere.example",
        bill=Address("12 rue des Martyrs", "Paris", "", "75009", FR, "01 99 00 12 34"),
        payment_terms="Net 30",
        shipping_method="Colissimo",
        tax_id="FR40483920175",
        customer_group="retail",
    ),
    Customer(
        id="C00042",
        name="Müller Eisenwaren GmbH",
        contact="Jürgen Müller",
        email="einkauf@mueller-eisenwaren.example",
        bill=Address(
            "Kastanienallee 41",
            "Berlin",
            "",
            "10435",
            DE,
            "030 23125 417",
            fax="030 23125 418",
        ),
        ship=Address(
            "Industriestraße 7",
            "Berlin",
            "",
            "13407",
            DE,
            "030 23125 450",
            id="LAGER-NORD",
            name="Müller Eisenwaren - Lager Nord",
        ),
        payment_terms="Net 60",
        shipping_method="DHL Paket",
        tax_id="DE284716593",
        customer_group="wholesale",
        acme_id="AC-7790",
    ),
    Customer(
        id="",
        name="Greenway Garden Centre",
        contact="Priya Shah",
        email="buying@greenwaygardens.example",
        bill=Address(
            "Unit 4, Riverside Trading Estate",
            "Reading",
            "Berkshire",
            "RG1 8DQ",
            UK,
            "0118 496 0321",
            street2="Mill Lane",
        ),
        payment_terms="Net 30",
        shipping_method="DPD",
        tax_id="GB 284 5512 73",
        customer_group="retail",
    ),
    Customer(
        id="C00051",
        name="Blue Ridge Outfitters",
        contact="Marcus Bell",
        email="marcus@blueridge-outfitters.example; ap@blueridge-outfitters.example",
        bill=Address(
            "58 Lexington Ave", "Asheville", "NC", "28801", US, "(828) 555-0113"
        ),
        payment_terms="Net 30",
        shipping_method="FedEx 2Day",
        user_group=EAST,
        acme_id="AC-7802",
    ),
    Customer(
        id=10052,
        name="Pacific Grind Coffee Co.",
        contact="Kenji Sato",
        email="orders@pacificgrind.example",
        bill=Address(
            "1021 NW Glisan St", "Portland", "OR", "97209", US, "(503) 555-0126"
        ),
        ship=Address(
            "2250 NW Nicolai St",
            "Portland",
            "OR",
            "97210",
            US,
            "(503) 555-0127",
            id="ROASTERY",
            name="Pacific Grind Roastery",
        ),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        customer_group="wholesale",
        user_group=WEST,
    ),
    # DELIBERATELY WRONG (1): the name cell is blank.
    Customer(
        id="C00063",
        name="",
        contact="Sam Okafor",
        email="sam.okafor@example.com",
        bill=Address("88 Queen St W", "Toronto", "ON", "M5H 2M9", CA, "(416) 555-0187"),
        payment_terms="Due on receipt",
        shipping_method="Canada Post Expedited",
    ),
    Customer(
        id="C00064",
        name="Maple & Birch Hardware",
        contact="Louise Tremblay",
        email="orders@maplebirch.example",
        bill=Address("145 Bank St", "Ottawa", "ON", "K2P 1W8", CA, "(613) 555-0164"),
        payment_terms="Net 30",
        shipping_method="Purolator Ground",
        tax_id="812345678 RT0001",
        customer_group="wholesale",
        acme_id="AC-7815",
    ),
    Customer(
        id="C00071",
        name="Bondi Surf & Swim",
        contact="Lachlan Hughes",
        email="hello@bondisurfswim.example",
        bill=Address(
            "3/45 Campbell Pde", "Bondi Beach", "NSW", "2026", AU, "(02) 5550 1432"
        ),
        payment_terms="Net 30",
        shipping_method="Australia Post Parcel",
        tax_id="61 902 418 775",
        customer_group="retail",
    ),
    Customer(
        id="",
        name="The Crooked Spoon",
        contact="Fiona MacLeod",
        email="fiona@crookedspoon.example",
        bill=Address(
            "27 Victoria Street", "Edinburgh", "", "EH1 2HE", UK, "0131 496 0456"
        ),
        payment_terms="Due on receipt",
        shipping_method="Royal Mail Tracked 48",
    ),
    Customer(
        id=10061,
        name="Lakeside Pet & Feed",
        contact="Greg Lindqvist",
        email="greg@lakesidepetfeed.example orders@lakesidepetfeed.example",
        bill=Address(
            "702 Williamson St",
            "Madison",
            "WI",
            "53703",
            US,
            "(608) 555-0171",
            fax="(608) 555-0172",
        ),
        ship=Address(
            "4102 Femrite Dr",
            "Madison",
            "WI",
            "53716",
            US,
            "(608) 555-0175",
            street2="Dock 3",
            id="WH1",
            name="Lakeside Pet & Feed Warehouse",
        ),
        payment_terms="Net 60",
        shipping_method="Freight (LTL)",
        customer_group="wholesale",
        acme_id="AC-7829",
    ),
    Customer(
        id="C00078",
        name="Boutique Ondine",
        contact="Camille Rousseau",
        email="camille@boutique-ondine.example",
        bill=Address(
            "8 rue de la République", "Lyon", "", "69002", FR, "04 65 71 23 45"
        ),
        payment_terms="Net 30",
        shipping_method="Colissimo",
        customer_group="retail",
    ),
    Customer(
        id="C00082",
        name="Ironbark Timber & Tools",
        contact="Kylie Donovan",
        email="accounts@ironbark-timber.example",
        bill=Address(
            "112 Ipswich Rd", "Woolloongabba", "QLD", "4102", AU, "(07) 5550 2281"
        ),
        ship=Address(
            "17 Factory Rd",
            "Oxley",
            "QLD",
            "4075",
            AU,
            "(07) 5550 2290",
            id="YARD",
            name="Ironbark Timber Yard",
        ),
        payment_terms="Net 60",
        shipping_method="StarTrack Road Express",
        tax_id="38 155 602 914",
        customer_group="wholesale",
    ),
    Customer(
        id=10067,
        name="Sunset Boulevard Boutique",
        contact="Alexis Moreno",
        email="buyer@sunsetblvdboutique.example, accounts@sunsetblvdboutique.example",
        bill=Address(
            "8420 Sunset Blvd", "West Hollywood", "CA", "90069", US, "(323) 555-0119"
        ),
        payment_terms="Net 30",
        shipping_method="FedEx 2Day",
        customer_group="retail",
        user_group=WEST,
    ),
    Customer(
        id="C00090",
        name="Kaffeehaus Sonnenschein",
        contact="Anna Becker",
        email="anna.becker@kaffeehaus-sonnenschein.example",
        bill=Address("Große Elbstraße 14", "Hamburg", "", "22767", DE, "040 66969 214"),
        payment_terms="Net 30",
        shipping_method="DHL Paket",
        tax_id="DE317204588",
    ),
    Customer(
        id="C00093",
        name="Northside Paint & Hardware",
        contact="Tom Kowalski",
        email="tom@northsidepaint.example",
        bill=Address("2456 N Clark St", "Chicago", "IL", "60614", US, "(312) 555-0173"),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        tax_id="36-4729105",
        customer_group="wholesale",
        acme_id="AC-7841",
    ),
    # DELIBERATELY WRONG (2): the email cell is not a valid address.
    Customer(
        id="C00097",
        name="Brightside Café & Bakery",
        contact="Holly Turner",
        email="orders@@brightside",
        bill=Address(
            "14 Kensington Gardens",
            "Brighton",
            "East Sussex",
            "BN1 4AL",
            UK,
            "01632 960 184",
        ),
        payment_terms="Due on receipt",
        shipping_method="Royal Mail Tracked 48",
        customer_group="retail",
    ),
    Customer(
        id=10074,
        name="Prairie Sky Garden Centre",
        contact="Brent Lavoie",
        email="orders@prairiesky.example",
        bill=Address("1105 9 Ave SE", "Calgary", "AB", "T2G 0S9", CA, "(403) 555-0128"),
        ship=Address(
            "5220 52 St SE",
            "Calgary",
            "AB",
            "T2C 4N7",
            CA,
            "(403) 555-0129",
            id="GREENHOUSE",
            name="Prairie Sky Greenhouses",
        ),
        payment_terms="Net 30",
        shipping_method="Purolator Ground",
        tax_id="798212664 RT0001",
        customer_group="retail",
        acme_id="AC-7856",
    ),
    Customer(
        id="C00103",
        name="Ñandú Imports",
        contact="Martín Gutiérrez",
        email="compras@nandu-imports.example; martin@nandu-imports.example",
        bill=Address("1450 SW 8th St", "Miami", "FL", "33135", US, "(305) 555-0136"),
        payment_terms="Net 60",
        shipping_method="FedEx 2Day",
        tax_id="65-1180392",
        customer_group="wholesale",
        user_group=EAST,
    ),
    Customer(
        id="",
        name="The Tool Shed",
        contact="Jack O'Brien",
        email="jack@toolshed-fitzroy.example",
        bill=Address("201 Smith St", "Fitzroy", "VIC", "3065", AU, "(03) 5550 4471"),
        payment_terms="Due on receipt",
        shipping_method="Pickup",
    ),
    # The name holds a comma, so the CSV writer has to quote it.
    Customer(
        id="C00108",
        name="Smith, Jones & Daughters",
        contact="Rebecca Jones",
        email="rebecca@smithjones.example",
        bill=Address("93 Church St", "Burlington", "VT", "05401", US, "(802) 555-0155"),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        user_group=EAST,
        acme_id="AC-7862",
    ),
    Customer(
        id="C00110",
        name="Épicerie Fine Beaulieu",
        contact="Hélène Beaulieu",
        email="helene@epicerie-beaulieu.example",
        bill=Address(
            "21 cours de l'Intendance", "Bordeaux", "", "33000", FR, "05 35 00 47 82"
        ),
        payment_terms="Net 30",
        shipping_method="Chronopost",
        tax_id="FR72512947306",
    ),
    Customer(
        id=10083,
        name="Rainier Hardware Co.",
        contact="Nate Olsen",
        email="purchasing@rainierhardware.example",
        bill=Address(
            "3510 Fremont Ave N", "Seattle", "WA", "98103", US, "(206) 555-0167"
        ),
        ship=Address(
            "5950 4th Ave S",
            "Seattle",
            "WA",
            "98108",
            US,
            "(206) 555-0168",
            id="WH-SODO",
            name="Rainier Hardware Warehouse",
        ),
        payment_terms="Net 60",
        shipping_method="Freight (LTL)",
        tax_id="91-2036481",
        customer_group="wholesale",
        user_group=WEST,
        acme_id="AC-7870",
    ),
    Customer(
        id="C00115",
        name="Halifax Harbour Chandlery",
        contact="Colin MacDonald",
        email="colin@halifaxchandlery.example",
        bill=Address(
            "1869 Upper Water St", "Halifax", "NS", "B3J 1S9", CA, "(902) 555-0111"
        ),
        payment_terms="Net 30",
        shipping_method="Canada Post Expedited",
    ),
    Customer(
        id="C00119",
        name="Lavender Lane Gifts",
        contact="Sophie Hargreaves",
        email="sophie@lavenderlanegifts.example",
        bill=Address(
            "High Street",
            "Chipping Campden",
            "Gloucestershire",
            "GL55 6AT",
            UK,
            "01632 960 571",
        ),
        payment_terms="Net 30",
        shipping_method="Royal Mail Tracked 48",
        customer_group="retail",
    ),
    Customer(
        id="C00121",
        name="Werkstatt Schneider & Söhne",
        contact="Klaus Schneider",
        email="bestellung@schneider-soehne.example",
        bill=Address(
            "Venloer Str. 221",
            "Köln",
            "Nordrhein-Westfalen",
            "50823",
            DE,
            "0221 4710 213",
            fax="0221 4710 214",
        ),
        payment_terms="Net 30",
        shipping_method="DHL Paket",
        tax_id="DE129475360",
        customer_group="wholesale",
        acme_id="AC-7884",
    ),
    Customer(
        id="",
        name="Sweetwater Mercantile",
        contact="Lena Alvarez",
        email="hello@sweetwatermerc.example",
        bill=Address(
            "1601 S Congress Ave", "Austin", "TX", "78704", US, "(512) 555-0148"
        ),
        payment_terms="Due on receipt",
        shipping_method="Pickup",
    ),
    Customer(
        id=10090,
        name="Fremantle Fishing & Marine",
        contact="Dean Kowalczyk",
        email="dean@fremantlemarine.example",
        bill=Address("42 Mews Rd", "Fremantle", "WA", "6160", AU, "(08) 5550 3320"),
        payment_terms="Net 30",
        shipping_method="StarTrack Road Express",
        tax_id="24 603 117 842",
        customer_group="wholesale",
    ),
    # DELIBERATELY WRONG (3): one good address followed by one that is not an email.
    Customer(
        id="C00126",
        name="Greenleaf Nursery & Landscape Supply",
        contact="Maria Castillo",
        email="sales@greenleaf.example; not-an-email",
        bill=Address(
            "2800 Freeport Blvd", "Sacramento", "CA", "95818", US, "(916) 555-0133"
        ),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        customer_group="wholesale",
        user_group=WEST,
        acme_id="AC-7891",
    ),
    Customer(
        id="C00130",
        name="Atelier Mireille",
        contact="Mireille Dupont",
        email="atelier@atelier-mireille.example, mireille@atelier-mireille.example",
        bill=Address("5 rue de France", "Nice", "", "06000", FR, "04 65 71 88 10"),
        payment_terms="Net 30",
        shipping_method="Colissimo",
        customer_group="retail",
    ),
    Customer(
        id="C00134",
        name="Riverbend Books & Café",
        contact="Charlotte Greene",
        email="charlotte@riverbendbooks.example",
        bill=Address(
            "22 W Broughton St", "Savannah", "GA", "31401", US, "(912) 555-0146"
        ),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        customer_group="retail",
        user_group=EAST,
    ),
    Customer(
        id=10097,
        name="Yarra Valley Providore",
        contact="Olivia Bennett",
        email="olivia@yarravalleyprovidore.example",
        bill=Address(
            "18 Maroondah Hwy", "Healesville", "VIC", "3777", AU, "(03) 5550 9012"
        ),
        ship=Address(
            "140 Old Healesville Rd",
            "Yarra Glen",
            "VIC",
            "3775",
            AU,
            "(03) 5550 9020",
            id="CELLAR-DOOR",
            name="Yarra Valley Providore Cellar Door",
        ),
        payment_terms="Net 30",
        shipping_method="Australia Post Parcel",
        acme_id="AC-7905",
    ),
    Customer(
        id="C00139",
        name="Kingsway Cycle Works",
        contact="Arjun Dhillon",
        email="arjun@kingswaycycle.example",
        bill=Address(
            "2405 Main St", "Vancouver", "BC", "V5T 3E1", CA, "(604) 555-0182"
        ),
        payment_terms="Net 30",
        shipping_method="Purolator Ground",
        customer_group="retail",
    ),
    Customer(
        id="",
        name="Zum Goldenen Löwen",
        contact="Stefan Hoffmann",
        email="info@goldener-loewe.example",
        bill=Address(
            "Berger Straße 97",
            "Frankfurt am Main",
            "Hessen",
            "60316",
            DE,
            "069 90009 514",
        ),
        payment_terms="Due on receipt",
        shipping_method="DHL Paket",
    ),
    Customer(
        id="C00142",
        name="Granite State General Store",
        contact="Walter Pike",
        email="walt@granitestategeneral.example",
        bill=Address("12 N Main St", "Concord", "NH", "03301", US, "(603) 555-0124"),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        user_group=EAST,
        acme_id="AC-7917",
    ),
    # bill_street2 holds a line break, as typed with Alt+Enter in Excel.
    Customer(
        id="C00147",
        name="Thames Valley Trade Supplies Ltd",
        contact="Gareth Evans",
        email="purchasing@tvtradesupplies.example",
        bill=Address(
            "Unit 12",
            "Oxford",
            "Oxfordshire",
            "OX2 0ES",
            UK,
            "01632 960 733",
            street2="Osney Mead Industrial Estate\nAttn: Accounts Payable",
        ),
        ship=Address(
            "Unit 3, Horspath Road",
            "Oxford",
            "Oxfordshire",
            "OX4 2RD",
            UK,
            "01632 960 740",
            street2="Goods In",
            id="HORSPATH",
            name="Thames Valley Trade Supplies - Depot",
        ),
        payment_terms="Net 60",
        shipping_method="Pallet delivery",
        tax_id="GB 371 9042 18",
        customer_group="wholesale",
        acme_id="AC-7920",
    ),
    Customer(
        id=10102,
        name="Mesa Verde Pottery & Home",
        contact="Rosa Chavez",
        email="rosa@mesaverdepottery.example; orders@mesaverdepottery.example",
        bill=Address("225 Canyon Rd", "Santa Fe", "NM", "87501", US, "(505) 555-0179"),
        payment_terms="Net 30",
        shipping_method="FedEx 2Day",
        customer_group="retail",
    ),
    Customer(
        id="C00151",
        name="Boulangerie Saint-Honoré",
        contact="Mathieu Gagnon",
        email="mathieu@boulangerie-sthonore.example",
        bill=Address(
            "4150 rue Saint-Denis", "Montréal", "QC", "H2W 2M5", CA, "(514) 555-0133"
        ),
        payment_terms="Net 30",
        shipping_method="Canada Post Expedited",
        tax_id="745120983 RT0001",
        customer_group="retail",
    ),
    Customer(
        id="C00156",
        name="Liverpool Barista Supplies",
        contact="Ryan Doyle",
        email="ryan@liverpoolbarista.example",
        bill=Address(
            "40 Bold Street", "Liverpool", "Merseyside", "L1 4DS", UK, "0151 496 0622"
        ),
        payment_terms="Net 30",
        shipping_method="DPD",
        tax_id="GB 409 1187 52",
        customer_group="wholesale",
    ),
    # DELIBERATELY WRONG (4): Excel turned the numeric id 123456789012 into
    # scientific notation, and it was saved as the text "1.23457E+11".
    Customer(
        id="1.23457E+11",
        name="Copper Kettle Kitchenware",
        contact="Jenna Price",
        email="jenna@copperkettle.example",
        bill=Address("2760 E 3rd Ave", "Denver", "CO", "80206", US, "(303) 555-0161"),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        customer_group="retail",
    ),
    Customer(
        id=10110,
        name="Salamanca Wool & Craft",
        contact="Megan Fraser",
        email="megan@salamancawool.example",
        bill=Address("77 Salamanca Pl", "Hobart", "TAS", "7004", AU, "(03) 5550 6618"),
        payment_terms="Net 30",
        shipping_method="Australia Post Parcel",
        customer_group="retail",
    ),
    Customer(
        id="C00162",
        name="Bergmann Gartenbedarf",
        contact="Lukas Bergmann",
        email="l.bergmann@bergmann-garten.example",
        bill=Address(
            "Leopoldstraße 120",
            "München",
            "Bayern",
            "80802",
            DE,
            "089 99998 305",
            fax="089 99998 306",
        ),
        ship=Address(
            "Ismaninger Straße 3",
            "Unterföhring",
            "Bayern",
            "85774",
            DE,
            "089 99998 340",
            id="GAERTNEREI",
            name="Gärtnerei Bergmann",
        ),
        payment_terms="Net 60",
        shipping_method="Spedition",
        tax_id="DE246810357",
        customer_group="wholesale",
        acme_id="AC-7948",
    ),
    Customer(
        id="",
        name="Glasgow Grind",
        contact="Callum Reid",
        email="callum@glasgowgrind.example",
        bill=Address("118 Byres Road", "Glasgow", "", "G12 8TB", UK, "0141 496 0777"),
        payment_terms="Due on receipt",
        shipping_method="Royal Mail Tracked 48",
        customer_group="retail",
    ),
    Customer(
        id="C00168",
        name="Sonoma Valley Vineyard Supply",
        contact="Eric Lundgren",
        email="eric@sonomavineyardsupply.example",
        bill=Address("350 W Napa St", "Sonoma", "CA", "95476", US, "(707) 555-0105"),
        ship=Address(
            "21800 8th St E",
            "Sonoma",
            "CA",
            "95476",
            US,
            "(707) 555-0106",
            street2="Receiving Dock B",
            id="DOCK-B",
            name="Sonoma Valley Vineyard Supply",
        ),
        payment_terms="Net 60",
        shipping_method="Freight (LTL)",
        tax_id="68-0452197",
        customer_group="wholesale",
        user_group=WEST,
        acme_id="AC-7953",
    ),
    Customer(
        id=10118,
        name="Quincaillerie Dubois",
        contact="Antoine Dubois",
        email="commandes@quincaillerie-dubois.example, a.dubois@example.net",
        bill=Address(
            "34 rue Esquermoise",
            "Lille",
            "",
            "59800",
            FR,
            "03 53 01 44 27",
            fax="03 53 01 44 28",
        ),
        payment_terms="Net 60",
        shipping_method="Messagerie",
        tax_id="FR18390574216",
        customer_group="wholesale",
    ),
    Customer(
        id="C00173",
        name="Okanagan Orchard & Garden",
        contact="Heather Klassen",
        email="heather@okanaganorchard.example",
        bill=Address("1475 Ellis St", "Kelowna", "BC", "V1Y 2A3", CA, "(250) 555-0140"),
        payment_terms="Net 30",
        shipping_method="Purolator Ground",
        customer_group="retail",
    ),
    Customer(
        id="C00177",
        name="Cape Cod Candle Co.",
        contact="Molly Sullivan",
        email="molly@capecodcandle.example",
        bill=Address("540 Main St", "Hyannis", "MA", "02601", US, "(508) 555-0192"),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        user_group=EAST,
        acme_id="AC-7966",
    ),
    Customer(
        id=10124,
        name="Darling Harbour Homewares",
        contact="Chloe Nguyen",
        email="chloe@darlingharbourhome.example",
        bill=Address(
            "Shop 12, 2 Darling Dr", "Sydney", "NSW", "2000", AU, "(02) 5550 7780"
        ),
        ship=Address(
            "Unit 5, 14 Lidco St",
            "Arndell Park",
            "NSW",
            "2148",
            AU,
            "(02) 5550 7795",
            id="ARNDELL",
            name="Darling Harbour Homewares - Warehouse",
        ),
        payment_terms="Net 30",
        shipping_method="StarTrack Road Express",
        tax_id="73 418 205 661",
        customer_group="wholesale",
    ),
    Customer(
        id="C00180",
        name="Nordlicht Feinkost",
        contact="Greta Jensen",
        email="greta.jensen@example.org",
        bill=Address(
            "Ottenser Hauptstraße 52", "Hamburg", "", "22765", DE, "040 66969 128"
        ),
        payment_terms="Net 30",
        shipping_method="DHL Paket",
    ),
    Customer(
        id="C00184",
        name="Hudson Valley Hardware",
        contact="Frank DeLuca",
        email="frank@hudsonvalleyhardware.example",
        bill=Address("310 Wall St", "Kingston", "NY", "12401", US, "(845) 555-0157"),
        ship=Address(
            "75 Smith Ave",
            "Kingston",
            "NY",
            "12401",
            US,
            "(845) 555-0158",
            id="ANNEX",
            name="Hudson Valley Hardware Annex",
        ),
        payment_terms="Net 30",
        shipping_method="UPS Ground",
        customer_group="wholesale",
        user_group=EAST,
        acme_id="AC-7979",
    ),
)


def rows() -> list[list[Cell]]:
    """Return the data rows (without the header) in spreadsheet order."""
    return [customer.cells() for customer in CUSTOMERS]


def write_csv(path: Path) -> None:
    """Write UTF-8 CSV (no BOM) with Excel's CRLF line endings."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows())


def _customers_sheet(sheet: Any) -> None:
    sheet.title = SHEET_NAME
    sheet.append(HEADERS)
    for row in rows():
        sheet.append([None if value == "" else value for value in row])
    sheet.freeze_panes = "A2"


def write_xlsx(path: Path) -> None:
    """Write the workbook; numeric ids stay numbers, blanks stay empty cells."""
    workbook = Workbook()
    _customers_sheet(workbook.worksheets[0])
    _save_stable(workbook, path)


# The other three templates of the bulk-import page, for the workbook that
# holds all four: what the customers above refer to, and more addresses.
CUSTOMER_GROUPS: tuple[tuple[str, int, str, str], ...] = (
    ("retail", 1, "Retail", "USD"),
    ("wholesale", 0, "Wholesale", "USD"),
)
OPTIONS: tuple[tuple[str, str, int], ...] = (
    ("paymentTerms", "Net 30", 1),
    ("paymentTerms", "Net 60", 0),
    ("paymentTerms", "Due on receipt", 0),
    *(
        ("shippingMethod", method, int(method == "UPS Ground"))
        for method in (
            "UPS Ground",
            "FedEx 2Day",
            "DHL Paket",
            "DPD",
            "Colissimo",
            "Chronopost",
            "Canada Post Expedited",
            "Purolator Ground",
            "Australia Post Parcel",
            "StarTrack Road Express",
            "Royal Mail Tracked 48",
            "Freight (LTL)",
            "Pallet delivery",
            "Pickup",
            "Spedition",
        )
    ),
    # "Messagerie" is left out on purpose: its rows show an unknown-option
    # warning.
    ("ccType", "Visa", 1),
    ("ccType", "Mastercard", 0),
    ("ccType", "American Express", 0),
)
SHIP_TO_HEADERS = (
    "cust_id",
    "cust_name",
    *(header for header in HEADERS if header.startswith("ship_")),
)
#: Additional ship-to addresses: by cust_id, and two by cust_name.
SHIP_TO: tuple[tuple[str, str, Address], ...] = (
    (
        "C00017",
        "",
        Address(
            "9 Fid Kennedy Ave", "Boston", "MA", "02210", US, "(617) 555-0190",
            id="DOCK-2", name="Harbor Hardware - Dock 2",
        ),
    ),
    (
        "C00017",
        "",
        Address(
            "1 Marine Park", "Boston", "MA", "02127", US,
            id="MARINA", name="Harbor Hardware - Marina",
        ),
    ),
    (
        "C00184",
        "",
        Address(
            "12 Prince St", "Kingston", "NY", "12401", US,
            id="DEPOT", name="Hudson Valley Hardware Depot",
        ),
    ),
    (
        "",
        "Nordlicht Feinkost",
        Address(
            "Große Elbstraße 145", "Hamburg", "", "22767", DE,
            id="HAFEN", name="Nordlicht Feinkost - Hafenlager",
        ),
    ),
    (
        "",
        "Granite State General Store",
        Address(
            "48 Depot Rd", "Concord", "NH", "03301", US,
            name="Granite State - Depot Road",
        ),
    ),
)  # fmt: skip


def write_workbook(path: Path) -> None:
    """Write the workbook of the four templates: customer groups, options,
    the customers above, and additional ship-to addresses."""
    workbook = Workbook()
    groups = workbook.worksheets[0]
    groups.title = "Customer groups"
    groups.append(("id", "isDefault", "name", "currency"))
    for group in CUSTOMER_GROUPS:
        groups.append(group)
    options = workbook.create_sheet("Options")
    options.append(("key", "value", "isDefault"))
    for option in OPTIONS:
        options.append(option)
    _customers_sheet(workbook.create_sheet(SHEET_NAME))
    ship_to = workbook.create_sheet("Ship-to")
    ship_to.append(SHIP_TO_HEADERS)
    for customer_id, name, address in SHIP_TO:
        ship_to.append(
            [customer_id or None, name or None, *(c or None for c in address.cells())]
        )
    for sheet in workbook.worksheets:
        sheet.freeze_panes = "A2"
    _save_stable(workbook, path)


def _save_stable(workbook: Workbook, path: Path) -> None:
    """Save *workbook* so that the same data gives the same bytes."""
    workbook.properties.creator = "Handshake import examples"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP

    # ``Workbook.save`` would stamp "modified" with the current time, so the
    # writer is driven directly; the zip entries are then re-stamped with the
    # fixed date so the file comes out identical on every run.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()

    stable = io.BytesIO()
    date_time = (
        FIXED_TIMESTAMP.year,
        FIXED_TIMESTAMP.month,
        FIXED_TIMESTAMP.day,
        FIXED_TIMESTAMP.hour,
        FIXED_TIMESTAMP.minute,
        FIXED_TIMESTAMP.second,
    )
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    path.write_bytes(stable.getvalue())


def main() -> None:
    write_xlsx(XLSX_PATH)
    write_csv(CSV_PATH)
    write_workbook(WORKBOOK_PATH)
    print(
        f"Wrote {len(CUSTOMERS)} customers to {XLSX_PATH.name} and {CSV_PATH.name}, "
        f"and the four templates to {WORKBOOK_PATH.name}"
    )


if __name__ == "__main__":
    main()
