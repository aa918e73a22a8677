"""``tangopass verify`` checks every month's report against the ledger's events."""

from __future__ import annotations

import pytest

from tests.audit.helpers import cli, execute
from tests.support.histories import busy_history

LESSON_AT = "2026-11-24T19:00:00Z"


@pytest.fixture
def history(api, clock, db_path) -> str:
    busy_history(api, clock)
    ana = api.add_student("Priced")
    assert api.admin("addPurchase", {"student_id": ana["id"], "credits": 4, "validity_months": 1,
                                     "price": "55.5"}).status_code == 201
    result = cli("verify", "--db", db_path)
    assert result.exit_code == 0, result.output
    return db_path


def broken(db_path: str) -> str:
    result = cli("verify", "--db", db_path, "--limit", "0")
    assert result.exit_code == 1, result.output
    return result.stdout


def test_a_rewritten_price_is_named_by_month(history):
    execute(history, "UPDATE lots SET price_amount = '5.00' WHERE price_amount = '55.50'")
    report = broken(history)
    assert "[report] report 2027-01: revenue is 5.00" in report and "55.50" in report


def test_a_lesson_marked_cancelled_behind_the_ledger_is_named(history):
    execute(history, "UPDATE lesson_events SET status = 'cancelled'"
                     " WHERE id = (SELECT MIN(lesson_id) FROM registrations WHERE status = 'cleared')")
    assert "lessons_held is" in broken(history)


def test_a_clean_history_in_another_zone_verifies(history, monkeypatch):
    monkeypatch.setenv("TANGOPASS_TZ", "America/Argentina/Buenos_Aires")
    result = cli("verify", "--db", history)
    assert result.exit_code == 0, result.output


def test_an_unknown_zone_is_a_usage_error(history, monkeypatch):
    monkeypatch.setenv("TANGOPASS_TZ", "Mars/Olympus")
    assert cli("verify", "--db", history).exit_code == 2
