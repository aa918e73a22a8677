"""The student screen against a real server: register, cancel, refusals, bad links."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

REGISTER = "Register for next lesson"
CANCEL = "Cancel registration for next lesson"


def test_registering_and_cancelling_moves_one_credit(server, page):
    student = server.api.add_student("Ana", credits=5)
    server.api.set_lesson()

    page.goto(server.link(student))
    expect(page.locator("h1")).to_have_text("Hi, Ana")
    expect(page.locator("#credit-number")).to_have_text("5")
    expect(page.locator("#reg-state")).to_have_text("You are not registered yet")
    expect(page.locator("#countdown")).to_contain_text("Registration closes in")

    page.get_by_role("button", name=REGISTER).click()
    expect(page.locator("#credit-number")).to_have_text("4")
    expect(page.locator("#reg-state")).to_have_text("You are registered")
    expect(page.locator("#action-message")).to_contain_text("You are registered")
    expect(page.get_by_role("button", name=REGISTER)).to_be_hidden()
    expect(page.get_by_role("link", name="Add to calendar")).to_have_attribute(
        "href", f"/calendar.ics?t={student['token']}")
    expect(page.locator("#history")).to_contain_text("Registered for")
    assert server.api.status(student["token"])["registered"] is True

    page.get_by_role("button", name=CANCEL).click()
    expect(page.locator("#credit-number")).to_have_text("5")
    expect(page.locator("#reg-state")).to_have_text("You are not registered yet")
    expect(page.locator("#action-message")).to_contain_text("cancelled")
    expect(page.get_by_role("button", name=REGISTER)).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Cancelled registration for")
    assert server.api.status(student["token"])["credits_available"] == 5


def test_a_student_without_credits_sees_the_hint_not_a_register_button(server, page):
    student = server.api.add_student("Bea", credits=0)
    server.api.set_lesson()

    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("0")
    expect(page.locator("#no-credits")).to_be_visible()
    # no big Register button for a student with nothing left: the hint says what to do
    expect(page.get_by_role("button", name=REGISTER)).to_be_hidden()
    assert server.api.status(student["token"])["registered"] is False


def test_buttons_stay_disabled_while_a_request_is_in_flight(server, page):
    student = server.api.add_student("Carla", credits=3)
    server.api.set_lesson()
    held, sent = [], []
    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("3")
    # Hold the request (not a mock: it goes to the real server once released).
    page.route("**/register?*", lambda route: (sent.append(route.request.url), held.append(route)))

    button = page.get_by_role("button", name=REGISTER)
    button.click()
    expect(page.locator("#register-btn")).to_be_disabled()
    expect(page.locator("#register-btn")).to_have_text("Please wait…")
    page.locator("#register-btn").click(force=True)  # a second tap must not send again
    expect(page.locator("#register-btn")).to_be_disabled()
    held[0].continue_()

    expect(page.locator("#credit-number")).to_have_text("2")
    assert len(sent) == 1
    assert server.api.status(student["token"])["credits_available"] == 2


def test_no_lesson_scheduled_shows_no_buttons(server, page):
    student = server.api.add_student("Dora", credits=2)
    page.goto(server.link(student))
    expect(page.locator("#no-lesson")).to_have_text("No lesson is scheduled yet. Check back later.")
    expect(page.get_by_role("button", name=REGISTER)).to_be_hidden()


def test_page_without_a_token_asks_for_the_personal_link(server, page):
    page.goto(server.base_url + "/")
    expect(page.get_by_role("heading", name="Open your personal link")).to_be_visible()
    expect(page.locator("#pass")).to_be_hidden()


def test_unknown_link_says_it_no_longer_works(server, page):
    page.goto(server.base_url + "/?t=not-a-real-token")
    expect(page.locator("#page-message")).to_contain_text("This link does not work any more")
    expect(page.locator("#pass")).to_be_hidden()


def test_installed_app_opened_at_start_url_finds_the_pass(server, page):
    student = server.api.add_student("Eva", credits=1)
    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("1")

    page.goto(server.base_url + "/")  # the manifest's start_url has no token
    expect(page.locator("h1")).to_have_text("Hi, Eva")


def test_history_reads_in_plain_words(server, page):
    student = server.api.add_student("Flor", credits=10, validity_months=3)
    server.api.call("POST", "/admin/adjust", {"student_id": student["id"], "delta": 2, "reason": "birthday gift"})
    page.goto(server.link(student))
    history = page.locator("#history")
    expect(history).to_contain_text("Bought 10 lessons, valid until")
    expect(history).to_contain_text("Adjusted +2: birthday gift")
    expect(history).not_to_contain_text("OLDEST")


def test_lesson_time_is_the_studios_wall_time_on_a_phone_elsewhere(server, browser):
    # A lesson happens at the studio (UTC here): a phone in Buenos Aires shows 18:30, as the
    # console does, not 15:30, and says whose time that is.
    starts = (datetime.now(timezone.utc) + timedelta(days=2)).replace(hour=18, minute=30, second=0, microsecond=0)
    student = server.api.add_student("Gala", credits=1)
    server.api.set_lesson(starts)
    context = browser.new_context(locale="en-GB", timezone_id="America/Argentina/Buenos_Aires")
    try:
        page = context.new_page()
        page.goto(server.link(student))
        expect(page.locator("#lesson-time")).to_have_text("18:30")
        expect(page.locator("#zone-note")).to_have_text("Times are in the studio’s time zone (UTC).")
    finally:
        context.close()


def test_spanish_browser_gets_spanish_text(server, browser):
    student = server.api.add_student("Inés", credits=2)
    server.api.set_lesson()
    context = browser.new_context(locale="es-ES")
    try:
        page = context.new_page()
        page.goto(server.link(student))
        expect(page.locator("h1")).to_have_text("Hola, Inés")
        expect(page.get_by_role("button", name="Apuntarme a la próxima clase")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "es")
    finally:
        context.close()
