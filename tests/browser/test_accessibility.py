"""axe-core finds no serious or critical problem on either screen; large text still fits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PHONE
from .helpers import sign_in


@pytest.fixture
def a11y_page(browser):
    """A phone page where axe-core may be injected (the app's CSP forbids inline scripts)."""
    context = browser.new_context(viewport=PHONE, locale="en-US", bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def serious_violations(page, axe_source):
    page.add_script_tag(content=axe_source)
    return page.evaluate("""async () => {
        const results = await axe.run(document, { resultTypes: ['violations'] });
        return results.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                           targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    }""")


def student_with_history(server):
    student = server.api.add_student("Ana", credits=10, validity_months=3)
    server.api.call("POST", "/admin/adjust", {"student_id": student["id"], "delta": 1, "reason": "welcome gift"})
    server.api.set_lesson()
    server.api.register(student["token"])
    return student


def test_student_screen_has_no_serious_accessibility_violations(server, a11y_page, axe_source):
    student = student_with_history(server)
    a11y_page.goto(server.link(student))
    expect(a11y_page.locator("#reg-state")).to_have_text("You are registered")
    assert serious_violations(a11y_page, axe_source) == []


def test_student_screen_without_link_has_no_serious_accessibility_violations(server, a11y_page, axe_source):
    a11y_page.goto(server.base_url + "/")
    expect(a11y_page.locator("#no-token")).to_be_visible()
    assert serious_violations(a11y_page, axe_source) == []


def test_teacher_console_has_no_serious_accessibility_violations(server, a11y_page, axe_source):
    student_with_history(server)
    server.api.add_student("Bruno")
    sign_in(a11y_page, server)
    a11y_page.locator("summary", has_text="Ana").click()
    expect(a11y_page.locator(".student-panel .history-list")).to_contain_text("welcome gift")
    assert serious_violations(a11y_page, axe_source) == []


def test_teacher_sign_in_has_no_serious_accessibility_violations(server, a11y_page, axe_source):
    a11y_page.goto(server.base_url + "/teacher")
    expect(a11y_page.get_by_label("Admin token")).to_be_visible()
    assert serious_violations(a11y_page, axe_source) == []


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_both_screens_fit_a_phone_at_200_percent_text(server, page):
    student = student_with_history(server)
    page.goto(server.link(student))
    expect(page.locator("#reg-state")).to_have_text("You are registered")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert no_horizontal_scroll(page)
    sign_in(page, server)
    page.locator("summary", has_text="Ana").click()
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert no_horizontal_scroll(page)
