"""Browser tests: a real `tangopass serve` on a free port and Debian's Chromium via Playwright.

Needs: /usr/bin/chromium (apt-get install chromium), the `playwright` Python package (no
downloaded browsers), and axe-core (npm install at the repo root, or TANGOPASS_AXE_JS).
`make test` installs all three; a missing one fails these tests (never a silent skip).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from tests.support.server import free_port, start_server, stop_gracefully

from .helpers import Api, Server

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("TANGOPASS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


def missing(reason: str) -> None:
    """A missing tool is a failure: a skipped browser test must never count as a pass."""
    pytest.fail(reason)


def serving(folder: Path, tz: str):
    """A fresh `tangopass serve` on an empty database in ``tz``; stopped (SIGTERM) at the end."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    admin_token = secrets.token_urlsafe(24)
    env = {"TANGOPASS_ADMIN_TOKEN": admin_token, "TANGOPASS_PUBLIC_URL": base_url,
           "TANGOPASS_TZ": tz, "TANGOPASS_WINDOW_HOURS": "2"}
    live = start_server(str(folder / "tangopass.db"), port=port, env=env)
    try:
        yield Server(base_url, Api(base_url, admin_token), live.process)
    finally:
        stop_gracefully(live.process)


@pytest.fixture
def server(tmp_path: Path):
    """A studio in UTC."""
    yield from serving(tmp_path, "UTC")


@pytest.fixture
def madrid_server(tmp_path: Path):
    """A studio in Madrid (UTC+1 in winter, UTC+2 in summer)."""
    yield from serving(tmp_path, "Europe/Madrid")


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the `playwright` Python package is not installed")
    if not Path(CHROMIUM).is_file():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    """A phone-sized English context; pages log their errors to the test's output."""
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page_errors():
    return []


def watch_errors(page, errors: list) -> None:
    """Collects uncaught exceptions and Content-Security-Policy refusals of page."""
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)


@pytest.fixture
def page(context, page_errors):
    page = context.new_page()
    watch_errors(page, page_errors)
    yield page
    assert not page_errors, f"errors on the page: {page_errors}"


@pytest.fixture
def persistent_context(playwright_instance, tmp_path):
    """A persistent profile: Chromium only answers installability questions there."""
    context = playwright_instance.chromium.launch_persistent_context(
        user_data_dir=str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        headless=True, viewport=PHONE, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js from $TANGOPASS_AXE_JS or the repo's node_modules (npm install)."""
    candidates = [os.environ.get("TANGOPASS_AXE_JS"), REPO / "node_modules" / "axe-core" / "axe.min.js"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    missing("axe-core not found: run `npm install` at the repo root or set TANGOPASS_AXE_JS")
    raise AssertionError("unreachable")
