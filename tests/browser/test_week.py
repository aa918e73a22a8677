"""The studio's week in real Chromium: a weekly lesson, booking any lesson, the waitlist,
clearing with a no-show."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from .helpers import iso, sign_in


def row(page, lesson_id):
    return page.locator(f"#lesson-list [data-lesson-id='{lesson_id}']")


def test_teacher_adds_a_weekly_lesson_and_sees_the_next_eight_dates(server, page):
    sign_in(page, server)
    starts = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)
    page.get_by_label("New lesson (date and time)").fill(starts.strftime("%Y-%m-%dT%H:%M"))  # context is UTC
    page.get_by_label("Every week").check()
    page.get_by_label("Title (optional)").fill("Thursday class")
    page.get_by_role("button", name="Add lesson").click()
    expect(page.locator("#lessons-message")).to_have_text("Weekly lesson added: the next 8 dates are in the list.")
    weekly = page.locator(".lesson-group.is-scheduled").filter(has=page.locator(".badge.is-weekly"))
    expect(weekly).to_have_count(8)
    expect(weekly.first).to_contain_text("Thursday class")
    dates = {(starts + timedelta(weeks=k)).strftime("%b %-d") for k in range(8)}
    shown = " ".join(weekly.all_inner_texts())
    assert all(d in shown for d in dates), (dates, shown)


def test_a_student_books_thursday_while_monday_is_still_ahead(server, page):
    api = server.api
    ana = api.add_student("Ana", credits=3)
    now = datetime.now(timezone.utc)
    monday = api.call("POST", "/admin/addLesson", {"starts_at": iso(now + timedelta(days=1)), "title": "Monday"})["lesson"]
    thursday = api.call("POST", "/admin/addLesson", {"starts_at": iso(now + timedelta(days=3)), "title": "Thursday"})["lesson"]
    page.goto(server.link(ana))
    expect(page.locator("#lesson-list .lesson-row")).to_have_count(2)
    row(page, thursday["id"]).get_by_role("button", name="Book").click()
    expect(page.locator("#list-message")).to_contain_text("You are registered")
    expect(row(page, thursday["id"])).to_contain_text("You are registered")
    expect(row(page, monday["id"])).to_contain_text("Places available")
    status = api.status(ana["token"])
    assert [(x["id"], x["registered"]) for x in status["lessons"]] == [(monday["id"], False), (thursday["id"], True)]
    assert status["credits_available"] == 2


def test_a_waitlisted_student_sees_their_place_and_is_promoted_when_someone_cancels(server, page):
    api = server.api
    ana, bea = api.add_student("Ana", credits=2), api.add_student("Bea", credits=2)
    lesson = api.call("POST", "/admin/addLesson", {
        "starts_at": iso(datetime.now(timezone.utc) + timedelta(days=2)), "capacity": 1})["lesson"]
    api.call("POST", f"/register?t={ana['token']}", {"lesson_id": lesson["id"]}, admin=False)
    page.goto(server.link(bea))
    expect(row(page, lesson["id"])).to_contain_text("Full")
    row(page, lesson["id"]).get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("#list-message")).to_contain_text("you are number 1 on the waitlist")
    expect(row(page, lesson["id"])).to_contain_text("On the waitlist — number 1 in line")
    expect(page.locator("#credit-number")).to_have_text("2")  # a place in line takes no credit

    api.call("POST", f"/cancel?t={ana['token']}", {"lesson_id": lesson["id"]}, admin=False)
    page.get_by_role("button", name="Refresh").click()
    expect(row(page, lesson["id"])).to_contain_text("You are registered")
    expect(page.locator("#credit-number")).to_have_text("1")
    expect(page.locator("#history")).to_contain_text("A place freed up: you moved from the waitlist")


def test_the_teacher_clears_with_a_no_show_and_sees_the_past_lesson(server, page):
    api = server.api
    ana, bea = api.add_student("Ana", credits=2), api.add_student("Bea", credits=2)
    lesson = api.call("POST", "/admin/addLesson", {
        "starts_at": iso(datetime.now(timezone.utc) + timedelta(seconds=3))})["lesson"]
    for student in (ana, bea):  # the teacher's override: after the window
        api.call("POST", "/admin/registerStudent", {"student_id": student["id"], "lesson_id": lesson["id"]})
    time.sleep(4)  # arrange only: the lesson must have begun (no assertion depends on timing)
    sign_in(page, server)
    past = page.locator(f"#lesson-{lesson['id']}")
    expect(past).to_contain_text("2 registered")
    past.get_by_label("Bea did not come").check()
    past.get_by_role("button", name="Clear with attendance").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, do it").click()
    expect(page.locator("#lessons-message")).to_have_text("Lesson cleared: 1 came, 1 did not come.")
    past = page.locator(f"#lesson-{lesson['id']}")
    expect(past.locator(".badge.is-cleared")).to_have_text("held")
    expect(past.locator(".reg").filter(has_text="Bea")).to_contain_text("did not come")
    expect(past.locator(".reg").filter(has_text="Ana")).to_contain_text("came")


def test_cancelling_a_lesson_offers_a_message_naming_it(server, context, page):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    api = server.api
    ana = api.add_student("Ana", credits=2)
    lesson = api.call("POST", "/admin/addLesson", {
        "starts_at": iso(datetime.now(timezone.utc) + timedelta(days=2)), "title": "Vals"})["lesson"]
    api.call("POST", f"/register?t={ana['token']}", {"lesson_id": lesson["id"]}, admin=False)
    sign_in(page, server)
    page.locator(f"#lesson-{lesson['id']}").get_by_role("button", name="Cancel this lesson").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, do it").click()
    expect(page.locator("#tell-box")).to_be_visible()
    text = page.locator("#tell-box textarea").input_value()
    assert "(Vals) is cancelled" in text, text
    page.get_by_role("button", name="Send or copy message").click()
    expect(page.locator("#lessons-message")).to_have_text("Message copied")
    assert page.evaluate("navigator.clipboard.readText()") == text
    page.goto(server.link(ana))
    expect(page.locator("#history")).to_contain_text("Your teacher cancelled your registration")
