"""Two ``tangopass serve`` on one machine: each has its own gunicorn control socket.

gunicorn's default control socket is one per user (~/.gunicorn/gunicorn.ctl, or
$XDG_RUNTIME_DIR/gunicorn.ctl): the last server started took it over, and the
first one stopping removed it under the other. Each server keeps its own beside
its database, so two studios run side by side.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from gunicorn.ctl.client import ControlClient

from tests.support.api import ADMIN_TOKEN
from tests.support.server import running_server, stop_gracefully

pytestmark = pytest.mark.slow


def wait_for_socket(path: Path, timeout: float = 15) -> bool:
    """The control socket starts in a thread of the master, maybe after /health answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not path.is_socket():
        time.sleep(0.05)
    return path.is_socket()


def listening_port(socket_path: Path) -> str:
    """What the server behind a control socket says it listens on."""
    with ControlClient(str(socket_path), timeout=10) as client:
        answer = client.send_command("show listeners")
    return " ".join(item["address"] for item in answer["listeners"])


def test_two_servers_on_two_databases_keep_apart(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": ""}  # the default would be ~/.gunicorn/gunicorn.ctl
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    db_a, db_b = str(tmp_path / "a" / "a.db"), str(tmp_path / "b" / "b.db")
    with running_server(db_a, workers=1, env=env) as first:
        with running_server(db_b, workers=1, env=env) as second:
            ctl_a, ctl_b = Path(f"{db_a}.ctl"), Path(f"{db_b}.ctl")
            assert wait_for_socket(ctl_a) and wait_for_socket(ctl_b)
            assert f":{first.port}" in listening_port(ctl_a)
            assert f":{second.port}" in listening_port(ctl_b)
            assert not (home / ".gunicorn").exists()
            assert first.admin("addStudent", {"name": "Ana"}).status == 201
            assert second.admin("addStudent", {"name": "Bea"}).status == 201
            stop_gracefully(second.process)
            assert second.process.returncode == 0
            assert not ctl_b.exists()
            # The first studio is untouched: it serves, and its control socket still answers.
            assert first.admin("addStudent", {"name": "Cleo"}).status == 201
            assert f":{first.port}" in listening_port(ctl_a)
        names = first.request("GET", "/admin/list",
                              headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).body
        assert [s["name"] for s in names["students"]] == ["Ana", "Cleo"]
    assert not (home / ".gunicorn").exists()
    assert not os.path.exists(f"{db_a}.ctl")
