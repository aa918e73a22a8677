"""The PWA's files from ``web/``: the student page at ``/``, the console at ``/teacher``."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import falcon

from tangopass.api.headers import cache_control

WEB_ROOT = Path(str(files("tangopass.web")))

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
PAGES = {"/": "index.html", "/teacher": "teacher.html"}
# Plain names only: no dot-files, no "..", no NUL, no backslashes, no odd bytes.
SAFE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)*$")


class StaticFiles:
    """A sink: Falcon calls it only for paths no API route matched."""

    def __init__(self, root: Path = WEB_ROOT):
        self.root = root.resolve()

    def _resolve(self, path: str) -> Path | None:
        name = PAGES.get(path) or path.removeprefix("/")
        if not SAFE_PATH.match(name):
            return None
        candidate = (self.root / name).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        if candidate.suffix not in CONTENT_TYPES:
            return None
        return candidate

    def __call__(self, req: falcon.Request, resp: falcon.Response, **_: str) -> None:
        file = self._resolve(req.path)
        if file is None:
            raise falcon.HTTPRouteNotFound()
        if req.method not in ("GET", "HEAD"):
            raise falcon.HTTPMethodNotAllowed(["GET", "HEAD"])
        resp.content_type = CONTENT_TYPES[file.suffix]
        resp.set_header("Cache-Control", cache_control(file.name))
        resp.data = file.read_bytes()
