"""``tangopass backup``: a consistent online copy, then verified."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click

from tangopass.api.audit.common import EXIT_CODES, FOUND, AuditError, db_option, readonly, resolve_db
from tangopass.api.audit.targets import refuse_live_target
from tangopass.api.audit.verify import print_report, run_verify


def copy_database(db_path: str, to: str) -> int:
    """Copy ``db_path`` into the new file ``to`` in one read snapshot; return its size.

    SQLite's online backup API copies the pages as they are, so rowids (the
    notification ids the hash chain commits to) are kept exactly (VACUUM INTO
    may renumber a table without INTEGER PRIMARY KEY, like stored_events).
    It copies in a single step: one read transaction that never blocks the
    server's writers (WAL) and, unlike a copy in steps, is not restarted by them.
    The copy is written beside its target and renamed into place when complete,
    in rollback-journal mode, so it is one self-contained file.
    """
    target = Path(to)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with readonly(db_path) as source:
            copy = sqlite3.connect(partial, isolation_level=None)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
                check = copy.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise AuditError(f"the copy failed SQLite's quick_check: {check}")
            finally:
                copy.close()
        os.replace(partial, target)
    except BaseException:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"),
                         Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)
        raise
    return target.stat().st_size


@click.command(epilog=EXIT_CODES)
@db_option
@click.option("--to", "to", required=True, metavar="FILE", help="The backup file to create.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0),
              help="Show at most this many problems of the verification (0: all).")
def backup(db_path: str | None, to: str, force: bool, limit: int) -> None:
    """Copy the database while the server runs, then verify the copy.

    The copy is a consistent snapshot (SQLite's online backup API, from a
    read-only connection: the server keeps writing meanwhile). Then the same
    checks as `tangopass verify` run on the copy, and its chain head is printed:
    write it down to check this backup (or the live database) later with
    `tangopass verify --expect-head`. Exit 1 when the copy does not verify (the
    copy is kept, for inspection).
    """
    db_path = resolve_db(db_path)
    refuse_live_target(to, db_path, "--to")
    if Path(to).exists() and not force:
        raise AuditError(f"{to} already exists; use --force to replace it")
    try:
        size = copy_database(db_path, to)
    except sqlite3.Error as ex:
        raise AuditError(f"cannot back up {db_path}: {ex}") from None
    click.echo(f"Backup written: {to} ({size} bytes)")
    report = run_verify(to, label="Verifying the copy")
    print_report(report, limit)
    if not report.ok:
        raise SystemExit(FOUND)
