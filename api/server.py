"""A production server: gunicorn, several worker processes on one SQLite file.

Each worker opens its own connections after the fork. Correctness across
workers rests on the event store's version check, not on anything in memory.
"""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication

from tangopass.api.app import create_app
from tangopass.api.logs import ACCESS_FORMAT
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context


# sun_path of a Unix socket holds 108 bytes on Linux (104 on BSD/macOS), NUL included.
SOCKET_PATH_MAX = 103


def control_socket_for(db_path: str) -> str | None:
    """gunicorn's control socket for the server on ``db_path``: ``DB.ctl``, beside the data.

    gunicorn's default is one per user (``~/.gunicorn/gunicorn.ctl``): a second
    server on the same host would take it over, and the first one stopping would
    remove it under the other. Beside the database, each studio has its own.
    None (no control socket) when the database is not a file or the path is too
    long for a Unix socket.
    """
    if "://" in db_path:
        return None
    path = os.path.abspath(f"{db_path}.ctl")
    return path if len(os.fsencode(path)) <= SOCKET_PATH_MAX else None


class TangoPassServer(BaseApplication):
    def __init__(self, settings: Settings, host: str, port: int, workers: int, threads: int):
        self.settings = settings
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "accesslog": "-",
            "errorlog": "-",
            "access_log_format": ACCESS_FORMAT,
            "logger_class": "tangopass.api.logs.RedactingLogger",
            "graceful_timeout": 10,
            "timeout": 60,
            "keepalive": 5,
            "limit_request_line": 8190,
            "limit_request_fields": 100,
            "proc_name": "tangopass",
        }
        control_socket = control_socket_for(settings.db_path)
        if control_socket is None:
            self.options["control_socket_disable"] = True
        else:
            self.options["control_socket"] = control_socket
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Runs in each worker after the fork: connections are never shared.
        return create_app(open_context(self.settings, migrate=False))
