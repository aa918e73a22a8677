"""Hostile input: odd encodings, traversal, unicode, injection. Never a 500, nothing changed."""


import pytest
from falcon import testing

from tangopass.api.app import create_app
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.support.db import fingerprint

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def ana(api):
    student = api.add_student("Ana")
    api.buy(student["id"], credits=2)
    return student


@pytest.mark.parametrize("name", [
    "\u202eanA", "Ana \U0001F483\U0001F3FD", "Zoë Łukasz 李", "\u05e9\u05e8\u05d4", "A" * 100,
    "e\u0301", "\ufeffBOM", "x\u200by",
])
def test_unicode_names_are_kept_exactly(api, name):
    result = api.admin("addStudent", {"name": name})
    assert result.status_code == 201, result.text
    assert result.json["name"] == name.strip()
    listed = api.admin_get("/admin/list").json["students"]
    assert listed[-1]["name"] == name.strip()


@pytest.mark.parametrize("name", ["A\u0000na", "Ana\r\nX-Injected: 1", "\u0007bell", "tab\tbed"])
def test_names_with_control_characters_are_refused(api, db_path, name):
    before = fingerprint(db_path)
    result = api.admin("addStudent", {"name": name})
    assert result.status_code == 400 and result.json["error"] == "VALIDATION_ERROR"
    assert fingerprint(db_path) == before


def test_a_lone_surrogate_in_json_is_refused(api, db_path):
    before = fingerprint(db_path)
    result = api.client.simulate_post(
        "/admin/addStudent", body='{"name": "\\ud800"}',
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert result.status_code == 400
    assert fingerprint(db_path) == before


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b'{"name": "\xc3"}', b"\x00" * 10])
def test_invalid_utf8_is_a_validation_error(api, raw):
    result = api.client.simulate_post(
        "/admin/addStudent", body=raw, headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert result.status_code == 400


@pytest.mark.parametrize("query", [
    "t=%00", "t=%FF%FE", "t=%E2%80%AE", "t=" + "A" * 10000, "t=../../etc/passwd",
    "t[]=x", "t=%20", "t=x&t=y", "T=x",
])
def test_odd_token_encodings_get_the_plain_401(api, ana, query):
    result = api.client.simulate_get("/status", query_string=query)
    assert result.status_code == 401 and result.json["error"] == "INVALID_TOKEN"


def test_a_percent_encoded_valid_token_still_works(api, ana):
    encoded = "".join(f"%{ord(c):02X}" for c in ana["token"])
    assert api.client.simulate_get("/status", query_string=f"t={encoded}").status_code == 200


@pytest.mark.parametrize("path", [
    "/../setup.cfg", "/%2e%2e/setup.cfg", "/..%2fsetup.cfg", "//etc/passwd", "/./index.html/..",
    "/css/../../setup.cfg", "/.gitignore", "/web/index.html", "/index.html%00.js",
    "/%5c..%5csetup.cfg", "/api/app.py", "/tangopass.db",
])
def test_static_files_never_escape_the_web_folder(api, path):
    result = api.client.simulate_get(path)
    assert result.status_code == 404
    assert result.headers["content-type"].startswith("application/json")


def test_deeply_nested_json_is_refused_cleanly(api):
    result = api.client.simulate_post(
        "/admin/addStudent", body="[" * 20000 + "]" * 20000,
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert result.status_code == 400


@pytest.mark.parametrize("value", ["1e400", "-0", "9" * 5000, "NaN", "Infinity", "0x10"])
def test_odd_numbers_are_refused(api, ana, value):
    raw = f'{{"student_id": {ana["id"]}, "credits": {value}, "validity_months": 1}}'
    result = api.client.simulate_post(
        "/admin/addPurchase", body=raw, headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert result.status_code == 400, result.text


def test_the_calendar_holds_no_user_text(api):
    sly = api.add_student("Eve\u202e SUMMARY:pwned")
    api.buy(sly["id"], credits=1)
    api.lesson("2026-11-24T19:00:00Z")
    api.register(sly["token"])
    ics = api.client.simulate_get("/calendar.ics", query_string=f"t={sly['token']}").text
    assert "pwned" not in ics and "Eve" not in ics
    assert all(line.split(":")[0].split(";")[0] in {
        "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "X-WR-CALNAME", "UID", "DTSTAMP",
        "DTSTART", "DTEND", "SUMMARY", "STATUS", "SEQUENCE", "REFRESH-INTERVAL",
    } for line in ics.splitlines() if line)


def test_headers_cannot_be_injected_through_the_idempotency_key(api):
    result = api.admin("addStudent", {"name": "Ana"}, key="a\r\nX-Evil: 1")
    assert result.status_code == 400


def test_every_page_and_answer_carries_the_security_headers(api, ana):
    for path, query in [("/", f"t={ana['token']}"), ("/status", f"t={ana['token']}"),
                        ("/nope", ""), ("/openapi.json", ""), ("/health", "")]:
        headers = api.client.simulate_get(path, query_string=query).headers
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-content-type-options"] == "nosniff", path
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path


def test_the_admin_token_is_compared_in_constant_time(api, monkeypatch):
    import hmac

    import tangopass.api.edge as edge

    calls = []
    original = hmac.compare_digest

    def spy(a, b):
        calls.append((type(a), type(b)))
        return original(a, b)

    monkeypatch.setattr(edge.hmac, "compare_digest", spy)
    assert api.admin_get("/admin/list", token="wrong").status_code == 401
    assert api.admin_get("/admin/list").status_code == 200
    assert calls == [(bytes, bytes), (bytes, bytes)]


class TestCors:
    @pytest.fixture
    def cors_api(self, settings, clock):
        from dataclasses import replace

        ctx = open_context(replace(settings, cors_origins=("https://console.example",)), clock=clock)
        yield Api(testing.TestClient(create_app(ctx)))
        ctx.ledger.close()
        ctx.queries.close()

    def test_a_configured_origin_is_granted(self, cors_api):
        result = cors_api.client.simulate_get("/health", headers={"Origin": "https://console.example"})
        assert result.headers["access-control-allow-origin"] == "https://console.example"

    def test_a_foreign_origin_gets_no_grant(self, cors_api):
        result = cors_api.client.simulate_get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in result.headers

    def test_preflight_for_a_configured_origin_allows_the_admin_headers(self, cors_api):
        result = cors_api.client.simulate_options("/admin/addStudent", headers={
            "Origin": "https://console.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        })
        assert result.status_code == 200
        assert result.headers["access-control-allow-origin"] == "https://console.example"
        assert "POST" in result.headers["access-control-allow-methods"]
        assert "idempotency-key" in result.headers["access-control-allow-headers"].lower()

    def test_preflight_from_a_foreign_origin_gets_no_grant(self, cors_api):
        result = cors_api.client.simulate_options("/admin/addStudent", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        })
        assert "access-control-allow-origin" not in result.headers

    def test_without_configured_origins_nothing_is_granted(self, api):
        result = api.client.simulate_get("/health", headers={"Origin": "https://console.example"})
        assert "access-control-allow-origin" not in result.headers


def test_a_huge_query_string_is_refused_without_a_500(api):
    result = api.client.simulate_get("/status", query_string="t=" + "x" * 100_000)
    assert result.status_code in (401, 414)

