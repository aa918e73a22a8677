"""Cases from public bug reports of peer systems, tried in real Chromium (issue 9)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from .helpers import iso, sign_in


def month_before(moment: datetime) -> datetime:
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def test_the_console_says_how_many_credits_expired_on_return(server, page):
    """A lesson cancelled after a registered credit's pass expired: "refunded": 2 is not two
    lessons usable again. The console says how many are, and how many expired."""
    ana = server.api.add_student("Ana", credits=3)
    bea = server.api.add_student("Bea")
    lesson = server.api.set_lesson()
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=15)
    lot = server.api.call("POST", "/admin/addPurchase", {
        "student_id": bea["id"], "credits": 1, "validity_months": 1,
        "purchased_at": iso(month_before(soon))})["lot"]
    server.api.register(ana["token"])
    server.api.register(bea["token"])
    expires_at = datetime.fromisoformat(lot["expires_at"].replace("Z", "+00:00"))
    deadline = time.monotonic() + 120
    while datetime.now(timezone.utc) <= expires_at and time.monotonic() < deadline:
        time.sleep(0.5)  # waiting for the pass to expire on the server's clock
    assert datetime.now(timezone.utc) > expires_at
    sign_in(page, server)

    page.get_by_role("button", name="Cancel this lesson").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, do it").click()

    expect(page.locator("#lessons-message")).to_have_text(
        "Lesson cancelled. 1 lesson is usable again."
        " 1 lesson went back to an expired pass and expired with it.")
    assert server.api.status(bea["token"])["credits_available"] == 0
    assert server.api.status(ana["token"])["credits_available"] == 3
    assert lesson["id"] == 1
