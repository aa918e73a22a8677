"""The teacher's desk on the console: search, passes at a glance, rename/archive, one lot's
extension, settings, the report, the studio's time zone, offline roster, language, layout."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import iso, sign_in

LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


def console(browser, viewport, locale="en-US", timezone_id="UTC"):
    context = browser.new_context(viewport=viewport, locale=locale, timezone_id=timezone_id)
    context.set_default_timeout(10_000)
    return context


def open_student(page, name):
    item = page.locator("#student-list > li", has=page.locator(".student-name", has_text=name))
    item.locator("summary").click()
    expect(item.locator(".student-panel")).to_be_visible()
    return item


@pytest.mark.parametrize("viewport, locale, label", [
    (PHONE, "en-US", "Search by name"), (LAPTOP, "es-ES", "Buscar por nombre"),
], ids=["en-phone", "es-laptop"])
def test_search_finds_a_student_among_60(server, browser, viewport, locale, label):
    for i in range(59):
        server.api.add_student(f"Student {i:02d}")
    server.api.add_student("Zoë Martínez", credits=2)
    context = console(browser, viewport, locale)
    page = context.new_page()
    sign_in_any(page, server)
    expect(page.locator("#student-list > li")).to_have_count(60)
    page.get_by_label(label).fill("zoe mar")
    visible = page.locator("#student-list > li:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("Zoë Martínez")
    page.get_by_label(label).fill("nobody")
    expect(page.locator("#no-matches")).to_be_visible()
    context.close()


def sign_in_any(page, server):
    """Signs in whatever the language (the button is the form's only submit)."""
    page.goto(server.base_url + "/teacher")
    page.locator("#admin-token").fill(server.api.admin_token)
    page.locator("#login-form button[type=submit]").click()
    page.locator("#console").wait_for(state="visible")


def test_passes_at_a_glance_with_status_price_flags_and_one_lot_extended(server, browser):
    ana = server.api.add_student("Ana")
    now = datetime.now(timezone.utc)
    server.api.call("POST", "/admin/addPurchase", {"student_id": ana["id"], "credits": 8, "validity_months": 1,
                                                   "purchased_at": iso(now - timedelta(days=40))})
    server.api.call("POST", "/admin/addPurchase", {"student_id": ana["id"], "credits": 2, "validity_months": 1,
                                                   "price": "80", "note": "cash"})
    context = console(browser, LAPTOP)
    page = context.new_page()
    sign_in(page, server)
    item = page.locator("#student-list > li", has=page.locator(".student-name", has_text="Ana"))
    expect(item.locator(".student-summary")).to_contain_text("2 lessons left")
    item = open_student(page, "Ana")
    table = item.locator(".lots-table")
    expect(table.locator("tr.is-expired")).to_contain_text("expired")
    expect(table.locator("tr.is-active")).to_contain_text("2 of 2 left")
    expect(table.locator("tr.is-active")).to_contain_text("80.00 EUR")
    expect(table.locator("tr.is-active")).to_contain_text("cash")
    expect(item.locator(".history-list")).to_contain_text("Bought 8 lessons")  # the whole ledger
    table.locator("tr.is-active summary").click()
    table.get_by_label("Days", exact=True).fill("5")
    table.get_by_label("Why (the student sees it)").fill("flu")
    table.get_by_role("button", name="Extend this pass").click()
    expect(item.locator(".message")).to_contain_text("Pass extended")
    lot = server.api.status(ana["token"])["lots"][0]
    assert lot["expires_at"] > iso(now + timedelta(days=33))
    expect(item.locator(".history-list")).to_contain_text("Validity extended: flu")
    context.close()


def test_rename_archive_and_unarchive(server, page):
    student = server.api.add_student("Ana Typo", credits=1)
    sign_in(page, server)
    open_student(page, "Ana Typo")
    item = page.locator(f'#student-list > li[data-student-id="{student["id"]}"]')  # stays after renaming
    item.get_by_label("Full name").fill("Ana Díaz")
    item.get_by_role("button", name="Rename").click()
    expect(item.locator(".message")).to_contain_text("Renamed to Ana Díaz")
    expect(item.locator(".student-name")).to_have_text("Ana Díaz")
    item.get_by_role("button", name="Archive").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, do it").click()
    expect(page.locator("#students-message")).to_contain_text("Ana Díaz is archived")
    expect(page.locator("#student-list .student-name", has_text="Ana Díaz")).to_have_count(0)
    page.get_by_label("Show archived students").check()
    expect(page.locator("#student-list .student-name", has_text="Ana Díaz")).to_have_count(1)
    item = open_student(page, "Ana Díaz")
    item.get_by_role("button", name="Unarchive").click()
    expect(page.locator("#students-message")).to_contain_text("Ana Díaz is active again")
    assert server.api.admin_list()["students"][0]["archived"] is False


def test_settings_and_the_monthly_report(server, page):
    ana = server.api.add_student("Ana")
    server.api.call("POST", "/admin/addPurchase", {"student_id": ana["id"], "credits": 4,
                                                   "validity_months": 1, "price": "45.5"})
    sign_in(page, server)
    page.get_by_label("Registration closes (hours before a lesson)").fill("5")
    page.get_by_label("Validity offered (months, separated by commas)").fill("1, 2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-message")).to_contain_text("Settings saved")
    saved = server.api.call("GET", "/admin/settings")
    assert saved["window_hours"] == 5 and saved["validity_options"] == [1, 2]
    page.get_by_label("Currency (ISO code, such as EUR)").fill("USD")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-message")).to_have_text(
        "The currency cannot change any more: purchases already have prices in it.")
    page.get_by_role("button", name="Show report").click()
    report = page.locator("#report")
    expect(report).to_contain_text("45.50 EUR")
    expect(report.locator("tr", has_text="Lessons sold")).to_contain_text("4")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert "revenue,45.50" in Path(download.value.path()).read_text()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_teacher_in_another_zone_adds_a_lesson_at_the_studios_wall_time(madrid_server, browser, viewport):
    context = console(browser, viewport, timezone_id="America/Argentina/Buenos_Aires")
    page = context.new_page()
    sign_in(page, madrid_server)
    expect(page.locator("#zone-note")).to_contain_text("Europe/Madrid")
    year = datetime.now(timezone.utc).year + 1
    page.get_by_label("New lesson (date and time)").fill(f"{year}-03-05T20:30")
    page.get_by_role("button", name="Add lesson").click()
    expect(page.locator("#lessons-message")).to_contain_text("08:30 PM")  # en-US writes 20:30 so
    lesson = madrid_server.api.admin_list()["next_lesson"]
    assert lesson["starts_at"] == f"{year}-03-05T19:30:00Z"  # 20:30 in Madrid (UTC+1), not Buenos Aires
    expect(page.locator(".lesson-group.is-next")).to_contain_text("08:30 PM")
    context.close()


def test_the_last_roster_stays_readable_offline_with_commands_disabled(server, context, page):
    server.api.add_student("Ana", credits=3)
    sign_in(page, server)
    expect(page.locator("#student-list")).to_contain_text("Ana")
    context.set_offline(True)
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#offline-banner")).to_contain_text("Offline")
    expect(page.locator("#student-list")).to_contain_text("Ana")
    expect(page.get_by_role("button", name="Add student")).to_be_disabled()
    expect(page.get_by_role("button", name="Add lesson")).to_be_disabled()
    context.set_offline(False)
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.get_by_role("button", name="Add student")).to_be_enabled()


def test_the_console_speaks_spanish_without_assuming_the_teachers_gender(server, page):
    server.api.add_student("Ana", credits=1)
    sign_in(page, server)
    page.get_by_label("Language").select_option("es")
    expect(page.locator("h1")).to_have_text("Consola docente")
    assert "profesora" not in page.content()
    item = open_student(page, "Ana")
    item.get_by_label("Cambio (+ o −)").fill("-1")
    item.get_by_label("Motivo", exact=True).fill("error")
    item.get_by_role("button", name="Ajustar").click()
    expect(item.locator(".message")).to_have_text("Ana tiene ahora 0 clases.")
    item.get_by_label("Cambio (+ o −)").fill("1")
    item.get_by_label("Motivo", exact=True).fill("regalo")
    item.get_by_role("button", name="Ajustar").click()
    expect(item.locator(".message")).to_have_text("Ana tiene ahora 1 clase.")
    page.get_by_label("Idioma").select_option("en")
    expect(page.locator("h1")).to_have_text("Teacher console")


def test_the_link_button_says_copy_where_it_copies(server, context, page):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    server.api.add_student("Ana")
    sign_in(page, server)
    item = open_student(page, "Ana")
    item.get_by_role("button", name="Copy link").click()
    expect(item.locator(".message")).to_have_text("Link copied")


@pytest.mark.parametrize("viewport, locale", [(PHONE, "en-US"), (LAPTOP, "es-ES")], ids=["en-phone", "es-laptop"])
def test_the_desk_is_accessible_and_fits_200_percent_text(server, browser, axe_source, viewport, locale):
    from .test_accessibility import no_horizontal_scroll, serious_violations

    ana = server.api.add_student("Ana")
    now = datetime.now(timezone.utc)
    server.api.call("POST", "/admin/addPurchase", {"student_id": ana["id"], "credits": 8, "validity_months": 1,
                                                   "purchased_at": iso(now - timedelta(days=40))})
    server.api.call("POST", "/admin/addPurchase", {"student_id": ana["id"], "credits": 2, "validity_months": 1,
                                                   "price": "80", "note": "cash"})
    context = browser.new_context(viewport=viewport, locale=locale, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in_any(page, server)
        item = open_student(page, "Ana")
        expect(item.locator(".lots-table tbody tr")).to_have_count(2)
        page.locator("#report-form button[type=submit]").click()
        expect(page.locator("#report table")).to_be_visible()
        assert serious_violations(page, axe_source) == []
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert no_horizontal_scroll(page)
        student = context.new_page()
        student.goto(server.link(ana))
        expect(student.locator("#past-section")).to_be_visible()
        assert serious_violations(student, axe_source) == []
        student.evaluate("document.documentElement.style.fontSize = '200%'")
        assert no_horizontal_scroll(student)
    finally:
        context.close()
