"""`tangopass balance --as-of`: what the books said at a past instant, from the events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.audit.helpers import cli
from tests.support.db import rows


@pytest.fixture
def known(api, clock, db_path) -> str:
    """Ana: 3 credits on Nov 23 (1 month), registers once, then a lot back-dated to Nov 20
    (3 months) recorded at noon. Bea: 1 credit (1 month). Both one-month lots expire on
    Dec 23 10:00 Z; nobody looks until Jan 10, when the EXPIRE entries are written."""
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    api.buy(ana["id"], credits=3)
    api.buy(bea["id"], credits=1)
    api.lesson("2026-11-24T19:00:00Z")
    assert api.register(ana["token"]).json["credits_available"] == 2
    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    api.buy(ana["id"], credits=2, months=3, purchased_at="2026-11-20T10:00:00Z")
    clock.set(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    api.admin_get("/admin/list")  # settles: EXPIRE entries dated Dec 23, written Jan 10
    assert rows(db_path, "SELECT student_id, ts, recorded_at FROM ledger_events"
                " WHERE type = 'EXPIRE' ORDER BY student_id") == [
        (1, "2026-12-23T10:00:00Z", "2027-01-10T09:00:00Z"),
        (2, "2026-12-23T10:00:00Z", "2027-01-10T09:00:00Z"),
    ]
    return db_path


def balances(db_path: str, as_of: str, *extra: str) -> dict[str, tuple]:
    result = cli("balance", "--db", db_path, "--as-of", as_of, "--format", "jsonl", *extra)
    assert result.exit_code == 0, result.output
    found = {}
    for line in result.stdout.splitlines():
        row = json.loads(line)
        found[row["name"]] = (row["credits_available"], row["recorded_balance"],
                              row["expired_unrecorded"])
    return found


def test_before_anything_was_recorded(known):
    assert balances(known, "2026-11-22T00:00:00Z") == {}


def test_a_back_dated_purchase_counts_from_when_it_was_recorded(known):
    assert balances(known, "2026-11-23T11:00:00Z") == {"Ana": (2, 2, 0), "Bea": (1, 1, 0)}
    assert balances(known, "2026-11-23T11:00:00Z", "--include-backdated")["Ana"] == (4, 2, 0)
    assert balances(known, "2026-12-01T00:00:00Z") == {"Ana": (4, 4, 0), "Bea": (1, 1, 0)}


def test_a_lot_expired_by_the_clock_counts_as_expired_before_its_entry_is_written(known):
    assert balances(known, "2026-12-23T09:59:59Z") == {"Ana": (4, 4, 0), "Bea": (1, 1, 0)}
    # At expires_at exactly the lot is over, though its EXPIRE was only written on Jan 10.
    assert balances(known, "2026-12-23T10:00:00Z") == {"Ana": (2, 4, 2), "Bea": (0, 1, 1)}
    assert balances(known, "2027-01-10T09:00:00Z") == {"Ana": (2, 2, 0), "Bea": (0, 0, 0)}


def test_an_instant_without_offset_is_utc_and_offsets_are_honoured(known):
    expected = {"Ana": (2, 4, 2), "Bea": (0, 1, 1)}
    assert balances(known, "2026-12-23T10:00:00") == expected
    assert balances(known, "2026-12-23T11:00:00+01:00") == expected
    assert balances(known, "2026-12-23T10:59:59+01:00") == {"Ana": (4, 4, 0), "Bea": (1, 1, 0)}


def test_now_agrees_with_the_live_balances(known, api, clock):
    live = {s["name"]: s["credits_available"] for s in api.admin_get("/admin/list").json["students"]}
    assert {name: b[0] for name, b in balances(known, clock.now.isoformat()).items()} == live
    # ...and years later, by the clock, every lot is over even before anyone looks.
    assert balances(known, "2030-01-01") == {"Ana": (0, 2, 2), "Bea": (0, 0, 0)}


def test_text_output_one_student_and_bad_input(known):
    result = cli("balance", "--db", known, "--as-of", "2026-12-23T10:00:00Z", "--student", 1)
    assert result.exit_code == 0, result.output
    assert "Balances as of 2026-12-23T10:00:00Z (1 students)" in result.stdout
    assert "Ana" in result.stdout and "Bea" not in result.stdout
    assert cli("balance", "--db", known, "--as-of", "yesterday").exit_code == 2
    assert cli("balance", "--db", known).exit_code == 2  # --as-of is required
    help_text = cli("balance", "--help").stdout
    assert "UTC" in help_text and "expired" in help_text
