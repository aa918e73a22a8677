"""Faults found in review, tried in real Chromium.

- The console's passes table names its columns (<th scope="col">), in English and Spanish.
- Every console command about one lesson names the lesson the console shows (lesson_id),
  so a lesson added meanwhile by another device never changes what a tap does.
- Lesson times and pass cut-offs are the studio's wall time on both pages, whatever the
  device's own time zone: a lesson at 19:00 in the studio reads 19:00 everywhere.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from .helpers import iso, sign_in


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
