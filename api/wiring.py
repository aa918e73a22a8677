"""The composition root: from settings to a ready application and its queries."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tangopass.api.clock import system_now
from tangopass.api.context import Context
from tangopass.api.settings import Settings
from tangopass.ledger.application import TangoPass, Terms
from tangopass.projections.queries import Queries
from tangopass.projections.storage.event_store import EventStore
from tangopass.projections.storage.group_runner import GroupCommitRunner
from tangopass.projections.storage.runner import CommandRunner
from tangopass.projections.storage.stores import is_postgres, open_store
from tangopass.projections.storage.stores import migrate as apply_schema


def command_lock_path(location: str, env: dict | None = None) -> str | None:
    """``<db>.lock`` for a SQLite file shared by worker processes, unless TANGOPASS_COMMAND_LOCK=0."""
    env = os.environ if env is None else env
    if (env.get("TANGOPASS_COMMAND_LOCK") or "1") == "0" or is_postgres(location):
        return None
    if ":memory:" in location or "mode=memory" in location:
        return None
    return f"{location}.lock"


def group_commit(location: str, env: dict | None = None) -> bool:
    """Group commit on SQLite (see group_runner.py), unless TANGOPASS_GROUP_COMMIT=0.

    The default since bench/serving_shape.py and http_ceiling.py measured it
    against one transaction per command in the same runs (bench/README.md).
    PostgreSQL keeps one transaction per command.
    """
    env = os.environ if env is None else env
    return (env.get("TANGOPASS_GROUP_COMMIT") or "1") != "0" and not is_postgres(location)


def open_ledger(location: str, terms: Terms, queries: Any = None, *, store: Any = None,
                **store_options) -> TangoPass:
    """The application on a SQLite file or PostgreSQL database whose schema is applied.

    ``queries`` defaults to the read models of the same store; ``store`` to
    the one ``queries`` reads, else a new one opened on ``location``.
    """
    if store is None:
        store = queries.store if isinstance(queries, Queries) else open_store(location, **store_options)
    if queries is None:
        queries = Queries(store)
    events = EventStore(store)
    kind = GroupCommitRunner if group_commit(location) else CommandRunner
    runner = kind(store, events.cache, lock_path=command_lock_path(location))

    def close() -> None:
        runner.close()
        store.close()

    return TangoPass(events, runner, terms=terms, queries=queries, on_close=close)


def open_context(
    settings: Settings, clock: Callable[[], datetime] = system_now, migrate: bool = True
) -> Context:
    if migrate:
        apply_schema(settings.db_path)
    queries = Queries(open_store(settings.db_path))
    ledger = open_ledger(settings.db_path, Terms(settings.tz, settings.window_hours), queries)
    return Context(ledger=ledger, queries=queries, settings=settings, clock=clock)
