"""sqlite-utils' ``transform()`` rebuilds a table and silently drops its triggers: on the
append-only tables that would end the append-only guarantee. The schema keeps every trigger,
the README's inspection commands work, and ``tangopass verify`` names a trigger that is gone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from tangopass.projections.schema import schema_files
from tests.audit.helpers import cli
from tests.support.histories import busy_history

SQLITE_UTILS = str(Path(sys.executable).with_name("sqlite-utils"))
APPEND_ONLY = ("stored_events", "ledger_events", "event_hash_chain")


def declared_triggers() -> set[str]:
    names = set()
    for path in schema_files():
        names |= set(re.findall(r"CREATE TRIGGER (?:IF NOT EXISTS )?(\w+)", path.read_text()))
    return names


@pytest.fixture
def history(api, clock, db_path) -> str:
    busy_history(api, clock)
    return db_path


def test_every_append_only_table_keeps_its_triggers_after_the_schema_is_applied(history):
    db = sqlite_utils.Database(history)
    present = {t.name: t.table for t in db.triggers}
    assert set(present) == declared_triggers()
    assert {present[name] for name in present} == set(APPEND_ONLY)
    assert all(len(db[table].triggers) == 3 for table in APPEND_ONLY)


def test_the_readme_inspection_commands_read_a_backup(history):
    listed = subprocess.run([SQLITE_UTILS, "triggers", history], capture_output=True, text=True,
                            check=True).stdout
    assert all(name in listed for name in declared_triggers())
    counts = subprocess.run([SQLITE_UTILS, "tables", history, "--counts"], capture_output=True,
                            text=True, check=True).stdout
    assert '"table": "ledger_events"' in counts


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_a_transform_of_an_append_only_table_is_named_by_verify(history, table):
    assert cli("verify", "--db", history).exit_code == 0
    sqlite_utils.Database(history)[table].transform()  # a rebuild that changes nothing else...
    left = {t.name for t in sqlite_utils.Database(history).triggers}
    assert not any(name.startswith(table) for name in left)  # ...but the guards are gone

    result = cli("verify", "--db", history, "--limit", "0")

    assert result.exit_code == 1, result.output
    for name in sorted(declared_triggers() - left):
        assert f"trigger {name} is missing" in result.stdout
