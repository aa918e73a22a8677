"""What the auditor commands share: exit codes, read-only access, the decoder, progress."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from tangopass.auditor.reading import open_readonly
from tangopass.projections.storage.stores import is_postgres, postgres_to_sqlite

OK, FOUND, TROUBLE = 0, 1, 2
EXIT_CODES = (
    "Exit status: 0 all good; 1 the check found a problem (reported on stdout); "
    "2 bad usage, or the database is missing or unreadable."
)
# For the commands that only read out (export, balance): they check nothing, so no 1.
READ_OUT_EXIT_CODES = "Exit status: 0 done; 2 bad usage, or the database is missing or unreadable."


class AuditError(click.ClickException):
    """The command could not run (missing or unreadable database, bad input): exit 2."""

    exit_code = TROUBLE

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def db_option(fn: Callable) -> Callable:
    return click.option(
        "--db", "db_path", default=None, metavar="PATH",
        help="SQLite file or postgresql:// URL [default: $TANGOPASS_DB or ./tangopass.db]."
             " Opened read-only (a PostgreSQL database is first copied to a temporary file)."
             " A .sql file is read as a SQL dump, such as Cloudflare's"
             " `wrangler d1 export --output FILE.sql`.",
    )(fn)


def resolve_db(db_path: str | None) -> str:
    """The SQLite file to audit: the path given, or a fresh copy of a dump or a PostgreSQL database.

    A ``postgresql://`` URL is copied, in one read snapshot, into a temporary
    SQLite file (removed at exit) with the same rows and notification ids, so
    every check below reads the same bytes whatever the store.
    """
    location = db_path or os.environ.get("TANGOPASS_DB") or "tangopass.db"
    if location.endswith(".sql"):
        return dump_as_database(location)
    if not is_postgres(location):
        return location
    folder = tempfile.mkdtemp(prefix="tangopass-audit-")
    atexit.register(shutil.rmtree, folder, True)
    copy = os.path.join(folder, "copy-of-postgres.db")
    try:
        postgres_to_sqlite(location, copy)
    except Exception as ex:  # noqa: BLE001 - any driver or server error: exit 2, named
        from tangopass.projections.storage.postgres import masked

        raise AuditError(f"cannot read {masked(location)}: {ex}") from None
    return copy


def dump_as_database(dump_path: str) -> str:
    """A SQL dump (the D1 database of the Worker, exported) loaded into a scratch SQLite file.

    The dump is executed as written, schema, triggers and rows; the scratch file
    is removed when the command exits. The auditor's checks then read it as
    they read the server's database.
    """
    try:
        script = Path(dump_path).read_text()
    except OSError as ex:
        raise AuditError(f"cannot read {dump_path}: {ex}") from None
    scratch = Path(tempfile.mkdtemp(prefix="tangopass-dump-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    target = scratch / (Path(dump_path).stem + ".db")
    conn = sqlite3.connect(target)
    try:
        conn.executescript(script)
    except sqlite3.Error as ex:
        raise AuditError(f"{dump_path} is not a SQL dump SQLite can load: {ex}") from None
    finally:
        conn.close()
    return str(target)


@contextmanager
def readonly(db_path: str) -> Iterator[sqlite3.Connection]:
    """The live database, read-only (``file:PATH?mode=ro``): the auditor never writes to it."""
    try:
        conn = open_readonly(db_path)
    except sqlite3.Error as ex:
        raise AuditError(f"cannot open {db_path} read-only: {ex}") from None
    try:
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stored_events'"
        ).fetchone() is None:
            raise AuditError(f"{db_path} is not a Tango Pass database (no stored_events table)")
        yield conn
    finally:
        conn.close()


def decoder() -> Callable[[Any], Any]:
    """The application's own event codec (same transcodings); opens no database."""
    from tangopass.projections.storage.codec import mapper

    return mapper().to_domain_event


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (stdout stays clean for data)."""
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update


def shown(lines: list[str], limit: int) -> list[str]:
    """At most ``limit`` lines (0: all), with a note of how many were left out."""
    if limit and len(lines) > limit:
        return lines[:limit] + [f"... and {len(lines) - limit} more (use --limit 0 to see all)"]
    return lines
