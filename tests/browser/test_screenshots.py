"""Phone-size screenshots of both screens for the docs (docs/screenshots/)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from .conftest import REPO
from .helpers import sign_in

SHOTS = REPO / "docs" / "screenshots"


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


def test_phone_screenshots_of_both_screens(server, browser):
    ana = arrange_studio(server)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  locale="en-GB", timezone_id="Europe/Madrid")
    try:
        page = context.new_page()
        page.goto(server.link(ana))
        expect(page.locator("#reg-state")).to_have_text("You are registered")
        page.screenshot(path=str(SHOTS / "student.png"), full_page=True)

        sign_in(page, server)
        expect(page.locator(".lesson-group.is-next")).to_contain_text("2 registered")
        page.screenshot(path=str(SHOTS / "teacher.png"), full_page=True)
    finally:
        context.close()
    assert (SHOTS / "student.png").stat().st_size > 10_000
    assert (SHOTS / "teacher.png").stat().st_size > 10_000
