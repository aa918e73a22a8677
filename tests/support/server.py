"""Start a real ``tangopass serve`` process on a free port, and talk to it over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.api import ADMIN_TOKEN

TANGOPASS = str(Path(sys.executable).with_name("tangopass"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: Any = None, headers: dict | None = None,
                timeout: float = 30) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = dict(headers or {})
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            kind = response.getheader("Content-Type", "")
            parsed = json.loads(raw) if kind.startswith("application/json") else raw
            return Reply(response.status, parsed, {k.lower(): v for k, v in response.getheaders()})
        finally:
            conn.close()

    def admin(self, endpoint: str, body: Any = None, **headers: str) -> Reply:
        return self.request("POST", f"/admin/{endpoint}", body if body is not None else {},
                            {"Authorization": f"Bearer {ADMIN_TOKEN}", **headers})

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(db_path: str, *, workers: int = 2, threads: int = 8,
                 env: dict | None = None, port: int | None = None) -> Server:
    """Start ``tangopass serve`` in its own process group and wait until it is healthy."""
    port = port or free_port()
    if db_path.startswith("postgresql://"):
        log_path = Path(tempfile.mkdtemp(prefix="tangopass-server-")) / "server.log"
    else:
        log_path = Path(db_path).with_suffix(".log")
    environment = {**os.environ, "TANGOPASS_ADMIN_TOKEN": ADMIN_TOKEN, **(env or {})}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [TANGOPASS, "serve", "--port", str(port), "--db", db_path,
             "--workers", str(workers), "--threads", str(threads)],
            stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True,
        )
    server = Server(port, process, log_path)
    wait_healthy(server)
    return server


def kill_hard(server: Server) -> None:
    """SIGKILL the master and every worker at once, as a power cut would."""
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.process.wait()


@contextmanager
def running_server(db_path: str, *, workers: int = 2, threads: int = 8, env: dict | None = None):
    """Yield a live server; on exit send SIGTERM and require a clean shutdown."""
    server = start_server(db_path, workers=workers, threads=threads, env=env)
    try:
        yield server
    finally:
        stop_gracefully(server.process)


def stop_gracefully(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM, as a service manager would; SIGKILL only if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            if server.request("GET", "/health", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not become healthy:\n{server.log()}")
