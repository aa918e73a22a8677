"""The per-student manifest: the installed app opens the student's own pass.

Served only to a valid token holder, never stored by a cache, never leaking the
token through Referer or the server's log.
"""

from __future__ import annotations

import json

from tests.support.server import running_server


def test_a_valid_token_gets_a_manifest_that_starts_on_its_own_pass(api):
    ana = api.add_student("Ana")
    result = api.client.simulate_get("/manifest.webmanifest", query_string=f"t={ana['token']}")
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/manifest+json"
    assert result.headers["cache-control"] == "private, no-store"
    assert result.headers["referrer-policy"] == "no-referrer"
    manifest = json.loads(result.content)
    assert manifest["start_url"] == f"/?t={ana['token']}" == manifest["id"]
    assert manifest["scope"] == "/" and manifest["display"] == "standalone"
    shared = api.client.simulate_get("/manifest.json").json
    assert {k: v for k, v in manifest.items() if k not in ("id", "start_url")} == {
        k: v for k, v in shared.items() if k not in ("id", "start_url")}


def test_without_a_valid_token_it_is_the_contracts_401(api):
    ana = api.add_student("Ana")
    for query in ("", "t=nope", f"t={ana['token']}x"):
        result = api.client.simulate_get("/manifest.webmanifest", query_string=query)
        assert result.status_code == 401
        assert result.json == {"error": "INVALID_TOKEN", "message": result.json["message"]}
        assert result.headers["cache-control"] == "no-store"
    rotated = api.admin("rotateToken", {"student_id": ana["id"]}).json
    old = api.client.simulate_get("/manifest.webmanifest", query_string=f"t={ana['token']}")
    assert old.status_code == 401
    new = api.client.simulate_get("/manifest.webmanifest", query_string=f"t={rotated['token']}")
    assert json.loads(new.content)["start_url"] == f"/?t={rotated['token']}"


def test_the_token_never_reaches_the_servers_log(tmp_path):
    with running_server(str(tmp_path / "logs.db"), workers=1) as server:
        ana = server.admin("addStudent", {"name": "Ana"}).body
        assert server.request("GET", f"/manifest.webmanifest?t={ana['token']}").status == 200
        assert server.request("HEAD", f"/manifest.webmanifest?t={ana['token']}").status == 200
        assert server.request("GET", "/manifest.webmanifest?t=unknown-token-123").status == 401
    log = server.log()  # after a clean stop: every line is written
    assert "/manifest.webmanifest" in log  # the requests were logged ...
    assert ana["token"] not in log and "unknown-token-123" not in log  # ... without the token
