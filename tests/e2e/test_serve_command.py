"""``tangopass serve``: schema on first use, a generated admin token, a clean SIGTERM."""

import os
import signal
import stat
import subprocess
import time

import pytest

from tangopass.projections.schema import schema_files
from tests.support.db import rows
from tests.support.server import TANGOPASS, Server, free_port, running_server, wait_healthy

pytestmark = pytest.mark.slow


def test_first_start_generates_a_private_admin_token_and_prints_the_console_link(tmp_path):
    db_path = str(tmp_path / "studio.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANGOPASS_")}
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [TANGOPASS, "serve", "--port", str(port), "--db", db_path, "--workers", "1"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    server = Server(port, process, log_path)
    try:
        wait_healthy(server)
        token_file = tmp_path / "studio.db.admin-token"
        token = token_file.read_text().strip()
        assert len(token) >= 32
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        listed = server.request("GET", "/admin/list", headers={"Authorization": f"Bearer {token}"})
        assert listed.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0  # a clean shutdown
    output = log_path.read_text()
    assert f"Teacher console: http://127.0.0.1:{port}/teacher" in output
    assert token not in output  # the secret itself is never printed
    assert rows(db_path, "SELECT name FROM schema_migrations ORDER BY name") == [
        (path.name,) for path in schema_files()
    ]


def test_sigterm_lets_requests_finish_and_keeps_the_data(tmp_path):
    db_path = str(tmp_path / "studio.db")
    with running_server(db_path, workers=2) as server:
        ana = server.admin("addStudent", {"name": "Ana"}).body
        server.admin("addPurchase", {"student_id": ana["id"], "credits": 4, "validity_months": 1})
        process = server.process
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0

    with running_server(db_path, workers=1) as again:
        status = again.request("GET", f"/status?t={ana['token']}")
        assert status.body["credits_available"] == 4


def test_the_access_log_never_contains_a_token(tmp_path):
    db_path = str(tmp_path / "studio.db")
    with running_server(db_path, workers=1) as server:
        ana = server.admin("addStudent", {"name": "Ana"}).body
        server.request("GET", f"/status?t={ana['token']}&ledger")
        server.request("GET", "/status?t=guessed-wrong-token")
        server.request("POST", f"/register?t={ana['token']}")
        time.sleep(0.5)  # let the access log flush
        log = server.log()
    assert '"GET /status" 200' in log
    assert ana["token"] not in log and "guessed-wrong-token" not in log


def test_serving_postgresql_requires_the_admin_token_from_the_environment(postgresql_proc):
    # No file beside a PostgreSQL database to keep a generated token in: a clear refusal.
    from click.testing import CliRunner

    from tangopass.api.cli import main
    from tests.support.db import pg_url

    url = pg_url(postgresql_proc.host, postgresql_proc.port, postgresql_proc.user, "postgres")
    env = {k: v for k, v in os.environ.items() if k != "TANGOPASS_ADMIN_TOKEN"}
    result = CliRunner(env={**env, "TANGOPASS_ADMIN_TOKEN": ""}).invoke(
        main, ["serve", "--db", url, "--port", str(free_port())])

    assert result.exit_code == 2, result.output
    assert "TANGOPASS_ADMIN_TOKEN must be set to serve a PostgreSQL database" in result.output


def test_serve_applies_the_schema_to_a_new_postgresql_database_on_first_use(postgresql_proc, tmp_path):
    from pytest_postgresql.janitor import DatabaseJanitor

    from tests.support.db import pg_url

    proc = postgresql_proc
    with DatabaseJanitor(user=proc.user, host=proc.host, port=proc.port, dbname="first_use",
                         password=proc.password):  # an empty database, no template
        url = pg_url(proc.host, proc.port, proc.user, "first_use", proc.password)
        with running_server(url, workers=1) as server:
            assert server.admin("addStudent", {"name": "Ana"}).status == 201
            assert "schema applied" in server.log()
        assert rows(url, "SELECT name FROM schema_migrations ORDER BY name") == [
            (path.name,) for path in schema_files()]
