"""The write path: one transaction per command, decisions under the lock, a cache that never lies."""

import pytest

from tangopass.api.wiring import open_ledger
from tangopass.ledger.application import Terms
from tangopass.ledger.student import Student
from tangopass.projections import projectors
from tests.support.db import rows

BOTH_STORES = True


def test_a_rollback_drops_every_cached_aggregate(ctx, ana, monkeypatch):
    ctx.ledger.register(ana["id"], None, ctx.clock())
    assert ctx.ledger.events.cache.get(Student.create_id(ana["id"])) is not None

    def broken(event, number):
        raise RuntimeError("projector bug")

    monkeypatch.setitem(projectors.PROJECTORS, Student.RegistrationCancelled, broken)
    with pytest.raises(RuntimeError):
        ctx.ledger.cancel(ana["id"], None, ctx.clock())

    assert ctx.ledger.events.cache.get(Student.create_id(ana["id"])) is None


def test_a_cached_account_is_brought_up_to_date_inside_the_command(ctx, ana, db_path, settings):
    # Two processes on one database: each has its own cache. The second one's
    # cancel must be seen by the first before it decides, or it would answer from
    # a stale account (registered already) and the credit would stay returned.
    mine = ctx.ledger
    other = open_ledger(db_path, Terms(settings.tz))
    try:
        mine.register(ana["id"], None, ctx.clock())  # cached here at this version
        assert other.cancel(ana["id"], None, ctx.clock())["credits_available"] == 3

        again = mine.register(ana["id"], None, ctx.clock())
    finally:
        other.close()

    assert again["credits_available"] == 2
    assert rows(db_path, "SELECT COUNT(*) FROM ledger_events WHERE type = 'REGISTER'") == [(2,)]


def test_a_refused_command_keeps_the_expiry_it_settled(api, ctx, clock, db_path):
    bea = api.add_student("Bea")
    api.buy(bea["id"], credits=2)  # one month
    clock.advance(days=40)
    with pytest.raises(Exception) as refused:
        ctx.ledger.register(bea["id"], None, clock())  # no lesson: refused
    assert refused.value.code == "NO_UPCOMING_LESSON"

    assert rows(db_path, "SELECT type, delta_credits FROM ledger_events WHERE type = 'EXPIRE'") == [
        ("EXPIRE", -2)]
