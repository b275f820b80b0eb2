"""A minimal Django app for the reconciling benchmark's comparison.

It holds one model, `models.Customer`, with a text column per template
column, and `resources.CustomerResource`, the django-import-export resource
that imports the customer CSV into it. Nothing here is imported by
handshake_import; it needs the ``bench`` extra (django, django-import-export,
tablib). Call `configure` once per process before importing the other two
modules.
"""

from __future__ import annotations

from pathlib import Path

APP = "_django_app"


def configure(database: Path) -> None:
    """Configure Django in this process: an SQLite file and this app only."""
    import django  # noqa: PLC0415 - only the comparison child needs Django
    from django.conf import settings  # noqa: PLC0415

    settings.configure(
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}
        },
        INSTALLED_APPS=[APP],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
    )
    django.setup()


def create_tables() -> None:
    """Create the app's table directly (the app has no migrations)."""
    from django.db import connection  # noqa: PLC0415

    from .models import Customer  # noqa: PLC0415

    with connection.schema_editor() as editor:
        editor.create_model(Customer)
