"""User code that reconciles and applies through a store typed by protocol,
type-checked by mypy --strict as part of the suite."""

from __future__ import annotations

from sqlalchemy import Engine

from handshake_import import (
    ApplyResult,
    InMemoryStore,
    WritableCustomerStore,
    reconcile,
)
from handshake_import.adapters.sqlalchemy import SQLAlchemyStore, default_tables
from handshake_import.adapters.sqlite import SQLiteStore


def import_file(data: bytes, store: WritableCustomerStore) -> ApplyResult | None:
    plan = reconcile(data, store)
    if not plan.ok:
        return None
    return store.apply(plan)


def import_both(data: bytes, path: str) -> list[ApplyResult | None]:
    with SQLiteStore(path) as database:
        return [import_file(data, InMemoryStore()), import_file(data, database)]


def import_with_sqlalchemy(data: bytes, engine: Engine) -> ApplyResult | None:
    return import_file(data, SQLAlchemyStore(engine, default_tables(prefix="app_")))
