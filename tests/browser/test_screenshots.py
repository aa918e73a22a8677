"""Phone-size screenshots of both screens, checked for what they show.

The pictures go to a temporary folder; ``make screenshots`` sets ``TANGOPASS_SCREENSHOTS`` to
``docs/screenshots`` to refresh the README's images with this very test.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image
from playwright.sync_api import Locator, expect

from .helpers import sign_in

SCALE = 2  # device pixels per CSS pixel
PHONE = {"width": 390, "height": 844}


def arrange_studio(server):
    api = server.api
    ana = api.add_student("Ana García")
    api.call("POST", "/admin/addPurchase", {
        "student_id": ana["id"], "credits": 10, "validity_months": 3,
        "purchased_at": (datetime.now(timezone.utc) - timedelta(days=12)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    api.call("POST", "/admin/adjust", {"student_id": ana["id"], "delta": 1, "reason": "bring-a-friend bonus"})
    lesson_at = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)
    api.set_lesson(lesson_at)
    api.register(ana["token"])
    for name, credits in (("Bruno Díaz", 4), ("Carla", 0), ("Diego", 7)):
        student = api.add_student(name, credits=credits)
        if name == "Diego":
            api.register(student["token"])
    return ana


def shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TANGOPASS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _rgb(css: str) -> tuple[int, int, int]:
    """``rgb(1, 2, 3)`` or ``rgba(1, 2, 3, 1)`` → (1, 2, 3)."""
    parts = css[css.index("(") + 1:css.index(")")].replace("/", " ").replace(",", " ").split()
    return tuple(int(float(p)) for p in parts[:3])


def painted(image: Image.Image, element: Locator) -> tuple[int, int, int]:
    """The colour covering most of ``element``'s box in the full-page picture."""
    x, y, w, h = element.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return [r.x + scrollX, r.y + scrollY, r.width, r.height]; }")
    box = (int(x * SCALE) + 4, int(y * SCALE) + 4, int((x + w) * SCALE) - 4, int((y + h) * SCALE) - 4)
    crop = image.crop(box).convert("RGB")
    return max(crop.getcolors(maxcolors=crop.width * crop.height))[1]


def assert_shows(image: Image.Image, element: Locator) -> None:
    background = element.evaluate("e => getComputedStyle(e).backgroundColor")
    assert not background.startswith("rgba(0, 0, 0, 0"), "pick an element with a background"
    expected = _rgb(background)
    found = painted(image, element)
    assert all(abs(a - b) <= 3 for a, b in zip(found, expected)), (found, expected)


def test_phone_screenshots_show_the_pass_and_the_class_list(server, browser, tmp_path):
    ana = arrange_studio(server)
    shots = shots_folder(tmp_path)
    context = browser.new_context(viewport=PHONE, device_scale_factor=SCALE,
                                  locale="en-GB", timezone_id="Europe/Madrid")
    try:
        page = context.new_page()
        page.goto(server.link(ana))
        expect(page.locator("#reg-state")).to_have_text("You are registered")
        expect(page.locator("#credit-number")).to_have_text("10")
        page.screenshot(path=str(shots / "student.png"), full_page=True)
        student = Image.open(shots / "student.png")
        assert student.width == PHONE["width"] * SCALE
        assert_shows(student, page.locator(".topbar"))
        assert_shows(student, page.locator("#reg-state"))
        assert_shows(student, page.locator("#lots li").first)

        sign_in(page, server)
        next_lesson = page.locator(".lesson-group.is-next")
        expect(next_lesson).to_contain_text("2 registered")
        expect(next_lesson).to_contain_text("Ana García")
        page.screenshot(path=str(shots / "teacher.png"), full_page=True)
        teacher = Image.open(shots / "teacher.png")
        assert teacher.width == PHONE["width"] * SCALE
        assert_shows(teacher, page.locator(".topbar"))
        assert_shows(teacher, next_lesson.locator("xpath=ancestor::*[contains(@class, 'card')][1]"))
    finally:
        context.close()


LAPTOP = {"width": 1366, "height": 800}


def test_laptop_console_and_a_student_with_an_expired_pass(server, browser, tmp_path):
    ana = arrange_studio(server)
    api = server.api
    api.call("POST", "/admin/addPurchase", {
        "student_id": ana["id"], "credits": 5, "validity_months": 1, "price": "60", "note": "paid cash",
        "purchased_at": (datetime.now(timezone.utc) - timedelta(days=45)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    eva = api.add_student("Eva Ruiz")
    api.call("POST", "/admin/addPurchase", {
        "student_id": eva["id"], "credits": 8, "validity_months": 1,
        "purchased_at": (datetime.now(timezone.utc) - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    shots = shots_folder(tmp_path)
    context = browser.new_context(viewport=LAPTOP, device_scale_factor=1, locale="en-GB",
                                  timezone_id="Europe/Madrid")
    try:
        page = context.new_page()
        sign_in(page, server)
        item = page.locator("#student-list > li", has=page.locator(".student-name", has_text="Ana García"))
        item.locator("summary").click()
        expect(item.locator(".lots-table tr.is-expired")).to_be_visible()
        page.screenshot(path=str(shots / "teacher-laptop.png"), full_page=True)
        laptop = Image.open(shots / "teacher-laptop.png")
        assert laptop.width == LAPTOP["width"]  # the table layout, not one narrow column:
        assert page.locator(".student-summary").first.evaluate("e => getComputedStyle(e).display") == "grid"
        phone = context.browser.new_context(viewport=PHONE, device_scale_factor=SCALE, locale="en-GB",
                                            timezone_id="Europe/Madrid")
        student = phone.new_page()
        student.goto(server.link(eva))
        expect(student.locator("#past-lots")).to_contain_text("8 lessons expired unused on")
        student.screenshot(path=str(shots / "student-expired.png"), full_page=True)
        assert_shows(Image.open(shots / "student-expired.png"), student.locator("#past-lots li").first)
        phone.close()
    finally:
        context.close()


def arrange_week(server):
    """A weekly class with places, one lesson full with a line, and a past one cleared."""
    api = server.api
    people = [api.add_student(name, credits=5) for name in
              ("Ana García", "Bruno Díaz", "Carla", "Diego", "Elena")]
    today = datetime.now(timezone.utc).date()
    made = api.call("POST", "/admin/addSeries", {
        "weekday": (today + timedelta(days=2)).isoweekday(), "time": "19:30",
        "starts_on": today.isoformat(), "title": "Tango fundamentals", "capacity": 3,
        "role_balance": 1})["lessons"]
    first = made[0]["id"]
    for person, role in zip(people, ("leader", "follower", "leader", "leader", "follower")):
        api.call("POST", f"/register?t={person['token']}", {"lesson_id": first, "role": role}, admin=False)
    api.call("POST", "/admin/addLesson", {
        "starts_at": (datetime.now(timezone.utc) + timedelta(days=1)).replace(
            hour=18, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": "Milonga practice"})
    api.call("POST", f"/register?t={people[0]['token']}", {"lesson_id": made[1]["id"]}, admin=False)
    return people


def test_phone_screenshots_show_the_week_and_the_students_lesson_list(server, browser, tmp_path):
    people = arrange_week(server)
    shots = shots_folder(tmp_path)
    context = browser.new_context(viewport=PHONE, device_scale_factor=SCALE,
                                  locale="en-GB", timezone_id="Europe/Madrid")
    try:
        page = context.new_page()
        page.goto(server.link(people[3]))  # Diego: third leader, waiting in line
        schedule = page.locator(".card.schedule")
        expect(schedule.locator(".lesson-row")).to_have_count(9)
        expect(schedule).to_contain_text("On the waitlist — number 1 in line")
        schedule.screenshot(path=str(shots / "student-lessons.png"))
        page.screenshot(path=str(tmp_path / "student-full.png"), full_page=True)
        assert_shows(Image.open(tmp_path / "student-full.png"), schedule)
        assert Image.open(shots / "student-lessons.png").height > 200

        sign_in(page, server)
        week = page.locator("#lessons")
        expect(week.locator(".badge.is-weekly")).to_have_count(8)
        expect(week).to_contain_text("Waitlist (2)")
        expect(week).to_contain_text("3 of 3 places taken")
        week.locator(".week-section").nth(1).evaluate("e => e.open = false")  # later weeks folded
        page.locator("#lessons-title").scroll_into_view_if_needed()
        week.screenshot(path=str(shots / "week.png"))
        assert Image.open(shots / "week.png").height > 200
        page.screenshot(path=str(tmp_path / "teacher-full.png"), full_page=True)
        assert_shows(Image.open(tmp_path / "teacher-full.png"),
                     week.locator("xpath=ancestor::*[contains(@class, 'card')][1]"))
    finally:
        context.close()
