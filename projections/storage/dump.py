"""Copy a PostgreSQL database into a SQLite file: what the auditor commands read.

The auditor's tools (verify, replay, export, balance) read SQLite files; given a
``postgresql://`` URL they first copy the database here, in one read snapshot,
table by table and row by row, notification ids (``rowid``) included, so the
hash chain, the journal and every projection are the same bytes. ``tangopass
backup`` of a URL writes exactly this file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from tangopass.projections.schema import apply_schema

BATCH = 5000


def postgres_to_sqlite(url: str, path: str) -> int:
    """Copy every table the SQLite schema knows into the NEW file ``path``; the number of events.

    Raises FileExistsError rather than mix two databases in one file.
    """
    if Path(path).exists():
        raise FileExistsError(f"{path} exists: a copy goes into a new file")
    apply_schema(path)
    target = sqlite3.connect(path, isolation_level=None)
    target.execute("PRAGMA synchronous=OFF")  # a copy: made again if lost
    local = {row[0] for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    events = 0
    try:
        target.execute("BEGIN")
        with psycopg.connect(url, autocommit=True) as source:
            with source.transaction():
                source.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                tables = [row[0] for row in source.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                    " ORDER BY table_name"
                )]
                for table in tables:
                    if table == "schema_migrations" or table not in local:
                        continue
                    copied = _copy(source, target, table)
                    if table == "stored_events":
                        events = copied
        target.execute("COMMIT")
    finally:
        target.close()
    return events


def _copy(source: psycopg.Connection, target: sqlite3.Connection, table: str) -> int:
    cursor = source.cursor(name=f"dump_{table}")  # server-side: rows arrive in batches
    cursor.itersize = BATCH
    order = "rowid" if table == "stored_events" else "1"
    cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")  # noqa: S608 - our own table names
    columns = [c.name for c in cursor.description]
    if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():  # noqa: S608
        # A row the schema itself wrote (the installation id): the source's wins.
        target.execute(f"DELETE FROM {table}")  # noqa: S608
    insert = (f"INSERT INTO {table} ({', '.join(columns)})"
              f" VALUES ({', '.join('?' for _ in columns)})")
    count = 0
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            break
        target.executemany(insert, [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in batch
        ])
        count += len(batch)
    cursor.close()
    return count
