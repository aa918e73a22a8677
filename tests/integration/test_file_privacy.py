"""The SQLite file holds every student's token: a new one is private to its owner."""

import os
import stat

from tangopass.projections.schema import apply_schema
from tangopass.projections.storage.sqlite import SQLiteStore


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_and_its_wal_files_are_readable_by_the_owner_only(tmp_path):
    db = str(tmp_path / "studio.db")
    old_umask = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        apply_schema(db)
        store = SQLiteStore(db)
        with store.write() as tx:  # a write makes the -wal and -shm files
            tx.run([("INSERT INTO closures (id, from_on, to_on, reason, extend_passes,"
                     " created_at) VALUES (1, 'a', 'b', 'c', 0, 'd')", ())])
        found = {name: _mode(tmp_path / name) for name in os.listdir(tmp_path)}
        store.close()
    finally:
        os.umask(old_umask)
    assert {"studio.db", "studio.db-wal", "studio.db-shm"} <= set(found)
    assert set(found.values()) == {0o600}, found


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path):
    db = tmp_path / "shared.db"
    db.touch()
    db.chmod(0o640)
    apply_schema(str(db))
    assert _mode(db) == 0o640
