"""Projections rebuilt from the events equal the live ones; accounts load from snapshots.

On both stores: a PostgreSQL database is compared through its SQLite copy (as
the auditor reads it), so the live PostgreSQL rows and the rows the same
projectors write into a fresh SQLite file must be identical.
"""

from tangopass.api.wiring import open_ledger
from tangopass.ledger.application import Terms
from tangopass.ledger.student import Student
from tangopass.projections.queries import Queries
from tangopass.auditor.compare import compare_files
from tangopass.auditor.rebuild import rebuild
from tangopass.projections.storage.dump import postgres_to_sqlite
from tests.support.db import is_postgres, rows
from tests.support.histories import busy_history

BOTH_STORES = True


def sqlite_view(db_path: str, tmp_path) -> str:
    """The database as a SQLite file: itself, or a copy of the PostgreSQL one."""
    if not is_postgres(db_path):
        return db_path
    copy = str(tmp_path / f"live-copy-{len(list(tmp_path.glob('live-copy-*')))}.db")
    postgres_to_sqlite(db_path, copy)
    return copy


def test_a_rebuilt_database_equals_the_live_one(api, ctx, clock, db_path, tmp_path):
    busy_history(api, clock)
    target = str(tmp_path / "rebuilt.db")
    live = sqlite_view(db_path, tmp_path)

    count = rebuild(live, target, ctx.ledger.mapper.to_domain_event)

    assert count == rows(db_path, "SELECT COUNT(*) FROM stored_events")[0][0]
    assert compare_files(live, target).diffs == []


def test_a_tampered_projection_shows_up_as_a_difference(api, ctx, clock, db_path, tmp_path):
    busy_history(api, clock)
    target = str(tmp_path / "rebuilt.db")
    rebuild(sqlite_view(db_path, tmp_path), target, ctx.ledger.mapper.to_domain_event)
    rows(db_path, "UPDATE lots SET credits_remaining = credits_remaining + 1 WHERE id = 1")

    assert compare_files(sqlite_view(db_path, tmp_path), target).differing_tables == {"lots"}


def test_a_long_history_loads_from_a_recent_snapshot(api, ctx, clock, db_path, settings):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=100, months=3)
    api.lesson("2026-12-20T19:00:00Z")
    for _ in range(120):
        api.register(ana["token"])
        api.cancel(ana["token"])
    aggregate_id = Student.create_id(ana["id"]).hex  # the library stores ids as hex
    version = rows(db_path, "SELECT MAX(originator_version) FROM stored_events WHERE originator_id = ?",
                   (aggregate_id,))[0][0]
    snapshot = rows(db_path, "SELECT MAX(originator_version) FROM stored_snapshots WHERE originator_id = ?",
                    (aggregate_id,))[0][0]

    assert version > 240
    assert snapshot is not None and version - snapshot < 50  # at most 49 events to replay

    # A fresh process (no cache) rebuilds the same account from snapshot + tail.
    fresh = open_ledger(db_path, Terms(settings.tz), Queries(db_path))
    try:
        loaded = fresh.get(Student.create_id(ana["id"]))
        assert (loaded.balance, loaded.seq, len(loaded.lots)) == (100, 241, 1)
    finally:
        fresh.close()
    clock.advance(minutes=1)
    assert api.register(ana["token"]).json["credits_available"] == 99
