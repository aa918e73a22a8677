"""The one table comparer: the live database against a rebuilt one, row by row.

Both the ``tangopass replay`` command and the tests use ``compare`` (two schemas on one
connection) or ``compare_files`` (two database files). Rows are matched on each table's key,
so a changed row is named once with its changed columns, not as one row missing and one extra.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from tangopass.auditor.reading import has_table, open_readonly, ro_uri
from tangopass.projections.chain import CHAIN_TABLE

# The read models the projectors write, each with the columns that identify a row.
TABLE_KEYS = {
    "students": ("id",),
    "lots": ("id",),
    "lesson_events": ("id",),
    "registrations": ("lesson_id", "student_id"),
    "ledger_events": ("id",),
    "studio_settings": ("id",),
    "lesson_roster": ("lesson_id", "student_id"),
    "lesson_waitlist": ("lesson_id", "student_id"),
    "series": ("id",),
    "closures": ("id",),
    CHAIN_TABLE: ("notification_id",),
}
PROJECTION_TABLES = tuple(t for t in TABLE_KEYS if t != CHAIN_TABLE)
COMPARED_TABLES = PROJECTION_TABLES + (CHAIN_TABLE,)


@dataclass
class RowDiff:
    """One row that differs between the live database and the rebuilt one."""

    table: str
    key: dict[str, Any]
    kind: str  # "changed", "missing" (only rebuilt) or "unexpected" (only live)
    student_id: int | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # column, expected, found
    row: dict[str, Any] = field(default_factory=dict)

    def describe(self, names: dict[int, str]) -> str:
        """One line for a person: the table, the row's key, the student, what differs."""
        key = ", ".join(f"{k}={v}" for k, v in self.key.items())
        where = f"{self.table} [{key}]"
        if self.student_id is not None:
            name = names.get(self.student_id)
            where += f" student {self.student_id}" + (f" ({name})" if name else "")
        if self.kind == "changed":
            parts = [f"{col}: expected {exp!r}, found {got!r}" for col, exp, got in self.changes]
            return f"{where}: " + "; ".join(parts)
        if self.kind == "missing":
            return f"{where}: missing from the live database; expected {self.row}"
        return f"{where}: in the live database but not produced by the events: {self.row}"


@dataclass
class Comparison:
    """Every differing row, notes on tables not compared, and the tables that were."""

    diffs: list[RowDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.diffs

    @property
    def differing_tables(self) -> set[str]:
        return {diff.table for diff in self.diffs}


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def compare(
    conn: sqlite3.Connection, live: str = "main", rebuilt: str = "rebuilt",
    tables: tuple[str, ...] = COMPARED_TABLES,
) -> Comparison:
    """Compare ``tables`` of two schemas on one connection (set difference in SQL)."""
    result = Comparison()
    for table in tables:
        if not has_table(conn, table, live):
            result.notes.append(
                f"{table}: not in the live database (its schema is older); not compared"
            )
            continue
        columns = _columns(conn, live, table)
        expected_columns = _columns(conn, rebuilt, table)
        if columns != expected_columns:
            result.diffs.append(RowDiff(
                table, {}, "changed", changes=[("columns", expected_columns, columns)],
            ))
            continue
        result.tables.append(table)
        only_live = conn.execute(
            f"SELECT * FROM {live}.{table} EXCEPT SELECT * FROM {rebuilt}.{table}"
        ).fetchall()
        only_rebuilt = conn.execute(
            f"SELECT * FROM {rebuilt}.{table} EXCEPT SELECT * FROM {live}.{table}"
        ).fetchall()
        result.diffs.extend(_pair(table, columns, only_live, only_rebuilt))
    return result


def compare_files(live_db: str, rebuilt_db: str,
                  tables: tuple[str, ...] = COMPARED_TABLES) -> Comparison:
    """``compare`` for two database files, both opened read-only, in one snapshot each."""
    conn = open_readonly(live_db)
    try:
        conn.execute("ATTACH DATABASE ? AS rebuilt", (ro_uri(rebuilt_db),))
        conn.execute("BEGIN")
        return compare(conn, tables=tables)
    finally:
        conn.close()


def _pair(table: str, columns: list[str], only_live: list[tuple],
          only_rebuilt: list[tuple]) -> list[RowDiff]:
    """Match the rows found on one side only by key: changed, missing or unexpected."""
    key_columns = TABLE_KEYS.get(table, tuple(columns))
    index = [columns.index(k) for k in key_columns]
    student_at = columns.index("id" if table == "students" else "student_id") \
        if table == "students" or "student_id" in columns else None
    live_by_key = {tuple(row[i] for i in index): row for row in only_live}
    rebuilt_by_key = {tuple(row[i] for i in index): row for row in only_rebuilt}
    diffs = []
    for key in sorted(set(live_by_key) | set(rebuilt_by_key), key=_sort_key):
        found, expected = live_by_key.get(key), rebuilt_by_key.get(key)
        sample = expected if expected is not None else found
        student = sample[student_at] if student_at is not None else None
        keys = dict(zip(key_columns, key))
        if found is not None and expected is not None:
            changes = [(col, exp, got) for col, exp, got in zip(columns, expected, found)
                       if exp != got]
            diffs.append(RowDiff(table, keys, "changed", student, changes))
        elif expected is not None:
            diffs.append(RowDiff(table, keys, "missing", student, row=dict(zip(columns, expected))))
        else:
            diffs.append(RowDiff(table, keys, "unexpected", student, row=dict(zip(columns, found))))
    return diffs


def _sort_key(key: tuple) -> tuple:
    return tuple((0, v) if isinstance(v, int | float) else (1, str(v)) for v in key)
