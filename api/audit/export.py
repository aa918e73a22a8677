"""``tangopass export``: the journal as CSV or JSON lines."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from tangopass.api.audit.common import READ_OUT_EXIT_CODES, AuditError, db_option, readonly, resolve_db
from tangopass.api.audit.targets import refuse_live_target
from tangopass.projections.export import ledger_rows, write_csv, write_jsonl


@click.command(epilog=READ_OUT_EXIT_CODES)
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="CSV for spreadsheets, JSON lines for scripts.")
@click.option("--student", "student_id", type=click.IntRange(1), default=None, metavar="ID",
              help="Only this student's entries.")
@click.option("--out", "out_path", default=None, metavar="FILE",
              help="Write to FILE (replaced atomically) instead of stdout.")
def export(db_path: str | None, fmt: str, student_id: int | None, out_path: str | None) -> None:
    """Write the whole ledger (every ledger_events entry, with the student's name).

    Columns: id, student_id, student_name, seq, ts, type, delta_credits,
    balance_after, ref_lot_id, ref_lesson_id, ref_event_id, note, actor,
    recorded_at; in entry order. In CSV, a text cell that starts with = + - @,
    a tab or a carriage return gets a leading ' so no spreadsheet evaluates it
    as a formula; numbers stay numbers. The database is opened read-only.
    """
    db_path = resolve_db(db_path)
    if out_path is not None:
        refuse_live_target(out_path, db_path, "--out")
    writer = write_csv if fmt == "csv" else write_jsonl
    with readonly(db_path) as conn:
        conn.execute("BEGIN")
        if student_id is not None and conn.execute(
            "SELECT 1 FROM students WHERE id = ?", (student_id,)
        ).fetchone() is None:
            raise AuditError(f"no student with id {student_id}")
        rows = ledger_rows(conn, student_id)
        if out_path is None:
            out = sys.stdout
            count = writer(rows, out)
            out.flush()
        else:
            count = _to_file(out_path, writer, rows)
        conn.execute("ROLLBACK")
    if out_path is not None:
        click.echo(f"{count} entries written to {out_path}", err=True)


def _to_file(out_path: str, writer, rows) -> int:
    target = Path(out_path)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            count = writer(rows, out)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return count

