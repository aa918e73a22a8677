"""The Studio aggregate: settings as events, the currency fixed by the first price."""

from datetime import UTC, datetime

import pytest

from tangopass.ledger.errors import InvalidTermsError
from tangopass.ledger.studio import Studio, StudioSettings

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_change_records_one_event_with_every_value():
    studio = Studio.open(StudioSettings(window_hours=4), NOW)
    settings = studio.change({"validity_options": [6, 1, 6], "studio_name": "Sur"}, NOW)
    assert settings.validity_options == (1, 6) and settings.window_hours == 4
    changed = studio.pending_events[-1]
    assert changed.settings["studio_name"] == "Sur" and changed.by == "teacher"


def test_no_event_when_nothing_changes():
    studio = Studio.open(StudioSettings(), NOW)
    studio.change({"currency": "EUR"}, NOW)
    assert len(studio.pending_events) == 1  # only the opening


def test_the_currency_is_fixed_once_a_purchase_has_a_price():
    studio = Studio.open(StudioSettings(), NOW)
    studio.change({"currency": "USD"}, NOW)
    studio.lock_currency(NOW)
    studio.lock_currency(NOW)  # once is enough
    assert [type(e).__name__ for e in studio.pending_events][-1] == "CurrencyLocked"
    assert len(studio.pending_events) == 3
    with pytest.raises(InvalidTermsError):
        studio.change({"currency": "EUR"}, NOW)
    assert studio.change({"window_hours": 0}, NOW).currency == "USD"


def test_validity_must_be_offered():
    StudioSettings(validity_options=(1, 3)).check_validity(3)
    with pytest.raises(InvalidTermsError, match="one of 1, 3"):
        StudioSettings(validity_options=(1, 3)).check_validity(2)
