"""The student page as an installed app: installable, service worker, offline state."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import expect


def wait_for_service_worker(page) -> str:
    """Waits until the page is controlled by an activated service worker; returns its state."""
    page.wait_for_function(
        "() => navigator.serviceWorker.controller?.state === 'activated'")
    return page.evaluate("navigator.serviceWorker.controller.state")


def test_student_page_is_installable_with_an_active_service_worker(server, persistent_context):
    student = server.api.add_student("Ana", credits=3)
    page = persistent_context.new_page()
    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("3")

    assert wait_for_service_worker(page) == "activated"
    cdp = persistent_context.new_cdp_session(page)
    # With a token, the page links the student's own manifest (start_url = their link).
    # Chromium fetches the new manifest after the page swaps the link: on a busy machine
    # the first answer may still be the page's default one, so ask until it changes.
    own = f"/manifest.webmanifest?t={student['token']}"
    manifest = cdp.send("Page.getAppManifest")
    for _ in range(50):
        if manifest["url"].endswith(own):
            break
        page.wait_for_timeout(200)
        manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith(own)
    assert not manifest.get("errors")
    answer = cdp.send("Page.getInstallabilityErrors")
    assert answer["installabilityErrors"] == []


def test_offline_reload_shows_the_last_state_marked_offline(server, persistent_context):
    student = server.api.add_student("Ana", credits=6)
    server.api.set_lesson()
    page = persistent_context.new_page()
    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("6")
    wait_for_service_worker(page)
    page.reload()  # now controlled by the worker, with the shell cached
    page.get_by_role("button", name="Register for next lesson").click()
    expect(page.locator("#credit-number")).to_have_text("5")

    persistent_context.set_offline(True)
    page.reload()

    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("Offline — last updated at")
    expect(page.locator("#credit-number")).to_have_text("5")
    expect(page.locator("#reg-state")).to_have_text("You are registered")
    expect(page.get_by_role("button", name="Cancel registration for next lesson")).to_be_disabled()
    expect(page.locator("#refresh-btn")).to_be_visible()

    persistent_context.set_offline(False)
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.get_by_role("button", name="Cancel registration for next lesson")).to_be_enabled()


def test_cache_never_holds_the_token_or_api_answers(server, persistent_context):
    student = server.api.add_student("Ana", credits=1)
    page = persistent_context.new_page()
    page.goto(server.link(student))
    expect(page.locator("#credit-number")).to_have_text("1")
    wait_for_service_worker(page)
    page.reload()
    expect(page.locator("#credit-number")).to_have_text("1")

    cached = page.evaluate("""async () => {
        const out = [];
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
                const response = await cache.match(request);
                out.push(request.url + ' ' + response.url);
            }
        }
        return out;
    }""")
    assert cached, "the app shell should be cached"
    assert not [entry for entry in cached if student["token"] in entry]
    assert not [entry for entry in cached if "/status" in entry or "/admin/" in entry]


def test_manifest_describes_an_installable_app(server):
    with urllib.request.urlopen(server.base_url + "/manifest.json") as response:
        manifest = json.loads(response.read())
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        with urllib.request.urlopen(server.base_url + icon["src"]) as response:
            assert response.headers["Content-Type"] == "image/png"
