"""Cases from public bug reports of peer systems, tried in real Chromium (issue 9).

- The console says how many credits given back are usable again and how many expired.
- The tap registers for (or cancels) the lesson the page shows, and the message
  names the lesson the server answered for.
- A pass that ends part-way through a day shows the time of its cut-off, in the
  student's language and the studio's time zone.
- The installed app opens the student's own pass, from a fresh profile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

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


REGISTER = "Register for next lesson"
CANCEL = "Cancel registration for next lesson"


def local_time(page, instant: str) -> str:
    """The lesson time as the page writes it (its own language and time zone)."""
    return page.evaluate(
        "(iso) => new Intl.DateTimeFormat(navigator.language,"
        " {hour: '2-digit', minute: '2-digit'}).format(new Date(iso))", instant)


def two_lessons_later_one_first(server) -> tuple[dict, Callable[[], dict]]:
    base = (datetime.now(timezone.utc) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    shown = server.api.set_lesson(base.replace(hour=20))
    return shown, lambda: server.api.set_lesson(base.replace(hour=18) - timedelta(days=1))


def test_register_acts_on_the_lesson_shown_after_an_earlier_one_is_added(server, page):
    student = server.api.add_student("Ana", credits=5)
    shown, add_earlier = two_lessons_later_one_first(server)
    page.goto(server.link(student))
    expect(page.locator("#lesson-time")).to_have_text(local_time(page, shown["starts_at"]))

    earlier = add_earlier()  # the teacher adds an earlier lesson; the page still shows 20:00
    page.get_by_role("button", name=REGISTER).click()

    expect(page.locator("#action-message")).to_contain_text("You are registered")
    expect(page.locator("#action-message")).to_contain_text(local_time(page, shown["starts_at"]))
    registrations = server.api.admin_list()["registrations"]
    assert [r["lesson_id"] for r in registrations] == [shown["id"]]
    assert earlier["id"] != shown["id"]


def test_cancel_acts_on_the_lesson_shown_after_an_earlier_one_is_added(server, page):
    student = server.api.add_student("Bea", credits=5)
    shown, add_earlier = two_lessons_later_one_first(server)
    server.api.register(student["token"])
    page.goto(server.link(student))
    expect(page.locator("#reg-state")).to_have_text("You are registered")

    add_earlier()
    page.get_by_role("button", name=CANCEL).click()

    expect(page.locator("#action-message")).to_contain_text("is cancelled")
    expect(page.locator("#action-message")).to_contain_text(local_time(page, shown["starts_at"]))
    assert server.api.admin_list()["registrations"] == []
    assert server.api.status(student["token"])["credits_available"] == 5


def buy_at(server, student: dict, purchased_at: datetime) -> None:
    server.api.call("POST", "/admin/addPurchase", {
        "student_id": student["id"], "credits": 2, "validity_months": 1,
        "purchased_at": iso(purchased_at)})


def lot_lines(browser, server, student, locale: str, timezone_id: str) -> list[str]:
    context = browser.new_context(locale=locale, timezone_id=timezone_id)
    try:
        page = context.new_page()
        page.goto(server.link(student))
        page.locator("#lots li").first.wait_for()
        return page.locator("#lots li").all_inner_texts()
    finally:
        context.close()


def test_a_pass_ending_part_way_through_a_day_shows_the_time(server, browser):
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    student = server.api.add_student("Cleo")
    buy_at(server, student, yesterday.replace(hour=12, minute=32, second=0, microsecond=0))
    buy_at(server, student, yesterday.replace(hour=0, minute=0, second=0, microsecond=0))
    midnight_lot, noon_lot = server.api.status(student["token"])["lots"]
    assert noon_lot["expires_at"].endswith("T12:32:00Z") and midnight_lot["expires_at"].endswith("T00:00:00Z")

    english = lot_lines(browser, server, student, "en-US", "UTC")
    assert "12:32 PM" in english[1]
    last_day = datetime.fromisoformat(midnight_lot["expires_at"].replace("Z", "+00:00")) - timedelta(seconds=1)
    assert f" {last_day.day}" in english[0] and ":" not in english[0]  # valid through that whole day

    spanish = lot_lines(browser, server, student, "es-ES", "Europe/Madrid")  # the studio's time: UTC
    assert "12:32" in spanish[1] and "válidas hasta" in spanish[1]


def test_the_installed_app_opens_the_students_own_pass(server, browser, context):
    student = server.api.add_student("Dora", credits=4)
    page = context.new_page()
    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("4")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    manifest_url = urljoin(page.url, href)
    cdp = context.new_cdp_session(page)
    chromium_sees = cdp.send("Page.getAppManifest")
    assert chromium_sees["url"] == manifest_url and not chromium_sees.get("errors")
    manifest = page.evaluate("async (url) => (await fetch(url)).json()", manifest_url)
    start_url = urljoin(manifest_url, manifest["start_url"])

    fresh = browser.new_context(locale="en-US", timezone_id="UTC")  # an app starts with empty storage
    try:
        app = fresh.new_page()
        app.goto(start_url)
        expect(app.locator("h1")).to_have_text("Hi, Dora")
        expect(app.locator("#credit-number")).to_have_text("4")
    finally:
        fresh.close()
