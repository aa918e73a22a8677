"""The installed app's manifest, per student: its ``start_url`` opens their own pass.

An app added to the home screen starts at the manifest's ``start_url``; iOS
starts it with empty storage, so a ``start_url`` of ``/`` opened on "Open your
personal link". The student page links ``/manifest.webmanifest?t=TOKEN``
instead, and this answers the shared manifest with ``id`` and ``start_url``
set to that student's link. Only a holder of a valid token gets it (the same
401 and throttling as every token route); it is never stored by any cache
(``private, no-store``, and the service worker passes it by) and never sends
the token on through ``Referer``. The token stays in the query string, which
the access log never writes (api/logs.py).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from urllib.parse import quote

import falcon

from tangopass.api.context import StudentGate

MANIFEST_TYPE = "application/manifest+json"


@lru_cache(maxsize=1)
def shared_manifest() -> dict:
    """web/manifest.json, read on first use (the Worker's bundle carries it beside the code)."""
    return json.loads((files("tangopass.web") / "manifest.json").read_text(encoding="utf-8"))


class StudentManifestResource:
    def __init__(self, gate: StudentGate):
        self.gate = gate

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.gate.student_of(req)  # 401 INVALID_TOKEN (or 429) before anything else
        start = f"/?t={quote(req.params['t'], safe='')}"
        resp.content_type = MANIFEST_TYPE
        resp.cache_control = ["private", "no-store"]
        resp.set_header("Referrer-Policy", "no-referrer")
        resp.data = json.dumps({**shared_manifest(), "id": start, "start_url": start}).encode()
