"""docs/problems.md documents exactly the codes of the catalogue."""

from __future__ import annotations

import re
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
