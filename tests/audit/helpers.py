"""Shared by the auditor tests: run a command, tamper with a file like an intruder would."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from tangopass.api.cli import main
from tangopass.projections.schema import schema_files, statements
from tangopass.projections.chain import CHAIN_TABLE, SELECT_ROWS, last_link_before, links


def cli(*args: str) -> Result:
    """Run ``tangopass ARGS`` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def execute(db_path: str, *statements: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement, params)
    finally:
        conn.close()


def drop_triggers(db_path: str) -> list[str]:
    """What an intruder with the file does first: the append-only guards go."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
        return names
    finally:
        conn.close()


def restore_triggers(db_path: str) -> None:
    """What a careful intruder does last: put the append-only triggers back as they were."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        for path in schema_files():
            for statement in statements(path.read_text()):
                if statement.upper().startswith("CREATE TRIGGER"):
                    conn.execute(statement)
    finally:
        conn.close()


def event_rowid(db_path: str, topic_suffix: str, nth: int = 0) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT rowid FROM stored_events WHERE topic LIKE ? ORDER BY rowid LIMIT 1 OFFSET ?",
            (f"%{topic_suffix}", nth),
        ).fetchone()[0]
    finally:
        conn.close()


def edit_state(db_path: str, rowid: int, change: Callable[[dict], None]) -> None:
    """Rewrite one stored event's JSON state in place (triggers must be gone)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        state = json.loads(conn.execute(
            "SELECT state FROM stored_events WHERE rowid = ?", (rowid,)
        ).fetchone()[0])
        change(state)
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?",
                     (json.dumps(state, separators=(",", ":")).encode(), rowid))
    finally:
        conn.close()


def rechain(db_path: str, from_id: int) -> None:
    """The thorough intruder: recompute every link from ``from_id`` on (triggers gone)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        cursor = conn.cursor()
        previous = last_link_before(cursor, from_id)
        cursor.execute(f"DELETE FROM {CHAIN_TABLE} WHERE notification_id >= ?", (from_id,))
        rows = cursor.execute(f"{SELECT_ROWS} WHERE rowid >= ? ORDER BY rowid", (from_id,)).fetchall()
        pairs = list(links(rows, previous)) if previous else list(links(rows))
        cursor.executemany(
            f"INSERT INTO {CHAIN_TABLE} (notification_id, link) VALUES (?, ?)",
            [(n, link.hex()) for n, link in pairs],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def file_bytes(db_path: str) -> bytes:
    return Path(db_path).read_bytes()
