"""The text of a workbook: Excel's _xHHHH_ escapes read as Excel shows them,
the shared-strings table read by the library (indices outside it are
damage), and a bound on the text a workbook may make."""

from __future__ import annotations

import io
import random
import re
import time
import zipfile
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handshake_import import (
    ImportFileError,
    LimitExceededError,
    Limits,
    ReadResult,
    read_customers,
)
from handshake_import._readers import _strings
from handshake_import._readers._strings import unescape

from .tables import (
    measured,
    rewrite_part,
    streamed_into,
    with_shared_strings,
    xlsx_bytes,
)

MiB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def cells(result: ReadResult) -> list[tuple[str | None, str]]:
    return [(row.customer.id, row.customer.name) for row in result.rows]


# -- Excel's escapes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("C_x002D_1003", "C-1003"),
        ("Line one_x000D_\nLine two", "Line one\r\nLine two"),
        ("tab_x0009_here", "tab\there"),
        ("_x005F_x000D_", "_x000D_"),
        ("_x005f_", "_"),
        ("IDx005F_77", "IDx005F_77"),
        ("ID_x005F_77", "ID_77"),
        ("_x0041__x0042_", "AB"),
        ("_xD83D__xDE00_", "\U0001f600"),
        ("_xD800_ alone", "_xD800_ alone"),
        ("_xD83D__x0041_", "_xD83D_A"),
        ("_x0041", "_x0041"),
        ("_x41_", "_x41_"),
        ("_xZZZZ_", "_xZZZZ_"),
        ("_x0000_", "\x00"),
        ("plain", "plain"),
    ],
)
def test_unescape(written: str, text: str) -> None:
    """Each _xHHHH_ is the character it names; a pair of UTF-16 halves one
    character; what only looks like part of an escape is kept."""
    assert text == unescape(written)


escape_parts = st.lists(
    st.one_of(
        st.text(alphabet="ab_x05F", max_size=4),
        st.sampled_from(["_x", "_x005F_", "_x000D_", "x005F_", "_x002D_", "_"]),
        st.integers(0, 0xFFFF).map(lambda code: f"_x{code:04X}_"),
    ),
    max_size=8,
)


def escaped(text: str) -> str:
    """*text* as Excel writes it: each _ that starts what would read as an
    escape as _x005F_, each control character as _xHHHH_."""
    text = re.sub(r"_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", text)
    return re.sub(r"[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m[0]):04X}_", text)


@given(
    st.text(alphabet="ab_x05FD\r\n\x01\x00", max_size=30) | escape_parts.map("".join)
)
def test_what_excel_escapes_reads_back(text: str) -> None:
    """Whatever the text, written as Excel writes it, reads back as itself."""
    assert text == unescape(escaped(text))


#: Texts as a workbook's XML holds them, and what Excel shows.
ESCAPED = {
    "S1": ("C_x002D_1003", "C-1003"),
    "S2": ("Line one_x000D_\nLine two", "Line one\r\nLine two"),
    "S3": ("IDx005F_77", "IDx005F_77"),
    "S4": ("_x005F_x000D_ kept", "_x000D_ kept"),
}


def escapes_as(where: str) -> bytes:
    """A workbook whose id and name cells hold the ESCAPED texts, *where*:
    in the shared-strings table, as inline strings, or as formulas' text."""
    table = [["id", "name"], *([key, f"N{key}"] for key in ESCAPED)]
    data = xlsx_bytes(table)
    texts = {key: written for key, (written, _) in ESCAPED.items()}
    texts.update({f"N{key}": written for key, (written, _) in ESCAPED.items()})
    if where == "shared":
        return with_shared_strings(
            data,
            written={k: f'<t xml:space="preserve">{v}</t>' for k, v in texts.items()},
        )
    change = {}
    for key, written in texts.items():
        inline = f"<is><t>{key}</t></is>"
        if where == "inline":
            change[inline] = f'<is><t xml:space="preserve">{written}</t></is>'
        else:
            change[f't="inlineStr">{inline}'] = f't="str"><f>A1</f><v>{written}</v>'
    return rewrite_part(data, SHEET, change)


@pytest.mark.parametrize("where", ["shared", "inline", "formula"])
def test_escapes_are_read_as_excel_shows_them(where: str) -> None:
    """C_x002D_1003 is C-1003, a carriage return Excel wrote as _x000D_ is
    one, and a literal x005F_ is kept (openpyxl deleted it), wherever the
    workbook keeps the text."""
    result = read_customers(escapes_as(where))

    assert () == result.problems
    expected = [(shown, shown) for _, shown in ESCAPED.values()]
    assert expected == cells(result)


def test_rich_text_is_its_runs_without_the_phonetic_ones() -> None:
    """A shared string in runs is their text; phonetic guides are not part
    of it (what openpyxl reads, and what Excel shows)."""
    runs = (
        '<r><t>Line one_x000D_</t></r><r><rPr><b/></rPr><t xml:space="preserve">'
        '\nLine two</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh>'
    )
    guided = '<t>Plain</t><rPh sb="0" eb="1"><t>PHONETIC</t></rPh>'
    data = with_shared_strings(
        xlsx_bytes([["name"], ["S1"], ["S2"]]), written={"S1": runs, "S2": guided}
    )

    result = read_customers(data)

    assert ["Line one\r\nLine two", "Plain"] == [
        row.customer.name for row in result.rows
    ]


# -- indices outside the table -----------------------------------------------------


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (
            "-1",
            "row 2 of sheet 'Customers' refers to shared string -1, and the table has 3",
        ),
        ("3", "refers to shared string 3, and the table has 3"),
        ("-4", "refers to shared string -4"),
        ("1048576", "refers to shared string 1,048,576"),
    ],
)
def test_a_shared_string_outside_the_table_is_damage(index: str, message: str) -> None:
    """A negative index read the table's last string (a list counts from its
    end); an index past it failed inside openpyxl. Either is damage, named."""
    data = with_shared_strings(xlsx_bytes([["name"], ["Acme"], ["Beta"]]))
    assert b"<v>1</v>" in dict(parts(data))[SHEET]
    data = rewrite_part(data, SHEET, {"<v>1</v>": f"<v>{index}</v>"})

    with pytest.raises(ImportFileError) as caught:
        read_customers(data)

    assert "xlsx" == caught.value.detected
    assert message in str(caught.value)
    assert str(caught.value).startswith("This looks like an Excel workbook (.xlsx)")


@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_any_index_reads_its_string_or_is_damage(index: int) -> None:
    """Inside the table a cell reads its string; anywhere else, the file is
    damaged; never another string."""
    data = with_shared_strings(xlsx_bytes([["name"], ["Acme"], ["Beta"], ["Gamma"]]))
    data = rewrite_part(data, SHEET, {"<v>1</v>": f"<v>{index}</v>"})

    if 0 <= index < 4:
        first = read_customers(data).rows[0]
        assert ["name", "Acme", "Beta", "Gamma"][index] == first.customer.name
    else:
        with pytest.raises(ImportFileError, match=f"refers to shared string {index:,}"):
            read_customers(data)


def parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


# -- the text a workbook may make ------------------------------------------------


def with_strings(count: int, *, mixed: bool = False) -> bytes:
    """A workbook whose shared-strings table has *count* more one-letter
    strings: all ``a`` (a few bits each once compressed), or *mixed*, a
    ``b`` one time in eight (about a hundredth of their size)."""
    data = with_shared_strings(xlsx_bytes([["name"], ["Acme"]]))
    return streamed_into(data, STRINGS, b"</sst>", _string_blocks(count, mixed=mixed))


#: The strings of each byte's eight bits: a for 0, b for 1.
_EIGHT = [
    b"".join(b"<si><t>%s</t></si>" % b"ab"[(byte >> bit) & 1 :][:1] for bit in range(8))
    for byte in range(256)
]


def _string_blocks(count: int, *, mixed: bool) -> Iterator[bytes]:
    """*count* one-letter strings, in blocks of 8,000."""
    bits = random.Random(count)
    for _ in range(count // 8_000):
        # A b one time in eight.
        ones = (
            bits.getrandbits(8_000) & bits.getrandbits(8_000) & bits.getrandbits(8_000)
        )
        data = ones.to_bytes(1_000, "big") if mixed else bytes(1_000)
        yield b"".join(_EIGHT[byte] for byte in data)


def test_a_table_of_more_strings_than_the_budget_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each string costs 64 characters at least: a table of more strings
    than the workbook's text budget allows is refused while the archive is
    checked, before a string is read."""
    monkeypatch.setattr(_strings, "TEXT_FLOOR", 1_000)
    data = with_strings(100_000)
    budget = 10 * len(data)
    assert 100_000 * 64 > budget

    def unread(*args: object) -> None:
        raise AssertionError("the table was read")

    monkeypatch.setattr("handshake_import._readers._xlsx.read_shared_strings", unread)
    with pytest.raises(LimitExceededError) as caught:
        read_customers(data, limits=Limits(max_compression_ratio=10))

    error = caught.value
    assert ("max_compression_ratio", 10, "xlsx") == (
        error.limit,
        error.value,
        error.detected,
    )
    assert str(error) == (
        f"This workbook of {len(data):,} bytes makes more than {budget:,} "
        "characters of text from its shared strings (10 times its size), as a zip "
        "bomb does. It is refused. If the file is genuine, raise "
        "Limits.max_compression_ratio."
    )


def test_the_table_is_paid_for_as_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings the archive check does not count (written with a namespace
    prefix) are counted as they are read."""
    monkeypatch.setattr(_strings, "TEXT_FLOOR", 1_000)
    data = with_strings(20_000)
    # The same names, in the same namespace, under a prefix.
    table = dict(parts(data))[STRINGS].decode()
    prefixed = re.sub(r"<(/?)(sst|si|t)([ >])", r"<\1x:\2\3", table)
    data = rewrite_part(
        data, STRINGS, {table: prefixed.replace("<x:sst xmlns=", "<x:sst xmlns:x=")}
    )
    assert 20_000 * 64 > 10 * len(data)

    with pytest.raises(LimitExceededError) as caught:
        read_customers(data, limits=Limits(max_compression_ratio=10))

    assert "makes more than" in str(caught.value)
    assert len(read_customers(data, limits=Limits(max_compression_ratio=1_000)).rows)


def test_cells_referring_to_a_long_string_are_paid_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cell refers to a string of 32,767 characters in a few bytes: the
    text the cells make counts against the budget too, and a workbook whose
    cells make more is refused in seconds (each such row was read, and
    reported as cell-too-long, for as long as it took)."""
    monkeypatch.setattr(_strings, "TEXT_FLOOR", 10 * MiB)
    long = "x" * 32_767
    table = [["name", "notes"], *(["Acme", "LONG"] for _ in range(2_000))]
    data = with_shared_strings(xlsx_bytes(table), written={"LONG": f"<t>{long}</t>"})
    assert len(data) < 100_000

    started = time.perf_counter()
    with pytest.raises(LimitExceededError) as caught:
        read_customers(data)

    assert time.perf_counter() - started < 5
    assert "max_compression_ratio" == caught.value.limit
    fewer = with_shared_strings(
        xlsx_bytes(table[:200]), written={"LONG": f"<t>{long}</t>"}
    )
    assert 199 == len(read_customers(fewer).rows)


def test_an_ordinary_table_is_within_the_budget() -> None:
    """100,000 strings of 20 characters, cells referring to each a few times:
    read, within the floor of 64 Mi characters."""
    table = [
        ["id", "name"],
        *([f"C{n:07d}", f"Customer number {n:05d}"] for n in range(20_000)),
    ]
    data = with_shared_strings(xlsx_bytes(table))

    result = read_customers(data)

    assert 20_000 == len(result.rows)
    assert () == result.problems


@pytest.mark.slow
def test_a_shared_strings_slow_bomb_is_refused_in_seconds() -> None:
    """A 2 MB workbook of 12 million one-letter strings (204 MB of XML, a
    ratio of about 100, under the cap of 200): openpyxl took 110 s and 1.8 GB
    to load it (MemoryError under 1 GiB); it is refused in seconds, in
    little memory."""
    data = with_strings(12_000_000, mixed=True)
    assert len(data) < 2.5 * MiB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        table = archive.getinfo(STRINGS)
    assert 50 < table.file_size / table.compress_size < 200

    error, elapsed, peak = measured(lambda: read_customers(data))

    assert isinstance(error, LimitExceededError)
    assert "max_compression_ratio" == error.limit
    assert "characters of text from its shared strings" in str(error)
    assert elapsed < 15
    assert peak < 50 * MiB
