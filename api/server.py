"""A production server: gunicorn, several worker processes on one SQLite file.

Each worker opens its own connections after the fork. Correctness across
workers rests on the event store's version check, not on anything in memory.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from tangopass.api.app import create_app
from tangopass.api.logs import ACCESS_FORMAT
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context


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
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Runs in each worker after the fork: connections are never shared.
        return create_app(open_context(self.settings, migrate=False))
