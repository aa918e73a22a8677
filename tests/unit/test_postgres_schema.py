"""The SQLite schema files, translated for PostgreSQL where no hand-written twin exists.

(Applying them to a real PostgreSQL cluster is what every PostgreSQL test does first.)
"""

import pytest

from tangopass.projections.storage.postgres_schema import translated


def _file(tmp_path, sql: str):
    path = tmp_path / "099_example.sql"
    path.write_text(sql)
    return path


def test_types_rowid_references_and_insert_or_ignore_are_translated(tmp_path):
    sql = translated(_file(tmp_path, """
        -- a comment
        CREATE TABLE t (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES owners(id), data BLOB)
            WITHOUT ROWID;
        INSERT OR IGNORE INTO t (id, owner) SELECT id, id FROM owners;
    """))
    assert sql.splitlines() == [
        "CREATE TABLE t (id BIGINT PRIMARY KEY, owner BIGINT, data BYTEA);",
        "INSERT INTO t (id, owner) SELECT id, id FROM owners ON CONFLICT DO NOTHING;",
    ]


@pytest.mark.parametrize("statement", [
    "CREATE TRIGGER no_update BEFORE UPDATE ON t BEGIN SELECT RAISE(ABORT, 'no'); END;",
    "INSERT OR REPLACE INTO t (id) VALUES (1);",
    "PRAGMA foreign_keys = ON;",
])
def test_sqlite_only_sql_asks_for_a_twin(tmp_path, statement):
    with pytest.raises(ValueError, match="write its PostgreSQL twin as schema/postgres/099_example.sql"):
        translated(_file(tmp_path, statement))
