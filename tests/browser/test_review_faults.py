"""Faults found in review, tried in real Chromium.

- The console's passes table names its columns (<th scope="col">), in English and Spanish.
- Every console command about one lesson names the lesson the console shows (lesson_id),
  so a lesson added meanwhile by another device never changes what a tap does.
- Lesson times and pass cut-offs are the studio's wall time on both pages, whatever the
  device's own time zone: a lesson at 19:00 in the studio reads 19:00 everywhere.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .helpers import iso, sign_in

MADRID = ZoneInfo("Europe/Madrid")


LAPTOP = {"width": 1366, "height": 800}


def open_student(page, name):
    item = page.locator("#student-list > li", has=page.locator(".student-name", has_text=name))
    item.locator("summary").click()
    expect(item.locator(".student-panel")).to_be_visible()
    return item


@pytest.mark.parametrize("locale, headers", [
    ("en-US", ["Status", "Lessons", "Validity", "Price", "Note", "Actions"]),
    ("es-ES", ["Estado", "Clases", "Validez", "Precio", "Nota", "Acciones"]),
], ids=["en", "es"])
def test_the_passes_table_names_its_columns(server, browser, locale, headers):
    server.api.add_student("Ana", credits=4)
    context = browser.new_context(viewport=LAPTOP, locale=locale, timezone_id="UTC")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(server.base_url + "/teacher")
        page.locator("#admin-token").fill(server.api.admin_token)
        page.locator("#login-form button[type=submit]").click()
        table = open_student(page, "Ana").locator(".lots-table")
        expect(table.locator("tbody tr")).to_have_count(1)
        expect(table.get_by_role("columnheader")).to_have_text(headers)
        assert table.locator("thead th[scope=col]").count() == len(headers)
        assert table.locator("tbody tr").first.locator("td").count() == len(headers)
    finally:
        context.close()


def test_the_console_cancels_the_registration_of_the_lesson_it_shows(server, page):
    """The teacher adds an earlier lesson from another device after the console loaded: the
    student's Cancel button still names, and cancels, the lesson it showed."""
    ana = server.api.add_student("Ana", credits=5)
    base = (datetime.now(timezone.utc) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    shown = server.api.set_lesson(base.replace(hour=20))
    server.api.register(ana["token"])
    sign_in(page, server)
    panel = open_student(page, "Ana")
    button = panel.locator(".panel-registration button")
    expect(button).to_contain_text("08:00 PM")  # the lesson it will cancel, by name

    earlier = server.api.set_lesson(base.replace(hour=18) - timedelta(days=1))
    button.click()

    expect(panel.locator(".message")).to_contain_text("Ana’s registration was cancelled")
    assert server.api.admin_list()["registrations"] == []
    assert server.api.status(ana["token"])["credits_available"] == 5
    assert earlier["id"] != shown["id"]


def test_the_clear_button_clears_the_lesson_its_dialog_names(server, page):
    """Two lessons have begun and neither is cleared; the dialog names the later one. If
    another device clears that one meanwhile, confirming must not clear the earlier one."""
    now = datetime.now(timezone.utc)
    first, second = (server.api.call("POST", "/admin/addLesson", {"starts_at": iso(now + timedelta(seconds=s))})["lesson"]
                     for s in (2, 4))
    assert first["starts_at"] < second["starts_at"]
    while datetime.now(timezone.utc) < now + timedelta(seconds=5):
        time.sleep(0.25)  # arrange only: both lessons must have begun
    sign_in(page, server)
    expect(page.locator(f"#lesson-{second['id']}")).to_be_visible()

    server.api.call("POST", "/admin/clearRegistrations", {"lesson_id": second["id"]})  # another device
    page.get_by_role("button", name="Clear registrations after the lesson").click()
    dialog = page.locator("#confirm-dialog")
    second_at = datetime.fromisoformat(second["starts_at"].replace("Z", "+00:00"))
    expect(dialog).to_contain_text(f"Clear the lesson of ")
    expect(dialog).to_contain_text(second_at.strftime("%I:%M %p"))  # the later one, en-US in UTC
    dialog.get_by_role("button", name="Yes, do it").click()

    expect(page.locator("#lessons-message")).to_have_text("That lesson was already cleared or cancelled.")
    lessons = {l["id"]: l["status"] for l in server.api.call("GET", "/admin/lessons")["lessons"]}
    assert lessons == {first["id"]: "scheduled", second["id"]: "cleared"}


def test_both_pages_show_the_studios_wall_time_on_a_device_elsewhere(madrid_server, browser):
    """A lesson at 01:30 in Madrid is 19:30 the day before in New York: a student's phone and
    the teacher's laptop in New York both show the lesson, its cut-off and a pass's end at
    the studio's wall time and date, and say whose time that is."""
    api = madrid_server.api
    day = (datetime.now(MADRID) + timedelta(days=3)).date()
    starts = datetime.combine(day, datetime.min.time(), MADRID).replace(hour=1, minute=30)
    api.set_lesson(starts)
    bought = (datetime.now(MADRID) - timedelta(days=2)).replace(hour=12, minute=32, second=0, microsecond=0)
    ana = api.add_student("Ana")
    api.call("POST", "/admin/addPurchase", {"student_id": ana["id"], "credits": 4, "validity_months": 1,
                                            "purchased_at": bought.isoformat()})
    assert api.status(ana["token"])["time_zone"] == "Europe/Madrid"
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", timezone_id="America/New_York")
    context.set_default_timeout(10_000)
    try:
        student = context.new_page()
        student.goto(madrid_server.link(ana))
        expect(student.locator("#lesson-time")).to_have_text("01:30")
        expect(student.locator("#lesson-day")).to_contain_text(re.compile(rf"\b{day.day} "))
        expect(student.locator("#lesson-list")).to_contain_text("01:30")
        expect(student.locator("#lots li").first).to_contain_text("12:32")
        expect(student.locator("#zone-note")).to_contain_text("Europe/Madrid")

        console = context.new_page()
        sign_in(console, madrid_server)
        group = console.locator(".lesson-group.is-next h3")
        expect(group).to_contain_text(re.compile(rf"\b{day.day} "))
        expect(group).to_contain_text("01:30")
        closes = console.locator(".lesson-group.is-next").get_by_text("Registration closes")
        expect(closes).to_contain_text("23:30")
        expect(student.locator("#window-detail")).to_contain_text("23:30")
        table = open_student(console, "Ana").locator(".lots-table")
        expect(table.locator("tbody tr").first).to_contain_text("12:32")
    finally:
        context.close()


def test_a_teacher_ahead_of_the_studio_can_pick_a_lesson_later_today(madrid_server, browser):
    """In Tokyo it is already evening when Madrid has a lesson later today: the picker's
    minimum is now on the studio's clock, so that lesson can be typed and added."""
    soon = (datetime.now(MADRID) + timedelta(hours=2)).replace(second=0, microsecond=0)
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", timezone_id="Asia/Tokyo")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, madrid_server)
        page.get_by_label("New lesson (date and time)").fill(soon.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name="Add lesson").click()
        expect(page.locator("#lessons-message")).to_contain_text("Lesson added")
        lesson = madrid_server.api.admin_list()["next_lesson"]
        assert lesson["starts_at"] == iso(soon)
    finally:
        context.close()
