"""HEAD works wherever GET does: same status and headers, no body, no other effect.

Link checkers and calendar clients send HEAD. The routes are enumerated from
the app's own router, so a GET route added later without HEAD fails here.
"""

from __future__ import annotations

import falcon.inspect
import pytest

from tests.support.api import ADMIN_TOKEN
from tests.support.db import rows

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def studio(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], 5)
    api.lesson("2026-11-24T19:00:00Z")
    assert api.register(ana["token"]).status_code == 200
    return ana


def get_routes(app) -> dict[str, set[str]]:
    """Every route of the router whose GET is the app's own (not Falcon's 405), and its verbs."""
    found = {}
    for route in falcon.inspect.inspect_routes(app):
        verbs = {m.method for m in route.methods if not m.internal}
        if "GET" in verbs:
            found[route.path] = verbs
    return found


def query_for(path: str, token: str) -> tuple[str, dict]:
    """A query string and headers that make GET on ``path`` succeed."""
    if path.startswith("/admin/"):
        return "student_id=1", ADMIN
    if path in ("/status", "/calendar.ics", "/manifest.webmanifest"):
        return f"t={token}", {}
    return "", {}


def test_every_get_route_answers_head(api, studio):
    app = api.client.app
    routes = get_routes(app)
    assert {"/status", "/calendar.ics", "/admin/list", "/admin/ledger", "/health",
            "/openapi.json"} <= set(routes)
    for path, verbs in routes.items():
        assert "HEAD" in verbs, f"{path} has GET but no HEAD"
        query, headers = query_for(path, studio["token"])
        got = api.client.simulate_get(path, query_string=query, headers=headers)
        head = api.client.simulate_head(path, query_string=query, headers=headers)
        assert got.status_code == 200, (path, got.text)
        assert head.status_code == 200, (path, head.text)
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        assert head.headers.get("cache-control") == got.headers.get("cache-control"), path


@pytest.mark.parametrize("path", ["/", "/teacher", "/manifest.json", "/js/student.js",
                                  "/icons/icon-192.png"])
def test_static_files_answer_head(api, path):
    got, head = api.client.simulate_get(path), api.client.simulate_head(path)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_head_refusals_match_get(api, studio):
    for path in ("/status", "/calendar.ics"):
        assert api.client.simulate_head(path, query_string="t=nope").status_code == 401
    assert api.client.simulate_head("/admin/list").status_code == 401
    assert api.client.simulate_head("/no/such/route").status_code == 404
    assert api.client.simulate_head("/register").status_code == 405


def test_head_changes_nothing_a_get_would_not(api, studio, db_path):
    count = "SELECT COUNT(*) FROM stored_events"
    before = rows(db_path, count)
    for path, query in (("/status", f"t={studio['token']}"), ("/calendar.ics", f"t={studio['token']}")):
        assert api.client.simulate_head(path, query_string=query).status_code == 200
    assert api.client.simulate_head("/admin/list", headers=ADMIN).status_code == 200
    assert rows(db_path, count) == before
