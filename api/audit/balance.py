"""``tangopass balance --as-of``: every student's balance at a past instant, from the events."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import click

from tangopass.api.audit.common import READ_OUT_EXIT_CODES, AuditError, db_option, decoder, progress, readonly, resolve_db
from tangopass.auditor.balance import balances_as_of
from tangopass.auditor.reading import stored_rows, to_stored_event
from tangopass.ledger.instants import iso
from tangopass.projections.export import csv_cell


def parse_instant(ctx: click.Context, param: click.Parameter, value: str) -> datetime:
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 instant (like 2026-01-01T00:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


COLUMNS = ("student_id", "name", "credits_available", "recorded_balance", "expired_unrecorded",
           "usable_lots")


@click.command(epilog=READ_OUT_EXIT_CODES)
@db_option
@click.option("--as-of", "as_of", required=True, callback=parse_instant, metavar="INSTANT",
              help="ISO 8601 instant, e.g. 2026-01-01T00:00:00Z. Without an offset it is read"
                   " in UTC (not the studio time zone); a bare date means 00:00:00 UTC.")
@click.option("--student", "student_id", type=click.IntRange(1), default=None, metavar="ID",
              help="Only this student.")
@click.option("--include-backdated", is_flag=True,
              help="Also count purchases recorded after the instant but dated (purchased_at)"
                   " at or before it.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "jsonl"]), default="text",
              show_default=True)
def balance(db_path: str | None, as_of: datetime, student_id: int | None,
            include_backdated: bool, fmt: str) -> None:
    """Every student's balance at a past instant, computed from the events alone.

    \b
    "At an instant" means what the books said at that instant, as any read
    would have shown it then:
      - the events recorded at or before it count (their recording time); a
        purchase recorded later counts only with --include-backdated, even if
        it was dated earlier;
      - a lot counts as expired once the instant >= its expires_at (as moved by
        EXTEND entries recorded by then), even if its EXPIRE entry was written
        later (EXPIRE entries are dated at expires_at but written lazily);
      - students added after the instant are not listed.
    \b
    Columns: credits_available (usable at the instant), recorded_balance (the
    balance_after of the last entry written by then), expired_unrecorded
    (credits that had expired by then but whose EXPIRE entry came later),
    usable_lots. The database is opened read-only.
    """
    db_path = resolve_db(db_path)
    decode = decoder()
    with readonly(db_path) as conn:
        conn.execute("BEGIN")
        try:
            if student_id is not None and conn.execute(
                "SELECT 1 FROM students WHERE id = ?", (student_id,)
            ).fetchone() is None:
                raise AuditError(f"no student with id {student_id}")
            total = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
            with progress(total, "Reading events") as update:
                students = balances_as_of(
                    _decoded(stored_rows(conn), decode, update), as_of, include_backdated
                )
        except sqlite3.Error as ex:
            raise AuditError(f"cannot read {db_path}: {ex}") from None
        finally:
            conn.execute("ROLLBACK")
    if student_id is not None:
        students = [s for s in students if s.id == student_id]
    rows = [
        {
            "student_id": s.id, "name": s.name, "credits_available": s.available(as_of),
            "recorded_balance": s.recorded_balance,
            "expired_unrecorded": s.expired_unrecorded(as_of),
            "usable_lots": s.usable_lots(as_of),
        }
        for s in students
    ]
    _print(rows, fmt, as_of)


def _decoded(rows: Iterable[tuple], decode: Callable, update: Callable[[int], None]):
    for done, row in enumerate(rows, 1):
        yield decode(to_stored_event(row))
        if done % 1000 == 0:
            update(1000)


def _print(rows: list[dict], fmt: str, as_of: datetime) -> None:
    out = sys.stdout
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({"as_of": iso(as_of), **row}, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(("as_of",) + COLUMNS)
        for row in rows:
            writer.writerow([iso(as_of)] + [csv_cell(row[c]) for c in COLUMNS])
        return
    click.echo(f"Balances as of {iso(as_of)} ({len(rows)} students)")
    width = max([len(str(r["name"])) for r in rows] + [4])
    click.echo(f"{'id':>6}  {'name':<{width}}  {'available':>9}  {'recorded':>8}  "
               f"{'expired*':>8}  {'lots':>4}")
    for r in rows:
        click.echo(f"{r['student_id']:>6}  {r['name']:<{width}}  {r['credits_available']:>9}  "
                   f"{r['recorded_balance']:>8}  {r['expired_unrecorded']:>8}  {r['usable_lots']:>4}")
    click.echo("* expired by then, EXPIRE entry written later")
