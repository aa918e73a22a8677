"""Lesson and student events written before part 2 (no lesson_id, role, note) still load."""

from datetime import UTC, datetime, timedelta

from tangopass.ledger.lesson import Lesson
from tests.support.fake_reads import service

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_events_without_the_part_2_fields_replay_to_the_same_lesson():
    app = service()
    lesson = Lesson.schedule(1, NOW + timedelta(days=1), 2, NOW)
    lesson.admit(7, NOW, "student")
    stored = [app.mapper.to_stored_event(event) for event in lesson.collect_events()]
    old = []
    for record in stored:  # drop what part 2 added, as an old history would lack it
        state = app.mapper.transcoder.decode(record.state)
        for name in ("lesson_id", "role", "title", "capacity", "role_balance", "series_id"):
            state.pop(name, None)
        old.append(type(record)(record.originator_id, record.originator_version, record.topic,
                                app.mapper.transcoder.encode(state)))
    events = [app.mapper.to_domain_event(record) for record in old]
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed.attendees == [7] and replayed.capacity is None and replayed.role_of(7) is None
    assert replayed.fits("leader") and replayed.waitlist == ()
