"""Faults found in review, tried in real Chromium.

- The console's passes table names its columns (<th scope="col">), in English and Spanish.
- Every console command about one lesson names the lesson the console shows (lesson_id),
  so a lesson added meanwhile by another device never changes what a tap does.
- Lesson times and pass cut-offs are the studio's wall time on both pages, whatever the
  device's own time zone: a lesson at 19:00 in the studio reads 19:00 everywhere.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


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
