"""The teacher console against a real server: sign in, students, purchases, lessons."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .helpers import sign_in

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def student_item(page, name):
    return page.locator("#student-list > li").filter(has=page.locator(".student-name", has_text=name))


def open_student(page, name):
    item = student_item(page, name)
    item.locator("summary").click()
    expect(item.locator(".student-panel")).to_be_visible()
    return item


def test_teacher_adds_a_student_who_then_registers(server, context, page):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    sign_in(page, server)
    assert page.evaluate("localStorage.getItem('tangopass:admin-token')") == server.api.admin_token
    assert server.api.admin_token not in page.url

    page.get_by_label("Name", exact=True).fill("Ana")
    page.get_by_role("button", name="Add student").click()
    expect(page.locator("#students-message")).to_contain_text("Ana was added")
    link = page.locator("#new-student input").input_value()
    assert link.startswith(server.base_url + "/?t=")
    expect(page.locator("#new-student img.qr")).to_be_visible()
    page.locator("#new-student").get_by_role("button", name="Copy link").click()  # no share sheet here
    expect(page.locator("#students-message")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == link

    ana = open_student(page, "Ana")
    ana.get_by_label("Lessons").fill("8")
    ana.get_by_label("3 months").check()
    ana.get_by_role("button", name="Add purchase").click()
    expect(ana.locator(".message")).to_have_text("Ana now has 8 lessons.")
    expect(ana.get_by_label("Lessons")).to_have_value("10")  # ready for the next purchase, not blank
    expect(ana.locator(".student-credits")).to_have_text("8 lessons")
    expect(ana.locator(".history-list")).to_contain_text("Bought 8 lessons")

    starts = (datetime.now(timezone.utc) + timedelta(days=1)).replace(second=0, microsecond=0)  # context is UTC
    page.get_by_label("New lesson (date and time)").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Add lesson").click()
    expect(page.locator("#lessons-message")).to_contain_text("Lesson added")
    expect(page.locator(".lesson-group.is-next")).to_contain_text("Nobody registered yet.")

    student_page = context.new_page()
    student_page.goto(link)
    student_page.get_by_role("button", name="Register for next lesson").click()
    expect(student_page.locator("#credit-number")).to_have_text("7")
    student_page.close()

    page.get_by_role("button", name="Refresh").click()
    expect(page.locator(".lesson-group.is-next")).to_contain_text("1 registered")
    expect(page.locator(".lesson-group.is-next .reg-name")).to_have_text("Ana")
    expect(ana.locator(".badge")).to_have_text("Registered")
    expect(ana.locator(".student-credits")).to_have_text("7 lessons")


def test_lesson_time_is_the_studios_wall_time_not_the_browsers(server, browser):
    # Issue 13: a teacher travelling typed 20:30 and students saw 00:30. The console now
    # reads and shows times in the studio's zone (UTC here) and names it when elsewhere.
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    try:
        page = context.new_page()
        sign_in(page, server)
        expect(page.locator("#zone-note")).to_contain_text("UTC")
        wall = (datetime.now(timezone.utc) + timedelta(days=3)).replace(
            hour=19, minute=0, second=0, microsecond=0)
        page.get_by_label("New lesson (date and time)").fill(wall.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name="Add lesson").click()
        expect(page.locator("#lessons-message")).to_contain_text("07:00 PM")
        lesson = server.api.admin_list()["next_lesson"]
        assert lesson["starts_at"] == wall.strftime("%Y-%m-%dT%H:%M:%SZ")
    finally:
        context.close()


def test_wrong_admin_token_is_refused_and_forget_removes_it(server, page):
    page.goto(server.base_url + "/teacher")
    page.get_by_label("Admin token").fill("not-the-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#page-message")).to_contain_text("was not accepted")
    expect(page.locator("#console")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('tangopass:admin-token')") is None

    sign_in(page, server)
    page.get_by_role("button", name="Forget token").click()
    expect(page.get_by_label("Admin token")).to_be_visible()
    assert page.evaluate("localStorage.getItem('tangopass:admin-token')") is None
    page.reload()
    expect(page.get_by_label("Admin token")).to_be_visible()


def test_teacher_cancels_a_registration(server, page):
    ana = server.api.add_student("Ana", credits=2)
    server.api.set_lesson()
    server.api.register(ana["token"])
    sign_in(page, server)

    page.get_by_role("button", name="Cancel Ana’s registration").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.get_by_role("button", name="Yes, do it").click()
    expect(page.locator("#lessons-message")).to_contain_text("Ana’s registration was cancelled")
    expect(page.locator(".lesson-group.is-next")).to_contain_text("Nobody registered yet.")
    assert server.api.status(ana["token"])["credits_available"] == 2


def test_cancelling_a_lesson_asks_first_and_refunds_everyone(server, page):
    ana = server.api.add_student("Ana", credits=2)
    bea = server.api.add_student("Bea", credits=1)
    server.api.set_lesson()
    server.api.register(ana["token"])
    server.api.register(bea["token"])
    sign_in(page, server)

    page.get_by_role("button", name="Cancel this lesson").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("All 2 registered students get the lesson back")
    dialog.get_by_role("button", name="No, go back").click()
    expect(dialog).to_be_hidden()
    assert server.api.admin_list()["next_lesson"] is not None

    page.get_by_role("button", name="Cancel this lesson").click()
    dialog.get_by_role("button", name="Yes, do it").click()
    expect(page.locator("#lessons-message")).to_have_text("Lesson cancelled. 2 lessons are usable again.")
    expect(page.locator("#lessons")).to_contain_text("No upcoming lesson")
    assert server.api.status(bea["token"])["credits_available"] == 1


def test_clearing_before_the_lesson_explains_why_not(server, page):
    server.api.set_lesson()
    sign_in(page, server)
    page.get_by_role("button", name="Clear registrations after the lesson").click()
    # No lesson of the week on screen has begun: nothing to name or confirm, nothing sent.
    expect(page.locator("#lessons-message")).to_have_text("No lesson has started yet. Clear the list after class.")
    expect(page.locator("#confirm-dialog")).to_be_hidden()


def test_extending_validity_asks_first(server, page):
    ana = server.api.add_student("Ana", credits=4)
    before = server.api.status(ana["token"])["lots"][0]["expires_at"]
    sign_in(page, server)

    page.get_by_label("Extend every valid pass by (days)").fill("10")
    page.get_by_role("button", name="Extend validity").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Extend every valid pass by 10 days?")
    dialog.get_by_role("button", name="No, go back").click()
    assert server.api.status(ana["token"])["lots"][0]["expires_at"] == before

    page.get_by_role("button", name="Extend validity").click()
    dialog.get_by_role("button", name="Yes, do it").click()
    expect(page.locator("#passes-message")).to_have_text("Extended 1 pass.")
    after = server.api.status(ana["token"])["lots"][0]["expires_at"]
    assert datetime.fromisoformat(after) - datetime.fromisoformat(before) == timedelta(days=10)


def test_adjust_with_a_reason_and_the_refusal_below_zero(server, page):
    server.api.add_student("Ana", credits=1)
    sign_in(page, server)
    ana = open_student(page, "Ana")

    ana.get_by_label("Change (+ or −)").fill("2")
    ana.get_by_label("Reason").fill("Paid cash")
    ana.get_by_role("button", name="Adjust").click()
    expect(ana.locator(".message")).to_have_text("Ana now has 3 lessons.")
    expect(ana.locator(".history-list")).to_contain_text("Adjusted +2: Paid cash")

    ana.get_by_label("Change (+ or −)").fill("-5")
    ana.get_by_label("Reason").fill("Mistake")
    ana.get_by_role("button", name="Adjust").click()
    expect(ana.locator(".message")).to_contain_text("No lessons left")
    expect(ana.locator(".student-credits")).to_have_text("3 lessons")


def test_show_all_history_adds_the_bookkeeping_markers(server, page):
    student = server.api.add_student("Ana", credits=1)
    server.api.call("POST", "/admin/adjust", {"student_id": student["id"], "delta": -1, "reason": "used"})
    sign_in(page, server)
    ana = open_student(page, "Ana")
    # the whole ledger comes with the student's page (/admin/student): nothing is hidden
    expect(ana.locator(".history-list")).to_contain_text("Bought 1 lesson")
    expect(ana.locator(".history-list")).not_to_contain_text("Settled")
    ana.get_by_label("Show all history").check()
    expect(ana.locator(".history-list")).to_contain_text("Settled: every pass before this line")


def test_rotating_a_link_asks_first_and_kills_the_old_one(server, page):
    ana = server.api.add_student("Ana", credits=1)
    sign_in(page, server)
    item = open_student(page, "Ana")
    item.get_by_role("button", name="Make a new link").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, do it").click()
    expect(item.locator(".message")).to_contain_text("New link made for Ana")
    new_link = item.locator(".link-input").input_value()
    assert ana["token"] not in new_link

    student_page = page.context.new_page()
    student_page.goto(server.link(ana))
    expect(student_page.locator("#page-message")).to_contain_text("This link does not work any more")
    student_page.goto(new_link)
    expect(student_page.locator("h1")).to_have_text("Hi, Ana")


def test_every_admin_post_carries_an_idempotency_key_reused_on_retry(server, page):
    sign_in(page, server)
    keys = []
    attempts = {"n": 0}

    def flaky(route):
        keys.append(route.request.headers.get("idempotency-key"))
        attempts["n"] += 1
        if attempts["n"] == 1:
            route.abort("connectionreset")  # the answer is lost: the teacher retries
        else:
            route.continue_()

    page.route("**/admin/addStudent", flaky)
    page.get_by_label("Name", exact=True).fill("Zoe")
    page.get_by_role("button", name="Add student").click()
    expect(page.locator("#students-message")).to_contain_text("No connection to the server")
    page.get_by_role("button", name="Add student").click()
    expect(page.locator("#students-message")).to_contain_text("Zoe was added")

    assert len(keys) == 2 and UUID.match(keys[0]) and keys[0] == keys[1]
    page.get_by_label("Name", exact=True).fill("Zoe")
    page.get_by_role("button", name="Add student").click()
    expect(page.locator("#student-list .student-name", has_text="Zoe")).to_have_count(2)
    assert keys[2] != keys[0]  # a deliberate second student is a new submission
