"""Open a store from what the user typed: a file path (SQLite) or a postgresql:// URL."""

from __future__ import annotations

import itertools

from tangopass.projections.storage.port import Store

_MEMORY_NUMBERS = itertools.count(1)


def is_postgres(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def postgres_to_sqlite(url: str, path: str) -> int:
    """Copy a PostgreSQL database into a new SQLite file (see ``dump``); the number of events."""
    from tangopass.projections.storage.dump import postgres_to_sqlite as copy

    return copy(url, path)


def open_store(location: str, **options) -> Store:
    """The adapter for ``location``; its schema must already be applied (see ``migrate``)."""
    if is_postgres(location):
        from tangopass.projections.storage.postgres import PostgresStore

        return PostgresStore(location, **options)
    from tangopass.projections.storage.sqlite import SQLiteStore

    return SQLiteStore(location, **options)


def memory_store() -> Store:
    """A fresh SQLite database in memory, schema applied, alive while the store is open.

    For service-layer unit tests: the real engine and schema, no file, no fsync.
    """
    import os

    from tangopass.projections.schema import apply_schema
    from tangopass.projections.storage.sqlite import SQLiteStore

    location = f"file:tangopass-{os.getpid()}-{next(_MEMORY_NUMBERS)}?mode=memory&cache=shared"
    store = SQLiteStore(location)
    store.connection()  # keeps the shared in-memory database alive
    apply_schema(location)
    return store




def migrate(location: str) -> list[str]:
    """Create or migrate the database at ``location``; the names of the files applied now."""
    if is_postgres(location):
        from tangopass.projections.storage.postgres_schema import apply_schema as apply_postgres

        return apply_postgres(location)
    from tangopass.projections.schema import apply_schema

    return apply_schema(location)
