"""The composition root: from settings to a ready application and its queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tangopass.api.clock import system_now
from tangopass.api.context import Context
from tangopass.api.settings import Settings
from tangopass.ledger.application import TangoPass, Terms
from tangopass.projections.queries import Queries
from tangopass.projections.schema import apply_schema

LOCK_TIMEOUT_SECONDS = 30


def open_ledger(db_path: str, terms: Terms, queries: Queries | None = None) -> TangoPass:
    """The application on a SQLite file whose schema is already applied."""
    env = {
        "PERSISTENCE_MODULE": "tangopass.projections.sqlite_store:TangoSQLiteFactory",
        "SQLITE_DBNAME": db_path,
        "SQLITE_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
        "CREATE_TABLE": "n",  # schema/ is the one source of the tables
        "AGGREGATE_CACHE_MAXSIZE": "2000",
    }
    return TangoPass(env, terms=terms, queries=queries or Queries(db_path))


def open_context(
    settings: Settings, clock: Callable[[], datetime] = system_now, migrate: bool = True
) -> Context:
    if migrate:
        apply_schema(settings.db_path)
    queries = Queries(settings.db_path, LOCK_TIMEOUT_SECONDS)
    ledger = open_ledger(settings.db_path, Terms(settings.tz, settings.window_hours), queries)
    return Context(ledger=ledger, queries=queries, settings=settings, clock=clock)
