"""The schema's own guards, checked by the auditor: every append-only trigger is in place.

A table rebuilt by a tool (sqlite-utils ``transform()``, or a hand-made copy-and-rename) loses
its triggers without a word; the events may still be intact, but the guarantee that nothing
can be rewritten is gone. The triggers each applied schema file declares must all exist.
Read with sqlite-utils' ``Database`` on the read-only connection (no pragmas, no plugins).
"""

from __future__ import annotations

import re
import sqlite3

from sqlite_utils import Database

from tangopass.auditor.reading import has_table
from tangopass.projections.schema import schema_files

TRIGGER = re.compile(r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


def declared_triggers(applied: set[str]) -> dict[str, str]:
    """Trigger name → the schema file declaring it, for the files in ``applied``."""
    return {name: path.name for path in schema_files() if path.name in applied
            for name in TRIGGER.findall(path.read_text())}


def missing_triggers(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(trigger, schema file) for every declared trigger absent from the database."""
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    if not has_table(conn, "schema_migrations"):
        return []
    applied = {row["name"] for row in db.query("SELECT name FROM schema_migrations")}
    present = {trigger.name for trigger in db.triggers}
    return sorted((name, source) for name, source in declared_triggers(applied).items()
                  if name not in present)
