"""The student's page of contract part 2: what expired and when, lesson dates on any device,
flags, the language switch; at phone and laptop sizes, in English and Spanish."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM  # noqa: F401 - the same browser for every test
from .helpers import iso

LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
WORDS = {
    "en": {"expired": "8 lessons expired unused on", "past": "Used and expired passes",
           "registered": "Registered for", "left": "2 lessons left", "soon": "expires in 6 days",
           "bought": "Bought 8 lessons"},
    "es": {"expired": "8 clases caducaron sin usar el", "past": "Bonos gastados y caducados",
           "registered": "Te apuntaste", "left": "quedan 2 clases", "soon": "caduca en 6 días",
           "bought": "Compraste 8 clases"},
}


@pytest.fixture(params=[("en", PHONE), ("es", LAPTOP)], ids=["en-phone", "es-laptop"])
def look(request, browser, page_errors):
    """A page in one language at one size (the locale decides the first language)."""
    lang, viewport = request.param
    context = browser.new_context(viewport=viewport, locale=lang, timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda err: page_errors.append(str(err)))
    yield lang, page
    context.close()
    assert not page_errors, page_errors


def test_a_student_whose_pass_expired_sees_what_expired_and_when(server, look):
    lang, page = look
    student = server.api.add_student("Ana")
    bought = datetime.now(timezone.utc) - timedelta(days=40)
    server.api.call("POST", "/admin/addPurchase", {"student_id": student["id"], "credits": 8,
                                                   "validity_months": 1, "purchased_at": iso(bought)})
    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("0")
    expect(page.locator("#past-section")).to_be_visible()
    expect(page.locator("#past-title")).to_have_text(WORDS[lang]["past"])
    expect(page.locator("#past-lots")).to_contain_text(WORDS[lang]["expired"])
    # the whole story is in the history, not "Nothing here yet"
    expect(page.locator("#history")).to_contain_text(WORDS[lang]["bought"])
    # no big Register button for a student with nothing left
    server.api.set_lesson()
    page.reload()
    expect(page.locator("#no-credits")).to_be_visible()
    expect(page.locator("#register-btn")).to_be_hidden()


def test_a_history_on_a_fresh_device_shows_lesson_dates(server, look):
    lang, page = look
    student = server.api.add_student("Bea", credits=3)
    server.api.set_lesson(datetime(2030, 3, 5, 19, 30, tzinfo=timezone.utc))
    server.api.register(student["token"])  # registered elsewhere: this device never saw the lesson
    page.goto(server.link(student))
    history = page.locator("#history")
    expect(history).to_contain_text(WORDS[lang]["registered"])
    expect(history).to_contain_text("2030")  # the lesson's own date, from the entry
    expect(history).not_to_contain_text("a lesson")
    expect(history).not_to_contain_text("una clase")


def test_flags_say_how_many_are_left_and_when_the_pass_expires(server, look):
    lang, page = look
    student = server.api.add_student("Carla")
    now = datetime.now(timezone.utc)
    # one month back + 6½ days: the pass expires in 6 days and a half
    bought = (now - timedelta(days=0)).replace(microsecond=0)
    month_back = bought.replace(month=bought.month - 1) if bought.month > 1 else bought.replace(
        year=bought.year - 1, month=12)
    server.api.call("POST", "/admin/addPurchase", {
        "student_id": student["id"], "credits": 2, "validity_months": 1,
        "purchased_at": iso(month_back + timedelta(days=6, hours=12))})
    page.goto(server.link(student))
    expect(page.locator("#credit-flags")).to_contain_text(WORDS[lang]["left"])
    expect(page.locator("#lots")).to_contain_text(WORDS[lang]["soon"])


def test_the_language_switch_is_remembered_on_the_device(server, page):
    student = server.api.add_student("Dora", credits=1)
    page.goto(server.link(student))
    expect(page.locator("#credits-title")).to_have_text("Your lessons")
    page.get_by_label("Language").select_option("es")
    expect(page.locator("#credits-title")).to_have_text("Tus clases")
    page.goto(server.link(student))
    expect(page.locator("#credits-title")).to_have_text("Tus clases")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Idioma").select_option("en")
    expect(page.locator("#credits-title")).to_have_text("Your lessons")


def test_the_refusal_names_the_lessons_real_window(server, page):
    server.api.call("POST", "/admin/settings", {"window_hours": 5})
    student = server.api.add_student("Eva", credits=1)
    server.api.set_lesson(datetime.now(timezone.utc) + timedelta(hours=4))  # closed already
    page.goto(server.link(student))
    expect(page.locator("#window-rule")).to_contain_text("until 5 hours before the lesson")
