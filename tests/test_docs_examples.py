"""The examples in docs/ work as shown.

Each page's ``>>>`` examples run in order in one namespace holding the
package's public names, as a reader pastes them into one session after
``from handshake_import import *``. The example adapter of docs/stores.md
passes the conformance kit, run as the page shows.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import handshake_import

DOCS = Path(__file__).resolve().parent.parent / "docs"
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
_PAGES = sorted(
    page.name for page in DOCS.glob("*.md") if ">>> " in page.read_text("utf-8")
)


def _python_blocks(page: Path) -> list[str]:
    return [block.group(1) for block in _PYTHON_BLOCK.finditer(page.read_text("utf-8"))]


def _examples(page: Path) -> list[doctest.Example]:
    """The page's examples, numbered by their lines in the page."""
    text = page.read_text("utf-8")
    parser = doctest.DocTestParser()
    examples = []
    for block in _PYTHON_BLOCK.finditer(text):
        offset = text.count("\n", 0, block.start(1))
        for example in parser.get_examples(block.group(1), page.name):
            example.lineno += offset
            examples.append(example)
    return examples


def test_the_pages_with_examples_are_found() -> None:
    """The search for examples finds the pages that have them."""
    assert "reconcile.md" in _PAGES


@pytest.mark.parametrize("name", _PAGES)
def test_examples_give_the_output_shown(name: str) -> None:
    """Every ``>>>`` example of the page gives the output the page shows."""
    page = DOCS / name
    examples = _examples(page)
    namespace = {
        public: getattr(handshake_import, public) for public in handshake_import.__all__
    }
    test = doctest.DocTest(examples, namespace, name, str(page), 0, None)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    report: list[str] = []

    runner.run(test, out=report.append)

    assert examples
    assert 0 == runner.failures, "".join(report)


def _adapter_authors_pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    """pytest run in *folder* as an adapter author runs it: none of this
    suite's pytest options (such as .ci/run's --hypothesis-profile, a
    profile only our conftest registers)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        check=False,
        capture_output=True,
        text=True,
        cwd=folder,
        env={**environment, "PYTHONPATH": str(folder)},
    )


@pytest.mark.slow
def test_the_example_adapter_passes_the_conformance_kit(tmp_path: Path) -> None:
    """docs/stores.md's SQLite adapter, saved as ``myapp/stores.py``, passes
    the page's conformance test file with the counts the page shows."""
    page = DOCS / "stores.md"
    blocks = _python_blocks(page)
    (adapter,) = [block for block in blocks if "class SqliteCustomerStore" in block]
    (kit,) = [block for block in blocks if "(StoreConformance)" in block]
    shown = re.search(r"^(\d+ passed, \d+ skipped) in ", page.read_text("utf-8"), re.M)
    assert shown is not None, "stores.md shows no pytest summary"
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "stores.py").write_text(adapter, encoding="utf-8")
    (tmp_path / "test_sqlite_store.py").write_text(kit, encoding="utf-8")

    result = _adapter_authors_pytest(tmp_path)

    assert 0 == result.returncode, result.stdout + result.stderr
    assert f"{shown.group(1)} in " in result.stdout


@pytest.mark.slow
def test_the_django_recipe_passes_the_conformance_kit(tmp_path: Path) -> None:
    """docs/adapters.md's Django recipe, its four files saved as their first
    lines name them, passes its conformance test with the count shown."""
    django = pytest.importorskip("django")
    if django.VERSION < (5, 1):
        pytest.skip("the recipe needs Django 5.1 (transaction_mode)")
    page = DOCS / "adapters.md"
    section = page.read_text("utf-8").split("## A Django recipe", 1)[1]
    section = section.split("\n## ", 1)[0]
    files = {
        block.group(1).splitlines()[0].removeprefix("# "): block.group(1)
        for block in _PYTHON_BLOCK.finditer(section)
    }
    shown = re.search(r"^(\d+ passed) in ", section, re.M)
    assert shown is not None, "the recipe shows no pytest summary"
    assert [
        "conftest.py",
        "crm/models.py",
        "crm/stores.py",
        "test_django_store.py",
    ] == (sorted(files))
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "__init__.py").write_text("")
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")

    result = _adapter_authors_pytest(tmp_path)

    assert 0 == result.returncode, result.stdout + result.stderr
    assert f"{shown.group(1)} in " in result.stdout


def test_the_complete_example_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/reconcile.md's complete example: its file, then each piece of
    code and the output the page shows after it."""
    text = (DOCS / "reconcile.md").read_text("utf-8")
    section = text.split("## A complete example", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    (file_kind, csv_text), *steps = blocks
    assert "" == file_kind
    (tmp_path / "customers.csv").write_text(csv_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}

    assert steps
    assert len(steps) % 2 == 0, "each piece of code is followed by its output"
    for (kind, code), (output_kind, shown) in zip(
        steps[0::2], steps[1::2], strict=True
    ):
        assert ("python", "") == (kind, output_kind)
        exec(compile(code, "reconcile.md", "exec"), namespace)

        assert shown == capsys.readouterr().out
