"""No command that writes a file may write onto the live database or its companions.

The database and its -wal/-shm/-journal, .admin-token, .lock and .ctl files are
compared as files, whatever the alias: "..", a symlink to the file, a symlink
to its folder, a hard link. Each refusal is exit 2 and leaves the files as they
were.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.audit.helpers import cli
from tests.support.histories import busy_history


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def aliases(db: Path, tmp_path: Path) -> dict[str, Path]:
    """Other names of the live database file, each made as an intruder or a typo would."""
    (tmp_path / "x").mkdir()
    os.symlink(db, tmp_path / "link-to-db.db")
    os.link(db, tmp_path / "hard-link.db")
    os.symlink(db.parent, tmp_path / "folder-link")
    return {
        "dot-dot": tmp_path / "x" / ".." / db.name,
        "symlink to the db": tmp_path / "link-to-db.db",
        "hard link to the db": tmp_path / "hard-link.db",
        "symlink to the folder": tmp_path / "folder-link" / db.name,
    }


# Each command that writes a file, with the option that names it.
WRITERS = {
    "backup": lambda db, to: ("backup", "--db", db, "--to", to, "--force"),
    "export": lambda db, to: ("export", "--db", db, "--out", to),
    "replay --keep": lambda db, to: ("replay", "--db", db, "--keep", to),
}


@pytest.fixture
def live(api, clock, db_path) -> Path:
    busy_history(api, clock)
    return Path(db_path)


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("alias", ["dot-dot", "symlink to the db", "hard link to the db",
                                   "symlink to the folder"])
def test_no_writer_overwrites_the_live_database_under_another_name(live, tmp_path, writer, alias):
    target = aliases(live, tmp_path)[alias]
    before = digest(live)
    result = cli(*WRITERS[writer](live, target))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "live database" in result.stderr
    assert digest(live) == before
    assert Path(target).exists() and digest(Path(target)) == before


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", ".admin-token", ".lock"])
def test_no_writer_creates_or_replaces_a_companion_of_the_live_database(live, tmp_path, writer, suffix):
    # Through "..", so the string never equals the companion's own spelling.
    (tmp_path / "y").mkdir()
    companion = Path(f"{live}{suffix}")
    existed = companion.exists()
    before = companion.read_bytes() if existed else None
    target = tmp_path / "y" / ".." / companion.name
    result = cli(*WRITERS[writer](live, target))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "live database" in result.stderr
    assert companion.exists() == existed
    if existed:
        assert companion.read_bytes() == before


def test_a_companion_reached_through_a_folder_symlink_is_refused(live, tmp_path):
    os.symlink(live.parent, tmp_path / "same-folder")
    wal = Path(f"{live}-wal")
    before = wal.read_bytes()
    target = tmp_path / "same-folder" / wal.name
    result = cli("backup", "--db", live, "--to", target, "--force")
    assert result.exit_code == 2
    assert "live database" in result.stderr
    assert wal.read_bytes() == before


def test_a_database_named_through_a_symlink_is_protected_under_its_real_name(live, tmp_path):
    link = tmp_path / "via-link.db"
    os.symlink(live, link)
    before = digest(live)
    result = cli("backup", "--db", link, "--to", live, "--force")
    assert result.exit_code == 2
    assert digest(live) == before


def test_writing_elsewhere_still_works(live, tmp_path):
    assert cli("backup", "--db", live, "--to", tmp_path / "copy.db").exit_code == 0
    assert cli("export", "--db", live, "--out", tmp_path / "ledger.csv").exit_code == 0
    assert cli("replay", "--db", live, "--keep", tmp_path / "rebuilt.db").exit_code == 0
    # A name that merely starts like the database's is not a companion.
    assert cli("backup", "--db", live, "--to", f"{live}-copy").exit_code == 0
