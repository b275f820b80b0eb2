"""docs/problems.md documents exactly the codes of the catalogue."""

from __future__ import annotations

import re
import string
from pathlib import Path

from handshake_import._problems import CATALOGUE, quote

DOC = Path(__file__).resolve().parent.parent / "docs" / "problems.md"


def test_every_code_is_documented_and_no_other() -> None:
    """Each catalogue code has a `## \\`code\\`` section, and each section a code."""
    documented = re.findall(
        r"^## `([a-z0-9-]+)`\s*$", DOC.read_text("utf-8"), re.MULTILINE
    )

    assert sorted(CATALOGUE) == sorted(documented)


def test_codes_are_kebab_case() -> None:
    """Codes are stable kebab-case identifiers."""
    assert [] == [
        code for code in CATALOGUE if not re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", code)
    ]


def test_quote_escapes_and_shortens() -> None:
    """Quoted values have no raw control characters and at most 80 characters."""
    assert "'\\x1b[31mred'" == quote("\x1b[31mred")
    assert "'a\\u202eb'" == quote("a\u202eb")
    assert "'it\\'s'" == quote("it's")
    assert 82 == len(quote("x" * 500))
    assert quote("x" * 500).endswith("…'")


def _sections() -> dict[str, str]:
    parts = re.split(r"^## `([a-z0-9-]+)`\s*$", DOC.read_text("utf-8"), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _template_pattern(template: str) -> str:
    """A pattern matching every message of *template*, spaces normalised."""
    pattern = ""
    for literal, field, _, _ in string.Formatter().parse(template):
        pattern += re.escape(literal)
        if field is not None:
            pattern += ".*?"
    return pattern


def test_each_example_message_is_what_the_code_says() -> None:
    """The italic example under each code is a message its template can
    give: an example left behind by a changed message fails here."""
    stale = {}
    for code, section in _sections().items():
        found = re.search(r"\*\*Example:\*\* \*(.+?)\*(?=\s|$)", section, re.S)
        assert found is not None, f"{code}: no '**Example:** *...*'"
        example = " ".join(found.group(1).split())
        if not re.fullmatch(_template_pattern(CATALOGUE[code].template), example):
            stale[code] = example

    assert {} == stale
