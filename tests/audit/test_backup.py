"""`tangopass backup` copies a running server's database consistently; the copy verifies."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.histories import busy_history
from tests.audit.helpers import cli
from tests.support.db import rows
from tests.support.server import TANGOPASS, running_server


def storm(server, stop: threading.Event, seed: int, errors: list) -> None:
    """One writer: students, purchases, lessons, registrations, cancels, adjustments."""
    rng = random.Random(seed)
    students: list[dict] = []
    try:
        while not stop.is_set():
            roll = rng.random()
            if roll < 0.15 or not students:
                reply = server.admin("addStudent", {"name": f"Storm {seed}-{len(students)}"})
                assert reply.status == 201, reply.body
                students.append(reply.body)
                server.admin("addPurchase", {"student_id": reply.body["id"], "credits": 5,
                                             "validity_months": 1})
            elif roll < 0.2:
                starts = datetime.now(UTC) + timedelta(days=rng.randint(1, 5), hours=rng.random())
                server.admin("setNextLesson", {"starts_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ")})
            elif roll < 0.7:
                student = rng.choice(students)
                server.request("POST", f"/register?t={student['token']}")
            elif roll < 0.9:
                student = rng.choice(students)
                server.request("POST", f"/cancel?t={student['token']}")
            else:
                student = rng.choice(students)
                server.admin("adjust", {"student_id": student["id"], "delta": rng.choice([-1, 2]),
                                        "reason": "storm"})
    except Exception as ex:  # noqa: BLE001 - reported by the test
        errors.append(ex)


@pytest.mark.slow
def test_a_backup_during_a_write_storm_verifies(tmp_path):
    db_path = str(tmp_path / "live.db")
    with running_server(db_path) as server:
        stop, errors = threading.Event(), []
        writers = [threading.Thread(target=storm, args=(server, stop, seed, errors))
                   for seed in range(4)]
        for writer in writers:
            writer.start()
        try:
            time.sleep(1.0)  # let the history grow
            copies = []
            for n in range(3):
                target = tmp_path / f"backup-{n}.db"
                result = subprocess.run(
                    [TANGOPASS, "backup", "--db", db_path, "--to", str(target)],
                    capture_output=True, text=True, timeout=120,
                )
                assert result.returncode == 0, result.stdout + result.stderr
                assert f"Backup written: {target}" in result.stdout
                assert "OK: " in result.stdout
                copies.append(target)
                # The live database too: one snapshot, so the concurrent appends never
                # make the events and the projections disagree.
                assert cli("verify", "--db", db_path).exit_code == 0
                assert cli("replay", "--db", db_path).exit_code == 0
                time.sleep(0.3)
        finally:
            stop.set()
            for writer in writers:
                writer.join(timeout=60)
        assert not errors, errors
        live_events = rows(db_path, "SELECT COUNT(*) FROM stored_events")[0][0]

    counts = [rows(str(copy), "SELECT COUNT(*) FROM stored_events")[0][0] for copy in copies]
    assert 0 < counts[0] <= counts[1] <= counts[2] <= live_events
    assert counts[0] < live_events  # the storm really wrote during the backups
    for copy in copies:
        assert rows(str(copy), "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
        assert cli("replay", "--db", copy).exit_code == 0
        assert not list(tmp_path.glob(f".{copy.name}.partial-*"))


def test_backup_refuses_to_overwrite_and_reports_a_broken_copy(api, clock, db_path, tmp_path):
    busy_history(api, clock)
    target = tmp_path / "copy.db"
    assert cli("backup", "--db", db_path, "--to", target).exit_code == 0
    again = cli("backup", "--db", db_path, "--to", target)
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert cli("backup", "--db", db_path, "--to", db_path, "--force").exit_code == 2

    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE lots SET credits_remaining = 77 WHERE id = 1")
    conn.commit()
    conn.close()
    broken = cli("backup", "--db", db_path, "--to", target, "--force")
    assert broken.exit_code == 1
    assert "[projection] lot 1 of student 1 (Ana): credits_remaining is 77" in broken.stdout
    assert target.exists()  # kept for inspection


def test_backup_of_a_missing_database(tmp_path):
    result = cli("backup", "--db", tmp_path / "none.db", "--to", tmp_path / "copy.db")
    assert result.exit_code == 2
    assert not (tmp_path / "copy.db").exists()
    assert not (tmp_path / "none.db").exists()
