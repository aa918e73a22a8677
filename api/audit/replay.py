"""``tangopass replay``: rebuild every projection from the events and compare."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import ExitStack
from pathlib import Path

import click

from tangopass.api.audit.common import (
    EXIT_CODES, FOUND, AuditError, db_option, decoder, progress, resolve_db, shown,
)
from tangopass.api.audit.targets import refuse_live_target
from tangopass.auditor.compare import COMPARED_TABLES
from tangopass.auditor.rebuild import ReplayError, replay as run_replay


@click.command(epilog=EXIT_CODES)
@db_option
@click.option("--keep", "keep_path", default=None, metavar="FILE",
              help="Also keep the rebuilt database at FILE (must not exist yet).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(0),
              help="Show at most this many differing rows (0: all).")
def replay(db_path: str | None, keep_path: str | None, limit: int) -> None:
    """Rebuild every projection from the event store and compare it with the live database.

    The events are replayed, in their recorded order, through the same projector
    functions the server runs, into a fresh temporary database; then the tables
    (students, lots, lesson_events, registrations, ledger_events, the week tables and the
    event_hash_chain, recomputed from the stored events) are compared row by
    row. The live database is opened read-only and read in one snapshot, so it
    is safe while the server runs. Differences are listed as TABLE [key]
    student N (name): column: expected X (from the events), found Y (live).
    """
    db_path = resolve_db(db_path)
    if keep_path:
        refuse_live_target(keep_path, db_path, "--keep")
    if keep_path and Path(keep_path).exists():
        raise AuditError(f"{keep_path} already exists; choose a new file for --keep")
    with tempfile.TemporaryDirectory(prefix="tangopass-replay-") as scratch:
        target = str(Path(scratch) / "rebuilt.db")
        with ExitStack() as stack:
            bar: list = []

            def on_count(total: int) -> None:
                bar.append(stack.enter_context(progress(total, "Replaying events")))

            try:
                result = run_replay(db_path, target, decoder(), lambda n: bar[0](n), on_count)
            except ReplayError as ex:
                click.echo(f"DIFFERENT: {ex}; the projections cannot follow from these events"
                           " (run `tangopass verify` for the full report)")
                raise SystemExit(FOUND) from None
            except sqlite3.Error as ex:
                raise AuditError(f"cannot replay {db_path}: {ex}") from None
        if keep_path:
            _keep(target, keep_path)
    comparison = result.comparison
    for note in comparison.notes:
        click.echo(f"note: {note}")
    compared = ", ".join(t for t in COMPARED_TABLES if t in comparison.tables)
    if comparison.identical:
        click.echo(f"OK: replayed {result.events} events; the rebuilt tables equal the live ones"
                   f" ({compared}).")
        return
    click.echo(f"DIFFERENT: replayed {result.events} events; {len(comparison.diffs)} rows differ"
               " (expected = rebuilt from the events, found = live database):")
    lines = [diff.describe(result.names) for diff in comparison.diffs]
    for line in shown(lines, limit):
        click.echo(f"  {line}")
    raise SystemExit(FOUND)


def _keep(target: str, keep_path: str) -> None:
    """Copy the rebuilt database to ``keep_path``: whole or not at all, never over a file."""
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    keep = Path(keep_path)
    partial = keep.with_name(f".{keep.name}.partial-{os.getpid()}")
    try:
        shutil.copyfile(target, partial)
        os.link(partial, keep)  # fails if keep_path appeared meanwhile: nothing is replaced
    except FileExistsError:
        raise AuditError(f"{keep_path} already exists; choose a new file for --keep") from None
    finally:
        partial.unlink(missing_ok=True)
