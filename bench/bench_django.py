"""django-import-export comparison (opt-in): ``reconcile`` against
django-import-export's dry run of the same import. Needs the ``bench`` extra:

    pip install -e '.[bench]'
    python bench/bench_django.py [--rows 10000] [--quick]

Both meet the same stored customers (`_files.iter_existing` of the file,
nothing else): an `InMemoryStore` for ``reconcile``, an SQLite table of one
text column per template column for django-import-export. See
bench/README.md; the script reports and exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from collections import Counter
from pathlib import Path

from _files import HEADER, iter_existing, write_csv
from _harness import (
    Result,
    Runs,
    main,
    measure,
    print_runs,
    print_targets,
    ratio,
    target,
    write,
)
from bench_reconcile import child_reconcile, expected

SCRIPT = str(Path(__file__).resolve())
EXTRA = ("django", "import_export", "tablib")
INSTALL = "pip install -e '.[bench]'"
# Model field -> CSV column: ``id`` is the model's primary key and
# ``id:Acme Tools`` no identifier; every other field is named as its column.
COLUMNS = {
    {"id": "crm_id", "id:Acme Tools": "acme_tools_id"}.get(column, column): column
    for column in HEADER
}


def child_django(path: str, rows: str) -> Result:
    """Django in this process, an SQLite file holding the stored customers
    (inserted before the clock), the CSV loaded into a tablib Dataset (not
    timed); times ``CustomerResource().import_data(dataset, dry_run=True)``."""
    import django  # noqa: PLC0415 - only this child needs the extra
    import tablib  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="hsi-bench-django-") as tmp:
        settings.configure(
            DATABASES={
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": str(Path(tmp, "bench.sqlite3")),
                }
            },
            INSTALLED_APPS=["bench_django"],  # this module, as an app of its own
            DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
            USE_TZ=True,
        )
        django.setup()
        from django.db import connection, models  # noqa: PLC0415
        from import_export import fields, resources  # noqa: PLC0415

        text = {  # blank cells stored as ""
            name: models.CharField(
                max_length=255, blank=True, default="", unique=name == "crm_id"
            )
            for name in COLUMNS
        }
        meta = type("Meta", (), {"app_label": "bench_django"})
        model = type(
            "Customer", (models.Model,), {"__module__": __name__, "Meta": meta, **text}
        )
        with connection.schema_editor() as editor:
            editor.create_model(model)
        existing = list(iter_existing(int(rows)))
        kinds = Counter(kind for kind, _ in existing)
        model.objects.bulk_create(
            model(**{name: cells[column] for name, column in COLUMNS.items()})
            for _, cells in existing
        )
        # Matched on the CSV's id; rows that change nothing skipped; the
        # defaults otherwise: a query per row, a diff of every row.
        options = {
            "model": model,
            "fields": tuple(COLUMNS),
            "import_id_fields": ("crm_id",),
            "skip_unchanged": True,
            "report_skipped": True,
        }
        resource = type(
            "CustomerResource",
            (resources.ModelResource,),
            {
                "Meta": type("Meta", (), options),
                **{
                    name: fields.Field(attribute=name, column_name=COLUMNS[name])
                    for name in ("crm_id", "acme_tools_id")
                },
            },
        )
        with open(path, encoding="utf-8", newline="") as fh:
            dataset = tablib.Dataset().load(fh.read(), format="csv")
        start = time.perf_counter()
        outcome = resource().import_data(dataset, dry_run=True)
        seconds = time.perf_counter() - start
        connection.close()
    totals = {str(kind): count for kind, count in outcome.totals.items()}
    got = {kind: totals.get(key, 0) for kind, key in _KINDS.items()}
    result: Result = {"seconds": seconds, "totals": totals}
    if got != expected(int(rows), kinds) or outcome.has_errors():
        result["warning"] = f"import_data totals {totals}"
    return result


_KINDS = {"create": "new", "update": "update", "unchanged": "skip"}
CHILDREN = {"reconcile": child_reconcile, "django": child_django}


def bench(args: argparse.Namespace, workdir: Path) -> None:
    missing = [name for name in EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        print(f"skipped: {', '.join(missing)} not installed; {INSTALL}")
        return
    rows = args.rows
    path = write(workdir / f"customers_{rows}.csv", write_csv, rows)
    runs = [
        Runs("reconcile, CSV -> plan", rows, ["reconcile", path, rows, 0]),
        Runs("django-import-export dry run", rows, ["django", path, rows]),
    ]
    print("Measuring")
    measure(SCRIPT, runs, args.repeat, args.timeout)
    print()
    actions, totals = runs[0].last("actions") or {}, runs[1].last("totals") or {}
    runs[0].note = ", ".join(f"{kind} {actions.get(kind, 0):,}" for kind in _KINDS)
    runs[1].note = ", ".join(f"{key} {totals.get(key, 0):,}" for key in _KINDS.values())
    print_runs(runs, args.repeat)
    versus = ratio(runs[0].rate, runs[1].rate)
    print_targets(
        [target("reconcile / django-import-export, rows/s", versus, ">=", 50, ".1f")],
        runs,
    )


if __name__ == "__main__":
    raise SystemExit(
        main(
            "django-import-export comparison (needs the bench extra).",
            CHILDREN,
            {"rows": (10_000, 2_000)},
            bench,
        )
    )
