"""``tangopass verify``: every balance follows from the events; nothing was rewritten."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from tangopass.api.audit.common import (
    EXIT_CODES, FOUND, AuditError, db_option, decoder, progress, readonly, resolve_db, shown,
)
from tangopass.projections.chain import Head
from tangopass.auditor.books import Problem, VerifyReport
from tangopass.auditor.verify import iter_problems, verify_connection
from tangopass.auditor.verify_report import report_problems


def studio_zone() -> ZoneInfo:
    """The zone months are counted in: ``TANGOPASS_TZ``, as for ``tangopass serve``."""
    name = os.environ.get("TANGOPASS_TZ") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AuditError(f"TANGOPASS_TZ={name!r} is not an IANA time zone name") from None


def run_verify(db_path: str, expect_head: Head | None = None, label: str = "Verifying") -> VerifyReport:
    with readonly(db_path) as conn:
        total = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()[0]
        try:
            with progress(total, label) as update:
                report = verify_connection(conn, decoder(), expect_head=expect_head, progress=update)
            for message in report_problems(conn, decoder(), studio_zone(), datetime.now(UTC)):
                report.problems.append(Problem("report", message))
            return report
        except sqlite3.Error as ex:
            raise AuditError(f"cannot read {db_path}: {ex}") from None


def summary(report: VerifyReport) -> str:
    return (f"{report.events} events, {report.students} students, {report.lots} lots;"
            f" chain head {report.head or '(none)'}")


def print_report(report: VerifyReport, limit: int, err: bool = False) -> None:
    if report.ok:
        click.echo(f"OK: {summary(report)}", err=err)
        if report.expected_head_ok:
            click.echo(f"OK: the chain at #{report.expected_head.notification_id} has the expected"
                       " hash: nothing up to there was rewritten", err=err)
        return
    click.echo(f"BROKEN: {len(report.problems)} problems in {report.events} events"
               f" ({report.students} students, {report.lots} lots):", err=err)
    for line in shown([str(p) for p in iter_problems(report)], limit):
        click.echo(f"  {line}", err=err)


def parse_head(ctx: click.Context, param: click.Parameter, value: str | None) -> Head | None:
    if value is None:
        return None
    try:
        return Head.parse(value)
    except ValueError as ex:
        raise click.BadParameter(str(ex)) from None


@click.command(epilog=EXIT_CODES)
@db_option
@click.option("--head", "show_head", is_flag=True,
              help="Print the current chain head (NOTIFICATION_ID:SHA256_HEX) on stdout, to write"
                   " down; the report then goes to stderr. Not printed when the chain is broken.")
@click.option("--expect-head", default=None, metavar="ID:HASH", callback=parse_head,
              help="A head written down earlier: fail unless the events up to that notification id"
                   " still hash to it (proves nothing before it was rewritten or deleted).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0),
              help="Show at most this many problems (0: all).")
def verify(db_path: str | None, show_head: bool, expect_head: Head | None, limit: int) -> None:
    """Check the whole history from the events, and the hash chain over them.

    \b
    From the events alone, for every student:
      - running balances (each balance_after = the one before + delta), and the
        deltas adding up to students.credits_available;
      - no credit taken (REGISTER, ADJUST-) from a lot expired at that moment,
        EXTEND entries moving expires_at; FIFO order (oldest purchase first);
      - CANCEL back to the lot the registration took from; EXPIRE of exactly what
        was left, dated at the lot's expires_at;
      - OLDEST markers: every lot bought before the entry named is closed
        (0 credits, no open registration) when the marker is written;
    then cross-checked with the projections: lots (remaining = total - taken +
    returned - expired), registrations, ledger_events entry by entry; and
    every month's report (GET /admin/report, months in TANGOPASS_TZ) equals
    the figures folded from the events, outstanding month after month.

    \b
    The hash chain: every event's link is recomputed from its stored bytes; an
    edited, deleted, inserted or reordered event is named (first broken link
    first), even when the SQLite triggers were dropped. Someone who also
    rewrote the chain is caught by --expect-head.

    The database is opened read-only, in one snapshot (safe while serving).
    """
    report = run_verify(resolve_db(db_path), expect_head)
    if show_head:
        print_report(report, limit, err=True)
        if report.head is not None:
            click.echo(str(report.head))
    else:
        print_report(report, limit)
    if not report.ok:
        raise SystemExit(FOUND)
