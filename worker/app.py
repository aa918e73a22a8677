"""The Worker's composition root: Worker variables and D1 to the same Falcon app.

Settings come from the Worker's variables (``[vars]`` in wrangler.toml) and
secrets (``TANGOPASS_ADMIN_TOKEN``, set with ``wrangler secret put``), under the
same names as the server's environment. One application per isolate, built on
the first request and kept while the isolate lives (its aggregate cache is only
a cache: every append is version-checked on D1).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import falcon

from tangopass.api.app import create_app
from tangopass.api.clock import system_now
from tangopass.api.context import Context
from tangopass.api.settings import Settings
from tangopass.ledger.application import TangoPass, Terms
from tangopass.projections.queries import Queries
from tangopass.projections.storage.event_store import EventStore
from tangopass.projections.storage.runner import CommandRunner
from tangopass.worker.d1 import D1
from tangopass.worker.d1_store import D1Store

SETTING_NAMES = (
    "TANGOPASS_ADMIN_TOKEN", "TANGOPASS_PUBLIC_URL", "TANGOPASS_TZ",
    "TANGOPASS_WINDOW_HOURS", "TANGOPASS_CORS_ORIGINS",
)
BINDING = "DB"

_app: list[falcon.App] = []  # at most one: a Worker has one environment
# Commands run again after a VersionConflict since the isolate started (the test
# harness reads it to show that a race really collided).
RETRIES = [0]
# The D1 wrapper of each binding the app was built on (the test harness points it at a
# counting binding per request).
DATABASES: dict[str, D1] = {}


def settings_from(env: Any, url: str) -> Settings:
    """Settings from the Worker's variables; the public URL defaults to the request's origin."""
    values = {}
    for name in SETTING_NAMES:
        value = getattr(env, name, None)
        if isinstance(value, str):
            values[name] = value
    if not values.get("TANGOPASS_PUBLIC_URL"):
        parts = urlsplit(url)
        values["TANGOPASS_PUBLIC_URL"] = f"{parts.scheme}://{parts.netloc}"
    return Settings.from_env(values, db_path=f"d1:{BINDING}")


def build_app(env: Any, url: str, clock: Callable[[], datetime] = system_now) -> falcon.App:
    """The server's app on the D1 database bound as ``env.DB``."""
    settings = settings_from(env, url)
    d1 = DATABASES[BINDING] = D1(getattr(env, BINDING))
    store = D1Store(d1, location=f"d1:{BINDING}")
    queries = Queries(store)
    events = EventStore(store)
    runner = CommandRunner(store, events.cache, pause=_count_retry)
    ledger = TangoPass(events, runner, terms=Terms(settings.tz, settings.window_hours),
                       queries=queries)
    return create_app(Context(ledger=ledger, queries=queries, settings=settings, clock=clock))


def _count_retry(attempt: int) -> None:
    """No pause between attempts (each retry is already a round trip to D1); count it."""
    RETRIES[0] += 1


def app_for(env: Any, url: str) -> falcon.App:
    """The isolate's app, built on its first request."""
    if not _app:
        _app.append(build_app(env, url))
    return _app[0]
