"""The journal for auditors and spreadsheets: CSV and JSON lines.

One row per ``ledger_events`` entry, with the student's name, in entry order.
CSV cells are neutralised against formula injection: a *text* cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` (so a spreadsheet shows it as text and never evaluates it).
Numbers stay numbers: a ``delta_credits`` of -1 is written ``-1``. JSON lines
carry the values as they are (JSON is not evaluated by anyone).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from sqlite_utils import Database

COLUMNS = (
    "id", "student_id", "student_name", "seq", "ts", "type", "delta_credits", "balance_after",
    "ref_lot_id", "ref_lesson_id", "ref_event_id", "note", "actor", "recorded_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_SELECT = (
    "SELECT e.id, e.student_id, s.name AS student_name, e.seq, e.ts, e.type, e.delta_credits, e.balance_after,"
    " e.ref_lot_id, e.ref_lesson_id, e.ref_event_id, e.note, e.actor, e.recorded_at"
    " FROM ledger_events e JOIN students s ON s.id = e.student_id"
)


def ledger_rows(
    cursor: sqlite3.Cursor | sqlite3.Connection,
    student_id: int | None = None,
    from_oldest_marker: bool = False,
) -> Iterator[dict[str, Any]]:
    """The journal rows (optionally of one student, optionally from the newest OLDEST marker).

    Read with sqlite-utils' ``Database.query`` on the caller's connection (its transaction, if
    one is open, is the snapshot read); no pragma is set and no plugin runs on it.
    """
    sql, params = _SELECT, []
    where = []
    if student_id is not None:
        where.append("e.student_id = ?")
        params.append(student_id)
    if from_oldest_marker:
        where.append("e.id >= COALESCE(s.oldest_entry_id, 0)")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY e.id"
    conn = cursor.connection if isinstance(cursor, sqlite3.Cursor) else cursor
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    for row in db.query(sql, params):
        yield {column: row[column] for column in COLUMNS}


def csv_cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text that could be a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row[column]) for column in COLUMNS])
        count += 1
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def csv_text(rows: Iterable[dict[str, Any]]) -> str:
    """The CSV document as one string (for the HTTP answer)."""
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()
