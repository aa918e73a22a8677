"""Apply the schema to a PostgreSQL database: the same files, in the same order, as on SQLite.

Every top-level ``schema/*.sql`` is a migration for SQLite and D1. On
PostgreSQL each one is applied once too, under the same name: its twin in
``schema/postgres/`` when there is one (the event store's types, triggers in
PL/pgSQL), else the SQLite file translated (INTEGER to BIGINT, BLOB to BYTEA,
no WITHOUT ROWID, no REFERENCES, INSERT OR IGNORE to ON CONFLICT DO NOTHING), so a
migration that only adds tables, columns, indexes or rows needs no twin. A SQLite
trigger cannot be translated: such a file needs its twin, and applying refuses until
it has one.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import psycopg

from tangopass.projections.schema import SchemaMissing, schema_files, statements

LOCK_KEY = 746861  # any constant: one migrator at a time

TRANSLATIONS = (
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\)\s*WITHOUT\s+ROWID", re.I), ")"),
    # Declared, never enforced on SQLite (foreign_keys is off): not enforced here either.
    (re.compile(r"\s+REFERENCES\s+\w+\s*\([\w\s,]+\)", re.I), ""),
)
UNTRANSLATABLE = re.compile(r"\b(CREATE\s+TRIGGER|AUTOINCREMENT|INSERT\s+OR\s+|PRAGMA)\b", re.I)


def twins_dir() -> Path:
    return Path(str(files("tangopass.schema.postgres")))


INSERT_OR_IGNORE = re.compile(r"^INSERT\s+OR\s+IGNORE\s+INTO\b", re.I)


def translated(path: Path) -> str:
    """The SQLite file as PostgreSQL SQL; ValueError if it needs a hand-written twin."""
    out = []
    for statement in statements(path.read_text()):
        if INSERT_OR_IGNORE.match(statement):  # the same meaning, in PostgreSQL's words
            statement = INSERT_OR_IGNORE.sub("INSERT INTO", statement).rstrip().rstrip(";")
            statement += " ON CONFLICT DO NOTHING"
        if UNTRANSLATABLE.search(statement):
            raise ValueError(
                f"{path.name} has SQLite-only SQL ({UNTRANSLATABLE.search(statement).group(0)!r}):"
                f" write its PostgreSQL twin as schema/postgres/{path.name}"
            )
        for pattern, replacement in TRANSLATIONS:
            statement = pattern.sub(replacement, statement)
        out.append(statement.rstrip().rstrip(";") + ";")
    return "\n".join(out)


def script_for(path: Path) -> str:
    twin = twins_dir() / path.name
    return twin.read_text() if twin.is_file() else translated(path)


def apply_schema(url: str) -> list[str]:
    """Create or migrate the database at ``url``; return the names of the files applied now."""
    found = schema_files()
    if not found:
        raise SchemaMissing("no schema files")
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            applied = []
            for path in found:
                if path.name in done:
                    continue
                conn.execute(script_for(path))  # several statements: no parameters
                conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (path.name,))
                applied.append(path.name)
    return applied
