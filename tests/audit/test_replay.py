"""`tangopass replay`: the projections rebuilt from the events equal the live ones."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from falcon import testing
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.histories import busy_history, week_history
from tests.audit.helpers import cli, execute, file_bytes
from tests.support.api import ADMIN_TOKEN, Api
from tests.support.clock import ManualClock
from tests.support.db import rows


def test_replay_of_a_busy_history_is_identical(api, clock, db_path):
    busy_history(api, clock)

    result = cli("replay", "--db", db_path)

    assert result.exit_code == 0, result.output
    events = rows(db_path, "SELECT COUNT(*) FROM stored_events")[0][0]
    assert result.stdout == (
        f"OK: replayed {events} events; the rebuilt tables equal the live ones (students, lots,"
        " lesson_events, registrations, ledger_events, studio_settings, lesson_roster,"
        " lesson_waitlist, series, closures, event_hash_chain).\n"
    )


def test_replay_of_a_studio_week_is_identical(api, clock, db_path):
    week_history(api, clock)

    result = cli("replay", "--db", db_path)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: replayed")
    assert cli("verify", "--db", db_path).exit_code == 0


def test_replay_never_writes_to_the_live_database(api, clock, db_path, ctx):
    busy_history(api, clock)
    ctx.ledger.close()
    ctx.queries.close()  # every writer gone: the file must stay byte for byte the same
    before, mtime = file_bytes(db_path), os.stat(db_path).st_mtime_ns

    assert cli("replay", "--db", db_path).exit_code == 0
    assert cli("verify", "--db", db_path).exit_code == 0
    assert cli("export", "--db", db_path).exit_code == 0

    assert file_bytes(db_path) == before
    assert os.stat(db_path).st_mtime_ns == mtime
    assert not list(Path(db_path).parent.glob("*rebuilt*"))


def test_replay_names_each_difference(api, clock, db_path):
    busy_history(api, clock)
    execute(
        db_path,
        "UPDATE lots SET credits_remaining = credits_remaining + 1 WHERE id = 1",
        "UPDATE students SET credits_available = 42 WHERE name = 'Bea'",
        "DELETE FROM registrations WHERE student_id = 3 AND lesson_id = 1",
        "INSERT INTO lots (id, student_id, source, purchased_at, expires_at, validity_months,"
            " credits_total, credits_remaining, note) VALUES (99, 1, 'PURCHASE', '2026-11-23T10:00:00Z',"
        " '2026-12-23T10:00:00Z', 1, 5, 5, 'forged')",
    )
    expected_lot = rows(db_path, "SELECT credits_remaining - 1 FROM lots WHERE id = 1")[0][0]

    result = cli("replay", "--db", db_path)

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("DIFFERENT: replayed ") and "4 rows differ" in lines[0]
    assert (f"  lots [id=1] student 1 (Ana): credits_remaining: expected {expected_lot},"
            f" found {expected_lot + 1}") in lines
    assert any(line.startswith("  lots [id=99] student 1 (Ana): in the live database but not"
                               " produced by the events") for line in lines)
    assert any(line.startswith("  students [id=2] student 2 (Bea): credits_available: expected")
               and line.endswith("found 42") for line in lines)
    assert any(line.startswith("  registrations [lesson_id=1, student_id=3] student 3 (Cleo):"
                               " missing from the live database") for line in lines)


def test_replay_keeps_the_rebuilt_database_on_request(api, clock, db_path, tmp_path):
    busy_history(api, clock)
    keep = tmp_path / "rebuilt-copy.db"

    assert cli("replay", "--db", db_path, "--keep", keep).exit_code == 0
    assert rows(str(keep), "SELECT COUNT(*) FROM ledger_events") == rows(
        db_path, "SELECT COUNT(*) FROM ledger_events")
    assert cli("replay", "--db", db_path, "--keep", keep).exit_code == 2  # exists already


def test_replay_of_a_missing_or_foreign_file(tmp_path):
    missing = cli("replay", "--db", tmp_path / "missing.db")
    assert missing.exit_code == 2
    assert not (tmp_path / "missing.db").exists()
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    assert cli("replay", "--db", foreign).exit_code == 2
    assert cli("verify", "--db", foreign).exit_code == 2
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all " * 100)
    assert cli("verify", "--db", text).exit_code == 2


# ------------------------------------------------------------ random histories

STUDENTS = 3
operations = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(0, STUDENTS - 1), st.integers(1, 5),
                  st.sampled_from([1, 3]), st.integers(0, 40)),
        st.tuples(st.just("lesson"), st.integers(1, 30)),
        st.tuples(st.just("register"), st.integers(0, STUDENTS - 1)),
        st.tuples(st.just("register"), st.integers(0, STUDENTS - 1)),
        st.tuples(st.just("cancel"), st.integers(0, STUDENTS - 1)),
        st.tuples(st.just("teacher_cancel"), st.integers(0, STUDENTS - 1)),
        st.tuples(st.just("clear")),
        st.tuples(st.just("cancel_lesson")),
        st.tuples(st.just("extend"), st.integers(1, 30)),
        st.tuples(st.just("adjust"), st.integers(0, STUDENTS - 1), st.sampled_from([-2, -1, 1, 3])),
        st.tuples(st.just("wait"), st.integers(1, 24 * 70)),
        st.tuples(st.just("list")),
    ),
    min_size=5, max_size=40,
)


def play(api: Api, clock: ManualClock, ops: list[tuple]) -> None:
    students = [api.add_student(f"S{i}") for i in range(STUDENTS)]
    for student in students:  # something to spend from the start
        api.buy(student["id"], credits=2)
    api.lesson(datetime.fromtimestamp(clock.now.timestamp() + 10 * 3600, UTC)
               .strftime("%Y-%m-%dT%H:%M:%SZ"))
    for op, *args in ops:
        clock.advance(minutes=1)
        now = clock.now
        if op == "buy":
            who, credits, months, days_back = args
            back = now.replace(microsecond=0).timestamp() - days_back * 86400
            api.buy(students[who]["id"], credits=credits, months=months,
                    purchased_at=datetime.fromtimestamp(back, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif op == "lesson":
            starts = datetime.fromtimestamp(now.timestamp() + args[0] * 3600 + 3 * 3600, UTC)
            api.lesson(starts.strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif op == "register":
            api.register(students[args[0]]["token"])
        elif op == "cancel":
            api.cancel(students[args[0]]["token"])
        elif op == "teacher_cancel":
            api.admin("cancelRegistration", {"student_id": students[args[0]]["id"]})
        elif op == "clear":
            api.admin("clearRegistrations", {})
        elif op == "cancel_lesson":
            upcoming = api.admin_get("/admin/list").json["next_lesson"]
            if upcoming:
                api.admin("cancelLesson", {"lesson_id": upcoming["id"]})
        elif op == "extend":
            api.admin("extendValidity", {"days": args[0]})
        elif op == "adjust":
            api.admin("adjust", {"student_id": students[args[0]]["id"], "delta": args[1],
                                 "reason": "random"})
        elif op == "wait":
            clock.advance(hours=args[0])
        elif op == "list":
            api.admin_get("/admin/list")


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(operations)
def test_replay_and_verify_hold_on_random_histories(ops):
    with tempfile.TemporaryDirectory() as scratch:
        db_path = str(Path(scratch) / "tangopass.db")
        clock = ManualClock(datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
        settings = Settings(db_path=db_path, admin_token=ADMIN_TOKEN,
                            public_url="https://studio.test", tz=ZoneInfo("Europe/Madrid"))
        ctx = open_context(settings, clock=clock)
        try:
            play(Api(testing.TestClient(create_app(ctx))), clock, ops)
        finally:
            ctx.ledger.close()
            ctx.queries.close()

        replayed = cli("replay", "--db", db_path)
        assert replayed.exit_code == 0, replayed.output
        verified = cli("verify", "--db", db_path)
        assert verified.exit_code == 0, verified.output
