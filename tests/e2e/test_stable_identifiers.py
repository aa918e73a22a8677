"""Identifiers handed to other systems stay the same for the life of the data and
differ between installations: calendar UIDs do not follow TANGOPASS_PUBLIC_URL,
and two studios on one host never publish the same UID.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace

from falcon import testing
from icalendar import Calendar

from tangopass.api.app import create_app
from tangopass.api.wiring import open_context
from tangopass.projections.schema import apply_schema
from tests.audit.helpers import cli
from tests.support.api import Api
from tests.support.db import rows

LESSON_AT = "2026-11-24T19:00:00Z"
UID = re.compile(r"^lesson-(\d+)-([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})@tangopass$")


def uids(api: Api, token: str) -> list[str]:
    feed = api.client.simulate_get("/calendar.ics", query_string=f"t={token}")
    assert feed.status_code == 200, feed.text
    return [str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]


def installation(db_path: str) -> str:
    return rows(db_path, "SELECT uuid FROM installation")[0][0]


def studio_with_a_registration(api: Api) -> dict:
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=3)
    api.lesson(LESSON_AT)
    assert api.register(ana["token"]).status_code == 200
    return ana


def test_calendar_uids_do_not_change_when_the_public_url_does(api, settings, clock, db_path):
    ana = studio_with_a_registration(api)
    before = uids(api, ana["token"])
    moved = open_context(replace(settings, public_url="https://tango.example.org"), clock=clock)
    try:
        after = uids(Api(testing.TestClient(create_app(moved))), ana["token"])
    finally:
        moved.ledger.close()
        moved.queries.close()
    assert before == after
    match = UID.match(before[0])
    assert match and match.group(1) == "1" and match.group(2) == installation(db_path)


def test_two_studios_on_one_host_publish_different_uids(api, settings, clock, tmp_path):
    ana = studio_with_a_registration(api)
    other = open_context(replace(settings, db_path=str(tmp_path / "other.db")), clock=clock)
    try:
        other_api = Api(testing.TestClient(create_app(other)))
        bea = studio_with_a_registration(other_api)
        assert uids(api, ana["token"]) != uids(other_api, bea["token"])
    finally:
        other.ledger.close()
        other.queries.close()


def test_the_installation_id_is_made_once_under_concurrent_starts(tmp_path):
    db_path = str(tmp_path / "fresh.db")
    barrier, errors = threading.Barrier(6), []

    def start() -> None:
        try:
            barrier.wait()
            apply_schema(db_path)
        except Exception as ex:  # noqa: BLE001 - reported below
            errors.append(ex)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(rows(db_path, "SELECT * FROM installation")) == 1
    first = installation(db_path)
    apply_schema(db_path)
    assert installation(db_path) == first


def test_backup_and_replay_keep_the_installation_id(api, clock, db_path, tmp_path):
    studio_with_a_registration(api)
    live = installation(db_path)
    copy, rebuilt = tmp_path / "copy.db", tmp_path / "rebuilt.db"
    assert cli("backup", "--db", db_path, "--to", copy).exit_code == 0
    assert installation(str(copy)) == live
    result = cli("replay", "--db", copy, "--keep", rebuilt)
    assert result.exit_code == 0, result.stdout
    assert installation(str(rebuilt)) == live

