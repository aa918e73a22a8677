"""Stored history keeps loading when an event evolves: ``LotExtended`` gained the studio time
zone in force (class_version 2); events written before load with ``tz = None``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from eventsourcing.persistence import StoredEvent

from tangopass.auditor.lot_rules import _moved_by_days
from tangopass.ledger.application import TangoPass
from tangopass.ledger.student import Student
from tests.support.fake_reads import service

MADRID = ZoneInfo("Europe/Madrid")
BOUGHT = datetime(2026, 2, 25, 12, 0, tzinfo=UTC)  # 13:00 in Madrid; expires 25 March 13:00
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


def _extended_event(app: TangoPass) -> Student.LotExtended:
    ana = Student(number=1, name="Ana", token="t", at=NOW, by="teacher")
    ana.purchase(lot_id=1, credits=4, validity_months=1, purchased_at=BOUGHT, now=NOW, tz=MADRID,
                 note=None)
    ana.extend(10, NOW, MADRID)  # across the spring-forward change of 29 March
    (extended,) = [e for e in ana.collect_events() if isinstance(e, Student.LotExtended)]
    return extended


def _app() -> TangoPass:
    return service("Europe/Madrid")


def test_a_new_extension_records_the_time_zone_in_force():
    app = _app()
    stored = app.mapper.to_stored_event(_extended_event(app))
    state = json.loads(stored.state)
    assert state["tz"] == "Europe/Madrid" and state["class_version"] == 2
    assert app.mapper.to_domain_event(stored).tz == "Europe/Madrid"


def test_an_extension_stored_before_the_time_zone_was_recorded_still_loads():
    app = _app()
    current = app.mapper.to_stored_event(_extended_event(app))
    state = json.loads(current.state)
    del state["tz"], state["class_version"]
    old = StoredEvent(current.originator_id, current.originator_version, current.topic,
                      json.dumps(state).encode())

    event = app.mapper.to_domain_event(old)

    assert event.tz is None and event.days == 10
    assert event.new_expires_at == app.mapper.to_domain_event(current).new_expires_at


def test_the_auditor_checks_an_extension_exactly_in_its_time_zone_and_loosely_without():
    app = _app()
    event = _extended_event(app)
    # 4 April 13:00 in Madrid is summer time: 11:00 UTC, ten days less an hour in UTC.
    assert event.new_expires_at == datetime(2026, 4, 4, 11, 0, tzinfo=UTC)
    assert _moved_by_days(EXPIRES, event)
    shifted = app.mapper.to_domain_event(app.mapper.to_stored_event(event))
    shifted.__dict__["new_expires_at"] = datetime(2026, 4, 4, 12, 0, tzinfo=UTC)
    assert not _moved_by_days(EXPIRES, shifted)  # an hour off, with the time zone known
    shifted.__dict__["tz"] = None
    assert _moved_by_days(EXPIRES, shifted)  # a version-1 event: only within a DST shift
